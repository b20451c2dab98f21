/**
 * Segment reductions (`segmentSum`, `segmentMax`: JAX's `jax.ops.segment_*`), slices at
 * traced start indices (`dynamicSlice`, `dynamicUpdateSlice`: `lax.dynamic_slice`) and `flip`,
 * composed from the gather and scatter primitives and `slice`.
 *
 * Laws: those of `take`, `scatterAdd`, `scatterMax` and `slice`, in the registry.
 * @module
 */
import { IndexError, InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { shapeOf, type Val } from '../core/tracer.ts'
import { arange } from '../tensor/create.ts'
import { normalizeAxes, type Shape, show } from '../tensor/shape.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { add } from './arithmetic.ts'
import { atIndices } from './at.ts'
import { where } from './comparison.ts'
import { broadcastToV } from './families.ts'
import { scatterAddV, takeV } from './gather.ts'
import { type Indices, indicesValue } from './indexing.ts'
import { scatterMaxV } from './scatter.ts'
import { index, pad, reshape, slice } from './structural.ts'

type Value = number | Tensor

/** The ids and the output shape of a segment reduction, checked. */
const segments = (data: Value, ids: Indices, count: number, op: string) => {
  const d = shapeOf(data)
  const idx = indicesValue(ids, op)
  const is = shapeOf(idx)
  if (!Number.isInteger(count) || count < 0) {
    throw new InvalidArgumentError(`numSegments = ${show(count)}`, {
      primitive: op,
      hint: 'the number of segments is an integer ≥ 0',
    })
  }
  if (is.length > d.length || is.some((n, i) => n !== d[i])) {
    throw new ShapeError('segment ids must have the shape of the data’s leading axes', {
      primitive: op,
      shapes: [d, is],
      hint: 'give one id per entry of the data’s first axis (or first axes)',
    })
  }
  const out: Shape = [count, ...d.slice(is.length)]
  // ids index the output's first axis; a negative one is an error, not a count from the end
  return { idx, out, params: { axis: 0, batchDims: 0, wrap: false, op } }
}

/**
 * Sums of the entries of `data` by segment (JAX's `segment_sum`): out[s] = Σ data[i] over the
 * i with segmentIds[i] = s, for s < numSegments; 0 for an empty segment. The ids cover the
 * data's leading axes (usually its first) and need not be sorted. Unlike JAX, which drops ids
 * outside [0, numSegments) silently, an id there — −1 included — throws `IndexError`.
 *
 * Derivative: linear in `data`; data̅[i] = out̅[segmentIds[i]] (a gather). Throws `ShapeError`
 * when the ids' shape is not the data's leading shape, `InvalidArgumentError` for a bad count.
 * @example
 * segmentSum(tensor([1, 2, 3, 4]), [0, 1, 0, 2], 3).toArray() // => [4, 2, 4]
 * @category indexing
 */
export function segmentSum(data: Value, segmentIds: Indices, numSegments: number): Tensor {
  const { idx, out, params } = segments(data, segmentIds, numSegments, 'segmentSum')
  return scatterAddV(broadcastToV(0, out), idx, data, params) as Tensor
}

/**
 * Maxima of the entries of `data` by segment (JAX's `segment_max`): −∞ for an empty segment,
 * as in JAX; NaN where a segment holds NaN. Ids as in `segmentSum`: one outside
 * [0, numSegments) throws `IndexError`.
 *
 * Derivative: the entries equal to their segment's maximum get it, split evenly among ties
 * (as `max` splits it). Throws what `segmentSum` throws.
 * @example
 * segmentMax(tensor([1, 5, 3, 4]), [0, 0, 1, 1], 3).toArray() // => [5, 4, -Infinity]
 * @category indexing
 */
export function segmentMax(data: Value, segmentIds: Indices, numSegments: number): Tensor {
  const { idx, out, params } = segments(data, segmentIds, numSegments, 'segmentMax')
  // −∞ is the identity, not data: it must not share the derivative with data of −∞
  const fill = broadcastToV(Number.NEGATIVE_INFINITY, out)
  return scatterMaxV(fill, idx, data, { ...params, fill: true }) as Tensor
}

/**
 * `x` reversed along `axes` (all axes by default): a `slice` with step −1.
 *
 * Derivative: linear; the cotangent is flipped back. Throws `InvalidArgumentError` for a bad
 * axis.
 * @example
 * flip(tensor([[1, 2], [3, 4]]), 1).toArray() // => [[2, 1], [4, 3]]
 * @category shape
 */
export function flip(x: Value, axes?: number | readonly number[]): Tensor {
  const s = shapeOf(x)
  const list = normalizeAxes(axes, s.length, 'flip')
  return slice(
    x,
    [],
    [],
    s.map((_, i) => (list.includes(i) ? -1 : 1)),
  )
}

/** Start indices: numbers, scalar tensors, or one rank-1 tensor with one start per axis. */
export type Starts = readonly (number | Tensor)[] | Tensor

/** One start per axis, as values; numbers must be integers (checked here, with the op's name). */
const startsOf = (starts: Starts, rank: number, op: string): Val[] => {
  const vector = !Array.isArray(starts) && shapeOf(starts as Tensor).length === 1
  const list: Val[] = Array.isArray(starts)
    ? starts.slice()
    : vector
      ? Array.from({ length: shapeOf(starts as Tensor)[0]! }, (_, i) => index(starts as Tensor, i))
      : []
  if (list.length !== rank) {
    throw new InvalidArgumentError(`${list.length} start indices for rank ${rank}`, {
      primitive: op,
      hint: 'give one start per axis: an array, or a rank-1 tensor',
    })
  }
  for (const v of list) {
    const scalar = typeof v === 'number' ? Number.isInteger(v) : shapeOf(v).length === 0
    if (!scalar) {
      throw new InvalidArgumentError(`start index ${show(v)} is not an integer scalar`, {
        primitive: op,
        hint: 'starts are whole numbers (numbers or scalar tensors)',
      })
    }
  }
  return list
}

/** The window sizes, checked against `x`'s shape. */
const sizesOf = (s: Shape, sizes: readonly number[], op: string): readonly number[] => {
  if (
    !Array.isArray(sizes) ||
    sizes.length !== s.length ||
    sizes.some((n, i) => !Number.isInteger(n) || n < 0 || n > s[i]!)
  ) {
    throw new InvalidArgumentError(`window sizes ${show(sizes)} for shape [${s.join(', ')}]`, {
      primitive: op,
      shapes: [s],
      hint: 'one size per axis, each an integer between 0 and the axis size',
    })
  }
  return sizes
}

/** Checks that the window from each plain-number start fits (traced ones: in the kernel). */
const checkWindow = (starts: readonly Val[], s: Shape, sizes: readonly number[], op: string) => {
  starts.forEach((v, i) => {
    if (typeof v === 'number' && (v < 0 || v + sizes[i]! > s[i]!)) {
      throw new IndexError(
        `a window of size ${sizes[i]} from ${v} does not fit axis ${i} of size ${s[i]}`,
        {
          primitive: op,
          shapes: [s],
          hint: `starts lie in [0, ${s[i]! - sizes[i]!}] here; for JAX's clamping, clip the start first: clip(start, 0, n − size)`,
        },
      )
    }
  })
}

/** The window's positions along axis `i`: start + 0 … size − 1, as a value. */
const window = (v: Val, size: number): Val =>
  typeof v === 'number' ? arange(v, v + size) : add(arange(size), v as Tensor)

/**
 * The window of `x` of shape `sizes` starting at `starts` (JAX's `lax.dynamic_slice`). The
 * starts may be traced — computed inside `jit` or `vmap`, batched or not — so one compiled
 * function slices wherever its inputs say. A window that does not fit, or a start that is not
 * a whole number, throws `IndexError` — eagerly for plain numbers, in the kernel (every `jit`
 * replay, every `vmap` example) for tensors. JAX instead clamps each start into [0, n − size]
 * so the window fits; fluxion raises, as for every index, because a silently moved window is a
 * wrong number. `clip(start, 0, n − size)` before the call gives JAX's behaviour.
 *
 * Derivative: linear in `x`; the cotangent is added back into the window (zero elsewhere).
 * Throws `InvalidArgumentError` for sizes that do not fit `x` or starts of the wrong kind.
 * @example
 * dynamicSlice(tensor([0, 1, 2, 3, 4]), [1], [3]).toArray() // => [1, 2, 3]
 * @category indexing
 */
export function dynamicSlice(x: Value, starts: Starts, sizes: readonly number[]): Tensor {
  const s = shapeOf(x)
  const list = startsOf(starts, s.length, 'dynamicSlice')
  const ns = sizesOf(s, sizes, 'dynamicSlice')
  checkWindow(list, s, ns, 'dynamicSlice')
  if (list.every((v) => typeof v === 'number')) {
    const b = list as number[]
    return slice(
      x,
      b,
      b.map((v, i) => v + ns[i]!),
    )
  }
  // per axis, the window's positions, gathered one axis after another
  let y: Val = x
  list.forEach((v, i) => {
    y = takeV(y, window(v, ns[i]!), { axis: i, batchDims: 0, wrap: false })
  })
  return y as Tensor
}

/**
 * `x` with the window at `starts` replaced by `update` (JAX's `lax.dynamic_update_slice`):
 * starts as in `dynamicSlice`, traced ones allowed; a window that does not fit throws
 * `IndexError` (JAX clamps the starts).
 *
 * Derivative: linear in `x` and `update` together: x̄ is ȳ with the window zeroed, ū is ȳ's
 * window. Throws `InvalidArgumentError` when `update` has another rank or does not fit.
 * @example
 * dynamicUpdateSlice(tensor([0, 0, 0, 0]), tensor([7, 8]), [1]).toArray() // => [0, 7, 8, 0]
 * @category indexing
 */
export function dynamicUpdateSlice(x: Value, update: Value, starts: Starts): Tensor {
  const s = shapeOf(x)
  const u = shapeOf(update)
  const list = startsOf(starts, s.length, 'dynamicUpdateSlice')
  if (u.length !== s.length) {
    throw new InvalidArgumentError(`an update of rank ${u.length} for rank ${s.length}`, {
      primitive: 'dynamicUpdateSlice',
      shapes: [s, u],
      hint: 'the update has as many axes as x, each no longer than x’s',
    })
  }
  const ns = sizesOf(s, u, 'dynamicUpdateSlice')
  checkWindow(list, s, ns, 'dynamicUpdateSlice')
  if (list.every((v) => typeof v === 'number')) {
    const lo = list as number[]
    const widths = lo.map((l, i) => [l, s[i]! - l - ns[i]!] as const)
    // a mask padded the same way selects the window: no arithmetic on x's other entries
    const inside = pad(broadcastToV(1, u) as Tensor, widths, 0)
    return where(inside, pad(update, widths, 0), x)
  }
  // the window's positions along every axis, laid out to broadcast as an outer product
  const grids = list.map((v, i) =>
    reshape(
      window(v, ns[i]!) as Tensor,
      s.map((_, j) => (j === i ? ns[i]! : 1)),
    ),
  )
  return atIndices(x, grids, 'dynamicUpdateSlice', false, () => 'dynamicUpdateSlice').set(update)
}
