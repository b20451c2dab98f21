/**
 * The exponential distribution with rate 1/scale, shifted by loc, as
 * `jax.scipy.stats.expon`: density e^(−z)/scale for z = (x − loc)/scale ≥ 0. Outside the
 * support logpdf is −∞, pdf and cdf 0, with zero (not NaN) derivatives; `scale` ≤ 0 raises InvalidArgumentError (NaN under jit or vmap).
 * @module
 */
import { add, neg } from '../primitives/arithmetic.ts'
import { greater, greaterEqual } from '../primitives/comparison.ts'
import { expm1, log } from '../primitives/elementwise.ts'
import {
  expOf,
  inSupport,
  type LocScaleFn,
  locScale,
  log1mexp,
  standardize,
  validOr,
} from './shared.ts'

/**
 * −z − log scale for z ≥ 0, −∞ below loc.
 *
 * Derivative: ∂/∂x = −1/scale, ∂/∂loc = 1/scale, ∂/∂scale = (z − 1)/scale inside; 0 outside.
 * @example
 * stats.expon.logpdf(2) // => -2
 * stats.expon.logpdf(-1) // => -Infinity
 * @category stats
 */
export const logpdf: LocScaleFn = locScale((x, loc, scale) => {
  const z = standardize(x, loc, scale)
  return validOr(
    greater(scale, 0),
    inSupport(greaterEqual(z, 0), neg(add(z, log(scale))), Number.NEGATIVE_INFINITY),
    'expon.logpdf',
  )
})

/**
 * The density e^(−z)/scale (0 below loc).
 * @example
 * stats.expon.pdf(0, 0, 2) // => 0.5
 * @category stats
 */
export const pdf: LocScaleFn = expOf(logpdf)

/**
 * 1 − e^(−z) (by `expm1`, accurate near loc); 0 below loc.
 * @example
 * stats.expon.cdf(1) // ≈ 1 - Math.exp(-1)
 * @category stats
 */
export const cdf: LocScaleFn = locScale((x, loc, scale) => {
  const z = standardize(x, loc, scale)
  return validOr(
    greater(scale, 0),
    inSupport(greaterEqual(z, 0), neg(expm1(neg(z))), 0),
    'expon.cdf',
  )
})

/**
 * log(1 − e^(−z)), accurate both near loc and far right; −∞ at and below loc.
 * @example
 * stats.expon.logcdf(50) // ≈ -Math.exp(-50)
 * @category stats
 */
export const logcdf: LocScaleFn = locScale((x, loc, scale) => {
  const z = standardize(x, loc, scale)
  return validOr(
    greater(scale, 0),
    inSupport(greater(z, 0), log1mexp(z), Number.NEGATIVE_INFINITY),
    'expon.logcdf',
  )
})
