/**
 * The Laplace (double exponential) distribution, as `jax.scipy.stats.laplace`: density
 * e^(−|z|)/(2·scale) for z = (x − loc)/scale. `scale` ≤ 0 raises InvalidArgumentError (NaN under jit or vmap).
 * @module
 */
import { add, mul, neg, sub } from '../primitives/arithmetic.ts'
import { greater, less, where } from '../primitives/comparison.ts'
import { abs, exp, log, log1p } from '../primitives/elementwise.ts'
import { expOf, type LocScaleFn, locScale, standardize, validOr } from './shared.ts'

/**
 * −|z| − log(2·scale).
 *
 * Derivative: ∂/∂x = −sign(z)/scale (0 at the kink, as JAX), ∂/∂scale = (|z| − 1)/scale.
 * @example
 * stats.laplace.logpdf(0) // ≈ -Math.LN2
 * @category stats
 */
export const logpdf: LocScaleFn = locScale((x, loc, scale) => {
  const z = standardize(x, loc, scale)
  return validOr(greater(scale, 0), neg(add(abs(z), log(mul(2, scale)))), 'laplace.logpdf')
})

/**
 * The density e^(−|z|)/(2·scale).
 * @example
 * stats.laplace.pdf(0) // => 0.5
 * @category stats
 */
export const pdf: LocScaleFn = expOf(logpdf)

// −|z| written per side, so each branch of the cdf carries its own one-sided derivative at 0
const negAbs = (z: Parameters<typeof abs>[0]) => where(less(z, 0), z, neg(z))

/**
 * ½e^z below loc, 1 − ½e^(−z) above (no overflow on either side).
 * @example
 * stats.laplace.cdf(0) // => 0.5
 * @category stats
 */
export const cdf: LocScaleFn = locScale((x, loc, scale) => {
  const z = standardize(x, loc, scale)
  const half = mul(0.5, exp(negAbs(z)))
  return validOr(greater(scale, 0), where(less(z, 0), half, sub(1, half)), 'laplace.cdf')
})

/**
 * z − log 2 below loc, log1p(−½e^(−z)) above: finite and exact far in the left tail.
 * @example
 * stats.laplace.logcdf(-1000) // ≈ -1000 - Math.LN2
 * @category stats
 */
export const logcdf: LocScaleFn = locScale((x, loc, scale) => {
  const z = standardize(x, loc, scale)
  const nz = negAbs(z)
  return validOr(
    greater(scale, 0),
    where(less(z, 0), sub(nz, Math.LN2), log1p(mul(-0.5, exp(nz)))),
    'laplace.logcdf',
  )
})
