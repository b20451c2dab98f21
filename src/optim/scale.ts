/**
 * The building blocks of the optimizers, each a gradient transformation: momentum (`trace`),
 * the adaptive rescalings of Adam, RMSprop and Adagrad, and the learning-rate step. The
 * optimizers in `optimizers.ts` are chains of these, exactly as in optax.
 *
 * The update rules are written with fluxion ops on each leaf (number or tensor), and so is the
 * step count's arithmetic (`add(count, 1)`, Adam's 1 − βᵗ as `sub(1, pow(β, t))`): they are
 * ordinary computations, traced like any other code. Under `jit` of a whole training step the
 * count is an input of the program — one program serves every step — and on plain numbers
 * the ops are JS's own arithmetic, so eager results are unchanged to the bit.
 * @module
 */
import type { TreeLeaf } from '../core/tree-util.ts'
import { add, div, mul, neg, pow, sub } from '../primitives/arithmetic.ts'
import { lessEqual, where } from '../primitives/comparison.ts'
import { sqrt, square } from '../primitives/elementwise.ts'
import {
  checkHyper,
  checkOptionsObject,
  checkState,
  type GradientTransformation,
  stateCount,
  treeFull,
  zipTrees,
} from './base.ts'
import { type LearningRate, rateAt } from './schedules.ts'

/** State of `scaleByLearningRate`: how many updates have been made. */
export type CountState = {
  /** Updates made so far (0 before the first); a traced scalar inside `jit`. */
  readonly count: number
}

/**
 * Multiplies updates by −η, with η the learning rate (a number, or a schedule evaluated at the
 * step count, 0 first): the "− η·" of θ ← θ − η·g. A numeric rate may be traced, so
 * `grad` can differentiate a training step with respect to η (hypergradients). Under `jit` the
 * count a schedule receives is traced: the built-in schedules compute in fluxion ops, and a
 * schedule of your own must too (see `Schedule`). Throws `InvalidArgumentError` for a
 * non-finite rate (a rate traced by `jit` cannot be read, so it is not checked there), or a
 * state whose count is not a number.
 * @example
 * const step = scaleByLearningRate(0.1)
 * step.update([1, 2], step.init([0, 0]))[0] // => [-0.1, -0.2]
 * @category optimizers
 */
export function scaleByLearningRate(rate: LearningRate): GradientTransformation<CountState> {
  if (typeof rate !== 'function') checkHyper(rate, 'learning rate', 'scaleByLearningRate')
  return {
    init: () => ({ count: 0 }),
    update: (updates, state) => {
      checkState(state, 'scaleByLearningRate')
      const count = stateCount(state, 'scaleByLearningRate')
      const eta = rateAt(rate, count, 'scaleByLearningRate')
      const step = zipTrees('scaleByLearningRate', ['updates'], (u) => mul(neg(eta), u), updates)
      return [step, { count: add(count, 1) }]
    },
  }
}

/** State of `trace`: the running momentum t. */
export type TraceState = {
  /** The momentum t, a tree shaped like the params: t ← g + μ·t. */
  readonly trace: unknown
}

/** Options of `trace`. */
export interface TraceOptions {
  /** The momentum μ in [0, 1]. */
  readonly decay: number
  /** Nesterov's look-ahead: output g + μ·t instead of t (default false). */
  readonly nesterov?: boolean
}

/**
 * Momentum (optax's `trace`): t ← g + μ·t, starting from t = 0, and the update is t — or, with
 * Nesterov momentum, g + μ·t (the gradient plus the momentum's next step). Throws
 * `InvalidArgumentError` unless μ ∈ [0, 1].
 * @example
 * const momentum = trace({ decay: 0.9 })
 * const [, state] = momentum.update([1], momentum.init([0]))
 * momentum.update([1], state)[0] // => [1.9]
 * @category optimizers
 */
export function trace(options: TraceOptions): GradientTransformation<TraceState> {
  checkOptionsObject(options, 'trace', 'trace({ decay: 0.9 })')
  const { decay, nesterov = false } = options
  checkHyper(decay, 'momentum', 'trace', { min: 0, max: 1 })
  const accumulate = (g: TreeLeaf, t: TreeLeaf) => add(g, mul(decay, t))
  return {
    init: (params) => ({ trace: treeFull(params, 0) }),
    update: (updates, state) => {
      checkState(state, 'trace')
      const next = zipTrees('trace', ['updates', 'state.trace'], accumulate, updates, state.trace)
      const out = nesterov ? zipTrees('trace', ['updates'], accumulate, updates, next) : next
      return [out, { trace: next }]
    },
  }
}

/** State of `scaleByAdam`: the step count and the first and second moment estimates. */
export type AdamState = {
  /** Updates made so far, for the bias correction 1 − βᵗ; a traced scalar inside `jit`. */
  readonly count: number
  /** First moment m, the running average of g, a tree shaped like the params. */
  readonly mu: unknown
  /** Second moment v, the running average of g², a tree shaped like the params. */
  readonly nu: unknown
}

/** Options of `scaleByAdam` and `adam`. */
export interface AdamOptions {
  /** Decay of the first moment m (default 0.9). */
  readonly b1?: number
  /** Decay of the second moment v (default 0.999). */
  readonly b2?: number
  /** Added to √v̂ in the denominator (default 1e-8). */
  readonly eps?: number
  /** Added to v̂ under the square root (default 0). */
  readonly epsRoot?: number
}

/**
 * Adam's rescaling (Kingma & Ba, 2015, Algorithm 1), per leaf with g the update and t the step
 * (1 first): m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), and
 * the update is m̂ / (√(v̂ + ε_root) + ε). Throws `InvalidArgumentError` unless β₁, β₂ ∈ [0, 1)
 * and ε, ε_root ≥ 0.
 * @example
 * const t = scaleByAdam()
 * t.update([2], t.init([0]))[0] // ≈ [2 / (2 + 1e-8)]
 * @category optimizers
 */
export function scaleByAdam(options: AdamOptions = {}): GradientTransformation<AdamState> {
  checkOptionsObject(options, 'adam', 'adam(0.001, { b1: 0.9 })')
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0 } = options
  checkHyper(b1, 'b1', 'adam', { min: 0, below: 1 })
  checkHyper(b2, 'b2', 'adam', { min: 0, below: 1 })
  checkHyper(eps, 'eps', 'adam', { min: 0 })
  checkHyper(epsRoot, 'epsRoot', 'adam', { min: 0 })
  return {
    init: (params) => ({ count: 0, mu: treeFull(params, 0), nu: treeFull(params, 0) }),
    update: (updates, state) => {
      checkState(state, 'adam')
      const mu = zipTrees(
        'adam',
        ['updates', 'state.mu'],
        (g, m) => add(mul(b1, m), mul(sub(1, b1), g)),
        updates,
        state.mu,
      )
      const nu = zipTrees(
        'adam',
        ['updates', 'state.nu'],
        (g, v) => add(mul(b2, v), mul(sub(1, b2), square(g))),
        updates,
        state.nu,
      )
      const count = add(stateCount(state, 'adam'), 1)
      // bias correction: m and v start at 0, so early averages underestimate by (1 − βᵗ); in
      // ops, so that under jit t is the program's input rather than a constant of its trace
      const mCorrection = sub(1, pow(b1, count))
      const vCorrection = sub(1, pow(b2, count))
      const out = zipTrees(
        'adam',
        ['state.mu', 'state.nu'],
        (m, v) => div(div(m, mCorrection), add(sqrt(add(div(v, vCorrection), epsRoot)), eps)),
        mu,
        nu,
      )
      return [out, { count, mu, nu }]
    },
  }
}

/** State of `scaleByRms`: the running average of squared updates. */
export type RmsState = {
  /** Running average of g², a tree shaped like the params. */
  readonly nu: unknown
}

/** Options of `scaleByRms` and `rmsprop`. */
export interface RmsOptions {
  /** Decay ρ of the running average of g² (default 0.9). */
  readonly decay?: number
  /** Added to the average under the square root (default 1e-8). */
  readonly eps?: number
  /** The average's starting value (default 0). */
  readonly initialScale?: number
}

/**
 * RMSprop's rescaling (Tieleman & Hinton, 2012, as in optax): ν ← ρν + (1 − ρ)g², and the
 * update is g / √(ν + ε). Throws `InvalidArgumentError` unless ρ ∈ [0, 1] and ε,
 * initialScale ≥ 0.
 * @example
 * const t = scaleByRms({ decay: 0.75, eps: 0 })
 * t.update([2], t.init([0]))[0] // => [2]
 * @category optimizers
 */
export function scaleByRms(options: RmsOptions = {}): GradientTransformation<RmsState> {
  checkOptionsObject(options, 'rmsprop', 'rmsprop(0.01, { decay: 0.9 })')
  const { decay = 0.9, eps = 1e-8, initialScale = 0 } = options
  checkHyper(decay, 'decay', 'rmsprop', { min: 0, max: 1 })
  checkHyper(eps, 'eps', 'rmsprop', { min: 0 })
  checkHyper(initialScale, 'initialScale', 'rmsprop', { min: 0 })
  return {
    init: (params) => ({ nu: treeFull(params, initialScale) }),
    update: (updates, state) => {
      checkState(state, 'rmsprop')
      const names = ['updates', 'state.nu'] as const
      const nu = zipTrees(
        'rmsprop',
        names,
        (g, n) => add(mul(decay, n), mul(sub(1, decay), square(g))),
        updates,
        state.nu,
      )
      return [zipTrees('rmsprop', names, (g, n) => div(g, sqrt(add(n, eps))), updates, nu), { nu }]
    },
  }
}

/** State of `scaleByRss`: the sum of all squared updates so far. */
export type RssState = {
  /** The initial value plus g² summed over all updates, a tree shaped like the params. */
  readonly sumOfSquares: unknown
}

/** Options of `scaleByRss` and `adagrad`. */
export interface RssOptions {
  /** The sum's starting value (default 0.1). */
  readonly initialAccumulatorValue?: number
  /** Added to the sum under the square root (default 1e-7). */
  readonly eps?: number
}

/**
 * Adagrad's rescaling (Duchi, Hazan & Singer, 2011, as in optax): s ← s + g², and the update is
 * g / √(s + ε) where s > 0 (0 where s = 0; NaN where s is NaN, as optax). Throws `InvalidArgumentError` unless both options
 * are ≥ 0.
 * @example
 * const t = scaleByRss({ initialAccumulatorValue: 0, eps: 0 })
 * t.update([3], t.init([0]))[0] // => [1]
 * @category optimizers
 */
export function scaleByRss(options: RssOptions = {}): GradientTransformation<RssState> {
  checkOptionsObject(options, 'adagrad', 'adagrad(0.1, { eps: 1e-7 })')
  const { initialAccumulatorValue = 0.1, eps = 1e-7 } = options
  checkHyper(initialAccumulatorValue, 'initialAccumulatorValue', 'adagrad', { min: 0 })
  checkHyper(eps, 'eps', 'adagrad', { min: 0 })
  return {
    init: (params) => ({ sumOfSquares: treeFull(params, initialAccumulatorValue) }),
    update: (updates, state) => {
      checkState(state, 'adagrad')
      const names = ['updates', 'state.sumOfSquares'] as const
      const sumOfSquares = zipTrees(
        'adagrad',
        names,
        (g, s) => add(s, square(g)),
        updates,
        state.sumOfSquares,
      )
      const out = zipTrees(
        'adagrad',
        names,
        // s ≤ 0 rather than s > 0: a NaN sum (from a NaN gradient) must give NaN, not a 0 update
        (g, s) => where(lessEqual(s, 0), 0, div(g, sqrt(add(s, eps)))),
        updates,
        sumOfSquares,
      )
      return [out, { sumOfSquares }]
    },
  }
}
