/**
 * The derivative conventions of DESIGN §3, each pinned in both modes: kinks (`abs'(0) = 0`,
 * `sign' = 0`), `pow(x, 0)' = 0` at 0, `sqrt'(0) = +∞`, even tie splitting for `maximum` and
 * `minimum`, zero-annihilating products (`where` never turns an unselected infinite partial
 * into NaN, and a zero partial stops an infinite cotangent) and finite derivatives of the
 * stable functions at ±1000 and near 0.
 */
import {
  abs,
  clip,
  expm1,
  grad,
  greater,
  jvp,
  log,
  log1p,
  logistic,
  maximum,
  minimum,
  mul,
  pow,
  safeMul,
  sign,
  softplus,
  sqrt,
  type Tensor,
  tensor,
  vjp,
  where,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

describe('conventions (DESIGN §3)', () => {
  it("abs'(0) = 0 and sign' = 0, in both modes", () => {
    expect(grad((x: number) => abs(x))(0)).toBe(0)
    expect(jvp((x: number) => abs(x), [0], [1])[1]).toBe(0)
    expect(grad((x: number) => sign(x))(0)).toBe(0)
    expect(grad((x: number) => sign(x))(2)).toBe(0)
  })

  it("pow(x, 0) has derivative 0 at x = 0; sqrt'(0) = +∞", () => {
    expect(grad((x: number) => pow(x, 0))(0)).toBe(0)
    expect(jvp((x: number) => pow(x, 0), [0], [1])[1]).toBe(0)
    expect(grad((x: number) => sqrt(x))(0)).toBe(Number.POSITIVE_INFINITY)
    expect(jvp((x: number) => sqrt(x), [0], [1])[1]).toBe(Number.POSITIVE_INFINITY)
  })

  it('maximum and minimum split ties evenly', () => {
    expect(grad((x: number) => maximum(x, x))(1.5)).toBe(1)
    expect(grad((x: number) => minimum(x, x))(1.5)).toBe(1)
    expect(grad((a: number, b: number) => maximum(a, b), { argnums: [0, 1] })(2, 2)).toEqual([
      0.5, 0.5,
    ])
    expect(jvp((a: number, b: number) => minimum(a, b), [2, 2], [1, 0])[1]).toBe(0.5)
  })

  it('where: an unselected infinite partial gives 0, not NaN', () => {
    const f = (x: number) => where(greater(x, 0), sqrt(x), 0)
    expect(grad(f)(0)).toBe(0)
    expect(grad(f)(-1)).toBe(0)
    expect(jvp(f, [0], [1])[1]).toBe(0)
    const g = (x: Tensor) => where(greater(x, 0), log(x), 0)
    expectClose(vjp(g, tensor([0, 2]))[1](tensor([1, 1]))[0], tensor([0, 0.5]))
  })

  it('safeMul(0, ∞) = 0 and safeMul(0, NaN) = 0, whichever factor is 0', () => {
    expect(safeMul(0, Number.POSITIVE_INFINITY)).toBe(0)
    expect(safeMul(0, Number.NaN)).toBe(0)
    expect(safeMul(Number.NEGATIVE_INFINITY, 0)).toBe(0)
    expect(safeMul(Number.NaN, 0)).toBe(0)
    expectClose(safeMul(tensor([0, 2]), Number.POSITIVE_INFINITY), tensor([0, Infinity]), 0, 0)
    expectClose(safeMul(Number.POSITIVE_INFINITY, tensor([0, 2])), tensor([0, Infinity]), 0, 0)
  })

  it('zero annihilates: a zero partial stops an infinite cotangent, in both modes', () => {
    // √′(0) = ∞ meets (x²)′ = 2·0: the product is 0 whichever mode runs the chain rule
    const f = (x: number) => sqrt(mul(x, x))
    expect(grad(f)(0)).toBe(0)
    expect(jvp(f, [0], [1])[1]).toBe(0)
    // a product with a zero partial keeps the other term: (x·log x)′(0) = log 0 = −∞
    const g = (x: number) => mul(x, log(x))
    expect(grad(g)(0)).toBe(Number.NEGATIVE_INFINITY)
    expect(jvp(g, [0], [1])[1]).toBe(Number.NEGATIVE_INFINITY)
  })

  it('logistic and softplus are finite with finite derivatives at ±1000', () => {
    expect(logistic(1000)).toBe(1)
    expect(logistic(-1000)).toBe(0)
    expect(grad((x: number) => logistic(x))(1000)).toBe(0)
    expect(grad((x: number) => logistic(x))(-1000)).toBe(0)
    expect(softplus(1000)).toBe(1000)
    expect(softplus(-1000)).toBe(0)
    expect(grad((x: number) => softplus(x))(1000)).toBe(1)
    expect(grad((x: number) => softplus(x))(-1000)).toBe(0)
  })

  it('log1p and expm1 keep full precision near 0, in value and derivative', () => {
    // log1p(x) = x − x²/2 + …, exact to double precision for x = 1e-10
    expectClose(log1p(1e-10), 1e-10 - 5e-21, 1e-15, 0)
    expectClose(expm1(1e-10), 1e-10 + 5e-21, 1e-15, 0)
    expectClose(grad((x: number) => log1p(x))(1e-10), 1 / (1 + 1e-10), 1e-15, 0)
    expectClose(jvp((x: number) => expm1(x), [1e-10], [1])[1], Math.exp(1e-10), 1e-15, 0)
  })
})

describe('clip', () => {
  it('clamps values and has derivative 1 inside, 0 outside, ½ on a boundary (tie convention)', () => {
    expect(clip(5, 0, 1)).toBe(1)
    expect(clip(-5, 0, 1)).toBe(0)
    expect(clip(tensor([-1, 0.25, 2]), 0, 1).toArray()).toEqual([0, 0.25, 1])
    const c = (x: number) => clip(x, 0, 1)
    expect(grad(c)(0.25)).toBe(1)
    expect(grad(c)(3)).toBe(0)
    expect(grad(c)(-3)).toBe(0)
    expect(grad(c)(1)).toBe(0.5)
    expect(jvp(c, [0], [1])[1]).toBe(0.5)
  })
})
