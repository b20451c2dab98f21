import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { broadcastToK, concatK, padK, sliceK, transposeK } from '../../src/tensor/kernels/layout.ts'
import {
  broadcastableTo,
  dataOf,
  dot,
  padShape,
  refBroadcastShape,
  refConcat,
  refPad,
  refSlice,
  refTranspose,
  shapeArb,
  sizeOf,
  sliceLength,
  tensorArb,
  unravel,
} from './reference.ts'

const permutationOf = (rank: number) =>
  fc.shuffledSubarray(
    Array.from({ length: rank }, (_v, i) => i),
    { minLength: rank, maxLength: rank },
  )

const ramp = (n: number) => Float64Array.from({ length: n }, (_v, i) => i)

describe('transposeK', () => {
  const arb = tensorArb().chain((t) =>
    permutationOf(t.shape.length).map((perm) => ({ ...t, perm })),
  )

  test.prop([arb])('matches a reference', ({ shape, data, perm }) => {
    expect(transposeK(data, shape, perm)).toEqual(refTranspose(data, shape, perm))
  })

  test.prop([arb])(
    'transpose-involution: the inverse permutation undoes it',
    ({ shape, data, perm }) => {
      const inverse = perm.map((_p, i) => perm.indexOf(i))
      const outShape = perm.map((p) => shape[p]!)
      expect(transposeK(transposeK(data, shape, perm), outShape, inverse)).toEqual(data)
    },
  )

  const large: readonly (readonly [number[], number[]])[] = [
    [
      [70, 45],
      [1, 0],
    ],
    [
      [3, 40, 50],
      [0, 2, 1],
    ],
    [
      [3, 40, 50],
      [2, 0, 1],
    ],
    [
      [2, 3, 4, 5],
      [1, 0, 3, 2],
    ],
    [
      [33, 1, 65],
      [2, 1, 0],
    ],
  ]
  it.each(large)('matches the reference for shape %j, perm %j (blocked paths)', (shape, perm) => {
    const x = ramp(sizeOf(shape))
    expect(transposeK(x, shape, perm)).toEqual(refTranspose(x, shape, perm))
  })
})

describe('broadcastToK', () => {
  const arb = shapeArb().chain((target) =>
    broadcastableTo(target).chain((shape) =>
      dataOf(sizeOf(shape)).map((x) => ({ shape, target, x })),
    ),
  )

  test.prop([arb])('repeats along broadcast axes', ({ shape, target, x }) => {
    const got = broadcastToK(x, shape, target)
    expect(got).not.toBe(x)
    const want = Float64Array.from({ length: sizeOf(target) }, (_v, o) => {
      const idx = unravel(o, target).slice(target.length - shape.length)
      const flat = shape.reduce((f, d, ax) => f * d + (d === 1 ? 0 : idx[ax]!), 0)
      return x[flat]!
    })
    expect(got).toEqual(want)
    expect(refBroadcastShape(shape, target)).toEqual(target)
  })
})

/** A tensor with a valid strided slice of it (0 ≤ start ≤ end ≤ n, step ≥ 1). */
const sliced = tensorArb().chain(({ shape, data }) =>
  fc
    .tuple(
      ...shape.map((n) =>
        fc
          .tuple(
            fc.integer({ min: 0, max: n }),
            fc.integer({ min: 0, max: n }),
            fc.integer({ min: 1, max: 3 }),
          )
          .map(([p, q, step]) => ({ start: Math.min(p, q), end: Math.max(p, q), step })),
      ),
    )
    .map((axes) => ({
      shape,
      data,
      starts: axes.map((a) => a.start),
      ends: axes.map((a) => a.end),
      steps: axes.map((a) => a.step),
    })),
)

describe('sliceK', () => {
  test.prop([sliced])('matches a reference', ({ shape, data, starts, ends, steps }) => {
    expect(sliceK(data, shape, starts, ends, steps)).toEqual(
      refSlice(data, shape, starts, ends, steps),
    )
  })

  it('takes every other column of a matrix', () => {
    expect(sliceK(ramp(12), [3, 4], [0, 1], [3, 4], [2, 2])).toEqual(Float64Array.of(1, 3, 9, 11))
  })
})

describe('padK', () => {
  const padded = tensorArb(3, 4).chain(({ shape, data }) => {
    const widths = fc.array(fc.integer({ min: 0, max: 2 }), {
      minLength: shape.length,
      maxLength: shape.length,
    })
    return fc
      .tuple(widths, widths, widths, fc.constantFrom(0, -1.5))
      .map(([lo, hi, interior, value]) => ({ shape, data, lo, hi, interior, value }))
  })

  test.prop([padded])('matches a reference', ({ shape, data, lo, hi, interior, value }) => {
    const got = padK(data, shape, lo, hi, interior, value)
    expect(got.length).toBe(sizeOf(padShape(shape, lo, hi, interior)))
    expect(got).toEqual(refPad(data, shape, lo, hi, interior, value))
  })

  test.prop([padded])('slice undoes pad', ({ shape, data, lo, hi, interior, value }) => {
    const out = padShape(shape, lo, hi, interior)
    const steps = interior.map((i) => i + 1)
    const ends = shape.map((n, ax) => lo[ax]! + n + Math.max(n - 1, 0) * interior[ax]!)
    expect(sliceK(padK(data, shape, lo, hi, interior, value), out, lo, ends, steps)).toEqual(data)
  })

  test.prop([sliced.chain((s) => dataOf(sizeOf(sliceShape(s))).map((y) => ({ ...s, y })))])(
    'is the transpose of slice: ⟨slice(x), y⟩ = ⟨x, pad(y)⟩',
    ({ shape, data, starts, ends, steps, y }) => {
      const yShape = sliceShape({ shape, starts, ends, steps })
      const lo = starts
      const interior = steps.map((s) => s - 1)
      // hi fills what is left of the axis after the last sliced element.
      const hi = shape.map((n, ax) => {
        const m = yShape[ax]!
        return m === 0 ? n - starts[ax]! : n - (starts[ax]! + (m - 1) * steps[ax]! + 1)
      })
      const padded = padK(y, yShape, lo, hi, interior, 0)
      expect(padded.length).toBe(data.length)
      expect(dot(sliceK(data, shape, starts, ends, steps), y)).toBe(dot(data, padded))
    },
  )
})

function sliceShape(s: {
  shape: readonly number[]
  starts: readonly number[]
  ends: readonly number[]
  steps: readonly number[]
}): number[] {
  return s.shape.map((_n, ax) => sliceLength(s.starts[ax]!, s.ends[ax]!, s.steps[ax]!))
}

describe('concatK', () => {
  const arb = fc
    .tuple(
      shapeArb(4, 4).filter((s) => s.length > 0),
      fc.nat(),
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }),
    )
    .chain(([base, pick, sizes]) => {
      const axis = pick % base.length
      const shapes = sizes.map((n) => base.map((d, ax) => (ax === axis ? n : d)))
      return fc
        .tuple(...shapes.map((s) => dataOf(sizeOf(s))))
        .map((parts) => ({ shapes, parts, axis }))
    })

  test.prop([arb])('matches a reference', ({ shapes, parts, axis }) => {
    expect(concatK(parts, shapes, axis)).toEqual(refConcat(parts, shapes, axis))
  })

  test.prop([
    fc.integer({ min: 1, max: 13 }).chain((count) =>
      fc.tuple(
        fc.constant(count),
        shapeArb(3, 4).filter((s) => s.length > 0),
        fc.integer({ min: 1, max: 3 }),
      ),
    ),
  ])(
    'many parts of one value per row (stack on the last axis), and wide chunks',
    ([count, base, width]) => {
      // the kernel's transposing path (chunks of 1, parts taken four at a time) and its copying
      // path (chunks of 64 or more) against the reference
      for (const chunk of [1, width * 64]) {
        const shapes = Array.from({ length: count }, () => [...base, chunk])
        const parts = shapes.map((s, k) =>
          Float64Array.from({ length: sizeOf(s) }, (_v, i) => k * 1e4 + i),
        )
        const axis = base.length
        expect(concatK(parts, shapes, axis)).toEqual(refConcat(parts, shapes, axis))
      }
    },
  )

  it('a stack on the last axis across its blocks of rows (512), up to 31 parts', () => {
    // the transposing path runs by blocks of rows: rows on both sides of each block's edge
    for (const rows of [511, 512, 513, 1100, 1537]) {
      for (const count of [1, 3, 4, 5, 30, 31]) {
        const shapes = Array.from({ length: count }, () => [rows, 1])
        const parts = shapes.map((_s, k) =>
          Float64Array.from({ length: rows }, (_v, i) => k * 1e5 + i),
        )
        expect(concatK(parts, shapes, 1)).toEqual(refConcat(parts, shapes, 1))
      }
    }
  })

  test.prop([arb])('slicing the result recovers each part', ({ shapes, parts, axis }) => {
    const out = shapes[0]!.map((d, ax) =>
      ax === axis ? shapes.reduce((n, s) => n + s[axis]!, 0) : d,
    )
    const joined = concatK(parts, shapes, axis)
    let offset = 0
    shapes.forEach((s, k) => {
      const starts = s.map((_d, ax) => (ax === axis ? offset : 0))
      const ends = s.map((d, ax) => (ax === axis ? offset + d : d))
      expect(
        sliceK(
          joined,
          out,
          starts,
          ends,
          s.map(() => 1),
        ),
      ).toEqual(parts[k])
      offset += s[axis]!
    })
  })
})
