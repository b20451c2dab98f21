/**
 * Shape ops. The primitives are linear and come in transpose pairs — `reshape ↔ reshape`,
 * `transpose ↔ transpose⁻¹`, `broadcastTo ↔ sum`, `slice ↔ pad`, `cast ↔ cast` — so each
 * derivative is one line. `expandDims squeeze index flatten` are compositions; `concat` and
 * `stack` live in concat.ts.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, transpose-involution.
 * @module
 */
import { bind1 } from '../core/bind.ts'
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import type { Primitive } from '../core/primitive.ts'
import { notAValue, shapeOf, Tracer, type Val } from '../core/tracer.ts'
import { padK, sliceK, transposeK } from '../tensor/kernels/layout.ts'
import {
  checkResultSize,
  checkShape,
  normalizeAxes,
  normalizeAxis,
  type Shape,
  shapesEqual,
  show,
  sizeOf,
} from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { anyReal, drawShape, drawValue, specialTensor } from './domain.ts'
import { asTensor, broadcastToP, linear, reshapeP } from './families.ts'

type Value = number | Tensor

/**
 * A tensor or a traced value: what a no-op reshape may return as it is. A number must become a
 * rank-0 tensor, and a lookalike `{ shape, data }` must reach the kernel's check, not be passed
 * through unchecked.
 */
const isTensorLike = (x: unknown): x is Tensor => x instanceof Tensor || x instanceof Tracer

// ---- reshape ----------------------------------------------------------------------------------

/**
 * The same values in a new shape (row-major order). One size may be −1, inferred.
 *
 * Derivative: linear; its transpose reshapes back. Throws `ShapeError` if sizes differ.
 * @example
 * reshape(tensor([1, 2, 3, 4]), [2, -1]).shape // => [2, 2]
 * @category shape
 */
export function reshape(x: Value, shape: readonly number[]): Tensor {
  const from = shapeOf(x)
  const to = inferShape(shape, sizeOf(from))
  if (shapesEqual(from, to) && isTensorLike(x)) return x
  return bind1(reshapeP, x, { shape: to }) as Tensor
}

const inferShape = (shape: readonly number[], size: number): Shape => {
  if (!Array.isArray(shape)) return checkShape(shape, 'reshape') // throws the named error
  const unknown = shape.indexOf(-1)
  if (unknown < 0 || shape.lastIndexOf(-1) !== unknown) return checkShape(shape, 'reshape')
  const known = sizeOf(
    checkShape(
      shape.filter((d) => d !== -1),
      'reshape',
    ),
  )
  if (known === 0 || size % known !== 0) {
    throw new ShapeError(`cannot infer -1 in [${shape.join(', ')}] for ${size} elements`, {
      primitive: 'reshape',
      hint: 'the known sizes must divide the element count',
    })
  }
  return shape.map((d) => (d === -1 ? size / known : d))
}

// ---- transpose --------------------------------------------------------------------------------

/** Params of `transpose`: the axis permutation. */
export interface TransposeParams {
  /** Output axis i is input axis `perm[i]`; a full permutation of the axes. */
  readonly perm: readonly number[]
}

/** Primitive record of {@link transpose}: permutes axes by `perm`. */
export const transposeP: Primitive<TransposeParams> = linear<TransposeParams>({
  name: 'transpose',
  impl: (x, { perm }) => {
    const t = asTensor(x)
    return new Tensor(
      transposeK(t.data, t.shape, perm),
      perm.map((p) => t.shape[p]!),
    )
  },
  shape: (s, { perm }) => perm.map((p) => s[p]!),
  apply: (x, params) => bind1(transposeP, x, params),
  batch: (x, { perm }) => bind1(transposeP, x, { perm: [0, ...perm.map((p) => p + 1)] }),
  transpose: (yBar, { perm }) => transpose(yBar, inversePermutation(perm)),
  domain: {
    sample: (draw) => {
      const shape = drawShape(draw, 3)
      const perm = shape.map((_, i) => i)
      for (let i = perm.length - 1; i > 0; i--) {
        const j = draw.integer(0, i)
        ;[perm[i], perm[j]] = [perm[j]!, perm[i]!]
      }
      return { args: [drawValue(draw, shape, anyReal)], params: { perm } }
    },
    special: () => [{ args: [specialTensor([2, 3])], params: { perm: [1, 0] } }],
  },
})

const inversePermutation = (perm: readonly number[]): number[] => {
  const inv = new Array<number>(perm.length)
  perm.forEach((p, i) => {
    inv[p] = i
  })
  return inv
}

/**
 * Permutes axes: output axis i is input axis `perm[i]` (default: all axes reversed).
 *
 * Derivative: linear; its transpose applies the inverse permutation.
 * @example
 * transpose(tensor([[1, 2, 3]])).shape // => [3, 1]
 * @category shape
 */
export function transpose(x: Value, perm?: readonly number[]): Tensor {
  const rank = shapeOf(x).length
  if (perm !== undefined && !Array.isArray(perm)) {
    throw new InvalidArgumentError(`perm must be an array of axes, got ${show(perm)}`, {
      primitive: 'transpose',
      hint: `list every axis exactly once, e.g. [${Array.from({ length: rank }, (_, i) => rank - 1 - i).join(', ')}]`,
    })
  }
  const p = perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i)
  const seen = new Set(p.map((a) => normalizeAxis(a, rank, 'transpose')))
  if (p.length !== rank || seen.size !== rank) {
    throw new InvalidArgumentError(`[${p.join(', ')}] is not a permutation of ${rank} axes`, {
      primitive: 'transpose',
      hint: 'list every axis exactly once',
    })
  }
  const norm = p.map((a) => (a < 0 ? a + rank : a))
  if (norm.every((a, i) => a === i) && isTensorLike(x)) return x
  return bind1(transposeP, x, { perm: norm }) as Tensor
}

// ---- broadcastTo ------------------------------------------------------------------------------

/**
 * `x` repeated along new leading axes and along axes of size 1, NumPy-style, to `shape`.
 *
 * Derivative: linear; its transpose sums over the broadcast axes. Throws `ShapeError`.
 * @example
 * broadcastTo(tensor([1, 2]), [3, 2]).shape // => [3, 2]
 * @category shape
 */
export function broadcastTo(x: Value, shape: readonly number[]): Tensor {
  const to = checkShape(shape, 'broadcastTo')
  if (shapesEqual(shapeOf(x), to) && isTensorLike(x)) return x
  return bind1(broadcastToP, x, { shape: to }) as Tensor
}

// ---- cast (number ↔ rank-0 tensor) ------------------------------------------------------------

/** Params of `cast`: the kind to convert to. */
export interface CastParams {
  /** A JS number or a rank-0 tensor. */
  readonly to: 'number' | 'tensor'
}

/** Primitive `cast`: a JS number to a rank-0 tensor or back, the value unchanged. */
export const castP: Primitive<CastParams> = linear<CastParams>({
  name: 'cast',
  // a tensor cast to a tensor is copied: outputs never share storage with inputs
  impl: (x, { to }) =>
    to === 'number'
      ? typeof x === 'number'
        ? x
        : x.item()
      : typeof x === 'number'
        ? asTensor(x)
        : new Tensor(x.data.slice(), x.shape),
  shape: (s) => s,
  apply: (x, params) => bind1(castP, x, params),
  // a batch of scalars is a rank-1 tensor either way: casting between kinds changes nothing
  batch: (x) => x,
  transpose: (yBar, { to }) => bind1(castP, yBar, { to: to === 'number' ? 'tensor' : 'number' }),
  domain: {
    sample: (draw) => ({
      args: [drawValue(draw, [], anyReal)],
      params: { to: draw.integer(0, 1) === 0 ? 'number' : 'tensor' },
    }),
    special: () =>
      [0, -0, Infinity, -Infinity, Number.NaN].flatMap((x) => [
        { args: [x], params: { to: 'tensor' } as const },
        { args: [new Tensor(Float64Array.of(x), [])], params: { to: 'number' } as const },
      ]),
  },
})

/**
 * `v` as the same kind as `like`: a JS number or a rank-0 tensor (the value is unchanged).
 * @internal
 */
export function conformKind(v: Val, like: 'number' | 'tensor'): Val {
  if (shapeOf(v).length !== 0) return v
  return bind1(castP, v, { to: like })
}

// ---- slice and pad ----------------------------------------------------------------------------

/**
 * Checks a list of slice bounds: integers, or ±Infinity for "from the very start / to the very
 * end" (they clamp like any out-of-range bound); `undefined` entries where `holes` allows them.
 * NaN, fractions and non-numbers would otherwise give a garbage shape.
 */
const checkIndices = (list: unknown, what: string, holes: boolean): void => {
  if (!Array.isArray(list)) {
    throw new InvalidArgumentError(`slice ${what} must be an array, got ${show(list)}`, {
      primitive: 'slice',
      hint: `give one ${what.slice(0, -1)} per leading axis, e.g. slice(x, [0], [2])`,
    })
  }
  for (const v of list) {
    if (v === undefined && holes) continue
    if (typeof v !== 'number' || !(Number.isInteger(v) || Math.abs(v) === Infinity)) {
      throw new InvalidArgumentError(`slice ${what} must be integers, got ${show(v)}`, {
        primitive: 'slice',
        hint: 'indices are whole numbers; negative ones count from the end',
      })
    }
  }
}

/**
 * Params of `slice`, one entry per axis, with bounds already clamped into range: the indices
 * taken are start, start + step, … while before `end`.
 */
export interface SliceParams {
  /** First index taken (inclusive): 0 ≤ start ≤ length, or −1 ≤ start < length for step < 0. */
  readonly starts: readonly number[]
  /**
   * End index (exclusive): start ≤ end ≤ length, or −1 ≤ end ≤ start for step < 0 (−1: up to
   * and including index 0).
   */
  readonly ends: readonly number[]
  /** Stride, a nonzero integer; negative walks the axis backwards. */
  readonly steps: readonly number[]
}

const sliceLength = (start: number, end: number, step: number): number =>
  step > 0
    ? end <= start
      ? 0
      : Math.ceil((end - start) / step)
    : end >= start
      ? 0
      : Math.ceil((start - end) / -step)

/** Primitive record of {@link slice}: the strided sub-tensor from `starts` to `ends`. */
export const sliceP: Primitive<SliceParams> = linear<SliceParams>({
  name: 'slice',
  impl: (x, { starts, ends, steps }) => {
    const t = asTensor(x)
    const shape = t.shape.map((_, i) => sliceLength(starts[i]!, ends[i]!, steps[i]!))
    return new Tensor(sliceK(t.data, t.shape, starts, ends, steps), shape)
  },
  shape: (s, { starts, ends, steps }) =>
    s.map((_, i) => sliceLength(starts[i]!, ends[i]!, steps[i]!)),
  apply: (x, params) => bind1(sliceP, x, params),
  batch: (x, { starts, ends, steps }, size) =>
    bind1(sliceP, x, { starts: [0, ...starts], ends: [size, ...ends], steps: [1, ...steps] }),
  // pad the cotangent back into place; a backwards axis is first turned forwards (a slice
  // with step −1), so it lands from its smallest index up
  transpose: (yBar, { starts, ends, steps }, x) => {
    const xs = shapeOf(x)
    const ms = xs.map((_, i) => sliceLength(starts[i]!, ends[i]!, steps[i]!))
    const forward = steps.some((s) => s < 0)
      ? bind1(sliceP, yBar, {
          starts: ms.map((m, i) => (steps[i]! < 0 ? m - 1 : 0)),
          ends: ms.map((m, i) => (steps[i]! < 0 ? -1 : m)),
          steps: steps.map((s) => (s < 0 ? -1 : 1)),
        })
      : yBar
    const lo = ms.map((m, i) =>
      m === 0 ? 0 : steps[i]! > 0 ? starts[i]! : starts[i]! + (m - 1) * steps[i]!,
    )
    const interior = steps.map((s) => Math.abs(s) - 1)
    const hi = xs.map(
      (n, i) => n - lo[i]! - (ms[i] === 0 ? 0 : (ms[i]! - 1) * Math.abs(steps[i]!) + 1),
    )
    return bind1(padP, forward, { lo, hi, interior, value: 0 })
  },
  domain: {
    sample: (draw) => {
      const shape = drawShape(draw, 3, 5)
      // steps −2, −1, 1, 2: backwards from a start down to an end, or forwards
      const steps = shape.map(() => [-2, -1, 1, 2][draw.integer(0, 3)]!)
      const starts = shape.map((n) => draw.integer(0, n - 1))
      const ends = shape.map((n, i) =>
        steps[i]! > 0 ? draw.integer(starts[i]! + 1, n) : draw.integer(-1, starts[i]! - 1),
      )
      return { args: [drawValue(draw, shape, anyReal)], params: { starts, ends, steps } }
    },
    special: () => [
      { args: [specialTensor([2, 6])], params: { starts: [0, 1], ends: [2, 6], steps: [1, 2] } },
      { args: [specialTensor([2, 6])], params: { starts: [1, 5], ends: [-1, 0], steps: [-1, -2] } },
    ],
  },
})

/**
 * Params of `pad`, one entry per axis except `value` (`interior` is what lets `pad` transpose a
 * strided `slice`).
 */
export interface PadParams {
  /** Elements of `value` added before the first element. */
  readonly lo: readonly number[]
  /** Elements of `value` added after the last element. */
  readonly hi: readonly number[]
  /** Elements of `value` added between each pair of neighbours. */
  readonly interior: readonly number[]
  /** The constant the padding is filled with. */
  readonly value: number
}

/** A number as JS source that evaluates to exactly it (−0, ±Infinity and NaN included). */

const paddedLength = (n: number, lo: number, hi: number, interior: number): number =>
  lo + hi + n + Math.max(n - 1, 0) * interior

/** Primitive record of {@link pad}: `lo`, `hi` and `interior` padding filled with `value`. */
export const padP: Primitive<PadParams> = linear<PadParams>({
  name: 'pad',
  impl: (x, { lo, hi, interior, value }) => {
    const t = asTensor(x)
    const shape = t.shape.map((n, i) => paddedLength(n, lo[i]!, hi[i]!, interior[i]!))
    return new Tensor(padK(t.data, t.shape, lo, hi, interior, value), shape)
  },
  shape: (s, { lo, hi, interior }) =>
    s.map((n, i) => paddedLength(n, lo[i]!, hi[i]!, interior[i]!)),
  // the pad value is a constant: the tangent is padded with zeros
  apply: (x, params) => bind1(padP, x, { ...params, value: 0 }),
  batch: (x, { lo, hi, interior, value }) =>
    bind1(padP, x, { lo: [0, ...lo], hi: [0, ...hi], interior: [0, ...interior], value }),
  // x's element i sits at lo + i·(interior + 1) of y: a strided slice of yBar, after padding
  // yBar with zeros where a negative width cropped y (those elements of x get cotangent 0)
  transpose: (yBar, { lo, hi, interior }, x) => {
    const xs = shapeOf(x)
    const cropped = lo.some((w) => w < 0) || hi.some((w) => w < 0)
    // without interior padding that is one pad, by the opposite widths (a shift's transpose is
    // the opposite shift, read in place by a fused loop as the shift is)
    if (cropped && interior.every((i) => i === 0)) {
      return bind1(padP, yBar, { lo: lo.map((w) => -w), hi: hi.map((w) => -w), interior, value: 0 })
    }
    const wide = cropped
      ? bind1(padP, yBar, {
          lo: lo.map((w) => Math.max(-w, 0)),
          hi: hi.map((w) => Math.max(-w, 0)),
          interior: lo.map(() => 0),
          value: 0,
        })
      : yBar
    const starts = lo.map((w) => Math.max(w, 0))
    const steps = interior.map((i) => i + 1)
    const ends = xs.map((n, i) => starts[i]! + (n === 0 ? 0 : (n - 1) * steps[i]! + 1))
    // a crop alone (interior 0, widths ≤ 0) transposes to the pad itself
    const whole = shapeOf(wide).every((n, i) => starts[i] === 0 && steps[i] === 1 && ends[i] === n)
    return whole ? wide : bind1(sliceP, wide, { starts, ends, steps })
  },
  domain: {
    sample: (draw) => {
      const shape = drawShape(draw, 3)
      return {
        args: [drawValue(draw, shape, anyReal)],
        // negative widths crop, keeping one element per axis at least (a Jacobian needs one)
        params: (() => {
          const interior = shape.map(() => draw.integer(0, 1))
          const lo: number[] = []
          const hi: number[] = []
          shape.forEach((n, i) => {
            const inner = n + Math.max(n - 1, 0) * interior[i]!
            lo.push(draw.integer(-Math.min(2, inner - 1), 2))
            hi.push(draw.integer(-Math.min(2, inner - 1 + Math.min(lo[i]!, 0)), 2))
          })
          return { lo, hi, interior, value: 0 }
        })(),
      }
    },
    // padding with a non-finite value: the pad's entries are constants either way
    special: () => [
      {
        args: [specialTensor([2, 3])],
        params: { lo: [1, 0], hi: [0, 2], interior: [0, 1], value: Number.NaN },
      },
      { args: [specialTensor([3])], params: { lo: [2], hi: [1], interior: [1], value: Infinity } },
      // cropping: a shift by one, and a crop inside the interior padding
      {
        args: [specialTensor([2, 4])],
        params: { lo: [0, 1], hi: [0, -1], interior: [0, 0], value: -0 },
      },
      {
        args: [specialTensor([2, 3])],
        params: { lo: [-1, -2], hi: [0, 1], interior: [0, 1], value: 0 },
      },
    ],
  },
})

/**
 * The sub-tensor from `starts` (inclusive) to `ends` (exclusive) with `steps`, per axis, NumPy
 * style: negative indices count from the end, out-of-range bounds are clamped, missing trailing
 * axes are taken whole. A negative step walks the axis backwards (`x[start:end:-k]`): a missing
 * (`undefined`) start is then the last element and a missing end is past the first, so
 * `slice(x, [], [], [-1])` reverses axis 0 — as do bounds ±Infinity.
 *
 * Derivative: linear; its transpose pads the cotangent with zeros (reversed back first, along
 * an axis walked backwards). Throws `InvalidArgumentError` for bounds that are not integers
 * (or ±Infinity) and for a step that is 0 or not an integer.
 * @example
 * slice(tensor([1, 2, 3, 4]), [1], [3]).toArray() // => [2, 3]
 * slice(tensor([1, 2, 3, 4]), [], [], [-2]).toArray() // => [4, 2]
 * @category shape
 */
export function slice(
  x: Value,
  starts: readonly (number | undefined)[],
  ends?: readonly (number | undefined)[],
  steps?: readonly number[],
): Tensor {
  const shape = shapeOf(x)
  checkIndices(starts, 'starts', true)
  if (ends !== undefined) checkIndices(ends, 'ends', true)
  if (steps !== undefined) checkIndices(steps, 'steps', false)
  if (starts.length > shape.length) {
    throw new InvalidArgumentError(`${starts.length} starts for rank ${shape.length}`, {
      primitive: 'slice',
      shapes: [shape],
      hint: 'give at most one start per axis',
    })
  }
  const st = shape.map((_, i) => steps?.[i] ?? 1)
  for (const s of st) {
    if (!Number.isInteger(s) || s === 0) {
      throw new InvalidArgumentError(`slice step ${s} is not a nonzero integer`, {
        primitive: 'slice',
        hint: 'steps are integers ≥ 1, or ≤ −1 to walk an axis backwards',
      })
    }
  }
  // forwards, bounds clamp into [0, n]; backwards into [−1, n − 1] (−1: before the first)
  const clamp = (i: number, n: number, back: boolean) =>
    back
      ? Math.min(Math.max(i < 0 ? i + n : i, -1), n - 1)
      : Math.min(Math.max(i < 0 ? i + n : i, 0), n)
  const b = shape.map((n, i) =>
    st[i]! > 0 ? clamp(starts[i] ?? 0, n, false) : clamp(starts[i] ?? n - 1, n, true),
  )
  const e = shape.map((n, i) =>
    st[i]! > 0
      ? Math.max(clamp(ends?.[i] ?? n, n, false), b[i]!)
      : Math.min(ends?.[i] === undefined ? -1 : clamp(ends[i]!, n, true), b[i]!),
  )
  return bind1(sliceP, x, { starts: b, ends: e, steps: st }) as Tensor
}

/**
 * `x` padded with `value`: `widths[i] = [before, after]` per axis (a single number pads every
 * side of every axis equally). A negative width removes that many elements from that end
 * instead, as in XLA's and `jax.lax.pad`'s padding: `pad(y, [[1, -1]], c)` shifts a vector
 * right by one, filling with `c`, which `jit`'s fused loops read in place (no copy of `y`).
 *
 * Derivative: linear in `x`; its transpose slices the cotangent (and pads it with zeros where
 * a negative width dropped elements of `x`: their cotangent is 0).
 *
 * Throws `InvalidArgumentError` unless `widths` has one pair of integers per axis, and
 * `ShapeError` when negative widths would leave an axis with fewer than 0 elements.
 * @example
 * pad(tensor([1, 2]), [[1, 0]]).toArray() // => [0, 1, 2]
 * pad(tensor([1, 2, 3]), [[1, -1]], 9).toArray() // => [9, 1, 2]
 * @category shape
 */
export function pad(
  x: Value,
  widths: number | readonly (readonly [number, number])[],
  value = 0,
): Tensor {
  const shape = shapeOf(x)
  const w = typeof widths === 'number' ? shape.map(() => [widths, widths] as const) : widths
  const isWidth = (n: unknown): boolean => Number.isSafeInteger(n)
  if (
    !Array.isArray(w) ||
    w.length !== shape.length ||
    w.some((p: unknown) => !Array.isArray(p) || p.length !== 2 || !isWidth(p[0]) || !isWidth(p[1]))
  ) {
    throw new InvalidArgumentError(
      'pad widths must be one [before, after] pair of integers per axis',
      {
        primitive: 'pad',
        shapes: [shape],
        hint: `give ${shape.length} pairs (a negative width removes elements from that end)`,
      },
    )
  }
  const cropped = w.findIndex(([l, h], i) => shape[i]! + l + h < 0)
  if (cropped >= 0) {
    throw new ShapeError(
      `pad widths [${w[cropped]!.join(', ')}] remove more than the ${shape[cropped]} elements of axis ${cropped}`,
      {
        primitive: 'pad',
        shapes: [shape],
        hint: 'negative widths may remove at most the axis length between them',
      },
    )
  }
  if (typeof value !== 'number') {
    throw new InvalidArgumentError(`the pad value must be a number, got ${show(value)}`, {
      primitive: 'pad',
      hint: 'pad with a constant number such as 0',
    })
  }
  const lo = w.map(([l]) => l)
  const hi = w.map(([, h]) => h)
  checkResultSize(
    shape.map((n, i) => n + lo[i]! + hi[i]!),
    'pad',
    [shape],
  )
  return bind1(padP, x, { lo, hi, interior: shape.map(() => 0), value }) as Tensor
}

/**
 * Inserts an axis of size 1 at `axis`, or one at each of several (positions in the result, as
 * `numpy.expand_dims`). Throws `InvalidArgumentError` for an axis out of range or repeated.
 * @example
 * expandDims(tensor([1, 2]), 0).shape // => [1, 2]
 * expandDims(tensor([1, 2]), [0, -1]).shape // => [1, 2, 1]
 * @category shape
 */
export function expandDims(x: Value, axis: number | readonly number[]): Tensor {
  const s = shapeOf(x)
  if (typeof axis === 'number') {
    const ax = normalizeAxis(axis, s.length + 1, 'expandDims')
    return reshape(x, [...s.slice(0, ax), 1, ...s.slice(ax)])
  }
  const rank = s.length + (Array.isArray(axis) ? axis.length : 0)
  const axes = normalizeAxes(axis, rank, 'expandDims')
  const rest = s[Symbol.iterator]()
  return reshape(
    x,
    Array.from({ length: rank }, (_, i) => (axes.includes(i) ? 1 : rest.next().value!)),
  )
}

/**
 * Removes axes of size 1 (the given ones, or all).
 * @example
 * squeeze(tensor([[1, 2]])).shape // => [2]
 * @category shape
 */
export function squeeze(x: Value, axis?: number | readonly number[]): Tensor {
  // its axes are checked against the shape before anything else reads the value
  if (typeof x !== 'number' && !isTensorLike(x)) throw notAValue(x, 'squeeze')
  const s = shapeOf(x)
  const axes =
    axis === undefined
      ? s.flatMap((d, i) => (d === 1 ? [i] : []))
      : (typeof axis === 'number' || !Array.isArray(axis) ? [axis as number] : axis).map((a) =>
          normalizeAxis(a, s.length, 'squeeze'),
        )
  for (const a of axes) {
    if (s[a] !== 1) {
      throw new ShapeError(`axis ${a} has size ${s[a]}, not 1`, {
        primitive: 'squeeze',
        shapes: [s],
        hint: 'squeeze only axes of size 1',
      })
    }
  }
  return reshape(
    x,
    s.filter((_, i) => !axes.includes(i)),
  )
}

/**
 * Element `i` along `axis` (that axis removed), like `x[i]`; negative `i` counts from the end.
 * @example
 * index(tensor([[1, 2], [3, 4]]), 1).toArray() // => [3, 4]
 * @category shape
 */
export function index(x: Value, i: number, axis = 0): Tensor {
  const s = shapeOf(x)
  const ax = normalizeAxis(axis, s.length, 'index')
  const n = s[ax]!
  if (!Number.isInteger(i) || i < -n || i >= n) {
    const what = Number.isInteger(i) ? `is out of range for size ${n}` : 'is not an integer'
    throw new InvalidArgumentError(`index ${show(i)} ${what}`, {
      primitive: 'index',
      shapes: [s],
      hint: `use an integer in [${-n}, ${n - 1}]`,
    })
  }
  const at = i < 0 ? i + n : i
  const part = slice(
    x,
    s.map((_, j) => (j === ax ? at : 0)),
    s.map((d, j) => (j === ax ? at + 1 : d)),
  )
  return reshape(
    part,
    s.filter((_, j) => j !== ax),
  )
}

/**
 * The values as a rank-1 tensor, in row-major order: NumPy's `ravel` (fluxion's `ravel` is the
 * tree ravel, `jax.flatten_util.ravel_pytree`).
 * @example
 * flatten(tensor([[1, 2], [3, 4]])).shape // => [4]
 * @category shape
 */
export function flatten(x: Value): Tensor {
  return reshape(x, [sizeOf(shapeOf(x))])
}
