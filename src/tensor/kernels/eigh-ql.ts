/**
 * The fast path of `eigh`: Householder tridiagonalization with the transformations accumulated,
 * then implicit QL with Wilkinson shifts (Golub & Van Loan §8.3) — about a third of cyclic
 * Jacobi's time at n = 100 — and a check of its result (`verified`) so that the kernel can fall
 * back to Jacobi wherever QL lost accuracy (on matrices whose entries span hundreds of orders
 * of magnitude its eigenvectors were seen to lose orthogonality to 3·10⁻¹³).
 * @module
 */
import type { Floats } from '../tensor.ts'

/** QL steps per eigenvalue before giving up (about 2 on average; 30 is the classical bound). */
const MAX_QL_ITERATIONS = 60

/**
 * Diagonalizes the symmetric `v` (overwritten by the eigenvectors, as columns) into `d` (the
 * eigenvalues, unsorted), with `e` as workspace: Householder reduction to tridiagonal form with
 * the transformations accumulated, then implicit QL with Wilkinson shifts on the tridiagonal
 * matrix (the classical two-phase method: O(n³) with small constants, backward stable). False
 * when an eigenvalue needs more than `MAX_QL_ITERATIONS` QL steps.
 */
export function tridiagonalQl(v: Floats, d: Floats, e: Floats, n: number): boolean {
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
      if (iter === MAX_QL_ITERATIONS) return false
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

/**
 * Whether the eigenpairs (`d`, the columns of `v`) of the symmetric `s` (entries of magnitude
 * at most about 1) are accurate to a few ulps: VᵀV = I and S·V = V·diag(d), entry by entry,
 * within 4·n·ε. Costs about 1.5·n³ multiply-adds.
 */
export function verified(s: Floats, v: Floats, d: Floats, n: number): boolean {
  const tol = 4 * n * Number.EPSILON
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let dot = 0
      for (let k = 0; k < n; k++) dot += v[k * n + i]! * v[k * n + j]!
      if (!(Math.abs(dot - (i === j ? 1 : 0)) <= tol)) return false
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sv = 0
      for (let k = 0; k < n; k++) sv += s[i * n + k]! * v[k * n + j]!
      if (!(Math.abs(sv - d[j]! * v[i * n + j]!) <= tol)) return false
    }
  }
  return true
}
