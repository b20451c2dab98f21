/**
 * Symmetric eigendecomposition, batched: tridiagonalization + implicit QL (`eigh-ql.ts`) where
 * its checked result is accurate to a few ulps, else cyclic Jacobi rotations: S = V·diag(λ)·Vᵀ for
 * S = (A + Aᵀ)/2, eigenvalues ascending, eigenvectors as columns. Jacobi converges on repeated
 * eigenvalues as on distinct ones (quadratically, once the off-diagonal part is small) and is
 * accurate to a few ulps of ‖S‖ in every eigenvalue. Each eigenvector's entry of largest
 * magnitude is made positive (`fixColumnSign`), so V is locally smooth where λ is simple.
 *
 * The rotation zeroing s_pq is the 2 × 2 symmetric Schur decomposition (Golub & Van Loan,
 * §8.5.2); after a few sweeps an s_pq too small to change s_pp or s_qq is set to zero instead
 * (Rutishauser's test), so the iteration ends with an exactly diagonal matrix.
 * @module
 */

import { ShapeError } from '../../core/errors.ts'
import type { Shape } from '../shape.ts'
import type { Floats } from '../tensor.ts'
import {
  checkFiniteMatrix,
  fixColumnSign,
  matrixDims,
  notConverged,
  powerOfTwoScale,
} from './decomp-common.ts'
import { tridiagonalQl, verified } from './eigh-ql.ts'

/** Sweeps before `eighK` gives up (Jacobi needs about 6–10 for n ≤ 100). */
export const MAX_SWEEPS = 60

/** The packed output shape `[..., n + 1, n]`: the eigenvalues' row, then V's rows. */
export function eighShape(shape: Shape): number[] {
  const { m, n } = matrixDims(shape, 'eigh')
  if (m !== n) throw notSquare(shape)
  return [...shape.slice(0, -2), n + 1, n]
}

const notSquare = (shape: Shape): ShapeError =>
  new ShapeError(
    `eigh needs square matrices, got ${shape[shape.length - 2]} × ${shape[shape.length - 1]}`,
    {
      primitive: 'eigh',
      shapes: [shape],
      hint: 'the eigendecomposition is of a square [..., n, n] matrix; for a rectangular one use svd',
    },
  )

/**
 * Eigendecomposition of each symmetrized matrix of `a` (shape `[..., n, n]`), packed
 * `[..., n + 1, n]`: row 0 holds the eigenvalues ascending, rows 1…n hold V (eigenvectors as
 * columns). Non-finite entries, or no convergence within `MAX_SWEEPS`, throw `LinAlgError`.
 */
export function eighK(a: Floats, shape: Shape): Float64Array {
  const { n, batch } = matrixDims(shape, 'eigh')
  if (shape[shape.length - 2] !== n) throw notSquare(shape)
  checkFiniteMatrix(a, shape, 'eigh')
  const out = new Float64Array(batch * (n + 1) * n)
  const s = new Float64Array(n * n)
  const v = new Float64Array(n * n)
  const d = new Float64Array(n)
  const e = new Float64Array(n)
  const order = Array.from({ length: n }, (_, i) => i)
  for (let b = 0; b < batch; b++) {
    const at = b * n * n
    const scale = powerOfTwoScale(a, at, n * n)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        // scaled, then halved (exact away from subnormals), so the sum cannot overflow
        s[i * n + j] = a[at + i * n + j]! * scale * 0.5 + a[at + j * n + i]! * scale * 0.5
      }
    }
    // QL first; Jacobi where QL did not converge or its result fails the check
    v.set(s)
    if (!(tridiagonalQl(v, d, e, n) && verified(s, v, d, n))) {
      v.fill(0)
      for (let i = 0; i < n; i++) v[i * n + i] = 1
      if (!jacobi(s, v, n)) throw notConverged('eigh', shape, MAX_SWEEPS)
      for (let i = 0; i < n; i++) d[i] = s[i * n + i]!
    }
    // ascending, ties in their original order (Array.prototype.sort is stable)
    for (let i = 0; i < n; i++) order[i] = i
    order.sort((p, q) => d[p]! - d[q]!)
    const o = b * (n + 1) * n
    for (let j = 0; j < n; j++) {
      const src = order[j]!
      out[o + j] = d[src]! / scale
      for (let i = 0; i < n; i++) out[o + (i + 1) * n + j] = v[i * n + src]!
    }
    for (let j = 0; j < n; j++) fixColumnSign(out, o + n, n, n, j)
  }
  return out
}

/** Diagonalizes the symmetric `s` in place, accumulating rotations into `v`; false if stuck. */
function jacobi(s: Floats, v: Floats, n: number): boolean {
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = false
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = s[p * n + q]!
        if (apq === 0) continue
        const app = s[p * n + p]!
        const aqq = s[q * n + q]!
        const g = 100 * Math.abs(apq)
        if (
          sweep > 3 &&
          Math.abs(app) + g === Math.abs(app) &&
          Math.abs(aqq) + g === Math.abs(aqq)
        ) {
          s[p * n + q] = 0
          s[q * n + p] = 0
          continue
        }
        const tau = (aqq - app) / (2 * apq)
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.hypot(1, tau))
        if (t === 0) {
          // s_pq below 1e-308 of the gap s_qq − s_pp: a rotation would change nothing
          s[p * n + q] = 0
          s[q * n + p] = 0
          continue
        }
        off = true
        const c = 1 / Math.sqrt(1 + t * t)
        const sn = t * c
        for (let r = 0; r < n; r++) {
          if (r === p || r === q) continue
          const arp = s[r * n + p]!
          const arq = s[r * n + q]!
          const np = c * arp - sn * arq
          const nq = sn * arp + c * arq
          s[r * n + p] = np
          s[p * n + r] = np
          s[r * n + q] = nq
          s[q * n + r] = nq
        }
        s[p * n + p] = app - t * apq
        s[q * n + q] = aqq + t * apq
        s[p * n + q] = 0
        s[q * n + p] = 0
        for (let r = 0; r < n; r++) {
          const vp = v[r * n + p]!
          const vq = v[r * n + q]!
          v[r * n + p] = c * vp - sn * vq
          v[r * n + q] = sn * vp + c * vq
        }
      }
    }
    if (!off) return true
  }
  return false
}
