/**
 * The Cauchy distribution, as `jax.scipy.stats.cauchy`: density 1/(π·scale·(1 + z²)) for
 * z = (x − loc)/scale. `scale` ≤ 0 raises InvalidArgumentError (NaN under jit or vmap).
 * @module
 */
import { add, atan2, div, mul, neg } from '../primitives/arithmetic.ts'
import { greater } from '../primitives/comparison.ts'
import { log, log1p, square } from '../primitives/elementwise.ts'
import { expOf, type LocScaleFn, locScale, standardize, validOr } from './shared.ts'

/**
 * −log(π·scale) − log1p(z²).
 *
 * Derivative: ∂/∂x = −2z/(scale·(1 + z²)), ∂/∂scale = (z² − 1)/(scale·(1 + z²)).
 * @example
 * stats.cauchy.logpdf(0) // ≈ -Math.log(Math.PI)
 * @category stats
 */
export const logpdf: LocScaleFn = locScale((x, loc, scale) => {
  const z = standardize(x, loc, scale)
  return validOr(
    greater(scale, 0),
    neg(add(log(mul(Math.PI, scale)), log1p(square(z)))),
    'cauchy.logpdf',
  )
})

/**
 * The density 1/(π·scale·(1 + z²)).
 * @example
 * stats.cauchy.pdf(1) // ≈ 1 / (2 * Math.PI)
 * @category stats
 */
export const pdf: LocScaleFn = expOf(logpdf)

/**
 * ½ + arctan(z)/π, computed as atan2(1, −z)/π so the left tail keeps its relative accuracy
 * (≈ 1/(π|z|)) instead of cancelling to 0.
 * @example
 * stats.cauchy.cdf(1) // => 0.75
 * @category stats
 */
export const cdf: LocScaleFn = locScale((x, loc, scale) =>
  validOr(greater(scale, 0), div(atan2(1, neg(standardize(x, loc, scale))), Math.PI), 'cauchy.cdf'),
)

/**
 * log of the cdf (finite in the left tail: about −log(π|z|)).
 * @example
 * stats.cauchy.logcdf(0) // ≈ -Math.LN2
 * @category stats
 */
export const logcdf: LocScaleFn = locScale((x, loc, scale) => log(cdf(x, loc, scale)))
