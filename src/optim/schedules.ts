/**
 * Learning-rate schedules: functions from the step count (0 for the first update) to a rate.
 * Wherever an optimizer takes a learning rate, it takes a number or a schedule.
 *
 * The built-in schedules are written in fluxion ops, piecewise ones with `where` rather than a
 * JS branch on the step: called with a number they give a number (the ops are then JS's own
 * arithmetic), and called with the count traced by `jit` of a training step they are recorded
 * into the program, so one compiled step serves every step count.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { isTracer } from '../core/tracer.ts'
import { add, div, maximum, minimum, mul, pow, sub } from '../primitives/arithmetic.ts'
import { less, where } from '../primitives/comparison.ts'
import { floorDivide } from '../primitives/remainder.ts'
import { cos } from '../primitives/trigonometric.ts'
import { show } from '../tensor/shape.ts'
import { checkHyper, checkOptionsObject, readNumber } from './base.ts'

/**
 * A learning rate as a function of the step count: 0 for the first update, then 1, 2, … Under
 * `jit` of a training step the count is a traced scalar, as every argument of a jitted function
 * is: compute with fluxion ops (`mul`, `pow`, `where` for a piecewise rate), never with JS
 * operators or a JS branch on the step, which throw `TracedArithmeticError` or
 * `ConcretizationError` there. The built-in schedules do.
 */
export type Schedule = (step: number) => number

/** A fixed learning rate, or a schedule. */
export type LearningRate = number | Schedule

/**
 * The rate at `step`; throws `InvalidArgumentError` if it is not finite. A number may be traced
 * (to differentiate through the update with respect to the rate), so a schedule is recognised
 * as a function, never by `typeof rate === 'number'`. A rate that cannot be read (traced by
 * `jit`, from a traced step) is not checked: its value is not known until the program runs.
 */
export const rateAt = (rate: LearningRate, step: number, op: string): number => {
  const r = typeof rate === 'function' ? rate(step) : rate
  // a schedule may return anything: a traced value is read where it can be
  const v: unknown = r
  const x = isTracer(v) ? readNumber(v) : v
  if (isTracer(v) && x === undefined) return r
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    const at = readNumber(step)
    throw new InvalidArgumentError(`the learning rate at step ${at ?? 'traced'} is ${show(x)}`, {
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
    const p = div(sub(step, begin), transitionSteps)
    // floorDivide(p, 1) is ⌊p⌋ exactly: p − (p mod 1) loses nothing
    const rate = mul(init, pow(decayRate, staircase ? floorDivide(p, 1) : p))
    const bounded =
      end === undefined ? rate : decayRate < 1 ? maximum(rate, end) : minimum(rate, end)
    return where(less(step, begin), init, bounded)
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
    const progress = div(minimum(maximum(step, 0), decaySteps), decaySteps)
    const cosine = mul(0.5, add(1, cos(mul(Math.PI, progress))))
    return mul(init, add(mul(sub(1, alpha), cosine), alpha))
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
 * the first, poorly informed steps of adaptive optimizers small. `after` is called at every
 * step, at negative ones during the warm-up too (its value is then discarded by `where`), so
 * that the schedule is one computation under `jit`. Throws `InvalidArgumentError` unless
 * steps > 0.
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
    const rising = add(init, div(mul(sub(peak, init), maximum(step, 0)), steps))
    // `after` is evaluated at every step (at negative ones during the warm-up), where picks
    const later = after === undefined ? peak : after(sub(step, steps))
    return where(less(step, steps), rising, later)
  }
}
