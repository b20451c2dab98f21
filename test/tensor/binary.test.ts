import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import * as _ from '../../src/tensor/kernels/binary.ts'
import {
  broadcastGet,
  broadcastPairArb,
  dataOf,
  dyadic,
  refBinary,
  sizeOf,
  unravel,
} from './reference.ts'

const cases: readonly (readonly [string, _.BinaryKernel, (x: number, y: number) => number])[] = [
  ['addK', _.addK, (x, y) => x + y],
  ['subK', _.subK, (x, y) => x - y],
  ['mulK', _.mulK, (x, y) => x * y],
  ['divK', _.divK, (x, y) => x / y],
  ['powK', _.powK, Math.pow],
  ['atan2K', _.atan2K, Math.atan2],
  ['maximumK', _.maximumK, Math.max],
  ['minimumK', _.minimumK, Math.min],
  ['safeMulK', _.safeMulK, (x, y) => (x === 0 || y === 0 ? 0 : x * y)],
  ['lessK', _.lessK, (x, y) => Number(x < y)],
  ['lessEqualK', _.lessEqualK, (x, y) => Number(x <= y)],
  ['greaterK', _.greaterK, (x, y) => Number(x > y)],
  ['greaterEqualK', _.greaterEqualK, (x, y) => Number(x >= y)],
  ['equalK', _.equalK, (x, y) => Number(x === y)],
  ['notEqualK', _.notEqualK, (x, y) => Number(x !== y)],
]

/** Mostly dyadic values, with the special values every op must get right. */
const values = fc.oneof(
  { weight: 4, arbitrary: dyadic },
  fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
)

const operands = broadcastPairArb.chain(({ a, b, out }) =>
  fc
    .tuple(dataOf(sizeOf(a), values), dataOf(sizeOf(b), values))
    .map(([x, y]) => ({ a, b, out, x, y })),
)

/** Shapes chosen to reach each path: flat, scalar on either side, and coalesced strided rows. */
const explicitShapes: readonly (readonly [number[], number[]])[] = [
  [
    [3, 4, 5],
    [3, 4, 5],
  ],
  [[3, 4, 5], []],
  [[1], [3, 4, 5]],
  [[3, 4, 5], [5]],
  [
    [3, 1, 5],
    [1, 4, 1],
  ],
  [
    [7, 1],
    [1, 6],
  ],
  [
    [2, 3, 1, 4],
    [3, 5, 1],
  ],
  [
    [40, 1, 3],
    [40, 2, 1],
  ],
]

describe.each(cases)('%s', (_name, kernel, f) => {
  test.prop([operands])(
    'matches an index-by-index broadcasting reference',
    ({ a, b, out, x, y }) => {
      const [xBefore, yBefore] = [x.slice(), y.slice()]
      const got = kernel(x, a, y, b, out)
      expect(got).toEqual(refBinary(f, x, a, y, b, out))
      expect(x).toEqual(xBefore)
      expect(y).toEqual(yBefore)
    },
  )

  it.each(explicitShapes)('handles %j with %j', (a, b) => {
    const x = Float64Array.from({ length: sizeOf(a) }, (_v, i) => (i % 7) - 3)
    const y = Float64Array.from({ length: sizeOf(b) }, (_v, i) => (i % 5) - 2)
    const out = a.length >= b.length ? broadcast(a, b) : broadcast(b, a)
    expect(kernel(x, a, y, b, out)).toEqual(refBinary(f, x, a, y, b, out))
  })
})

function broadcast(long: number[], short: number[]): number[] {
  const off = long.length - short.length
  return long.map((d, i) => (i < off ? d : Math.max(d, short[i - off]!)))
}

describe('special values', () => {
  const s = [3]
  const x = Float64Array.of(0, 2, Number.NaN)
  const y = Float64Array.of(Number.POSITIVE_INFINITY, Number.NaN, 1)

  it('safeMulK keeps 0 · ∞ and 0 · NaN at 0, the zero on either side', () => {
    expect(_.safeMulK(x, s, y, s, s)).toEqual(Float64Array.of(0, Number.NaN, Number.NaN))
    expect(_.safeMulK(y, s, x, s, s)).toEqual(Float64Array.of(0, Number.NaN, Number.NaN))
    expect(_.mulK(x, s, y, s, s)).toEqual(Float64Array.of(Number.NaN, Number.NaN, Number.NaN))
  })

  it('maximumK and minimumK propagate NaN', () => {
    expect(_.maximumK(x, s, y, s, s)).toEqual(
      Float64Array.of(Number.POSITIVE_INFINITY, Number.NaN, Number.NaN),
    )
    expect(_.minimumK(x, s, y, s, s)).toEqual(Float64Array.of(0, Number.NaN, Number.NaN))
  })

  it('comparisons with NaN are false, except notEqual', () => {
    expect(_.lessK(x, s, y, s, s)).toEqual(Float64Array.of(1, 0, 0))
    expect(_.equalK(x, s, x, s, s)).toEqual(Float64Array.of(1, 1, 0))
    expect(_.notEqualK(x, s, x, s, s)).toEqual(Float64Array.of(0, 0, 1))
  })

  it('returns an empty array for an empty output', () => {
    expect(_.addK(new Float64Array(0), [0, 3], Float64Array.of(1, 2, 3), [3], [0, 3])).toEqual(
      new Float64Array(0),
    )
  })
})

describe('whereK', () => {
  const triple = fc.tuple(broadcastPairArb, fc.boolean()).chain(([{ a, b, out }, first]) => {
    // The condition takes one operand's shape, so all three shapes broadcast to `out`.
    const c = first ? a : b
    const conditions = fc.constantFrom(0, -0, 1, 2, Number.NaN)
    return fc
      .tuple(dataOf(sizeOf(c), conditions), dataOf(sizeOf(a)), dataOf(sizeOf(b)))
      .map(([cv, av, bv]) => ({ c, a, b, out, cv, av, bv }))
  })

  test.prop([triple])(
    'selects a where c ≠ 0 (NaN included), else b',
    ({ c, a, b, out, cv, av, bv }) => {
      const want = new Float64Array(sizeOf(out))
      for (let o = 0; o < want.length; o++) {
        const idx = unravel(o, out)
        const cond = broadcastGet(cv, c, idx)
        want[o] = cond !== 0 ? broadcastGet(av, a, idx) : broadcastGet(bv, b, idx)
      }
      expect(_.whereK(cv, c, av, a, bv, b, out)).toEqual(want)
    },
  )

  it('broadcasts a column condition against a row and a scalar', () => {
    const got = _.whereK(
      Float64Array.of(1, 0),
      [2, 1],
      Float64Array.of(1, 2, 3),
      [3],
      Float64Array.of(9),
      [],
      [2, 3],
    )
    expect(got).toEqual(Float64Array.of(1, 2, 3, 9, 9, 9))
  })
})
