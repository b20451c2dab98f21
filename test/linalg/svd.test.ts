/**
 * svd and svdvals: the factorization as properties (U·diag(s)·Vt ≈ A, orthonormal factors,
 * s descending ≥ 0, the sign convention) on random tall and wide matrices; singular values of
 * matrices built from known ones to 1e-12 relative; rank deficiency, batches, known values;
 * derivatives against closed forms (∇‖A‖_* = U·Vt, ∇σ₁ = u₁·v₁ᵀ) and central differences,
 * through grad, grad∘grad, jacfwd∘jacrev, hessian, vmap, jit (both calls) and derivative; the
 * policy at repeated and zero singular values; bad input.
 *
 * Tolerances: backward errors at most 64·max(m, n)·ε·max(1, ‖A‖_F); built singular values in
 * [0.1, 10] (condition ≤ 100) to 1e-12 relative; derivatives at gaps ≥ 0.5 to 1e-12 against
 * closed forms and 1e-7 against central differences (h = 1e-6).
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
  ShapeError,
  sum,
  type Tensor,
  tensor,
  vmap,
} from 'fluxion'
import { svd, svdvals } from 'fluxion/linalg'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import {
  anyMatrix,
  asScalar,
  diag,
  eps,
  fdGrad,
  fro,
  identity,
  type M,
  maxDiff,
  mm,
  orthogonal,
  rowsOf,
  separated,
  t,
  tr,
} from './helpers.ts'

// biome-ignore format: one matrix row per bracket
const A: M = [[3, 1], [1, 2], [0.5, -1]] // tall: the (I − U·Uᵀ) terms count
// biome-ignore format: one matrix row per bracket
const W: M = [[0.5, -1, 2], [1, 0.25, -0.5]] // wide
const nuclear = (x: Tensor) => sum(svdvals(x))
const top = (x: Tensor) => sum(mul(svdvals(x), tensor([1, 0])))

describe('svd: the factorization', () => {
  it('U·diag(s)·Vt ≈ A, UᵀU ≈ I, Vt·Vtᵀ ≈ I, s descending ≥ 0, U columns of positive largest entry', () => {
    fc.assert(
      fc.property(anyMatrix, (a) => {
        const [m, n] = [a.length, a[0]!.length]
        const { u, s, vt } = svd(t(a))
        const [uu, ss, vv] = [rowsOf(u), s.toArray() as number[], rowsOf(vt)]
        expect([u.shape, s.shape, vt.shape]).toEqual([
          [m, Math.min(m, n)],
          [Math.min(m, n)],
          [Math.min(m, n), n],
        ])
        const tol = 64 * Math.max(m, n) * eps * Math.max(1, fro(a))
        expect(maxDiff(mm(mm(uu, diag(ss)), vv), a)).toBeLessThanOrEqual(tol)
        const k = ss.length
        expect(maxDiff(mm(tr(uu), uu), identity(k))).toBeLessThanOrEqual(64 * m * eps)
        expect(maxDiff(mm(vv, tr(vv)), identity(k))).toBeLessThanOrEqual(64 * n * eps)
        for (let i = 0; i < k; i++)
          expect(ss[i]!).toBeGreaterThanOrEqual(i + 1 < k ? ss[i + 1]! : 0)
        for (const column of tr(uu)) {
          const big = column.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0)
          expect(big).toBeGreaterThan(0)
        }
      }),
    )
  })

  it('singular values of U·diag(s)·Vᵀ built from known ones: 1e-12 relative', () => {
    const built = fc
      .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }))
      .chain(([m, n]) =>
        fc.tuple(orthogonal(m), orthogonal(n), separated(Math.min(m, n), 0.1, 10, 0)),
      )
    fc.assert(
      fc.property(built, ([u, v, s]) => {
        const k = s.length
        const a = mm(
          mm(
            u.map((r) => r.slice(0, k)),
            diag(s),
          ),
          tr(v.map((r) => r.slice(0, k))),
        )
        const found = svdvals(t(a)).toArray() as number[]
        const want = [...s].reverse()
        for (const [i, x] of found.entries()) {
          expect(Math.abs(x - want[i]!)).toBeLessThanOrEqual(1e-12 * want[i]!)
        }
      }),
    )
  })

  it('rank deficiency: an exact zero singular value, U still orthonormal', () => {
    const { u, s, vt } = svd(
      t([
        [1, 2],
        [2, 4],
        [3, 6],
      ]),
    )
    expectClose(s, t([Math.sqrt(70), 0]), 1e-15, 1e-15)
    expect(maxDiff(mm(tr(rowsOf(u)), rowsOf(u)), identity(2))).toBeLessThan(1e-15)
    expect(maxDiff(mm(rowsOf(vt), tr(rowsOf(vt))), identity(2))).toBeLessThan(1e-15)
    expect(
      svdvals(
        t([
          [0, 0],
          [0, 0],
        ]),
      ).toArray(),
    ).toEqual([0, 0])
  })

  it('known values; wide matrices; batches as if each alone', () => {
    expectClose(
      svdvals(
        t([
          [3, 0],
          [0, -4],
        ]),
      ),
      t([4, 3]),
      0,
      0,
    )
    expectClose(svdvals(t(W)), svdvals(t(tr(W))), 1e-15, 1e-15)
    const batch = tensor([
      [
        A,
        mm(A, [
          [1, 1],
          [0, 1],
        ]),
      ],
      [A, A],
    ])
    const all = svd(batch)
    expect(all.u.shape).toEqual([2, 2, 3, 2])
    const one = svd(
      t(
        mm(A, [
          [1, 1],
          [0, 1],
        ]),
      ),
    )
    expect(Array.from(all.u.data.subarray(6, 12))).toEqual(Array.from(one.u.data))
    expect(Array.from(all.vt.data.subarray(4, 8))).toEqual(Array.from(one.vt.data))
  })

  it('bad input: rank < 2 is a ShapeError; NaN and ±∞ are LinAlgErrors', () => {
    expect(() => svd(t([1, 2]))).toThrow(ShapeError)
    expect(() => svdvals(t([[1, Number.NaN]]))).toThrow(LinAlgError)
    expect(() => svd(t([[-Infinity], [0]]))).toThrow(/svd of a matrix with non-finite entries/)
  })
})

describe('svd: derivatives', () => {
  it('grad of the nuclear norm is U·Vt; of the largest singular value u₁·v₁ᵀ', () => {
    for (const a of [A, W]) {
      const { u, vt } = svd(t(a))
      expectClose(grad(nuclear)(t(a)), t(mm(rowsOf(u), rowsOf(vt))), 1e-12, 1e-12)
      const [uu, vv] = [rowsOf(u), rowsOf(vt)]
      const outer = uu.map((row) => vv[0]!.map((x) => row[0]! * x))
      expectClose(grad(top)(t(a)), t(outer), 1e-12, 1e-12)
      expectClose(grad(nuclear)(t(a)), t(fdGrad((x) => nuclear(x).item(), a)), 1e-7, 1e-8)
    }
  })

  it('functions of s alone are finite at repeated and zero singular values', () => {
    // 2·Q for a rotation Q: both singular values 2; the nuclear norm's gradient is Q
    const q: M = [
      [0.6, -0.8],
      [0.8, 0.6],
    ]
    expectClose(grad(nuclear)(t(q.map((r) => r.map((x) => 2 * x)))), t(q), 1e-15, 1e-15)
    // tall and rank 1: s = (√70, 0); its gradient stays finite
    const g = grad(nuclear)(
      t([
        [1, 2],
        [2, 4],
        [3, 6],
      ]),
    )
    expect(Array.from(g.data).every(Number.isFinite)).toBe(true)
  })

  it('derivatives of U and V that depend on a repeated singular value are ±∞ or NaN', () => {
    const f = (x: Tensor) =>
      sum(
        mul(
          svd(x).u,
          t([
            [1, 2],
            [3, 4],
          ]),
        ),
      )
    const g = grad(f)(t(identity(2)))
    expect(Array.from(g.data).some((x) => !Number.isFinite(x))).toBe(true)
  })

  it('QA linalg #1: U and V derivatives at a repeated singular value are non-finite in both modes, even against zero couplings', () => {
    // I + t·K (K antisymmetric) turns U by t: the coupling dP·S + S·dPᵀ is 0, yet U moves
    const k = t([
      [0, 1],
      [-1, 0],
    ])
    const w = t([
      [1, 2],
      [3, 4],
    ])
    const f = (x: Tensor) => sum(mul(svd(x).u, w))
    expect(Number.isFinite(jvp(f, [t(identity(2))], [k])[1].item())).toBe(false) // was 0 (fd ≈ −1)
    // tall, s = (1, 1): a cotangent with zeros at the degenerate pair gave [[0, 0], [0, 0], [0.7, 0.8]]
    // biome-ignore format: one matrix row per bracket
    const tall = t([[1, 0], [0, 1], [0, 0]])
    // biome-ignore format: one matrix row per bracket
    const w0 = t([[0.1, 0], [0, 0.5], [0.7, 0.8]])
    const g = grad((x: Tensor) => sum(mul(svd(x).u, w0)))(tall)
    expect(Array.from(g.data).every(Number.isNaN)).toBe(true)
    // the singular values alone keep their finite gradient there
    expectClose(grad(nuclear)(tall), tall, 0, 0)
    expectClose(jacfwd(nuclear)(tall), tall, 0, 0)
  })

  it('U and Vt tangents agree with central differences (tall and wide)', () => {
    for (const a of [A, W]) {
      const [m, n] = [a.length, a[0]!.length]
      const k = Math.min(m, n)
      const wu = t(
        Array.from({ length: m }, (_, i) => Array.from({ length: k }, (_, j) => i - j + 0.5)),
      )
      const wv = t(
        Array.from({ length: k }, (_, i) => Array.from({ length: n }, (_, j) => i * j - 1)),
      )
      const f = (x: Tensor) => {
        const { u, vt } = svd(x)
        return add(sum(mul(u, wu)), sum(mul(vt, wv)))
      }
      expectClose(grad(f)(t(a)), t(fdGrad((x) => f(x).item(), a)), 1e-7, 1e-8)
    }
  })

  it('derivative (Taylor mode) of t ↦ σ₁(A + t·B) = nested grads = central differences', () => {
    const b = t([
      [1, -1],
      [0.5, 2],
      [-1, 0],
    ])
    const f = (s: number) => asScalar(top(add(t(A), mul(s, b))))
    const d1 = derivative(f, 1)(0)
    const d2 = derivative(f, 2)(0)
    expectClose(d1, grad(f)(0), 1e-12, 1e-12)
    expectClose(d2, grad(grad(f))(0), 1e-10, 1e-10)
    const h = 1e-4
    expectClose(d2, (derivative(f, 1)(h) - derivative(f, 1)(-h)) / (2 * h), 1e-6, 1e-7)
  })

  it('hessian = jacfwd(jacrev); vmap of grad = grad of each; jit of grad, both calls', () => {
    expectClose(jacfwd(jacrev(nuclear))(t(A)), hessian(nuclear)(t(A)), 1e-12, 1e-12)
    const mats = [
      A,
      mm(A, [
        [2, 1],
        [0, 1],
      ]),
      mm(A, [
        [1, 0],
        [1, 3],
      ]),
    ]
    const each = mats.map((m) => rowsOf(grad(nuclear)(t(m))))
    expectClose(vmap(grad(nuclear))(tensor(mats)), tensor(each), 1e-15, 1e-15)
    const compiled = jit(grad(nuclear))
    expect(compiled(t(mats[0]!)).data).toEqual(grad(nuclear)(t(mats[0]!)).data)
    expect(compiled(t(mats[1]!)).data).toEqual(grad(nuclear)(t(mats[1]!)).data)
  })
})
