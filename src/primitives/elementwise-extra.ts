/**
 * More elementwise functions of one argument, as in `jax.numpy`: `log2 log10 exp2`, the inverse
 * hyperbolic functions, and `deg2rad`/`rad2deg` (products with a constant). Each primitive is
 * one record (scalar, kernel, partial, Taylor rule, domain) with its own kernel — Math's
 * functions — so none loses accuracy to a composition (log(x)/ln 2 is not exact at powers of 2).
 *
 * Laws (every primitive here): fd-agreement, vjp-jvp-adjoint, jvp-linearity,
 * taylor-nested-agreement.
 * @module
 */
import { bind1 } from '../core/bind.ts'
import type { Val } from '../core/tracer.ts'
import { acoshK, asinhK, atanhK, exp2K, log2K, log10K } from '../tensor/kernels/extra.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { add, div, mul, neg, sub } from './arithmetic.ts'
import { anyReal, real, unaryDomain } from './domain.ts'
import { sqrt } from './elementwise.ts'
import { hypot } from './elementwise-binary.ts'
import { unary } from './families.ts'
import { productSeries, quotientOde, type Series, solveOde, sqrtSeries } from './taylor.ts'

type Value = number | Tensor

/** The series c·x (a constant times every coefficient). */
const scaled = (c: number, x: Series): Val[] => x.map((xk) => mul(c, xk))

/** The series of (x + c) (only coefficient 0 moves). */
const shifted = (x: Series, c: number): Val[] => x.map((xk, k) => (k === 0 ? add(xk, c) : xk))

/** Primitive record of {@link log2}. */
export const log2P = unary({
  name: 'log2',
  scalar: Math.log2,
  kernel: log2K,
  partial: (x) => div(1 / Math.LN2, x),
  // ln 2·x·y′ = x′
  taylor: (x) => quotientOde(x, scaled(Math.LN2, x), log2(x[0]!)),
  domain: unaryDomain(real(0.1, 4)),
})

/**
 * Base-2 logarithm, elementwise (exact at powers of 2; NaN below 0, −∞ at 0).
 *
 * Derivative: d log₂x = dx / (x·ln 2).
 * @example
 * log2(8) // => 3
 * @category elementwise
 */
export function log2(x: number): number
export function log2(x: Tensor): Tensor
export function log2(x: Value): Value
export function log2(x: Value): Value {
  return typeof x === 'number' ? Math.log2(x) : bind1(log2P, x, undefined)
}

/** Primitive record of {@link log10}. */
export const log10P = unary({
  name: 'log10',
  scalar: Math.log10,
  kernel: log10K,
  partial: (x) => div(1 / Math.LN10, x),
  taylor: (x) => quotientOde(x, scaled(Math.LN10, x), log10(x[0]!)),
  domain: unaryDomain(real(0.1, 4)),
})

/**
 * Base-10 logarithm, elementwise (exact at powers of 10; NaN below 0, −∞ at 0).
 *
 * Derivative: d log₁₀x = dx / (x·ln 10).
 * @example
 * log10(1000) // => 3
 * @category elementwise
 */
export function log10(x: number): number
export function log10(x: Tensor): Tensor
export function log10(x: Value): Value
export function log10(x: Value): Value {
  return typeof x === 'number' ? Math.log10(x) : bind1(log10P, x, undefined)
}

/** Primitive record of {@link exp2}. */
export const exp2P = unary({
  name: 'exp2',
  scalar: (x) => 2 ** x,
  kernel: exp2K,
  partial: (_x, y) => mul(Math.LN2, y),
  taylor: (x) => solveOde(x, exp2(x[0]!), (y, m) => mul(Math.LN2, y[m]!)),
  domain: unaryDomain(anyReal),
})

/**
 * 2ˣ, elementwise (exact at integers).
 *
 * Derivative: d 2ˣ = ln 2·2ˣ·dx.
 * @example
 * exp2(10) // => 1024
 * @category elementwise
 */
export function exp2(x: number): number
export function exp2(x: Tensor): Tensor
export function exp2(x: Value): Value
export function exp2(x: Value): Value {
  return typeof x === 'number' ? 2 ** x : bind1(exp2P, x, undefined)
}

/** Primitive record of {@link acosh}. */
export const acoshP = unary({
  name: 'acosh',
  scalar: Math.acosh,
  kernel: acoshK,
  // 1/√(x − 1) · 1/√(x + 1), not 1/√(x² − 1): no cancellation near 1, no overflow at 1e200;
  // and a product of reciprocals, whose nested derivatives at 1 are infinities of alternating
  // sign (as the Taylor rule's), where a reciprocal of a product meets ∞ − ∞
  partial: (x) => mul(div(1, sqrt(sub(x, 1))), div(1, sqrt(add(x, 1)))),
  taylor: (x) => {
    const w = productSeries(shifted(x, -1), shifted(x, 1))
    return quotientOde(x, sqrtSeries(w, sqrt(w[0]!)), acosh(x[0]!))
  },
  domain: unaryDomain(real(1.1, 4)),
})

/**
 * Inverse hyperbolic cosine, elementwise, on [1, ∞) (NaN below 1).
 *
 * Derivative: d acosh x = dx / (√(x − 1)·√(x + 1)); +∞ at 1.
 * @example
 * acosh(1) // => 0
 * @category elementwise
 */
export function acosh(x: number): number
export function acosh(x: Tensor): Tensor
export function acosh(x: Value): Value
export function acosh(x: Value): Value {
  return typeof x === 'number' ? Math.acosh(x) : bind1(acoshP, x, undefined)
}

/** Primitive record of {@link asinh}. */
export const asinhP = unary({
  name: 'asinh',
  scalar: Math.asinh,
  kernel: asinhK,
  // hypot(1, x) = √(1 + x²) without overflow: the derivative is ≈ 1/|x| even at 1e200
  partial: (x) => div(1, hypot(1, x)),
  taylor: (x) => {
    const w = productSeries(x, x)
    w[0] = add(1, w[0]!)
    return quotientOde(x, sqrtSeries(w, hypot(1, x[0]!)), asinh(x[0]!))
  },
  domain: unaryDomain(anyReal),
})

/**
 * Inverse hyperbolic sine, elementwise.
 *
 * Derivative: d asinh x = dx / √(1 + x²), computed as dx / hypot(1, x).
 * @example
 * asinh(0) // => 0
 * @category elementwise
 */
export function asinh(x: number): number
export function asinh(x: Tensor): Tensor
export function asinh(x: Value): Value
export function asinh(x: Value): Value {
  return typeof x === 'number' ? Math.asinh(x) : bind1(asinhP, x, undefined)
}

/** Primitive record of {@link atanh}. */
export const atanhP = unary({
  name: 'atanh',
  scalar: Math.atanh,
  kernel: atanhK,
  partial: (x) => div(1, mul(sub(1, x), add(1, x))),
  taylor: (x) => {
    const minus = x.map((xk, k) => (k === 0 ? sub(1, xk) : neg(xk)))
    return quotientOde(x, productSeries(minus, shifted(x, 1)), atanh(x[0]!))
  },
  domain: unaryDomain(real(-0.9, 0.9)),
})

/**
 * Inverse hyperbolic tangent, elementwise, on (−1, 1) (±∞ at ±1, NaN outside).
 *
 * Derivative: d atanh x = dx / ((1 − x)(1 + x)).
 * @example
 * atanh(0) // => 0
 * @category elementwise
 */
export function atanh(x: number): number
export function atanh(x: Tensor): Tensor
export function atanh(x: Value): Value
export function atanh(x: Value): Value {
  return typeof x === 'number' ? Math.atanh(x) : bind1(atanhP, x, undefined)
}

/**
 * Degrees to radians, x·(π/180), elementwise (NumPy's product, so the same numbers).
 *
 * Derivative: linear, d = (π/180)·dx.
 * @example
 * deg2rad(180) // => Math.PI
 * @category elementwise
 */
export function deg2rad(x: number): number
export function deg2rad(x: Tensor): Tensor
export function deg2rad(x: Value): Value
export function deg2rad(x: Value): Value {
  return mul(x, Math.PI / 180)
}

/**
 * Radians to degrees, x·(180/π), elementwise.
 *
 * Derivative: linear, d = (180/π)·dx.
 * @example
 * rad2deg(Math.PI) // => 180
 * @category elementwise
 */
export function rad2deg(x: number): number
export function rad2deg(x: Tensor): Tensor
export function rad2deg(x: Value): Value
export function rad2deg(x: Value): Value {
  return mul(x, 180 / Math.PI)
}
