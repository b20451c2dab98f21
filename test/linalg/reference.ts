/**
 * Plain-JS references for the linear-algebra tests, independent of fluxion's kernels: the
 * determinant by cofactor expansion (exact on small integer matrices), the inverse by
 * Gauss–Jordan elimination, norms and the 1-norm condition number that scales tolerances, and
 * fast-check arbitraries of matrices.
 */
import { fc } from '@fast-check/vitest'
import { type Tensor, tensor } from 'fluxion'

/** A dense matrix as rows. */
export type Rows = number[][]

/** det by cofactor expansion along the first row: exact for small integer entries. */
export const refDet = (a: Rows): number => {
  const n = a.length
  if (n === 0) return 1
  if (n === 1) return a[0]![0]!
  let d = 0
  for (let j = 0; j < n; j++) {
    const minor = a.slice(1).map((row) => row.filter((_, c) => c !== j))
    const term = a[0]![j]! * refDet(minor)
    d += j % 2 === 0 ? term : -term
  }
  return d
}

/** The inverse by Gauss–Jordan elimination with partial pivoting (undefined if singular). */
export const refInv = (a: Rows): Rows | undefined => {
  const n = a.length
  const m = a.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))])
  for (let k = 0; k < n; k++) {
    let p = k
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i]![k]!) > Math.abs(m[p]![k]!)) p = i
    if (m[p]![k] === 0) return undefined
    ;[m[k], m[p]] = [m[p]!, m[k]!]
    const pivot = m[k]![k]!
    m[k] = m[k]!.map((v) => v / pivot)
    for (let i = 0; i < n; i++) {
      if (i === k) continue
      const f = m[i]![k]!
      m[i] = m[i]!.map((v, j) => v - f * m[k]![j]!)
    }
  }
  return m.map((row) => row.slice(n))
}

/** The matrix 1-norm: the largest column sum of magnitudes. */
export const norm1 = (a: Rows): number => {
  let best = 0
  for (let j = 0; j < (a[0]?.length ?? 0); j++) {
    let s = 0
    for (const row of a) s += Math.abs(row[j]!)
    best = Math.max(best, s)
  }
  return best
}

/** κ₁(A) = ‖A‖₁·‖A⁻¹‖₁ (∞ for a singular A). */
export const cond1 = (a: Rows): number => {
  const inverse = refInv(a)
  return inverse === undefined ? Infinity : norm1(a) * norm1(inverse)
}

/** A·B. */
export const refMatmul = (a: Rows, b: Rows): Rows =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)))

/** The rows of a `[n, m]` tensor. */
export const rowsOf = (t: Tensor): Rows => t.toArray() as Rows

/** The largest |entry| of a tensor. */
export const maxAbs = (t: Tensor): number =>
  Array.from(t.data).reduce((m, v) => Math.max(m, Math.abs(v)), 0)

/** n × n matrices with integer entries in [−4, 4] (singular ones included). */
export const intMatrix = (n: number): fc.Arbitrary<Rows> =>
  fc.array(fc.array(fc.integer({ min: -4, max: 4 }), { minLength: n, maxLength: n }), {
    minLength: n,
    maxLength: n,
  })

/** n × n matrices with entries in [−1, 1] (any condition number). */
export const realMatrix = (n: number): fc.Arbitrary<Rows> =>
  fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n, maxLength: n }), {
    minLength: n,
    maxLength: n,
  })

/** Entries in [−1, 1] plus a dominant diagonal of ±(n + 1): well conditioned. */
export const dominantMatrix = (n: number): fc.Arbitrary<Tensor> =>
  fc
    .tuple(realMatrix(n), fc.array(fc.boolean(), { minLength: n, maxLength: n }))
    .map(([a, signs]) =>
      tensor(
        a.map((row, i) => row.map((v, j) => (i === j ? (signs[i] ? 1 : -1) * (n + 1) + v : v))),
      ),
    )

/** M·Mᵀ + n·I for M with entries in [−1, 1]: symmetric positive definite, κ ≤ n + 1. */
export const spd = (m: Rows): Tensor => {
  const n = m.length
  return tensor(
    refMatmul(
      m,
      m.map((_, i) => m.map((row) => row[i]!)),
    ).map((row, i) => row.map((v, j) => (i === j ? v + n : v))),
  )
}

/** Machine epsilon. */
export const eps = Number.EPSILON
