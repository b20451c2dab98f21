/**
 * Law domains of the orthogonal factorizations: matrices built from drawn factors, so the laws
 * meet well-conditioned inputs with well-separated eigenvalues or singular values — A = Q·Λ·Qᵀ
 * and A = U·diag(s)·Vᵀ with Q, U, V orthogonal (the Q of a drawn matrix's QR) and Λ, s drawn
 * apart. Eigenvectors and left singular vectors are redrawn until the entry of largest magnitude
 * of each leads the next one by a margin, so a finite-difference step never flips their signs.
 * @module
 */
import type { Draw } from '../../core/primitive.ts'
import { qrK } from '../../tensor/kernels/qr.ts'
import type { Floats } from '../../tensor/tensor.ts'
import { drawSeparated, real } from '../domain.ts'

/** A row-major n × n orthogonal matrix: the Q of a drawn matrix's QR (Q is orthogonal always). */
export function drawOrthogonal(draw: Draw, n: number): Float64Array {
  const a = Float64Array.from({ length: n * n }, () => draw.real(-1, 1))
  return qrK(a, [n, n], false).slice(0, n * n)
}

/** Whether each of the first k columns of the n × n `q` has a clear entry of largest magnitude. */
const clearSigns = (q: Float64Array, n: number, k: number, margin: number): boolean => {
  for (let j = 0; j < k; j++) {
    let first = 0
    let second = 0
    for (let i = 0; i < n; i++) {
      const v = Math.abs(q[i * n + j]!)
      if (v > first) {
        second = first
        first = v
      } else if (v > second) second = v
    }
    if (first - second < margin) return false
  }
  return true
}

/**
 * An orthogonal n × n matrix whose first k columns have clear signs (margin 0.1), from at most
 * 20 draws; else the identity, whose columns have the clearest signs of all.
 */
export function drawOrthogonalClear(draw: Draw, n: number, k = n): Float64Array {
  for (let attempt = 0; attempt < 20; attempt++) {
    const q = drawOrthogonal(draw, n)
    if (clearSigns(q, n, k, 0.1)) return q
  }
  const id = new Float64Array(n * n)
  for (let i = 0; i < n; i++) id[i * n + i] = 1
  return id
}

/** `count` reals in [lo, hi], pairwise at least `gap` apart. */
export function drawApart(draw: Draw, count: number, lo: number, hi: number, gap: number) {
  const [values] = drawSeparated(draw, [[count]], real(lo, hi), gap)
  return typeof values === 'number' ? Float64Array.of(values) : values!.data
}

/**
 * The row-major m × n matrix U·diag(s)·Vᵀ from the first k columns of the row-major m × m `u`
 * and n × n `v`, written into `out` at `offset`.
 */
export function writeProduct(
  out: Float64Array,
  offset: number,
  u: Floats,
  s: Floats,
  v: Floats,
  m: number,
  n: number,
): void {
  const k = s.length
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0
      for (let l = 0; l < k; l++) acc += u[i * m + l]! * s[l]! * v[j * n + l]!
      out[offset + i * n + j] = acc
    }
  }
}

/** A batch shape for a law sample: none (two times in three) or one axis of 1–3. */
export function drawBatch(draw: Draw): number[] {
  return draw.integer(0, 2) === 0 ? [draw.integer(1, 3)] : []
}
