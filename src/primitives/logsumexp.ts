/**
 * `logSumExp`, as `jax.scipy.special.logsumexp`: log Σ exp(x) over axes, computed stably,
 * optionally with weights `b` (log Σ b·exp(x)) and the sign of the sum returned apart
 * (`returnSign`), so a signed sum of exponentials keeps its logarithm finite.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint (through its ops: max, sum, exp, log).
 * @module
 */
import { shapeOf, type Val } from '../core/tracer.ts'
import { broadcastShapes, normalizeAxes } from '../tensor/shape.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { add, mul, sub } from './arithmetic.ts'
import { equal, less, notEqual, stopGradient, where } from './comparison.ts'
import { abs, exp, log, sign } from './elementwise.ts'
import { reducedShape } from './families.ts'
import { type Axis, maxP, type ReduceOptions, reduceWith, sum } from './reduction.ts'
import { broadcastTo, reshape } from './structural.ts'

type Value = number | Tensor

/** Options of {@link logSumExp}: `keepdims`, and JAX's `b` and `return_sign`. */
export interface LogSumExpOptions extends ReduceOptions {
  /**
   * Weights, broadcast against `x`: the result is log Σ b·exp(x). Entries with b = 0 are left
   * out entirely (an infinite x there does not count).
   */
  readonly b?: number | Tensor
  /** Return `[log |Σ b·eˣ|, sign(Σ b·eˣ)]` instead of NaN where the sum is negative. */
  readonly returnSign?: boolean
}

/**
 * log Σ exp(x) over `axis` (all axes by default), computed stably: the maximum is subtracted
 * first (as a constant), so ±1000 give finite, correct values and gradients. With weights
 * `b` (broadcast against x) it is log Σ b·exp(x), NaN where that sum is negative — unless
 * `returnSign` is set, which returns `[log |Σ b·eˣ|, sign(Σ b·eˣ)]` (the sign −1, 0 or 1, a
 * constant), as `jax.scipy.special.logsumexp(a, axis, b, keepdims, return_sign)`.
 *
 * Derivative: the softmax of `x` along the reduced axes (weighted: b·eˣ/Σ b·eˣ, and in b:
 * eˣ/Σ b·eˣ). Unweighted, where the maximum is infinite, its limit: uniform over the entries
 * equal to it (`grad(logSumExp)(tensor([Infinity, 0]))` is [1, 0]); NaN entries give NaN.
 * Weighted, at an infinite maximum the value is right and the gradient NaN, as in JAX.
 * @example
 * logSumExp(tensor([0, 0])).item() // ≈ Math.LN2
 * const [v, s] = logSumExp(tensor([0, 0]), null, { b: tensor([1, -2]), returnSign: true })
 * s.item() // => -1
 * @category reduction
 */
export function logSumExp(
  x: number,
  axis?: Axis,
  options?: LogSumExpOptions & { readonly returnSign?: false },
): number
export function logSumExp(
  x: Tensor,
  axis?: Axis,
  options?: LogSumExpOptions & { readonly returnSign?: false },
): Tensor
export function logSumExp(
  x: Value,
  axis?: Axis,
  options?: LogSumExpOptions & { readonly returnSign?: false },
): Value
export function logSumExp(
  x: number,
  axis: Axis | undefined,
  options: LogSumExpOptions & { readonly returnSign: true },
): [number, number]
export function logSumExp(
  x: Tensor,
  axis: Axis | undefined,
  options: LogSumExpOptions & { readonly returnSign: true },
): [Tensor, Tensor]
export function logSumExp(
  x: Value,
  axis: Axis | undefined,
  options: LogSumExpOptions & { readonly returnSign: true },
): [Value, Value]
export function logSumExp(x: Value, axis?: Axis, options?: LogSumExpOptions): Value | [Value, Value]
export function logSumExp(
  x: Value,
  axis?: Axis,
  options?: LogSumExpOptions,
): Value | [Value, Value] {
  const b = options?.b
  const weighted = b !== undefined
  const xs = weighted ? broadcastTo(x, broadcastShapes(shapeOf(x), shapeOf(b), 'logSumExp')) : x
  const s = shapeOf(xs)
  const axes = normalizeAxes(axis, s.length, 'logSumExp')
  const [y, sgn] = weighted ? weightedKept(x, b, axis) : unweightedKept(x, axis)
  const finish = (v: Val): Value => {
    if (options?.keepdims === true) return v as Value
    const out = reshape(v, reducedShape(s, axes))
    return typeof x === 'number' && (b === undefined || typeof b === 'number') ? out.item() : out
  }
  if (options?.returnSign === true) return [finish(y), finish(sgn)]
  // a negative weighted sum has no real logarithm
  return finish(weighted ? where(less(sgn, 0), Number.NaN, y) : y)
}

/** log Σ eˣ with the reduced axes kept, and the sign of the sum (1, or 0 if all are −∞). */
function unweightedKept(x: Value, axis: Axis | undefined): [Val, Val] {
  // an empty axis gives m = −∞ and the sum 0, so log 0 = −∞, as NumPy and JAX have it
  const top = reduceWith(maxP, x, axis, { keepdims: true }, 'logSumExp')
  const m = stopGradient(top)
  const infinite = equal(abs(m), Number.POSITIVE_INFINITY)
  // an infinite maximum would turn x − m into NaN; shifting by 0 is exact there
  const shift = where(infinite, 0, m)
  const total = sum(exp(sub(x, shift)), axis, { keepdims: true })
  const regular = add(log(total), shift)
  // At an infinite maximum the value is that infinity, but the formula's gradient is
  // (1/∞)·eˣ = 0 · ∞, annihilated to 0: finite and wrong. The limit of softmax as entries go
  // to +∞ together is uniform over them: the derivative of `max` itself, which splits evenly
  // among tied maxima. (Where the maximum is finite, `max`'s pullback gets a zero cotangent
  // and skips its work.)
  return [where(infinite, top, regular), sign(stopGradient(total))]
}

/** log |Σ b·eˣ| with the reduced axes kept, and the sign of the sum (JAX's algorithm). */
function weightedKept(x: Value, b: Value, axis: Axis | undefined): [Val, Val] {
  // entries with zero weight are left out: −∞ there, whatever x is
  const xs = where(notEqual(b, 0), x, Number.NEGATIVE_INFINITY)
  const top = reduceWith(maxP, xs, axis, { keepdims: true }, 'logSumExp')
  const m = stopGradient(where(equal(abs(top), Number.POSITIVE_INFINITY), 0, top))
  const total = sum(mul(b, exp(sub(xs, m))), axis, { keepdims: true })
  return [add(log(abs(total)), m), sign(stopGradient(total))]
}
