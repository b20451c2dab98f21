/**
 * Shapes: validation, sizes, strides and NumPy broadcasting. Plain functions over
 * `readonly number[]`; they know nothing of tensors or tracing.
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'

/** A tensor's shape: one non-negative integer per axis, outermost first. */
export type Shape = readonly number[]

/** The largest element count a tensor may have: far above memory, far below 2⁵³. */
export const MAX_SIZE: number = 2 ** 31 - 1

/** Number of elements of a shape (1 for rank 0). */
export const sizeOf = (shape: Shape): number => {
  let n = 1
  for (const d of shape) n *= d
  return n
}

/** Row-major strides of a contiguous tensor of this shape. */
export const stridesOf = (shape: Shape): number[] => {
  const strides = new Array<number>(shape.length)
  let s = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s
    s *= shape[i]!
  }
  return strides
}

/** Whether two shapes are equal axis by axis. */
export const shapesEqual = (a: Shape, b: Shape): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * A short description of any value for an error message. Never throws: `String()` would on a
 * null-prototype object, and a template literal would on a symbol.
 */
export const show = (v: unknown): string => {
  if (typeof v === 'string') return `'${v}'`
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'object' && v !== null) {
    // a class instance by its class (a Tensor, not "an Object"); other objects by their tag
    const name: unknown = Object.getPrototypeOf(v)?.constructor?.name
    const tag =
      typeof name === 'string' && name !== '' && name !== 'Object'
        ? name
        : Object.prototype.toString.call(v).slice(8, -1)
    return `${/^[AEIOU]/.test(tag) ? 'an' : 'a'} ${tag}`
  }
  if (typeof v === 'function') return 'a function'
  return String(v)
}

/**
 * Checks a user-supplied shape: integers ≥ 0, finite, and a total size that can be allocated.
 * Throws `InvalidArgumentError` naming `op`.
 */
export const checkShape = (shape: unknown, op: string): Shape => {
  if (!Array.isArray(shape)) {
    throw new InvalidArgumentError(`shape must be an array of sizes, got ${show(shape)}`, {
      primitive: op,
      hint: 'pass a shape such as [2, 3]',
    })
  }
  let size = 1
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new InvalidArgumentError(`every size must be a non-negative integer, got ${show(d)}`, {
        primitive: op,
        hint: 'sizes are whole numbers ≥ 0',
      })
    }
    size *= d
  }
  if (size > MAX_SIZE) {
    throw new InvalidArgumentError(`shape [${shape.join(', ')}] has ${size} elements`, {
      primitive: op,
      hint: `a tensor holds at most ${MAX_SIZE} elements`,
    })
  }
  return shape.slice()
}

/**
 * Checks that an op's result shape can be allocated: a broadcast, a matrix product or a pad can
 * ask for more elements than any input has. Throws `InvalidArgumentError` naming `op` before
 * anything is allocated (rather than a `RangeError` from deep inside a kernel).
 */
export const checkResultSize = (shape: Shape, op: string, inputs: readonly Shape[]): Shape => {
  const size = sizeOf(shape)
  if (size > MAX_SIZE) {
    throw new InvalidArgumentError(`the result would have ${size} elements`, {
      primitive: op,
      shapes: inputs,
      hint: `a tensor holds at most ${MAX_SIZE} elements; check the shapes being broadcast`,
    })
  }
  return shape
}

/** NumPy broadcasting of two shapes; throws `ShapeError` naming `op` when they do not broadcast. */
export const broadcastShapes = (a: Shape, b: Shape, op: string): Shape => {
  // a tensor with a number (rank 0) keeps its shape, the array itself: no allocation, and
  // shapes stay arrays of one kind for V8 (a `new Array(n)` is another hidden class than a
  // literal, and code optimized for one deoptimized at the other, bench/NOTES.md §25)
  if (shapesEqual(a, b) || b.length === 0) return a
  if (a.length === 0) return b
  const rank = Math.max(a.length, b.length)
  const out: number[] = []
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1
    const db = b[b.length - rank + i] ?? 1
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError('operands do not broadcast', {
        primitive: op,
        shapes: [a, b],
        hint: 'sizes must match axis by axis from the right, or be 1',
      })
    }
    out.push(da === 1 ? db : da)
  }
  return checkResultSize(out, op, [a, b])
}

/** Whether `from` broadcasts to exactly `to` (NumPy rules, `to` unchanged). */
export const broadcastsTo = (from: Shape, to: Shape): boolean => {
  if (from.length > to.length) return false
  const offset = to.length - from.length
  for (let i = 0; i < from.length; i++) {
    const d = from[i]!
    if (d !== 1 && d !== to[offset + i]) return false
  }
  return true
}

/**
 * Normalizes an axis argument against a rank: negative axes count from the end; `undefined` or
 * `null` means every axis. Returns sorted, distinct axes. Throws `InvalidArgumentError`.
 */
export const normalizeAxes = (
  axis: number | readonly number[] | null | undefined,
  rank: number,
  op: string,
): number[] => {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i)
  if (typeof axis !== 'number' && !Array.isArray(axis)) throw badAxis(axis, rank, op)
  const list: readonly number[] = typeof axis === 'number' ? [axis] : axis
  const seen = new Set<number>()
  for (const a of list) seen.add(normalizeAxis(a, rank, op))
  if (seen.size !== list.length) {
    throw new InvalidArgumentError(`repeated axis in [${list.join(', ')}]`, {
      primitive: op,
      hint: 'name each axis once',
    })
  }
  return [...seen].sort((x, y) => x - y)
}

/** One axis in `[-rank, rank)` made non-negative; throws `InvalidArgumentError`. */
export const normalizeAxis = (axis: number, rank: number, op: string): number => {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw badAxis(axis, rank, op)
  return axis < 0 ? axis + rank : axis
}

const badAxis = (axis: unknown, rank: number, op: string): InvalidArgumentError => {
  const hint =
    rank === 0 ? 'a scalar has no axes' : `use an integer axis in [${-rank}, ${rank - 1}]`
  if (typeof axis === 'number') {
    return new InvalidArgumentError(`axis ${axis} is out of range for rank ${rank}`, {
      primitive: op,
      hint,
    })
  }
  return new InvalidArgumentError(
    `an axis must be an integer or a list of them, got ${show(axis)}`,
    {
      primitive: op,
      hint,
    },
  )
}

/**
 * Strides for reading a contiguous tensor of shape `from` as if broadcast to `to`: one entry per
 * axis of `to`, 0 on the axes `from` lacks or has size 1 (each element is reused along them).
 * Assumes `broadcastsTo(from, to)`.
 */
export const broadcastStridesOf = (from: Shape, to: Shape): number[] => {
  const strides = new Array<number>(to.length).fill(0)
  const offset = to.length - from.length
  let s = 1
  for (let i = from.length - 1; i >= 0; i--) {
    const d = from[i]!
    if (d !== 1) strides[offset + i] = s
    s *= d
  }
  return strides
}

/**
 * Simplifies a strided walk over `dims` (row-major) without changing the visited offsets: drops
 * size-1 axes and merges an axis into its outer neighbour when `outer stride = stride · size`.
 * Fewer, longer rows make the kernels' inner loops longer. Returns at least one axis.
 */
export const coalesceStrides = (
  dims: readonly number[],
  strides: readonly number[],
): { dims: number[]; strides: number[] } => {
  const d: number[] = []
  const s: number[] = []
  for (let ax = 0; ax < dims.length; ax++) {
    const n = dims[ax]!
    if (n === 1) continue
    const st = strides[ax]!
    const last = d.length - 1
    if (last >= 0 && s[last] === st * n) {
      d[last] = d[last]! * n
      s[last] = st
    } else {
      d.push(n)
      s.push(st)
    }
  }
  if (d.length === 0) return { dims: [1], strides: [0] }
  return { dims: d, strides: s }
}

/**
 * A cursor over the rows of a row-major walk of `dims` (every axis but the last), tracking the
 * strided offset of each row start. Kernels run their own inner loop over the last axis and call
 * `next()` once per row, so no callback is made per element.
 */
export class Odometer {
  /** Strided offset of the current row's first element. */
  offset: number
  private readonly dims: readonly number[]
  private readonly strides: readonly number[]
  private readonly idx: number[]

  constructor(dims: readonly number[], strides: readonly number[], base = 0) {
    this.dims = dims
    this.strides = strides
    this.offset = base
    this.idx = new Array<number>(dims.length).fill(0)
  }

  /** Advances to the next row, carrying into outer axes as inner ones wrap. */
  next(): void {
    for (let ax = this.dims.length - 2; ax >= 0; ax--) {
      const n = this.idx[ax]! + 1
      this.offset += this.strides[ax]!
      if (n < this.dims[ax]!) {
        this.idx[ax] = n
        return
      }
      this.idx[ax] = 0
      this.offset -= this.strides[ax]! * n
    }
  }
}
