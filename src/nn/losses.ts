/**
 * Regression and binary-classification losses, and the L2 penalty: the numbers a model is
 * trained to make small. Each is a composition of fluxion ops, so `grad` of a loss is exact.
 *
 * Every loss compares `predictions` with `targets` elementwise and then reduces: the mean over
 * all elements by default, the sum with `{ reduction: 'sum' }`, or no reduction with
 * `{ reduction: 'none' }`. Shapes must be equal (or one side a scalar): silently broadcasting
 * `[N, 1]` against `[N]` to `[N, N]` is a classic training bug, so it is refused.
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { shapeOf } from '../core/tracer.ts'
import { treeLeaves } from '../core/tree-util.ts'
import { add, mul, neg, safeMul, sub } from '../primitives/arithmetic.ts'
import { greater, lessEqual, where } from '../primitives/comparison.ts'
import { abs, log, log1p, softplus, square } from '../primitives/elementwise.ts'
import { mean, sum } from '../primitives/reduction.ts'
import type { Tensor } from '../tensor/tensor.ts'

type Value = number | Tensor

/** How a loss reduces its elementwise (or per-example) values. */
export type Reduction = 'mean' | 'sum' | 'none'

/** Options of every loss. */
export interface LossOptions {
  /** `'mean'` (default), `'sum'`, or `'none'` for the unreduced values. */
  readonly reduction?: Reduction
}

/** Applies `options.reduction` to per-element (or per-example) losses. */
export const reduceLoss = (x: Value, options: LossOptions | undefined, op: string): Value => {
  const reduction = options?.reduction ?? 'mean'
  if (reduction === 'mean') return mean(x)
  if (reduction === 'sum') return sum(x)
  if (reduction === 'none') return x
  throw new InvalidArgumentError(`unknown reduction ${JSON.stringify(reduction)}`, {
    primitive: op,
    hint: "use reduction 'mean', 'sum' or 'none'",
  })
}

/** Throws `ShapeError` unless the shapes are equal or one side is a scalar. */
const checkPair = (predictions: Value, targets: Value, op: string): void => {
  const p = shapeOf(predictions)
  const t = shapeOf(targets)
  if (p.length === 0 || t.length === 0) return
  if (p.length !== t.length || p.some((d, i) => d !== t[i])) {
    throw new ShapeError('predictions and targets have different shapes', {
      primitive: op,
      shapes: [p, t],
      hint: 'reshape one side (e.g. squeeze an [N, 1] output to [N]) so the shapes are equal',
    })
  }
}

/**
 * Mean squared error mean((p − t)²).
 *
 * Derivative: ∂/∂p = 2(p − t)/n for the mean. Throws `ShapeError` for unequal shapes.
 * @example
 * mse(tensor([1, 2]), tensor([1, 4])).item() // => 2
 * @category losses
 */
export function mse(predictions: number, targets: number, options?: LossOptions): number
export function mse(predictions: Value, targets: Value, options?: LossOptions): Tensor
export function mse(predictions: Value, targets: Value, options?: LossOptions): Value {
  checkPair(predictions, targets, 'mse')
  return reduceLoss(square(sub(predictions, targets)), options, 'mse')
}

/**
 * Mean absolute error mean(|p − t|).
 *
 * Derivative: ∂/∂p = sign(p − t)/n, and 0 where p = t (abs'(0) = 0, DESIGN §3).
 * @example
 * mae(tensor([1, 2]), tensor([2, 4])).item() // => 1.5
 * @category losses
 */
export function mae(predictions: number, targets: number, options?: LossOptions): number
export function mae(predictions: Value, targets: Value, options?: LossOptions): Tensor
export function mae(predictions: Value, targets: Value, options?: LossOptions): Value {
  checkPair(predictions, targets, 'mae')
  return reduceLoss(abs(sub(predictions, targets)), options, 'mae')
}

/** Options of `huber`. */
export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1; must be > 0). */
  readonly delta?: number
}

/**
 * Huber loss of r = p − t: ½r² for |r| ≤ δ, δ·(|r| − ½δ) beyond (default δ = 1): quadratic
 * near 0, linear in the tails, so outliers pull with a bounded force.
 *
 * Derivative: r for |r| ≤ δ, δ·sign(r) beyond; continuous at |r| = δ. Throws
 * `InvalidArgumentError` unless δ > 0, `ShapeError` for unequal shapes.
 * @example
 * huber(tensor([0.5, 3]), tensor([0, 0]), { reduction: 'sum' }).item() // => 2.625
 * @category losses
 */
export function huber(predictions: number, targets: number, options?: HuberOptions): number
export function huber(predictions: Value, targets: Value, options?: HuberOptions): Tensor
export function huber(predictions: Value, targets: Value, options?: HuberOptions): Value {
  const delta = options?.delta ?? 1
  if (!(delta > 0 && Number.isFinite(delta))) {
    throw new InvalidArgumentError(`huber needs a finite delta > 0, got ${delta}`, {
      primitive: 'huber',
      hint: 'pass the residual size where the loss turns linear, e.g. { delta: 1 }',
    })
  }
  checkPair(predictions, targets, 'huber')
  const r = sub(predictions, targets)
  const size = abs(r)
  const quadratic = mul(0.5, square(r))
  const linear = mul(delta, sub(size, 0.5 * delta))
  return reduceLoss(where(lessEqual(size, delta), quadratic, linear), options, 'huber')
}

/**
 * Binary cross-entropy −[t·ln p + (1 − t)·ln(1 − p)] of probabilities p ∈ [0, 1] against
 * targets t ∈ [0, 1]. Terms with a zero weight are 0 even where their logarithm is −∞
 * (0·ln 0 = 0), and ln(1 − p) is computed as log1p(−p). Prefer
 * `binaryCrossEntropyWithLogits` when you have logits: it never takes the log of a rounded 0.
 *
 * Derivative: ∂/∂p = (p − t) / (p·(1 − p)), per element. Throws `ShapeError` for unequal
 * shapes.
 * @example
 * binaryCrossEntropy(tensor([0.5]), tensor([1])).item() // ≈ Math.LN2
 * @category losses
 */
export function binaryCrossEntropy(
  probabilities: number,
  targets: number,
  options?: LossOptions,
): number
export function binaryCrossEntropy(
  probabilities: Value,
  targets: Value,
  options?: LossOptions,
): Tensor
export function binaryCrossEntropy(
  probabilities: Value,
  targets: Value,
  options?: LossOptions,
): Value {
  checkPair(probabilities, targets, 'binaryCrossEntropy')
  const positive = safeMul(targets, log(probabilities))
  const negative = safeMul(sub(1, targets), log1p(neg(probabilities)))
  // 0 − (…) rather than −(…): a perfect prediction then costs +0, not −0
  return reduceLoss(sub(0, add(positive, negative)), options, 'binaryCrossEntropy')
}

/**
 * Binary cross-entropy of σ(z) for logits z: −[t·ln σ(z) + (1 − t)·ln(1 − σ(z))], which
 * equals softplus(z) − t·z. It is evaluated as softplus(z) − t·z for z ≤ 0 and as
 * (1 − t)·z + softplus(−z) for z > 0, so no large terms cancel: finite and accurate at ±1000.
 *
 * Derivative: ∂/∂z = σ(z) − t. Throws `ShapeError` for unequal shapes.
 * @example
 * binaryCrossEntropyWithLogits(tensor([0]), tensor([1])).item() // ≈ Math.LN2
 * @category losses
 */
export function binaryCrossEntropyWithLogits(
  logits: number,
  targets: number,
  options?: LossOptions,
): number
export function binaryCrossEntropyWithLogits(
  logits: Value,
  targets: Value,
  options?: LossOptions,
): Tensor
export function binaryCrossEntropyWithLogits(
  logits: Value,
  targets: Value,
  options?: LossOptions,
): Value {
  checkPair(logits, targets, 'binaryCrossEntropyWithLogits')
  // softplus(z) = z + softplus(−z): the second form keeps the small result exact for z ≫ 0
  const nonPositive = sub(softplus(logits), mul(targets, logits))
  const positive = add(mul(sub(1, targets), logits), softplus(neg(logits)))
  const perElement = where(greater(logits, 0), positive, nonPositive)
  return reduceLoss(perElement, options, 'binaryCrossEntropyWithLogits')
}

/**
 * The L2 penalty ½·Σ θ² over every leaf of a parameter tree — add λ·l2(params) to a loss for
 * weight decay.
 *
 * Derivative: ∂/∂θ = θ (the ½ makes it so). Throws `InvalidArgumentError` for a leaf that is
 * not a number or tensor.
 * @example
 * l2({ w: tensor([1, 2]), b: 2 }) // ≈ 4.5
 * @category losses
 */
export function l2(params: unknown): number | Tensor {
  let total: Value = 0
  for (const leaf of treeLeaves(params)) total = add(total, sum(square(leaf)))
  return mul(0.5, total)
}
