/**
 * Evaluation metrics. They read concrete values and return plain numbers: a metric is
 * something to report, not to differentiate (accuracy is piecewise constant, its gradient 0).
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { value } from '../core/value.ts'
import { argmax } from '../primitives/statistics.ts'
import type { Tensor } from '../tensor/tensor.ts'

/**
 * The fraction of rows of `scores` (logits or probabilities, shape [..., C]) whose largest
 * entry is at the labelled class, the prediction being `argmax(scores, −1)` (the first of tied
 * entries; a NaN score counts as the largest, as in NumPy). Labels are integer class indices
 * (shape [...], float64 values 0, 1, …, C − 1) or one-hot rows (shape [..., C], read with
 * `argmax` too). Not differentiable: it reads concrete values and returns a plain number.
 *
 * NaN for zero rows. Throws `ShapeError` when the label shape fits neither form and
 * `InvalidArgumentError` for a class index that is not an integer in [0, C).
 * @example
 * accuracy(tensor([[2, 1], [0, 3]]), tensor([0, 0])) // => 0.5
 * accuracy(tensor([[2, 1], [0, 3]]), tensor([[1, 0], [0, 1]])) // => 1
 * @category metrics
 */
export function accuracy(scores: Tensor, labels: Tensor): number {
  const s = scores.shape
  const l = labels.shape
  const oneHot = l.length === s.length && l.every((d, i) => d === s[i])
  const indices = l.length === s.length - 1 && l.every((d, i) => d === s[i])
  if (s.length === 0 || !(oneHot || indices)) {
    throw new ShapeError('labels fit neither as class indices nor as one-hot rows', {
      primitive: 'accuracy',
      shapes: [s, l],
      hint: 'scores have shape [N, C]; labels [N] (class indices) or [N, C] (one-hot)',
    })
  }
  const classes = s[s.length - 1]!
  const rows = scores.size / Math.max(classes, 1)
  if (rows === 0) return Number.NaN
  const predicted = value(argmax(scores, -1)).data
  const truth = value(oneHot ? argmax(labels, -1) : labels).data
  let correct = 0
  for (let i = 0; i < predicted.length; i++) {
    const t = truth[i]!
    if (!(Number.isInteger(t) && t >= 0 && t < classes)) {
      throw new InvalidArgumentError(`label ${t} is not a class index in [0, ${classes})`, {
        primitive: 'accuracy',
        shapes: [s, l],
        hint: 'class labels are integers 0, 1, …, C − 1',
      })
    }
    if (predicted[i] === t) correct++
  }
  return correct / predicted.length
}
