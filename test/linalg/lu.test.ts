/**
 * `lu`: known factors, the identities a = p·l·u and a[permutation] = l·u with the structure of
 * partial pivoting (|lᵢⱼ| ≤ 1) as properties, singular matrices, named errors, and derivatives
 * (the permutation's is zero) through every transformation, Taylor mode included.
 */
import { fc, test } from '@fast-check/vitest'
import {
  add,
  derivative,
  grad,
  index,
  jacfwd,
  jacrev,
  jit,
  LinAlgError,
  matmul,
  mul,
  neg,
  ShapeError,
  sum,
  type Tensor,
  tensor,
  vmap,
} from 'fluxion'
import { lu } from 'fluxion/linalg'
import { checkGrads } from 'fluxion/testing'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import { eps, maxAbs, realMatrix, rowsOf } from './reference.ts'

/** Rows permuted so that pivoting must reorder them; well conditioned. */
const A = tensor([
  [1, 0.5, 6],
  [5, -1, 0.25],
  [0.5, -4, 1],
])

describe('lu: values', () => {
  it('factors with partial pivoting', () => {
    const { p, l, u, permutation } = lu(
      tensor([
        [1, 2],
        [4, 6],
      ]),
    )
    expect(permutation.toArray()).toEqual([1, 0])
    expect(p.toArray()).toEqual([
      [0, 1],
      [1, 0],
    ])
    expect(l.toArray()).toEqual([
      [1, 0],
      [0.25, 1],
    ])
    expect(u.toArray()).toEqual([
      [4, 6],
      [0, 0.5],
    ])
    expect(lu(A).permutation.toArray()).toEqual([1, 2, 0])
  })

  it('factors singular matrices (u gets a zero pivot) and batches', () => {
    const { u } = lu(
      tensor([
        [1, 2],
        [2, 4],
      ]),
    )
    expect(u.toArray()).toEqual([
      [2, 4],
      [0, 0],
    ])
    const r = lu(tensor([rowsOf(A), rowsOf(neg(A))]))
    expect(r.p.shape).toEqual([2, 3, 3])
    expect(r.permutation.shape).toEqual([2, 3])
  })

  test.prop([fc.integer({ min: 1, max: 6 }).chain((n) => realMatrix(n))])(
    'a = p·l·u and a[permutation] = l·u, l unit lower with |lᵢⱼ| ≤ 1, u upper',
    (rows) => {
      const n = rows.length
      const a = tensor(rows)
      const { p, l, u, permutation } = lu(a)
      const perm = permutation.toArray() as number[]
      expect([...perm].sort((x, y) => x - y)).toEqual(perm.map((_, i) => i))
      rowsOf(p).forEach((row, i) => {
        row.forEach((v, j) => {
          expect(v).toBe(perm[j] === i ? 1 : 0)
        })
      })
      rowsOf(l).forEach((row, i) => {
        row.forEach((v, j) => {
          if (j === i) expect(v).toBe(1)
          if (j > i) expect(v).toBe(0)
          expect(Math.abs(v)).toBeLessThanOrEqual(1)
        })
      })
      rowsOf(u).forEach((row, i) => {
        row.forEach((v, j) => {
          if (j < i) expect(v).toBe(0)
        })
      })
      const lu_ = matmul(l, u)
      // backward error of LU with partial pivoting: growth ≤ 2^(n−1)
      const tol = 4 * n * 2 ** (n - 1) * eps * maxAbs(a) + 1e-300
      expect(maxAbs(add(matmul(p, lu_), neg(a)))).toBeLessThanOrEqual(tol)
      const permuted = tensor(perm.map((r) => rows[r]!))
      expect(maxAbs(add(lu_, neg(permuted)))).toBeLessThanOrEqual(tol)
    },
  )
})

describe('lu: bad input', () => {
  it('names lu for a non-square matrix or a non-finite entry', () => {
    expect(() => lu(tensor([[1, 2, 3]]))).toThrow(ShapeError)
    expect(() => lu(tensor([[1, 2, 3]]))).toThrow(/lu needs square matrices/)
    expect(() =>
      lu(
        tensor([
          [1, Infinity],
          [0, 1],
        ]),
      ),
    ).toThrow(LinAlgError)
  })

  it('refuses to differentiate at a singular matrix, naming lu', () => {
    expect(() =>
      grad((a: Tensor) => sum(lu(a).u))(
        tensor([
          [1, 2],
          [2, 4],
        ]),
      ),
    ).toThrow(/derivative of lu at an exactly singular matrix/)
  })
})

describe('lu: derivatives', () => {
  const parts = (a: Tensor) => {
    const { l, u } = lu(a)
    return [l, u]
  }

  it('matches finite differences to order 2 where the pivot order is clear', () => {
    checkGrads(parts, [A], { order: 2 })
  })

  it('gives the permutation and p a zero derivative, l a zero diagonal and upper part', () => {
    expect(maxAbs(jacfwd((a: Tensor) => lu(a).p)(A))).toBe(0)
    expect(maxAbs(jacrev((a: Tensor) => lu(a).permutation)(A))).toBe(0)
    const dl = jacfwd((a: Tensor) => lu(a).l)(A) // [3, 3, 3, 3]
    for (let i = 0; i < 3; i++) {
      for (let j = i; j < 3; j++) expect(maxAbs(index(index(dl, i), j))).toBe(0)
    }
  })

  it('jacfwd, jacrev and grad(grad) agree; vmap and jit agree with the eager call', () => {
    const w = tensor([
      [1, -2, 0.5],
      [3, 1, -1],
      [0.25, 2, 1],
    ])
    const f = (a: Tensor) => sum(mul(w, add(lu(a).l, mul(lu(a).u, lu(a).u))))
    expectClose(jacfwd(f)(A), grad(f)(A), 1e-12, 1e-13)
    expectClose(jacfwd(grad(f))(A), jacrev(grad(f))(A), 1e-10, 1e-12)
    const as = tensor([rowsOf(A), rowsOf(mul(2, A))])
    expect(vmap((a: Tensor) => lu(a).u)(as).toArray()).toEqual(lu(as).u.toArray())
    const compiled = jit(grad(f))
    expect(compiled(A).toArray()).toEqual(grad(f)(A).toArray())
    expect(compiled(A).toArray()).toEqual(grad(f)(A).toArray())
  })

  it('Taylor mode (the recurrence P·A_k = Σ L_i·U_{k−i}) agrees with nested grads', () => {
    const dir = tensor([
      [0.5, 1, 0],
      [-1, 0.25, 2],
      [0, 1, -0.5],
    ])
    const h = (t: number) => {
      const { l, u } = lu(add(A, mul(t, dir)))
      return add(index(index(l, 2), 1), index(index(u, 1), 2)) as unknown as number
    }
    for (const k of [1, 2, 3]) {
      let nested = h
      for (let i = 0; i < k; i++) nested = grad(nested)
      const want = nested(0.1)
      expect(Math.abs(derivative(h, k)(0.1) - want)).toBeLessThanOrEqual(
        1e-9 * (1 + Math.abs(want)),
      )
    }
  })
})
