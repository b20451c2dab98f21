/**
 * eigh and eigvalsh: the factorization as properties (V·diag(λ)·Vᵀ ≈ A, VᵀV ≈ I, λ ascending,
 * the sign convention), eigenvalues of matrices built with a known spectrum, repeated
 * eigenvalues, batches; derivatives against closed forms (∇λ_max = v·vᵀ, ∇Σλ² = 2·sym(A),
 * λ″ = 2·Σ_{j≠i} (vⱼᵀBvᵢ)²/(λᵢ − λⱼ)) and central differences, through grad, grad∘grad,
 * jacfwd∘jacrev, hessian, vmap, jit (both calls) and derivative; the policy at repeated
 * eigenvalues; bad input.
 *
 * Tolerances: backward errors are at most 64·n·ε·max(1, ‖A‖_F) (Jacobi is backward stable, no
 * condition number enters); eigenvalues of a built spectrum within the same bound (Weyl:
 * |Δλ| ≤ ‖ΔA‖₂); derivatives at eigenvalue gaps ≥ 0.5 against closed forms to 1e-10 and
 * central differences (h = 1e-6) to 1e-7.
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
  zeros,
} from 'fluxion'
import { eigh, eigvalsh } from 'fluxion/linalg'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import {
  asScalar,
  diag,
  eps,
  fdGrad,
  fro,
  identity,
  type M,
  matrixOf,
  maxDiff,
  mm,
  orthogonal,
  rowsOf,
  separated,
  t,
  tr,
  withSpectrum,
} from './helpers.ts'

const symmetricMatrix: fc.Arbitrary<M> = fc
  .integer({ min: 1, max: 6 })
  .chain((n) => matrixOf(n, n))
  .map((a) => a.map((row, i) => row.map((x, j) => (i <= j ? x : a[j]![i]!))))

// biome-ignore format: one matrix row per bracket
const A: M = [[2, 1, 0.5], [1, 3, 1], [0.5, 1, 5]] // eigenvectors of clear sign
// biome-ignore format: one matrix row per bracket
const B: M = [[0.5, -1, 0.25], [-1, 0, 2], [0.25, 2, -0.5]]
const lambdaMax = (x: Tensor) => sum(mul(eigvalsh(x), tensor([0, 0, 1])))

describe('eigh: the factorization', () => {
  it('V·diag(λ)·Vᵀ ≈ A, VᵀV ≈ I, λ ascending, largest entry of each eigenvector positive', () => {
    fc.assert(
      fc.property(symmetricMatrix, (a) => {
        const n = a.length
        const { eigenvalues, eigenvectors } = eigh(t(a))
        const w = eigenvalues.toArray() as number[]
        const v = rowsOf(eigenvectors)
        const tol = 64 * n * eps * Math.max(1, fro(a))
        expect(maxDiff(mm(mm(v, diag(w)), tr(v)), a)).toBeLessThanOrEqual(tol)
        expect(maxDiff(mm(tr(v), v), identity(n))).toBeLessThanOrEqual(64 * n * eps)
        for (let i = 1; i < n; i++) expect(w[i]!).toBeGreaterThanOrEqual(w[i - 1]!)
        for (const column of tr(v)) {
          const big = column.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0)
          expect(big).toBeGreaterThan(0)
        }
      }),
    )
  })

  it('finds a built spectrum: eigenvalues of Q·diag(λ)·Qᵀ within the backward error', () => {
    const spectrum = fc
      .integer({ min: 1, max: 6 })
      .chain((n) => fc.tuple(orthogonal(n), separated(n, -5, 5, 0)))
    fc.assert(
      fc.property(spectrum, ([q, lambda]) => {
        const a = withSpectrum(q, lambda)
        const w = eigvalsh(t(a)).toArray() as number[]
        const tol = 64 * lambda.length * eps * Math.max(1, fro(a))
        for (const [i, x] of w.entries()) expect(Math.abs(x - lambda[i]!)).toBeLessThanOrEqual(tol)
      }),
    )
  })

  it('reads (A + Aᵀ)/2: a non-symmetric A gives the bits of its symmetric part', () => {
    // away from subnormals, where halving rounds (inputs here; results may round there too,
    // as the two are scaled by different powers of two)
    const square = fc
      .integer({ min: 1, max: 5 })
      .chain((n) => matrixOf(n, n))
      .map((a) => a.map((row) => row.map((x) => (Math.abs(x) < 1e-300 ? 0 : x))))
    fc.assert(
      fc.property(square, (a) => {
        const s = a.map((row, i) => row.map((x, j) => x * 0.5 + a[j]![i]! * 0.5))
        const [p, q] = [eigh(t(a)), eigh(t(s))]
        expectClose(p.eigenvalues, q.eigenvalues, 0, 1e-300)
        expectClose(p.eigenvectors, q.eigenvectors, 0, 1e-300)
      }),
    )
  })

  it('known values; converges on repeated eigenvalues (I, and diag(1, 1, 2) rotated)', () => {
    expectClose(
      eigvalsh(
        t([
          [2, 1],
          [1, 2],
        ]),
      ),
      t([1, 3]),
      1e-15,
      1e-15,
    )
    const id = eigh(t(identity(4)))
    expect(id.eigenvalues.toArray()).toEqual([1, 1, 1, 1])
    expect(id.eigenvectors.toArray()).toEqual(identity(4))
    // biome-ignore format: one matrix row per bracket
    const q: M = [[0.6, 0.8, 0], [-0.8, 0.6, 0], [0, 0, 1]]
    const a = withSpectrum(q, [1, 1, 2])
    const { eigenvalues, eigenvectors } = eigh(t(a))
    expectClose(eigenvalues, t([1, 1, 2]), 0, 1e-15)
    const v = rowsOf(eigenvectors)
    expect(maxDiff(mm(tr(v), v), identity(3))).toBeLessThan(1e-15)
    expect(maxDiff(mm(mm(v, diag([1, 1, 2])), tr(v)), a)).toBeLessThan(1e-15)
  })

  it('batches over leading axes: each matrix as if alone', () => {
    const batch = [A, B, identity(3)].map((m) => [m, mm(m, m)])
    const all = eigh(tensor(batch))
    expect(all.eigenvalues.shape).toEqual([3, 2, 3])
    expect(all.eigenvectors.shape).toEqual([3, 2, 3, 3])
    for (const [i, pair] of batch.entries()) {
      for (const [j, m] of pair.entries()) {
        const at = (2 * i + j) * 9
        const one = eigh(t(m))
        expect(Array.from(all.eigenvectors.data.subarray(at, at + 9))).toEqual(
          Array.from(one.eigenvectors.data),
        )
      }
    }
  })

  it('bad input: rank < 2 and non-square are ShapeErrors; NaN and ±∞ are LinAlgErrors', () => {
    expect(() => eigh(t([1, 2]))).toThrow(ShapeError)
    expect(() => eigh(3)).toThrow(ShapeError)
    expect(() =>
      eigh(
        t([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    ).toThrow(/eigh needs square matrices/)
    expect(() =>
      eigh(
        t([
          [1, Number.NaN],
          [0, 1],
        ]),
      ),
    ).toThrow(LinAlgError)
    expect(() =>
      eigvalsh(
        t([
          [Infinity, 0],
          [0, 1],
        ]),
      ),
    ).toThrow(/non-finite/)
    expect(eigh(zeros([0, 0])).eigenvalues.shape).toEqual([0])
  })
})

describe('eigh: derivatives', () => {
  const v3 = () => rowsOf(eigh(t(A)).eigenvectors).map((row) => row[2]!)

  it('grad of the largest eigenvalue is v·vᵀ (closed form, and central differences)', () => {
    const v = v3()
    const vvT = v.map((x) => v.map((y) => x * y))
    expectClose(grad(lambdaMax)(t(A)), t(vvT), 1e-12, 1e-12)
    expectClose(grad(lambdaMax)(t(A)), t(fdGrad((x) => lambdaMax(x).item(), A)), 1e-7, 1e-8)
  })

  it('functions of the eigenvalues have finite gradients at repeated ones: ∇Σλ = I, ∇Σλ² = 2·sym(A)', () => {
    const trace = (x: Tensor) => sum(eigvalsh(x))
    expectClose(grad(trace)(t(identity(3))), t(identity(3)), 0, 1e-15)
    const squares = (x: Tensor) => sum(mul(eigvalsh(x), eigvalsh(x)))
    // biome-ignore format: one matrix row per bracket
    const repeated = withSpectrum([[0.6, 0.8, 0], [-0.8, 0.6, 0], [0, 0, 1]], [1, 1, 2])
    const skew: M = repeated.map((row, i) =>
      row.map((x, j) => x + (i < j ? 0.5 : i > j ? -0.5 : 0)),
    )
    expectClose(grad(squares)(t(skew)), t(repeated.map((row) => row.map((x) => 2 * x))), 0, 1e-14)
    expectClose(hessian(trace)(t(A)), zeros([3, 3, 3, 3]), 0, 1e-14)
  })

  it('second derivatives at repeated eigenvalues pass through eigenvector tangents: NaN, never finite and wrong', () => {
    // Σλ² = ‖(A + Aᵀ)/2‖²: its Hessian (2 × 2, entries in row-major order) is known; at I every
    // direction reorders or rotates the eigenvectors, whose tangents are NaN there
    const squares = (x: Tensor) => sum(mul(eigvalsh(x), eigvalsh(x)))
    expect(Array.from(hessian(squares)(t(identity(2))).data).every(Number.isNaN)).toBe(true)
    // biome-ignore format: one row of the 4 × 4 Hessian per line
    const exact = [2, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 2]
    const distinct = Array.from(hessian(squares)(t(diag([1, 1.5]))).data)
    expectClose(tensor(distinct), tensor(exact), 1e-12, 1e-12)
  })

  it('eigenvector derivatives at repeated eigenvalues are ±∞ or NaN, never finite and wrong', () => {
    const w = t([
      [1, 2],
      [3, 4],
    ])
    const f = (x: Tensor) => sum(mul(eigh(x).eigenvectors, w))
    const g = grad(f)(t(identity(2)))
    expect(Array.from(g.data).some((x) => !Number.isFinite(x))).toBe(true)
    const jacobian = jacfwd((x: Tensor) => eigh(x).eigenvectors)(t(identity(2)))
    expect(Array.from(jacobian.data).some((x) => !Number.isFinite(x))).toBe(true)
  })

  it('QA linalg #1: eigenvector derivatives at a repeated eigenvalue are non-finite in both modes, even against zero couplings', () => {
    // D + t·E has λ = 1 − t²/4, 1, 2 + t²/4: the columns for the repeated 1 swap at t ≠ 0 although
    // the first-order coupling inside the eigenspace is 0, so V has no derivative along E
    // biome-ignore format: one matrix row per bracket
    const d = t([[1, 0, 0], [0, 1, 0], [0, 0, 2]])
    // biome-ignore format: one matrix row per bracket
    const e = t([[0, 0, 0], [0, 0, 1], [0, 0, 0]])
    // biome-ignore format: one matrix row per bracket
    const w = t([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]])
    const f = (x: Tensor) => sum(mul(eigh(x).eigenvectors, w))
    // forward mode gave −0.1 (an exact zero coupling met ∞ as 0)
    expect(Number.isFinite(jvp(f, [d], [e])[1].item())).toBe(false)
    expect(Number.isFinite(jacfwd(f)(d).data[5]!)).toBe(false)
    expect(Number.isFinite(jacrev(f)(d).data[5]!)).toBe(false)
    // a cotangent with zeros at the degenerate pair (0, 1): reverse mode gave a finite gradient
    // biome-ignore format: one matrix row per bracket
    const w0 = t([[0.1, 0, 0.3], [0, 0.5, 0.6], [0.7, 0.8, 0.9]])
    const f0 = (x: Tensor) => sum(mul(eigh(x).eigenvectors, w0))
    expect(grad(f0)(d).data[5]!).toBeNaN()
    expect(jit(grad(f0))(d).data[5]!).toBeNaN()
    // the simple eigenvector (λ = 2) alone stays differentiable: finite, and right
    const simple = (x: Tensor) =>
      sum(
        mul(
          eigh(x).eigenvectors,
          t([
            [0, 0, 1],
            [0, 0, 1],
            [0, 0, 1],
          ]),
        ),
      )
    const h = 1e-6
    const fd = (simple(add(d, mul(h, e))).item() - simple(add(d, mul(-h, e))).item()) / (2 * h)
    expect(grad(simple)(d).data[5]!).toBeCloseTo(fd, 8)
    expect(jvp(simple, [d], [e])[1].item()).toBeCloseTo(fd, 8)
  })

  it('eigenvector tangents agree with central differences', () => {
    const f = (x: Tensor) => sum(mul(eigh(x).eigenvectors, t(B)))
    expectClose(grad(f)(t(A)), t(fdGrad((x) => f(x).item(), A)), 1e-7, 1e-8)
  })

  it('derivative (Taylor mode) of t ↦ λᵢ(A + t·B): vᵢᵀBvᵢ, then 2·Σ_{j≠i} (vⱼᵀBvᵢ)²/(λᵢ − λⱼ)', () => {
    const { eigenvalues, eigenvectors } = eigh(t(A))
    const w = eigenvalues.toArray() as number[]
    const vs = tr(rowsOf(eigenvectors))
    const bilinear = (x: number[], y: number[]) => mm([x], mm(B, tr([y])))[0]![0]!
    for (let i = 0; i < 3; i++) {
      const onehot = tensor([0, 1, 2].map((j) => (j === i ? 1 : 0)))
      const f = (s: number) => asScalar(sum(mul(eigvalsh(add(t(A), mul(s, t(B)))), onehot)))
      const second = [0, 1, 2]
        .filter((j) => j !== i)
        .reduce((acc, j) => acc + (2 * bilinear(vs[j]!, vs[i]!) ** 2) / (w[i]! - w[j]!), 0)
      expectClose(derivative(f, 1)(0), bilinear(vs[i]!, vs[i]!), 1e-12, 1e-12)
      expectClose(derivative(f, 2)(0), second, 1e-10, 1e-10)
      expectClose(derivative(f, 2)(0), grad(grad(f))(0), 1e-10, 1e-10)
    }
  })

  it('hessian = jacfwd(jacrev) = central differences of the gradient', () => {
    const h = hessian(lambdaMax)(t(A))
    expectClose(jacfwd(jacrev(lambdaMax))(t(A)), h, 1e-12, 1e-12)
    const step = 1e-6
    for (const [i, j] of [
      [0, 1],
      [2, 2],
      [1, 0],
    ] as const) {
      const shifted = (d: number) =>
        t(A.map((row, k) => row.map((x, l) => (k === i && l === j ? x + d : x))))
      const fd = rowsOf(grad(lambdaMax)(shifted(step))).map((row, k) =>
        row.map((x, l) => (x - rowsOf(grad(lambdaMax)(shifted(-step)))[k]![l]!) / (2 * step)),
      )
      const blocks = h.toArray() as number[][][][]
      const slice = blocks.map((r) => r.map((c) => c[i]![j]!))
      expectClose(t(slice), t(fd), 1e-6, 1e-7)
    }
  })

  it('vmap of grad over a batch = grad of each; jit of grad, first and second call = eager', () => {
    const batch = tensor([A, B, mm(A, A)])
    const each = [A, B, mm(A, A)].map((m) => grad(lambdaMax)(t(m)))
    expectClose(vmap(grad(lambdaMax))(batch), tensor(each.map(rowsOf)), 1e-15, 1e-15)
    const compiled = jit(grad(lambdaMax))
    expect(compiled(t(A)).data).toEqual(grad(lambdaMax)(t(A)).data)
    expect(compiled(t(B)).data).toEqual(grad(lambdaMax)(t(B)).data)
  })
})
