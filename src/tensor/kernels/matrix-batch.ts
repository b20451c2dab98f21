/**
 * Shapes of batched square-matrix operations (solves, factorizations, determinants): the checks
 * every such kernel makes, and where each matrix of a broadcast batch lives in its operand.
 * @module
 */

import { LinAlgError, ShapeError } from '../../core/errors.ts'
import { broadcastStridesOf, checkResultSize, Odometer, type Shape, sizeOf } from '../shape.ts'
import type { Floats } from '../tensor.ts'

/**
 * n, for a stack of square matrices `[..., n, n]`. Throws `ShapeError` naming `op` for a rank
 * below 2 or a non-square matrix.
 */
export function squareSize(shape: Shape, op: string, shapes: readonly Shape[] = [shape]): number {
  const r = shape.length
  if (r < 2) {
    throw new ShapeError(`${op} needs a matrix (rank ≥ 2), got rank ${r}`, {
      primitive: op,
      shapes,
      hint: 'pass a [..., n, n] tensor; reshape a flat one to [n, n] first',
    })
  }
  const n = shape[r - 1]!
  if (shape[r - 2] !== n) {
    throw new ShapeError(`${op} needs square matrices, got ${shape[r - 2]} × ${n}`, {
      primitive: op,
      shapes,
      hint: 'the last two axes must have equal sizes (lstsq handles rectangular systems)',
    })
  }
  return n
}

/** The broadcast of two batch shapes (axes matched from the right), or undefined. */
const broadcastBatch = (a: Shape, b: Shape): number[] | undefined => {
  const rank = Math.max(a.length, b.length)
  const out = new Array<number>(rank)
  for (let i = 0; i < rank; i++) {
    const da = a[i - (rank - a.length)] ?? 1
    const db = b[i - (rank - b.length)] ?? 1
    if (da !== db && da !== 1 && db !== 1) return undefined
    out[i] = da === 1 ? db : da
  }
  return out
}

/**
 * Output shape of a solve with a `[..., n, n]` matrix and a `[..., n, k]` right-hand side:
 * `[...batch, n, k]`, the batch axes broadcast NumPy-style. Throws `ShapeError` naming `op`
 * when A is not a stack of square matrices, b has rank below 2 or other than n rows, or the
 * batch axes do not broadcast.
 */
export function solveShape(aShape: Shape, bShape: Shape, op: string): number[] {
  const shapes = [aShape, bShape]
  const n = squareSize(aShape, op, shapes)
  if (bShape.length < 2) {
    throw new ShapeError(`${op} needs a right-hand side of rank ≥ 2 here`, {
      primitive: op,
      shapes,
      hint: 'the public function reshapes a vector right-hand side to [..., n, 1]',
    })
  }
  const rows = bShape[bShape.length - 2]!
  if (rows !== n) {
    throw new ShapeError(`${op}: the right-hand side has ${rows} rows, the matrix ${n}`, {
      primitive: op,
      shapes,
      hint: 'b must be [n] (one vector) or [..., n, k] (columns) for an n × n matrix',
    })
  }
  const batch = broadcastBatch(aShape.slice(0, -2), bShape.slice(0, -2))
  if (batch === undefined) {
    throw new ShapeError(`${op}: the batch axes of the matrix and right-hand side differ`, {
      primitive: op,
      shapes,
      hint: 'leading (batch) axes must match from the right or be 1',
    })
  }
  const out = [...batch, n, bShape[bShape.length - 1]!]
  checkResultSize(out, op, shapes)
  return out
}

/**
 * Element offset of each matrix of an operand (stored `[...from, rows, cols]`, `size` = rows ×
 * cols) for every matrix of the broadcast batch `to`, in row-major order of `to`.
 */
export function matrixStarts(from: Shape, to: Shape, size: number): Int32Array {
  const count = sizeOf(to)
  const starts = new Int32Array(count)
  const cursor = new Odometer([...to, 1], [...broadcastStridesOf(from, to).map((s) => s * size), 0])
  for (let t = 0; t < count; t++, cursor.next()) starts[t] = cursor.offset
  return starts
}

/**
 * Throws `LinAlgError` naming `op` when an entry of `data` is NaN or infinite: a factorization
 * of such a matrix has no meaning, and NumPy's and SciPy's checks refuse it too.
 */
export function refuseNonFinite(data: Floats, op: string, shapes: readonly Shape[]): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new LinAlgError(`${op} got a matrix with a non-finite entry (${data[i]})`, {
        primitive: op,
        shapes,
        hint: 'find where the NaN or infinity came from (debugNans(true) names the op)',
      })
    }
  }
}
