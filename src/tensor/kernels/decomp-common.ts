/**
 * What the orthogonal factorizations' kernels (qr.ts, eigh.ts, svd.ts) share: the shape checks
 * of a batch of matrices, the refusal of non-finite entries, an exact power-of-two scale that
 * keeps squares from overflowing, and the sign convention that makes factors locally smooth.
 * @module
 */

import { LinAlgError, ShapeError } from '../../core/errors.ts'
import type { Shape } from '../shape.ts'
import type { Floats } from '../tensor.ts'

/** The matrix sizes of a `[..., m, n]` shape; throws `ShapeError` below rank 2. */
export function matrixDims(shape: Shape, op: string): { m: number; n: number; batch: number } {
  const r = shape.length
  if (r < 2) {
    throw new ShapeError(`${op} needs a matrix (or a batch of them), got rank ${r}`, {
      primitive: op,
      shapes: [shape],
      hint: 'pass a [..., m, n] tensor; reshape a vector to [n, 1] or [1, n]',
    })
  }
  const m = shape[r - 2]!
  const n = shape[r - 1]!
  let batch = 1
  for (let i = 0; i < r - 2; i++) batch *= shape[i]!
  return { m, n, batch }
}

/** Throws `LinAlgError` when `a` holds a NaN or an infinity. */
export function checkFiniteMatrix(a: Floats, shape: Shape, op: string): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!
    if (v - v !== 0) {
      throw new LinAlgError(`${op} of a matrix with non-finite entries (${v} at flat index ${i})`, {
        primitive: op,
        shapes: [shape],
        hint: 'the factorization of NaN or ±∞ is not defined; check the input (debugNans finds where it came from)',
      })
    }
  }
}

/** The error of an iteration that did not converge within its bound of sweeps. */
export function notConverged(op: string, shape: Shape, sweeps: number): LinAlgError {
  return new LinAlgError(`${op} did not converge within ${sweeps} Jacobi sweeps`, {
    primitive: op,
    shapes: [shape],
    hint: 'this should not happen for finite input; please report the matrix',
  })
}

/**
 * A power of two 2ᵉ with 2ᵉ·max|aᵢ| in [0.5, 1): multiplying by it is exact (away from
 * subnormals), so sums of squares of the scaled entries neither overflow nor underflow needlessly.
 * 1 for a zero matrix.
 */
export function powerOfTwoScale(a: Floats, start: number, length: number): number {
  let big = 0
  for (let i = start; i < start + length; i++) big = Math.max(big, Math.abs(a[i]!))
  if (big === 0) return 1
  // 2⁻¹⁰²⁴ is subnormal but exact; 2¹⁰²⁴ would overflow, so tiny inputs scale by 2¹⁰²⁰ at most
  const e = Math.max(Math.floor(Math.log2(big)) + 1, -1020)
  return 2 ** -e
}

/**
 * Flips the sign of column `j` of the row-major `rows × cols` matrix at `offset` (and of the
 * same column of `other`, if given) so that its entry of largest magnitude (the first, on a tie)
 * is positive: the sign convention that makes eigenvectors and singular vectors locally smooth.
 */
export function fixColumnSign(
  x: Floats,
  offset: number,
  rows: number,
  cols: number,
  j: number,
  other?: { data: Float64Array; offset: number; rows: number; cols: number },
): void {
  let best = 0
  let at = -1
  for (let i = 0; i < rows; i++) {
    const v = Math.abs(x[offset + i * cols + j]!)
    if (v > best) {
      best = v
      at = i
    }
  }
  if (at < 0 || x[offset + at * cols + j]! > 0) return
  for (let i = 0; i < rows; i++) x[offset + i * cols + j] = -x[offset + i * cols + j]!
  if (other === undefined) return
  for (let i = 0; i < other.rows; i++) {
    const k = other.offset + i * other.cols + j
    other.data[k] = -other.data[k]!
  }
}
