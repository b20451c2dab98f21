/**
 * `det`, `slogdet` and `matrixPower`: known values, NumPy's results at singular matrices,
 * det(A·B) ≈ det(A)·det(B) and slogdet ≈ log|det| as properties, named errors, and derivatives:
 * Jacobi's formula d log det A = tr(A⁻¹·dA), the closed-form Hessians of det (2 × 2) and of
 * log|det| (−A⁻ᵀ ⊗ A⁻ᵀ), through grad(grad), jacfwd(jacrev) and hessian, the factorization
 * reused, vmap, jit (replayed too) and Taylor mode.
 */
import { fc, test } from '@fast-check/vitest'
import {
  add,
  derivative,
  eye,
  grad,
  hessian,
  InvalidArgumentError,
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
  transpose,
  valueAndGrad,
  vmap,
  zeros,
} from 'fluxion'
import { det, inv, matrixPower, slogdet } from 'fluxion/linalg'
import { checkGrads } from 'fluxion/testing'
import { describe, expect, it } from 'vitest'
import { luStats } from '../../src/tensor/kernels/lu.ts'
import { expectClose } from '../helpers.ts'
import {
  eps,
  intMatrix,
  maxAbs,
  realMatrix,
  refDet,
  refInv,
  refMatmul,
  rowsOf,
} from './reference.ts'

const A = tensor([
  [2, -1, 0.5],
  [1, 3, -2],
  [0.5, 1, 4],
])
const B = tensor([
  [1, 0.5, 0],
  [-0.5, 2, 1],
  [0, 1, -1],
])
const logabsdet = (a: Tensor) => slogdet(a).logabsdet

/** Π‖row‖₂: Hadamard's bound on |det|, the scale of its rounding error. */
const hadamard = (rows: number[][]) => rows.reduce((p, row) => p * Math.hypot(...row), 1)

describe('det and slogdet: values', () => {
  it('computes known determinants, batched, and of the 0 × 0 matrix (1, as NumPy)', () => {
    expect(
      det(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ).item(),
    ).toBeCloseTo(-2, 14)
    expect(
      det(
        tensor([
          [
            [2, 0],
            [0, 3],
          ],
          [
            [0, 1],
            [1, 0],
          ],
        ]),
      ).toArray(),
    ).toEqual([6, -1])
    expect(det(zeros([0, 0])).item()).toBe(1)
    const { sign, logabsdet: l } = slogdet(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    )
    expect(sign.item()).toBe(-1)
    expect(l.item()).toBeCloseTo(Math.log(2), 14)
  })

  it('gives det 0, sign 0 and logabsdet −∞ for an exactly singular matrix, as NumPy', () => {
    const s = tensor([
      [1, 2],
      [2, 4],
    ])
    expect(det(s).item()).toBe(0)
    expect(slogdet(s).sign.item()).toBe(0)
    expect(slogdet(s).logabsdet.item()).toBe(-Infinity)
  })

  it('slogdet does not overflow where det does', () => {
    const big = mul(100, eye(200))
    expect(det(big).item()).toBe(Infinity)
    expect(slogdet(big).logabsdet.item()).toBeCloseTo(200 * Math.log(100), 9)
  })

  test.prop([fc.integer({ min: 1, max: 5 }).chain((n) => intMatrix(n))])(
    'det agrees with cofactor expansion within n²·ε·Π‖rows‖, and slogdet with log|det|',
    (rows) => {
      const n = rows.length
      const d = det(tensor(rows)).item()
      const scale = hadamard(rows)
      expect(Math.abs(d - refDet(rows))).toBeLessThanOrEqual(8 * n * n * 2 ** n * eps * scale)
      const { sign, logabsdet: l } = slogdet(tensor(rows))
      expect(sign.item()).toBe(Math.sign(d))
      if (d === 0) expect(l.item()).toBe(-Infinity)
      else
        expect(Math.abs(l.item() - Math.log(Math.abs(d)))).toBeLessThanOrEqual(
          1e-14 * (1 + Math.abs(l.item())),
        )
    },
  )

  test.prop([fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(realMatrix(n), realMatrix(n)))])(
    'det(a·b) ≈ det(a)·det(b), within n²·ε·Π‖rows‖ of each side',
    ([a0, b0]) => {
      // entries below 1e-25 in magnitude flushed to 0: with them, the eliminations' products
      // (up to 2n entries deep) reach the subnormal range, where no relative bound holds, and
      // one side can underflow to 0 while the other does not (any absolute floor is then
      // exceeded by some draw: CI's seed 44323494 beat 1e-280, and a floor of 1e-250 just as
      // well). Down to 1e-25 every product of ten entries stays normal.
      const flush = (m: number[][]) => m.map((r) => r.map((x) => (Math.abs(x) < 1e-25 ? 0 : x)))
      const [a, b] = [flush(a0), flush(b0)]
      const n = a.length
      const ab = refMatmul(a, b)
      const lhs = det(tensor(ab)).item()
      const rhs = det(tensor(a)).item() * det(tensor(b)).item()
      const tol = 16 * n * n * 2 ** n * eps * (hadamard(ab) + hadamard(a) * hadamard(b))
      expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(tol)
    },
  )
})

describe('det and slogdet: bad input', () => {
  it('names the op and the shapes', () => {
    expect(() =>
      det(
        tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    ).toThrow(ShapeError)
    expect(() => det(tensor([1, 2]))).toThrow(/det needs a matrix/)
    expect(() => slogdet(tensor([[1, 2, 3]]))).toThrow(/slogdet needs square matrices/)
    expect(() =>
      det(
        tensor([
          [1, Number.NaN],
          [0, 1],
        ]),
      ),
    ).toThrow(LinAlgError)
  })

  it('refuses to differentiate at an exactly singular matrix instead of returning NaN', () => {
    const s = tensor([
      [1, 2],
      [2, 4],
    ])
    expect(() => grad(det)(s)).toThrow(/derivative of det at an exactly singular matrix/)
    expect(() => jvp(det, [s], [eye(2)])).toThrow(LinAlgError)
    expect(() => grad(logabsdet)(s)).toThrow(/derivative of slogdet/)
    expect(() => derivative((t: number) => det(mul(t, s)) as unknown as number, 2)(1)).toThrow(
      LinAlgError,
    )
  })

  // regression: the rules renamed the solve's error only while tracing, so replays said solve
  it('says so on every jit replay too, naming det or slogdet', () => {
    const s = tensor([
      [1, 2],
      [2, 4],
    ])
    const ok = tensor([
      [2, 1],
      [1, 3],
    ])
    const cases = [
      ['det', jit(grad(det))],
      ['slogdet', jit(grad(logabsdet))],
      ['det', jit((a: Tensor) => jvp(det, [a], [eye(2)])[1])],
    ] as const
    for (const [op, f] of cases) {
      f(ok)
      for (let replay = 0; replay < 2; replay++) {
        expect(() => f(s)).toThrow(`the derivative of ${op} at an exactly singular matrix`)
        expect(() => f(s)).toThrow(`(in ${op}`)
      }
    }
  })
})

describe('det and slogdet: derivatives', () => {
  const ai = tensor(refInv(rowsOf(A))!)

  it('matches finite differences to order 2', () => {
    checkGrads(det, [A], { order: 2 })
    checkGrads((a: Tensor) => slogdet(a).logabsdet, [A], { order: 2 })
    checkGrads(
      det,
      [
        tensor([
          [
            [0, 2],
            [1, -0.5],
          ],
          [
            [3, 1],
            [1, 3],
          ],
        ]),
      ],
      { order: 2 },
    )
  })

  it('follows Jacobi: d log|det A| = tr(A⁻¹·dA), ∇ det = det·A⁻ᵀ', () => {
    const [, dl] = jvp(logabsdet, [A], [B])
    const trace = rowsOf(matmul(ai, B)).reduce((s, row, i) => s + row[i]!, 0)
    expect(dl.item()).toBeCloseTo(trace, 13)
    expectClose(grad(logabsdet)(A), transpose(ai), 1e-13, 1e-14)
    expectClose(grad(det)(A), mul(refDet(rowsOf(A)), transpose(ai)), 1e-12, 1e-13)
    expect(maxAbs(grad((a: Tensor) => slogdet(a).sign)(A))).toBe(0)
  })

  it('QA linalg #4: ∇det (the adjugate) is right where det itself under- or overflows', () => {
    // biome-ignore format: one matrix row per bracket
    const m = [[2, 1, 0], [1, 3, 1], [0, 1, 4]]
    // adj(M)ᵀ, the gradient at M (det M = 18)
    // biome-ignore format: one matrix row per bracket
    const adjT = [[11, -4, 1], [-4, 8, -2], [1, -2, 5]]
    // ȳ·det·A⁻ᵀ gave 0 at 1e-110 (det = 1.8e-329 underflows) and ±∞ at 1e110
    for (const scale of [1e-110, 1e110, 1e-100, 1e100]) {
      const a = tensor(m.map((r) => r.map((x) => x * scale)))
      const want = tensor(adjT.map((r) => r.map((x) => x * scale * scale)))
      expectClose(grad(det)(a), want, 1e-12, 0)
      expectClose(jacfwd(det)(a), want, 1e-12, 0)
      expectClose(jit(grad(det))(a), want, 1e-12, 0)
    }
    // 2 × 2 at 1e-160: det = 5e-320 is subnormal; the gradient lost 1.1e-5 relative
    // biome-ignore format: one matrix row per bracket
    const small = tensor([[2e-160, 1e-160], [1e-160, 3e-160]])
    // biome-ignore format: one matrix row per bracket
    expectClose(grad(det)(small), tensor([[3e-160, -1e-160], [-1e-160, 2e-160]]), 1e-12, 0)
    // second derivatives too: ∂²det/∂a₀₀∂a₁₁ = a₂₂ at 1e-110
    const h = hessian(det)(tensor(m.map((r) => r.map((x) => x * 1e-110)))) as Tensor
    expectClose(h.data[4]!, 4e-110, 1e-12, 0) // h[0][0][1][1]
  })

  it('has the Hessian of a 2 × 2 det: ∂²det/∂a₀₀∂a₁₁ = 1, ∂²det/∂a₀₁∂a₁₀ = −1', () => {
    const h = hessian(det)(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    )
    const want = [0, 1].map((i) =>
      [0, 1].map((j) =>
        [0, 1].map((k) => [0, 1].map((l) => (i !== k && j !== l ? (i === j ? 1 : -1) : 0))),
      ),
    )
    expectClose(h, tensor(want), 1e-12, 1e-12)
    expectClose(
      jacfwd(jacrev(det))(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
      tensor(want),
      1e-12,
      1e-12,
    )
  })

  it('has the Hessian of log|det|: H[i][j][k][l] = −(A⁻¹)ₗᵢ·(A⁻¹)ⱼₖ, in every composition', () => {
    const inverse = rowsOf(ai)
    const want = tensor(
      [0, 1, 2].map((i) =>
        [0, 1, 2].map((j) =>
          [0, 1, 2].map((k) => [0, 1, 2].map((l) => -inverse[l]![i]! * inverse[j]![k]!)),
        ),
      ),
    )
    expectClose(hessian(logabsdet)(A), want, 1e-11, 1e-13)
    expectClose(jacfwd(jacrev(logabsdet))(A), want, 1e-11, 1e-13)
    expectClose(jacrev(grad(logabsdet))(A), want, 1e-11, 1e-13)
    // grad(grad) along a path: d²/dt² log|det(A + tB)| = −tr((A⁻¹B)²) at t = 0
    const m = rowsOf(matmul(ai, B))
    const tr2 = m.reduce((s, row, i) => s + row.reduce((t, v, j) => t + v * m[j]![i]!, 0), 0)
    const path = (t: number) => logabsdet(add(A, mul(t, B))) as unknown as number
    expect(grad(grad(path))(0)).toBeCloseTo(-tr2, 12)
  })

  it('factors once for the value and its gradient', () => {
    const a = tensor(rowsOf(A))
    const before = luStats.factorizations
    valueAndGrad(det)(a)
    valueAndGrad(logabsdet)(a)
    expect(luStats.factorizations - before).toBe(1)
  })

  it('vmap equals the batched call; jit gives the eager bits, replayed too', () => {
    const as = tensor([rowsOf(A), rowsOf(B)])
    expect(vmap(det)(as).toArray()).toEqual(det(as).toArray())
    const g = grad((a: Tensor) => det(a))
    expect(vmap(g)(as).toArray()).toEqual([g(A).toArray(), g(B).toArray()])
    const compiled = jit(grad(logabsdet))
    expect(compiled(A).toArray()).toEqual(grad(logabsdet)(A).toArray())
    expect(compiled(A).toArray()).toEqual(grad(logabsdet)(A).toArray())
  })

  it('Taylor mode: det(A + tB) is a cubic, so its third derivative is 6·det B and its fourth 0', () => {
    const h = (t: number) => det(add(A, mul(t, B))) as unknown as number
    for (const k of [1, 2, 3]) {
      let nested = h
      for (let i = 0; i < k; i++) nested = grad(nested)
      const want = nested(0.4)
      expect(Math.abs(derivative(h, k)(0.4) - want)).toBeLessThanOrEqual(
        1e-10 * (1 + Math.abs(want)),
      )
    }
    expect(derivative(h, 3)(0.4)).toBeCloseTo(6 * refDet(rowsOf(B)), 10)
    expect(derivative(h, 4)(0.4)).toBeCloseTo(0, 10)
    const l = (t: number) => logabsdet(add(A, mul(t, B))) as unknown as number
    let nested = l
    for (let i = 0; i < 3; i++) nested = grad(nested)
    expect(derivative(l, 3)(0.1)).toBeCloseTo(nested(0.1), 10)
  })
})

describe('matrixPower', () => {
  it('QA linalg #5: accepts integers beyond 2⁵³ (it refused 2⁵³ as "not an integer")', () => {
    expect(matrixPower(eye(2), 2 ** 53).toArray()).toEqual(rowsOf(eye(2)))
    expect(matrixPower(eye(2), -(2 ** 60)).toArray()).toEqual(rowsOf(eye(2)))
    // biome-ignore format: one matrix row per bracket
    expect(matrixPower(tensor([[1, 0], [0, -1]]), 2 ** 53 + 2).toArray()).toEqual([[1, 0], [0, 1]])
    expect(() => matrixPower(eye(2), Infinity)).toThrow(InvalidArgumentError)
    expect(() => matrixPower(eye(2), Number.NaN)).toThrow(InvalidArgumentError)
  })

  it('computes integer powers by squaring, the identity at 0, and inverses below 0', () => {
    expect(
      matrixPower(
        tensor([
          [1, 1],
          [0, 1],
        ]),
        3,
      ).toArray(),
    ).toEqual([
      [1, 3],
      [0, 1],
    ])
    expect(matrixPower(A, 0).toArray()).toEqual(rowsOf(eye(3)))
    expectClose(matrixPower(A, 5), matmul(A, matmul(A, matmul(A, matmul(A, A)))), 1e-13, 1e-13)
    expectClose(matrixPower(A, -2), matmul(inv(A), inv(A)), 1e-13, 1e-14)
    expect(matrixPower(tensor([rowsOf(A), rowsOf(B)]), 2).shape).toEqual([2, 3, 3])
  })

  it('refuses a fractional exponent, a non-square matrix, and a negative power of a singular one', () => {
    expect(() => matrixPower(A, 0.5)).toThrow(/integer exponent/)
    expect(() => matrixPower(tensor([[1, 2]]), 2)).toThrow(ShapeError)
    expect(() =>
      matrixPower(
        tensor([
          [1, 2],
          [2, 4],
        ]),
        -1,
      ),
    ).toThrow(LinAlgError)
  })

  it('is differentiable: d(A³) = dA·A² + A·dA·A + A²·dA', () => {
    const [, d] = jvp((a: Tensor) => matrixPower(a, 3), [A], [B])
    const a2 = matmul(A, A)
    expectClose(d, add(add(matmul(B, a2), matmul(A, matmul(B, A))), matmul(a2, B)), 1e-12, 1e-13)
    checkGrads((a: Tensor) => matrixPower(a, -3), [A], { order: 2 })
    expect(sum(grad((a: Tensor) => sum(matrixPower(a, 0)))(A)).item()).toBe(0)
  })
})
