/**
 * `linearize`. Law `linearize-jvp`: `linearize(f, ...xs)` returns `[f(...xs), push]` with
 * `push(...ts)` equal to `jvp(f, xs, ts)[1]`, for scalars, tensors, trees and several arguments
 * (checked at hand-derived values and, as a property, at random points and tangents). `f` runs
 * once, however often the pushforward is applied (closure counter). The pushforward is linear:
 * push(a·u + b·v) = a·push(u) + b·push(v), and push(0) = 0.
 */
import { fc, test } from '@fast-check/vitest'
import {
  add,
  cos,
  exp,
  grad,
  jvp,
  linearize,
  matmul,
  mul,
  sin,
  square,
  sum,
  type Tensor,
  TreeMismatchError,
  tanh,
  tensor,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose, expectNumber, expectTensor } from '../helpers.ts'

/** Pushforward and jvp agree to rounding (they may add the same terms in another order). */
const rtol = 1e-14

describe('linearize-jvp: the pushforward is the jvp at the same point', () => {
  it('scalars: f(x) = x·sin x, push(t) = (sin x + x cos x)·t', () => {
    const f = (x: number) => mul(x, sin(x))
    const [y, push] = linearize(f, 2)
    expect(y).toBe(2 * Math.sin(2))
    for (const t of [1, -0.5, 3]) {
      const p = expectNumber(push(t))
      // sin 2 + 2 cos 2 ≈ 0.077 cancels about two digits
      expectClose(p, (Math.sin(2) + 2 * Math.cos(2)) * t, 1e-13, 0)
      expectClose(p, jvp(f, [2], [t])[1], rtol, 0)
    }
  })

  it('tensors: f(x) = tanh(W·x), push(t) = (1 − tanh²(W·x)) ⊙ W·t', () => {
    const Wp = [
      [1, 2, -1],
      [0.5, -0.3, 0.2],
    ]
    const W = tensor(Wp)
    const f = (x: Tensor) => tanh(matmul(W, x))
    const xp = [0.1, -0.2, 0.4]
    const [y, push] = linearize(f, tensor(xp))
    const u = Wp.map((row) => row.reduce((acc, w, j) => acc + w * xp[j]!, 0))
    expectClose(y, tensor(u.map(Math.tanh)), 1e-15, 0)
    for (const tp of [
      [1, 0, 0],
      [0.3, -1, 2],
    ]) {
      const Wt = Wp.map((row) => row.reduce((acc, w, j) => acc + w * tp[j]!, 0))
      const expected = Wt.map((v, i) => (1 - Math.tanh(u[i]!) ** 2) * v)
      const p = expectTensor(push(tensor(tp)), [2])
      expectClose(p, tensor(expected), 1e-14, 1e-15)
      expectClose(p, jvp(f, [tensor(xp)], [tensor(tp)])[1], rtol, 1e-16)
    }
  })

  it('trees in and out, several arguments', () => {
    // f({w, b}, x) = {y: w·x + b, z: [sin(b), Σ w²]}
    type P = { w: Tensor; b: number }
    const f = (p: P, x: Tensor) => ({
      y: add(mul(p.w, x), p.b),
      z: [sin(p.b), sum(square(p.w))] as const,
    })
    const p0: P = { w: tensor([1, -2]), b: 0.5 }
    const x0 = tensor([3, 4])
    const [out, push] = linearize(f, p0, x0)
    expect(out.y.toArray()).toEqual([3.5, -7.5])
    expect(out.z[0]).toBe(Math.sin(0.5))
    const pt: P = { w: tensor([0.5, 1]), b: -1 }
    const xt = tensor([2, -1])
    const pushed = push(pt, xt)
    // ẏ = ẇ·x + w·ẋ + ḃ = [1.5 + 2 − 1, 4 + 2 − 1]; ż = [cos(b)·ḃ, 2w·ẇ] = [−cos 0.5, 1 − 4]
    expect(pushed.y.toArray()).toEqual([2.5, 5])
    expectClose(pushed.z[0], -Math.cos(0.5), 1e-15, 0)
    expectClose(pushed.z[1], -3, 0, 0)
    const [, reference] = jvp(f, [p0, x0], [pt, xt])
    expectClose(pushed.y, reference.y, rtol, 0)
    expectClose(pushed.z[0], reference.z[0], rtol, 0)
    expectClose(pushed.z[1], reference.z[1], rtol, 0)
  })

  test.prop([
    fc.double({ min: -2, max: 2, noNaN: true }),
    fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 }),
    fc.double({ min: -1, max: 1, noNaN: true }),
    fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
  ])('linearize-jvp at random points and tangents', (s, xs, st, ts) => {
    // g(s, x) = exp(s·sin x) ⊙ cos(x)·s + Σx²
    const g = (a: number, x: Tensor) =>
      add(mul(mul(exp(mul(a, sin(x))), cos(x)), a), sum(square(x)))
    const [y, push] = linearize(g, s, tensor(xs))
    const [y2, yDot] = jvp(g, [s, tensor(xs)], [st, tensor(ts)])
    expect(y).toEqual(y2)
    expectClose(push(st, tensor(ts)), yDot, 1e-12, 1e-13)
  })
})

describe('the pushforward never re-runs f', () => {
  it('f runs once for linearize; applying the pushforward 100 times runs it no more', () => {
    let calls = 0
    const f = (x: Tensor) => {
      calls++
      return sum(mul(sin(x), x))
    }
    const [, push] = linearize(f, tensor([1, 2, 3]))
    expect(calls).toBe(1)
    let acc = 0
    for (let i = 0; i < 100; i++) acc += push(tensor([i, 0, 1])).item()
    expect(calls).toBe(1)
    expect(Number.isFinite(acc)).toBe(true)
  })
})

describe('the pushforward is linear', () => {
  const f = (x: Tensor, y: number) => mul(exp(mul(x, y)), sin(x))
  const [, push] = linearize(f, tensor([0.3, -0.8]), 1.5)

  it('push(a·u + b·v) = a·push(u) + b·push(v)', () => {
    const [u, uy] = [tensor([1, -2]), 0.5]
    const [v, vy] = [tensor([0.25, 3]), -1]
    for (const [a, b] of [
      [2, 3],
      [-0.5, 0.25],
      [0, 1],
    ] as const) {
      const lhs = push(add(mul(a, u), mul(b, v)), a * uy + b * vy)
      const rhs = add(mul(a, push(u, uy)), mul(b, push(v, vy)))
      expectClose(lhs, rhs, 1e-14, 1e-15)
    }
  })

  it('push(0) = 0 and push(2t) = 2·push(t) exactly', () => {
    expect(push(tensor([0, 0]), 0).toArray()).toEqual([0, 0])
    const t = push(tensor([0.5, 0.25]), 2)
    expect(push(tensor([1, 0.5]), 4).toArray()).toEqual(mul(2, t).toArray())
  })

  it('nests: grad of a function that linearizes inside equals the mixed second derivative', () => {
    // h(x) = push_x(1) for f(x) = x³: h = 3x², h′ = 6x
    const h = (x: number) => linearize((z: number) => mul(z, mul(z, z)), x)[1](1)
    expectClose(grad(h)(2), 12, 1e-15, 0)
  })
})

describe('the pushforward checks its tangents', () => {
  it('and names them tangents, as jvp does (QA: it spoke of "the output cotangent")', () => {
    const [, push] = linearize((x: Tensor) => mul(x, 2), tensor([1, 2]))
    const e = (() => {
      try {
        push(tensor([1, 2, 3]))
      } catch (error) {
        return error
      }
    })()
    expect(e).toBeInstanceOf(TreeMismatchError)
    const message = (e as TreeMismatchError).message
    expect(message).toMatch(
      /^tangents does not match the primal tree at tangents\[0\]: shape \[3\]/,
    )
    expect(message).not.toMatch(/cotangent/)
    expect(message).toMatch(/under linearize/)
  })
})
