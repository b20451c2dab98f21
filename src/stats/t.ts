/**
 * Student's t distribution with `df` degrees of freedom, as `jax.scipy.stats.t`. `df` ≤ 0 or
 * `scale` ≤ 0 raise InvalidArgumentError (NaN under jit or vmap). The cdf is the regularized
 * incomplete beta function `betainc`.
 * @module
 */
import { add, div, minimum, mul, neg, sub } from '../primitives/arithmetic.ts'
import { betainc } from '../primitives/betainc.ts'
import { equal, greater, greaterEqual, lessEqual, where } from '../primitives/comparison.ts'
import { log, log1p, square } from '../primitives/elementwise.ts'
import { lgamma } from '../primitives/special.ts'
import { BERNOULLI } from '../tensor/kernels/gamma-scalar.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { and, expOf, type ShapeLocScaleFn, shapeLocScale, standardize, validOr } from './shared.ts'

type Value = number | Tensor

/** ½·log 2π. */
const HALF_LOG_2PI = 0.9189385332046728

/**
 * (2^−n − 2)·B_{n+1}/(n(n + 1)) for odd n = 1 … 19: log Γ(h + ½) − log Γ(h) − ½·log h ~
 * Σ cₙ·h⁻ⁿ (the generalized-Bernoulli expansion of a log-gamma ratio, DLMF 5.11.13 with
 * B_m(½) = (2^(1−m) − 1)·B_m). From h = 10 on, 10 terms leave a relative error below 1e-17.
 */
const LOG_GAMMA_HALF_RATIO: readonly number[] = BERNOULLI.slice(0, 10).map((bernoulli, j) => {
  const n = 2 * j + 1
  return ((2 ** -n - 2) * bernoulli) / (n * (n + 1))
})

/** From here on the log-gamma ratio of the t density is taken from its asymptotic series. */
const RATIO_SERIES_FROM = 10

/**
 * log Γ(h + ½) − log Γ(h) − ½·log h. Directly for h < 10; above, the two log-gammas (each
 * ≈ h·log h) cancel to about 1/(8h), so the asymptotic series instead: at ν = 1e12 the
 * difference loses every digit, and at ν = ∞ it is ∞ − ∞. Each branch sees an argument it can
 * take (1/h of the other's), so neither has a NaN to hide.
 */
function logGammaHalfRatio(h: Value): Value {
  const large = greaterEqual(h, RATIO_SERIES_FROM)
  const hSmall = where(large, 1, h)
  const direct = sub(sub(lgamma(add(hSmall, 0.5)), lgamma(hSmall)), mul(0.5, log(hSmall)))
  const r = div(1, where(large, h, RATIO_SERIES_FROM))
  const r2 = square(r)
  const c = LOG_GAMMA_HALF_RATIO
  let acc: Value = c[c.length - 1]!
  for (let j = c.length - 2; j >= 0; j--) acc = add(c[j]!, mul(r2, acc))
  return where(large, mul(r, acc), direct)
}

/**
 * log Γ((ν+1)/2) − log Γ(ν/2) − ½log(νπ) − log scale − (ν+1)/2·log1p(z²/ν), with the
 * log-gamma ratio from its asymptotic series for ν ≥ 20 (full accuracy at ν = 1e12 and 1e16)
 * and, at ν = ∞, the normal density's −½log 2π − z²/2 − log scale.
 *
 * Derivative: ∂/∂x = −(ν+1)z/(scale·(ν + z²)); ∂/∂ν through `digamma` (the derivative of
 * `lgamma`) below ν = 20, through the series above.
 * @example
 * stats.t.logpdf(0, 1) // ≈ -Math.log(Math.PI)
 * @category stats
 */
export const logpdf: ShapeLocScaleFn = shapeLocScale((x, df, loc, scale) => {
  const z = standardize(x, loc, scale)
  // ½log(νπ) = ½log h + ½log 2π with h = ν/2: the ½log h cancels inside the ratio
  const norm = sub(logGammaHalfRatio(mul(0.5, df)), add(HALF_LOG_2PI, log(scale)))
  const infinite = equal(df, Infinity)
  const nu = where(infinite, 1, df)
  const kernel = where(
    infinite,
    mul(0.5, square(z)),
    mul(mul(0.5, add(nu, 1)), log1p(div(square(z), nu))),
  )
  return validOr(and(greater(df, 0), greater(scale, 0)), sub(norm, kernel), 't.logpdf')
})

/**
 * The density.
 * @example
 * stats.t.pdf(0, 1) // ≈ 1 / Math.PI
 * @category stats
 */
export const pdf: ShapeLocScaleFn = expOf(logpdf)

/** Terms of the centre series of the t cdf (enough at |z²/ν| ≤ ¼ for every ν). */
const CENTRE_TERMS = 40

/**
 * P(T ≤ x) = ½·I_w(ν/2, ½) for z = (x − loc)/scale ≤ 0, and 1 − that for z > 0, with
 * w = ν/(ν + z²) (`betainc`). Near the centre, z² ≤ min(1, ν/4), it is instead the series
 * ½ + pdf(0)·z·Σₖ ((ν+1)/2)ₖ/((2k + 1)·k!)·(−z²/ν)ᵏ (the hypergeometric form
 * ₂F₁(½, (ν+1)/2; 3/2; −z²/ν), DLMF 15.2.1), which is analytic in z: through w the derivative
 * would need 1 − w, which rounds to 0 there (grad at z = 1e-9 was ∞), and every higher order
 * would cancel.
 *
 * Derivative: ∂/∂x = pdf(x), every order; ∂/∂loc and ∂/∂scale by the chain rule. The
 * derivative in ν is not implemented: differentiating in `df` raises InvalidArgumentError.
 * @example
 * stats.t.cdf(0, 3) // => 0.5
 * @category stats
 */
export const cdf: ShapeLocScaleFn = shapeLocScale((x, df, loc, scale) => {
  const z = standardize(x, loc, scale)
  const valid = and(greater(df, 0), greater(scale, 0))
  const nu = where(valid, df, 1)
  const z2 = square(z)
  const centre = lessEqual(z2, minimum(1, mul(0.25, nu)))
  // each branch at an argument it can take: the other's is a constant
  const zFar = where(centre, 1, z)
  const zFar2 = square(zFar)
  const tail = mul(0.5, betainc(mul(0.5, nu), 0.5, div(nu, add(nu, zFar2))))
  const away = where(greater(zFar, 0), sub(1, tail), tail)
  const zNear = where(centre, z, 0)
  const y = neg(div(square(zNear), nu))
  const beta = mul(0.5, add(nu, 1))
  // term k = ((ν+1)/2)ₖ/k!·(−z²/ν)ᵏ, summed divided by 2k + 1, smallest last
  let term: Value = 1
  let sum: Value = 1
  for (let k = 1; k < CENTRE_TERMS; k++) {
    term = mul(term, mul(div(add(beta, k - 1), k), y))
    sum = add(sum, div(term, 2 * k + 1))
  }
  const pdf0 = expOf(logpdf)(0, nu)
  const near = add(0.5, mul(mul(pdf0, zNear), sum))
  return validOr(valid, where(centre, near, away), 't.cdf')
})
