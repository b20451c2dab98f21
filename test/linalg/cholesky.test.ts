/**
 * `cholesky`: known values, L·Lᵀ ≈ A as a property (backward stable), the symmetrized input,
 * named errors, and derivatives: against finite differences, the closed forms of log det
 * (gradient A⁻¹, Hessian −A⁻¹·dA·A⁻¹) through grad(grad), jacfwd(jacrev) and hessian, vmap,
 * jit (replayed too) and Taylor mode against nested grads.
 */
import { fc, test } from '@fast-check/vitest'
import {
  add,
  derivative,
  eye,
  grad,
  hessian,
  index,
  jacfwd,
  jacrev,
  jit,
  LinAlgError,
  log,
  matmul,
  mul,
  neg,
  ShapeError,
  sum,
  type Tensor,
  tensor,
  transpose,
  vmap,
} from 'fluxion'
import { cholesky, inv } from 'fluxion/linalg'
import { checkGrads } from 'fluxion/testing'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import { eps, maxAbs, realMatrix, refInv, rowsOf, spd } from './reference.ts'

const A = tensor([
  [4, 2, -1],
  [2, 5, 1],
  [-1, 1, 3],
])

/** log det A = 2·Σ log Lᵢᵢ. */
const logdet = (a: Tensor) => {
  const l = cholesky(a)
  return mul(2, sum(log(sum(mul(l, eye(l.shape[0]!)), 1))))
}

describe('cholesky: values', () => {
  it('factors known matrices', () => {
    expect(
      cholesky(
        tensor([
          [4, 2],
          [2, 5],
        ]),
      ).toArray(),
    ).toEqual([
      [2, 0],
      [1, 2],
    ])
    expect(cholesky(tensor([[9]])).toArray()).toEqual([[3]])
    expect(cholesky(tensor([rowsOf(A), rowsOf(eye(3))])).shape).toEqual([2, 3, 3])
  })

  it('reads the symmetrized matrix (a + aᵀ)/2, as JAX', () => {
    const skew = tensor([
      [0, 1, 2],
      [-1, 0, 3],
      [-2, -3, 0],
    ])
    expect(cholesky(add(A, skew)).toArray()).toEqual(cholesky(A).toArray())
  })

  test.prop([fc.integer({ min: 1, max: 6 }).chain((n) => realMatrix(n)), fc.constantFrom(1, 1e-3)])(
    'L·Lᵀ ≈ A for A = M·Mᵀ + δ·n·I, L lower with a positive diagonal',
    (m, delta) => {
      const n = m.length
      const a = add(mul(delta, spd(m)), mul(1 - delta, matmul(tensor(m), transpose(tensor(m)))))
      const l = cholesky(a)
      rowsOf(l).forEach((row, i) => {
        row.forEach((v, j) => {
          if (j > i) expect(v).toBe(0)
          if (j === i) expect(v).toBeGreaterThan(0)
        })
      })
      const err = maxAbs(add(matmul(l, transpose(l)), neg(a)))
      expect(err).toBeLessThanOrEqual(4 * n * eps * maxAbs(a) + 1e-300)
    },
  )
})

describe('cholesky: bad input', () => {
  it('refuses a matrix that is not positive definite, naming the leading minor', () => {
    expect(() =>
      cholesky(
        tensor([
          [1, 2],
          [2, 1],
        ]),
      ),
    ).toThrow(LinAlgError)
    expect(() =>
      cholesky(
        tensor([
          [1, 2],
          [2, 1],
        ]),
      ),
    ).toThrow(/order 2 is not positive/)
    expect(() =>
      cholesky(
        tensor([
          [
            [1, 0],
            [0, 1],
          ],
          [
            [-1, 0],
            [0, 1],
          ],
        ]),
      ),
    ).toThrow(/matrix 1 of the batch/)
    expect(() =>
      cholesky(
        tensor([
          [0, 0],
          [0, 0],
        ]),
      ),
    ).toThrow(/not positive definite/)
  })

  it('refuses non-finite entries and non-square shapes', () => {
    expect(() =>
      cholesky(
        tensor([
          [1, Number.NaN],
          [Number.NaN, 1],
        ]),
      ),
    ).toThrow(/non-finite/)
    expect(() =>
      cholesky(
        tensor([
          [1, 0, 0],
          [0, 1, 0],
        ]),
      ),
    ).toThrow(ShapeError)
    expect(() => cholesky(tensor([1, 2]))).toThrow(/cholesky needs a matrix/)
  })
})

describe('cholesky: derivatives', () => {
  it('matches finite differences to order 2, for non-symmetric perturbations too', () => {
    checkGrads(cholesky, [A], { order: 2 })
    checkGrads(cholesky, [tensor([[2.5]])], { order: 3 })
  })

  it('d log det A = tr(A⁻¹·dA): its gradient is A⁻¹ (symmetric)', () => {
    expectClose(grad(logdet)(A), inv(A), 1e-12, 1e-13)
  })

  it('the Hessian of log det is −sym(A⁻¹·sym(E)·A⁻¹) along E, in every composition', () => {
    const ai = refInv(rowsOf(A))!
    // H[i][j][k][l] = ∂²/∂a_ij ∂a_kl of logdet((a + aᵀ)/2)
    const expected = [0, 1, 2].map((i) =>
      [0, 1, 2].map((j) =>
        [0, 1, 2].map((k) =>
          [0, 1, 2].map((l) => {
            const e = (p: number, q: number) =>
              (p === k && q === l ? 0.5 : 0) + (p === l && q === k ? 0.5 : 0)
            // (A⁻¹·sym(E)·A⁻¹)[i][j], symmetrized in (i, j)
            const at = (r: number, c: number) => {
              let s = 0
              for (let p = 0; p < 3; p++)
                for (let q = 0; q < 3; q++) s += ai[r]![p]! * e(p, q) * ai[q]![c]!
              return s
            }
            return -(at(i, j) + at(j, i)) / 2
          }),
        ),
      ),
    )
    expectClose(hessian(logdet)(A), tensor(expected), 1e-10, 1e-12)
    expectClose(jacfwd(jacrev(logdet))(A), tensor(expected), 1e-10, 1e-12)
    expectClose(jacrev(grad(logdet))(A), tensor(expected), 1e-10, 1e-12)
  })

  it('grad(grad) of a scalar path matches a second difference', () => {
    const f = (t: number) =>
      sum(
        cholesky(
          add(
            A,
            mul(
              t,
              tensor([
                [1, 0.5, 0],
                [0.5, 2, 0],
                [0, 0, 1],
              ]),
            ),
          ),
        ),
      )
    const at = (t: number) => f(t).item()
    const second = (at(0.2 + 1e-4) - 2 * at(0.2) + at(0.2 - 1e-4)) / 1e-8
    expect(grad(grad(f))(0.2)).toBeCloseTo(second, 4)
  })

  it('vmap over a batch equals the batched call; jit gives the eager bits, replayed too', () => {
    const as = tensor([rowsOf(A), rowsOf(add(A, eye(3)))])
    expect(vmap(cholesky)(as).toArray()).toEqual(cholesky(as).toArray())
    const g = grad((a: Tensor) =>
      sum(
        mul(
          cholesky(a),
          tensor([
            [1, 0, 0],
            [2, 3, 0],
            [-1, 1, 2],
          ]),
        ),
      ),
    )
    const compiled = jit(g)
    expect(compiled(A).toArray()).toEqual(g(A).toArray())
    expect(compiled(A).toArray()).toEqual(g(A).toArray())
    expect(vmap(g)(as).toArray()).toEqual([g(A).toArray(), g(add(A, eye(3))).toArray()])
  })

  it('Taylor mode (the recurrence Ã_k = Σ L_i·L_{k−i}ᵀ) agrees with nested grads, orders 1–4', () => {
    const dir = tensor([
      [1, 0.5, 0],
      [0.5, -1, 0.25],
      [0, 0.25, 2],
    ])
    const h = (t: number) => index(index(cholesky(add(A, mul(t, dir))), 2), 1) as unknown as number
    for (const k of [1, 2, 3, 4]) {
      let nested = h
      for (let i = 0; i < k; i++) nested = grad(nested)
      const want = nested(0.3)
      expect(Math.abs(derivative(h, k)(0.3) - want)).toBeLessThanOrEqual(
        1e-9 * (1 + Math.abs(want)),
      )
    }
  })
})
