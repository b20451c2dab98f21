/**
 * The beta distribution with shapes `a`, `b` on [loc, loc + scale], as
 * `jax.scipy.stats.beta`: density z^(a−1)(1 − z)^(b−1)/(B(a, b)·scale) for
 * z = (x − loc)/scale in [0, 1]. Outside the support logpdf is −∞ and pdf 0, with zero (not
 * NaN) derivatives; `a`, `b` or `scale` ≤ 0 raise InvalidArgumentError (NaN under jit or vmap). The cdf needs the regularized incomplete
 * beta function, which fluxion does not have yet, so there is no `cdf` here.
 * @module
 */
import { add, neg, sub } from '../primitives/arithmetic.ts'
import { greater, greaterEqual, lessEqual } from '../primitives/comparison.ts'
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
