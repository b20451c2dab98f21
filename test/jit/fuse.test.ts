/**
 * Fusion, seen in the plan's text (`jit(f).trace(...).fused`) beside the program's: elementwise
 * chains over one shape become one loop, plain-number chains one run of scalar instructions,
 * every other equation a kernel call between them; a value used after its chain is written.
 */
import {
  add,
  exp,
  grad,
  jit,
  matmul,
  mul,
  sin,
  sum,
  type Tensor,
  tanh,
  tensor,
  where,
} from 'fluxion'
import { describe, expect, it } from 'vitest'

describe('fusion', () => {
  it('exp(x) * 2 + y fuses into one loop', () => {
    const f = jit((x: Tensor, y: Tensor) => add(mul(exp(x), 2), y))
    const t = f.trace(tensor([1, 2, 3]), tensor([4, 5, 6]))
    expect(String(t)).toMatchInlineSnapshot(`
      "{ lambda ; a:f64[3] b:f64[3] .
        let c:f64[3] = exp a
            d:f64[3] = mul c 2
            e:f64[3] = add d b
        in (e) }"
    `)
    expect(t.fused).toMatchInlineSnapshot(`
      "{ lambda ; a:f64[3] b:f64[3] .
        loop f64[3] → (e)
          c:f64[3] = exp a
          d:f64[3] = mul c 2
          e:f64[3] = add d b
        in (e) }"
    `)
    expect(t.stats).toEqual({ equations: 3, kernels: 0, loops: 1, fused: 3 })
  })

  it('a scalar program runs as scalar instructions', () => {
    const f = jit((a: number, b: number) => mul(add(a, b), sin(a)))
    expect(f.trace(1, 2).fused).toMatchInlineSnapshot(`
      "{ lambda ; a:num b:num .
        scalar
          c:num = add a b
          d:num = sin a
          e:num = mul c d
        in (e) }"
    `)
  })

  it('where among numbers is a scalar instruction, selecting as its kernel does', () => {
    const f = jit((c: number, a: number, b: number) => mul(where(c, add(a, 1), b), 2))
    expect(f.trace(1, 2, 3).fused).toMatchInlineSnapshot(`
      "{ lambda ; a:num b:num c:num .
        scalar
          d:num = add b 1
          e:num = where a d c
          f:num = mul e 2
        in (f) }"
    `)
    // the condition's truth is `!== 0`: NaN and −0 as conditions, −0 and NaN as branches
    const cases = [1, 0, -0, Number.NaN, -2]
    for (const c of cases) {
      for (const [a, b] of [
        [2, 3],
        [-1, Number.NaN],
        [Number.NaN, -0],
      ] as const) {
        expect(Object.is(f(c, a, b), mul(where(c, add(a, 1), b), 2))).toBe(true)
        expect(Object.is(f(c, a, b), f(c, a, b))).toBe(true)
      }
    }
    // a tensor where fuses too, into a loop over tensors (its elementwise lowering)
    const g = jit((c: Tensor, a: Tensor) => where(c, a, 0))
    const stats = g.trace(tensor([1, 0]), tensor([2, 3])).stats
    expect([stats.kernels, stats.loops]).toEqual([0, 1])
  })

  it('a kernel (matmul) between two chains', () => {
    const w = tensor([
      [1, 2],
      [3, 4],
    ])
    const f = jit((x: Tensor) => tanh(add(matmul(w, exp(mul(x, 2))), 1)))
    const t = f.trace(tensor([[1], [2]]))
    expect(t.fused).toMatchInlineSnapshot(`
      "{ lambda d:f64[2,2] ; a:f64[2,1] .
        loop f64[2,1] → (c)
          b:f64[2,1] = mul a 2
          c:f64[2,1] = exp b
        kernel e:f64[2,1] = matmul d c
        loop f64[2,1] → (g)
          f:f64[2,1] = add e 1
          g:f64[2,1] = tanh f
        in (g) }"
    `)
    expect(t.stats).toEqual({ equations: 5, kernels: 1, loops: 2, fused: 4 })
  })

  it('a gradient program: dead forward values dropped, the backward pass one loop', () => {
    const f = jit(grad((x: Tensor) => sum(mul(sin(x), x))))
    const t = f.trace(tensor([1, 2, 3]))
    expect(t.fused).toMatchInlineSnapshot(`
      "{ lambda e:f64[3] ; a:f64[3] .
        loop f64[3] → (j)
          b:f64[3] = sin a
          f:f64[3] = safeMul e a
          g:f64[3] = safeMul e b
          h:f64[3] = cos a
          i:f64[3] = safeMul f h
          j:f64[3] = add g i
        in (j) }"
    `)
    expect(t.stats.loops).toBe(1)
  })

  it('a value used after its chain is written out; one used only inside is not', () => {
    const f = jit((x: Tensor) => {
      const e = exp(x)
      return [add(e, 1), sum(mul(e, 2), 0)]
    })
    expect(f.trace(tensor([1, 2])).fused).toMatchInlineSnapshot(`
      "{ lambda ; a:f64[2] .
        loop f64[2] → (c, d)
          b:f64[2] = exp a
          c:f64[2] = add b 1
          d:f64[2] = mul b 2
        kernel e:f64[] = sum[axes=[0]] d
        in (c, e) }"
    `)
  })
})
