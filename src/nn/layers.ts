/**
 * Layers as pure functions over typed parameter trees. A layer is a pair: `init(key)` draws the
 * parameters (a plain tree, so `grad` returns a gradient of the same type) and
 * `apply(params, x)` computes the output. Nothing is stored in the layer, so the same layer
 * serves any number of parameter sets, and differentiating with respect to the parameters is
 * just `grad((p) => loss(layer.apply(p, x), y))`.
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { add } from '../primitives/arithmetic.ts'
import { matmul } from '../primitives/linalg/matmul.ts'
import { zeros } from '../tensor/create.ts'
import { type Key, split } from '../tensor/random.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { relu } from './activations.ts'
import { glorotUniform, type Initializer } from './init.ts'

/** An elementwise (or row-wise) function between layers, such as `relu` or `tanh`. */
export type Activation = (x: Tensor) => Tensor

/**
 * A layer: `init(key)` draws parameters of type `P`; `apply(params, x)` maps a batch `x` to
 * outputs. Both are pure.
 */
export interface Layer<P> {
  /** Fresh parameters drawn with `key`: the same key gives the same parameters. */
  readonly init: (key: Key) => P
  /** The layer's output for inputs `x` (a batch along the leading axes). */
  readonly apply: (params: P, x: Tensor) => Tensor
}

/** Parameters of a dense layer: weights `w` of shape [inputs, outputs] and biases `b` [outputs]. */
export type DenseParams = {
  /** Weights, shape [inputs, outputs]. */
  readonly w: Tensor
  /** Biases, shape [outputs]. */
  readonly b: Tensor
}

/** Options of `dense`. */
export interface DenseOptions {
  /** Applied to w·x + b (default: none, a linear layer). */
  readonly activation?: Activation
  /** Draws the weights (default `glorotUniform`); biases start at 0. */
  readonly init?: Initializer
}

/** Throws `InvalidArgumentError` unless `n` (the `what` of `op`) is a positive integer. */
export const checkSize = (n: number, what: string, op: string): void => {
  if (!(Number.isInteger(n) && n > 0)) {
    throw new InvalidArgumentError(`${what} must be a positive integer, got ${n}`, {
      primitive: op,
      hint: 'layer sizes count units, e.g. dense(4, 16)',
    })
  }
}

/**
 * A dense (fully connected) layer y = f(x·w + b), mapping inputs of shape [..., inputs] to
 * [..., outputs]; f is `options.activation` (default: the identity).
 *
 * Derivative: ∂y/∂w = xᵀ·(ȳ ⊙ f′), ∂y/∂b = Σ_batch ȳ ⊙ f′, by the chain rule through `matmul`
 * and `add`. Throws `InvalidArgumentError` for a size that is not a positive integer, and
 * `apply` throws `ShapeError` when the last axis of `x` is not `inputs`.
 * @example
 * const layer = dense(3, 2)
 * layer.apply(layer.init(random.key(0)), zeros([5, 3])).shape // => [5, 2]
 * @category layers
 */
export function dense(inputs: number, outputs: number, options?: DenseOptions): Layer<DenseParams> {
  checkSize(inputs, 'inputs', 'dense')
  checkSize(outputs, 'outputs', 'dense')
  const init = options?.init ?? glorotUniform
  const activation = options?.activation
  return {
    init: (key) => ({ w: init(key, [inputs, outputs]), b: zeros([outputs]) }),
    apply: (params, x) => {
      const s = x.shape
      if (s.length === 0 || s[s.length - 1] !== inputs) {
        throw new ShapeError(`dense(${inputs}, ${outputs}) got inputs of shape [${s.join(', ')}]`, {
          primitive: 'dense',
          shapes: [s, params.w.shape],
          hint: `give inputs whose last axis has size ${inputs}, e.g. shape [batch, ${inputs}]`,
        })
      }
      const y = add(matmul(x, params.w), params.b)
      return activation === undefined ? y : activation(y)
    },
  }
}

/** Parameters of a multilayer perceptron: one dense layer's parameters per layer, in order. */
export type MlpParams = readonly DenseParams[]

/** Options of `mlp`. */
export interface MlpOptions {
  /** Draws every layer's weights (default `glorotUniform`). */
  readonly init?: Initializer
}

/**
 * A multilayer perceptron: dense layers of the given `sizes` (`[inputs, hidden…, outputs]`),
 * with `activation` (default `relu`) after every layer except the last, whose outputs are left
 * linear (logits for `softmaxCrossEntropy`, values for `mse`).
 *
 * Derivative: backpropagation — the chain rule applied layer by layer, last to first. Throws
 * `InvalidArgumentError` unless there are at least two sizes, all positive integers.
 * @example
 * const net = mlp([4, 8, 3], tanh)
 * net.init(random.key(0)).map((layer) => layer.w.shape) // => [[4, 8], [8, 3]]
 * @category layers
 */
export function mlp(
  sizes: readonly number[],
  activation: Activation = relu,
  options?: MlpOptions,
): Layer<MlpParams> {
  if (sizes.length < 2) {
    throw new InvalidArgumentError(`mlp needs at least two sizes, got [${sizes.join(', ')}]`, {
      primitive: 'mlp',
      hint: 'list the input size, any hidden sizes, and the output size: mlp([4, 16, 3])',
    })
  }
  const init = options?.init
  const layers = sizes.slice(1).map((outputs, i) => {
    const last = i === sizes.length - 2
    return dense(sizes[i]!, outputs, {
      ...(last ? {} : { activation }),
      ...(init === undefined ? {} : { init }),
    })
  })
  return {
    init: (key) => {
      const keys = split(key, layers.length)
      return layers.map((layer, i) => layer.init(keys[i]!))
    },
    apply: (params, x) => {
      if (params.length !== layers.length) {
        throw new InvalidArgumentError(
          `mlp with ${layers.length} layers got parameters for ${params.length}`,
          { primitive: 'mlp', hint: 'use the parameters returned by this mlp’s init' },
        )
      }
      return layers.reduce((h, layer, i) => layer.apply(params[i]!, h), x)
    },
  }
}
