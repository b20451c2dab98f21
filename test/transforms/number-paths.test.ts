/**
 * `jvp` and `vjp` of functions of plain numbers take a path without trees (src/transforms/
 * jvp.ts `jvpNumbers`, vjp.ts `traceVjpNumbers`); it must give the general path's numbers to
 * the bit — the general path being the same function called on a tree of the same numbers —
 * and hand every case it does not cover (tuple outputs, tensor cotangents, constant outputs,
 * outer tracers, bad cotangents) to the general path.
 */
import { fc, test } from '@fast-check/vitest'
import {
  add,
  cos,
  div,
  grad,
  jvp,
  mul,
  scalar,
  sin,
  sqrt,
  type Tensor,
  TreeMismatchError,
  tensor,
  vjp,
} from 'fluxion'
import { describe, expect, it } from 'vitest'

const f = (x: number, y: number): number => add(mul(sin(x), y), div(sqrt(x), cos(y))) as number
const fT = (x: Tensor, y: Tensor): Tensor => add(mul(sin(x), y), div(sqrt(x), cos(y))) as Tensor
const specials = [0, -0, 1.5, -2, Number.NaN, Number.POSITIVE_INFINITY, 1e-310, 3e300]
const value = fc.oneof(fc.double(), fc.constantFrom(...specials))

describe('jvp and vjp on plain numbers', () => {
  test.prop([value, value, value, value])('jvp: the general path’s bits', (x, y, dx, dy) => {
    const [v, t] = jvp(f, [x, y], [dx, dy])
    // a tree argument goes the general way
    const [vG, tG] = jvp((p: readonly number[]) => f(p[0]!, p[1]!), [[x, y]], [[dx, dy]])
    expect(typeof v).toBe('number')
    expect(Object.is(v, vG)).toBe(true)
    expect(Object.is(t, tG)).toBe(true)
    // and rank-0 tensors give the same numbers (up to the sign of a zero)
    const [, tT] = jvp(fT, [scalar(x), scalar(y)], [scalar(dx), scalar(dy)])
    expect(t === tT.item() || (Number.isNaN(t) && Number.isNaN(tT.item()))).toBe(true)
  })

  test.prop([value, value, value])(
    'vjp: the general path’s bits, on every pullback run',
    (x, y, c) => {
      const [v, pullback] = vjp(f, x, y)
      const [vG, pullbackG] = vjp((p: readonly number[]) => f(p[0]!, p[1]!), [x, y])
      expect(Object.is(v, vG)).toBe(true)
      const general = pullbackG(c)[0]
      for (let run = 0; run < 2; run++) {
        const bars = pullback(c)
        expect(bars.map((b) => typeof b)).toEqual(['number', 'number'])
        expect(bars.every((b, i) => Object.is(b, general[i]))).toBe(true)
      }
      // a rank-0 tensor cotangent goes the general way, with the same numbers
      const viaTensor = pullback(scalar(c) as unknown as number)
      expect(viaTensor.every((b, i) => Object.is(b, general[i]))).toBe(true)
      // and rank-0 tensors throughout give the same numbers (up to the sign of a zero)
      const [, pullbackT] = vjp(fT, scalar(x), scalar(y))
      const tensors = pullbackT(scalar(c)).map((b) => b.item())
      expect(
        tensors.every((b, i) => b === general[i] || (Number.isNaN(b) && Number.isNaN(general[i]))),
      ).toBe(true)
    },
  )

  it('cases the number path hands on', () => {
    // a tuple output
    const [out, pb] = vjp((x: number) => [mul(x, 2), sin(x)] as const, 0.5)
    expect(out).toEqual([1, Math.sin(0.5)])
    expect(pb([1, 1])).toEqual([2 + Math.cos(0.5)])
    expect(jvp((x: number) => [mul(x, 2), 3] as const, [0.5], [1])).toEqual([
      [1, 3],
      [2, 0],
    ])
    // a constant output: cotangents and tangents 0
    expect(vjp((_x: number) => 7, 0.5)[1](1)).toEqual([0])
    expect(jvp((_x: number) => 7, [0.5], [1])).toEqual([7, 0])
    // a bad cotangent is a named error, as on the general path
    expect(() => vjp(f, 1, 2)[1]([1, 2] as unknown as number)).toThrow(TreeMismatchError)
    // a tensor primal takes the general path
    expect(vjp((x: Tensor) => mul(x, x), tensor([3]))[1](tensor([1]))[0].toArray()).toEqual([6])
  })

  it('under an outer transformation: second derivatives through both paths', () => {
    // d/dx of f's x-partial, by vjp and by jvp inside grad, against each other
    const byVjp = grad((x: number) => vjp(f, x, 0.3)[1](1)[0])
    const byJvp = grad((x: number) => jvp(f, [x, 0.3], [1, 0])[1])
    for (const x of [0.2, 1.1, 2.5]) {
      const h = byVjp(x)
      expect(h).toBeCloseTo(byJvp(x), 12)
      // d²/dx² [sin x · y + √x / cos y] = −sin x · y − x^(−3/2) / (4 cos y)
      expect(h).toBeCloseTo(-Math.sin(x) * 0.3 - x ** -1.5 / (4 * Math.cos(0.3)), 12)
    }
    // the output is the outer transformation's value (a tracer of grad), not this tape's
    const outer = grad((x: number) => vjp((_u: number) => mul(x, x), 1)[0])
    expect(outer(3)).toBe(6)
    expect(grad((x: number) => jvp((_u: number) => mul(x, x), [1], [1])[0])(3)).toBe(6)
  })
})
