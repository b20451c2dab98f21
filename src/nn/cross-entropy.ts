/**
 * Multi-class losses: `softmaxCrossEntropy` on logits, `crossEntropy` on probabilities and
 * `nll` on log-probabilities. All three are −Σ_c y_c·log p_c per example, averaged over the
 * examples by default; they differ only in where log p comes from.
 *
 * Scores have shape `[..., C]` (C classes on the last axis). Labels are either integer class
 * indices of shape `[...]` or distributions (one-hot or soft) of shape `[..., C]`. Terms whose
 * label weight is 0 contribute exactly 0, even where log p is −∞ (0·log 0 = 0).
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { value } from '../core/value.ts'
import { neg, safeMul } from '../primitives/arithmetic.ts'
import { equal, where } from '../primitives/comparison.ts'
import { log } from '../primitives/elementwise.ts'
import { sum } from '../primitives/reduction.ts'
import { expandDims } from '../primitives/structural.ts'
import { arange } from '../tensor/create.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { logSoftmax } from './activations.ts'
import { type LossOptions, reduceLoss } from './losses.ts'

type Value = number | Tensor

/** Whether `labels` are class indices for `scores` (rather than distributions); checks them. */
const areClassIndices = (scores: Tensor, labels: Tensor, op: string): boolean => {
  const s = scores.shape
  const l = labels.shape
  const same = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((d, i) => d === b[i])
  if (s.length === 0) {
    throw new ShapeError('scores need a class axis', {
      primitive: op,
      shapes: [s],
      hint: 'pass scores of shape [C] or [N, C]',
    })
  }
  if (same(s, l)) return false
  if (!same(s.slice(0, -1), l)) {
    throw new ShapeError('labels fit neither as class indices nor as distributions', {
      primitive: op,
      shapes: [s, l],
      hint: `give labels shape [${s.slice(0, -1).join(', ')}] (class indices) or [${s.join(', ')}] (one-hot)`,
    })
  }
  const classes = s[s.length - 1]!
  for (const c of value(labels).data) {
    if (!(Number.isInteger(c) && c >= 0 && c < classes)) {
      throw new InvalidArgumentError(`label ${c} is not a class index in [0, ${classes})`, {
        primitive: op,
        shapes: [s, l],
        hint: 'class labels are integers 0, 1, …, C − 1',
      })
    }
  }
  return true
}

/** −Σ_c y_c·logp_c over the last axis, with y from class indices or distributions. */
const perExample = (logProbabilities: Tensor, labels: Tensor, classIndices: boolean): Value => {
  if (classIndices) {
    // one-hot mask labels[..., None] == arange(C); `where` keeps −∞ of other classes out
    const classes = logProbabilities.shape[logProbabilities.rank - 1]!
    const mask = equal(expandDims(labels, -1), arange(classes))
    return neg(sum(where(mask, logProbabilities, 0), -1))
  }
  return neg(sum(safeMul(labels, logProbabilities), -1))
}

/**
 * Negative log-likelihood −Σ_c y_c·logp_c per example (−logp[label] for class indices) of
 * log-probabilities, e.g. the output of `logSoftmax`; the mean over examples by default.
 *
 * Derivative: ∂/∂logp_c = −y_c (per example, divided by the count for the mean). Throws
 * `ShapeError` when the label shape fits neither form, `InvalidArgumentError` for a label that
 * is not an integer in [0, C).
 * @example
 * nll(tensor([[-1, -2]]), tensor([1])).item() // => 2
 * @category losses
 */
export function nll(logProbabilities: Tensor, labels: Tensor, options?: LossOptions): Tensor
export function nll(logProbabilities: Tensor, labels: Tensor, options?: LossOptions): Value {
  const indices = areClassIndices(logProbabilities, labels, 'nll')
  return reduceLoss(perExample(logProbabilities, labels, indices), options, 'nll')
}

/**
 * Cross-entropy −Σ_c y_c·ln p_c per example of probabilities p (rows summing to 1); the mean
 * over examples by default. A probability that is 0 for a labelled class gives +∞, as the
 * maths says: when you have logits, `softmaxCrossEntropy` avoids that rounding.
 *
 * Derivative: ∂/∂p_c = −y_c / p_c. Throws as `nll`.
 * @example
 * crossEntropy(tensor([[0.5, 0.5]]), tensor([0])).item() // ≈ Math.LN2
 * @category losses
 */
export function crossEntropy(probabilities: Tensor, labels: Tensor, options?: LossOptions): Tensor
export function crossEntropy(probabilities: Tensor, labels: Tensor, options?: LossOptions): Value {
  const indices = areClassIndices(probabilities, labels, 'crossEntropy')
  return reduceLoss(perExample(log(probabilities), labels, indices), options, 'crossEntropy')
}

/**
 * Cross-entropy of softmax(z) for logits z: −Σ_c y_c·logSoftmax(z)_c per example, the mean over
 * examples by default. Computed through `logSoftmax`, so logits of ±1000 give finite, exact
 * losses and gradients.
 *
 * Derivative: ∂/∂z = softmax(z) − y per example (y one-hot for class indices; divided by the
 * count for the mean). Throws as `nll`.
 * @example
 * softmaxCrossEntropy(tensor([[0, 0]]), tensor([1])).item() // ≈ Math.LN2
 * softmaxCrossEntropy(tensor([[1000, 0]]), tensor([0])).item() // => 0
 * @category losses
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, options?: LossOptions): Tensor
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, options?: LossOptions): Value {
  const indices = areClassIndices(logits, labels, 'softmaxCrossEntropy')
  const loss = perExample(logSoftmax(logits), labels, indices)
  return reduceLoss(loss, options, 'softmaxCrossEntropy')
}
