/**
 * `hasAux` on the Jacobian transformations (issue #18 §3), as JAX's `has_aux`: `f` returns
 * `[output, aux]`, the result is `[jacobian, aux]` — the jacobian exactly that of the output
 * alone, aux the plain value, never traced. And errors raised inside name the transformation
 * the user called, not the one it is built on.
 */
import {
  exp,
  hessian,
  jacfwd,
  jacrev,
  jvp,
  linearize,
  linearizeWithAux,
  mul,
  sin,
  sum,
  type Tensor,
  TracedArithmeticError,
  tensor,
  value,
} from 'fluxion'
import { describe, expect, it } from 'vitest'

const f = (x: Tensor) => mul(sin(x), exp(x))
const withAux = (x: Tensor) => [f(x), { norm: sum(mul(x, x)), note: 'aux' }] as const
const scalarWithAux = (x: Tensor) => [sum(f(x)), sum(x)] as const
const x = tensor([0.5, -1, 2])

describe('hasAux', () => {
  it('jacfwd and jacrev give [jacobian, aux], the jacobian of the output alone', () => {
    for (const jac of [jacfwd, jacrev]) {
      const [j, aux] = jac(withAux, { hasAux: true })(x)
      expect(j.toArray()).toEqual(jac(f)(x).toArray())
      expect(aux.note).toBe('aux')
      // aux is the plain value: a Tensor, not a traced one
      expect((aux.norm as Tensor).item()).toBe(0.25 + 1 + 4)
    }
  })

  it('with argnums too', () => {
    const g = (a: Tensor, b: number) => [mul(a, b), b] as const
    const [j, aux] = jacrev(g, { argnums: 1, hasAux: true })(tensor([1, 2]), 3)
    expect(j.toArray()).toEqual([1, 2])
    expect(aux).toBe(3)
    const [jf] = jacfwd(g, { argnums: [0, 1], hasAux: true })(tensor([1, 2]), 3)
    expect((jf[1] as Tensor).toArray()).toEqual([1, 2])
  })

  it('hessian gives [hessian, aux]', () => {
    const [h, aux] = hessian(scalarWithAux, { hasAux: true })(x)
    expect(h.toArray()).toEqual(hessian((t: Tensor) => sum(f(t)))(x).toArray())
    expect(value(aux as Tensor).item()).toBe(1.5)
  })

  it('linearizeWithAux gives [output, pushforward, aux]', () => {
    const [y, push, aux] = linearizeWithAux(withAux, x)
    const [y0, push0] = linearize(f, x)
    expect(y.toArray()).toEqual(y0.toArray())
    const v = tensor([1, 0.5, -2])
    expect(push(v).toArray()).toEqual(push0(v).toArray())
    expect(push(v).toArray()).toEqual(jvp(f, [x], [v])[1].toArray())
    expect(aux.note).toBe('aux')
  })

  it('refuses a function that does not return a pair, and a flag that is not boolean', () => {
    expect(() => jacfwd(f as never, { hasAux: true })(x)).toThrow(/\[output, aux\]/)
    expect(() => jacrev(f, { hasAux: 'yes' } as never)).toThrow(/hasAux must be true or false/)
  })
})

describe('errors name the transformation the user called', () => {
  const bad = (t: Tensor) => (t as unknown as number) * 2
  for (const [name, call] of [
    ['jacfwd', () => jacfwd(bad as never)(x)],
    ['jacrev', () => jacrev(bad as never)(x)],
    ['hessian', () => hessian(bad as never)(x)],
  ] as const) {
    it(name, () => {
      let caught: unknown
      try {
        call()
      } catch (e) {
        caught = e
      }
      expect(caught).toBeInstanceOf(TracedArithmeticError)
      expect((caught as TracedArithmeticError).transformation).toBe(name)
    })
  }
})
