/**
 * The gamma distribution with shape `a`, as `jax.scipy.stats.gamma`: density
 * z^(a−1)e^(−z)/(Γ(a)·scale) for z = (x − loc)/scale ≥ 0. Outside the support logpdf is −∞,
 * pdf and cdf 0, with zero (not NaN) derivatives; `a` ≤ 0 or `scale` ≤ 0 raise InvalidArgumentError (NaN under jit or vmap).
 * @module
 */
import { add, neg, sub } from '../primitives/arithmetic.ts'
import { greater, greaterEqual, less, where } from '../primitives/comparison.ts'
import { log, log1p } from '../primitives/elementwise.ts'
import { xlogy } from '../primitives/elementwise-binary.ts'
import { gammainc, gammaincc } from '../primitives/gammainc.ts'
import { lgamma } from '../primitives/special.ts'
import {
  and,
  expOf,
  inSupport,
  type ShapeLocScaleFn,
  shapeLocScale,
  standardize,
  validOr,
} from './shared.ts'

/**
 * (a − 1)·log z − z − lgamma(a) − log scale for z ≥ 0 (`xlogy`, so a = 1 at z = 0 gives
 * −log scale), −∞ below loc.
 *
 * Derivative: ∂/∂x = ((a − 1)/z − 1)/scale, ∂/∂a = log z − digamma(a); 0 outside.
 * @example
 * stats.gamma.logpdf(1, 1) // => -1
 * @category stats
 */
export const logpdf: ShapeLocScaleFn = shapeLocScale((x, a, loc, scale) => {
  const z = standardize(x, loc, scale)
  const inside = sub(sub(xlogy(sub(a, 1), z), z), add(lgamma(a), log(scale)))
  return validOr(
    and(greater(a, 0), greater(scale, 0)),
    inSupport(greaterEqual(z, 0), inside, Number.NEGATIVE_INFINITY),
    'gamma.logpdf',
  )
})

/**
 * The density.
 * @example
 * stats.gamma.pdf(2, 1) // ≈ Math.exp(-2)
 * @category stats
 */
export const pdf: ShapeLocScaleFn = expOf(logpdf)

// z clamped at 0: the regularized incomplete gamma is 0 there, and defined (NaN-free) below.
// The cdf keeps z itself at z = 0 (≥), so its x-derivative there is the one-sided density, as
// expon.cdf's (1 for a = 1, not the 0 of the constant branch); logcdf is −∞ there and keeps
// the constant branch (>), as expon.logcdf.
const clampedZ = (z: Parameters<typeof neg>[0]) => where(greater(z, 0), z, 0)
const clampedZAtLoc = (z: Parameters<typeof neg>[0]) => where(greaterEqual(z, 0), z, 0)

/**
 * P(a, z), the regularized lower incomplete gamma function (`gammainc`); 0 below loc.
 * Derivative in x: the density, at x = loc too (from the right: 1/scale for a = 1, as
 * `expon.cdf`); in a: `gammainc`'s own rule.
 * @example
 * stats.gamma.cdf(1, 1) // ≈ 1 - Math.exp(-1)
 * @category stats
 */
export const cdf: ShapeLocScaleFn = shapeLocScale((x, a, loc, scale) =>
  validOr(
    and(greater(a, 0), greater(scale, 0)),
    gammainc(a, clampedZAtLoc(standardize(x, loc, scale))),
    'gamma.cdf',
  ),
)

/**
 * log P(a, z) below the median region, log1p(−Q(a, z)) above it (`gammaincc`), so both
 * tails keep their relative accuracy; −∞ at and below loc.
 * @example
 * stats.gamma.logcdf(1, 1) // ≈ Math.log(1 - Math.exp(-1))
 * @category stats
 */
export const logcdf: ShapeLocScaleFn = shapeLocScale((x, a, loc, scale) => {
  const z = clampedZ(standardize(x, loc, scale))
  const p = gammainc(a, z)
  return validOr(
    and(greater(a, 0), greater(scale, 0)),
    where(less(p, 0.5), log(p), log1p(neg(gammaincc(a, z)))),
    'gamma.logcdf',
  )
})
