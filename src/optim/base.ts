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
import { InvalidArgumentError } from '../core/errors.ts'
import { type TreeLeaf, treeMap } from '../core/tree-util.ts'
import { value } from '../core/value.ts'
import { add } from '../primitives/arithmetic.ts'
import { full } from '../tensor/create.ts'

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
  return {
    init: (params) => transforms.map((t) => t.init(params)),
    update: (updates, state, params) => {
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
  return treeMap((p, u) => add(p, u), params, updates)
}

/** A leaf of the same kind and shape as `leaf`, filled with `fill`. */
export const fullLike = (leaf: TreeLeaf, fill: number): TreeLeaf =>
  typeof leaf === 'number' ? fill : full(leaf.shape, fill)

/** A tree shaped like `tree` with every leaf filled with `fill`. */
export const treeFull = <P>(tree: P, fill: number): P => treeMap((x) => fullLike(x, fill), tree)

/**
 * Throws `InvalidArgumentError` unless `x` is a finite number in the given range. A traced
 * number (a hyperparameter being differentiated) is checked by its primal value.
 */
export const checkHyper = (
  hyper: number,
  name: string,
  op: string,
  range: { readonly min?: number; readonly max?: number; readonly below?: number } = {},
): void => {
  const x = typeof hyper === 'number' ? hyper : value(hyper)
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
      `${name} must be a finite number${bounds === '' ? '' : ` ${bounds}`}, got ${String(x)}`,
      { primitive: op, hint: `pass a valid ${name}` },
    )
  }
}
