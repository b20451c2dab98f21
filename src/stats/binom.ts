/**
 * The binomial distribution: k successes in `n` trials of probability `p`, shifted by `loc`,
 * as `jax.scipy.stats.binom`. A k − loc outside 0…n or not an integer is outside the support
 * (logpmf −∞, pmf 0); `n` negative or not an integer, or `p` outside [0, 1], raises InvalidArgumentError (NaN under jit or vmap). The
 * derivative of logpmf in k and n is that of the analytic continuation through `lgamma` (as
 * JAX); cdf is betainc in closed form (no derivative in n).
 * @module
 */

import { add, neg, sub } from '../primitives/arithmetic.ts'
import { betainc } from '../primitives/betainc.ts'
import { equal, greaterEqual, less, lessEqual, where } from '../primitives/comparison.ts'
import { xlog1py, xlogy } from '../primitives/elementwise-binary.ts'
import { floorDivide } from '../primitives/remainder.ts'
import { lgamma } from '../primitives/special.ts'
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
 * P(K ≤ k) = I₁₋ₚ(n − j, j + 1) for j = ⌊k − loc⌋ in 0…n − 1 (`betainc`), 0 for j < 0 and 1
 * for j ≥ n — closed form, so `n` may be traced by `jit` and `vmap` like every other argument.
 *
 * Derivative: ∂/∂p = −(n − j)·C(n, j)·pʲ(1 − p)ⁿ⁻ʲ⁻¹ (the beta density at 1 − p); 0 in k and
 * loc (a step function). The derivative in n is not implemented (it is one of betainc's shape
 * parameters): differentiating in n raises InvalidArgumentError.
 * @example
 * stats.binom.cdf(1, 2, 0.5) // ≈ 0.75
 * @category stats
 */
export const cdf: TrialsLocFn = trialsLoc((k, n, p, loc) => {
  const valid = validParams(n, p)
  const j = floorDivide(sub(k, loc), 1)
  const inRange = and(greaterEqual(j, 0), less(j, n))
  // arguments made valid where they are not, so betainc never refuses them: validOr gives
  // the distribution's error (or NaN when traced), the where the 0 and 1 outside 0…n − 1
  const body = betainc(
    where(inRange, sub(n, j), 1),
    where(inRange, add(j, 1), 1),
    where(valid, sub(1, p), 0.5),
  )
  return validOr(valid, where(inRange, body, greaterEqual(j, n)), 'binom.cdf')
})
