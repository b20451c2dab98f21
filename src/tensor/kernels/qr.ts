/**
 * Reduced QR by Householder reflections, batched: A = Q·R with Q [m, k] orthonormal columns,
 * R [k, n] upper triangular, k = min(m, n). Each reflection maps a column onto +‖x‖·e₁
 * (Parlett's form of the reflector avoids the cancellation of x₀ − ‖x‖), so R's diagonal is ≥ 0:
 * the QR of a full-rank matrix with that sign is unique, hence smooth in A. Column norms are
 * taken on the column scaled by a power of two, so they neither overflow nor underflow.
 * @module
 */

import { LinAlgError } from '../../core/errors.ts'
import type { Shape } from '../shape.ts'
import type { Floats } from '../tensor.ts'
import { checkFiniteMatrix, matrixDims } from './decomp-common.ts'

/** The packed output shape `[..., m + n, k]`: Q's rows, then Rᵀ's rows. */
export function qrShape(shape: Shape): number[] {
  const { m, n } = matrixDims(shape, 'qr')
  return [...shape.slice(0, -2), m + n, Math.min(m, n)]
}

/**
 * QR of each matrix of `a` (shape `[..., m, n]`), packed `[..., m + n, k]`: rows 0…m−1 hold Q,
 * rows m…m+n−1 hold Rᵀ. With `fullRank`, a matrix of column rank below n (m < n, or a diagonal
 * entry of R at most max(m, n)·ε·max|Rᵢᵢ|) throws `LinAlgError` (lstsq's requirement). Non-finite
 * entries throw `LinAlgError`.
 */
export function qrK(a: Floats, shape: Shape, fullRank: boolean): Float64Array {
  const { m, n, batch } = matrixDims(shape, 'qr')
  checkFiniteMatrix(a, shape, 'qr')
  const k = Math.min(m, n)
  const rows = m + n
  const out = new Float64Array(batch * rows * k)
  const w = new Float64Array(m * n) // R above the diagonal, reflectors on and below it
  const beta = new Float64Array(k) // H_j = I − β_j·v_j·v_jᵀ
  const diag = new Float64Array(k)
  for (let b = 0; b < batch; b++) {
    w.set(a.subarray(b * m * n, (b + 1) * m * n))
    for (let j = 0; j < k; j++) {
      let big = 0
      for (let i = j; i < m; i++) big = Math.max(big, Math.abs(w[i * n + j]!))
      beta[j] = 0
      if (big === 0) {
        diag[j] = 0
        continue
      }
      // the reflector of the scaled column: scaling v leaves H unchanged
      let tail = 0
      for (let i = j + 1; i < m; i++) {
        const t = w[i * n + j]! / big
        w[i * n + j] = t
        tail += t * t
      }
      const x0 = w[j * n + j]! / big
      const norm = Math.sqrt(x0 * x0 + tail)
      diag[j] = big * norm
      // a tail below ε·x₀ is rounding noise (dropping it is backward stable); reflecting it
      // would need v₀ ≈ −tail/2, whose 2/vᵀv overflows as the tail underflows
      if (x0 > 0 && tail <= (Number.EPSILON * x0) ** 2) continue
      const v0 = x0 <= 0 ? x0 - norm : -tail / (x0 + norm)
      w[j * n + j] = v0
      if (v0 === 0) continue // x is already +‖x‖·e₁
      const bj = -1 / (norm * v0) // 2 / vᵀv, since vᵀv = −2·norm·v₀
      beta[j] = bj
      for (let c = j + 1; c < n; c++) {
        let dot = 0
        for (let i = j; i < m; i++) dot += w[i * n + j]! * w[i * n + c]!
        const f = bj * dot
        for (let i = j; i < m; i++) w[i * n + c] = w[i * n + c]! - f * w[i * n + j]!
      }
    }
    if (fullRank) checkRank(diag, m, n, shape)
    const o = b * rows * k
    // Q = H₀·H₁·…·H_{k−1}·[I_k; 0], accumulated backwards into the output's first m rows
    for (let i = 0; i < k; i++) out[o + i * k + i] = 1
    for (let j = k - 1; j >= 0; j--) {
      const bj = beta[j]!
      if (bj === 0) continue
      for (let c = j; c < k; c++) {
        let dot = 0
        for (let i = j; i < m; i++) dot += w[i * n + j]! * out[o + i * k + c]!
        const f = bj * dot
        for (let i = j; i < m; i++) out[o + i * k + c] = out[o + i * k + c]! - f * w[i * n + j]!
      }
    }
    // Rᵀ: row c holds column c of R, rows 0…min(c, k − 1)
    const t = o + m * k
    for (let j = 0; j < k; j++) {
      out[t + j * k + j] = diag[j]!
      for (let c = j + 1; c < n; c++) out[t + c * k + j] = w[j * n + c]!
    }
  }
  return out
}

/** Throws `LinAlgError` unless R (through its diagonal) has full column rank n. */
function checkRank(diag: Floats, m: number, n: number, shape: Shape): void {
  let big = 0
  for (const d of diag) big = Math.max(big, Math.abs(d))
  const tol = Math.max(m, n) * Number.EPSILON * big
  let rank = 0
  for (const d of diag) if (Math.abs(d) > tol) rank++
  if (rank < n) {
    throw new LinAlgError(`lstsq needs a matrix of full column rank ${n}, got rank ${rank}`, {
      primitive: 'lstsq',
      shapes: [shape],
      hint:
        m < n
          ? 'an underdetermined system (m < n) has many solutions: matmul(pinv(a), b) is the one of least norm'
          : 'drop dependent columns, or use matmul(pinv(a), b) for the least-norm solution',
    })
  }
}
