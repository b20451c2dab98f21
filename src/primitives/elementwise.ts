/**
 * Elementwise functions of one argument: exponentials and logarithms, `sqrt square abs sign`,
 * and the stable `logistic`, `softplus` and `erf`.
 * Each is one record (scalar, kernel, partial, Taylor rule, domain) and one op; on a number the
 * op is the plain `Math` call, written out so that it inlines into the caller.
 *
 * Laws (every smooth primitive here): fd-agreement, vjp-jvp-adjoint, jvp-linearity.
 * @module
 */

import { bind1 } from '../core/bind.ts'
import type { Val } from '../core/tracer.ts'
import {
  expPullbackK,
  logisticPullbackK,
  logPullbackK,
  sqrtPullbackK,
  squarePullbackK,
} from '../tensor/kernels/pullback.ts'
import {
  erf as erfScalar,
  logistic as logisticScalar,
  sign as signScalar,
  softplus as softplusScalar,
} from '../tensor/kernels/scalar.ts'
import {
  absK,
  erfK,
  expK,
  expm1K,
  log1pK,
  logisticK,
  logK,
  signK,
  softplusK,
  sqrtK,
  squareK,
} from '../tensor/kernels/unary.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { add, div, mul, neg, safeMul, sub } from './arithmetic.ts'
import { anyReal, real, unaryDomain } from './domain.ts'
import { unary } from './families.ts'
import {
  cauchy,
  odeStepWeighted,
  productSeries,
  quotientOde,
  type Series,
  solveOde,
  sqrtSeries,
  weighted,
} from './taylor.ts'

/** Primitive record of {@link exp}: eˣ, elementwise. */
export const expP = unary({
  name: 'exp',
  scalar: Math.exp,
  kernel: expK,
  partial: (_x, y) => y,
  taylor: (x) => solveOde(x, exp(x[0]!), (y, m) => y[m]!),
  pullback: expPullbackK,
  domain: unaryDomain(anyReal),
})

/**
 * Exponential eˣ, elementwise.
 *
 * Derivative: d eˣ = eˣ·dx (the rule reuses the output, itself a traced value, so every order is exact).
 * @example
 * exp(0) // => 1
 * @category elementwise
 */
export function exp(x: number): number
export function exp(x: Tensor): Tensor
export function exp(x: number | Tensor): number | Tensor
export function exp(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.exp(x) : bind1(expP, x, undefined)
}

/** Primitive record of {@link log}: natural logarithm, elementwise. */
export const logP = unary({
  name: 'log',
  scalar: Math.log,
  kernel: logK,
  partial: (x) => div(1, x),
  taylor: (x) => quotientOde(x, x, log(x[0]!)),
  pullback: logPullbackK,
  domain: unaryDomain(real(0.1, 4)),
})

/**
 * Natural logarithm, elementwise (NaN below 0, −∞ at 0).
 *
 * Derivative: d ln x = dx / x.
 * @example
 * log(1) // => 0
 * @category elementwise
 */
export function log(x: number): number
export function log(x: Tensor): Tensor
export function log(x: number | Tensor): number | Tensor
export function log(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.log(x) : bind1(logP, x, undefined)
}

/** Primitive record of {@link log1p}: ln(1 + x), elementwise. */
export const log1pP = unary({
  name: 'log1p',
  scalar: Math.log1p,
  kernel: log1pK,
  partial: (x) => div(1, add(1, x)),
  taylor: (x) => quotientOde(x, [add(1, x[0]!), ...x.slice(1)], log1p(x[0]!)),
  domain: unaryDomain(real(-0.5, 3)),
})

/**
 * ln(1 + x), accurate near 0.
 *
 * Derivative: d ln(1 + x) = dx / (1 + x).
 * @example
 * log1p(0) // => 0
 * @category elementwise
 */
export function log1p(x: number): number
export function log1p(x: Tensor): Tensor
export function log1p(x: number | Tensor): number | Tensor
export function log1p(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.log1p(x) : bind1(log1pP, x, undefined)
}

/** Primitive record of {@link expm1}: eˣ − 1, elementwise. */
export const expm1P = unary({
  name: 'expm1',
  scalar: Math.expm1,
  kernel: expm1K,
  partial: (_x, y) => add(y, 1),
  taylor: (x) => solveOde(x, expm1(x[0]!), (y, m) => (m === 0 ? add(y[0]!, 1) : y[m]!)),
  domain: unaryDomain(anyReal),
})

/**
 * eˣ − 1, accurate near 0.
 *
 * Derivative: d(eˣ − 1) = eˣ·dx.
 * @example
 * expm1(0) // => 0
 * @category elementwise
 */
export function expm1(x: number): number
export function expm1(x: Tensor): Tensor
export function expm1(x: number | Tensor): number | Tensor
export function expm1(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.expm1(x) : bind1(expm1P, x, undefined)
}

/** Primitive record of {@link sqrt}: square root, elementwise. */
export const sqrtP = unary({
  name: 'sqrt',
  scalar: Math.sqrt,
  kernel: sqrtK,
  partial: (_x, y) => div(0.5, y),
  taylor: (x) => sqrtSeries(x, sqrt(x[0]!)),
  pullback: sqrtPullbackK,
  domain: unaryDomain(real(0.1, 4)),
})

/**
 * Square root, elementwise (NaN below 0).
 *
 * Derivative: d √x = dx / (2√x); the derivative at 0 is +∞.
 * @example
 * sqrt(9) // => 3
 * @category elementwise
 */
export function sqrt(x: number): number
export function sqrt(x: Tensor): Tensor
export function sqrt(x: number | Tensor): number | Tensor
export function sqrt(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.sqrt(x) : bind1(sqrtP, x, undefined)
}

/** Primitive record of {@link square}: x², elementwise. */
export const squareP = unary({
  name: 'square',
  scalar: (x) => x * x,
  kernel: squareK,
  partial: (x) => mul(2, x),
  taylor: (x) => productSeries(x, x),
  pullback: squarePullbackK,
  domain: unaryDomain(anyReal),
})

/**
 * Square x², elementwise.
 *
 * Derivative: d x² = 2x·dx.
 * @example
 * square(3) // => 9
 * @category elementwise
 */
export function square(x: number): number
export function square(x: Tensor): Tensor
export function square(x: number | Tensor): number | Tensor
export function square(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? x * x : bind1(squareP, x, undefined)
}

/** Primitive record of {@link abs}: |x|, elementwise. */
export const absP = unary({
  name: 'abs',
  scalar: Math.abs,
  kernel: absK,
  partial: (x) => sign(x),
  taylor: (x) => {
    const s = sign(x[0]!)
    return x.map((xk, k) => (k === 0 ? abs(xk) : safeMul(xk, s)))
  },
  domain: unaryDomain(real(-3, 3, [0])),
})

/**
 * Absolute value, elementwise.
 *
 * Derivative: d |x| = sign(x)·dx; by convention abs′(0) = 0.
 * @example
 * abs(-2) // => 2
 * @category elementwise
 */
export function abs(x: number): number
export function abs(x: Tensor): Tensor
export function abs(x: number | Tensor): number | Tensor
export function abs(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? Math.abs(x) : bind1(absP, x, undefined)
}

/** Primitive record of {@link sign}: −1, 0 or 1, elementwise, with zero derivative. */
export const signP = unary({
  name: 'sign',
  scalar: signScalar,
  kernel: signK,
  domain: unaryDomain(real(-3, 3, [0])),
})

/**
 * Sign of x: −1, 0 or 1 (NaN for NaN), elementwise.
 *
 * Derivative: zero everywhere (sign′ = 0 by convention, also at 0).
 * @example
 * sign(-3) // => -1
 * @category elementwise
 */
export function sign(x: number): number
export function sign(x: Tensor): Tensor
export function sign(x: number | Tensor): number | Tensor
export function sign(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? signScalar(x) : bind1(signP, x, undefined)
}

/** Primitive record of {@link logistic}: 1 / (1 + e⁻ˣ), elementwise. */
export const logisticP = unary({
  name: 'logistic',
  scalar: logisticScalar,
  kernel: logisticK,
  partial: (x, y) => logisticPartial(x, y),
  taylor: (x) => logisticSeries(x),
  pullback: logisticPullbackK,
  domain: unaryDomain(real(-6, 6)),
})

/**
 * Logistic sigmoid 1 / (1 + e⁻ˣ), elementwise, computed stably (finite for every x).
 *
 * Derivative: d σ(x) = σ(x)·σ(−x)·dx, the same as σ(x)·(1 − σ(x)) but accurate to a few ulps
 * on both sides (1 − σ(x) would cancel for large x: σ′(40) ≈ 4.2e−18, not 0), and at ±1000.
 * @example
 * logistic(0) // => 0.5
 * @category elementwise
 */
export function logistic(x: number): number
export function logistic(x: Tensor): Tensor
export function logistic(x: number | Tensor): number | Tensor
export function logistic(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? logisticScalar(x) : bind1(logisticP, x, undefined)
}

/** Primitive record of {@link softplus}: ln(1 + eˣ), elementwise. */
export const softplusP = unary({
  name: 'softplus',
  scalar: softplusScalar,
  kernel: softplusK,
  partial: (x) => logistic(x),
  taylor: (x) => {
    const s = logisticSeries(x)
    const jx = weighted(x)
    return x.map((_, k) => (k === 0 ? softplus(x[0]!) : odeStepWeighted(jx, s, k)))
  },
  domain: unaryDomain(real(-6, 6)),
})

/**
 * Softplus ln(1 + eˣ), elementwise, computed stably (≈ x for large x, ≈ eˣ for very negative x).
 *
 * Derivative: d softplus x = σ(x)·dx: finite and correct at ±1000, and smooth to every order
 * (the second, σ(x)·σ(−x), keeps full relative accuracy for large x).
 * @example
 * softplus(0) // ≈ Math.LN2
 * @category elementwise
 */
export function softplus(x: number): number
export function softplus(x: Tensor): Tensor
export function softplus(x: number | Tensor): number | Tensor
export function softplus(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? softplusScalar(x) : bind1(softplusP, x, undefined)
}

/** Primitive record of {@link erf}: the error function, elementwise. */
export const erfP = unary({
  name: 'erf',
  scalar: erfScalar,
  kernel: erfK,
  partial: (x) => mul(2 / Math.sqrt(Math.PI), exp(neg(mul(x, x)))),
  taylor: (x) => {
    // erf′ = (2/√π)·e^(−x²): the series of e^(−x²), then one integration step per order
    const u = productSeries(x, x).map((c) => neg(c))
    const g = solveOde(u, exp(u[0]!), (y, m) => y[m]!).map((c) => mul(2 / Math.sqrt(Math.PI), c))
    const jx = weighted(x)
    return x.map((_, k) => (k === 0 ? erf(x[0]!) : odeStepWeighted(jx, g, k)))
  },
  domain: unaryDomain(real(-2.5, 2.5)),
})

/**
 * Error function erf x = (2/√π)∫₀ˣ e^(−t²) dt, elementwise, within 1 ulp of the exact value
 * (tested against 200-bit references).
 *
 * Derivative: d erf x = (2/√π)·e^(−x²)·dx.
 * @example
 * erf(0) // => 0
 * @category elementwise
 */
export function erf(x: number): number
export function erf(x: Tensor): Tensor
export function erf(x: number | Tensor): number | Tensor
export function erf(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? erfScalar(x) : bind1(erfP, x, undefined)
}

/**
 * σ′(x) = σ(x)·σ(−x): equal to y·(1 − y), but 1 − y loses every digit once y rounds near 1
 * (x ≳ 20), while σ(−x) is computed directly and stays accurate.
 */
function logisticPartial(x: Val, y: Val): Val {
  return mul(y, logistic(neg(x)))
}

/**
 * The Taylor series of σ(x): σ′ = σ − σ², whose coefficient 0 is taken from the accurate
 * σ(x)·σ(−x); the higher coefficients y_m·(1 − 2y₀) − … do not cancel.
 */
function logisticSeries(x: Series): Val[] {
  const y0 = logistic(x[0]!)
  return solveOde(x, y0, (y, m) =>
    m === 0 ? logisticPartial(x[0]!, y0) : sub(y[m]!, cauchy(y, y, m)),
  )
}
