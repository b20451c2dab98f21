/**
 * Types of the Jacobian transformations and `vmap` (checked by `vitest --typecheck`, never
 * run): numbers in and out give `number`, any tensor gives `Tensor`, trees nest output-outside
 * and input-inside, `argnums` lists give tuples, and `vmap` keeps the function's type.
 */
import { hessian, hvp, jacfwd, jacrev, mul, sin, sum, type Tensor, vmap } from 'fluxion'
import { describe, expectTypeOf, it } from 'vitest'

declare const t: Tensor

describe('jacfwd and jacrev', () => {
  it('number in, number out gives number', () => {
    expectTypeOf(jacfwd((x: number) => mul(x, sin(x)))(2)).toEqualTypeOf<number>()
    expectTypeOf(jacrev((x: number) => mul(x, sin(x)))(2)).toEqualTypeOf<number>()
  })

  it('a tensor on either side gives Tensor', () => {
    expectTypeOf(jacfwd((x: Tensor) => mul(x, x))).toEqualTypeOf<(x: Tensor) => Tensor>()
    expectTypeOf(jacrev((x: Tensor) => sum(x))(t)).toEqualTypeOf<Tensor>()
    expectTypeOf(jacfwd((x: number) => mul(x, t))(2)).toEqualTypeOf<Tensor>()
  })

  it('trees nest output-outside, input-inside', () => {
    const f = (p: { a: number; b: Tensor }) =>
      [mul(p.b, p.a), { s: sum(p.b), n: mul(p.a, 2) }] as const
    type Block = { a: Tensor; b: Tensor }
    expectTypeOf(jacfwd(f)({ a: 1, b: t })).toEqualTypeOf<
      [Block, { s: Block; n: { a: number; b: Tensor } }]
    >()
    expectTypeOf(jacrev(f)({ a: 1, b: t })[1].n.a).toEqualTypeOf<number>()
  })

  it('argnums: a number picks that argument, a list gives a tuple', () => {
    const g = (a: number, _label: string, c: Tensor) => mul(a, c)
    expectTypeOf(jacfwd(g, { argnums: 2 })(1, 'x', t)).toEqualTypeOf<Tensor>()
    expectTypeOf(jacrev(g, { argnums: [0, 2] })(1, 'x', t)).toEqualTypeOf<[Tensor, Tensor]>()
    const h = (a: number, b: number) => mul(a, b)
    expectTypeOf(jacfwd(h, { argnums: [1, 0] })(1, 2)).toEqualTypeOf<[number, number]>()
  })

  it('composes: jacfwd(jacrev(f)) of a number is a number', () => {
    expectTypeOf(jacfwd(jacrev((x: number) => sin(x)))(1)).toEqualTypeOf<number>()
  })
})

describe('hessian, hvp and vmap', () => {
  it('hessian of a function of a number is a number; of a tensor, a Tensor', () => {
    expectTypeOf(hessian((x: number) => mul(x, mul(x, x)))(2)).toEqualTypeOf<number>()
    expectTypeOf(hessian((x: Tensor) => sum(mul(x, x)))(t)).toEqualTypeOf<Tensor>()
  })

  it('hvp takes and returns the argument’s type', () => {
    expectTypeOf(hvp((x: Tensor) => sum(mul(x, x)))).toEqualTypeOf<
      (x: Tensor, v: Tensor) => Tensor
    >()
  })

  it('vmap keeps the function’s type', () => {
    const f = (x: Tensor, w: number) => mul(x, w)
    expectTypeOf(vmap(f, { inAxes: [0, null] })).toEqualTypeOf<(x: Tensor, w: number) => Tensor>()
  })
})
