/**
 * Stateless transformations that look at the whole tree or at the parameters: clipping by the
 * global norm, and decoupled weight decay.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { dtypeOf } from '../core/tracer.ts'
import { type TreeLeaf, treeLeaves } from '../core/tree-util.ts'
import { value } from '../core/value.ts'
import { add, div, maximum, mul } from '../primitives/arithmetic.ts'
import { astype } from '../primitives/astype.ts'
import { greater, less, lessEqual, stopGradient, where } from '../primitives/comparison.ts'
import { abs, sqrt, square } from '../primitives/elementwise.ts'
import { max, sum } from '../primitives/reduction.ts'
import { conformKind } from '../primitives/structural.ts'
import type { DType, Tensor } from '../tensor/tensor.ts'
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
 * from the concrete values). Computed as `clipByGlobalNorm` computes it, scaled by a power of two
 * when its entries are huge or tiny, so that a norm of 5·10²⁰⁰ or 5·10⁻²⁰⁰ comes out right
 * instead of ∞ or 0. Reading values, it throws `ConcretizationError` under `jit`
 * (`clipByGlobalNorm` computes the norm in ops instead, and works there). Throws
 * `InvalidArgumentError` for a leaf that is not a number or tensor.
 * @example
 * globalNorm({ a: 3, b: tensor([4]) }) // => 5
 * globalNorm([3e200, 4e200]) // ≈ 5e200
 * @category optimizers
 */
export function globalNorm(tree: unknown): number {
  return value(normOf(tree))
}

/**
 * When a sum of squares needs scaling: entries of magnitude beyond `huge` or below `tiny` may
 * overflow or underflow it in their dtype; `shrink` and `grow` are the powers of two that bring
 * them back (exact scalings, so ordinary inputs keep their bits).
 */
interface Scaling {
  readonly huge: number
  readonly tiny: number
  readonly shrink: number
  readonly grow: number
}
const FLOAT64: Scaling = { huge: 2 ** 480, tiny: 2 ** -480, shrink: 2 ** -600, grow: 2 ** 600 }
const FLOAT32: Scaling = { huge: 2 ** 40, tiny: 2 ** -40, shrink: 2 ** -88, grow: 2 ** 88 }
const scalingOf = (dtype: DType): Scaling => (dtype === 'float32' ? FLOAT32 : FLOAT64)

/** The scale for entries of largest magnitude m: 1, or a power of two when m is huge or tiny. */
const scaleFor = (m: number, { huge, tiny, shrink, grow }: Scaling): number =>
  // (m = 0 takes `grow` harmlessly: its squares are 0 either way)
  where(greater(m, huge), shrink, where(less(m, tiny), grow, 1))

/** A value as a float64 number (a rank-0 float32 sum read exactly). */
const asNumber = (v: number | Tensor): number =>
  conformKind(typeof v === 'number' ? v : astype(v, 'float64'), 'number') as number

/**
 * The global norm in ops, differentiable (traced under `jit`). Each leaf's squares are summed in
 * its own dtype, scaled by a power of two when its entries are huge or tiny there; the leaves'
 * sums are added in float64, rescaled to one power of two chosen by the largest magnitude of all.
 * Where nothing is huge or tiny every scale is 1, and the norm is √(Σ x²) with its usual bits.
 */
const normOf = (tree: unknown): number => {
  const parts: { largest: number; scale: number; squares: number }[] = []
  for (const leaf of treeLeaves(tree)) {
    if (typeof leaf !== 'number' && leaf.size === 0) continue
    // the scales are constants of each branch: no derivative flows through the largest magnitude
    const largest = asNumber(stopGradient(typeof leaf === 'number' ? abs(leaf) : max(abs(leaf))))
    const scale = scaleFor(largest, scalingOf(dtypeOf(leaf)))
    parts.push({ largest, scale, squares: asNumber(sum(square(mul(leaf, scale)))) })
  }
  const scale = scaleFor(
    parts.reduce<number>((m, p) => maximum(m, p.largest), 0),
    FLOAT64,
  )
  let squares = 0
  for (const part of parts) {
    // a ratio of powers of two (0 for a leaf too small to count beside the largest)
    const ratio = div(scale, part.scale)
    squares = add(squares, mul(mul(part.squares, ratio), ratio))
  }
  return div(sqrt(squares), scale)
}

/**
 * Clips updates by their global norm: if ‖u‖ > maxNorm, every leaf is scaled by maxNorm/‖u‖,
 * so the direction is kept and the length becomes maxNorm; otherwise updates pass unchanged.
 * The factor is chosen by `where` on the norm, so clipping works under `jit` (there the updates
 * are multiplied by 1 when not clipped: the same numbers). The norm is computed as `globalNorm`
 * computes it (right at every scale), and differentiated: the derivative of clipped updates is
 * that of maxNorm·u/‖u‖, as optax's. Throws `InvalidArgumentError` unless maxNorm > 0.
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
      const norm = normOf(updates)
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
