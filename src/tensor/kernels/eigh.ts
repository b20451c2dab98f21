/**
 * Symmetric eigendecomposition, batched: S = V·diag(λ)·Vᵀ for S = (A + Aᵀ)/2, eigenvalues
 * ascending, eigenvectors as columns — Householder tridiagonalization, then implicit QL with
 * Wilkinson shifts (Golub & Van Loan §8.3). It is backward stable (every eigenvalue within a
 * small multiple of ε‖S‖), converges on repeated eigenvalues as on distinct ones, and costs
 * about a third of cyclic Jacobi's sweeps at n = 100. Each eigenvector's entry of largest
 * magnitude is made positive (`fixColumnSign`), so V is locally smooth where λ is simple.
 * @module
 */
import { ShapeError } from '../../core/errors.ts'
import type { Shape } from '../shape.ts'
import {
  checkFiniteMatrix,
  fixColumnSign,
  matrixDims,
  notConverged,
  powerOfTwoScale,
} from './decomp-common.ts'

/** QL steps per eigenvalue before `eighK` gives up (about 2 on average; 30 is the classical bound). */
export const MAX_ITERATIONS = 60

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
export function eighK(a: Float64Array, shape: Shape): Float64Array {
  const { n, batch } = matrixDims(shape, 'eigh')
  if (shape[shape.length - 2] !== n) throw notSquare(shape)
  checkFiniteMatrix(a, shape, 'eigh')
  const out = new Float64Array(batch * (n + 1) * n)
  const s = new Float64Array(n * n)
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
    if (!tridiagonalQl(s, d, e, n)) throw notConverged('eigh', shape, MAX_ITERATIONS)
    // ascending, ties in their original order (Array.prototype.sort is stable)
    for (let i = 0; i < n; i++) order[i] = i
    order.sort((p, q) => d[p]! - d[q]!)
    const o = b * (n + 1) * n
    for (let j = 0; j < n; j++) {
      const src = order[j]!
      out[o + j] = d[src]! / scale
      for (let i = 0; i < n; i++) out[o + (i + 1) * n + j] = s[i * n + src]!
    }
    for (let j = 0; j < n; j++) fixColumnSign(out, o + n, n, n, j)
  }
  return out
}

/**
 * Diagonalizes the symmetric `v` (overwritten by the eigenvectors, as columns) into `d` (the
 * eigenvalues, unsorted), with `e` as workspace: Householder reduction to tridiagonal form with
 * the transformations accumulated, then implicit QL with Wilkinson shifts on the tridiagonal
 * matrix (the classical two-phase method: O(n³) with small constants, backward stable). False
 * when an eigenvalue needs more than `MAX_ITERATIONS` QL steps.
 */
function tridiagonalQl(v: Float64Array, d: Float64Array, e: Float64Array, n: number): boolean {
  // tridiagonalization, from the last row up (each step annihilates row i left of i − 1)
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1
    let h = 0
    let scale = 0
    for (let k = 0; k <= l; k++) scale += Math.abs(v[i * n + k]!)
    if (l === 0 || scale === 0) {
      e[i] = v[i * n + l]!
    } else {
      for (let k = 0; k <= l; k++) {
        v[i * n + k]! /= scale
        h += v[i * n + k]! * v[i * n + k]!
      }
      let f = v[i * n + l]!
      const g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h)
      e[i] = scale * g
      h -= f * g
      v[i * n + l] = f - g
      f = 0
      for (let j = 0; j <= l; j++) {
        v[j * n + i] = v[i * n + j]! / h
        let s = 0
        for (let k = 0; k <= j; k++) s += v[j * n + k]! * v[i * n + k]!
        for (let k = j + 1; k <= l; k++) s += v[k * n + j]! * v[i * n + k]!
        e[j] = s / h
        f += e[j]! * v[i * n + j]!
      }
      const hh = f / (h + h)
      for (let j = 0; j <= l; j++) {
        const fj = v[i * n + j]!
        const gj = e[j]! - hh * fj
        e[j] = gj
        for (let k = 0; k <= j; k++) v[j * n + k]! -= fj * e[k]! + gj * v[i * n + k]!
      }
    }
    d[i] = h
  }
  d[0] = 0
  e[0] = 0
  // accumulate the transformations into v
  for (let i = 0; i < n; i++) {
    if (d[i] !== 0) {
      for (let j = 0; j < i; j++) {
        let s = 0
        for (let k = 0; k < i; k++) s += v[i * n + k]! * v[k * n + j]!
        for (let k = 0; k < i; k++) v[k * n + j]! -= s * v[k * n + i]!
      }
    }
    d[i] = v[i * n + i]!
    v[i * n + i] = 1
    for (let j = 0; j < i; j++) v[j * n + i] = v[i * n + j] = 0
  }
  // implicit QL on the tridiagonal (d, e)
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!
  e[n - 1] = 0
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      let m = l
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!)
        if (Math.abs(e[m]!) <= Number.EPSILON * dd) break
      }
      if (m === l) break
      if (iter === MAX_ITERATIONS) return false
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!)
      let r = Math.hypot(g, 1)
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r))
      let s = 1
      let c = 1
      let p = 0
      let i = m - 1
      for (; i >= l; i--) {
        let f = s * e[i]!
        const b = c * e[i]!
        r = Math.hypot(f, g)
        e[i + 1] = r
        if (r === 0) {
          d[i + 1]! -= p
          e[m] = 0
          break
        }
        s = f / r
        c = g / r
        g = d[i + 1]! - p
        r = (d[i]! - g) * s + 2 * c * b
        p = s * r
        d[i + 1] = g + p
        g = c * r - b
        for (let k = 0; k < n; k++) {
          f = v[k * n + i + 1]!
          v[k * n + i + 1] = s * v[k * n + i]! + c * f
          v[k * n + i] = c * v[k * n + i]! - s * f
        }
      }
      if (r === 0 && i >= l) continue
      d[l]! -= p
      e[l] = g
      e[m] = 0
    }
  }
  return true
}
