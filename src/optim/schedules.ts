/**
 * Learning-rate schedules: functions from the step count (0 for the first update) to a rate.
 * Wherever an optimizer takes a learning rate, it takes a number or a schedule.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { isTracer } from '../core/tracer.ts'
import { value } from '../core/value.ts'
import { show } from '../tensor/shape.ts'
import { checkHyper, checkOptionsObject } from './base.ts'

/** A learning rate as a function of the step count: 0 for the first update, then 1, 2, … */
export type Schedule = (step: number) => number

/** A fixed learning rate, or a schedule. */
export type LearningRate = number | Schedule

/**
 * The rate at `step`; throws `InvalidArgumentError` if it is not finite. A number may be traced
 * (to differentiate through the update with respect to the rate), so a schedule is recognised
 * as a function, never by `typeof rate === 'number'`.
 */
export const rateAt = (rate: LearningRate, step: number, op: string): number => {
  const r = typeof rate === 'function' ? rate(step) : rate
  // a schedule may return anything: only a traced number is read through value()
  const v: unknown = r
  const x = typeof v === 'number' ? v : isTracer(v) ? value(r) : v
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new InvalidArgumentError(`the learning rate at step ${step} is ${show(x)}`, {
      primitive: op,
      hint: 'a learning rate (or schedule value) must be a finite number',
    })
  }
  return r
}

/**
 * The schedule that is `value` at every step.
 * @example
 * constantSchedule(0.1)(1000) // => 0.1
 * @category schedules
 */
export function constantSchedule(value: number): Schedule {
  checkHyper(value, 'value', 'constantSchedule')
  return () => value
}

/** Options of `exponentialDecay`. */
export interface ExponentialDecayOptions {
  /** The rate at step 0. */
  readonly init: number
  /** The factor applied every `transitionSteps` steps (e.g. 0.5 halves the rate). */
  readonly decayRate: number
  /** Steps per factor of `decayRate` (> 0). */
  readonly transitionSteps: number
  /** Decay in whole jumps every `transitionSteps` steps instead of smoothly (default false). */
  readonly staircase?: boolean
  /** The rate stays at `init` before this step (default 0). */
  readonly begin?: number
  /** A floor (or, for decayRate > 1, a ceiling) the rate never passes. */
  readonly end?: number
}

/**
 * Exponential decay: init · decayRate^((step − begin) / transitionSteps) for step ≥ begin,
 * `init` before, optionally in whole jumps (`staircase`) and bounded by `end` (optax's
 * `exponential_decay`). Throws `InvalidArgumentError` unless transitionSteps > 0 and
 * decayRate > 0.
 * @example
 * exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 10 })(20) // => 0.25
 * @category schedules
 */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule {
  checkOptionsObject(
    options,
    'exponentialDecay',
    'exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 100 })',
  )
  const { init, decayRate, transitionSteps, staircase = false, begin = 0, end } = options
  checkHyper(init, 'init', 'exponentialDecay')
  checkHyper(decayRate, 'decayRate', 'exponentialDecay', { min: Number.MIN_VALUE })
  checkHyper(transitionSteps, 'transitionSteps', 'exponentialDecay', { min: Number.MIN_VALUE })
  checkHyper(begin, 'begin', 'exponentialDecay', { min: 0 })
  if (end !== undefined) checkHyper(end, 'end', 'exponentialDecay')
  return (step) => {
    if (step < begin) return init
    const p = (step - begin) / transitionSteps
    const rate = init * decayRate ** (staircase ? Math.floor(p) : p)
    if (end === undefined) return rate
    return decayRate < 1 ? Math.max(rate, end) : Math.min(rate, end)
  }
}

/** Options of `cosineDecay`. */
export interface CosineDecayOptions {
  /** The rate at step 0. */
  readonly init: number
  /** Steps over which the rate falls to alpha·init, where it then stays (> 0). */
  readonly decaySteps: number
  /** The final rate as a fraction of `init` (default 0). */
  readonly alpha?: number
}

/**
 * Cosine decay (Loshchilov & Hutter's SGDR without restarts):
 * init · ((1 − α)·½(1 + cos(π·min(step, decaySteps)/decaySteps)) + α). Throws
 * `InvalidArgumentError` unless decaySteps > 0.
 * @example
 * cosineDecay({ init: 1, decaySteps: 100 })(50) // ≈ 0.5
 * @category schedules
 */
export function cosineDecay(options: CosineDecayOptions): Schedule {
  checkOptionsObject(options, 'cosineDecay', 'cosineDecay({ init: 0.1, decaySteps: 100 })')
  const { init, decaySteps, alpha = 0 } = options
  checkHyper(init, 'init', 'cosineDecay')
  checkHyper(decaySteps, 'decaySteps', 'cosineDecay', { min: Number.MIN_VALUE })
  checkHyper(alpha, 'alpha', 'cosineDecay')
  return (step) => {
    const progress = Math.min(Math.max(step, 0), decaySteps) / decaySteps
    const cosine = 0.5 * (1 + Math.cos(Math.PI * progress))
    return init * ((1 - alpha) * cosine + alpha)
  }
}

/** Options of `linearWarmup`. */
export interface LinearWarmupOptions {
  /** The rate reached at the end of the warm-up. */
  readonly peak: number
  /** Length of the warm-up in steps (> 0). */
  readonly steps: number
  /** The rate at step 0 (default 0). */
  readonly init?: number
  /** The schedule after the warm-up, started at its own step 0 (default: `peak` forever). */
  readonly after?: Schedule
}

/**
 * Linear warm-up: the rate rises linearly from `init` to `peak` over `steps` steps, then
 * follows `after` (shifted so that it starts at its step 0), or stays at `peak`. Warm-up keeps
 * the first, poorly informed steps of adaptive optimizers small. Throws `InvalidArgumentError`
 * unless steps > 0.
 * @example
 * const schedule = linearWarmup({ peak: 1, steps: 10 })
 * schedule(5) // => 0.5
 * @category schedules
 */
export function linearWarmup(options: LinearWarmupOptions): Schedule {
  checkOptionsObject(options, 'linearWarmup', 'linearWarmup({ peak: 0.1, steps: 100 })')
  const { peak, steps, init = 0, after } = options
  checkHyper(peak, 'peak', 'linearWarmup')
  checkHyper(steps, 'steps', 'linearWarmup', { min: Number.MIN_VALUE })
  checkHyper(init, 'init', 'linearWarmup')
  return (step) => {
    if (step < steps) return init + ((peak - init) * Math.max(step, 0)) / steps
    return after === undefined ? peak : after(step - steps)
  }
}
