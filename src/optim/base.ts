/**
 * Gradient transformations, in the style of optax: an optimizer is a pure pair
 * `{ init(params) → state, update(updates, state, params) → [updates, state] }` over parameter
 * trees. `update` receives the gradients and returns the step to add to the parameters
 * (`applyUpdates`), so θ ← θ − η·∇θL is `sgd(η)` followed by `applyUpdates`. Nothing is
 * mutated: the state is a value that you thread from one step to the next.
 *
 * Transformations compose with `chain`, which is how the optimizers are built: `adamw` is
 * `chain(scaleByAdam(), addDecayedWeights(λ), scaleByLearningRate(η))`.
 * @module
 */
import { ConcretizationError, InvalidArgumentError } from '../core/errors.ts'
import { isTracer } from '../core/tracer.ts'
import { flatten, flattenAs, unflatten } from '../core/tree.ts'
import type { TreeLeaf } from '../core/tree-util.ts'
import { value } from '../core/value.ts'
import { add } from '../primitives/arithmetic.ts'
import { full } from '../tensor/create.ts'
import { show } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'

/**
 * A pure gradient transformation with state of type `S`. `P` is the parameter tree's type
 * (numbers and tensors in arrays and plain objects); updates have that type too.
 */
export interface GradientTransformation<S = unknown> {
  /** The initial state for parameters shaped like `params`. */
  init<P>(params: P): S
  /**
   * Transforms `updates` (the gradients, or the output of the previous transformation in a
   * chain) and returns them with the next state. `params` are needed by some transformations
   * (`addDecayedWeights`) and ignored by the rest.
   */
  update<P>(updates: P, state: S, params?: P): [P, S]
}

/** The state type of a gradient transformation. */
export type StateOf<T> = T extends GradientTransformation<infer S> ? S : never

/** The state of `chain(...transforms)`: one state per transformation, in order. */
export type ChainState<T extends readonly GradientTransformation[]> = {
  readonly [K in keyof T]: StateOf<T[K]>
}

/**
 * The transformations applied in sequence: each `update` feeds the next, and the state is the
 * tuple of their states. `chain()` is the identity.
 *
 * Laws: chain-associativity (`chain(a, chain(b, c))` updates as `chain(a, b, c)`).
 * @example
 * const opt = chain(clipByGlobalNorm(1), sgd(0.1))
 * opt.update([3, 4], opt.init([0, 0]))[0] // ≈ [-0.06, -0.08]
 * @category optimizers
 */
export function chain<const T extends readonly GradientTransformation[]>(
  ...transforms: T
): GradientTransformation<ChainState<T>>
export function chain(
  ...transforms: readonly GradientTransformation[]
): GradientTransformation<readonly unknown[]> {
  transforms.forEach((t, i) => {
    checkTransformation(t, 'chain', `argument ${i}`)
  })
  return {
    init: (params) => transforms.map((t) => t.init(params)),
    update: (updates, state, params) => {
      if (!Array.isArray(state) || state.length !== transforms.length) {
        throw new InvalidArgumentError(
          `the state of a chain of ${transforms.length} is one state per transformation, got ${show(state)}`,
          { primitive: 'chain', hint: stateHint },
        )
      }
      const next: unknown[] = []
      let current = updates
      transforms.forEach((t, i) => {
        const [u, s] = t.update(current, state[i], params)
        current = u
        next.push(s)
      })
      return [current, next]
    },
  }
}

/**
 * `params + updates`, leaf by leaf: the step an optimizer computed, applied. Throws
 * `TreeMismatchError` when the trees differ in structure or leaf shapes.
 * @example
 * applyUpdates({ w: 1, b: 2 }, { w: 0.5, b: -1 }) // => { w: 1.5, b: 1 }
 * @category optimizers
 */
export function applyUpdates<P>(params: P, updates: P): P {
  return zipTrees('applyUpdates', ['params', 'updates'], (p, u) => add(p, u), params, updates)
}

/**
 * `treeMap` for the optimizers: the leaves of `tree` and, in step, of `rest`, which must have
 * its structure. Errors name the op and each tree (`names`: the first is `tree`'s), so a state
 * built for other parameters reads "state.mu does not match the updates (in adam)".
 */
export const zipTrees = <P>(
  op: string,
  names: readonly [string, ...string[]],
  f: (leaf: TreeLeaf, ...rest: TreeLeaf[]) => TreeLeaf,
  tree: P,
  ...rest: readonly unknown[]
): P => {
  const { leaves, def } = flatten(tree, names[0])
  const others = rest.map((other, i) =>
    flattenAs(def, other, names[i + 1] ?? `tree ${i + 1}`, undefined, {
      against: `the ${names[0]}`,
      primitive: op,
      hint:
        'an optimizer state fits the parameters given to init, and updates fit the parameters: ' +
        'call init again after changing the parameters',
    }),
  )
  const mapped = leaves.map((leaf, j) =>
    f(leaf as TreeLeaf, ...others.map((o) => o[j] as TreeLeaf)),
  )
  return unflatten(def, mapped) as P
}

/** Throws unless `t` has `init` and `update` functions, as every gradient transformation does. */
export const checkTransformation = (t: unknown, op: string, what: string): void => {
  const record = t as { readonly init?: unknown; readonly update?: unknown } | null
  if (
    typeof t !== 'object' ||
    record === null ||
    typeof record.init !== 'function' ||
    typeof record.update !== 'function'
  ) {
    throw new InvalidArgumentError(
      `${what} of ${op} is ${show(t)}, not a gradient transformation`,
      {
        primitive: op,
        hint: 'pass an optimizer or transformation such as adam(0.01): an { init, update } pair',
      },
    )
  }
}

const stateHint =
  'pass the state init returned, then the one the last update returned: update(grads, state, params)'

/** Throws unless `state` is an object, as every `init` returns: `update(grads)` forgot it. */
export const checkState = (state: unknown, op: string): void => {
  if (typeof state !== 'object' || state === null) {
    throw new InvalidArgumentError(`the ${op} state is ${show(state)}, not an optimizer state`, {
      primitive: op,
      hint: stateHint,
    })
  }
}

/**
 * Throws unless `options` is an object: `cosineDecay(0.1, 100)` names what it takes instead of
 * failing on a missing field. (Where options are optional, a default `= {}` comes first.)
 */
export const checkOptionsObject = (options: unknown, op: string, example: string): void => {
  if (typeof options === 'object' && options !== null) return
  throw new InvalidArgumentError(`${op} takes an options object, got ${show(options)}`, {
    primitive: op,
    hint: `name each option: ${example}`,
  })
}

/** A leaf of the same kind and shape as `leaf`, filled with `fill`. */
export const fullLike = (leaf: TreeLeaf, fill: number): TreeLeaf =>
  typeof leaf === 'number' ? fill : full(leaf.shape, fill, { dtype: leaf.dtype })

/** A tree shaped like `tree` with every leaf filled with `fill`. */
export const treeFull = <P>(tree: P, fill: number): P =>
  zipTrees('init', ['params'], (x) => fullLike(x, fill), tree)

/**
 * Throws `InvalidArgumentError` unless `x` is a finite number in the given range. A traced
 * number (a hyperparameter being differentiated) is checked by its primal value; one traced by
 * `jit` (an argument of the jitted step) has none while tracing, and is not checked.
 */
export const checkHyper = (
  hyper: number,
  name: string,
  op: string,
  range: { readonly min?: number; readonly max?: number; readonly below?: number } = {},
): void => {
  // only a traced number is read: anything else is reported as given. Under jit (a rate passed
  // to the jitted function) it cannot be read while tracing, and is not checked
  const v: unknown = hyper
  const x = typeof v === 'number' ? v : isTracer(v) ? readNumber(v) : v
  if (isTracer(v) && x === undefined) return
  const ok =
    typeof x === 'number' &&
    Number.isFinite(x) &&
    (range.min === undefined || x >= range.min) &&
    (range.max === undefined || x <= range.max) &&
    (range.below === undefined || x < range.below)
  if (!ok) {
    const bounds = [
      range.min === undefined ? '' : `≥ ${range.min}`,
      range.max === undefined ? '' : `≤ ${range.max}`,
      range.below === undefined ? '' : `< ${range.below}`,
    ]
      .filter((b) => b !== '')
      .join(' and ')
    throw new InvalidArgumentError(
      `${name} must be a finite number${bounds === '' ? '' : ` ${bounds}`}, got ${show(x)}`,
      { primitive: op, hint: `pass a valid ${name}` },
    )
  }
}

/**
 * The number under `x` where it can be read (a number, a one-element tensor, or such a value
 * traced by `grad`), or
 * undefined where it cannot: under `jit` (and `vmap`) a value stands for every call's value, so
 * checks that read one (a schedule's rate, the loss `trainStep` reports) are skipped there.
 */
export const readNumber = (x: unknown): number | undefined => {
  if (typeof x === 'number') return x
  if (!isTracer(x) && !(x instanceof Tensor)) return undefined
  try {
    const v = value(x as number | Tensor)
    return typeof v === 'number' ? v : v.size === 1 ? v.item() : undefined
  } catch (e) {
    if (e instanceof ConcretizationError) return undefined
    throw e
  }
}

/**
 * The step count of `state`, checked: a number (traced under `jit`, where it is an input of the
 * compiled program, so one program serves every step). Anything else is a state not made by
 * this transformation's `init`.
 */
export const stateCount = (state: { readonly count: number }, op: string): number => {
  const count: unknown = state.count
  if (typeof count === 'number' || isTracer(count)) return state.count
  throw new InvalidArgumentError(`state.count is ${show(count)}, not a step count (a number)`, {
    primitive: op,
    hint: stateHint,
  })
}
