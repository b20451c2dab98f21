/**
 * Evaluation metrics. They read concrete values and return plain numbers: a metric is
 * something to report, not to differentiate (accuracy is piecewise constant, its gradient 0).
 * @module
 */
import { ShapeError } from '../core/errors.ts'
import { value } from '../core/value.ts'
import type { Tensor } from '../tensor/tensor.ts'

/**
 * The predicted class of each row of `scores` (shape [..., C]): the index of its largest
 * entry, the first one on ties. Returns a flat array with one class per row.
 */
const argmaxRows = (scores: Tensor): number[] => {
  const { data, shape } = value(scores)
  const classes = shape[shape.length - 1]!
  const out: number[] = []
  for (let row = 0; row < data.length; row += classes) {
    let best = 0
    for (let c = 1; c < classes; c++) if (data[row + c]! > data[row + best]!) best = c
    out.push(best)
  }
  return out
}

/**
 * The fraction of rows of `scores` (logits or probabilities, shape [..., C]) whose largest
 * entry is at the labelled class. Labels are class indices (shape [...]) or one-hot rows
 * (shape [..., C]). Not differentiable: it returns a plain number.
 *
 * NaN for zero rows. Throws `ShapeError` when the label shape fits neither form.
 * @example
 * accuracy(tensor([[2, 1], [0, 3]]), tensor([0, 0])) // => 0.5
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
  const predicted = argmaxRows(scores)
  const truth = oneHot ? argmaxRows(labels) : Array.from(value(labels).data)
  let correct = 0
  predicted.forEach((p, i) => {
    if (p === truth[i]) correct++
  })
  return correct / predicted.length
}
