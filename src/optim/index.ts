/**
 * fluxion/optim: optimizers as pure `{ init, update }` pairs over parameter trees, in the style
 * of optax — SGD (momentum, Nesterov), Adam, AdamW, RMSprop, Adagrad, built by `chain` from
 * small transformations (clipping, weight decay, rescalings), with learning-rate schedules and
 * a training loop.
 *
 * One step of training is three lines:
 * ```ts
 * const [updates, nextState] = optimizer.update(grad(loss)(params), state, params)
 * params = applyUpdates(params, updates)
 * state = nextState
 * ```
 * and the whole step compiles: under `jit` the step counts in the states are traced inputs of
 * the program, and the schedules and clipping compute in fluxion ops, so
 * `jit(trainStep(loss, optimizer))` (or `{ jit: 'step' }`) replays one program for every step,
 * with the eager step's numbers. A schedule of your own must then use fluxion ops as well.
 * @module
 */

export {
  applyUpdates,
  type ChainState,
  chain,
  type GradientTransformation,
  type StateOf,
} from './base.ts'
export {
  addDecayedWeights,
  clipByGlobalNorm,
  type DecayOptions,
  type EmptyState,
  globalNorm,
} from './clip.ts'
export {
  type AdamWOptions,
  adagrad,
  adam,
  adamw,
  type RmsPropOptions,
  rmsprop,
  type SgdOptions,
  sgd,
} from './optimizers.ts'
export {
  type AdamOptions,
  type AdamState,
  type CountState,
  type RmsOptions,
  type RmsState,
  type RssOptions,
  type RssState,
  scaleByAdam,
  scaleByLearningRate,
  scaleByRms,
  scaleByRss,
  type TraceOptions,
  type TraceState,
  trace,
} from './scale.ts'
export {
  type CosineDecayOptions,
  constantSchedule,
  cosineDecay,
  type ExponentialDecayOptions,
  exponentialDecay,
  type LearningRate,
  type LinearWarmupOptions,
  linearWarmup,
  type Schedule,
} from './schedules.ts'
export {
  type Progress,
  type StepOptions,
  type TrainOptions,
  type TrainResult,
  train,
  trainStep,
} from './train.ts'
