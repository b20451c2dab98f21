/**
 * The types of the calls the README and the guide show, as a user writes them: a number in
 * gives a number out, a tensor a tensor, trees keep their type — with no casts and no `!`.
 */
import {
  cos,
  derivative,
  exp,
  grad,
  hessian,
  type Jitted,
  jacfwd,
  jacrev,
  jit,
  jvp,
  linearizeWithAux,
  mul,
  sin,
  sum,
  type Tensor,
  type Tree,
  tensor,
  treeLeaves,
  valueAndGrad,
  vjp,
  vmap,
} from 'fluxion'
import { describe, expectTypeOf, it } from 'vitest'

describe('the elementwise ops under grad', () => {
  it('grad(sin) maps a number to a number and a tensor to a tensor', () => {
    expectTypeOf(grad(sin)(0)).toEqualTypeOf<number>()
    expectTypeOf(grad(sin)(tensor(0))).toEqualTypeOf<Tensor>()
    expectTypeOf(grad(grad(sin))(0.5)).toEqualTypeOf<number>()
    expectTypeOf(grad(grad(grad(cos)))(1)).toEqualTypeOf<number>()
    expectTypeOf(valueAndGrad(exp)(1)).toEqualTypeOf<[number, number]>()
    expectTypeOf(derivative(sin, 2)(0.5)).toEqualTypeOf<number>()
  })

  it('a function written for both kinds is elementwise too; a tree function keeps its type', () => {
    const both = (x: number | Tensor) => sum(mul(x, x))
    expectTypeOf(grad(both)(2)).toEqualTypeOf<number>()
    expectTypeOf(grad(both)(tensor([1, 2]))).toEqualTypeOf<Tensor>()
    const total = (t: Tree) => sum(treeLeaves(t)[0] ?? 0)
    expectTypeOf(grad(total)([1, 2])).toEqualTypeOf<Tree>()
    const anything = (t: unknown) => sum(treeLeaves(t)[0] ?? 0)
    expectTypeOf(grad(anything)(1)).toEqualTypeOf<unknown>()
  })
})

describe('the README calls', () => {
  it('jvp, vjp and the Jacobians', () => {
    const [y, yDot] = jvp((x: number) => exp(mul(2, x)), [0], [1])
    expectTypeOf(y).toEqualTypeOf<number>()
    expectTypeOf(yDot).toEqualTypeOf<number>()
    const [out, pullback] = vjp((v: Tensor) => sum(mul(v, v)), tensor([1, 2, 3]))
    expectTypeOf(out).toEqualTypeOf<Tensor>()
    expectTypeOf(pullback(1)[0]).toEqualTypeOf<Tensor>()
    expectTypeOf(hessian((x: Tensor) => sum(mul(x, x)))(tensor([1, 2]))).toEqualTypeOf<Tensor>()
    expectTypeOf(jacfwd((x: Tensor) => mul(x, x))(tensor([1, 2]))).toEqualTypeOf<Tensor>()
  })

  it('hasAux gives [jacobian, aux] and [output, pushforward, aux]', () => {
    const f = (x: Tensor) => [mul(x, x), 'note'] as const
    expectTypeOf(jacfwd(f, { hasAux: true })(tensor([1]))).toEqualTypeOf<[Tensor, 'note']>()
    expectTypeOf(jacrev(f, { hasAux: true })(tensor([1]))).toEqualTypeOf<[Tensor, 'note']>()
    const s = (x: number) => [mul(x, x), { n: 1 }] as const
    expectTypeOf(hessian(s, { hasAux: true })(2)).toEqualTypeOf<[number, { readonly n: 1 }]>()
    const [y, push, aux] = linearizeWithAux(s, 2)
    expectTypeOf(y).toEqualTypeOf<number>()
    expectTypeOf(push(1)).toEqualTypeOf<number>()
    expectTypeOf(aux).toEqualTypeOf<{ readonly n: 1 }>()
  })

  it('vmap and jit keep the signature', () => {
    const f = (x: Tensor) => sum(mul(x, x))
    expectTypeOf(vmap(f)).toEqualTypeOf<(x: Tensor) => Tensor>()
    expectTypeOf(jit(grad(f))).toEqualTypeOf<Jitted<[x: Tensor], Tensor>>()
    expectTypeOf(jit(grad(f))).toMatchTypeOf<(x: Tensor) => Tensor>()
  })
})
