/**
 * The beta distribution with shapes `a`, `b` on [loc, loc + scale], as
 * `jax.scipy.stats.beta`: density z^(a−1)(1 − z)^(b−1)/(B(a, b)·scale) for
 * z = (x − loc)/scale in [0, 1]. Outside the support logpdf is −∞ and pdf 0, with zero (not
 * NaN) derivatives; `a`, `b` or `scale` ≤ 0 raise InvalidArgumentError (NaN under jit or
 * vmap). The cdf is the regularized incomplete beta function `betainc`.
 * @module
 */
import { add, neg, sub } from '../primitives/arithmetic.ts'
import { betainc } from '../primitives/betainc.ts'
import { greater, greaterEqual, lessEqual, where } from '../primitives/comparison.ts'
import { log } from '../primitives/elementwise.ts'
import { xlog1py, xlogy } from '../primitives/elementwise-binary.ts'
import { betaln } from '../primitives/special.ts'
import {
  and,
  expOf,
  inSupport,
  standardize,
  type TwoShapeLocScaleFn,
  twoShapeLocScale,
  validOr,
} from './shared.ts'

/**
 * (a − 1)·log z + (b − 1)·log(1 − z) − betaln(a, b) − log scale on [0, 1] (`xlogy`,
 * `xlog1py`: the endpoints are exact), −∞ outside.
 *
 * Derivative: ∂/∂x = ((a − 1)/z − (b − 1)/(1 − z))/scale, ∂/∂a = log z − digamma(a) +
 * digamma(a + b); 0 outside.
 * @example
 * stats.beta.logpdf(0.5, 2, 2) // ≈ Math.log(1.5)
 * @category stats
 */
export const logpdf: TwoShapeLocScaleFn = twoShapeLocScale((x, a, b, loc, scale) => {
  const z = standardize(x, loc, scale)
  const inside = sub(
    add(xlogy(sub(a, 1), z), xlog1py(sub(b, 1), neg(z))),
    add(betaln(a, b), log(scale)),
  )
  return validOr(
    and(and(greater(a, 0), greater(b, 0)), greater(scale, 0)),
    inSupport(and(greaterEqual(z, 0), lessEqual(z, 1)), inside, Number.NEGATIVE_INFINITY),
    'beta.logpdf',
  )
})

/**
 * The density.
 * @example
 * stats.beta.pdf(0.5, 2, 2) // ≈ 1.5
 * @category stats
 */
export const pdf: TwoShapeLocScaleFn = expOf(logpdf)

/**
 * P(X ≤ x) = I_z(a, b) for z = (x − loc)/scale in [0, 1] (`betainc`), 0 below the support
 * and 1 above it.
 *
 * Derivative: ∂/∂x = pdf(x); ∂/∂loc and ∂/∂scale by the chain rule through z; 0 outside the
 * support. The derivatives in a and b are not implemented: differentiating in them raises
 * InvalidArgumentError.
 * @example
 * stats.beta.cdf(0.5, 2, 1) // ≈ 0.25
 * @category stats
 */
export const cdf: TwoShapeLocScaleFn = twoShapeLocScale((x, a, b, loc, scale) => {
  const z = standardize(x, loc, scale)
  const valid = and(and(greater(a, 0), greater(b, 0)), greater(scale, 0))
  const inside = and(greaterEqual(z, 0), lessEqual(z, 1))
  // the shapes and z made valid where they are not, so betainc itself never refuses them:
  // validOr gives the distribution's error (or NaN when traced); outside, 0 below and 1 above
  const zIn = where(inside, z, 0.5)
  const body = betainc(where(valid, a, 1), where(valid, b, 1), zIn)
  return validOr(valid, where(inside, body, greater(z, 1)), 'beta.cdf')
})
