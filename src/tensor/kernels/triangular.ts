/**
 * Triangular solves: op(T)·X = B for a batch of triangular T (lower or upper, op the identity or
 * the transpose, a unit diagonal optionally implied) and right-hand sides of k columns. Only the
 * triangle is read. Rows of X are updated as wholes, so the inner loops run over contiguous
 * memory; a transposed solve walks the rows of T instead of its columns (the column form).
 * @module
 */

import { LinAlgError } from '../../core/errors.ts'
import { type Shape, sizeOf } from '../shape.ts'
import type { Floats } from '../tensor.ts'
import { matrixStarts, solveShape } from './matrix-batch.ts'

/** Which triangle, which side and which diagonal a triangular solve uses. */
export interface TriangularFlags {
  /** T is lower triangular (else upper). */
  readonly lower: boolean
  /** Solve with Tᵀ. */
  readonly transpose: boolean
  /** T's diagonal is taken as ones (and not read). */
  readonly unitDiagonal: boolean
}

/** x[xi, :] −= f · x[xj, :] over k columns; a zero f contributes nothing, even against ∞. */
const axpyRow = (x: Floats, xi: number, xj: number, f: number, k: number): void => {
  if (f === 0) return
  for (let c = 0; c < k; c++) x[xi + c] = x[xi + c]! - f * x[xj + c]!
}

/** x[xi, :] /= d over k columns. */
const scaleRow = (x: Floats, xi: number, d: number, k: number): void => {
  for (let c = 0; c < k; c++) x[xi + c] = x[xi + c]! / d
}

/**
 * Solves op(T)·X = X in place: T is the n × n matrix at `t[tOff…]`, X the n × k one at
 * `x[xOff…]`. Forward substitution for a lower op(T), back substitution for an upper one.
 */
export function triangularSolveInPlace(
  t: Floats,
  tOff: number,
  n: number,
  x: Floats,
  xOff: number,
  k: number,
  lower: boolean,
  transpose: boolean,
  unit: boolean,
): void {
  if (lower && !transpose) {
    // row i minus Σ_{j<i} T[i, j]·row j, then divided by T[i, i]
    for (let i = 0; i < n; i++) {
      const xi = xOff + i * k
      for (let j = 0; j < i; j++) axpyRow(x, xi, xOff + j * k, t[tOff + i * n + j]!, k)
      if (!unit) scaleRow(x, xi, t[tOff + i * n + i]!, k)
    }
  } else if (!lower && !transpose) {
    for (let i = n - 1; i >= 0; i--) {
      const xi = xOff + i * k
      for (let j = i + 1; j < n; j++) axpyRow(x, xi, xOff + j * k, t[tOff + i * n + j]!, k)
      if (!unit) scaleRow(x, xi, t[tOff + i * n + i]!, k)
    }
  } else if (!lower) {
    // Uᵀ is lower: once row j is final, it leaves U[j, i]·row j in every later row i
    for (let j = 0; j < n; j++) {
      const xj = xOff + j * k
      if (!unit) scaleRow(x, xj, t[tOff + j * n + j]!, k)
      for (let i = j + 1; i < n; i++) axpyRow(x, xOff + i * k, xj, t[tOff + j * n + i]!, k)
    }
  } else {
    // Lᵀ is upper: the same from the last row up
    for (let j = n - 1; j >= 0; j--) {
      const xj = xOff + j * k
      if (!unit) scaleRow(x, xj, t[tOff + j * n + j]!, k)
      for (let i = 0; i < j; i++) axpyRow(x, xOff + i * k, xj, t[tOff + j * n + i]!, k)
    }
  }
}

/**
 * Throws `LinAlgError` when an entry T reads (its triangle; the diagonal unless it is unit) is
 * not finite, or a diagonal entry it divides by is exactly zero: SciPy refuses both.
 */
const checkTriangles = (
  t: Floats,
  shape: Shape,
  flags: TriangularFlags,
  shapes: readonly Shape[],
): void => {
  const n = shape[shape.length - 1]!
  const count = n === 0 ? 0 : t.length / (n * n)
  const fail = (message: string, hint: string): never => {
    throw new LinAlgError(message, { primitive: 'triangularSolve', shapes, hint })
  }
  for (let m = 0; m < count; m++) {
    const base = m * n * n
    for (let i = 0; i < n; i++) {
      const from = flags.lower ? 0 : i
      const to = flags.lower ? i : n - 1
      for (let j = from; j <= to; j++) {
        if (j === i && flags.unitDiagonal) continue
        const v = t[base + i * n + j]!
        if (!Number.isFinite(v)) {
          fail(
            `triangularSolve got a matrix with a non-finite entry (${v}) in its triangle`,
            'find where the NaN or infinity came from (debugNans(true) names the op)',
          )
        }
        if (j === i && v === 0) {
          fail(
            `triangularSolve: the matrix is singular (diagonal entry ${i} is exactly zero)`,
            'a triangular matrix is invertible exactly when its diagonal has no zero',
          )
        }
      }
    }
  }
}

/**
 * Batched op(T)·X = B, T `[..., n, n]` and B `[..., n, k]` with broadcast batch axes: the
 * solution `[...batch, n, k]`. Throws `ShapeError` as `solveShape` does, and `LinAlgError` for
 * a zero or non-finite entry where T is read. B's entries are not checked: they propagate as
 * IEEE arithmetic does, a zero of T contributing nothing.
 */
export function triangularSolveK(
  t: Floats,
  tShape: Shape,
  b: Floats,
  bShape: Shape,
  flags: TriangularFlags,
): { data: Float64Array; shape: number[] } {
  const shape = solveShape(tShape, bShape, 'triangularSolve')
  checkTriangles(t, tShape, flags, [tShape, bShape])
  const r = shape.length
  const n = shape[r - 2]!
  const k = shape[r - 1]!
  const batch = shape.slice(0, -2)
  const tStarts = matrixStarts(tShape.slice(0, -2), batch, n * n)
  const bStarts = matrixStarts(bShape.slice(0, -2), batch, n * k)
  const data = new Float64Array(sizeOf(shape))
  for (let m = 0; m < tStarts.length; m++) {
    const out = m * n * k
    data.set(b.subarray(bStarts[m]!, bStarts[m]! + n * k), out)
    const { lower, transpose, unitDiagonal } = flags
    triangularSolveInPlace(t, tStarts[m]!, n, data, out, k, lower, transpose, unitDiagonal)
  }
  return { data, shape }
}
