/**
 * Derivatives of indexing (issue #14 §1) through every transformation — grad, grad(grad),
 * jacfwd, jacrev, hessian, Taylor mode (`derivative`), vmap over the operand, the indices or
 * both, and jit (whose replays must read new index values: indices are data). The oracle is
 * each op written without gather or scatter: a gather is a product with a one-hot matrix, a
 * scatter-add its transpose, `max` by index a `max` over a stack, a product by index a chain of
 * `mul`s — the same functions, so every derivative must agree, ties and zeros included.
 */
import {
  add,
  at,
  derivative,
  gather,
  grad,
  hessian,
  jacfwd,
  jacrev,
  jit,
  matmul,
  max,
  min,
  mul,
  type Scalar,
  sin,
  stack,
  sum,
  type Tensor,
  take,
  tensor,
  transpose,
  vmap,
  where,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

/** The one-hot matrix [k, n] of indices into an axis of size n. */
const oneHot = (idx: readonly number[], n: number): Tensor =>
  tensor(idx.map((i) => Array.from({ length: n }, (_, j) => +((i < 0 ? i + n : i) === j))))

const x = tensor([
  [0.3, -1.2],
  [2.1, 0.7],
  [-0.4, 1.5],
])
const idx = [2, 0, -1, 2]
const w = tensor([
  [1, -2],
  [0.5, 3],
  [-1, 1],
  [2, 0.25],
])

describe('take: every transformation agrees with the one-hot product', () => {
  const f = (v: Tensor) => sum(mul(sin(take(v, idx, 0)), w)) as Scalar
  const ref = (v: Tensor) => sum(mul(sin(matmul(oneHot(idx, 3), v)), w)) as Scalar
  const g = (v: Tensor) => take(v, idx, 0)
  const gRef = (v: Tensor) => matmul(oneHot(idx, 3), v)

  it('grad, grad of grad (hessian), jacfwd and jacrev', () => {
    expectClose(grad(f)(x), grad(ref)(x))
    expectClose(hessian(f)(x), hessian(ref)(x))
    expectClose(jacfwd(g)(x), jacrev(gRef)(x))
    expectClose(jacrev(g)(x), jacfwd(gRef)(x))
    expectClose(jacfwd(jacrev(f))(x), hessian(ref)(x))
    // the gradient of a plain gather-and-sum counts each row as often as it is taken
    expectClose(grad((v: Tensor) => sum(take(v, idx, 0)) as Scalar)(x), [
      [1, 1],
      [0, 0],
      [3, 3],
    ])
  })

  it('Taylor mode: derivative(k) of a gather equals k nested grads', () => {
    const h = (s: number) => sum(sin(take(mul(x, s), idx, 0))) as unknown as number
    for (const k of [1, 2, 3]) {
      let nested: (s: number) => number = h
      for (let i = 0; i < k; i++) nested = grad(nested)
      expectClose(derivative(h, k)(0.7), nested(0.7), 1e-10, 1e-12)
    }
  })
})

describe('at: derivatives agree with the op written without scatter', () => {
  const x1 = tensor([0.5, -1.5, 2, 1])
  const at1 = [1, 3, 1, -3]
  /** Per position, the updates written there, in order. */
  const hits = (i: number) => at1.flatMap((j, k) => ((j + 4) % 4 === i ? [k] : []))
  const entry = (u: Tensor, k: number) => take(u, k)
  const cases = {
    add: {
      f: (v: Tensor, u: Tensor) => at(v, at1).add(u),
      ref: (v: Tensor, u: Tensor) => add(v, matmul(transpose(oneHot(at1, 4)), u)),
    },
    set: {
      f: (v: Tensor, u: Tensor) => at(v, at1).set(u),
      ref: (v: Tensor, u: Tensor) =>
        stack(
          [0, 1, 2, 3].map((i) => (hits(i).length === 0 ? take(v, i) : entry(u, hits(i).at(-1)!))),
        ),
    },
    mul: {
      f: (v: Tensor, u: Tensor) => at(v, at1).mul(u),
      ref: (v: Tensor, u: Tensor) =>
        stack(
          [0, 1, 2, 3].map((i) => hits(i).reduce((acc, k) => mul(acc, entry(u, k)), take(v, i))),
        ),
    },
    max: {
      f: (v: Tensor, u: Tensor) => at(v, at1).max(u),
      ref: (v: Tensor, u: Tensor) =>
        stack(
          [0, 1, 2, 3].map((i) => max(stack([take(v, i), ...hits(i).map((k) => entry(u, k))]))),
        ),
    },
    min: {
      f: (v: Tensor, u: Tensor) => at(v, at1).min(u),
      ref: (v: Tensor, u: Tensor) =>
        stack(
          [0, 1, 2, 3].map((i) => min(stack([take(v, i), ...hits(i).map((k) => entry(u, k))]))),
        ),
    },
  } as const
  // separated values; then zeros among the updates (mul) and ties (max/min, with x and between
  // repeated updates), where the conventions must match the oracle's too
  const points: readonly [string, Tensor][] = [
    ['generic', tensor([1.25, -0.75, 3, 0.125])],
    ['zeros and ties', tensor([0, -1.5, 0, 2])],
    ['repeated ties', tensor([-1.5, 1, -1.5, 2])],
  ]

  for (const [mode, { f, ref }] of Object.entries(cases)) {
    for (const [label, u] of points) {
      it(`${mode} at ${label}: jacfwd, jacrev, hessian and grad of grad`, () => {
        const both = { argnums: [0, 1] } as const
        const expected = jacfwd(ref, both)(x1, u)
        expectClose(jacfwd(f, both)(x1, u), expected)
        expectClose(jacrev(f, both)(x1, u), expected)
        const weights = tensor([1, -2, 0.5, 3])
        const s = (v: Tensor, w2: Tensor) => sum(mul(sin(f(v, w2)), weights)) as Scalar
        const sRef = (v: Tensor, w2: Tensor) => sum(mul(sin(ref(v, w2)), weights)) as Scalar
        expectClose(hessian(s, both)(x1, u), hessian(sRef, both)(x1, u))
        const dd = (w2: Tensor) => sum(grad((v: Tensor) => s(v, w2))(x1)) as Scalar
        const ddRef = (w2: Tensor) => sum(grad((v: Tensor) => sRef(v, w2))(x1)) as Scalar
        expectClose(grad(dd)(u), grad(ddRef)(u))
      })
    }
  }

  it('Taylor mode: derivative(k) through each update equals k nested grads', () => {
    for (const { f } of Object.values(cases)) {
      const h = (s: number) =>
        sum(sin(f(mul(x1, s), mul(tensor([1.25, -0.75, 3, 0.125]), s)))) as unknown as number
      for (const k of [1, 2, 3]) {
        let nested: (s: number) => number = h
        for (let i = 0; i < k; i++) nested = grad(nested)
        expectClose(derivative(h, k)(0.9), nested(0.9), 1e-10, 1e-12)
      }
    }
  })

  it('mul: the product rule is exact at zeros and repeated indices, at second order', () => {
    // y₁ = x₁·u₀·u₁; ∂²y₁/∂u₀∂u₁ = x₁ even where u₀ = u₁ = 0 (no division anywhere)
    const h = (u: Tensor) => sum(at(tensor([1, 3]), [1, 1]).mul(u)) as Scalar
    expectClose(hessian(h)(tensor([0, 0])), [
      [0, 3],
      [3, 0],
    ])
    expectClose(grad(h)(tensor([0, 2])), [6, 0])
  })

  it('max: ties split evenly, x included, as max splits them', () => {
    const h = (v: Tensor, u: Tensor) => sum(at(v, [0, 0]).max(u)) as Scalar
    const [xBar, uBar] = grad(h, { argnums: [0, 1] })(tensor([2, 1]), tensor([2, 2]))
    expectClose(xBar, [1 / 3, 1])
    expectClose(uBar, [1 / 3, 1 / 3])
  })
})

describe('vmap over the operand, the indices, or both', () => {
  const xs = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ])
  const is = tensor([
    [2, 2],
    [-1, 0],
  ])
  const us = tensor([
    [10, 20],
    [30, 40],
  ])
  const stackOf = (f: (i: number) => Tensor) => stack([f(0), f(1)])
  const row = (v: Tensor, i: number) => take(v, i, 0)

  it('take and every at mode, batched in any combination', () => {
    const ops = {
      take: (v: Tensor, i: Tensor, _u: Tensor) => take(v, i, 0),
      add: (v: Tensor, i: Tensor, u: Tensor) => at(v, i).add(u),
      set: (v: Tensor, i: Tensor, u: Tensor) => at(v, i).set(u),
      mul: (v: Tensor, i: Tensor, u: Tensor) => at(v, i).mul(u),
      max: (v: Tensor, i: Tensor, u: Tensor) => at(v, i).max(u),
    }
    for (const op of Object.values(ops)) {
      for (const axes of [
        [0, null, null],
        [null, 0, null],
        [null, null, 0],
        [0, 0, 0],
        [null, 0, 0],
      ] as const) {
        const pick = (v: Tensor, b: 0 | null, i: number) => (b === null ? row(v, 0) : row(v, i))
        const expected = stackOf((i) =>
          op(pick(xs, axes[0], i), pick(is, axes[1], i), pick(us, axes[2], i)),
        )
        const args = [axes[0] === null ? row(xs, 0) : xs, axes[1] === null ? row(is, 0) : is]
        const u = axes[2] === null ? row(us, 0) : us
        expectClose(vmap(op, { inAxes: axes })(args[0]!, args[1]!, u), expected, 0, 0)
      }
    }
  })

  it('gather and at with several index arrays, batched and compiled', () => {
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    const pick = (i: Tensor, j: Tensor) => gather(m, i, j)
    const rows = tensor([
      [0, 1],
      [1, 1],
    ])
    const cols = tensor([
      [2, -3],
      [0, 0],
    ])
    expect(vmap(pick)(rows, cols).toArray()).toEqual([
      [3, 4],
      [4, 4],
    ])
    const put = jit((i: Tensor, j: Tensor) => at(m, i, j).add(10))
    expect(put(tensor([0, 0]), tensor([1, 1])).toArray()).toEqual([
      [1, 22, 3],
      [4, 5, 6],
    ])
    expect(put(tensor([1]), tensor([-1])).toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 16],
    ])
  })

  it('gives indices no derivative', () => {
    const f = (i: Tensor) => sum(take(tensor([1, 2, 3]), i)) as Scalar
    expect(grad(f)(tensor([0, 2])).toArray()).toEqual([0, 0])
    expect(jacfwd((i: Tensor) => take(tensor([1, 2, 3]), i))(tensor([1])).toArray()).toEqual([[0]])
  })

  it('grad under vmap with batched indices', () => {
    const f = (i: Tensor) =>
      grad((v: Tensor) => sum(sin(take(v, i))) as Scalar)(tensor([0.1, 0.2, 0.3]))
    const expected = stack([f(row(is, 0)), f(row(is, 1))])
    expectClose(vmap(f)(is), expected)
  })
})

describe('jit: index values are data, read again on every call', () => {
  it('a compiled gather, scatter and their gradients give the new answer for new indices', () => {
    const v = tensor([1, 2, 3, 4])
    const f = jit((a: Tensor, i: Tensor) => take(a, i))
    expect(f(v, tensor([0, 1])).toArray()).toEqual([1, 2])
    expect(f(v, tensor([3, -2])).toArray()).toEqual([4, 3])
    const g = jit((a: Tensor, i: Tensor) => at(a, i).set(tensor([7, 8])))
    expect(g(v, tensor([0, 0])).toArray()).toEqual([8, 2, 3, 4])
    expect(g(v, tensor([3, 1])).toArray()).toEqual([1, 8, 3, 7])
    const dg = jit(grad((a: Tensor, i: Tensor) => sum(at(a, i).mul(tensor([2, 3]))) as Scalar))
    expect(dg(v, tensor([1, 1])).toArray()).toEqual([1, 6, 1, 1])
    expect(dg(v, tensor([0, 2])).toArray()).toEqual([2, 1, 3, 1])
    const m = jit((a: Tensor, i: Tensor) => where(1, at(a, i).max(tensor([2.5])), 0))
    expect(m(v, tensor([0])).toArray()).toEqual([2.5, 2, 3, 4])
    expect(m(v, tensor([3])).toArray()).toEqual([1, 2, 3, 4])
  })
})
