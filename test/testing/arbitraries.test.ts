/**
 * The arbitraries of fluxion/testing draw what they promise: shapes within their bounds,
 * tensors of the given shape and domain, shape pairs that broadcast, trees every
 * transformation accepts, trees shaped like a template, exact dyadic values.
 */
import { test } from '@fast-check/vitest'
import fc from 'fast-check'
import { add, Dual, grad, sum, Tensor, treeLeaves, treeMap } from 'fluxion'
import {
  broadcastablePair,
  broadcastableTensors,
  dualNumber,
  dyadic,
  positive,
  real,
  shape,
  structureDifference,
  tensorOf,
  tree,
  treeLike,
  unitInterval,
} from 'fluxion/testing'
import { describe, expect } from 'vitest'

/** NumPy's broadcast of two shapes, or undefined when they do not broadcast. */
const broadcast = (a: readonly number[], b: readonly number[]): number[] | undefined => {
  const n = Math.max(a.length, b.length)
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1
    const y = b[b.length - n + i] ?? 1
    if (x !== y && x !== 1 && y !== 1) return undefined
    out.push(Math.max(x, y))
  }
  return out
}

describe('arbitraries', () => {
  test.prop([shape({ minRank: 1, maxRank: 2, maxSize: 3 })])('shape stays in bounds', (s) => {
    expect(s.length).toBeGreaterThanOrEqual(1)
    expect(s.length).toBeLessThanOrEqual(2)
    for (const d of s) expect(d >= 1 && d <= 3).toBe(true)
  })

  test.prop([tensorOf([2, 3], positive)])('tensorOf a shape, in a domain', (t) => {
    expect(t.shape).toEqual([2, 3])
    for (const v of t.data) expect(v >= 0.1 && v <= 10).toBe(true)
  })

  test.prop([tensorOf(shape(), unitInterval)])('tensorOf an arbitrary shape', (t) => {
    expect(t).toBeInstanceOf(Tensor)
    for (const v of t.data) expect(v >= 0.01 && v <= 0.99).toBe(true)
  })

  test.prop([real(-1, 1)])('real stays finite and in its interval', (x) => {
    expect(Number.isFinite(x) && x >= -1 && x <= 1).toBe(true)
  })

  test.prop([broadcastablePair()])('broadcastablePair broadcasts', ([a, b]) => {
    expect(broadcast(a, b)).toBeDefined()
  })

  test.prop([broadcastableTensors()])('broadcastableTensors add', ([a, b]) => {
    expect(add(a, b).shape).toEqual(broadcast(a.shape, b.shape))
  })

  test.prop([tree()])('tree is accepted by every transformation', (t) => {
    const leaves = treeLeaves(t)
    const g = grad((u: typeof t) =>
      treeLeaves(u).reduce<number | Tensor>((s, l) => add(s, sum(l)), 0),
    )(t)
    expect(treeLeaves(g)).toHaveLength(leaves.length)
  })

  test.prop([tree().chain((t) => fc.tuple(fc.constant(t), treeLike(t, dyadic)))])(
    'treeLike keeps the structure, kinds and shapes of its template',
    ([t, u]) => {
      expect(structureDifference(t, u)).toBeUndefined()
      treeMap((a, b) => add(a, b), t, u) // throws on any structure mismatch
    },
  )

  test.prop([dyadic, dyadic, dyadic])('dyadic sums and products are exact', (a, b, c) => {
    expect((a + b) * c === a * c + b * c).toBe(true)
  })

  test.prop([dualNumber])('dualNumber has dyadic parts', (d) => {
    expect(Dual.Eq.equals(d, Dual.dual(d.re, d.eps))).toBe(true)
    expect(Number.isInteger(d.re * 64) && Number.isInteger(d.eps * 64)).toBe(true)
  })
})
