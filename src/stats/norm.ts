/**
 * The normal distribution N(loc, scale²), as `jax.scipy.stats.norm`. Every function is a
 * composition of fluxion ops, so it differentiates in `x`, `loc` and `scale` in every mode.
 * `scale` ≤ 0 raises `InvalidArgumentError` (NaN under jit or vmap, as JAX).
 * @module
 */
import { add, mul, sub } from '../primitives/arithmetic.ts'
import { greater } from '../primitives/comparison.ts'
import { log, square } from '../primitives/elementwise.ts'
import { logNdtr, ndtr } from '../primitives/special-erf.ts'
import { expOf, type LocScaleFn, locScale, standardize, validOr } from './shared.ts'

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI)

/**
 * log φ((x − loc)/scale) − log scale = −z²/2 − log scale − ½log 2π.
 *
 * Derivative: ∂/∂x = −z/scale, ∂/∂loc = z/scale, ∂/∂scale = (z² − 1)/scale.
 * @example
 * stats.norm.logpdf(0) // ≈ -0.5 * Math.log(2 * Math.PI)
 * @category stats
 */
export const logpdf: LocScaleFn = locScale((x, loc, scale) => {
  const z = standardize(x, loc, scale)
  return validOr(
    greater(scale, 0),
    sub(mul(-0.5, square(z)), add(log(scale), LOG_SQRT_2PI)),
    'norm.logpdf',
  )
})

/**
 * The density, exp(logpdf).
 * @example
 * stats.norm.pdf(1, 1, 2) // ≈ 1 / (2 * Math.sqrt(2 * Math.PI))
 * @category stats
 */
export const pdf: LocScaleFn = expOf(logpdf)

/**
 * Φ((x − loc)/scale), by `ndtr`. Derivative: the density (times −1/scale, −z/scale for loc,
 * scale).
 * @example
 * stats.norm.cdf(0) // => 0.5
 * @category stats
 */
export const cdf: LocScaleFn = locScale((x, loc, scale) =>
  validOr(greater(scale, 0), ndtr(standardize(x, loc, scale)), 'norm.cdf'),
)

/**
 * log Φ((x − loc)/scale), by `logNdtr`: finite and accurate far in the left tail, where Φ
 * itself underflows (log Φ(−40) ≈ −804.6).
 * @example
 * stats.norm.logcdf(-40) // ≈ -804.6084420137538
 * @category stats
 */
export const logcdf: LocScaleFn = locScale((x, loc, scale) =>
  validOr(greater(scale, 0), logNdtr(standardize(x, loc, scale)), 'norm.logcdf'),
)
