/**
 * Transformations on trees: arrays, nested objects, mixtures; `argnums` as a number and a list;
 * `hasAux` for `grad`, `valueAndGrad`, `jvp` and `vjpWithAux`; leaf kinds preserved (a number
 * leaf gets a number, a rank-0 tensor gets a rank-0 tensor); keys named `__proto__` and
 * `constructor` treated as data; `TreeMismatchError` for tangents and cotangents that do not
 * match. Expected values are worked out by hand.
 */
import {
  add,
  FluxionError,
  grad,
  jvp,
  mul,
  scalar,
  square,
  sub,
  sum,
  Tensor,
  TreeMismatchError,
  tensor,
  valueAndGrad,
  vjp,
  vjpWithAux,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

interface Params {
  readonly w: Tensor
  readonly b: number
}
const xs = tensor([1, 2, 3])
const ys = tensor([2, 3, 5])
/** Squared error Σ (w·x + b − y)². */
const loss = (p: Params): number | Tensor => sum(square(sub(add(mul(p.w, xs), p.b), ys)))
// at w = [1, 1, 1], b = 0.5 the residuals are r = [−0.5, −0.5, −1.5]:
// ∂/∂w = 2r·x = [−1, −2, −9], ∂/∂b = Σ 2r = −5, value Σ r² = 2.75
const p0: Params = { w: tensor([1, 1, 1]), b: 0.5 }

describe('grad and valueAndGrad on trees', () => {
  it('an array argument gives an array gradient', () => {
    const g = grad((p: readonly number[]) => mul(mul(p[0]!, p[1]!), p[2]!))([2, 3, 4])
    expect(g).toEqual([12, 8, 6])
  })

  it('an object { w: Tensor; b: number } gives { w: Tensor; b: number }', () => {
    const g = grad(loss)(p0)
    expect(Object.keys(g)).toEqual(['w', 'b'])
    expectClose(g.w, tensor([-1, -2, -9]), 0, 0)
    expect(g.b).toBe(-5)
    const [value, g2] = valueAndGrad(loss)(p0)
    expectClose(value, 2.75, 0, 0)
    expect(g2.b).toBe(-5)
  })

  it('mixed nesting: arrays of objects inside an object', () => {
    type Net = { layers: { a: number; t: Tensor }[]; scale: number }
    // f = scale · Σₗ aₗ · Σ tₗ
    const f = (n: Net) =>
      mul(
        n.scale,
        n.layers.reduce<number | Tensor>((acc, l) => add(acc, mul(l.a, sum(l.t))), 0),
      )
    const net: Net = {
      layers: [
        { a: 2, t: tensor([1, 2]) },
        { a: -1, t: tensor([[3], [4]]) },
      ],
      scale: 3,
    }
    const g = grad(f)(net)
    expect(g.scale).toBe(2 * 3 - 7)
    expect(g.layers[0]!.a).toBe(3 * 3)
    expect(g.layers[1]!.a).toBe(3 * 7)
    expectClose(g.layers[0]!.t, tensor([6, 6]), 0, 0)
    expectClose(g.layers[1]!.t, tensor([[-3], [-3]]), 0, 0)
  })

  it('argnums as a number picks one argument; as a list gives a tuple', () => {
    const f = (x: number, y: number, z: number) => mul(mul(x, square(y)), z)
    expect(grad(f, { argnums: 1 })(2, 3, 5)).toBe(2 * 2 * 3 * 5)
    expect(grad(f, { argnums: [0, 2] })(2, 3, 5)).toEqual([9 * 5, 2 * 9])
    expect(grad(f, { argnums: [2, 0] })(2, 3, 5)).toEqual([2 * 9, 9 * 5])
  })

  it('arguments that are not differentiated may be anything', () => {
    const f = (x: number, label: string, opts: { power: 2 | 3 }) =>
      label === 'cube' && opts.power === 3 ? mul(x, square(x)) : square(x)
    expect(grad(f)(2, 'cube', { power: 3 })).toBe(12)
    expect(grad(f)(2, 'square', { power: 2 })).toBe(4)
  })

  it('kinds are preserved: a number leaf gets a number, a rank-0 tensor a rank-0 tensor', () => {
    const g = grad((p: { n: number; s: Tensor }) => mul(p.n, p.s))({ n: 2, s: scalar(5) })
    expect(g.n).toBe(5)
    expect(g.s).toBeInstanceOf(Tensor)
    expect(g.s.shape).toEqual([])
    expect(g.s.item()).toBe(2)
    expect(grad((x: number) => mul(x, scalar(3)))(2)).toBe(3)
    expect(grad((x: Tensor) => mul(x, 3))(scalar(2))).toBeInstanceOf(Tensor)
  })

  it('hasAux: grad returns [gradient, aux] with traced values in aux made concrete', () => {
    const [g, aux] = grad(
      (x: number) => {
        const y = mul(x, x)
        return [y, { y, label: 'sq', list: [x, 7] }] as const
      },
      { hasAux: true },
    )(3)
    expect(g).toBe(6)
    expect(aux).toEqual({ y: 9, label: 'sq', list: [3, 7] })
    expect(typeof aux.y).toBe('number')
  })

  it('hasAux: valueAndGrad returns [[value, aux], gradient]', () => {
    const [[value, aux], g] = valueAndGrad((p: Params) => [loss(p), p.b] as const, {
      hasAux: true,
    })(p0)
    expectClose(value, 2.75, 0, 0)
    expect(aux).toBe(0.5)
    expect(g.b).toBe(-5)
  })

  it('hasAux with argnums', () => {
    const [g, aux] = grad((x: number, y: number) => [mul(x, y), 'aux'] as const, {
      argnums: [1],
      hasAux: true,
    })(3, 4)
    expect(g).toEqual([3])
    expect(aux).toBe('aux')
  })
})

describe('jvp and vjp on trees', () => {
  it('jvp pushes a tree of tangents and returns trees of the output structure', () => {
    const f = (p: Params) => ({ pred: add(mul(p.w, xs), p.b), l2: sum(square(p.w)) })
    const [out, outDot] = jvp(f, [p0], [{ w: tensor([1, 0, -1]), b: 2 }])
    expectClose(out.pred, tensor([1.5, 2.5, 3.5]), 0, 0)
    expectClose(outDot.pred, tensor([1 + 2, 2, -3 + 2]), 0, 0)
    expectClose(outDot.l2, 2 * (1 - 1), 0, 0)
  })

  it('jvp accepts tangent objects with keys in another order', () => {
    const f = (p: { a: number; b: number }) => sub(p.a, mul(2, p.b))
    expect(jvp(f, [{ a: 1, b: 2 }], [{ b: 1, a: 10 }])[1]).toBe(10 - 2)
  })

  it('jvp with hasAux (fourth argument) returns [out, outDot, aux]', () => {
    const [y, yDot, aux] = jvp((x: number) => [mul(x, x), { at: x }] as const, [3], [2], {
      hasAux: true,
    })
    expect([y, yDot]).toEqual([9, 12])
    expect(aux).toEqual({ at: 3 })
  })

  it('vjp pulls a tree cotangent back to a tuple of input trees', () => {
    const f = (p: Params, k: number) => ({ u: mul(p.w, k), v: mul(p.b, k) })
    const [out, pullback] = vjp(f, p0, 2)
    expect(out.v).toBe(1)
    const [pBar, kBar] = pullback({ u: tensor([1, 2, 3]), v: 10 })
    expectClose(pBar.w, tensor([2, 4, 6]), 0, 0)
    expect(pBar.b).toBe(20)
    expect(kBar).toBe(1 + 2 + 3 + 10 * 0.5)
  })

  it('vjpWithAux returns [out, pullback, aux]', () => {
    const [y, pullback, aux] = vjpWithAux((x: number) => [square(x), ['kept', x]] as const, 4)
    expect(y).toBe(16)
    expect(pullback(0.5)).toEqual([4])
    expect(aux).toEqual(['kept', 4])
  })
})

describe('keys named __proto__ and constructor are data', () => {
  const parse = (s: string) => JSON.parse(s) as Record<string, number>
  // read through variables: `q.__proto__` would be the accessor, and `q.constructor` Object's
  const PROTO: string = '__proto__'
  const CTOR: string = 'constructor'

  it('grad differentiates them as ordinary keys and pollutes no prototype', () => {
    const p = parse('{"__proto__": 2, "constructor": 3, "x": 5}')
    const g = grad((q: Record<string, number>) => mul(mul(q[PROTO]!, q[CTOR]!), q.x!))(p)
    expect(Object.getPrototypeOf(g)).toBe(Object.prototype)
    expect(Object.keys(g)).toEqual(['__proto__', 'constructor', 'x'])
    expect(Object.getOwnPropertyDescriptor(g, '__proto__')?.value).toBe(15)
    expect(Object.getOwnPropertyDescriptor(g, 'constructor')?.value).toBe(10)
    expect(g.x).toBe(6)
    expect(({} as Record<string, unknown>).x).toBeUndefined()
  })

  it('a nested __proto__ object stays a key in jvp and vjp outputs', () => {
    const p = JSON.parse('{"__proto__": {"polluted": 1}, "y": 2}') as {
      y: number
    } & Record<string, unknown>
    const f = (q: typeof p) => ({ __proto__tree: q, s: mul(q.y, 3) })
    const [out, outDot] = jvp(f, [p], [JSON.parse('{"__proto__": {"polluted": 1}, "y": 1}')])
    expect(outDot.s).toBe(3)
    expect(Object.getOwnPropertyDescriptor(out.__proto__tree, '__proto__')?.value).toEqual({
      polluted: 1,
    })
    const [, pullback] = vjp((q: typeof p) => mul(q.y, 2), p)
    const [qBar] = pullback(1)
    expect(Object.getPrototypeOf(qBar)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(qBar, '__proto__')?.value).toEqual({ polluted: 0 })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
  })
})

describe('TreeMismatchError', () => {
  const f = (p: Params) => sum(mul(p.w, p.b))
  const mismatches: readonly (readonly [string, unknown])[] = [
    ['a missing key', { w: tensor([1, 1, 1]) }],
    ['an extra key', { w: tensor([1, 1, 1]), b: 1, c: 2 }],
    ['a leaf of another shape', { w: tensor([1, 1]), b: 1 }],
    ['an array for an object', [tensor([1, 1, 1]), 1]],
    ['a string leaf', { w: tensor([1, 1, 1]), b: 'one' }],
  ]

  it.each(mismatches)('jvp tangents with %s', (_what, tangent) => {
    const run = () => jvp(f, [p0], [tangent as Params])
    expect(run).toThrow(TreeMismatchError)
    expect(run).toThrow(FluxionError)
    expect(run).toThrow(/tangents/)
  })

  it('jvp tangents with another number of arguments', () => {
    expect(() => jvp(f, [p0], [] as unknown as [Params])).toThrow(TreeMismatchError)
  })

  it('a vjp cotangent that does not match the output', () => {
    const [, pullback] = vjp((p: Params) => ({ u: p.w, v: p.b }), p0)
    expect(() => pullback({ u: tensor([1, 2]), v: 1 })).toThrow(TreeMismatchError)
    expect(() => pullback({ u: tensor([1, 2, 3]) } as never)).toThrow(/output cotangent/)
    expect(() => pullback([1, 2] as never)).toThrow(TreeMismatchError)
  })
})
