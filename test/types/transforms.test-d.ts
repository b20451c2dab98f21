/**
 * Types of the transformations (checked by `vitest --typecheck`, never run): gradients have the
 * type of the differentiated argument, `argnums` lists give tuples, `hasAux` pairs, nesting
 * type-checks, and functions whose output is not a scalar are refused at compile time.
 */
import {
  grad,
  greater,
  type Jitted,
  jit,
  jvp,
  less,
  mul,
  type Pullback,
  sin,
  sum,
  type Tensor,
  valueAndGrad,
  vjp,
  vjpWithAux,
  where,
} from 'fluxion'
import { describe, expectTypeOf, it } from 'vitest'

interface Params {
  w: Tensor
  b: number
}
declare const t: Tensor
declare const p: Params
const loss = (q: Params) => sum(mul(q.w, q.b))

describe('grad', () => {
  it('of (x: number) => number is (x: number) => number', () => {
    expectTypeOf(grad((x: number) => mul(x, x))).toEqualTypeOf<(x: number) => number>()
  })

  it('of a function of { w: Tensor; b: number } has that type', () => {
    expectTypeOf(grad(loss)(p)).toEqualTypeOf<Params>()
    expectTypeOf(grad(loss)(p)).toEqualTypeOf<{ w: Tensor; b: number }>()
    expectTypeOf(grad((x: Tensor) => sum(x))(t)).toEqualTypeOf<Tensor>()
  })

  it('nests: grad(grad(f)) and deeper', () => {
    const f = (x: number) => sin(x)
    expectTypeOf(grad(grad(f))).toEqualTypeOf<(x: number) => number>()
    expectTypeOf(grad(grad(grad(f)))(1)).toEqualTypeOf<number>()
  })

  it('argnums: a number picks that argument, a list gives a tuple', () => {
    const f = (a: number, _label: string, c: Tensor) => mul(a, sum(c))
    expectTypeOf(grad(f, { argnums: 2 })(1, 'x', t)).toEqualTypeOf<Tensor>()
    expectTypeOf(grad(f, { argnums: [0, 2] })(1, 'x', t)).toEqualTypeOf<[number, Tensor]>()
    expectTypeOf(grad(f, { argnums: [2, 0] })(1, 'x', t)).toEqualTypeOf<[Tensor, number]>()
  })

  it('hasAux gives [gradient, aux]', () => {
    const f = (x: number) => [mul(x, x), { note: 'aux' as const }] as const
    expectTypeOf(grad(f, { hasAux: true })(1)).toEqualTypeOf<[number, { readonly note: 'aux' }]>()
    const g = (x: number, y: Tensor) => [mul(x, sum(y)), 'aux'] as const
    expectTypeOf(grad(g, { argnums: [1], hasAux: true })(1, t)).toEqualTypeOf<[[Tensor], 'aux']>()
  })

  it('refuses a function whose output is not a scalar', () => {
    // @ts-expect-error: a string output cannot be differentiated
    grad((x: number) => `${x}`)
    // @ts-expect-error: nor an object without hasAux
    grad((x: number) => ({ x }))
    // @ts-expect-error: hasAux needs a pair
    grad((x: number) => x, { hasAux: true })
  })
})

describe('valueAndGrad', () => {
  it('gives [value, gradient] and [[value, aux], gradient] with hasAux', () => {
    expectTypeOf(valueAndGrad((x: number) => mul(x, x))(2)).toEqualTypeOf<[number, number]>()
    expectTypeOf(valueAndGrad(loss)(p)).toEqualTypeOf<[Tensor, Params]>()
    const f = (x: number) => [mul(x, x), [1, 2]] as const
    expectTypeOf(valueAndGrad(f, { hasAux: true })(2)).toEqualTypeOf<
      [[number, readonly [1, 2]], number]
    >()
    const g = (a: number, b: Tensor) => mul(a, sum(b))
    expectTypeOf(valueAndGrad(g, { argnums: [0, 1] })(1, t)).toEqualTypeOf<
      [Tensor, [number, Tensor]]
    >()
  })
})

describe('jvp and vjp', () => {
  it('jvp gives [out, outDot] of the output type, and aux with hasAux', () => {
    expectTypeOf(jvp((x: number) => mul(x, x), [1], [1])).toEqualTypeOf<[number, number]>()
    const f = (q: Params) => ({ y: mul(q.w, q.b) })
    const [y, yDot] = jvp(f, [p], [p])
    expectTypeOf(y).toEqualTypeOf<{ y: Tensor }>()
    expectTypeOf(yDot).toEqualTypeOf<{ y: Tensor }>()
    const g = (x: number) => [mul(x, x), 'aux'] as const
    expectTypeOf(jvp(g, [1], [1], { hasAux: true })).toEqualTypeOf<[number, number, 'aux']>()
  })

  it('vjp gives [out, pullback], the pullback mapping outputs to argument tuples', () => {
    const f = (q: Params, x: number) => mul(q.w, x)
    const [out, pullback] = vjp(f, p, 1)
    expectTypeOf(out).toEqualTypeOf<Tensor>()
    expectTypeOf(pullback).toEqualTypeOf<Pullback<Tensor, [q: Params, x: number]>>()
    expectTypeOf(pullback(t)).toEqualTypeOf<[q: Params, x: number]>()
    const [, , aux] = vjpWithAux((x: number) => [x, { n: 1 }] as const, 1)
    expectTypeOf(aux).toEqualTypeOf<{ readonly n: 1 }>()
  })

  it('refuses tangents of another type', () => {
    // @ts-expect-error: a string tangent for a number primal
    jvp((x: number) => x, [1], ['1'])
  })
})

describe('jit', () => {
  it('keeps the signature of the function it compiles', () => {
    // callable as the function, with `trace` besides
    expectTypeOf(jit(loss)).toMatchTypeOf<typeof loss>()
    expectTypeOf(jit(loss)).toEqualTypeOf<Jitted<[q: Params], Tensor>>()
    expectTypeOf(jit(grad(loss))).toEqualTypeOf<Jitted<[q: Params], Params>>()
    expectTypeOf(jit((x: number, y: Tensor) => mul(x, y))).toEqualTypeOf<
      Jitted<[x: number, y: Tensor], Tensor>
    >()
    expectTypeOf(jit(loss).trace).parameters.toEqualTypeOf<[q: Params]>()
    expectTypeOf(jit(loss, { staticArgnums: [] })).toEqualTypeOf<Jitted<[q: Params], Tensor>>()
  })
})

describe('comparisons and where', () => {
  it('give a Tensor when a Tensor goes in, a number for numbers', () => {
    expectTypeOf(greater(t, 0)).toEqualTypeOf<Tensor>()
    expectTypeOf(less(1, t)).toEqualTypeOf<Tensor>()
    expectTypeOf(greater(1, 0)).toEqualTypeOf<number>()
    expectTypeOf(where(greater(t, 0), t, 0)).toEqualTypeOf<Tensor>()
    expectTypeOf(where(1, 2, t)).toEqualTypeOf<Tensor>()
    expectTypeOf(where(1, 2, 3)).toEqualTypeOf<number>()
  })
})
