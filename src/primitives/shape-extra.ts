/**
 * More shape ops, NumPy's, each a composition of the structural primitives (so each is linear,
 * its transpose the composition of theirs, and exact): `roll tile repeat moveaxis swapaxes`.
 * (`split arraySplit meshgrid` are in ./split-grid.ts, `tril triu oneHot` in ./masks.ts, `pad`'s
 * modes in ./pad-modes.ts; NumPy's array `ravel` is `flatten`, the name `ravel` being the tree
 * ravel.)
 *
 * Laws: fd-agreement, vjp-jvp-adjoint (through their parts).
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { shapeOf, Tracer } from '../core/tracer.ts'
import { checkResultSize, normalizeAxis, type Shape, show } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { concat } from './concat.ts'
import { broadcastTo, reshape, slice, transpose } from './structural.ts'

type Value = number | Tensor

/** Throws unless `x` is a number, a Tensor or a traced value. */
export const checkValue = (x: unknown, op: string): void => {
  if (typeof x !== 'number' && !(x instanceof Tensor) && !(x instanceof Tracer)) {
    throw new InvalidArgumentError(`${op} takes a number or a Tensor, got ${show(x)}`, {
      primitive: op,
      hint: 'wrap arrays with tensor(...)',
    })
  }
}

/** `v` as a list of integers ≥ `min`, or a named error saying what `what` must be. */
export const integers = (v: unknown, what: string, op: string, min?: number): number[] => {
  const list: readonly unknown[] = typeof v === 'number' ? [v] : Array.isArray(v) ? v : [v]
  for (const n of list) {
    if (typeof n !== 'number' || !Number.isInteger(n) || (min !== undefined && n < min)) {
      throw new InvalidArgumentError(
        `${what} must be ${min === undefined ? 'integers' : `integers ≥ ${min}`}, got ${show(n)}`,
        { primitive: op, hint: `give ${what} as a whole number or a list of them` },
      )
    }
  }
  return list as number[]
}

/** The part of `x` from `start` to `end` along `axis`, the other axes whole. */
export const along = (x: Value, axis: number, start: number, end: number): Tensor => {
  const s = shapeOf(x)
  return slice(
    x,
    s.map((_, i) => (i === axis ? start : 0)),
    s.map((d, i) => (i === axis ? end : d)),
  )
}

/** `s` with `axis` of size `n`. */
const withSize = (s: Shape, axis: number, n: number): number[] =>
  s.map((d, i) => (i === axis ? n : d))

// ---- roll -------------------------------------------------------------------------------------

/**
 * `x` shifted cyclically by `shift` places along `axis` (`numpy.roll`): entries pushed off the
 * end come back at the start. Without an axis the flattened values roll and the shape is kept;
 * several shifts and axes roll in turn (a single shift or axis pairs with each of the others).
 *
 * Derivative: linear; the pullback rolls the cotangent back. Throws `InvalidArgumentError` for
 * non-integer shifts, bad axes, or as many shifts as axes where neither is one.
 * @example
 * roll(tensor([1, 2, 3, 4]), 1).toArray() // => [4, 1, 2, 3]
 * roll(tensor([[1, 2], [3, 4]]), -1, 1).toArray() // => [[2, 1], [4, 3]]
 * @category shape
 */
export function roll(
  x: Value,
  shift: number | readonly number[],
  axis?: number | readonly number[] | null,
): Tensor {
  checkValue(x, 'roll')
  const shifts = integers(shift, 'shifts', 'roll')
  const s = shapeOf(x)
  if (axis === undefined || axis === null) {
    if (shifts.length !== 1) {
      throw new InvalidArgumentError(`roll without an axis takes one shift, got ${shifts.length}`, {
        primitive: 'roll',
        shapes: [s],
        hint: 'give one shift, or as many axes as shifts',
      })
    }
    return reshape(rollAlong(reshape(x, [-1]), shifts[0]!, 0), s)
  }
  const axes = integers(axis, 'axes', 'roll').map((a) => normalizeAxis(a, s.length, 'roll'))
  if (shifts.length !== axes.length && shifts.length !== 1 && axes.length !== 1) {
    throw new InvalidArgumentError(`${shifts.length} shifts do not pair with ${axes.length} axes`, {
      primitive: 'roll',
      shapes: [s],
      hint: 'give one shift per axis, or a single shift or axis',
    })
  }
  let y: Value = x
  for (let i = 0; i < Math.max(shifts.length, axes.length); i++) {
    y = rollAlong(y, shifts[shifts.length === 1 ? 0 : i]!, axes[axes.length === 1 ? 0 : i]!)
  }
  return reshape(y, s)
}

const rollAlong = (x: Value, shift: number, axis: number): Value => {
  const n = shapeOf(x)[axis]!
  const k = n === 0 ? 0 : ((shift % n) + n) % n
  if (k === 0) return x
  return concat([along(x, axis, n - k, n), along(x, axis, 0, n - k)], axis)
}

// ---- tile and repeat --------------------------------------------------------------------------

/**
 * `x` repeated `reps[i]` times along axis i (`numpy.tile`): a shorter `reps` is padded with 1s
 * in front, a lower-rank `x` gets leading axes of size 1.
 *
 * Derivative: linear; the pullback sums the cotangent over the copies. Throws
 * `InvalidArgumentError` for reps that are not integers ≥ 0.
 * @example
 * tile(tensor([1, 2]), 2).toArray() // => [1, 2, 1, 2]
 * tile(tensor([1, 2]), [2, 1]).toArray() // => [[1, 2], [1, 2]]
 * @category shape
 */
export function tile(x: Value, reps: number | readonly number[]): Tensor {
  checkValue(x, 'tile')
  const r = integers(reps, 'reps', 'tile', 0)
  const s = shapeOf(x)
  const rank = Math.max(r.length, s.length)
  const rr = [...new Array<number>(rank - r.length).fill(1), ...r]
  const ss = [...new Array<number>(rank - s.length).fill(1), ...s]
  const out = checkResultSize(
    ss.map((n, i) => n * rr[i]!),
    'tile',
    [s],
  )
  // a new axis of size reps before each axis, broadcast, then merged with it
  const copies = broadcastTo(
    reshape(
      x,
      ss.flatMap((n) => [1, n]),
    ),
    ss.flatMap((n, i) => [rr[i]!, n]),
  )
  return reshape(copies, out)
}

/**
 * Each entry of `x` repeated along `axis` (`numpy.repeat`; default: the flattened values):
 * `repeats` times, or `repeats[i]` times for entry i.
 *
 * Derivative: linear; the pullback sums the cotangent over each entry's copies. Throws
 * `InvalidArgumentError` for repeats that are not integers ≥ 0 or a bad axis, `ShapeError` for
 * a list of repeats whose length is not the axis's size. A list costs one slice per run of
 * equal counts.
 * @example
 * repeat(tensor([1, 2]), 2).toArray() // => [1, 1, 2, 2]
 * repeat(tensor([[1, 2], [3, 4]]), [1, 2], 0).toArray() // => [[1, 2], [3, 4], [3, 4]]
 * @category shape
 */
export function repeat(
  x: Value,
  repeats: number | readonly number[],
  axis?: number | null,
): Tensor {
  checkValue(x, 'repeat')
  const r = integers(repeats, 'repeats', 'repeat', 0)
  const v = axis === undefined || axis === null ? reshape(x, [-1]) : x
  const s = shapeOf(v)
  const ax = axis === undefined || axis === null ? 0 : normalizeAxis(axis, s.length, 'repeat')
  const n = s[ax]!
  if (r.length !== 1 && r.length !== n) {
    throw new ShapeError(`${r.length} repeats for an axis of size ${n}`, {
      primitive: 'repeat',
      shapes: [s],
      hint: 'give one count, or one per entry along the axis',
    })
  }
  const copies = (part: Value, count: number): Tensor => {
    const p = shapeOf(part)
    const m = p[ax]!
    const split = [...p.slice(0, ax + 1), 1, ...p.slice(ax + 1)]
    const wide = [...p.slice(0, ax + 1), count, ...p.slice(ax + 1)]
    return reshape(broadcastTo(reshape(part, split), wide), withSize(p, ax, m * count))
  }
  if (r.length === 1 || n === 0) {
    checkResultSize(withSize(s, ax, n * r[0]!), 'repeat', [s])
    return copies(v, r[0]!)
  }
  const pieces: Tensor[] = []
  for (let i = 0; i < n; ) {
    let j = i + 1
    while (j < n && r[j] === r[i]) j++
    if (r[i]! > 0) pieces.push(copies(along(v, ax, i, j), r[i]!))
    i = j
  }
  return pieces.length === 0 ? along(v, ax, 0, 0) : concat(pieces, ax)
}

// ---- moveaxis and swapaxes --------------------------------------------------------------------

/**
 * `x` with axes `source` moved to positions `destination` (`numpy.moveaxis`), the other axes
 * keeping their order.
 *
 * Derivative: linear; the pullback moves them back. Throws `InvalidArgumentError` for bad or
 * repeated axes, or as many sources as destinations.
 * @example
 * moveaxis(zeros([2, 3, 4]), 0, -1).shape // => [3, 4, 2]
 * moveaxis(zeros([2, 3, 4]), [0, 1], [2, 0]).shape // => [3, 4, 2]
 * @category shape
 */
export function moveaxis(
  x: Value,
  source: number | readonly number[],
  destination: number | readonly number[],
): Tensor {
  checkValue(x, 'moveaxis')
  const rank = shapeOf(x).length
  const axes = (v: unknown, what: string) => {
    const list = integers(v, what, 'moveaxis').map((a) => normalizeAxis(a, rank, 'moveaxis'))
    if (new Set(list).size !== list.length) {
      throw new InvalidArgumentError(`repeated axis in ${what} [${list.join(', ')}]`, {
        primitive: 'moveaxis',
        hint: 'name each axis once',
      })
    }
    return list
  }
  const src = axes(source, 'source')
  const dst = axes(destination, 'destination')
  if (src.length !== dst.length) {
    throw new InvalidArgumentError(`${src.length} sources for ${dst.length} destinations`, {
      primitive: 'moveaxis',
      hint: 'give one destination per source axis',
    })
  }
  const order = new Array<number>(rank).fill(-1)
  src.forEach((a, i) => {
    order[dst[i]!] = a
  })
  const rest = Array.from({ length: rank }, (_, a) => a).filter((a) => !src.includes(a))
  for (let i = 0, k = 0; i < rank; i++) if (order[i] === -1) order[i] = rest[k++]!
  return transpose(x, order)
}

/**
 * `x` with two axes exchanged (`numpy.swapaxes`).
 *
 * Derivative: linear; the pullback swaps them back. Throws `InvalidArgumentError` for bad axes.
 * @example
 * swapaxes(zeros([2, 3, 4]), 0, 2).shape // => [4, 3, 2]
 * @category shape
 */
export function swapaxes(x: Value, axis1: number, axis2: number): Tensor {
  checkValue(x, 'swapaxes')
  const rank = shapeOf(x).length
  const a = normalizeAxis(axis1, rank, 'swapaxes')
  const b = normalizeAxis(axis2, rank, 'swapaxes')
  const perm = Array.from({ length: rank }, (_, i) => (i === a ? b : i === b ? a : i))
  return transpose(x, perm)
}
