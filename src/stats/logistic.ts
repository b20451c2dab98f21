/**
 * The logistic distribution, as `jax.scipy.stats.logistic`: density e^(−z)/(scale·(1 + e^(−z))²)
 * for z = (x − loc)/scale, cdf the logistic sigmoid. `scale` ≤ 0 raises InvalidArgumentError (NaN under jit or vmap).
 * @module
 */
import { add, mul, neg, sub } from '../primitives/arithmetic.ts'
import { greater } from '../primitives/comparison.ts'
import { log, softplus } from '../primitives/elementwise.ts'
import { expit } from '../primitives/elementwise-more.ts'
import { expOf, type LocScaleFn, locScale, standardize, validOr } from './shared.ts'

/**
 * −z − 2·softplus(−z) − log scale (no overflow for large |z|).
 *
 * Derivative: ∂/∂x = (2σ(−z) − 1)/scale = −tanh(z/2)/scale.
 * @example
 * stats.logistic.logpdf(0) // ≈ -Math.log(4)
 * @category stats
 */
export const logpdf: LocScaleFn = locScale((x, loc, scale) => {
  const z = standardize(x, loc, scale)
  return validOr(
    greater(scale, 0),
    sub(neg(add(z, mul(2, softplus(neg(z))))), log(scale)),
    'logistic.logpdf',
  )
})

/**
 * The density σ(z)σ(−z)/scale.
 * @example
 * stats.logistic.pdf(0) // => 0.25
 * @category stats
 */
export const pdf: LocScaleFn = expOf(logpdf)

/**
 * σ(z) = 1/(1 + e^(−z)).
 * @example
 * stats.logistic.cdf(0) // => 0.5
 * @category stats
 */
export const cdf: LocScaleFn = locScale((x, loc, scale) =>
  validOr(greater(scale, 0), expit(standardize(x, loc, scale)), 'logistic.cdf'),
)

/**
 * log σ(z) = −softplus(−z): exact far in the left tail (≈ z).
 * @example
 * stats.logistic.logcdf(-800) // => -800
 * @category stats
 */
export const logcdf: LocScaleFn = locScale((x, loc, scale) =>
  validOr(greater(scale, 0), neg(softplus(neg(standardize(x, loc, scale)))), 'logistic.logcdf'),
)
