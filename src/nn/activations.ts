/**
 * Activations: the nonlinearities between layers, each an ordinary composition of fluxion ops,
 * so every one is differentiable to any order and in both modes.
 *
 * Kinks follow DESIGN §3: at a kink the derivative is the left one (`relu'(0) = 0`,
 * `leakyRelu'(0) = slope`). Saturating functions are computed stably: `sigmoid`, `logSigmoid`,
 * `softplus`, `softmax` and `logSoftmax` are finite with finite, correct derivatives at ±1000.
 *
 * Laws: fd-agreement away from kinks, and forward mode equals reverse mode everywhere
 * (test/nn/activations.test.ts).
 * @module
 */
import { add, div, mul, neg, sub } from '../primitives/arithmetic.ts'
import { greater, lessEqual, stopGradient, where } from '../primitives/comparison.ts'
import {
  erf,
  exp,
  expm1,
  log,
  logistic,
  softplus as softplusOp,
} from '../primitives/elementwise.ts'
import { max, sum } from '../primitives/reduction.ts'
import { tanh as tanhOp } from '../primitives/trigonometric.ts'
import type { Tensor } from '../tensor/tensor.ts'

type Value = number | Tensor

/**
 * Rectified linear unit max(x, 0), elementwise.
 *
 * Derivative: 1 for x > 0, 0 for x ≤ 0 — so relu'(0) = 0 (DESIGN §3). It is built with `where`
 * rather than `maximum(x, 0)`, whose tie rule would give ½ at 0.
 * @example
 * relu(tensor([-2, 0, 3])).toArray() // => [0, 0, 3]
 * grad(relu)(0) // => 0
 * @category activations
 */
export function relu(x: number): number
export function relu(x: Tensor): Tensor
export function relu(x: Value): Value
export function relu(x: Value): Value {
  // the test is x ≤ 0 rather than x > 0 so that NaN, for which both are false, stays NaN
  return where(lessEqual(x, 0), 0, x)
}

/**
 * Leaky ReLU: x for x > 0, slope·x otherwise (default slope 0.01), elementwise.
 *
 * Derivative: 1 for x > 0, `slope` for x ≤ 0 (the left derivative at the kink).
 * @example
 * leakyRelu(-2, 0.1) // => -0.2
 * @category activations
 */
export function leakyRelu(x: number, slope?: number): number
export function leakyRelu(x: Tensor, slope?: number): Tensor
export function leakyRelu(x: Value, slope?: number): Value
export function leakyRelu(x: Value, slope = 0.01): Value {
  return where(greater(x, 0), x, mul(slope, x))
}

/**
 * Exponential linear unit: x for x > 0, α·(eˣ − 1) otherwise (default α = 1), elementwise.
 *
 * Derivative: 1 for x > 0, α·eˣ for x ≤ 0 (α at 0, so for α = 1 it is smooth there). The
 * unselected branch's overflow at large x never reaches the value or the gradient (`where`
 * keeps it out).
 * @example
 * elu(0) // => 0
 * elu(-1000) // => -1
 * @category activations
 */
export function elu(x: number, alpha?: number): number
export function elu(x: Tensor, alpha?: number): Tensor
export function elu(x: Value, alpha?: number): Value
export function elu(x: Value, alpha = 1): Value {
  return where(greater(x, 0), x, mul(alpha, expm1(x)))
}

/** Options of `gelu`. */
export interface GeluOptions {
  /** Use the tanh approximation of Hendrycks & Gimpel instead of the exact erf form. */
  readonly approximate?: boolean
}

const SQRT_HALF = Math.SQRT1_2
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI)

/**
 * Gaussian error linear unit x·Φ(x) = ½x·(1 + erf(x/√2)), elementwise; with
 * `{ approximate: true }`, ½x·(1 + tanh(√(2/π)·(x + 0.044715x³))).
 *
 * Derivative (exact form): Φ(x) + x·φ(x), with φ the standard normal density.
 * @example
 * gelu(0) // => 0
 * gelu(1) // ≈ 0.8413447460685429
 * @category activations
 */
export function gelu(x: number, options?: GeluOptions): number
export function gelu(x: Tensor, options?: GeluOptions): Tensor
export function gelu(x: Value, options?: GeluOptions): Value
export function gelu(x: Value, options?: GeluOptions): Value {
  const inner =
    options?.approximate === true
      ? tanhOp(mul(SQRT_2_OVER_PI, add(x, mul(0.044715, mul(x, mul(x, x))))))
      : erf(mul(SQRT_HALF, x))
  return mul(mul(0.5, x), add(1, inner))
}

/**
 * Sigmoid linear unit (swish) x·σ(x), elementwise.
 *
 * Derivative: σ(x)·(1 + x·(1 − σ(x))).
 * @example
 * silu(0) // => 0
 * @category activations
 */
export function silu(x: number): number
export function silu(x: Tensor): Tensor
export function silu(x: Value): Value
export function silu(x: Value): Value {
  return mul(x, logistic(x))
}

/**
 * Logistic sigmoid σ(x) = 1 / (1 + e⁻ˣ), elementwise and stable: the core `logistic`.
 *
 * Derivative: σ(x)·(1 − σ(x)), finite and correct at ±1000.
 * @example
 * sigmoid(0) // => 0.5
 * @category activations
 */
export const sigmoid: typeof logistic = logistic

/**
 * log σ(x) = −softplus(−x), elementwise: finite where σ(x) underflows (−1000 gives −1000).
 *
 * Derivative: 1 − σ(x) = σ(−x).
 * @example
 * logSigmoid(-1000) // => -1000
 * @category activations
 */
export function logSigmoid(x: number): number
export function logSigmoid(x: Tensor): Tensor
export function logSigmoid(x: Value): Value
export function logSigmoid(x: Value): Value {
  return neg(softplusOp(neg(x)))
}

/**
 * Hyperbolic tangent, elementwise: the core `tanh`.
 *
 * Derivative: 1 − tanh²(x).
 * @example
 * tanh(0) // => 0
 * @category activations
 */
export const tanh: typeof tanhOp = tanhOp

/**
 * Softplus ln(1 + eˣ), elementwise and stable (≈ x for large x): the core `softplus`.
 *
 * Derivative: σ(x).
 * @example
 * softplus(1000) // => 1000
 * @category activations
 */
export const softplus: typeof softplusOp = softplusOp

/**
 * The maximum along `axis`, kept as a size-1 axis, as a `stopGradient` constant; zeros for an
 * empty tensor, whose empty axis has no maximum (its softmax is empty, as JAX's).
 */
const maxAlong = (x: Tensor, axis: number): Tensor =>
  stopGradient(x.size === 0 ? sum(x, axis, { keepdims: true }) : max(x, axis, { keepdims: true }))

/**
 * Softmax along `axis` (default the last): exp(xᵢ − m) / Σⱼ exp(xⱼ − m), with m the maximum
 * along the axis. Subtracting m keeps every exponent ≤ 0, so ±1000 cannot overflow; m is a
 * `stopGradient` constant, which is exact because softmax is invariant to shifts.
 *
 * Derivative: ∂sᵢ/∂xⱼ = sᵢ·(δᵢⱼ − sⱼ). Throws `InvalidArgumentError` for an axis out of range.
 * @example
 * softmax(tensor([0, 0])).toArray() // => [0.5, 0.5]
 * @category activations
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  const shifted = exp(sub(x, maxAlong(x, axis)))
  return div(shifted, sum(shifted, axis, { keepdims: true }))
}

/**
 * log softmax along `axis` (default the last): (x − m) − log Σⱼ exp(xⱼ − m), with m the maximum
 * along the axis as a `stopGradient` constant (as `softmax`). Shifting before the log keeps the
 * result exact for large logits: x − logSumExp(x) would lose log Σ in the rounding of m + log Σ
 * (logits of 10¹⁷ gave 0 for −ln 2).
 *
 * Derivative: ∂yᵢ/∂xⱼ = δᵢⱼ − softmax(x)ⱼ. Throws `InvalidArgumentError` for an axis out of
 * range.
 * @example
 * logSoftmax(tensor([0, 0])).toArray() // ≈ [-Math.LN2, -Math.LN2]
 * @category activations
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const shifted = sub(x, maxAlong(x, axis))
  return sub(shifted, log(sum(exp(shifted), axis, { keepdims: true })))
}
