/**
 * `vmap` composed with the other transformations: per-example gradients (`vmap(grad(loss))`
 * against a loop of `grad`, and against the hand-derived gradient of a linear model), `grad`
 * of `vmap`, `vmap` of `vmap` (including a pairwise map with `inAxes` null on each level),
 * `vmap` of `jvp` and of a pullback, and `jvp` of `vmap`. References are JS loops over the
 * examples and derivatives worked out by hand.
 */
import {
  add,
  cos,
  dot,
  eye,
  FluxionError,
  grad,
  jvp,
  matmul,
  mul,
  random,
  sin,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  value,
  vjp,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import { at, expectTreeClose, fromIndex, loop } from './batch-helpers.ts'

const [k1, k2, k3, k4, k5] = random.split(random.key(21), 5) as [
  random.Key,
  random.Key,
  random.Key,
  random.Key,
  random.Key,
]
const X = random.normal(k1, [6, 3])
const T = random.normal(k2, [6, 3])
const ys = random.normal(k3, [6])

interface Mlp {
  readonly W: Tensor
  readonly b: Tensor
  readonly v: Tensor
}
const params: Mlp = {
  W: random.normal(k4, [3, 4]),
  b: tensor([0.1, -0.2, 0.3, 0]),
  v: random.normal(k5, [4]),
}
/** Squared error of a one-hidden-layer network on one example (x of shape [3], y a scalar). */
const mlpLoss = (p: Mlp, x: Tensor, y: Tensor) =>
  square(sub(dot(tanh(add(matmul(x, p.W), p.b)), p.v), y))

describe('per-example gradients: vmap(grad(loss))', () => {
  it('agrees with a loop of grad, for a small network', () => {
    const perExample = vmap(grad(mlpLoss), { inAxes: [null, 0, 0] })(params, X, ys)
    expect(perExample.W.shape).toEqual([6, 3, 4])
    expect(perExample.b.shape).toEqual([6, 4])
    expectTreeClose(perExample, loop(grad(mlpLoss), [null, 0, 0])(params, X, ys), 1e-13, 1e-13)
  })

  it('equals the hand-derived gradient of a linear model, 2(w·x + b − y)·[x, 1]', () => {
    const loss = (p: { w: Tensor; b: number }, x: Tensor, y: Tensor) =>
      square(sub(add(dot(p.w, x), p.b), y))
    const p = { w: tensor([0.5, -1, 2]), b: 0.25 }
    const g = vmap(grad(loss), { inAxes: [null, 0, 0] })(p, X, ys)
    const r = (i: number) =>
      [0, 1, 2].reduce((s, j) => s + at(p.w, [j]) * at(X, [i, j]), p.b) - at(ys, [i])
    expectClose(
      g.w,
      fromIndex([6, 3], ([i, j]) => 2 * r(i!) * at(X, [i!, j!])),
      1e-13,
      1e-13,
    )
    expectClose(
      g.b,
      fromIndex([6], ([i]) => 2 * r(i!)),
      1e-13,
      1e-13,
    )
  })

  it('the mean of per-example gradients is the gradient of the mean loss', () => {
    const g = vmap(grad(mlpLoss), { inAxes: [null, 0, 0] })(params, X, ys)
    const batchLoss = (p: Mlp) => sum(vmap(mlpLoss, { inAxes: [null, 0, 0] })(p, X, ys))
    const total = grad(batchLoss)(params)
    expectTreeClose(total.W, sum(g.W, 0), 1e-12, 1e-12)
    expectTreeClose(total.v, sum(g.v, 0), 1e-12, 1e-12)
  })
})

describe('grad of vmap', () => {
  it('grad(x ↦ Σ vmap(f)(x)) is f′ per example: cos(r)·r + sin(r)', () => {
    const f = (r: Tensor) => sum(mul(sin(r), r))
    const g = grad((x: Tensor) => sum(vmap(f)(x)))(X)
    const expected = fromIndex([6, 3], (ix) => {
      const r = at(X, ix)
      return Math.cos(r) * r + Math.sin(r)
    })
    expectClose(g, expected, 1e-14, 1e-14)
  })

  it('the gradient of an unbatched argument sums over the batch', () => {
    const w = tensor([1, -2, 0.5])
    const g = grad((u: Tensor) => sum(vmap((x: Tensor) => dot(x, u))(X)))(w)
    const expected = fromIndex([3], ([j]) =>
      [0, 1, 2, 3, 4, 5].reduce((s, i) => s + at(X, [i, j!]), 0),
    )
    expectClose(g, expected, 1e-14, 1e-14)
  })
})

describe('vmap of vmap', () => {
  it('over two batch axes equals a loop of loops', () => {
    const R = random.normal(random.key(8), [3, 4, 2, 2])
    const f = (m: Tensor) => matmul(m, sin(m))
    expectTreeClose(vmap(vmap(f))(R), loop(loop(f))(R), 1e-14, 1e-14)
  })

  it('pairwise: vmap over a with b fixed, inside vmap over b with a fixed', () => {
    const A = X
    const B = random.normal(random.key(9), [4, 3])
    const d2 = (a: Tensor, b: Tensor) => sum(square(sub(a, b)))
    const pairs = vmap(vmap(d2, { inAxes: [0, null] }), { inAxes: [null, 0] })(A, B)
    const expected = fromIndex([4, 6], ([j, i]) =>
      [0, 1, 2].reduce((s, k) => s + (at(A, [i!, k]) - at(B, [j!, k])) ** 2, 0),
    )
    expectClose(pairs, expected, 1e-14, 1e-14)
  })

  it('an outer batch captured by closure inside an inner vmap', () => {
    const u = tensor([1, 2, 3])
    const out = vmap((x: Tensor) => vmap((y: Tensor) => mul(x, y))(u))(tensor([10, 20]))
    expect(out.toArray()).toEqual([
      [10, 20, 30],
      [20, 40, 60],
    ])
  })
})

describe('vmap and forward mode', () => {
  /** f(x) = sin(x) · (x₀ + 2x₁ + 3x₂), elementwise times a weighted sum. */
  const f = (x: Tensor) => mul(sin(x), dot(x, tensor([1, 2, 3])))
  const x0 = tensor([0.3, -0.7, 1.1])
  /** ∂fᵢ/∂xⱼ = δᵢⱼ cos(xᵢ)·s + sin(xᵢ)·(j + 1), s = Σ (k + 1)·xₖ. */
  const s = 0.3 - 2 * 0.7 + 3 * 1.1
  const J = fromIndex([3, 3], ([i, j]) => {
    const xi = at(x0, [i!])
    return (i === j ? Math.cos(xi) * s : 0) + Math.sin(xi) * (j! + 1)
  })

  it('vmap of jvp over basis tangents gives the Jacobian’s columns', () => {
    const cols = vmap((t: Tensor) => jvp(f, [x0], [t])[1])(eye(3))
    // row k of the result is J·eₖ, column k of J
    expectClose(
      cols,
      fromIndex([3, 3], ([k, i]) => at(J, [i!, k!])),
      1e-14,
      1e-14,
    )
  })

  it('vmap of jvp over primals and tangents equals a loop of jvp', () => {
    const push = (x: Tensor, t: Tensor) => jvp(f, [x], [t])
    expectTreeClose(vmap(push)(X, T), loop(push)(X, T), 1e-14, 1e-14)
  })

  it('jvp of vmap equals a loop of jvp', () => {
    const [out, outDot] = jvp(vmap(f), [X], [T])
    const [refOut, refDot] = loop((x: Tensor, t: Tensor) => jvp(f, [x], [t]))(X, T)
    expectTreeClose(out, refOut, 1e-14, 1e-14)
    expectTreeClose(outDot, refDot, 1e-14, 1e-14)
  })

  it('vmap of a pullback over cotangents gives the Jacobian’s rows', () => {
    const [, pullback] = vjp(f, x0)
    const rows = vmap((c: Tensor) => pullback(c)[0])(eye(3))
    expectClose(rows, J, 1e-14, 1e-14)
  })

  it('vmap of grad of grad over a batch of scalars: sin″ = −sin', () => {
    const xs = tensor([0.1, 0.5, 2])
    expectClose(
      vmap(grad(grad((x: Tensor) => sin(x))))(xs),
      fromIndex([3], ([i]) => -Math.sin(at(xs, [i!]))),
      1e-15,
      1e-15,
    )
    expectClose(vmap(grad(cos))(xs), tensor([-Math.sin(0.1), -Math.sin(0.5), -Math.sin(2)]))
  })
})

describe('vmap and plain JS control flow', () => {
  it('branches and loops on shapes and on unbatched values work', () => {
    const f = (x: Tensor, steps: number) => {
      let acc: Tensor = x
      for (let i = 0; i < value(steps); i++) acc = x.shape[0] === 3 ? mul(acc, sin(acc)) : acc
      return acc
    }
    expectTreeClose(vmap(f, { inAxes: [0, null] })(X, 3), loop(f, [0, null])(X, 3))
  })

  // Regression: value(x) inside vmap used to return the whole batch silently; it is now a named
  // error (no single primal exists there).
  it('value(x) inside vmap is one example’s primal, or a named error', () => {
    const f = (x: Tensor) => mul(x, value(x))
    const xs = tensor([1, -1, 2])
    let out: unknown
    try {
      out = vmap(f)(xs)
    } catch (e) {
      expect(e).toBeInstanceOf(FluxionError)
      return
    }
    expectTreeClose(out, loop(f)(xs))
  })
})
