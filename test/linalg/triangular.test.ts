/**
 * `triangularSolve` (SciPy's solve_triangular on the left) and `choSolve`: every combination of
 * lower/upper, transpose and unit diagonal against the masked product, the unread triangle
 * ignored by the value and by the derivative, backward stability as a property, named errors,
 * and derivatives through grad, grad(grad), hessian, vmap, jit and Taylor mode.
 */
import { fc, test } from '@fast-check/vitest'
import {
  add,
  derivative,
  grad,
  hessian,
  index,
  jacfwd,
  jit,
  LinAlgError,
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
import { cholesky, choSolve, solve, triangularSolve } from 'fluxion/linalg'
import { checkGrads } from 'fluxion/testing'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import { eps, maxAbs, realMatrix, rowsOf } from './reference.ts'

const T = tensor([
  [3, 7, -2],
  [1, -4, 5],
  [-2, 0.5, 2],
])
const b = tensor([1, -2, 0.5])

const flagSets = [false, true].flatMap((lower) =>
  [false, true].flatMap((tr) =>
    [false, true].map((unit) => ({ lower, transpose: tr, unitDiagonal: unit })),
  ),
)

/** The matrix a triangular solve with these flags uses, as op(T) (masked, unit diagonal set). */
const used = (t: Tensor, { lower, transpose: tr, unitDiagonal }: (typeof flagSets)[number]) => {
  const rows = rowsOf(t).map((row, i) =>
    row.map((v, j) => (i === j ? (unitDiagonal ? 1 : v) : (lower ? j < i : j > i) ? v : 0)),
  )
  const m = tensor(rows)
  return tr ? transpose(m) : m
}

describe('triangularSolve: values', () => {
  it.each(flagSets)('solves op(T)·x = b with %o, reading only its triangle', (flags) => {
    const x = triangularSolve(T, b, flags)
    expectClose(matmul(used(T, flags), x), b, 1e-14, 1e-14)
    // the other triangle (and a unit diagonal) may hold anything, NaN included
    const scrambled = tensor(
      rowsOf(T).map((row, i) =>
        row.map((v, j) =>
          (flags.lower ? j > i : j < i) || (i === j && flags.unitDiagonal) ? Number.NaN : v,
        ),
      ),
    )
    expect(triangularSolve(scrambled, b, flags).toArray()).toEqual(x.toArray())
  })

  it('defaults to the upper triangle, as SciPy', () => {
    expect(triangularSolve(T, b).toArray()).toEqual(
      triangularSolve(T, b, { lower: false }).toArray(),
    )
    expect(
      triangularSolve(
        tensor([
          [2, 0],
          [1, 4],
        ]),
        tensor([2, 9]),
        { lower: true },
      ).toArray(),
    ).toEqual([1, 2])
  })

  it('takes columns and broadcast batches', () => {
    const ts = tensor([rowsOf(T), rowsOf(add(T, 1))])
    const x = triangularSolve(
      ts,
      tensor([
        [
          [1, 0],
          [0, 1],
          [2, 2],
        ],
      ]),
      { lower: true },
    )
    expect(x.shape).toEqual([2, 3, 2])
    expect(index(x, 1).toArray()).toEqual(
      triangularSolve(
        add(T, 1),
        tensor([
          [1, 0],
          [0, 1],
          [2, 2],
        ]),
        { lower: true },
      ).toArray(),
    )
  })

  test.prop([
    fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(realMatrix(n), realMatrix(n))),
    fc.constantFrom(...flagSets),
  ])('is backward stable: ‖op(T)·x − b‖ ≤ 4n·ε·‖op(T)‖·‖x‖', ([t, bs], flags) => {
    // keep the diagonal away from 0 (a zero is refused; a tiny one only scales x)
    const tt = tensor(t.map((row, i) => row.map((v, j) => (i === j ? v + Math.sign(v || 1) : v))))
    const x = triangularSolve(tt, tensor(bs), flags)
    const m = used(tt, flags)
    const n = t.length
    const residual = maxAbs(add(matmul(m, x), neg(tensor(bs))))
    expect(residual).toBeLessThanOrEqual(4 * n * eps * maxAbs(m) * n * maxAbs(x) + 1e-300)
  })
})

describe('triangularSolve: bad input', () => {
  it('refuses a zero or non-finite entry it reads, naming triangularSolve', () => {
    const zero = tensor([
      [1, 0],
      [3, 0],
    ])
    expect(() => triangularSolve(zero, b, { lower: true })).toThrow(ShapeError)
    expect(() => triangularSolve(zero, tensor([1, 2]), { lower: true })).toThrow(
      /triangularSolve: the matrix is singular \(diagonal entry 1/,
    )
    expect(() =>
      triangularSolve(zero, tensor([1, 2]), { lower: true, unitDiagonal: true }),
    ).not.toThrow()
    expect(() =>
      triangularSolve(
        tensor([
          [1, 0],
          [Infinity, 1],
        ]),
        tensor([1, 2]),
        { lower: true },
      ),
    ).toThrow(LinAlgError)
  })

  it('refuses bad shapes and options', () => {
    expect(() => triangularSolve(tensor([[1, 2, 3]]), tensor([1]))).toThrow(/square/)
    expect(() => triangularSolve(T, tensor([[1, 2]]))).toThrow(/1 rows|length 2/)
    // @ts-expect-error: a flag must be a boolean
    expect(() => triangularSolve(T, b, { lower: 1 })).toThrow(/lower must be a boolean/)
  })
})

describe('triangularSolve: derivatives', () => {
  it.each(flagSets)('matches finite differences to order 2 with %o', (flags) => {
    checkGrads((t: Tensor, v: Tensor) => triangularSolve(t, v, flags), [T, b], { order: 2 })
  })

  it.each(flagSets)('has a zero derivative in the unread entries with %o', (flags) => {
    const g = grad((t: Tensor) => sum(mul(triangularSolve(t, b, flags), tensor([1, 2, 3]))))(T)
    rowsOf(g).forEach((row, i) => {
      row.forEach((v, j) => {
        const read = (flags.lower ? j <= i : j >= i) && !(i === j && flags.unitDiagonal)
        if (!read) expect(v === 0).toBe(true)
        else expect(v).not.toBe(0)
      })
    })
  })

  it('grad(grad) and hessian agree; vmap and jit agree with the eager call', () => {
    const flags = { lower: true, transpose: true, unitDiagonal: false }
    const f = (v: Tensor) => sum(mul(triangularSolve(add(T, mul(v, v)), v, flags), v))
    const v0 = tensor([0.3, -0.5, 0.2])
    const h = hessian(f)(v0)
    expectClose(jacfwd(grad(f))(v0), h, 1e-10, 1e-12)
    const vs = tensor([
      [1, 2, 3],
      [0.5, -1, 0],
    ])
    expect(vmap((v: Tensor) => triangularSolve(T, v, flags))(vs).toArray()).toEqual(
      transpose(triangularSolve(T, transpose(vs), flags)).toArray(),
    )
    const compiled = jit(grad(f))
    expect(compiled(v0).toArray()).toEqual(grad(f)(v0).toArray())
    expect(compiled(v0).toArray()).toEqual(grad(f)(v0).toArray())
  })

  it('Taylor mode agrees with nested grads, orders 1–3', () => {
    const h = (t: number) =>
      index(triangularSolve(add(T, mul(t, T)), b, { lower: true }), 2) as unknown as number
    for (const k of [1, 2, 3]) {
      let nested = h
      for (let i = 0; i < k; i++) nested = grad(nested)
      expect(derivative(h, k)(0.1)).toBeCloseTo(nested(0.1), 9)
    }
  })
})

describe('choSolve', () => {
  const a = tensor([
    [4, 2, -1],
    [2, 5, 1],
    [-1, 1, 3],
  ])

  it('solves a·x = b from the lower Cholesky factor', () => {
    const x = choSolve(cholesky(a), b)
    expectClose(x, solve(a, b), 1e-14, 1e-14)
    expect(choSolve(cholesky(a), tensor([[1], [2], [3]])).shape).toEqual([3, 1])
  })

  it('is differentiable in the factor and the right-hand side', () => {
    checkGrads((l: Tensor, v: Tensor) => choSolve(l, v), [cholesky(a), b], { order: 2 })
    // through cholesky: the gradient of bᵀa⁻¹b is −a⁻¹bbᵀa⁻¹ symmetrized
    const g = grad((m: Tensor) => sum(mul(b, choSolve(cholesky(m), b))))(a)
    const x = solve(a, b)
    const outer = matmul(
      transpose(tensor([x.toArray() as number[]])),
      tensor([x.toArray() as number[]]),
    )
    expectClose(g, neg(outer), 1e-12, 1e-13)
  })
})
