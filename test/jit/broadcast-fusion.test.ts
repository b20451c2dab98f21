/**
 * Operands broadcast along inner axes (`[n, 1, k]` or `[n, m, 1]` read against `[n, m, k]`, as
 * batched Jacobians make them) are read in the fused loop through a table of row offsets
 * (src/jit/passes/access.ts `rows`), not materialized by a broadcasting kernel first: the plan
 * shows one loop, and the loop gives eager's bits, special values included, on the first call and
 * on replays.
 */
import { fc, test } from '@fast-check/vitest'
import { add, jacfwd, jit, mul, reshape, sin, sub, sum, type Tensor, tensor, vmap } from 'fluxion'
import { describe, expect, it } from 'vitest'
import { rowOffsets } from '../../src/jit/passes/access.ts'

const specials = [0, -0, 1.5, -2, Number.NaN, Number.POSITIVE_INFINITY, -1e-310, 3e300]

/** A tensor of `shape` whose values cycle through `values`. */
const filled = (shape: number[], values: readonly number[], shift = 0): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1)
  return tensor(
    Float64Array.from({ length: n }, (_, i) => values[(i + shift) % values.length]!),
    shape,
  )
}

/** The first call and the replay of `jit(f)`, beside eager `f`, as arrays. */
const runs = (f: (a: Tensor, b: Tensor) => Tensor, a: Tensor, b: Tensor): number[][] => {
  const g = jit(f)
  return [g(a, b), g(a, b), f(a, b)].map((t) => Array.from(t.data))
}

describe('broadcast operands in fused loops', () => {
  it('row offsets: Σ index·stride over the row axes, 0 along broadcast ones', () => {
    expect(Array.from(rowOffsets([2, 1, 3], [2, 4, 3]))).toEqual([0, 0, 0, 0, 3, 3, 3, 3])
    expect(Array.from(rowOffsets([2, 4, 1], [2, 4, 3]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(Array.from(rowOffsets([1, 4, 1], [2, 4, 3]))).toEqual([0, 1, 2, 3, 0, 1, 2, 3])
    expect(Array.from(rowOffsets([3, 1], [2, 3, 5]))).toEqual([0, 1, 2, 0, 1, 2])
    expect(rowOffsets([2, 1, 3], [2, 0, 3]).length).toBe(0)
  })

  it('[n, 1, k] and [n, m, 1] against [n, m, k]: one loop, eager bits', () => {
    const f = (a: Tensor, b: Tensor) => add(mul(sin(a), b), sub(a, b))
    const wide = filled([2, 3, 4], specials)
    for (const shape of [
      [2, 1, 4],
      [2, 3, 1],
      [1, 3, 1],
      [2, 1, 1],
      [3, 1],
    ]) {
      const b = filled(shape, specials, 3)
      const t = jit(f).trace(wide, b)
      expect(t.stats.kernels, String(shape)).toBe(0)
      expect(t.stats.loops, String(shape)).toBe(1)
      const [first, replay, eager] = runs(f, wide, b)
      expect(first, String(shape)).toEqual(eager)
      expect(replay, String(shape)).toEqual(eager)
      // the broadcast operand first: the loop's shape is the other's
      const [first2, , eager2] = runs((x, y) => f(y, x), wide, b)
      expect(first2).toEqual(eager2)
    }
  })

  test.prop(
    [
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      fc.array(fc.double(), { minLength: 1, maxLength: 12 }),
    ],
    { numRuns: 60 },
  )('random broadcasts agree with eager bit for bit', (outShape, keep, values) => {
    // the operand keeps an axis or broadcasts it (size 1); empty axes included
    const shape = outShape.map((d, i) => (keep[i] ? d : 1))
    const a = filled(outShape, values)
    const b = filled(shape, values, 1)
    const f = (x: Tensor, y: Tensor) => mul(add(x, y), sub(y, 0.5))
    const [first, replay, eager] = runs(f, a, b)
    expect(first).toEqual(eager)
    expect(replay).toEqual(eager)
  })

  it('vmap(jacfwd(f)) of a small map fuses its broadcast products', () => {
    const tiny = (x: Tensor): Tensor => add(mul(x, sin(x)), mul(sum(mul(x, x)), x))
    const xs = filled([5, 3], [0.3, -1.2, 2.5, 0.7])
    const g = jit(vmap(jacfwd(tiny)))
    const t = g.trace(xs)
    // no broadcasting product runs as a kernel of its own
    expect(t.fused).not.toMatch(/kernel [a-z]+:f64\[5,3,3\] = safeMul/)
    const eager = vmap(jacfwd(tiny))(xs)
    expect(Array.from(g(xs).data)).toEqual(Array.from(eager.data))
    expect(Array.from(g(xs).data)).toEqual(Array.from(eager.data))
    expect(reshape(g(xs), [5, 9]).shape).toEqual([5, 9])
  })
})
