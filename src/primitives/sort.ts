/**
 * Sorting: the primitive `argsort` (a stable sorting permutation along the last axis, zero
 * derivative) and the compositions `sort` and `topK`, which gather by that permutation — so
 * their derivative is a gather of the tangent by it, and each output entry's derivative is that
 * of the input entry the stable order puts there (between equal entries it does not split, as
 * `max`'s does: the last of several tied maxima in index order is `sort`'s last entry, and gets
 * all of it there).
 *
 * NaN sorts last ascending, as NumPy's `sort`, and first descending.
 *
 * Laws: zero-derivative (argsort).
 * @module
 */
import { bind1 } from '../core/bind.ts'
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { define, type Primitive } from '../core/primitive.ts'
import { shapeOf, type Val } from '../core/tracer.ts'
import { argsortK } from '../tensor/kernels/sort.ts'
import { normalizeAxis, show } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { drawRowsWithTies } from './domain.ts'
import { asTensor, constantTaylor } from './families.ts'
import { moveAxisV, takeV } from './gather.ts'
import { slice } from './structural.ts'

/** Params of `argsort`. */
export interface ArgsortParams {
  /** Largest first (NaN first) instead of smallest first (NaN last). */
  readonly descending: boolean
}

/** `argsort` applied through `bind`: positions along the last axis, ascending unless said. */
export const argsortV = (x: Val, descending = false): Val => bind1(argsortP, x, { descending })

/** Primitive record of `argsort`: the stable sorting permutation of each last-axis row. */
export const argsortP: Primitive<ArgsortParams> = define<ArgsortParams>({
  name: 'argsort',
  arity: 1,
  zeroDerivative: true,
  // positions, float64 whatever the values' dtype: float32 holds integers only up to 2²⁴
  outDtype: () => 'float64',
  impl: ([x], { descending }) => {
    const t = asTensor(x!)
    return new Tensor(argsortK(t.data, t.shape, descending), t.shape)
  },
  shape: ([s]) => {
    if (s!.length === 0) {
      throw new ShapeError('argsort needs an axis to sort along', {
        primitive: 'argsort',
        shapes: [s!],
        hint: 'a scalar has no axes; sort a tensor of rank ≥ 1',
      })
    }
    return s!
  },
  jvp: () => null,
  vjp: () => [null],
  // rows are independent: the batch axis is one more leading axis
  batch: ([x], _batched, params) => bind1(argsortP, x!, params),
  taylor: (series, params) => constantTaylor(argsortP, series, params),
  domain: {
    // ties half the time: the stable order must keep in place
    sample: (draw) => ({
      args: [drawRowsWithTies(draw)],
      params: { descending: draw.integer(0, 1) === 1 },
    }),
  },
})

type Value = number | Tensor

/** `x` with `axis` last, the permutation to put it back, and the gather params along it. */
const alongLast = (x: Value, axis: number, op: string) => {
  const s = shapeOf(x)
  if (s.length === 0) {
    throw new InvalidArgumentError('cannot sort a scalar', {
      primitive: op,
      shapes: [s],
      hint: 'sort a tensor of rank ≥ 1',
    })
  }
  const ax = normalizeAxis(axis, s.length, op)
  const last = s.length - 1
  return {
    moved: moveAxisV(x, ax, last),
    back: (v: Val) => moveAxisV(v, last, ax) as Tensor,
    params: { axis: last, batchDims: last, wrap: false },
  }
}

/** Options of `argsort`. */
export interface ArgsortOptions {
  /** Largest first, NaN first (default false: smallest first, NaN last). */
  readonly descending?: boolean
}

/**
 * The positions that sort `x` along `axis` (last by default), as a float64 tensor of whole
 * numbers whatever `x`'s dtype (as `argmax`): stable (equal entries, −0 and +0 among them, keep
 * their order), NaN last — NumPy's `argsort(kind='stable')`; with `descending`, largest first,
 * NaN first, equal entries still in their order.
 *
 * Derivative: zero (positions are constants). Throws `InvalidArgumentError` for a scalar or a
 * bad axis.
 * @example
 * argsort(tensor([3, 1, 2, 1])).toArray() // => [1, 3, 2, 0]
 * argsort(tensor([3, 1, 2, 1]), -1, { descending: true }).toArray() // => [0, 2, 1, 3]
 * @category indexing
 */
export function argsort(x: Value, axis = -1, options?: ArgsortOptions): Tensor {
  const { moved, back } = alongLast(x, axis, 'argsort')
  return back(argsortV(moved, options?.descending === true))
}

/**
 * `x` sorted along `axis` (last by default), ascending, NaN last (NumPy's `sort`).
 *
 * Derivative: the tangent gathered by the sorting permutation, d sort(x) = dx[argsort(x)]; the
 * cotangent is scattered back. Between equal entries the derivative follows the stable order —
 * output position i gets the derivative of the entry the stable sort puts there, whole (not
 * split among ties as `max` splits it). Throws `InvalidArgumentError` for a scalar or a bad axis.
 * @example
 * sort(tensor([3, 1, 2])).toArray() // => [1, 2, 3]
 * @category indexing
 */
export function sort(x: Value, axis = -1): Tensor {
  const { moved, back, params } = alongLast(x, axis, 'sort')
  return back(takeV(moved, argsortV(moved), params))
}

/** The `k` largest entries along the last axis and their positions. */
export interface TopK {
  /** The k largest entries, largest first. */
  readonly values: Tensor
  /** Their positions along the last axis, as whole numbers (float64, as `argsort`'s). */
  readonly indices: Tensor
}

/**
 * The `k` largest entries along the last axis, largest first, and their positions (JAX's
 * `lax.top_k`): of equal entries the one at the lower position comes first; NaN counts as
 * larger than every number (as in a descending `argsort`).
 *
 * Derivative: `values` is a gather, so its derivative is the tangent at `indices`; `indices`
 * has none. Throws `InvalidArgumentError` for a scalar, or a `k` that is not an integer in
 * [0, n].
 * @example
 * const { values, indices } = topK(tensor([1, 5, 3, 5]), 2)
 * values.toArray() // => [5, 5]
 * indices.toArray() // => [1, 3]
 * @category indexing
 */
export function topK(x: Value, k: number): TopK {
  const { moved, params } = alongLast(x, -1, 'topK')
  const n = shapeOf(moved)[params.axis]!
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new InvalidArgumentError(`k = ${show(k)} for an axis of size ${n}`, {
      primitive: 'topK',
      shapes: [shapeOf(x)],
      hint: `k is an integer in [0, ${n}]`,
    })
  }
  const order = argsortV(moved, true)
  const lead = shapeOf(order).slice(0, params.axis)
  const indices = slice(order, [], [...lead, k]) as Tensor
  return { values: takeV(moved, indices, params) as Tensor, indices }
}
