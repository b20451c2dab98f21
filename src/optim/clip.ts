/**
 * Stateless transformations that look at the whole tree or at the parameters: clipping by the
 * global norm, and decoupled weight decay.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { type TreeLeaf, treeLeaves } from '../core/tree-util.ts'
import { value } from '../core/value.ts'
import { add, div, mul } from '../primitives/arithmetic.ts'
import { lessEqual, stopGradient, where } from '../primitives/comparison.ts'
import { sqrt, square } from '../primitives/elementwise.ts'
import { sum } from '../primitives/reduction.ts'
import { conformKind } from '../primitives/structural.ts'
import type { Tensor } from '../tensor/tensor.ts'
import {
  checkHyper,
  checkOptionsObject,
  type GradientTransformation,
  readNumber,
  zipTrees,
} from './base.ts'

/** The state of a stateless transformation. */
export type EmptyState = Readonly<Record<string, never>>

const EMPTY: EmptyState = Object.freeze({})

/**
 * The global Euclidean norm √(Σ over all leaves of Σ x²) of a tree, as a plain number (read
 * from the concrete values: clipping treats the norm as a constant). Reading values, it throws
 * `ConcretizationError` under `jit` (`clipByGlobalNorm` computes the norm in ops instead, and
 * works there). Throws `InvalidArgumentError` for a leaf that is not a number or tensor.
 * @example
 * globalNorm({ a: 3, b: tensor([4]) }) // => 5
 * @category optimizers
 */
export function globalNorm(tree: unknown): number {
  let squares = 0
  for (const leaf of treeLeaves(tree)) {
    const s = value(sum(square(leaf)))
    squares += typeof s === 'number' ? s : s.item()
  }
  return Math.sqrt(squares)
}

/**
 * The global norm as a fluxion value, in the order `globalNorm` adds (so the same number), with
 * no derivative: clipping treats the norm as a constant. Traced under `jit`.
 */
const tracedNorm = (tree: unknown): number => {
  let squares: number | Tensor = 0
  for (const leaf of treeLeaves(tree)) squares = add(squares, sum(square(leaf)))
  // a number, as globalNorm's: scaling a number leaf by it keeps the leaf a number
  return conformKind(sqrt(stopGradient(squares)), 'number') as number
}

/**
 * Clips updates by their global norm: if ‖u‖ > maxNorm, every leaf is scaled by maxNorm/‖u‖,
 * so the direction is kept and the length becomes maxNorm; otherwise updates pass unchanged.
 * The factor is chosen by `where` on the norm, so clipping works under `jit` (there the updates
 * are multiplied by 1 when not clipped: the same numbers). Throws `InvalidArgumentError` unless
 * maxNorm > 0.
 * @example
 * const clipper = clipByGlobalNorm(1)
 * clipper.update([3, 4], clipper.init([0, 0]))[0] // ≈ [0.6, 0.8]
 * @category optimizers
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<EmptyState> {
  checkHyper(maxNorm, 'maxNorm', 'clipByGlobalNorm', { min: Number.MIN_VALUE })
  return {
    init: () => EMPTY,
    update: (updates) => {
      const norm = tracedNorm(updates)
      // a norm that can be read is a plain branch (updates returned as they are); under jit, where.
      // A NaN norm fails both tests and gives a NaN factor either way, as it always did
      const known = readNumber(norm)
      if (known !== undefined && known <= maxNorm) return [updates, EMPTY]
      const factor = where(lessEqual(norm, maxNorm), 1, div(maxNorm, norm))
      return [zipTrees('clipByGlobalNorm', ['updates'], (u) => mul(factor, u), updates), EMPTY]
    },
  }
}

/** Options of `addDecayedWeights`. */
export interface DecayOptions {
  /**
   * Which parameter leaves decay (default: all). A common choice decays weight matrices but not
   * biases: `(p) => typeof p !== 'number' && p.rank >= 2`. (Under `jit` a number leaf arrives
   * traced, an object of rank 0: test the rank, not only `typeof`.)
   */
  readonly mask?: (param: TreeLeaf) => boolean
}

/**
 * Decoupled weight decay (Loshchilov & Hutter, 2019): adds λ·θ to each update, so that after
 * scaling by −η the step shrinks every parameter by η·λ·θ independently of the gradient's
 * rescaling. Needs `params` in `update`. Throws `InvalidArgumentError` unless λ ≥ 0, or when
 * `update` is called without `params`.
 * @example
 * const decay = addDecayedWeights(0.1)
 * decay.update([1], decay.init([5]), [5])[0] // => [1.5]
 * @category optimizers
 */
export function addDecayedWeights(
  weightDecay: number,
  options: DecayOptions = {},
): GradientTransformation<EmptyState> {
  checkHyper(weightDecay, 'weightDecay', 'addDecayedWeights', { min: 0 })
  checkOptionsObject(options, 'addDecayedWeights', 'addDecayedWeights(1e-4, { mask })')
  const { mask } = options
  return {
    init: () => EMPTY,
    update: (updates, _state, params) => {
      if (params === undefined) {
        throw new InvalidArgumentError('weight decay needs the parameters', {
          primitive: 'addDecayedWeights',
          hint: 'call update(grads, state, params) with the current parameters',
        })
      }
      const decayed = zipTrees(
        'addDecayedWeights',
        ['updates', 'params'],
        (u, p) => (mask === undefined || mask(p) ? add(u, mul(weightDecay, p)) : u),
        updates,
        params,
      )
      return [decayed, EMPTY]
    },
  }
}
