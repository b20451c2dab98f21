/**
 * Cutting and gridding, NumPy's: `split`, `arraySplit` (slices along an axis) and `meshgrid`
 * (reshapes and broadcasts), so each is linear and exact.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint (through their parts).
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { shapeOf } from '../core/tracer.ts'
import { normalizeAxis, show } from '../tensor/shape.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { along, checkValue, integers } from './shape-extra.ts'
import { broadcastTo, reshape } from './structural.ts'

type Value = number | Tensor

// ---- split ------------------------------------------------------------------------------------

/**
 * `x` cut along `axis` into `sections` equal parts, or at the given `indices` (`numpy.split`):
 * [x[:i₀], x[i₀:i₁], …, x[iₖ:]], negative indices counting from the end, out-of-range ones
 * clamped (so a part may be empty).
 *
 * Derivative: each part is a slice; the pullback places the parts' cotangents back. Throws
 * `ShapeError` when `sections` does not divide the axis (use {@link arraySplit}),
 * `InvalidArgumentError` for a bad axis, sections < 1, or non-integer indices.
 * @example
 * split(tensor([1, 2, 3, 4]), 2).map((p) => p.toArray()) // => [[1, 2], [3, 4]]
 * split(tensor([1, 2, 3, 4]), [1, 3]).map((p) => p.toArray()) // => [[1], [2, 3], [4]]
 * @category shape
 */
export function split(x: Value, indicesOrSections: number | readonly number[], axis = 0): Tensor[] {
  return splitWith(x, indicesOrSections, axis, 'split')
}

/**
 * As {@link split}, but `sections` need not divide the axis (`numpy.array_split`): of n entries
 * in k parts, the first n mod k parts get one entry more.
 * @example
 * arraySplit(tensor([1, 2, 3]), 2).map((p) => p.toArray()) // => [[1, 2], [3]]
 * @category shape
 */
export function arraySplit(
  x: Value,
  indicesOrSections: number | readonly number[],
  axis = 0,
): Tensor[] {
  return splitWith(x, indicesOrSections, axis, 'arraySplit')
}

const splitWith = (
  x: Value,
  how: number | readonly number[],
  axis: number,
  op: 'split' | 'arraySplit',
): Tensor[] => {
  checkValue(x, op)
  const s = shapeOf(x)
  const ax = normalizeAxis(axis, s.length, op)
  const n = s[ax]!
  if (typeof how === 'number') {
    const k = integers(how, 'sections', op, 1)[0]!
    if (op === 'split' && n % k !== 0) {
      throw new ShapeError(`an axis of size ${n} does not split into ${k} equal sections`, {
        primitive: op,
        shapes: [s],
        hint: 'use arraySplit for sections of unequal sizes, or give the cut indices',
      })
    }
    const q = Math.floor(n / k)
    const extra = n % k
    const bounds = Array.from({ length: k + 1 }, (_, i) => i * q + Math.min(i, extra))
    return bounds.slice(1).map((end, i) => along(x, ax, bounds[i]!, end))
  }
  const cuts = integers(how, 'indices', op)
  const at = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n)
  const starts = [0, ...cuts.map(at)]
  const ends = [...cuts.map(at), n]
  return starts.map((b, i) => along(x, ax, b, Math.max(ends[i]!, b)))
}

// ---- meshgrid ---------------------------------------------------------------------------------

/** Options of {@link meshgrid}. */
export interface MeshgridOptions {
  /**
   * 'xy' (default, Cartesian, as NumPy): the first two outputs' axes are the second and the
   * first input; 'ij' (matrix): output axis i is input i.
   */
  readonly indexing?: 'xy' | 'ij'
}

/**
 * Coordinate grids from vectors (`numpy.meshgrid`): output i holds input i's entries along its
 * axis, broadcast over the others. A number counts as a vector of one.
 *
 * Derivative: linear; each pullback sums the cotangent over the broadcast axes. Throws
 * `ShapeError` for an input of rank > 1, `InvalidArgumentError` for an unknown indexing.
 * @example
 * const [gx, gy] = meshgrid([tensor([1, 2, 3]), tensor([4, 5])])
 * gx.toArray() // => [[1, 2, 3], [1, 2, 3]]
 * gy.toArray() // => [[4, 4, 4], [5, 5, 5]]
 * @category shape
 */
export function meshgrid(xs: readonly Value[], options?: MeshgridOptions): Tensor[] {
  if (!Array.isArray(xs)) {
    throw new InvalidArgumentError(`meshgrid takes an array of vectors, got ${show(xs)}`, {
      primitive: 'meshgrid',
      hint: 'wrap the vectors in an array: meshgrid([x, y])',
    })
  }
  const indexing = options?.indexing === undefined ? 'xy' : options.indexing
  if (indexing !== 'xy' && indexing !== 'ij') {
    throw new InvalidArgumentError(`indexing must be 'xy' or 'ij', got ${show(indexing)}`, {
      primitive: 'meshgrid',
      hint: "'xy' for Cartesian grids (NumPy's default), 'ij' for matrix indexing",
    })
  }
  const lengths = xs.map((x) => {
    checkValue(x, 'meshgrid')
    const s = shapeOf(x)
    if (s.length > 1) {
      throw new ShapeError(`meshgrid takes vectors, got rank ${s.length}`, {
        primitive: 'meshgrid',
        shapes: [s],
        hint: 'flatten each input first',
      })
    }
    return s.length === 0 ? 1 : s[0]!
  })
  const swap = indexing === 'xy' && xs.length >= 2
  const position = (i: number) => (swap && i < 2 ? 1 - i : i)
  const shape = lengths.map((_, j) => lengths[position(j)]!)
  return xs.map((x, i) =>
    broadcastTo(
      reshape(
        x,
        shape.map((d, j) => (j === position(i) ? d : 1)),
      ),
      shape,
    ),
  )
}
