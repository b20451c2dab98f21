/**
 * Shared by the factorization tests: plain-JS matrices (arrays of rows) as the reference
 * arithmetic, fast-check arbitraries of matrices (random, or built from drawn factors so their
 * spectra are known), a condition number from the reference SVD, and central differences.
 */
import fc from 'fast-check'
import { type Tensor, tensor } from 'fluxion'

/** A matrix as an array of rows. */
export type M = number[][]

export const rowsOf = (t: Tensor): M => t.toArray() as M
export const mm = (a: M, b: M): M =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((s, aik, k) => s + aik * b[k]![j]!, 0)))
export const tr = (a: M): M => (a.length === 0 ? [] : a[0]!.map((_, j) => a.map((row) => row[j]!)))
export const identity = (n: number): M =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)))
export const diag = (v: readonly number[]): M => v.map((x, i) => v.map((_, j) => (i === j ? x : 0)))
/** Largest |a − b| over all entries. */
export const maxDiff = (a: M, b: M): number =>
  Math.max(0, ...a.flatMap((row, i) => row.map((x, j) => Math.abs(x - b[i]![j]!))))
/** Frobenius norm. */
export const fro = (a: M): number => Math.sqrt(a.flat().reduce((s, x) => s + x * x, 0))

/** fast-check's reals in [lo, hi], finite. */
export const real = (lo: number, hi: number) =>
  fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true })

/** An m × n matrix with entries in [−1, 1]. */
export const matrixOf = (m: number, n: number): fc.Arbitrary<M> =>
  fc.array(fc.array(real(-1, 1), { minLength: n, maxLength: n }), { minLength: m, maxLength: m })

/** Random matrices of 1–6 rows and columns with entries in [−1, 1]. */
export const anyMatrix: fc.Arbitrary<M> = fc
  .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }))
  .chain(([m, n]) => matrixOf(m, n))

/** The Q of Gram–Schmidt on a random n × n matrix, redone until it is well defined. */
export const orthogonal = (n: number): fc.Arbitrary<M> =>
  matrixOf(n, n).map((a) => {
    const cols: number[][] = []
    for (let j = 0; j < n; j++) {
      let v = a.map((row, i) => row[j]! + (i === j ? 2 : 0)) // diagonally dominant: independent
      for (let pass = 0; pass < 2; pass++) {
        for (const c of cols) {
          const d = c.reduce((s, x, i) => s + x * v[i]!, 0)
          v = v.map((x, i) => x - d * c[i]!)
        }
      }
      const len = Math.sqrt(v.reduce((s, x) => s + x * x, 0))
      cols.push(v.map((x) => x / len))
    }
    return tr(cols)
  })

/** A symmetric n × n matrix Q·diag(λ)·Qᵀ with the given eigenvalues (symmetrized exactly). */
export const withSpectrum = (q: M, lambda: readonly number[]): M => {
  const a = mm(mm(q, diag(lambda)), tr(q))
  return a.map((row, i) => row.map((x, j) => (i <= j ? x : a[j]![i]!)))
}

/** `count` distinct values in [lo, hi], at least `gap` apart, sorted ascending. */
export const separated = (count: number, lo: number, hi: number, gap: number) =>
  fc.array(real(0, 1), { minLength: count, maxLength: count }).map((xs) => {
    const width = hi - lo - gap * (count - 1)
    return xs
      .map((x) => x * width)
      .sort((a, b) => a - b)
      .map((x, i) => lo + x + i * gap)
  })

/** Central-difference gradient of a scalar function of a matrix, entry by entry. */
export const fdGrad = (f: (a: Tensor) => number, a: M, h = 1e-6): M =>
  a.map((row, i) =>
    row.map((_, j) => {
      const at = (d: number) =>
        f(tensor(a.map((r, k) => r.map((x, l) => (k === i && l === j ? x + d : x)))))
      return (at(h) - at(-h)) / (2 * h)
    }),
  )

/** A tensor from rows. */
export const t = (a: M | number[]): Tensor => tensor(a)

/** Machine epsilon. */
export const eps = Number.EPSILON

/**
 * A rank-0 tensor typed as the number `derivative` expects of f's result: f's output is
 * traced there, and a traced value travels under its primal's type either way.
 */
export const asScalar = (x: Tensor): number => x as unknown as number
