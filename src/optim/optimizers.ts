/**
 * The optimizers: SGD (with momentum and Nesterov), Adam, AdamW, RMSprop and Adagrad, each a
 * `chain` of the building blocks in `scale.ts` and `clip.ts`, as in optax. The update each
 * returns already includes the −η: add it to the parameters with `applyUpdates`.
 *
 * @example
 * const loss = (p: { w: number }) => mul(sub(p.w, 3), sub(p.w, 3))
 * const opt = adam(0.1)
 * let params = { w: 0 }
 * let state = opt.init(params)
 * for (let step = 0; step < 200; step++) {
 *   const [updates, next] = opt.update(grad(loss)(params), state, params)
 *   params = applyUpdates(params, updates)
 *   state = next
 * }
 * Math.abs(params.w - 3) < 0.05 // => true
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { chain, checkOptionsObject, type GradientTransformation } from './base.ts'
import { addDecayedWeights, type DecayOptions } from './clip.ts'
import {
  type AdamOptions,
  type RmsOptions,
  type RssOptions,
  scaleByAdam,
  scaleByLearningRate,
  scaleByRms,
  scaleByRss,
  trace,
} from './scale.ts'
import type { LearningRate } from './schedules.ts'

const checkNesterov = (momentum: number | undefined, nesterov: boolean, op: string): void => {
  if (nesterov && momentum === undefined) {
    throw new InvalidArgumentError('Nesterov momentum needs a momentum', {
      primitive: op,
      hint: 'pass { momentum: 0.9, nesterov: true }',
    })
  }
}

/** Options of `sgd`. */
export interface SgdOptions {
  /** Momentum μ in [0, 1] (default: none). */
  readonly momentum?: number
  /** Nesterov momentum (default false; needs `momentum`). */
  readonly nesterov?: boolean
}

/**
 * Stochastic gradient descent θ ← θ − η·g; with momentum μ, t ← g + μ·t and θ ← θ − η·t; with
 * Nesterov momentum, θ ← θ − η·(g + μ·t) using the updated t (optax's `sgd`). The rate η may be
 * a schedule. Throws `InvalidArgumentError` for a non-finite rate, μ outside [0, 1], or
 * `nesterov` without `momentum`.
 * @example
 * const opt = sgd(0.1)
 * opt.update({ w: 2 }, opt.init({ w: 0 }))[0] // => { w: -0.2 }
 * @category optimizers
 */
export function sgd(learningRate: LearningRate, options: SgdOptions = {}): GradientTransformation {
  checkOptionsObject(options, 'sgd', 'sgd(0.1, { momentum: 0.9 })')
  const { momentum, nesterov = false } = options
  checkNesterov(momentum, nesterov, 'sgd')
  const step = scaleByLearningRate(learningRate)
  return momentum === undefined ? chain(step) : chain(trace({ decay: momentum, nesterov }), step)
}

/**
 * Adam (Kingma & Ba, 2015): bias-corrected moment estimates m̂, v̂ of the gradient and its
 * square, and θ ← θ − η·m̂ / (√v̂ + ε). See `scaleByAdam` for the full rule. Defaults β₁ = 0.9,
 * β₂ = 0.999, ε = 1e-8. Throws `InvalidArgumentError` for invalid hyperparameters.
 * @example
 * const opt = adam(0.1)
 * opt.update([5], opt.init([0]))[0] // ≈ [-0.1]
 * @category optimizers
 */
export function adam(
  learningRate: LearningRate,
  options: AdamOptions = {},
): GradientTransformation {
  return chain(scaleByAdam(options), scaleByLearningRate(learningRate))
}

/** Options of `adamw`. */
export interface AdamWOptions extends AdamOptions, DecayOptions {
  /** The decoupled weight decay λ (default 1e-4, as in optax). */
  readonly weightDecay?: number
}

/**
 * AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay,
 * θ ← θ − η·(m̂ / (√v̂ + ε) + λ·θ). Unlike an L2 term in the loss, the decay is not rescaled by
 * Adam's √v̂. Needs `params` in `update`. Throws `InvalidArgumentError` for invalid
 * hyperparameters.
 * @example
 * const opt = adamw(0.1, { weightDecay: 0.5 })
 * opt.update([5], opt.init([2]), [2])[0] // ≈ [-0.2]
 * @category optimizers
 */
export function adamw(
  learningRate: LearningRate,
  options: AdamWOptions = {},
): GradientTransformation {
  checkOptionsObject(options, 'adamw', 'adamw(0.001, { weightDecay: 1e-4 })')
  const { weightDecay = 1e-4, mask, ...adamOptions } = options
  return chain(
    scaleByAdam(adamOptions),
    addDecayedWeights(weightDecay, mask === undefined ? {} : { mask }),
    scaleByLearningRate(learningRate),
  )
}

/** Options of `rmsprop`. */
export interface RmsPropOptions extends RmsOptions {
  /** Momentum applied after the rescaling and the rate (default: none). */
  readonly momentum?: number
  /** Nesterov momentum (default false; needs `momentum`). */
  readonly nesterov?: boolean
}

/**
 * RMSprop (Tieleman & Hinton, 2012, as in optax): ν ← ρν + (1 − ρ)g² and θ ← θ − η·g/√(ν + ε),
 * optionally followed by momentum. Defaults ρ = 0.9, ε = 1e-8. Throws `InvalidArgumentError`
 * for invalid hyperparameters.
 * @example
 * const opt = rmsprop(0.1, { decay: 0.75, eps: 0 })
 * opt.update([2], opt.init([0]))[0] // ≈ [-0.2]
 * @category optimizers
 */
export function rmsprop(
  learningRate: LearningRate,
  options: RmsPropOptions = {},
): GradientTransformation {
  checkOptionsObject(options, 'rmsprop', 'rmsprop(0.01, { decay: 0.9 })')
  const { momentum, nesterov = false, ...rmsOptions } = options
  checkNesterov(momentum, nesterov, 'rmsprop')
  const scaled = [scaleByRms(rmsOptions), scaleByLearningRate(learningRate)] as const
  return momentum === undefined
    ? chain(...scaled)
    : chain(...scaled, trace({ decay: momentum, nesterov }))
}

/**
 * Adagrad (Duchi, Hazan & Singer, 2011, as in optax): s ← s + g² (s starting at 0.1) and
 * θ ← θ − η·g/√(s + ε), so often-updated coordinates take ever smaller steps. Throws
 * `InvalidArgumentError` for invalid hyperparameters.
 * @example
 * const opt = adagrad(1, { initialAccumulatorValue: 0, eps: 0 })
 * opt.update([3], opt.init([0]))[0] // => [-1]
 * @category optimizers
 */
export function adagrad(
  learningRate: LearningRate,
  options: RssOptions = {},
): GradientTransformation {
  return chain(scaleByRss(options), scaleByLearningRate(learningRate))
}
