/**
 * The binomial distribution: k successes in `n` trials of probability `p`, shifted by `loc`,
 * as `jax.scipy.stats.binom`. A k − loc outside 0…n or not an integer is outside the support
 * (logpmf −∞, pmf 0); `n` negative or not an integer, or `p` outside [0, 1], raises InvalidArgumentError (NaN under jit or vmap). The
 * derivative in k and n is that of the analytic continuation through `lgamma` (as JAX).
 * @module
 */

import { value } from '../core/value.ts'
import { add, neg, sub } from '../primitives/arithmetic.ts'
import { equal, greaterEqual, lessEqual, where } from '../primitives/comparison.ts'
import { xlog1py, xlogy } from '../primitives/elementwise-binary.ts'
import { max, sum } from '../primitives/reduction.ts'
import { floorDivide } from '../primitives/remainder.ts'
import { lgamma } from '../primitives/special.ts'
import { expandDims } from '../primitives/structural.ts'
import { arange } from '../tensor/create.ts'
import { and, expOf, inSupport, type TrialsLocFn, trialsLoc, validOr } from './shared.ts'

type Value = Parameters<typeof neg>[0]

const isInteger = (v: Value): Value => equal(v, floorDivide(v, 1))

const validParams = (n: Value, p: Value): Value =>
  and(and(greaterEqual(n, 0), isInteger(n)), and(greaterEqual(p, 0), lessEqual(p, 1)))

/**
 * lgamma(n + 1) − lgamma(k + 1) − lgamma(n − k + 1) + k·log p + (n − k)·log(1 − p)
 * (`xlogy`, `xlog1py`: p = 0 and p = 1 are exact).
 *
 * Derivative: ∂/∂p = k/p − (n − k)/(1 − p).
 * @example
 * stats.binom.logpmf(0, 3, 0.5) // ≈ 3 * Math.log(0.5)
 * @category stats
 */
export const logpmf: TrialsLocFn = trialsLoc((k, n, p, loc) => {
  const j = sub(k, loc)
  const nj = sub(n, j)
  const logChoose = sub(sub(lgamma(add(n, 1)), lgamma(add(j, 1))), lgamma(add(nj, 1)))
  const inside = add(logChoose, add(xlogy(j, p), xlog1py(nj, neg(p))))
  return validOr(
    validParams(n, p),
    inSupport(
      and(and(greaterEqual(j, 0), lessEqual(j, n)), isInteger(j)),
      inside,
      Number.NEGATIVE_INFINITY,
    ),
    'binom.logpmf',
  )
})

/**
 * The probability mass, exp(logpmf).
 * @example
 * stats.binom.pmf(1, 2, 0.5) // ≈ 0.5
 * @category stats
 */
export const pmf: TrialsLocFn = expOf(logpmf)

/**
 * P(K ≤ k) = Σ_{j ≤ ⌊k⌋} pmf(j), summed over j = 0…max(n) (the regularized incomplete beta
 * function that gives it in closed form is not in fluxion yet). Differentiable in p (and k,
 * loc: 0); `n` must be concrete — under `jit` or `vmap` pass it as a constant, not as a traced
 * argument (a `ConcretizationError` otherwise).
 * @example
 * stats.binom.cdf(1, 2, 0.5) // ≈ 0.75
 * @category stats
 */
export const cdf: TrialsLocFn = trialsLoc((k, n, p, loc) => {
  const top = max(value(n))
  const trials = typeof top === 'number' ? top : top.item()
  const js = arange(Number.isFinite(trials) && trials >= 0 ? Math.floor(trials) + 1 : 1)
  const last = (v: Value) => expandDims(v, -1)
  const terms = where(
    lessEqual(js, floorDivide(last(sub(k, loc)), 1)),
    pmf(js, last(n), last(p)),
    0,
  )
  const out = validOr(validParams(n, p), sum(terms, -1), 'binom.cdf')
  // numbers in, a number out, as every other function here
  const allNumbers = [k, n, p, loc].every((v) => typeof v === 'number')
  return allNumbers && typeof out !== 'number' ? out.item() : out
})
