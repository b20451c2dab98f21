/**
 * Student's t distribution with `df` degrees of freedom, as `jax.scipy.stats.t`. `df` ≤ 0 or
 * `scale` ≤ 0 raise InvalidArgumentError (NaN under jit or vmap). The cdf is the regularized
 * incomplete beta function `betainc`.
 * @module
 */
import { add, div, mul, sub } from '../primitives/arithmetic.ts'
import { betainc } from '../primitives/betainc.ts'
import { equal, greater, where } from '../primitives/comparison.ts'
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

/**
 * P(T ≤ x) = ½·I_w(ν/2, ½) for z = (x − loc)/scale ≤ 0, and 1 − that for z > 0, with
 * w = ν/(ν + z²) (`betainc`). At z = 0 exactly, ½ + pdf(0)·(z − (ν + 1)z³/(6ν)), its Taylor
 * polynomial: through w the derivative there would be 0·∞.
 *
 * Derivative: ∂/∂x = pdf(x) (orders 1–3 exact at z = 0, every order elsewhere); ∂/∂loc and
 * ∂/∂scale by the chain rule. The derivative in ν is not implemented: differentiating in `df`
 * raises InvalidArgumentError.
 * @example
 * stats.t.cdf(0, 3) // => 0.5
 * @category stats
 */
export const cdf: ShapeLocScaleFn = shapeLocScale((x, df, loc, scale) => {
  const z = standardize(x, loc, scale)
  const valid = and(greater(df, 0), greater(scale, 0))
  const nu = where(valid, df, 1)
  const z2 = square(z)
  const tail = mul(0.5, betainc(mul(0.5, nu), 0.5, div(nu, add(nu, z2))))
  const away = where(greater(z, 0), sub(1, tail), tail)
  const pdf0 = expOf(logpdf)(0, nu)
  const atZero = add(0.5, mul(pdf0, sub(z, mul(div(add(nu, 1), mul(6, nu)), mul(z2, z)))))
  return validOr(valid, where(equal(z, 0), atZero, away), 't.cdf')
})
