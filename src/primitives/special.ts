/**
 * Special functions of the gamma family, as `jax.scipy.special`: `lgamma` (`gammaln`),
 * `digamma`, `polygamma`, `gamma`, and `betaln`/`beta` composed from `lgamma`. Kernels in
 * tensor/kernels/gamma-scalar.ts; about 1e-15 relative error for x > 0.
 *
 * Every derivative is a primitive of the family again — lgamma′ = ψ, ψ⁽ⁿ⁾′ = ψ⁽ⁿ⁺¹⁾,
 * Γ′ = Γ·ψ — so every order is exact, and the Taylor rules follow the family too (O(K³)).
 *
 * Laws (every primitive here): fd-agreement, vjp-jvp-adjoint, jvp-linearity, and
 * taylor-nested-agreement for those without params.
 * @module
 */
import { bind1 } from '../core/bind.ts'
import { InvalidArgumentError } from '../core/errors.ts'
import type { Val } from '../core/tracer.ts'
import {
  digamma as digammaScalar,
  gamma as gammaScalar,
  lgamma as lgammaScalar,
  polygamma as polygammaScalar,
} from '../tensor/kernels/gamma-scalar.ts'
import { digammaK, gammaK, lgammaK, polygammaK } from '../tensor/kernels/special.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { add, mul, sub } from './arithmetic.ts'
import { real, specialReals, unaryDomain } from './domain.ts'
import { exp } from './elementwise.ts'
import { familySeries, paramUnary } from './elementwise-params.ts'
import { unary } from './families.ts'
import { cauchy, solveOde } from './taylor.ts'

type Value = number | Tensor

/** The gamma family by derivative order: log Γ, then ψ⁽ᵏ⁻¹⁾. */
const logGammaFamily = (k: number, x: Val): Val => (k === 0 ? lgamma(x) : polygammaV(k - 1, x))

/** Primitive record of {@link lgamma}. */
export const lgammaP = unary({
  name: 'lgamma',
  scalar: lgammaScalar,
  kernel: lgammaK,
  partial: (x) => digamma(x),
  taylor: (x) => familySeries(logGammaFamily, 0, x),
  domain: unaryDomain(real(0.2, 8)),
})

/**
 * log|Γ(x)|, elementwise (`gammaln`): for x < 0 too, +∞ at 0, at the negative integers and at
 * ±∞. About 1e-15 relative for x > 0 (exactly 0 at 1 and 2); for x < 0, a few ulps of log π
 * and log Γ(1 − x), whose difference it is.
 *
 * Derivative: d log|Γ(x)| = ψ(x)·dx (the digamma function).
 * @example
 * lgamma(1) // => 0
 * lgamma(0.5) // ≈ Math.log(Math.sqrt(Math.PI))
 * @category special
 */
export function lgamma(x: number): number
export function lgamma(x: Tensor): Tensor
export function lgamma(x: Value): Value
export function lgamma(x: Value): Value {
  return typeof x === 'number' ? lgammaScalar(x) : bind1(lgammaP, x, undefined)
}

/**
 * `jax.scipy.special.gammaln`: the same op as {@link lgamma}.
 *
 * Derivative: ψ(x)·dx.
 * @example
 * gammaln(3) // ≈ Math.log(2)
 * @category special
 */
export function gammaln(x: number): number
export function gammaln(x: Tensor): Tensor
export function gammaln(x: Value): Value
export function gammaln(x: Value): Value {
  return lgamma(x)
}

/** Primitive record of {@link digamma}. */
export const digammaP = unary({
  name: 'digamma',
  scalar: digammaScalar,
  kernel: digammaK,
  partial: (x) => polygammaV(1, x),
  taylor: (x) => familySeries(polygammaV, 0, x),
  domain: unaryDomain(real(0.2, 8)),
})

/**
 * The digamma function ψ(x) = Γ′(x)/Γ(x), elementwise: ∓∞ at ±0, NaN at the negative integers
 * and −∞. Relative accuracy about 1e-15 for x > 0, through its zero at 1.4616….
 *
 * Derivative: d ψ(x) = ψ⁽¹⁾(x)·dx (the trigamma function).
 * @example
 * digamma(1) // ≈ -0.5772156649015329
 * @category special
 */
export function digamma(x: number): number
export function digamma(x: Tensor): Tensor
export function digamma(x: Value): Value
export function digamma(x: Value): Value {
  return typeof x === 'number' ? digammaScalar(x) : bind1(digammaP, x, undefined)
}

/** Params of {@link polygamma}: the order n ≥ 1 (n = 0 is `digamma`). */
export interface PolygammaParams {
  readonly n: number
}

/** ψ⁽ⁿ⁾ on any value: `digamma` for n = 0. */
const polygammaV = (n: number, x: Val): Val => (n === 0 ? digamma(x) : bind1(polygammaP, x, { n }))

/** Primitive record of {@link polygamma}, n ≥ 1. */
export const polygammaP = paramUnary<PolygammaParams>({
  name: 'polygamma',
  scalar: (x, { n }) => polygammaScalar(n, x),
  kernel: (x, { n }) => polygammaK(x, n),
  partial: (x, _y, { n }) => polygammaV(n + 1, x),
  taylor: (x, { n }) => familySeries(polygammaV, n, x),
  domain: {
    sample: (draw) => ({
      ...unaryDomain(real(0.3, 8)).sample(draw),
      params: { n: draw.integer(1, 3) },
    }),
    special: () =>
      [1, 2].flatMap((n) => [...specialReals, -1.5].map((x) => ({ args: [x], params: { n } }))),
  },
})

/**
 * The polygamma function ψ⁽ⁿ⁾(x), the n-th derivative of ψ, elementwise; n a non-negative
 * integer (not differentiated), n = 0 is `digamma`. For x > 0, (−1)ⁿ⁺¹n!·ζ(n + 1, x); below
 * 0 by reflection. Poles at 0 and the negative integers: +∞ for odd n; for even n, ∓∞ at ±0
 * and NaN at the negative integers.
 *
 * Orders above 170 (n! overflows) return at once: ±∞ where the result overflows (every
 * x < 0 off the poles and the half-integers), ±0 where it underflows, and between them
 * n!·Σ(x + k)⁻⁽ⁿ⁺¹⁾ in logarithms, with relative error about ε·log n!.
 *
 * Derivative: d ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁺¹⁾(x)·dx. Throws `InvalidArgumentError` when n is not a
 * non-negative integer.
 * @example
 * polygamma(1, 1) // ≈ Math.PI ** 2 / 6
 * @category special
 */
export function polygamma(n: number, x: number): number
export function polygamma(n: number, x: Tensor): Tensor
export function polygamma(n: number, x: Value): Value
export function polygamma(n: number, x: Value): Value {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new InvalidArgumentError(`polygamma of order ${n}: the order must be an integer ≥ 0`, {
      primitive: 'polygamma',
      hint: 'pass n = 0, 1, 2, … (n is not differentiated; for a real order use a series)',
    })
  }
  if (typeof x === 'number') return polygammaScalar(n, x)
  return polygammaV(n, x)
}

/** Primitive record of {@link gamma}. */
export const gammaP = unary({
  name: 'gamma',
  scalar: gammaScalar,
  kernel: gammaK,
  partial: (x, y) => mul(y, digamma(x)),
  // Γ′ = Γ·ψ(x)·x′, with ψ's series one order lower
  taylor: (x) => {
    const psi = familySeries(polygammaV, 0, x.slice(0, -1))
    return solveOde(x, gamma(x[0]!), (y, m) => cauchy(y, psi, m))
  },
  domain: unaryDomain(real(0.2, 5)),
})

/**
 * The gamma function Γ(x), elementwise: ±∞ at ±0, NaN at the negative integers and −∞, +∞
 * beyond 171.62. About 1e-15 relative for x > 0 (exact at small integers: Γ(5) = 24).
 *
 * Derivative: d Γ(x) = Γ(x)·ψ(x)·dx.
 * @example
 * gamma(5) // => 24
 * @category special
 */
export function gamma(x: number): number
export function gamma(x: Tensor): Tensor
export function gamma(x: Value): Value
export function gamma(x: Value): Value {
  return typeof x === 'number' ? gammaScalar(x) : bind1(gammaP, x, undefined)
}

/**
 * log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b), elementwise with broadcasting (a, b > 0;
 * log|B| elsewhere). A composition of `lgamma`: accurate to about ε·max(|log Γ|) in absolute
 * terms, so for large a and small b (log Γ(a) ≫ log B) relative accuracy falls.
 *
 * Derivative: d log B = (ψ(a) − ψ(a + b))·da + (ψ(b) − ψ(a + b))·db.
 * @example
 * betaln(1, 1) // => 0
 * @category special
 */
export function betaln(a: number, b: number): number
export function betaln(a: Tensor, b: Value): Tensor
export function betaln(a: Value, b: Tensor): Tensor
export function betaln(a: Value, b: Value): Value
export function betaln(a: Value, b: Value): Value {
  return sub(add(lgamma(a), lgamma(b)), lgamma(add(a, b)))
}

/**
 * The beta function B(a, b) = Γ(a)Γ(b)/Γ(a + b) = exp(betaln(a, b)), elementwise with
 * broadcasting, for a, b > 0 (no overflow where the Γs would overflow).
 *
 * Derivative: d B = B·(ψ(a) − ψ(a + b))·da + B·(ψ(b) − ψ(a + b))·db.
 * @example
 * beta(2, 3) // ≈ 1 / 12
 * @category special
 */
export function beta(a: number, b: number): number
export function beta(a: Tensor, b: Value): Tensor
export function beta(a: Value, b: Tensor): Tensor
export function beta(a: Value, b: Value): Value
export function beta(a: Value, b: Value): Value {
  return exp(betaln(a, b))
}
