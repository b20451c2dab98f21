/**
 * `jit` as a primitive other transformations see through (src/jit/call.ts): under grad, jvp,
 * vjp, vmap, hessian and an enclosing jit, a jitted function traces f once and the
 * transformation works on the program — f never runs again, the results are the eager ones to
 * the bit, and a closure over a traced value still gets its derivative.
 */
import {
  add,
  cond,
  exp,
  grad,
  greater,
  hessian,
  jacfwd,
  jacrev,
  jit,
  jvp,
  mul,
  neg,
  scan,
  sin,
  sum,
  type Tensor,
  take,
  tensor,
  value,
  vjp,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { sameBits } from '../../laws/runners/jit.ts'

const counted = () => {
  let runs = 0
  const f = (x: Tensor) => {
    runs++
    return sum(mul(sin(x), exp(x)))
  }
  return { f, runs: () => runs }
}

describe('jit under other transformations', () => {
  const x = tensor([0.1, 0.2, 0.3])

  it('grad(jit(f)) traces f once and gives grad(f) to the bit', () => {
    const { f, runs } = counted()
    const jf = jit(f)
    const expected = grad(f)(x)
    const before = runs()
    for (const _ of [0, 1, 2]) expect(sameBits(grad(jf)(x), expected)).toBe(true)
    expect(runs() - before).toBe(1)
    expect(sameBits(grad(jf)(tensor([1, 2, 3])), grad(f)(tensor([1, 2, 3])))).toBe(true)
  })

  it('jvp, vjp, jacfwd, jacrev, hessian and vmap of jit(f) run the program, not f', () => {
    const { f, runs } = counted()
    const jf = jit(f)
    jf(x)
    const before = runs()
    const t = tensor([1, 0.5, -1])
    expect(sameBits(jvp(jf, [x], [t]), jvp(f, [x], [t]))).toBe(true)
    expect(sameBits(vjp(jf, x)[1](2), vjp(f, x)[1](2))).toBe(true)
    expect(sameBits(jacfwd(jf)(x), jacfwd(f)(x))).toBe(true)
    expect(sameBits(jacrev(jf)(x), jacrev(f)(x))).toBe(true)
    expect(sameBits(hessian(jf)(x), hessian(f)(x))).toBe(true)
    const batch = tensor([
      [0.1, 0.2, 0.3],
      [1, 2, 3],
    ])
    expect(sameBits(vmap(jf)(batch), vmap(f)(batch))).toBe(true)
    expect(sameBits(vmap(grad(jf))(batch), vmap(grad(f))(batch))).toBe(true)
    // tracing happens once per transformation's argument structure, never per call
    const traced = runs() - before
    hessian(jf)(x)
    vmap(jf)(batch)
    expect(runs() - before).toBe(traced)
  })

  it('composes: grad(grad(jit)), jit(grad(jit)), jit inside jit', () => {
    const g = jit((y: number) => mul(sin(y), mul(y, y)))
    const plain = (y: number) => mul(sin(y), mul(y, y))
    expect(grad(grad(g))(0.7)).toBe(grad(grad(plain))(0.7))
    expect(jit(grad(g))(0.7)).toBe(grad(plain)(0.7))
    const outer = jit((y: number) => add(g(y), 1))
    expect(outer(0.7)).toBe(add(plain(0.7), 1))
    expect(String(outer.trace(0.7))).toContain('sin')
  })

  it('loops and branches stay loops and branches inside a differentiated jit', () => {
    const s = jit(
      (w: number) =>
        scan((c: number, xi: Tensor) => [add(mul(c, w), xi), null], 1, tensor([1, 2, 3]))[0],
    )
    // c3 = w³ + w² + 2w + 3
    expect(grad(s)(0.5)).toBeCloseTo(3 * 0.25 + 2 * 0.5 + 2, 14)
    expect(grad(grad(s))(0.5)).toBeCloseTo(6 * 0.5 + 2, 13)
    const c = jit((p: number, y: number) =>
      cond(
        greater(p, 0),
        (z: number) => mul(z, z),
        (z: number) => neg(z),
        y,
      ),
    )
    expect(grad(c, { argnums: 1 })(1, 3)).toBe(6)
    expect(grad(c, { argnums: 1 })(-1, 3)).toBe(-1)
  })

  it('a closure over a value being differentiated runs f itself: no derivative lost', () => {
    expect(grad((w: number) => jit((z: number) => mul(z, w))(3))(2)).toBe(3)
    expect(vmap((w: number) => jit((z: number) => mul(z, w))(3))(tensor([1, 2]) as never)).toEqual(
      tensor([3, 6]),
    )
  })

  it('a function that reads a value still runs under grad (as f itself)', () => {
    const h = jit((z: number) => (value(z) > 0 ? mul(z, z) : neg(z)))
    expect(grad(h)(3)).toBe(6)
    expect(grad(h)(-3)).toBe(-1)
  })

  it('vmap traces with the first example: indices that are data stay valid', () => {
    const pick = jit((v: Tensor, i: Tensor) => take(v, i))
    const v = tensor([10, 20, 30])
    expect(vmap(pick, { inAxes: [null, 0] })(v, tensor([[2], [0]]))).toEqual(tensor([[30], [10]]))
  })
})
