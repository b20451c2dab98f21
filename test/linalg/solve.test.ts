/**
 * `solve` and `inv`: known values, NumPy/JAX shape semantics (vector and matrix right-hand
 * sides, broadcast batch axes), the identities A·solve(A, b) ≈ b and inv(A)·A ≈ I at
 * tolerances scaled by the condition number, named errors for bad input, the factorization
 * cache (derivatives reuse it; a mutated array is factored again), and derivatives through
 * every transformation: grad, grad(grad), jacfwd(jacrev), hessian, vmap, jit (replayed too),
 * and Taylor mode.
 */
import { fc, test } from '@fast-check/vitest'
import {
  add,
  derivative,
  expandDims,
  eye,
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
  neg,
  ShapeError,
  squeeze,
  sum,
  Tensor,
  tensor,
  valueAndGrad,
  vmap,
} from 'fluxion'
import { inv, solve } from 'fluxion/linalg'
import { checkGrads } from 'fluxion/testing'
import { describe, expect, it } from 'vitest'
import { luStats } from '../../src/tensor/kernels/lu.ts'
import { expectClose } from '../helpers.ts'
import {
  cond1,
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
  [4, -2, 1],
  [3, 6, -4],
  [2, 1, 8],
])
const B = tensor([
  [0.5, 1, 0],
  [-1, 0.25, 2],
  [0, 1, -0.5],
])
const b = tensor([1, -2, 3])

describe('solve: values and shapes', () => {
  it('solves a·x = b for a vector and for columns', () => {
    expect(
      solve(
        tensor([
          [3, 1],
          [1, 2],
        ]),
        tensor([9, 8]),
      ).toArray(),
    ).toEqual([2, 3])
    const x = solve(
      A,
      tensor([
        [1, 0],
        [0, 1],
        [2, -1],
      ]),
    )
    expect(x.shape).toEqual([3, 2])
    expectClose(
      matmul(A, x),
      tensor([
        [1, 0],
        [0, 1],
        [2, -1],
      ]),
      1e-14,
      1e-14,
    )
  })

  it('pivots: a zero in the corner is no obstacle', () => {
    expectClose(
      solve(
        tensor([
          [0, 1],
          [1, 0],
        ]),
        tensor([2, 3]),
      ),
      tensor([3, 2]),
    )
  })

  it('reads b as a vector only when it has rank 1 (NumPy 2, current JAX), else as matrices', () => {
    const stack = tensor([rowsOf(A), rowsOf(B)])
    expect(solve(stack, tensor([1, 2, 3])).shape).toEqual([2, 3])
    expect(solve(A, tensor([[1], [2], [3]])).shape).toEqual([3, 1])
    // a [n, 1] b broadcasts against the stack as a matrix
    expect(solve(stack, tensor([[1], [2], [3]])).shape).toEqual([2, 3, 1])
    expect(solve(stack, tensor([[[1], [2], [3]]])).shape).toEqual([2, 3, 1])
    // a [2, 3] b is a 2×3 matrix, not two vectors: its 2 rows do not fit a 3×3 a
    expect(() =>
      solve(
        stack,
        tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    ).toThrow(ShapeError)
    expect(() => solve(A, tensor([1, 2]))).toThrow(/vector of length 2, not 3/)
    // a batch of vectors as one-column matrices: vector k equals the solve with matrix k
    const bs = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    const xs = squeeze(solve(stack, expandDims(bs, -1)), -1)
    expect(index(xs, 1).toArray()).toEqual(solve(B, tensor([4, 5, 6])).toArray())
  })

  it('broadcasts batch axes, each block equal to its own solve', () => {
    const as = tensor([[rowsOf(A)], [rowsOf(B)]]) // [2, 1, 3, 3]
    const bs = tensor([
      [
        [[1], [0], [2]],
        [[-1], [3], [0.5]],
        [[0], [0], [1]],
      ],
    ]) // [1, 3, 3, 1]
    const x = solve(as, bs)
    expect(x.shape).toEqual([2, 3, 3, 1])
    for (const [i, a] of [A, B].entries()) {
      for (let j = 0; j < 3; j++) {
        expect(index(index(x, i), j).toArray()).toEqual(solve(a, index(index(bs, 0), j)).toArray())
      }
    }
  })

  it('propagates non-finite entries of b as IEEE arithmetic (a zero of A contributes nothing)', () => {
    expect(solve(eye(2), tensor([Number.NaN, 1])).toArray()).toEqual([Number.NaN, 1])
  })

  it('inverts', () => {
    expect(
      inv(
        tensor([
          [2, 0],
          [0, 4],
        ]),
      ).toArray(),
    ).toEqual([
      [0.5, 0],
      [0, 0.25],
    ])
    expectClose(matmul(inv(A), A), eye(3), 1e-14, 1e-14)
    expect(inv(tensor([rowsOf(A), rowsOf(B)])).shape).toEqual([2, 3, 3])
  })
})

describe('solve: identities at tolerances scaled by the condition number', () => {
  const sizes = fc.integer({ min: 1, max: 5 })

  test.prop([sizes.chain((n) => fc.tuple(intMatrix(n), realMatrix(n)))])(
    'a·solve(a, b) ≈ b (backward stable), and a LinAlgError exactly when det a = 0',
    ([a, bs]) => {
      const n = a.length
      const det = refDet(a) // exact on these integer matrices
      let x: Tensor
      try {
        x = solve(tensor(a), tensor(bs))
      } catch (e) {
        expect(e).toBeInstanceOf(LinAlgError)
        expect(det).toBe(0)
        return
      }
      const residual = maxAbs(add(matmul(tensor(a), x), neg(tensor(bs))))
      const scale = maxAbs(tensor(a)) * n * maxAbs(x) + maxAbs(tensor(bs))
      // growth of partial pivoting ≤ 2^(n−1)
      expect(residual).toBeLessThanOrEqual(8 * n * 2 ** (n - 1) * eps * scale + 1e-300)
      if (det !== 0) {
        const ref = refMatmul(refInv(a)!, bs)
        const err = maxAbs(add(x, neg(tensor(ref))))
        expect(err).toBeLessThanOrEqual(100 * n * eps * cond1(a) * (maxAbs(tensor(ref)) + 1))
      }
    },
  )

  test.prop([sizes.chain((n) => realMatrix(n))])('inv(a)·a ≈ I', (a) => {
    const kappa = cond1(a)
    fc.pre(kappa < 1e10)
    const n = a.length
    const err = maxAbs(add(matmul(inv(tensor(a)), tensor(a)), neg(eye(n))))
    expect(err).toBeLessThanOrEqual(100 * n * eps * kappa)
  })
})

describe('solve: bad input', () => {
  const raises = (f: () => unknown, type: typeof ShapeError, ...words: string[]) => {
    expect(f).toThrow(type)
    try {
      f()
    } catch (e) {
      for (const w of words) expect((e as Error).message).toContain(w)
    }
  }

  it('names solve and the shapes for a non-square or rank-1 matrix', () => {
    raises(
      () =>
        solve(
          tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]),
          tensor([1, 2]),
        ),
      ShapeError,
      'solve',
      '[2, 3]',
    )
    raises(() => solve(tensor([1, 2]), tensor([1, 2])), ShapeError, 'solve', 'rank')
    raises(
      () =>
        inv(
          tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]),
        ),
      ShapeError,
      'inv',
      'square',
    )
  })

  it('refuses a scalar b, a b with the wrong row count, and batch axes that do not broadcast', () => {
    raises(() => solve(A, tensor(1)), ShapeError, 'solve', 'scalar')
    raises(() => solve(A, tensor([1, 2])), ShapeError, 'solve', 'length 2, not 3')
    raises(() => solve(A, tensor([[1], [2]])), ShapeError, 'solve', '[3, 3], [2, 1]')
    const two = tensor([rowsOf(A), rowsOf(B)])
    raises(
      () =>
        solve(
          two,
          tensor([
            [[1], [2], [3]],
            [[1], [2], [3]],
            [[1], [2], [3]],
          ]),
        ),
      ShapeError,
      'batch',
    )
  })

  it('raises LinAlgError for a singular or non-finite matrix, never ∞ or NaN', () => {
    raises(
      () =>
        solve(
          tensor([
            [1, 2],
            [2, 4],
          ]),
          tensor([1, 2]),
        ),
      LinAlgError,
      'solve',
      'singular',
    )
    raises(
      () =>
        inv(
          tensor([
            [0, 0],
            [0, 1],
          ]),
        ),
      LinAlgError,
      'inv',
      'singular',
    )
    raises(
      () =>
        solve(
          tensor([
            [1, Number.NaN],
            [0, 1],
          ]),
          tensor([1, 2]),
        ),
      LinAlgError,
      'non-finite',
    )
    raises(
      () =>
        inv(
          tensor([
            [Infinity, 0],
            [0, 1],
          ]),
        ),
      LinAlgError,
      'inv',
      'non-finite',
    )
  })

  // regression: inv renamed the kernel's error only while tracing, so replays said solve
  it('names inv on every jit replay and in its derivative, not the solve inside it', () => {
    const singular = tensor([
      [1, 2],
      [2, 4],
    ])
    const ok = tensor([
      [2, 1],
      [1, 3],
    ])
    const compiled = jit((a: Tensor) => inv(a))
    const compiledGrad = jit(grad((a: Tensor) => sum(inv(a))))
    compiled(ok)
    compiledGrad(ok)
    for (const f of [compiled, compiledGrad, compiled, (a: Tensor) => inv(a)]) {
      raises(() => f(singular), LinAlgError, 'inv: the matrix is singular', '(in inv')
    }
    const infinite = tensor([
      [Infinity, 0],
      [0, 1],
    ])
    raises(() => compiled(infinite), LinAlgError, 'inv', 'non-finite')
    raises(() => solve(singular, tensor([1, 2])), LinAlgError, '(in solve')
  })
})

describe('solve: the factorization cache', () => {
  const f = (a: Tensor, c: Tensor) => sum(mul(solve(a, c), tensor([1, -1, 2])))

  it('factors once for the value and the gradient in both arguments', () => {
    const a = tensor(rowsOf(A))
    const before = luStats.factorizations
    valueAndGrad(f, { argnums: [0, 1] })(a, b)
    expect(luStats.factorizations - before).toBe(1)
    const again = luStats.factorizations
    jvp(f, [a, b], [B, b])
    expect(luStats.factorizations - again).toBe(0) // a is still cached
  })

  it('keeps factorizations of one array read with two shapes apart', () => {
    const data = Float64Array.from([2, 1, 1, 3, 4, 0, 0, 0.5, 1, 2, 3, 4, 0, 1, 1, 0])
    const x4 = solve(new Tensor(data, [4, 4]), tensor([1, 2, 3, 4]))
    const x2 = solve(new Tensor(data, [4, 2, 2]), tensor([1, 2]))
    expectClose(matmul(new Tensor(data, [4, 4]), x4), tensor([1, 2, 3, 4]), 1e-14, 1e-14)
    expectClose(
      matmul(new Tensor(data, [4, 2, 2]), expandDims(x2, -1)),
      tensor([
        [[1], [2]],
        [[1], [2]],
        [[1], [2]],
        [[1], [2]],
      ]),
      1e-14,
      1e-14,
    )
    expectClose(solve(new Tensor(data, [4, 4]), tensor([1, 2, 3, 4])), x4, 0, 0)
  })

  it('factors again when the array was written to (never a stale factorization)', () => {
    const a = tensor(rowsOf(A))
    const x = solve(a, b)
    const before = luStats.factorizations
    a.data[0] = 10
    const y = solve(a, b)
    expect(luStats.factorizations - before).toBe(1)
    expect(y.toArray()).not.toEqual(x.toArray())
    expectClose(matmul(a, y), b, 1e-14, 1e-14)
  })
})

describe('solve: derivatives', () => {
  const c = tensor([0.5, -1, 2])
  const f = (a: Tensor, v: Tensor) => sum(mul(c, solve(a, v)))

  it('matches finite differences to order 2 in both arguments', () => {
    checkGrads((a: Tensor, v: Tensor) => solve(a, v), [A, b], { order: 2 })
    checkGrads((a: Tensor) => inv(a), [add(B, mul(3, eye(3)))], { order: 2 })
  })

  it('has the closed-form gradients b̄ = a⁻ᵀc and ā = −b̄·xᵀ', () => {
    const [aBar, bBar] = grad(f, { argnums: [0, 1] })(A, b) as [Tensor, Tensor]
    const ai = refInv(rowsOf(A))!
    const cs = c.toArray() as number[]
    const bBarRef = [0, 1, 2].map((i) => [0, 1, 2].reduce((s, k) => s + ai[k]![i]! * cs[k]!, 0))
    const x = solve(A, b).toArray() as number[]
    expectClose(bBar, tensor(bBarRef), 1e-12, 1e-14)
    expectClose(aBar, tensor(bBarRef.map((bi) => x.map((xj) => -bi * xj))), 1e-12, 1e-14)
  })

  it('differentiates inv: d(a⁻¹) = −a⁻¹·da·a⁻¹', () => {
    const [, dInv] = jvp(inv, [A], [B])
    const ai = inv(A)
    expectClose(dInv, neg(matmul(ai, matmul(B, ai))), 1e-12, 1e-14)
  })

  it('grad(grad), jacfwd(jacrev) and hessian agree with each other and with differences', () => {
    const g = (v: Tensor) => sum(mul(solve(add(A, mul(v, v)), v), c))
    const v0 = tensor([0.3, -0.2, 0.5])
    const h = hessian(g)(v0)
    expectClose(jacfwd(jacrev(g))(v0), h, 1e-10, 1e-12)
    expectClose(jacrev(jacrev(g))(v0), h, 1e-10, 1e-12)
    // central differences of the gradient
    const step = 1e-5
    const gradAt = (x: Tensor) => grad(g)(x)
    const columns = [0, 1, 2].map((j) => {
      const e = tensor([0, 1, 2].map((i) => (i === j ? step : 0)))
      return mul(add(gradAt(add(v0, e)), neg(gradAt(add(v0, neg(e))))), 1 / (2 * step))
    })
    const fd = tensor(columns.map((col) => col.toArray() as number[]))
    expectClose(h, fd, 1e-6, 1e-7)
    // grad(grad) of a function of one variable, against a second difference
    const s = (t: number) => sum(mul(c, solve(add(A, mul(t, B)), b)))
    const at = (t: number) => s(t).item()
    const second = (at(0.1 + 1e-4) - 2 * at(0.1) + at(0.1 - 1e-4)) / 1e-8
    expect(grad(grad(s))(0.1)).toBeCloseTo(second, 4)
  })

  it('vmap over a batch of systems equals the batched call, with either argument unbatched', () => {
    const as = tensor([rowsOf(A), rowsOf(add(B, mul(3, eye(3))))])
    const bs = tensor([
      [1, 2, 3],
      [-1, 0, 1],
    ])
    // each example is one vector; the batched call takes them as one-column matrices
    const batched = (a: Tensor) => squeeze(solve(a, expandDims(bs, -1)), -1)
    expect(vmap(solve)(as, bs).toArray()).toEqual(batched(as).toArray())
    expect(vmap(solve, { inAxes: [null, 0] })(A, bs).toArray()).toEqual(
      batched(tensor([rowsOf(A), rowsOf(A)])).toArray(),
    )
    expect(vmap((v: Tensor) => grad((a: Tensor) => sum(solve(a, v)))(A))(bs).shape).toEqual([
      2, 3, 3,
    ])
  })

  it('jit gives the eager bits on its first call and on replay, gradients included', () => {
    const gf = grad(f, { argnums: [0, 1] })
    const eager = gf(A, b) as Tensor[]
    const compiled = jit(gf)
    for (let call = 0; call < 2; call++) {
      const out = compiled(A, b) as Tensor[]
      expect(out.map((t) => t.toArray())).toEqual(eager.map((t) => t.toArray()))
    }
  })

  it('Taylor mode: derivative(t ↦ solve(a + t·b, v)), orders 1–3, equals nested grads', () => {
    const h = (t: number) => index(solve(add(A, mul(t, B)), b), 1) as unknown as number
    for (const k of [1, 2, 3]) {
      let nested = h
      for (let i = 0; i < k; i++) nested = grad(nested)
      expect(derivative(h, k)(0.2)).toBeCloseTo(nested(0.2), 9)
    }
  })
})
