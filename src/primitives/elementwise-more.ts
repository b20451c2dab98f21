/**
 * More elementwise functions of one argument: `cbrt`, `logit` (and `expit`, the logistic
 * sigmoid under SciPy's name) and NumPy's normalized `sinc`, each a primitive with its own
 * kernel (tensor/kernels/extra-scalar.ts). sinc's derivatives form a family of primitives
 * (`sincDerivative`, order k as its param), each with a Maclaurin series near 0, so every
 * order is exact through 0, where the quotient sin(πx)/(πx) would cancel.
 *
 * Laws (every primitive here): fd-agreement, vjp-jvp-adjoint, jvp-linearity, and
 * taylor-nested-agreement for those without params.
 * @module
 */
import { bind1 } from '../core/bind.ts'
import type { Val } from '../core/tracer.ts'
import { cbrtK, logitK, sincK } from '../tensor/kernels/extra.ts'
import {
  logit as logitScalar,
  sincDerivative as sincScalar,
} from '../tensor/kernels/extra-scalar.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { add, div, mul, neg, safeMul, sub } from './arithmetic.ts'
import { anyReal, real, specialReals, unaryDomain } from './domain.ts'
import { logistic } from './elementwise.ts'
import { familySeries, paramUnary } from './elementwise-params.ts'
import { unary } from './families.ts'
import { productSeries, quotientOde, type Series } from './taylor.ts'

type Value = number | Tensor

/** Primitive record of {@link cbrt}. */
export const cbrtP = unary({
  name: 'cbrt',
  scalar: Math.cbrt,
  kernel: cbrtK,
  partial: (_x, y) => div(1, mul(3, mul(y, y))),
  taylor: (x) => cbrtSeries(x),
  domain: unaryDomain(real(-3, 3, [0])),
})

/**
 * Cube root, elementwise, real for every x (∛−8 = −2).
 *
 * Derivative: d ∛x = dx / (3·∛x²); +∞ at 0, like √x's.
 * @example
 * cbrt(-8) // => -2
 * @category elementwise
 */
export function cbrt(x: number): number
export function cbrt(x: Tensor): Tensor
export function cbrt(x: Value): Value
export function cbrt(x: Value): Value {
  return typeof x === 'number' ? Math.cbrt(x) : bind1(cbrtP, x, undefined)
}

/** Primitive record of {@link logit}. */
export const logitP = unary({
  name: 'logit',
  scalar: logitScalar,
  kernel: logitK,
  partial: (x) => div(1, mul(x, sub(1, x))),
  taylor: (x) => {
    const minus = x.map((xk, k) => (k === 0 ? sub(1, xk) : neg(xk)))
    return quotientOde(x, productSeries(x, minus), logit(x[0]!))
  },
  domain: unaryDomain(real(0.05, 0.95)),
})

/**
 * The logit log(p / (1 − p)), inverse of the logistic sigmoid, elementwise on [0, 1] (∓∞ at
 * 0 and 1, NaN outside); relative precision near ½ too.
 *
 * Derivative: d logit p = dp / (p(1 − p)).
 * @example
 * logit(0.5) // => 0
 * @category elementwise
 */
export function logit(x: number): number
export function logit(x: Tensor): Tensor
export function logit(x: Value): Value
export function logit(x: Value): Value {
  return typeof x === 'number' ? logitScalar(x) : bind1(logitP, x, undefined)
}

/**
 * The logistic sigmoid 1 / (1 + e⁻ˣ) under SciPy's name (`scipy.special.expit`): the same op
 * as {@link logistic}.
 *
 * Derivative: d expit x = expit x·(1 − expit x)·dx.
 * @example
 * expit(0) // => 0.5
 * @category elementwise
 */
export function expit(x: number): number
export function expit(x: Tensor): Tensor
export function expit(x: Value): Value
export function expit(x: Value): Value {
  return logistic(x)
}

/** Params of the sinc derivative family: the order k of the derivative. */
export interface SincParams {
  readonly k: number
}

/** k-th derivative of sinc (k ≥ 1): the family sinc's derivatives are built from. */
const sincDerivative = (k: number, x: Val): Val =>
  k === 0 ? sinc(x) : bind1(sincDerivativeP, x, { k })

/**
 * Primitive record of sinc⁽ᵏ⁾, the derivatives of {@link sinc} (k ≥ 1): its own kernel, so
 * every order is exact at 0 and near it, where a quotient's derivatives cancel.
 */
export const sincDerivativeP = paramUnary<SincParams>({
  name: 'sincDerivative',
  scalar: (x, { k }) => sincScalar(k, x),
  kernel: (x, { k }) => sincK(x, k),
  partial: (x, _y, { k }) => sincDerivative(k + 1, x),
  taylor: (x, { k }) => familySeries(sincDerivative, k, x),
  domain: {
    sample: (draw) => ({ ...unaryDomain(anyReal).sample(draw), params: { k: draw.integer(1, 3) } }),
    special: () => [1, 2].flatMap((k) => specialReals.map((x) => ({ args: [x], params: { k } }))),
  },
})

/** Primitive record of {@link sinc}. */
export const sincP = unary({
  name: 'sinc',
  scalar: (x) => sincScalar(0, x),
  kernel: (x) => sincK(x, 0),
  partial: (x) => sincDerivative(1, x),
  taylor: (x) => familySeries(sincDerivative, 0, x),
  domain: unaryDomain(anyReal),
})

/**
 * The normalized sinc sin(πx)/(πx), elementwise, as NumPy's: 1 at 0, exactly 0 at the other
 * integers, 0 at ±∞ (the limit).
 *
 * Derivative: d sinc x = (cos(πx) − sinc x)/x·dx, 0 at 0. Every derivative is its own kernel
 * (a Maclaurin series near 0), so all orders are smooth through 0: sinc″(0) = −π²/3.
 * @example
 * sinc(0) // => 1
 * sinc(1) // => 0
 * @category elementwise
 */
export function sinc(x: number): number
export function sinc(x: Tensor): Tensor
export function sinc(x: Value): Value
export function sinc(x: Value): Value {
  return typeof x === 'number' ? sincScalar(0, x) : bind1(sincP, x, undefined)
}

/**
 * The series of ∛x from y³ = x: 3y₀²·y_k = x_k − y₀·Σⱼ yⱼy_{k−j} − Σⱼ yⱼ·s_{k−j} (j = 1 … k − 1,
 * s = y²), each step a tangent times cbrt's partial 1/(3y₀²).
 */
function cbrtSeries(x: Series): Val[] {
  const y0 = cbrt(x[0]!)
  const r = div(1, mul(3, mul(y0, y0)))
  const y: Val[] = [y0]
  const s: Val[] = [mul(y0, y0)]
  for (let k = 1; k < x.length; k++) {
    let inner: Val = 0
    for (let j = 1; j < k; j++) inner = add(inner, safeMul(y[j]!, y[k - j]!))
    let acc: Val = sub(x[k]!, safeMul(y0, inner))
    for (let j = 1; j < k; j++) acc = sub(acc, safeMul(y[j]!, s[k - j]!))
    const yk = safeMul(acc, r)
    y.push(yk)
    s.push(add(mul(2, safeMul(y0, yk)), inner))
  }
  return y
}
