/**
 * Trigonometric and hyperbolic functions and their inverses, elementwise.
 * Each is one record (scalar, kernel, partial, Taylor rule, domain) and one op; on a number the
 * op is the plain `Math` call, written out so that it inlines into the caller.
 *
 * Laws (every smooth primitive here): fd-agreement, vjp-jvp-adjoint, jvp-linearity.
 * @module
 */

import { bind1 } from '../core/bind.ts'
import type { Val } from '../core/tracer.ts'
import { cosPullbackK, sinPullbackK, tanhPullbackK } from '../tensor/kernels/pullback.ts'
import {
  acosK,
  asinK,
  atanK,
  coshK,
  cosK,
  sinhK,
  sinK,
  tanhK,
  tanK,
} from '../tensor/kernels/unary.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { add, div, mul, neg, sub } from './arithmetic.ts'
import { anyReal, real, unaryDomain } from './domain.ts'
import { sqrt, square } from './elementwise.ts'
import { unary } from './families.ts'
import {
  productSeries,
  quotientOde,
  type Series,
  solveOde,
  sqrtSeries,
  squareAt,
  trigSeries,
} from './taylor.ts'

/** Primitive record of {@link sin}: sine, elementwise. */
export const sinP = unary({
  name: 'sin',
  scalar: Math.sin,
  kernel: sinK,
  partial: (x) => cos(x),
  taylor: (x) => trigSeries(x, sin(x[0]!), cos(x[0]!), false)[0],
  pullback: sinPullbackK,
  domain: unaryDomain(anyReal),
})

/**
 * Sine, elementwise.
 *
 * Derivative: d sin x = cos x·dx.
 * @example
 * sin(0) // => 0
 * @category elementwise
 */
export function sin(x: number): number
export function sin(x: Tensor): Tensor
export function sin(x: number | Tensor): number | Tensor
export function sin(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.sin(x) : bind1(sinP, x, undefined)
}

/** Primitive record of {@link cos}: cosine, elementwise. */
export const cosP = unary({
  name: 'cos',
  scalar: Math.cos,
  kernel: cosK,
  partial: (x) => neg(sin(x)),
  taylor: (x) => trigSeries(x, sin(x[0]!), cos(x[0]!), false)[1],
  pullback: cosPullbackK,
  domain: unaryDomain(anyReal),
})

/**
 * Cosine, elementwise.
 *
 * Derivative: d cos x = −sin x·dx.
 * @example
 * cos(0) // => 1
 * @category elementwise
 */
export function cos(x: number): number
export function cos(x: Tensor): Tensor
export function cos(x: number | Tensor): number | Tensor
export function cos(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.cos(x) : bind1(cosP, x, undefined)
}

/** Primitive record of {@link tan}: tangent, elementwise. */
export const tanP = unary({
  name: 'tan',
  scalar: Math.tan,
  kernel: tanK,
  partial: (_x, y) => add(1, mul(y, y)),
  taylor: (x) =>
    solveOde(x, tan(x[0]!), (y, m) => (m === 0 ? add(1, mul(y[0]!, y[0]!)) : squareAt(y, m))),
  domain: unaryDomain(real(-1.3, 1.3)),
})

/**
 * Tangent, elementwise.
 *
 * Derivative: d tan x = (1 + tan²x)·dx.
 * @example
 * tan(0) // => 0
 * @category elementwise
 */
export function tan(x: number): number
export function tan(x: Tensor): Tensor
export function tan(x: number | Tensor): number | Tensor
export function tan(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.tan(x) : bind1(tanP, x, undefined)
}

/** Primitive record of {@link asin}: arcsine, elementwise. */
export const asinP = unary({
  name: 'asin',
  scalar: Math.asin,
  kernel: asinK,
  partial: (x) => div(1, sqrt(oneMinusSquare(x))),
  taylor: (x) => asinSeries(x),
  domain: unaryDomain(real(-0.9, 0.9)),
})

/**
 * Arcsine, elementwise, on [−1, 1].
 *
 * Derivative: d asin x = dx / √((1 − x)(1 + x)), the factored form keeping full accuracy near ±1.
 * @example
 * asin(0) // => 0
 * @category elementwise
 */
export function asin(x: number): number
export function asin(x: Tensor): Tensor
export function asin(x: number | Tensor): number | Tensor
export function asin(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.asin(x) : bind1(asinP, x, undefined)
}

/** Primitive record of {@link acos}: arccosine, elementwise. */
export const acosP = unary({
  name: 'acos',
  scalar: Math.acos,
  kernel: acosK,
  partial: (x) => neg(div(1, sqrt(oneMinusSquare(x)))),
  taylor: (x) => asinSeries(x).map((c, k) => (k === 0 ? acos(x[0]!) : neg(c))),
  domain: unaryDomain(real(-0.9, 0.9)),
})

/**
 * Arccosine, elementwise, on [−1, 1].
 *
 * Derivative: d acos x = −dx / √((1 − x)(1 + x)), the factored form keeping full accuracy near ±1.
 * @example
 * acos(1) // => 0
 * @category elementwise
 */
export function acos(x: number): number
export function acos(x: Tensor): Tensor
export function acos(x: number | Tensor): number | Tensor
export function acos(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.acos(x) : bind1(acosP, x, undefined)
}

/** Primitive record of {@link atan}: arctangent, elementwise. */
export const atanP = unary({
  name: 'atan',
  scalar: Math.atan,
  kernel: atanK,
  partial: (x) => div(1, add(1, mul(x, x))),
  taylor: (x) => {
    const u = productSeries(x, x)
    u[0] = add(1, u[0]!)
    return quotientOde(x, u, atan(x[0]!))
  },
  domain: unaryDomain(anyReal),
})

/**
 * Arctangent, elementwise.
 *
 * Derivative: d atan x = dx / (1 + x²).
 * @example
 * atan(0) // => 0
 * @category elementwise
 */
export function atan(x: number): number
export function atan(x: Tensor): Tensor
export function atan(x: number | Tensor): number | Tensor
export function atan(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.atan(x) : bind1(atanP, x, undefined)
}

/** Primitive record of {@link sinh}: hyperbolic sine, elementwise. */
export const sinhP = unary({
  name: 'sinh',
  scalar: Math.sinh,
  kernel: sinhK,
  partial: (x) => cosh(x),
  taylor: (x) => trigSeries(x, sinh(x[0]!), cosh(x[0]!), true)[0],
  domain: unaryDomain(anyReal),
})

/**
 * Hyperbolic sine, elementwise.
 *
 * Derivative: d sinh x = cosh x·dx.
 * @example
 * sinh(0) // => 0
 * @category elementwise
 */
export function sinh(x: number): number
export function sinh(x: Tensor): Tensor
export function sinh(x: number | Tensor): number | Tensor
export function sinh(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.sinh(x) : bind1(sinhP, x, undefined)
}

/** Primitive record of {@link cosh}: hyperbolic cosine, elementwise. */
export const coshP = unary({
  name: 'cosh',
  scalar: Math.cosh,
  kernel: coshK,
  partial: (x) => sinh(x),
  taylor: (x) => trigSeries(x, sinh(x[0]!), cosh(x[0]!), true)[1],
  domain: unaryDomain(anyReal),
})

/**
 * Hyperbolic cosine, elementwise.
 *
 * Derivative: d cosh x = sinh x·dx.
 * @example
 * cosh(0) // => 1
 * @category elementwise
 */
export function cosh(x: number): number
export function cosh(x: Tensor): Tensor
export function cosh(x: number | Tensor): number | Tensor
export function cosh(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.cosh(x) : bind1(coshP, x, undefined)
}

/** Primitive record of {@link tanh}: hyperbolic tangent, elementwise. */
export const tanhP = unary({
  name: 'tanh',
  scalar: Math.tanh,
  kernel: tanhK,
  partial: (x) => tanhPartial(x),
  taylor: (x) =>
    solveOde(x, tanh(x[0]!), (y, m) => (m === 0 ? tanhPartial(x[0]!) : neg(squareAt(y, m)))),
  pullback: tanhPullbackK,
  domain: unaryDomain(anyReal),
})

/**
 * Hyperbolic tangent, elementwise.
 *
 * Derivative: d tanh x = sech²x·dx = (1 − tanh²x)·dx, computed as (1/cosh x)² so that it keeps
 * full relative accuracy for large |x| (1 − tanh²x cancels: tanh′(20) ≈ 1.7e−17, not 0).
 * @example
 * tanh(0) // => 0
 * @category elementwise
 */
export function tanh(x: number): number
export function tanh(x: Tensor): Tensor
export function tanh(x: number | Tensor): number | Tensor
export function tanh(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.tanh(x) : bind1(tanhP, x, undefined)
}

/**
 * tanh′ = sech²x as (1/cosh x)²: 1 − tanh²x cancels once tanh x rounds near ±1, and 1/cosh x
 * underflows gradually where cosh x overflows, so no intermediate loses the tail.
 */
function tanhPartial(x: Val): Val {
  return square(div(1, cosh(x)))
}

/**
 * 1 − x² as (1 − x)(1 + x): near ±1 the factor 1 ∓ x is exact (Sterbenz), where 1 − x·x
 * would subtract the rounded square and keep only its error.
 */
function oneMinusSquare(x: Val): Val {
  return mul(sub(1, x), add(1, x))
}

/** The Taylor series of asin x: √(1 − x²)·y′ = x′. */
function asinSeries(x: Series): Val[] {
  const w = productSeries(x, x).map((c, k) => (k === 0 ? oneMinusSquare(x[0]!) : neg(c)))
  return quotientOde(x, sqrtSeries(w, sqrt(w[0]!)), asin(x[0]!))
}
