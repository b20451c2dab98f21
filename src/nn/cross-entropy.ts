/**
 * Multi-class losses: `softmaxCrossEntropy` on logits, `crossEntropy` on probabilities and
 * `nll` on log-probabilities. All three are −Σ_c y_c·log p_c per example, averaged over the
 * examples by default; they differ only in where log p comes from.
 *
 * Scores have shape `[..., C]` (C classes on the last axis). Labels are either integer class
 * indices of shape `[...]` (a float64 tensor of whole numbers, or an array of numbers) or
 * distributions (one-hot or soft) of shape `[..., C]`. Terms whose
 * label weight is 0 contribute exactly 0, even where log p is −∞ (0·log 0 = 0). Class indices
 * are checked to be integers in [0, C): eagerly up front (`InvalidArgumentError`), and by the
 * gather kernel that picks log p[label] (`take`'s primitive, negative indices refused), which
 * runs on every call — so under `jit`, where labels cannot be read while tracing, each replay
 * of a compiled step checks its own labels (`IndexError`), and so does `vmap`.
 * @module
 */
import { ConcretizationError, InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { isTracer } from '../core/tracer.ts'
import { value } from '../core/value.ts'
import { neg, safeMul } from '../primitives/arithmetic.ts'
import { stack } from '../primitives/concat.ts'
import { log } from '../primitives/elementwise.ts'
import { takeV } from '../primitives/gather.ts'
import { sum } from '../primitives/reduction.ts'
import { expandDims, reshape } from '../primitives/structural.ts'
import { tensor } from '../tensor/create.ts'
import { show } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { logSoftmax } from './activations.ts'
import { type LossOptions, reduceLoss } from './losses.ts'

type Value = number | Tensor

/**
 * How `labels` read against `scores`: distributions, or class indices — checked here where
 * their values can be read (not under `jit` or `vmap`), and by the gather kernel at every run.
 */
type LabelForm = 'distributions' | 'indices'

/**
 * Labels: a tensor (class indices or distributions), or an array of class indices — whose
 * entries may be traced numbers, as a number array passed to a jitted function's are.
 */
type Labels = Tensor | readonly number[]

/** `labels` as a tensor: an array of numbers is stacked (traced entries too), eagerly `tensor`. */
const asLabels = (labels: Labels, op: string): Tensor => {
  const given: unknown = labels
  if (given instanceof Tensor || isTracer(given)) return labels as Tensor
  if (Array.isArray(given)) {
    return given.some(isTracer) ? stack(given as readonly number[]) : tensor(given as number[])
  }
  throw new InvalidArgumentError(
    `labels must be a Tensor or an array of numbers, got ${show(given)}`,
    {
      primitive: op,
      hint: 'pass class indices as tensor([0, 2, 1]) or [0, 2, 1], or one-hot rows as a tensor',
    },
  )
}

/** The form of `labels` for `scores`, from their shapes; class indices are checked. */
const labelForm = (scores: Tensor, labels: Tensor, op: string): LabelForm => {
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
  if (same(s, l)) return 'distributions'
  if (!same(s.slice(0, -1), l)) {
    throw new ShapeError('labels fit neither as class indices nor as distributions', {
      primitive: op,
      shapes: [s, l],
      hint: `give labels shape [${s.slice(0, -1).join(', ')}] (class indices) or [${s.join(', ')}] (one-hot)`,
    })
  }
  const classes = s[s.length - 1]!
  let read: Tensor
  try {
    read = value(labels)
  } catch (e) {
    // labels traced by jit or vmap: the gather kernel checks them when it runs
    if (e instanceof ConcretizationError) return 'indices'
    throw e
  }
  for (const c of read.data) {
    if (!(Number.isInteger(c) && c >= 0 && c < classes)) {
      throw new InvalidArgumentError(`label ${c} is not a class index in [0, ${classes})`, {
        primitive: op,
        shapes: [s, l],
        hint: 'class labels are integers 0, 1, …, C − 1',
      })
    }
  }
  return 'indices'
}

/**
 * −Σ_c y_c·logp_c over the last axis, with y from class indices or distributions. Indices pick
 * −logp[label] with the gather primitive (no wrap-around: −1 is refused, not the last class),
 * whose kernel throws `IndexError` for a label that is no class index, traced or not.
 */
const perExample = (logProbabilities: Tensor, labels: Tensor, form: LabelForm): Value => {
  if (form === 'distributions') return neg(sum(safeMul(labels, logProbabilities), -1))
  const last = logProbabilities.rank - 1
  const picked = takeV(logProbabilities, expandDims(labels, -1), {
    axis: last,
    batchDims: last,
    wrap: false,
  }) as Tensor
  return neg(reshape(picked, labels.shape))
}

/**
 * Negative log-likelihood −Σ_c y_c·logp_c per example (−logp[label] for class indices) of
 * log-probabilities, e.g. the output of `logSoftmax`; the mean over examples by default.
 *
 * Derivative: ∂/∂logp_c = −y_c (per example, divided by the count for the mean). Throws
 * `ShapeError` when the label shape fits neither form, `InvalidArgumentError` for a label that
 * is not an integer in [0, C) (`IndexError` under `jit` or `vmap`, from the kernel).
 * @example
 * nll(tensor([[-1, -2]]), tensor([1])).item() // => 2
 * @category losses
 */
export function nll(
  logProbabilities: Tensor,
  labels: Tensor | readonly number[],
  options?: LossOptions,
): Tensor
export function nll(
  logProbabilities: Tensor,
  given: Tensor | readonly number[],
  options?: LossOptions,
): Value {
  const labels = asLabels(given, 'nll')
  const form = labelForm(logProbabilities, labels, 'nll')
  return reduceLoss(perExample(logProbabilities, labels, form), options, 'nll')
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
export function crossEntropy(
  probabilities: Tensor,
  labels: Tensor | readonly number[],
  options?: LossOptions,
): Tensor
export function crossEntropy(
  probabilities: Tensor,
  given: Tensor | readonly number[],
  options?: LossOptions,
): Value {
  const labels = asLabels(given, 'crossEntropy')
  const form = labelForm(probabilities, labels, 'crossEntropy')
  return reduceLoss(perExample(log(probabilities), labels, form), options, 'crossEntropy')
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
 * softmaxCrossEntropy(tensor([[0, 0], [5, 0]]), [1, 0], { reduction: 'none' }).toArray() // ≈ [Math.LN2, Math.log1p(Math.exp(-5))]
 * @category losses
 */
export function softmaxCrossEntropy(
  logits: Tensor,
  labels: Tensor | readonly number[],
  options?: LossOptions,
): Tensor
export function softmaxCrossEntropy(
  logits: Tensor,
  given: Tensor | readonly number[],
  options?: LossOptions,
): Value {
  const labels = asLabels(given, 'softmaxCrossEntropy')
  const form = labelForm(logits, labels, 'softmaxCrossEntropy')
  const loss = perExample(logSoftmax(logits), labels, form)
  return reduceLoss(loss, options, 'softmaxCrossEntropy')
}
