/**
 * Edge cases of the transformations: outputs that do not depend on the inputs (zero derivatives
 * of the right kind and shape), the identity, the same value passed as several arguments,
 * pullbacks run more than once and inside other transformations, and inner transformations
 * whose primal or tangent is a value traced by an outer one. Expected values are by hand.
 */
import { add, cos, grad, jvp, mul, pow, sin, sum, Tensor, tensor, valueAndGrad, vjp } from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

describe('outputs that do not depend on the inputs', () => {
  it('grad is zero with the kind and shape of the argument', () => {
    expect(grad((_x: number) => 5)(3)).toBe(0)
    const g = grad((_x: Tensor) => 5)(tensor([1, 2]))
    expect(g).toBeInstanceOf(Tensor)
    expectClose(g, tensor([0, 0]), 0, 0)
    expect(valueAndGrad((_x: number) => 5)(3)).toEqual([5, 0])
  })

  it('jvp gives a zero tangent with the kind and shape of the output', () => {
    expect(jvp((_x: number) => 5, [3], [1])).toEqual([5, 0])
    const [y, yDot] = jvp((_x: number) => tensor([1, 2]), [3], [1])
    expectClose(y, tensor([1, 2]), 0, 0)
    expectClose(yDot, tensor([0, 0]), 0, 0)
  })

  it('vjp pulls back zeros of the inputs’ kinds', () => {
    const [, pullback] = vjp((_a: number, _b: Tensor) => 7, 1, tensor([1, 2, 3]))
    const [aBar, bBar] = pullback(1)
    expect(aBar).toBe(0)
    expectClose(bBar, tensor([0, 0, 0]), 0, 0)
  })
})

describe('the identity and repeated arguments', () => {
  it('the identity has derivative 1 in every mode; an output used twice sums cotangents', () => {
    expect(grad((x: number) => x)(3)).toBe(1)
    expect(jvp((x: number) => x, [3], [2])).toEqual([3, 2])
    const [out, pullback] = vjp((x: number) => [x, x], 3)
    expect(out).toEqual([3, 3])
    expect(pullback([1, 2])).toEqual([3])
  })

  it('the same tensor object passed as two arguments gets two gradients', () => {
    const t = tensor([1, 2])
    const [ga, gb] = grad((a: Tensor, b: Tensor) => sum(mul(a, mul(b, b))), {
      argnums: [0, 1],
    })(t, t)
    expectClose(ga, tensor([1, 4]), 0, 0)
    expectClose(gb, tensor([2, 8]), 0, 0)
    const g = grad((p: { a: Tensor; b: Tensor }) => sum(mul(p.a, 3)))({ a: t, b: t })
    expectClose(g.a, tensor([3, 3]), 0, 0)
    expectClose(g.b, tensor([0, 0]), 0, 0)
  })

  it('pow of a negative base with an integer exponent: d/dx x³ = 3x² at x = −2', () => {
    expect(grad((x: number) => pow(x, 3))(-2)).toBe(12)
    expect(jvp((x: number) => pow(x, 3), [-2], [1])[1]).toBe(12)
    expectClose(grad((x: Tensor) => sum(pow(x, 3)))(tensor([-2, -1])), tensor([12, 3]), 0, 0)
  })
})

describe('pullbacks', () => {
  it('a pullback can run many times and is linear', () => {
    const [, pullback] = vjp((x: number) => mul(x, sin(x)), 0.5)
    const d = Math.sin(0.5) + 0.5 * Math.cos(0.5)
    expectClose(pullback(1)[0], d)
    expectClose(pullback(-3)[0], -3 * d)
    expectClose(pullback(1)[0], d)
  })

  it('a pullback taken outside runs inside grad with a traced cotangent', () => {
    // pb(c) = cos(0.5)·c, so c ↦ pb(c)·c = cos(0.5)·c² has derivative 2c·cos(0.5)
    const [, pb] = vjp((x: number) => sin(x), 0.5)
    expectClose(grad((c: number) => mul(pb(c)[0], c))(2), 4 * Math.cos(0.5))
    // and inside jvp, for a tensor function
    const [, pbT] = vjp((x: Tensor) => mul(x, x), tensor([1, -2]))
    const [, out] = jvp((c: Tensor) => pbT(c)[0], [tensor([1, 1])], [tensor([3, 1])])
    expectClose(out, tensor([6, -4]), 0, 0)
  })
})

describe('inner transformations at points traced by outer ones', () => {
  it('the inner point is the outer variable: D(x ↦ D(y ↦ x·y)(x)) = 1', () => {
    expect(grad((x: number) => grad((y: number) => mul(x, y))(x))(3)).toBe(1)
    expect(jvp((x: number) => grad((y: number) => mul(x, y))(x), [3], [1])[1]).toBe(1)
    expect(grad((x: number) => jvp((y: number) => mul(x, y), [x], [1])[1])(3)).toBe(1)
    // D(x ↦ D(y ↦ y·y)(x)) = D(2x) = 2
    expect(grad((x: number) => grad((y: number) => mul(y, y))(x))(3)).toBe(2)
  })

  it('the inner tangent is the outer variable: d/dx jvp(sin)(x; x) = cos x − x sin x', () => {
    const g = (x: number) => jvp((y: number) => sin(y), [x], [x])[1]
    expectClose(grad(g)(0.8), Math.cos(0.8) - 0.8 * Math.sin(0.8))
    expectClose(jvp(g, [0.8], [1])[1], Math.cos(0.8) - 0.8 * Math.sin(0.8))
  })

  it('aux of an inner grad may hold outer-traced values', () => {
    // inner: ∂/∂y (x·y) = x and aux = x·2; outer: d/dx (x + 2x) = 3
    const f = (x: number) => {
      const [g, aux] = grad((y: number) => [mul(x, y), mul(x, y)] as const, { hasAux: true })(2)
      return add(g, aux)
    }
    expect(grad(f)(5)).toBe(3)
  })

  it('values returned by inner transformations stay differentiable by the outer one', () => {
    // each inner transformation returns x·2 as its value: d/dx = 2
    expect(grad((x: number) => valueAndGrad((y: number) => mul(x, y))(2)[0])(3)).toBe(2)
    expect(grad((x: number) => vjp((y: number) => mul(x, y), 2)[0])(3)).toBe(2)
    expect(grad((x: number) => jvp((y: number) => mul(x, y), [2], [1])[0])(3)).toBe(2)
    expect(jvp((x: number) => vjp((y: number) => mul(x, y), 2)[0], [3], [1])[1]).toBe(2)
  })

  it('an inner vjp whose pullback is applied inside the outer grad', () => {
    // h(x) = pullback of (y ↦ cos(x·y)) at y = 1, applied to 1: −x·sin x; h′ = −sin x − x cos x
    const h = (x: number) => vjp((y: number) => cos(mul(x, y)), 1)[1](1)[0]
    expectClose(grad(h)(0.6), -Math.sin(0.6) - 0.6 * Math.cos(0.6))
  })
})
