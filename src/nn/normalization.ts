/**
 * Normalization layers in functional style: learnable scale and offset live in a parameter
 * tree, and batch normalization's running statistics are explicit state passed in and returned,
 * never stored — so a training step stays a pure function that `grad` and `jit` can take.
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { add, div, mul, sub } from '../primitives/arithmetic.ts'
import { stopGradient } from '../primitives/comparison.ts'
import { sqrt } from '../primitives/elementwise.ts'
import { mean } from '../primitives/reduction.ts'
import { variance } from '../primitives/statistics.ts'
import { ones, zeros } from '../tensor/create.ts'
import type { Tensor } from '../tensor/tensor.ts'

/** Learnable parameters of a normalization: y = x̂·scale + offset. */
export type NormParams = {
  /** Multiplies the normalized values (starts at 1). */
  readonly scale: Tensor
  /** Added after scaling (starts at 0). */
  readonly offset: Tensor
}

/** Options of `layerNorm`. */
export interface LayerNormOptions {
  /** Axes normalized over (default −1, the features). */
  readonly axes?: number | readonly number[]
  /** Added to the variance before the square root (default 1e-5). */
  readonly epsilon?: number
}

const checkEpsilon = (epsilon: number, op: string): number => {
  if (!(epsilon >= 0 && Number.isFinite(epsilon))) {
    throw new InvalidArgumentError(`epsilon must be a finite number ≥ 0, got ${epsilon}`, {
      primitive: op,
      hint: 'the default 1e-5 suits float64 inputs of unit scale',
    })
  }
  return epsilon
}

/**
 * Fresh normalization parameters: scale 1 and offset 0 of the given shape ([features] for a
 * `layerNorm` over the last axis or for `batchNorm`), so the layer starts as plain
 * standardization.
 * @example
 * normParams([3]).scale.toArray() // => [1, 1, 1]
 * @category layers
 */
export function normParams(shape: readonly number[]): NormParams {
  return { scale: ones(shape), offset: zeros(shape) }
}

/**
 * Layer normalization (Ba et al., 2016): each example standardized over `axes` (default the
 * last), y = (x − μ)/√(σ² + ε)·scale + offset, with μ and σ² (biased, ddof 0) computed per
 * example. `scale` and `offset` broadcast against x — shape [features] for the last axis.
 *
 * Derivative: through `mean`, `variance`, `sqrt` and `div`: x̄ = (ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))/√(σ² + ε)
 * with ĝ = ȳ·scale. Throws `InvalidArgumentError` for a bad axis or ε < 0, `ShapeError` when
 * the parameters do not broadcast.
 * @example
 * const y = layerNorm(normParams([2]), tensor([[1, 3]]), { epsilon: 0 })
 * y.toArray() // => [[-1, 1]]
 * @category layers
 */
export function layerNorm(params: NormParams, x: Tensor, options?: LayerNormOptions): Tensor {
  const axes = options?.axes ?? -1
  const eps = checkEpsilon(options?.epsilon ?? 1e-5, 'layerNorm')
  const mu = mean(x, axes, { keepdims: true })
  const v = variance(x, axes, { keepdims: true })
  const xHat = div(sub(x, mu), sqrt(add(v, eps)))
  return add(mul(xHat, params.scale), params.offset)
}

/** Running statistics of `batchNorm`, one entry per feature (the last axis). */
export type BatchNormState = {
  /** Running mean of the features. */
  readonly mean: Tensor
  /** Running (biased) variance of the features. */
  readonly variance: Tensor
}

/** Options of `batchNorm`. */
export interface BatchNormOptions {
  /** Batch statistics and a state update (true) or the running statistics (false). */
  readonly training: boolean
  /** Weight of the old running statistics in the update (default 0.99, as flax). */
  readonly momentum?: number
  /** Added to the variance before the square root (default 1e-5). */
  readonly epsilon?: number
}

/** Output of `batchNorm`: the normalized batch and the (possibly updated) running statistics. */
export interface BatchNormResult {
  /** The normalized, scaled and offset inputs, shaped as x. */
  readonly y: Tensor
  /** The running statistics: updated in training, returned unchanged in evaluation. */
  readonly state: BatchNormState
}

/** Parameters and state of a fresh batch normalization, from `batchNormInit`. */
export interface BatchNormInit {
  /** Scale 1 and offset 0 per feature. */
  readonly params: NormParams
  /** Running mean 0 and running variance 1 per feature. */
  readonly state: BatchNormState
}

/**
 * Fresh batch-normalization parameters and state for `features` channels: scale 1, offset 0,
 * running mean 0 and running variance 1.
 * @example
 * batchNormInit(2).state.variance.toArray() // => [1, 1]
 * @category layers
 */
export function batchNormInit(features: number): BatchNormInit {
  if (!(Number.isInteger(features) && features > 0)) {
    throw new InvalidArgumentError(`features must be a positive integer, got ${features}`, {
      primitive: 'batchNormInit',
      hint: 'pass the size of the last (channel) axis',
    })
  }
  return {
    params: normParams([features]),
    state: { mean: zeros([features]), variance: ones([features]) },
  }
}

/**
 * Batch normalization (Ioffe & Szegedy, 2015) over every axis but the last (the features;
 * channels-last images [N, H, W, C] are normalized per channel), functional style:
 * `batchNorm(params, state, x, { training }) → { y, state }`.
 *
 * - `training: true`: y = (x − μ_B)/√(σ²_B + ε)·scale + offset with the batch's mean μ_B and
 *   biased variance σ²_B; the returned state is momentum·state + (1 − momentum)·(μ_B, σ²_B),
 *   the batch statistics held constant (`stopGradient`) so the state carries no derivative.
 * - `training: false`: y = (x − mean)/√(variance + ε)·scale + offset with the running state,
 *   returned unchanged.
 *
 * Derivative: in training, through the batch statistics (every output depends on every example
 * of the batch); in evaluation, an affine map of x. Throws `InvalidArgumentError` for momentum
 * outside [0, 1] or ε < 0, `ShapeError` in training for x of rank < 2 (no batch axis).
 * @example
 * const { params, state } = batchNormInit(1)
 * const out = batchNorm(params, state, tensor([[1], [3]]), { training: true, epsilon: 0 })
 * out.y.toArray() // => [[-1], [1]]
 * out.state.mean.item() // ≈ 0.02
 * @category layers
 */
export function batchNorm(
  params: NormParams,
  state: BatchNormState,
  x: Tensor,
  options: BatchNormOptions,
): BatchNormResult {
  const eps = checkEpsilon(options.epsilon ?? 1e-5, 'batchNorm')
  const momentum = options.momentum ?? 0.99
  if (!(momentum >= 0 && momentum <= 1)) {
    throw new InvalidArgumentError(`momentum must be in [0, 1], got ${momentum}`, {
      primitive: 'batchNorm',
      hint: 'momentum is the weight of the old running statistics, e.g. 0.99',
    })
  }
  const affine = (mu: Tensor, v: Tensor): Tensor =>
    add(mul(div(sub(x, mu), sqrt(add(v, eps))), params.scale), params.offset)
  if (!options.training) return { y: affine(state.mean, state.variance), state }
  if (x.rank < 2) {
    throw new ShapeError(
      `batchNorm in training needs a batch axis, got shape [${x.shape.join(', ')}]`,
      {
        primitive: 'batchNorm',
        shapes: [x.shape],
        hint: 'give inputs [batch, ..., features]; a single example has no batch statistics',
      },
    )
  }
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i)
  const mu = mean(x, axes)
  const v = variance(x, axes)
  const update = (old: Tensor, batch: Tensor): Tensor =>
    add(mul(old, momentum), mul(stopGradient(batch), 1 - momentum))
  return {
    y: affine(mu, v),
    state: { mean: update(state.mean, mu), variance: update(state.variance, v) },
  }
}
