/**
 * fluxion/nn: the pieces of a neural network as pure, differentiable functions — activations,
 * losses, seeded initialisers, layers over typed parameter trees, and metrics.
 *
 * A model is a function of its parameters; `grad` of a loss of the model is the gradient
 * backpropagation computes, with the parameters' own type. Train it with `fluxion/optim`.
 * @module
 */

export {
  elu,
  type GeluOptions,
  gelu,
  leakyRelu,
  logSigmoid,
  logSoftmax,
  relu,
  sigmoid,
  silu,
  softmax,
  softplus,
  tanh,
} from './activations.ts'
export {
  type ConvLayerOptions,
  type ConvOptions,
  type ConvParams,
  conv1d,
  conv1dLayer,
  conv2d,
  conv2dLayer,
} from './conv.ts'
export { crossEntropy, nll, softmaxCrossEntropy } from './cross-entropy.ts'
export { type DropoutOptions, dropout } from './dropout.ts'
export { type EmbeddingParams, embedding, embeddingLayer } from './embedding.ts'
export { glorotNormal, glorotUniform, heNormal, heUniform, type Initializer } from './init.ts'
export {
  type Activation,
  type DenseOptions,
  type DenseParams,
  dense,
  type Layer,
  type MlpOptions,
  type MlpParams,
  mlp,
} from './layers.ts'
export {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type HuberOptions,
  huber,
  type LossOptions,
  l2,
  mae,
  mse,
  type Reduction,
} from './losses.ts'
export { accuracy } from './metrics.ts'
export {
  type BatchNormInit,
  type BatchNormOptions,
  type BatchNormResult,
  type BatchNormState,
  batchNorm,
  batchNormInit,
  type LayerNormOptions,
  layerNorm,
  type NormParams,
  normParams,
} from './normalization.ts'
export { type AvgPoolOptions, avgPool, maxPool, type PoolOptions } from './pool.ts'
export type { Padding } from './windows.ts'
