/**
 * Reduced singular value decomposition by one-sided Jacobi (Hestenes), batched:
 * A = U·diag(s)·Vᵀ with U [m, k], V [n, k] orthonormal columns, s descending ≥ 0, k = min(m, n).
 * Plane rotations applied to the columns of A (of Aᵀ when m < n) make them pairwise orthogonal;
 * their norms are then the singular values, each to a few ulps relative on well-conditioned
 * input, and the rotations accumulate into V. A pair counts as orthogonal when
 * |aₚᵀa_q| ≤ tol·‖aₚ‖‖a_q‖ with tol = √m·ε (LAPACK's dgesvj); the iteration ends after a sweep
 * with no rotation. Columns of U for zero singular values are completed to an orthonormal set;
 * singular values below about 1e-154·max|aᵢⱼ| count as zero (their squares underflow).
 * Each column of U has its entry of largest magnitude positive (V's column flips with it).
 * @module
 */

import type { Shape } from '../shape.ts'
import type { Floats } from '../tensor.ts'
import {
  checkFiniteMatrix,
  fixColumnSign,
  matrixDims,
  notConverged,
  powerOfTwoScale,
} from './decomp-common.ts'
import { MAX_SWEEPS } from './eigh.ts'

/**
 * The smallest normal double: a column's sum of squares below it has lost precision (its norm is
 * below 1.5e-154 of the largest entry), so the column counts as zero — a backward error of that
 * relative size, and its singular value is reported as 0.
 */
const TINY = 2 ** -1022

/** The packed output shape `[..., m + 1 + n, k]`: U's rows, the singular values, V's rows. */
export function svdShape(shape: Shape): number[] {
  const { m, n } = matrixDims(shape, 'svd')
  return [...shape.slice(0, -2), m + 1 + n, Math.min(m, n)]
}

/**
 * SVD of each matrix of `a` (shape `[..., m, n]`), packed `[..., m + 1 + n, k]`: rows 0…m−1 hold
 * U, row m the singular values (descending), rows m+1…m+n hold V (so Vᵀ is their transpose).
 * Non-finite entries, or no convergence within `MAX_SWEEPS`, throw `LinAlgError` (naming `op`).
 */
export function svdK(a: Floats, shape: Shape, op = 'svd'): Float64Array {
  const { m, n, batch } = matrixDims(shape, op)
  checkFiniteMatrix(a, shape, op)
  const k = Math.min(m, n)
  const tall = m >= n
  const rows = tall ? m : n // the columns rotated have this length
  const rowsOut = m + 1 + n
  const out = new Float64Array(batch * rowsOut * k)
  const w = new Float64Array(rows * k) // column-major: column j at j·rows
  const v = new Float64Array(k * k) // column-major as well
  const s = new Float64Array(k)
  const u = new Float64Array(rows * k) // W's columns normalized, in sorted order
  const order = Array.from({ length: k }, (_, i) => i)
  for (let b = 0; b < batch; b++) {
    const at = b * m * n
    const scale = powerOfTwoScale(a, at, m * n)
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const x = a[at + i * n + j]! * scale
        if (tall) w[j * rows + i] = x
        else w[i * rows + j] = x
      }
    }
    v.fill(0)
    for (let i = 0; i < k; i++) v[i * k + i] = 1
    if (!rotate(w, v, rows, k)) throw notConverged(op, shape, MAX_SWEEPS)
    for (let j = 0; j < k; j++) {
      let ss = 0
      for (let i = 0; i < rows; i++) ss += w[j * rows + i]! ** 2
      s[j] = ss < TINY ? 0 : Math.sqrt(ss)
    }
    for (let i = 0; i < k; i++) order[i] = i
    order.sort((p, q) => s[q]! - s[p]!)
    // normalize in sorted order; complete the columns of zero singular values
    u.fill(0)
    for (let j = 0; j < k; j++) {
      const src = order[j]!
      const sj = s[src]!
      if (sj > 0) for (let i = 0; i < rows; i++) u[j * rows + i] = w[src * rows + i]! / sj
      else complete(u, rows, j)
    }
    const o = b * rowsOut * k
    // tall: U = normalized W (m × k), V = v; wide: A = v·S·Wᵀ, so U = v (m × m), V = W (n × m)
    for (let j = 0; j < k; j++) {
      const src = order[j]!
      out[o + m * k + j] = s[src]! / scale
      for (let i = 0; i < m; i++) {
        out[o + i * k + j] = tall ? u[j * rows + i]! : v[src * k + i]!
      }
      for (let i = 0; i < n; i++) {
        out[o + (m + 1 + i) * k + j] = tall ? v[src * k + i]! : u[j * rows + i]!
      }
    }
    const vBlock = { data: out, offset: o + (m + 1) * k, rows: n, cols: k }
    for (let j = 0; j < k; j++) fixColumnSign(out, o, m, k, j, vBlock)
  }
  return out
}

/** One-sided Jacobi on the k columns of `w` (length `rows`), rotations into `v`; false if stuck. */
function rotate(w: Floats, v: Floats, rows: number, k: number): boolean {
  const tol = Math.sqrt(rows) * Number.EPSILON
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false
    for (let p = 0; p < k - 1; p++) {
      for (let q = p + 1; q < k; q++) {
        let alpha = 0
        let beta = 0
        let gamma = 0
        for (let i = 0; i < rows; i++) {
          const x = w[p * rows + i]!
          const y = w[q * rows + i]!
          alpha += x * x
          beta += y * y
          gamma += x * y
        }
        // a column whose squares underflow (norm below 1e-154·max|a|) counts as zero
        if (gamma === 0 || alpha < TINY || beta < TINY) continue
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) continue
        // the rotation diagonalizing the 2 × 2 Gram matrix [[α, γ], [γ, β]]
        const zeta = (beta - alpha) / (2 * gamma)
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.hypot(1, zeta))
        if (t === 0) continue // γ below rounding of β − α: nothing to rotate
        rotated = true
        const c = 1 / Math.sqrt(1 + t * t)
        const sn = t * c
        for (let i = 0; i < rows; i++) {
          const x = w[p * rows + i]!
          const y = w[q * rows + i]!
          w[p * rows + i] = c * x - sn * y
          w[q * rows + i] = sn * x + c * y
        }
        for (let i = 0; i < k; i++) {
          const x = v[p * k + i]!
          const y = v[q * k + i]!
          v[p * k + i] = c * x - sn * y
          v[q * k + i] = sn * x + c * y
        }
      }
    }
    if (!rotated) return true
  }
  return false
}

/**
 * Column j of the column-major `u` (columns 0…j−1 orthonormal, the others zero or orthonormal)
 * as a unit vector orthogonal to all of them: the basis vector the others cover least,
 * orthogonalized twice (Gram–Schmidt) and normalized.
 */
function complete(u: Floats, rows: number, j: number): void {
  const k = u.length / rows
  let best = Infinity
  let at = 0
  for (let i = 0; i < rows; i++) {
    let covered = 0
    for (let c = 0; c < k; c++) if (c !== j) covered += u[c * rows + i]! ** 2
    if (covered < best) {
      best = covered
      at = i
    }
  }
  const col = j * rows
  for (let i = 0; i < rows; i++) u[col + i] = i === at ? 1 : 0
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < k; c++) {
      if (c === j) continue
      let dot = 0
      for (let i = 0; i < rows; i++) dot += u[c * rows + i]! * u[col + i]!
      for (let i = 0; i < rows; i++) u[col + i] = u[col + i]! - dot * u[c * rows + i]!
    }
  }
  let norm = 0
  for (let i = 0; i < rows; i++) norm += u[col + i]! ** 2
  norm = Math.sqrt(norm)
  for (let i = 0; i < rows; i++) u[col + i] = u[col + i]! / norm
}

/** The output shape of `pinvK`: `[..., n, m]`. */
export function pinvShape(shape: Shape): number[] {
  const { m, n } = matrixDims(shape, 'pinv')
  return [...shape.slice(0, -2), n, m]
}

/**
 * Pseudo-inverse of each matrix of `a` (shape `[..., m, n]`), `[..., n, m]`: V·diag(s⁺)·Uᵀ from
 * the SVD, s⁺ᵢ = 1/sᵢ where sᵢ > rtol·max(s), else 0 (NumPy's cutoff). Throws as `svdK`.
 */
export function pinvK(a: Floats, shape: Shape, rtol: number): Float64Array {
  const { m, n, batch } = matrixDims(shape, 'pinv')
  const k = Math.min(m, n)
  const packed = svdK(a, shape, 'pinv')
  const rowsOut = m + 1 + n
  const out = new Float64Array(batch * n * m)
  const inv = new Float64Array(k)
  for (let b = 0; b < batch; b++) {
    const o = b * rowsOut * k
    const cutoff = k === 0 ? 0 : rtol * packed[o + m * k]!
    for (let l = 0; l < k; l++) {
      const s = packed[o + m * k + l]!
      inv[l] = s > cutoff ? 1 / s : 0
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let acc = 0
        for (let l = 0; l < k; l++) {
          acc += packed[o + (m + 1 + i) * k + l]! * inv[l]! * packed[o + j * k + l]!
        }
        out[b * n * m + i * m + j] = acc
      }
    }
  }
  return out
}
