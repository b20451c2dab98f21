/**
 * qr: the factorization as properties (Q·R ≈ A, QᵀQ ≈ I, R upper triangular with diagonal ≥ 0)
 * on random tall, square and wide matrices; known values, rank deficiency, batches; derivatives
 * (m ≥ n by JAX's rule, m < n by the split A = [A₁ | A₂]) against central differences, through
 * grad, grad∘grad, jacfwd∘jacrev, hessian, vmap, jit (both calls) and derivative; bad input.
 *
 * Tolerances: Householder QR is backward stable, so Q·R − A and QᵀQ − I are at most
 * 64·max(m, n)·ε·max(1, ‖A‖_F) whatever the condition number; derivatives of well-conditioned
 * inputs to 1e-7 against central differences (h = 1e-6), 1e-10 between modes.
 */
import fc from 'fast-check'
import {
  add,
  derivative,
  grad,
  hessian,
  jacfwd,
  jacrev,
  jit,
  jvp,
  LinAlgError,
  mul,
  reshape,
  ShapeError,
  sum,
  type Tensor,
  tensor,
  vmap,
} from 'fluxion'
import { qr } from 'fluxion/linalg'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import {
  anyMatrix,
  asScalar,
  eps,
  fdGrad,
  fro,
  identity,
  type M,
  maxDiff,
  mm,
  rowsOf,
  t,
  tr,
} from './helpers.ts'

// biome-ignore format: one matrix row per bracket
const TALL: M = [[2, -1], [1, 3], [0.5, 1]]
// biome-ignore format: one matrix row per bracket
const WIDE: M = [[2, 1, -1], [0.5, 3, 2]]
// biome-ignore format: one matrix row per bracket
const SQUARE: M = [[4, 1, 0], [1, -3, 1], [2, 0, 5]]

/** A scalar of both factors with fixed weights, so every entry of Q and R is differentiated. */
const weighted = (x: Tensor): Tensor => {
  const { q, r } = qr(x)
  const wq = q.shape[0]! * q.shape[1]!
  const wr = r.shape[0]! * r.shape[1]!
  const cq = reshape(tensor(Array.from({ length: wq }, (_, i) => Math.sin(i + 1))), q.shape)
  const cr = reshape(tensor(Array.from({ length: wr }, (_, i) => Math.cos(i + 1))), r.shape)
  return add(sum(mul(q, cq)), sum(mul(r, cr)))
}

describe('qr: the factorization', () => {
  it('Q·R ≈ A, QᵀQ ≈ I, R upper triangular with a diagonal ≥ 0 (tall, square, wide)', () => {
    fc.assert(
      fc.property(anyMatrix, (a) => {
        const [m, n] = [a.length, a[0]!.length]
        const k = Math.min(m, n)
        const { q, r } = qr(t(a))
        expect([q.shape, r.shape]).toEqual([
          [m, k],
          [k, n],
        ])
        const [qq, rr] = [rowsOf(q), rowsOf(r)]
        const tol = 64 * Math.max(m, n) * eps * Math.max(1, fro(a))
        expect(maxDiff(mm(qq, rr), a)).toBeLessThanOrEqual(tol)
        expect(maxDiff(mm(tr(qq), qq), identity(k))).toBeLessThanOrEqual(64 * m * eps)
        for (let i = 0; i < k; i++) {
          expect(rr[i]![i]!).toBeGreaterThanOrEqual(0)
          for (let j = 0; j < i; j++) expect(rr[i]![j]).toBe(0)
        }
      }),
    )
  })

  it('known values; a rank-deficient A still factors (a zero on R’s diagonal)', () => {
    const { q, r } = qr(
      t([
        [3, 0],
        [4, 5],
      ]),
    )
    expectClose(
      q,
      t([
        [0.6, -0.8],
        [0.8, 0.6],
      ]),
      1e-15,
      1e-15,
    )
    expectClose(
      r,
      t([
        [5, 4],
        [0, 3],
      ]),
      1e-15,
      1e-15,
    )
    const rank1 = qr(
      t([
        [1, 2],
        [2, 4],
        [3, 6],
      ]),
    )
    expectClose(
      rank1.r,
      t([
        [Math.sqrt(14), 2 * Math.sqrt(14)],
        [0, 0],
      ]),
      1e-15,
      1e-14,
    )
    expect(
      maxDiff(mm(rowsOf(rank1.q), rowsOf(rank1.r)), [
        [1, 2],
        [2, 4],
        [3, 6],
      ]),
    ).toBeLessThan(1e-14)
  })

  it('batches over leading axes: each matrix as if alone', () => {
    const all = qr(
      tensor([
        TALL,
        mm(TALL, [
          [1, 2],
          [0, 1],
        ]),
      ]),
    )
    expect(all.q.shape).toEqual([2, 3, 2])
    const one = qr(
      t(
        mm(TALL, [
          [1, 2],
          [0, 1],
        ]),
      ),
    )
    expect(Array.from(all.q.data.subarray(6))).toEqual(Array.from(one.q.data))
    expect(Array.from(all.r.data.subarray(4))).toEqual(Array.from(one.r.data))
  })

  it('bad input: rank < 2 is a ShapeError; NaN and ±∞ are LinAlgErrors', () => {
    expect(() => qr(t([1, 2]))).toThrow(ShapeError)
    expect(() => qr(5)).toThrow(/qr needs a matrix/)
    expect(() =>
      qr(
        t([
          [1, 2],
          [Number.NaN, 0],
        ]),
      ),
    ).toThrow(LinAlgError)
  })
})

describe('qr: derivatives', () => {
  it('grad agrees with central differences: tall, square and wide', () => {
    for (const a of [TALL, SQUARE, WIDE]) {
      expectClose(grad(weighted)(t(a)), t(fdGrad((x) => weighted(x).item(), a)), 1e-7, 1e-8)
    }
  })

  it('jvp: dQ·R + Q·dR = dA, Qᵀ·dQ skew, dR upper triangular', () => {
    for (const a of [TALL, SQUARE, WIDE]) {
      const da = a.map((row, i) => row.map((_, j) => Math.sin(3 * i + j)))
      const [, tangent] = jvp((x: Tensor) => qr(x), [t(a)], [t(da)])
      const { q, r } = qr(t(a))
      const [qq, rr, dq, dr] = [rowsOf(q), rowsOf(r), rowsOf(tangent.q), rowsOf(tangent.r)]
      const sum2 = mm(dq, rr).map((row, i) => row.map((x, j) => x + mm(qq, dr)[i]![j]!))
      expect(maxDiff(sum2, da)).toBeLessThan(1e-13)
      const qtdq = mm(tr(qq), dq)
      expect(
        maxDiff(
          qtdq,
          tr(qtdq).map((row) => row.map((x) => -x)),
        ),
      ).toBeLessThan(1e-13)
      for (const [i, row] of dr.entries()) {
        for (let j = 0; j < i; j++) expect(Math.abs(row[j]!)).toBeLessThan(1e-15)
      }
    }
  })

  it('at an exactly singular R the derivative is a LinAlgError; near one it grows like 1/σ_min', () => {
    // biome-ignore format: one matrix row per bracket
    expect(() => grad(weighted)(t([[1, 2], [0, 0], [0, 0]]))).toThrow(LinAlgError)
    // rank 1 up to rounding: R₂₂ ≈ 1e-15 and the derivative ≈ 1e15, as Q's own sensitivity
    // biome-ignore format: one matrix row per bracket
    const near = grad(weighted)(t([[1, 2], [2, 4], [3, 6]]))
    expect(Math.max(...Array.from(near.data, Math.abs))).toBeGreaterThan(1e12)
  })

  it('QA linalg #7: the error at a rank-deficient A names qr, not the triangularSolve inside its rule', () => {
    // biome-ignore format: one matrix row per bracket
    const singular = t([[1, 2], [2, 4]])
    for (const g of [grad(weighted), jacfwd((x: Tensor) => qr(x).r)]) {
      try {
        g(singular)
        expect.unreachable()
      } catch (e) {
        expect(e).toBeInstanceOf(LinAlgError)
        expect((e as LinAlgError).primitive).toBe('qr')
        expect((e as Error).message).toMatch(/^the derivative of qr /)
      }
    }
    // under jit it is a LinAlgError too; a compiled program's replay (or a first call traced
    // abstractly) still names the triangularSolve inside the rule
    expect(() => jit(grad(weighted))(singular)).toThrow(LinAlgError)
  })

  it('hessian = jacfwd(jacrev); grad(grad) and derivative of a path agree', () => {
    for (const a of [TALL, WIDE]) {
      expectClose(jacfwd(jacrev(weighted))(t(a)), hessian(weighted)(t(a)), 1e-10, 1e-10)
    }
    const direction = t([
      [1, 0, -1],
      [0.5, 2, 0],
    ])
    const path = (s: number) => asScalar(weighted(add(t(WIDE), mul(s, direction))))
    expectClose(derivative(path, 2)(0.1), grad(grad(path))(0.1), 1e-10, 1e-10)
    expectClose(derivative(path, 3)(0.1), grad(grad(grad(path)))(0.1), 1e-9, 1e-9)
  })

  it('vmap of grad = grad of each; jit of grad, both calls = eager', () => {
    const mats = [
      TALL,
      mm(TALL, [
        [1, 2],
        [0, 1],
      ]),
      mm(TALL, [
        [0, 1],
        [1, 0],
      ]),
    ]
    const each = mats.map((m) => rowsOf(grad(weighted)(t(m))))
    expectClose(vmap(grad(weighted))(tensor(mats)), tensor(each), 1e-15, 1e-15)
    const compiled = jit(grad(weighted))
    expect(compiled(t(mats[0]!)).data).toEqual(grad(weighted)(t(mats[0]!)).data)
    expect(compiled(t(mats[2]!)).data).toEqual(grad(weighted)(t(mats[2]!)).data)
  })
})
