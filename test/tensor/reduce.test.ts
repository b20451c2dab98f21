import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { maxK, sumK } from '../../src/tensor/kernels/reduce.ts'
import { dataOf, dyadic, refReduce, shapeArb, sizeOf } from './reference.ts'

/** A shape, data for it, and a sorted subset of its axes. */
const reduction = (values = dyadic) =>
  shapeArb().chain((shape) =>
    fc
      .tuple(dataOf(sizeOf(shape), values), fc.subarray(shape.map((_d, ax) => ax)))
      .map(([x, axes]) => ({ shape, x, axes })),
  )

describe('sumK', () => {
  test.prop([reduction()])('matches a reference over any axes', ({ shape, x, axes }) => {
    const before = x.slice()
    expect(sumK(x, shape, axes)).toEqual(refReduce((s, v) => s + v, 0, x, shape, axes))
    expect(x).toEqual(before)
  })

  const layouts: readonly (readonly [number[], number[]])[] = [
    [[300], [0]],
    [[3, 300], [1]],
    [[300, 3], [0]],
    [[4, 50, 6], [1]],
    [
      [4, 5, 6, 7],
      [0, 2],
    ],
    [
      [4, 5, 6, 7],
      [1, 3],
    ],
    [
      [4, 1, 6, 7],
      [0, 1, 3],
    ],
    [[2, 3, 4], []],
    [
      [1, 1],
      [0, 1],
    ],
  ]
  it.each(layouts)('matches the reference for shape %j over axes %j', (shape, axes) => {
    const x = Float64Array.from({ length: sizeOf(shape) }, (_v, i) => ((i * 7) % 11) - 5)
    expect(sumK(x, shape, axes)).toEqual(refReduce((s, v) => s + v, 0, x, shape, axes))
  })

  it('sums pairwise: 10⁶ copies of 0.1 come within 1e-12 relative of 10⁵', () => {
    const x = new Float64Array(1_000_000).fill(0.1)
    const total = sumK(x, [x.length], [0])[0]!
    expect(Math.abs(total - 100_000) / 100_000).toBeLessThan(1e-12)
  })

  it('gives 0 for an empty reduction and nothing for an empty output', () => {
    expect(sumK(new Float64Array(0), [3, 0], [1])).toEqual(new Float64Array(3))
    expect(sumK(new Float64Array(0), [0, 3], [1])).toEqual(new Float64Array(0))
    expect(sumK(Float64Array.of(5), [], [])).toEqual(Float64Array.of(5))
  })
})

describe('maxK', () => {
  const values = fc.oneof({ weight: 5, arbitrary: dyadic }, fc.constant(Number.NaN))
  test.prop([reduction(values)])('matches a reference over any axes', ({ shape, x, axes }) => {
    expect(maxK(x, shape, axes)).toEqual(
      refReduce(Math.max, Number.NEGATIVE_INFINITY, x, shape, axes),
    )
  })

  it('propagates NaN and gives -Infinity for an empty reduction', () => {
    expect(maxK(Float64Array.of(1, Number.NaN, 3, 4), [2, 2], [1])).toEqual(
      Float64Array.of(Number.NaN, 4),
    )
    expect(maxK(Float64Array.of(1, Number.NaN, 3, 4), [2, 2], [0])).toEqual(
      Float64Array.of(3, Number.NaN),
    )
    expect(maxK(new Float64Array(0), [2, 0], [1])).toEqual(Float64Array.of(-Infinity, -Infinity))
  })
})
