/**
 * The Poisson distribution with mean `mu`, shifted by `loc`, as `jax.scipy.stats.poisson`.
 * A k − loc that is negative or not an integer is outside the support (logpmf −∞, pmf and cdf
 * 0, as SciPy); `mu` < 0 raises InvalidArgumentError (NaN under jit or vmap). The derivative in k is that of the analytic continuation
 * through `lgamma` (as JAX); the one in `mu` is exact.
 * @module
 */
import { add, sub } from '../primitives/arithmetic.ts'
import { equal, greaterEqual, where } from '../primitives/comparison.ts'
import { xlogy } from '../primitives/elementwise-binary.ts'
import { gammaincc } from '../primitives/gammainc.ts'
import { floorDivide } from '../primitives/remainder.ts'
import { lgamma } from '../primitives/special.ts'
import { and, expOf, inSupport, type RateLocFn, rateLoc, validOr } from './shared.ts'

/**
 * k·log mu − lgamma(k + 1) − mu (`xlogy`: mu = 0 gives 0 at k = 0).
 *
 * Derivative: ∂/∂mu = k/mu − 1.
 * @example
 * stats.poisson.logpmf(0, 2) // => -2
 * stats.poisson.logpmf(1.5, 2) // => -Infinity
 * @category stats
 */
export const logpmf: RateLocFn = rateLoc((k, mu, loc) => {
  const j = sub(k, loc)
  const inside = sub(sub(xlogy(j, mu), lgamma(add(j, 1))), mu)
  return validOr(
    greaterEqual(mu, 0),
    inSupport(
      and(greaterEqual(j, 0), equal(j, floorDivide(j, 1))),
      inside,
      Number.NEGATIVE_INFINITY,
    ),
    'poisson.logpmf',
  )
})

/**
 * The probability mass, exp(logpmf).
 * @example
 * stats.poisson.pmf(2, 2) // ≈ 2 * Math.exp(-2)
 * @category stats
 */
export const pmf: RateLocFn = expOf(logpmf)

/**
 * P(K ≤ k) = Q(⌊k⌋ + 1, mu), the regularized upper incomplete gamma (`gammaincc`); 0 below
 * loc. Derivative in mu: −mu^⌊k⌋e^(−mu)/⌊k⌋! (minus the pmf at ⌊k⌋); 0 in k.
 * @example
 * stats.poisson.cdf(1, 2) // ≈ 3 * Math.exp(-2)
 * @category stats
 */
export const cdf: RateLocFn = rateLoc((k, mu, loc) => {
  const j = sub(k, loc)
  const inside = greaterEqual(j, 0)
  const n = add(floorDivide(where(inside, j, 0), 1), 1)
  return validOr(greaterEqual(mu, 0), inSupport(inside, gammaincc(n, mu), 0), 'poisson.cdf')
})
