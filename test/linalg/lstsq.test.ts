/**
 * lstsq: agreement with the normal equations (solved by a plain-JS Gaussian elimination) on
 * well-conditioned matrices, vector and matrix right-hand sides, batches; derivatives against
 * the closed forms x̄_b = A⁺ᵀ·w and dx = (AᵀA)⁻¹·(dAᵀ·r − Aᵀ·dA·x) and central differences,
 * in every mode; bad input (pinv has its own file).
 *
 * Tolerances: normal-equation agreement to 64·κ²·ε·max|x| (the normal equations lose κ²;
 * κ ≤ 20 and |x| ≤ 10 here); derivatives to 1e-12 against closed forms and 1e-7 against
 * central differences (h = 1e-6).
 */
import fc from 'fast-check'
import {
  grad,
  hessian,
  index,
  jacfwd,
  jacrev,
  jit,
  jvp,
  LinAlgError,
  matmul,
  mul,
  ShapeError,
  sum,
  type Tensor,
  tensor,
  vmap,
} from 'fluxion'
import { lstsq, pinv } from 'fluxion/linalg'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import {
  diag,
  eps,
  fdGrad,
  type M,
  matrixOf,
  maxDiff,
  mm,
  orthogonal,
  rowsOf,
  separated,
  t,
  tr,
} from './helpers.ts'

/** Solves the square system S·x = y by Gaussian elimination with partial pivoting. */
const solve = (s: M, y: number[]): number[] => {
  const n = y.length
  const a = s.map((row, i) => [...row, y[i]!])
  for (let c = 0; c < n; c++) {
    let p = c
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r
    ;[a[c], a[p]] = [a[p]!, a[c]!]
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / a[c]![c]!
      for (let k = c; k <= n; k++) a[r]![k] = a[r]![k]! - f * a[c]![k]!
    }
  }
  const x = new Array<number>(n).fill(0)
  for (let r = n - 1; r >= 0; r--) {
    let acc = a[r]![n]!
    for (let k = r + 1; k < n; k++) acc -= a[r]![k]! * x[k]!
    x[r] = acc / a[r]![r]!
  }
  return x
}

/** A tall m × n matrix (m ≥ n) with singular values in [0.5, 10]: condition ≤ 20. */
const tallMatrix = fc
  .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 3 }))
  .chain(([n, extra]) => fc.tuple(orthogonal(n + extra), orthogonal(n), separated(n, 0.5, 10, 0)))
  .map(([u, v, s]) =>
    mm(
      mm(
        u.map((r) => r.slice(0, s.length)),
        diag(s),
      ),
      tr(v),
    ),
  )

// biome-ignore format: one matrix row per bracket
const A: M = [[2, -1], [1, 3], [0.5, 1], [-1, 0.5]]
const b = [1, -2, 0.5, 3]

describe('lstsq', () => {
  it('agrees with the normal equations AᵀA·x = Aᵀb (vector and matrix b)', () => {
    const problem = tallMatrix.chain((a) => fc.tuple(fc.constant(a), matrixOf(a.length, 2)))
    fc.assert(
      fc.property(problem, ([a, rhs]) => {
        const ata = mm(tr(a), a)
        const col = (j: number) => rhs.map((row) => row[j]!)
        const want = [0, 1].map((j) =>
          solve(
            ata,
            mm(tr(a), tr([col(j)])).map((r) => r[0]!),
          ),
        )
        const x = rowsOf(lstsq(t(a), t(rhs)))
        expect(maxDiff(x, tr(want))).toBeLessThanOrEqual(64 * 400 * eps * 10)
        const xv = lstsq(t(a), t(col(0))).toArray() as number[]
        expect(maxDiff([xv], [want[0]!])).toBeLessThanOrEqual(64 * 400 * eps * 10)
      }),
    )
  })

  it('known values; square systems; batches of A against one vector b', () => {
    expectClose(
      lstsq(
        t([
          [1, 0],
          [0, 1],
          [1, 1],
        ]),
        t([1, 1, 0]),
      ),
      t([1 / 3, 1 / 3]),
      1e-15,
      1e-15,
    )
    expectClose(
      lstsq(
        t([
          [2, 0],
          [0, 4],
        ]),
        t([1, 1]),
      ),
      t([0.5, 0.25]),
      0,
      0,
    )
    const batch = lstsq(
      tensor([
        A,
        mm(A, [
          [1, 1],
          [0, 2],
        ]),
      ]),
      t(b),
    )
    expect(batch.shape).toEqual([2, 2])
    expectClose(index(batch, 0), lstsq(t(A), t(b)), 0, 0)
  })

  it('bad input: rank deficiency and m < n are LinAlgErrors; shapes are ShapeErrors', () => {
    expect(() =>
      lstsq(
        t([
          [1, 2],
          [2, 4],
          [3, 6],
        ]),
        t([1, 2, 3]),
      ),
    ).toThrow(LinAlgError)
    expect(() =>
      lstsq(
        t([
          [1, 2],
          [2, 4],
          [3, 6],
        ]),
        t([1, 2, 3]),
      ),
    ).toThrow(/full column rank 2, got rank 1/)
    expect(() => lstsq(t([[1, 2, 3]]), t([1]))).toThrow(/m ≥ n/)
    expect(() => lstsq(t(A), t([1, 2]))).toThrow(ShapeError)
    expect(() => lstsq(t([1, 2]), t([1, 2]))).toThrow(ShapeError)
    expect(() =>
      lstsq(
        t([
          [1, Number.NaN],
          [0, 1],
        ]),
        t([1, 2]),
      ),
    ).toThrow(LinAlgError)
  })

  it('derivatives: x̄_b = A⁺ᵀ·w; dx = (AᵀA)⁻¹(dAᵀ·r − Aᵀ·dA·x); central differences in A', () => {
    const w = t([1, -2])
    const f = (a: Tensor, rhs: Tensor) => sum(mul(lstsq(a, rhs), w))
    const [gA, gB] = grad(f, { argnums: [0, 1] })(t(A), t(b))
    expectClose(gB, matmul(w, pinv(t(A))), 1e-12, 1e-12)
    expectClose(gA, t(fdGrad((a) => f(a, t(b)).item(), A)), 1e-7, 1e-8)
    const da = A.map((row, i) => row.map((_, j) => Math.cos(i + 2 * j)))
    const [x, xDot] = jvp((a: Tensor) => lstsq(a, t(b)), [t(A)], [t(da)])
    const xs = x.toArray() as number[]
    const r = b.map((bi, i) => bi - A[i]!.reduce((s, aij, j) => s + aij * xs[j]!, 0))
    const rhs = mm(tr(da), tr([r])).map((row, i) => row[0]! - mm(mm(tr(A), da), tr([xs]))[i]![0]!)
    expectClose(xDot, t(solve(mm(tr(A), A), rhs)), 1e-12, 1e-12)
  })

  it('hessian = jacfwd(jacrev); vmap over right-hand sides; jit, both calls', () => {
    const f = (a: Tensor) => sum(mul(lstsq(a, t(b)), lstsq(a, t(b))))
    expectClose(jacfwd(jacrev(f))(t(A)), hessian(f)(t(A)), 1e-10, 1e-10)
    const rhs = [b, [0, 1, 0, 1], [2, 2, -1, 0]]
    const each = rhs.map((r) => lstsq(t(A), t(r)).toArray() as number[])
    expectClose(vmap((r: Tensor) => lstsq(t(A), r))(tensor(rhs)), tensor(each), 1e-15, 1e-15)
    const compiled = jit(grad(f))
    expect(compiled(t(A)).data).toEqual(grad(f)(t(A)).data)
    const other = mm(A, [
      [1, 1],
      [0, 2],
    ])
    expect(compiled(t(other)).data).toEqual(grad(f)(t(other)).data)
  })
})
