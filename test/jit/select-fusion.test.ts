/**
 * `where` and the comparisons inside fused loops, and `reshape` as a view: a masked branch
 * (`where(x > 0, f(x), g(x))`, and the `where(c, ȳ, 0)` of its derivative) runs in the loop that
 * computes its operands instead of as a broadcasting kernel call between two loops, to eager's
 * bits, in the JS loop and in the WebAssembly one; a reshape between two loops (a [p] value read
 * as [p, 1] by a batched Jacobian's loops) shares its operand's storage instead of copying it,
 * and no later run overwrites a result the caller holds.
 */
import fc from 'fast-check'
import {
  add,
  cos,
  exp,
  grad,
  greater,
  jit,
  less,
  mul,
  reshape,
  sqrt,
  sum,
  type Tensor,
  tensor,
  vmap,
  where,
} from 'fluxion'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setWasmLoopMinElements, wasmLoopStats } from '../../src/jit/emit/wasm/step.ts'
import { sameBits, value } from './wasm-helpers.ts'

/** The rotation's guard of ba's objective: a square root kept finite at 0, a branch on it. */
const guarded = (x: Tensor, y: Tensor): Tensor => {
  const sq = mul(x, x)
  const nonzero = greater(sq, 0)
  const theta = sqrt(where(nonzero, sq, 1))
  return where(nonzero, mul(cos(theta), y), add(y, x))
}

describe('where and the comparisons fuse', () => {
  it('a branch on a comparison is one loop, no kernel call', () => {
    const t = jit(guarded).trace(tensor([0, 1, -2]), tensor([3, 4, 5]))
    expect(t.stats).toEqual({ equations: 8, kernels: 0, loops: 1, fused: 8 })
  })

  it('the derivative of a branch fuses too (its where(c, ȳ, 0) pullback)', () => {
    const f = jit(grad((x: Tensor) => sum(guarded(x, exp(x)))))
    const stats = f.trace(tensor([0, 1, -2])).stats
    expect(stats.kernels).toBeLessThanOrEqual(2) // the sums' reductions only
    const x = tensor([0, 1, -2, -0, 0.5])
    const eager = grad((x: Tensor) => sum(guarded(x, exp(x))))(x)
    sameBits(f(x).data, eager.data, 'first call')
    sameBits(f(x).data, eager.data, 'compiled')
  })

  it('where at every special condition (±0 takes b, NaN takes a), broadcast branches', () => {
    const f = (c: Tensor, a: Tensor, b: Tensor): Tensor =>
      add(where(c, mul(a, 2), b), where(less(a, c), 1, a))
    const row = fc.array(value, { minLength: 4, maxLength: 4 })
    fc.assert(
      fc.property(row, row, row, (c, a, b) => {
        const args = [tensor(c), tensor([a, b]), tensor(b)] as const
        const g = jit(f)
        const eager = f(...args)
        sameBits(g(...args).data, eager.data, 'first call')
        sameBits(g(...args).data, eager.data, 'compiled')
      }),
      { numRuns: 50 },
    )
  })

  describe('in WebAssembly', () => {
    let threshold = 0
    beforeAll(() => {
      threshold = setWasmLoopMinElements(0)
    })
    afterAll(() => {
      setWasmLoopMinElements(threshold)
    })

    it('a branch on a comparison runs as a wasm loop, to the bit', () => {
      const f = (c: Tensor, a: Tensor, b: Tensor): Tensor =>
        where(greater(c, a), mul(a, b), where(c, b, sqrt(a)))
      const vec = fc.array(value, { minLength: 5, maxLength: 5 })
      fc.assert(
        fc.property(vec, vec, vec, (c, a, b) => {
          const args = [tensor(c), tensor(a), tensor(b)] as const
          const g = jit(f)
          g(...args)
          const before = wasmLoopStats.runs
          const y = g(...args)
          expect(wasmLoopStats.runs).toBe(before + 1)
          sameBits(y.data, f(...args).data, 'wasm')
        }),
        { numRuns: 50 },
      )
    })
  })
})

describe('reshape as a view', () => {
  it('no copy: the reshaped value shares its operand’s storage', () => {
    // (the reshape's operand comes from a loop, and its result is read by another loop)
    const f = jit((x: Tensor) => {
      const y = exp(x)
      const r = reshape(y, [3, 1])
      return [y, mul(r, tensor([[1, 2]]))] as const
    })
    const x = tensor([0, 1, 2])
    expect(f.trace(x).fused).toContain('kernel c:f64[3,1] = reshape')
    const [y, z] = f(x)
    const [y2, z2] = f(x)
    expect(z.toArray()).toEqual([
      [1, 2],
      [Math.E, 2 * Math.E],
      [Math.exp(2), 2 * Math.exp(2)],
    ])
    expect(y2.toArray()).toEqual(y.toArray())
    expect(z2.toArray()).toEqual(z.toArray())
  })

  it('the view is observable where a program returns both (one buffer, as eager `[y, y]`)', () => {
    const f = jit((x: Tensor) => {
      const y = exp(x)
      return [y, reshape(y, [1, 3])] as const
    })
    f(tensor([0, 1, 2])) // (the first call runs f eagerly, as it traces)
    const [y, r] = f(tensor([0, 1, 2]))
    expect(r.data).toBe(y.data)
    expect(r.shape).toEqual([1, 3])
  })

  it('a later run never overwrites a result the caller holds', () => {
    const f = jit((x: Tensor) => reshape(exp(x), [2, 2]))
    const first = f(tensor([0, 0, 0, 0]))
    const second = f(tensor([1, 1, 1, 1]))
    expect(first.toArray()).toEqual([
      [1, 1],
      [1, 1],
    ])
    expect(second.data[0]).toBe(Math.E)
  })

  it('an output reshaped from an argument is a copy (the caller may write into it)', () => {
    const f = jit((x: Tensor) => reshape(x, [2, 2]))
    const x = tensor([1, 2, 3, 4])
    f(x)
    const y = f(x)
    expect(y.data).not.toBe(x.data)
    expect(y.data.buffer).not.toBe(x.data.buffer)
    y.data[0] = 9
    expect(x.data[0]).toBe(1)
  })

  it('a batched Jacobian of a branch (vmap of grad) equals eager to the bit', () => {
    const h = (v: Tensor): Tensor => sum(guarded(v, mul(v, v)))
    const g = vmap(grad(h))
    const x = tensor([
      [0, 1, 2],
      [-1, 0.5, 0],
      [3, -0, 4],
    ])
    const f = jit(g)
    sameBits(f(x).data, g(x).data, 'first call')
    sameBits(f(x).data, g(x).data, 'compiled')
  })
})
