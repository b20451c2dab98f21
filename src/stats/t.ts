/**
 * Student's t distribution with `df` degrees of freedom, as `jax.scipy.stats.t`. `df` ≤ 0 or
 * `scale` ≤ 0 raise InvalidArgumentError (NaN under jit or vmap). The cdf needs the regularized incomplete beta function, which fluxion
 * does not have yet, so there is no `cdf` here.
 * @module
 */
import { add, div, mul, sub } from '../primitives/arithmetic.ts'
import { greater } from '../primitives/comparison.ts'
import { log, log1p, square } from '../primitives/elementwise.ts'
import { lgamma } from '../primitives/special.ts'
import { and, expOf, type ShapeLocScaleFn, shapeLocScale, standardize, validOr } from './shared.ts'

/**
 * lgamma((ν+1)/2) − lgamma(ν/2) − ½log(νπ) − log scale − (ν+1)/2·log1p(z²/ν).
 *
 * Derivative: ∂/∂x = −(ν+1)z/(scale·(ν + z²)); ∂/∂ν through `digamma` (the derivative of
 * `lgamma`).
 * @example
 * stats.t.logpdf(0, 1) // ≈ -Math.log(Math.PI)
 * @category stats
 */
export const logpdf: ShapeLocScaleFn = shapeLocScale((x, df, loc, scale) => {
  const z = standardize(x, loc, scale)
  const half = mul(0.5, add(df, 1))
  const norm = sub(
    sub(lgamma(half), lgamma(mul(0.5, df))),
    add(mul(0.5, log(mul(Math.PI, df))), log(scale)),
  )
  return validOr(
    and(greater(df, 0), greater(scale, 0)),
    sub(norm, mul(half, log1p(div(square(z), df)))),
    't.logpdf',
  )
})

/**
 * The density.
 * @example
 * stats.t.pdf(0, 1) // ≈ 1 / Math.PI
 * @category stats
 */
export const pdf: ShapeLocScaleFn = expOf(logpdf)
