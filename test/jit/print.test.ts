/**
 * The text of a program (`printTrace`, `jit(f).trace(...)`): inputs typed — `num` a plain JS
 * number, `f64[…]` a tensor —, tensor constants before `;`, number constants inline, one
 * equation per line with its params (undefined and false ones left out), outputs.
 */
import {
  add,
  exp,
  grad,
  greater,
  jit,
  matmul,
  mul,
  sin,
  sum,
  type Tensor,
  tensor,
  where,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { printParams, printTrace } from '../../src/jit/ir.ts'
import { traceOf } from './helpers.ts'

describe('printTrace', () => {
  it('prints inputs with kinds and shapes, inline number constants, and outputs', () => {
    const f = jit((x: Tensor, y: number) => add(mul(exp(x), 2), y))
    expect(String(f.trace(tensor([1, 2, 3]), 1))).toMatchInlineSnapshot(`
      "{ lambda ; a:f64[3] b:num .
        let c:f64[3] = exp a
            d:f64[3] = mul c 2
            e:f64[3] = add d b
        in (e) }"
    `)
  })

  it('a rank-0 tensor is f64[], a plain number num', () => {
    const trace = traceOf((x, y) => mul(x, y), tensor(2), 3)
    expect(printTrace(trace)).toMatchInlineSnapshot(`
      "{ lambda ; a:f64[] b:num .
        let c:f64[] = mul a b
        in (c) }"
    `)
  })

  it('lists tensor constants before the inputs, and prints params', () => {
    const w = tensor([
      [1, 2],
      [3, 4],
    ])
    const f = jit((x: Tensor) => sum(matmul(w, x), 0))
    expect(String(f.trace(tensor([[1], [2]])))).toMatchInlineSnapshot(`
      "{ lambda b:f64[2,2] ; a:f64[2,1] .
        let c:f64[2,1] = matmul b a
            d:f64[1] = sum[axes=[0]] c
        in (d) }"
    `)
  })

  it('a scalar program', () => {
    const f = jit((a: number, b: number) => mul(add(a, b), sin(a)))
    expect(String(f.trace(1, 2))).toMatchInlineSnapshot(`
      "{ lambda ; a:num b:num .
        let c:num = add a b
            d:num = sin a
            e:num = mul c d
        in (e) }"
    `)
  })

  it('a gradient program: the backward pass is staged', () => {
    const f = jit(grad((x: Tensor) => sum(mul(sin(x), x))))
    expect(String(f.trace(tensor([1, 2, 3])))).toMatchInlineSnapshot(`
      "{ lambda e:f64[3] ; a:f64[3] .
        let b:f64[3] = sin a
            c:f64[3] = mul b a
            d:f64[] = sum[axes=[0]] c
            f:f64[3] = safeMul e a
            g:f64[3] = safeMul e b
            h:f64[3] = cos a
            i:f64[3] = safeMul f h
            j:f64[3] = add g i
        in (j) }"
    `)
  })

  it('several outputs, an output that is an input, and −0', () => {
    const f = jit((x: Tensor) => [where(greater(x, 0), x, -0), x])
    expect(String(f.trace(tensor([1, -1])))).toMatchInlineSnapshot(`
      "{ lambda ; a:f64[2] .
        let b:f64[2] = greater a 0
            c:f64[2] = where b a -0
        in (c, a) }"
    `)
  })

  it('params: arrays, nested objects, functions, tensors; undefined and false left out', () => {
    const params = {
      axes: [0, 1],
      keep: false,
      mode: 'same',
      o: { a: 1 },
      f: Math.exp,
      t: tensor([1, 2]),
      u: undefined,
    }
    expect(printParams(params, '')).toMatchInlineSnapshot(
      `"axes=[0,1], mode=same, o={a=1}, f=<fn exp>, t=f64[2]"`,
    )
    expect(printParams(undefined, '')).toBe('')
  })

  it('trace() neither runs nor caches a program, and refuses traced arguments', () => {
    let calls = 0
    const f = jit((x: Tensor) => {
      calls++
      return exp(x)
    })
    f.trace(tensor([1]))
    f(tensor([1]))
    expect(calls).toBe(2) // the call traced again: trace() cached nothing
    const traceInside = (x: number): number => {
      jit((y: number) => y).trace(x)
      return x
    }
    expect(() => grad(traceInside)(1)).toThrow(/concrete/)
  })
})
