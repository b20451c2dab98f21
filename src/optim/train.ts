/**
 * Training loops: `trainStep` (one step of gradient descent with any optimizer) and `train`
 * (epochs of shuffled minibatches, reporting progress through a callback). The library prints
 * nothing: `onProgress` hands each step to the caller, who may draw a progress bar.
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { isTracer } from '../core/tracer.ts'
import { value } from '../core/value.ts'
import { jit } from '../jit/index.ts'
import { conformKind } from '../primitives/structural.ts'
import { type Key, permutation, split } from '../tensor/random.ts'
import { show, sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { type Scalar, valueAndGrad } from '../transforms/grad.ts'
import {
  applyUpdates,
  checkOptionsObject,
  checkTransformation,
  type GradientTransformation,
  readNumber,
} from './base.ts'

/** Options of `trainStep`. */
export interface StepOptions {
  /**
   * `true`: compile the loss and its gradient with `jit` (traced once per minibatch shape,
   * replayed after: the same numbers, several times faster for small models). The loss must
   * then not read its values (`value(x)` in a JS branch throws `ConcretizationError`).
   * `'step'`: compile the whole step — loss, gradient, the optimizer's update (its step count an
   * input of the program) and θ + u — as one program, faster again; the optimizer must then
   * compute in fluxion ops too, as the built-in optimizers and schedules do. Default false.
   */
  readonly jit?: boolean | 'step'
}

/**
 * One training step, as a function: `trainStep(loss, optimizer)(params, state, ...data)` takes
 * the gradient of `loss` with respect to `params` (one forward and one backward pass), asks
 * `optimizer` for the update, and returns `[newParams, newState, lossValue]`, the loss being
 * the one at the old parameters.
 *
 * The step itself may be compiled: `jit(trainStep(loss, optimizer))`, or
 * `trainStep(loss, optimizer, { jit: 'step' })`, traces loss, gradient, update (step counts
 * included: they are inputs of the program) and θ + u into one program, replayed for every
 * later step with the same shapes — the same numbers as the eager step. Throws
 * `InvalidArgumentError` for a `jit` option that is not true, false or 'step'.
 *
 * Derivative: the gradient is `grad(loss)` — backpropagation through the whole model.
 * @example
 * const step = trainStep((w: number) => mul(w, w), sgd(0.25))
 * step(2, sgd(0.25).init(2)) // => [1, [{ count: 1 }], 4]
 * @category training
 */
export function trainStep<P, S, D extends unknown[]>(
  loss: (params: P, ...data: D) => Scalar,
  optimizer: GradientTransformation<S>,
  options?: StepOptions,
): (params: P, state: S, ...data: D) => [P, S, number] {
  if (options !== undefined) checkOptionsObject(options, 'trainStep', '{ jit: true }')
  const compiled: unknown = options?.jit ?? false
  if (typeof compiled !== 'boolean' && compiled !== 'step') {
    throw new InvalidArgumentError(`jit must be true, false or 'step', got ${show(compiled)}`, {
      primitive: 'trainStep',
      hint: "pass { jit: true } to compile the loss and its gradient, { jit: 'step' } to compile the whole step, or leave it out",
    })
  }
  const lossAndGrad = compiled === true ? jit(valueAndGrad(loss)) : valueAndGrad(loss)
  checkTransformation(optimizer, 'trainStep', 'the optimizer')
  const step = (params: P, state: S, ...data: D): [P, S, number] => {
    const [lossValue, gradient] = lossAndGrad(params, ...data)
    const [updates, next] = optimizer.update(gradient, state, params)
    // under grad (meta-learning) the loss is traced and reported as its number; under jit of
    // the whole step it cannot be read: it is returned traced, cast to a number, an output of
    // the program that the compiled step returns as a JS number
    const l = readNumber(lossValue) ?? (conformKind(lossValue, 'number') as number)
    return [applyUpdates(params, updates), next, l]
  }
  if (compiled !== 'step') return step
  return jit(step)
}

/** What `train` reports after every step. */
export interface Progress {
  /** Steps done so far: 1 after the first. */
  readonly step: number
  /** Steps in the whole run: epochs × minibatches per epoch. */
  readonly total: number
  /** The current epoch, from 1. */
  readonly epoch: number
  /** Epochs in the whole run. */
  readonly epochs: number
  /** This step's minibatch loss (before the update). */
  readonly loss: number
}

/** Options of `train`. */
export interface TrainOptions<P, S> {
  /** The loss of the model with parameters `params` on inputs `x` and targets `y`. */
  readonly loss: (params: P, x: Tensor, y: Tensor) => Scalar
  /** The optimizer, e.g. `adam(0.01)`. */
  readonly optimizer: GradientTransformation<S>
  /** Inputs, one example per entry along axis 0. */
  readonly x: Tensor
  /** Targets, one per example along axis 0. */
  readonly y: Tensor
  /** Seeds the shuffling: the same key gives the same run. */
  readonly key: Key
  /** Passes over the data (a positive integer). */
  readonly epochs: number
  /** Examples per minibatch (default: all, i.e. full-batch gradient descent). */
  readonly batchSize?: number
  /** Optimizer state to resume from (default `optimizer.init(params)`). */
  readonly state?: S
  /** Called after every step. */
  readonly onProgress?: (progress: Progress) => void
  /**
   * `true`: compile the loss and its gradient with `jit`; `'step'`: compile the whole training
   * step (see `StepOptions`). Default false.
   */
  readonly jit?: boolean | 'step'
}

/** What `train` returns. */
export interface TrainResult<P, S> {
  /** The trained parameters. */
  readonly params: P
  /** The optimizer state after the last step (pass it back to resume). */
  readonly state: S
  /** The mean minibatch loss of each epoch, weighted by minibatch size. */
  readonly losses: number[]
}

/** The rows `rows` of `t` along axis 0, as a new tensor of `t`'s dtype. */
const takeRows = (t: Tensor, rows: readonly number[]): Tensor => {
  const width = sizeOf(t.shape.slice(1))
  const out =
    t.dtype === 'float32'
      ? new Float32Array(rows.length * width)
      : new Float64Array(rows.length * width)
  rows.forEach((r, i) => {
    out.set(t.data.subarray(r * width, (r + 1) * width), i * width)
  })
  return new Tensor(out, [rows.length, ...t.shape.slice(1)])
}

const checkCount = (n: number, name: string): void => {
  if (!(Number.isInteger(n) && n > 0)) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${n}`, {
      primitive: 'train',
      hint: `pass a whole number of ${name}, e.g. 100`,
    })
  }
}

/**
 * Trains `params` by minibatch gradient descent: for each epoch, shuffle the examples with a
 * key split from `key` (`random.permutation`), cut them into minibatches of `batchSize` (the
 * last may be smaller), and apply `trainStep` to each. Deterministic for a given key.
 *
 * Throws `InvalidArgumentError` for epochs or batchSize that are not positive integers, and
 * `ShapeError` when `x` and `y` have no examples or different numbers of them.
 * @example
 * const data = { x: tensor([[1], [2]]), y: tensor([2, 4]) }
 * const loss = (w: Tensor, x: Tensor, y: Tensor) => mse(matmul(x, w), y)
 * train(tensor([0]), { ...data, loss, optimizer: sgd(0.1), key: random.key(0), epochs: 50 })
 * @category training
 */
export function train<P, S>(params: P, options: TrainOptions<P, S>): TrainResult<P, S> {
  checkOptionsObject(options, 'train', 'train(params, { loss, optimizer, x, y, key, epochs })')
  const { loss, optimizer, key, epochs, onProgress } = options
  for (const name of ['x', 'y'] as const) {
    const data: unknown = options[name]
    if (!(data instanceof Tensor) && !isTracer(data)) {
      throw new InvalidArgumentError(`${name} must be a Tensor, got ${show(data)}`, {
        primitive: 'train',
        hint: 'pass inputs and targets as tensors, one example per entry along axis 0',
      })
    }
  }
  const x = value(options.x)
  const y = value(options.y)
  const n = x.shape[0] ?? 0
  if (n === 0 || y.shape[0] !== n) {
    throw new ShapeError('x and y need the same, nonzero number of examples along axis 0', {
      primitive: 'train',
      shapes: [x.shape, y.shape],
      hint: 'put one example per row of x and one target per row of y',
    })
  }
  checkCount(epochs, 'epochs')
  const batchSize = options.batchSize ?? n
  checkCount(batchSize, 'batchSize')
  const step = trainStep(loss, optimizer, { jit: options.jit ?? false })
  const batches = Math.ceil(n / batchSize)
  const total = epochs * batches
  let state = options.state ?? optimizer.init(params)
  const losses: number[] = []
  split(key, epochs).forEach((epochKey, e) => {
    const order = permutation(epochKey, n)
    let weighted = 0
    for (let b = 0; b < batches; b++) {
      const rows = order.slice(b * batchSize, (b + 1) * batchSize)
      let batchLoss: number
      ;[params, state, batchLoss] = step(params, state, takeRows(x, rows), takeRows(y, rows))
      weighted += batchLoss * rows.length
      onProgress?.({ step: e * batches + b + 1, total, epoch: e + 1, epochs, loss: batchLoss })
    }
    losses.push(weighted / n)
  })
  return { params, state, losses }
}
