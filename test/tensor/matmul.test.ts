import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { ShapeError } from '../../src/core/errors.ts'
import { matmulK, matmulShape } from '../../src/tensor/kernels/matmul.ts'
import { broadcastableTo, dataOf, refMatmul, shapeArb, sizeOf } from './reference.ts'

const combos: readonly (readonly [boolean, boolean])[] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
]

/** Stored shape of an operand used as rows × cols, transposed when `trans`. */
const stored = (batch: readonly number[], rows: number, cols: number, trans: boolean) =>
  trans ? [...batch, cols, rows] : [...batch, rows, cols]

const ints = (n: number, seed: number) =>
  Float64Array.from({ length: n }, (_v, i) => ((i * seed) % 7) - 3)

describe.each(combos)('matmulK with transA=%s, transB=%s', (transA, transB) => {
  const dim = fc.integer({ min: 0, max: 4 })
  const operands = fc.tuple(shapeArb(2, 3), dim, dim, dim).chain(([batch, m, k, n]) =>
    fc.tuple(broadcastableTo(batch), broadcastableTo(batch)).chain(([ba, bb]) => {
      const aShape = stored(ba, m, k, transA)
      const bShape = stored(bb, k, n, transB)
      return fc
        .tuple(dataOf(sizeOf(aShape)), dataOf(sizeOf(bShape)))
        .map(([a, b]) => ({ a, aShape, b, bShape }))
    }),
  )

  test.prop([operands])(
    'matches a naive triple loop, with batch broadcasting',
    ({ a, aShape, b, bShape }) => {
      const got = matmulK(a, aShape, b, bShape, transA, transB)
      const want = refMatmul(a, aShape, b, bShape, transA, transB)
      expect(got.shape).toEqual(want.shape)
      expect(matmulShape(aShape, bShape, transA, transB)).toEqual(want.shape)
      expect(got.data).toEqual(want.data)
    },
  )

  it('matches the naive loop on matrices larger than the cache blocks', () => {
    const [m, k, n] = [67, 150, 131]
    const aShape = stored([], m, k, transA)
    const bShape = stored([], k, n, transB)
    const a = ints(m * k, 3)
    const b = ints(k * n, 5)
    const want = new Float64Array(m * n)
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0
        for (let p = 0; p < k; p++) {
          s += a[transA ? p * m + i : i * k + p]! * b[transB ? j * k + p : p * n + j]!
        }
        want[i * n + j] = s
      }
    }
    expect(matmulK(a, aShape, b, bShape, transA, transB).data).toEqual(want)
  })

  it('broadcasts a batch of matrices against one matrix', () => {
    const aShape = stored([2, 3], 4, 5, transA)
    const bShape = stored([3], 5, 2, transB)
    const a = ints(sizeOf(aShape), 3)
    const b = ints(sizeOf(bShape), 2)
    const got = matmulK(a, aShape, b, bShape, transA, transB)
    expect(got.shape).toEqual([2, 3, 4, 2])
    expect(got.data).toEqual(refMatmul(a, aShape, b, bShape, transA, transB).data)
  })
})

describe('matmulShape', () => {
  it('rejects mismatched inner dimensions with a ShapeError naming matmul and both shapes', () => {
    expect(() => matmulShape([2, 3], [4, 5], false, false)).toThrow(ShapeError)
    expect(() => matmulShape([2, 3], [4, 5], false, false)).toThrow(/matmul.*\[2, 3\], \[4, 5\]/s)
    expect(() => matmulShape([3, 2], [3, 5], true, false)).not.toThrow()
    expect(() => matmulShape([2, 3], [5, 3], false, true)).not.toThrow()
  })

  it('rejects batch axes that do not broadcast', () => {
    expect(() => matmulShape([2, 2, 3], [3, 3, 4], false, false)).toThrow(ShapeError)
    expect(matmulShape([2, 1, 2, 3], [5, 3, 4], false, false)).toEqual([2, 5, 2, 4])
  })

  it('rejects operands of rank below 2', () => {
    expect(() => matmulShape([3], [3, 4], false, false)).toThrow(ShapeError)
  })

  it('gives zeros when the inner dimension is 0', () => {
    expect(matmulK(new Float64Array(0), [2, 0], new Float64Array(0), [0, 3], false, false)).toEqual(
      {
        data: new Float64Array(6),
        shape: [2, 3],
      },
    )
  })
})
