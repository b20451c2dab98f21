import { tensor } from 'fluxion'
import { describe, expect, it } from 'vitest'
import { formatTensor } from '../../src/tensor/format.ts'

const ramp = (n: number) => Float64Array.from({ length: n }, (_v, i) => i)

describe('formatTensor', () => {
  it('prints a rank-0 tensor', () => {
    expect(formatTensor(Float64Array.of(3.5), [])).toBe('tensor(3.5, shape=[])')
  })

  it('right-aligns the columns of a matrix', () => {
    expect(formatTensor(Float64Array.of(1, 2.5, 3, 4), [2, 2])).toBe(
      'tensor([[  1, 2.5],\n        [  3,   4]], shape=[2, 2])',
    )
  })

  it('prints integers without decimals and separates 3-D slabs by a blank line', () => {
    expect(formatTensor(ramp(8), [2, 2, 2])).toBe(
      'tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]], shape=[2, 2, 2])',
    )
  })

  it('rounds to 6 significant digits and spells out special values', () => {
    expect(
      formatTensor(Float64Array.of(1 / 3, -2, Number.NaN, Number.POSITIVE_INFINITY), [4]),
    ).toBe('tensor([0.333333,       -2,      NaN, Infinity], shape=[4])')
    expect(formatTensor(Float64Array.of(Number.NEGATIVE_INFINITY, -0), [2])).toBe(
      'tensor([-Infinity,        -0], shape=[2])',
    )
  })

  it('switches the whole tensor to scientific notation for wide magnitudes', () => {
    expect(formatTensor(Float64Array.of(1e-5, 1.5, 2.5e7), [3])).toBe(
      'tensor([  1e-5, 1.5e+0, 2.5e+7], shape=[3])',
    )
  })

  it('prints empty tensors', () => {
    expect(formatTensor(new Float64Array(0), [0])).toBe('tensor([], shape=[0])')
    expect(formatTensor(new Float64Array(0), [2, 0])).toBe('tensor([], shape=[2, 0])')
  })

  it('summarizes tensors above 1000 elements with the first and last 3 entries per axis', () => {
    expect(formatTensor(ramp(2000), [2000])).toBe(
      'tensor([   0,    1,    2, ..., 1997, 1998, 1999], shape=[2000])',
    )
    expect(formatTensor(ramp(1001), [77, 13])).toBe(
      [
        'tensor([[   0,    1,    2, ...,   10,   11,   12],',
        '        [  13,   14,   15, ...,   23,   24,   25],',
        '        [  26,   27,   28, ...,   36,   37,   38],',
        '        ...,',
        '        [ 962,  963,  964, ...,  972,  973,  974],',
        '        [ 975,  976,  977, ...,  985,  986,  987],',
        '        [ 988,  989,  990, ...,  998,  999, 1000]], shape=[77, 13])',
      ].join('\n'),
    )
  })

  it('wraps long rows at 75 columns', () => {
    const text = formatTensor(ramp(30), [30])
    for (const line of text.split('\n').slice(0, -1)) expect(line.length).toBeLessThanOrEqual(75)
    expect(text).toBe(
      [
        'tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16,',
        '        17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29], shape=[30])',
      ].join('\n'),
    )
  })

  it('is deterministic', () => {
    const x = Float64Array.from({ length: 50 }, (_v, i) => Math.sin(i))
    expect(formatTensor(x, [5, 10])).toBe(formatTensor(x.slice(), [5, 10]))
  })
})

describe('formatTensor of float32', () => {
  const f32 = (...values: number[]) => Float32Array.from(values)

  it('names the dtype after the shape, and prints the decimal the float32 stands for', () => {
    expect(formatTensor(f32(0.1, 0.2), [2])).toBe('tensor([0.1, 0.2], shape=[2], dtype=float32)')
    expect(formatTensor(f32(0.1), [])).toBe('tensor(0.1, shape=[], dtype=float32)')
    expect(formatTensor(f32(), [0, 3])).toBe('tensor([], shape=[0, 3], dtype=float32)')
    expect(
      String(
        tensor(
          [
            [1, 2],
            [3, 4],
          ],
          { dtype: 'float32' },
        ),
      ),
    ).toBe('tensor([[1, 2],\n        [3, 4]], shape=[2, 2], dtype=float32)')
  })

  it('chooses the style from the shortest decimals: float32 1e-4 is 0.0001, 1e11 is 1e11', () => {
    // the float32 nearest 1e-4 is 9.99999974737875e-5, below the scientific threshold
    expect(formatTensor(f32(1e-4, 0.5), [2])).toBe(
      'tensor([0.0001,    0.5], shape=[2], dtype=float32)',
    )
    // the same binary value as float64 is below 1e-4: scientific
    expect(formatTensor(Float64Array.of(Math.fround(1e-4), 0.5), [2])).toBe(
      'tensor([1e-4, 5e-1], shape=[2])',
    )
    // integers print from the shortest decimal, not the binary value 99999997952
    expect(formatTensor(f32(1e11, 3), [2])).toBe(
      'tensor([100000000000,            3], shape=[2], dtype=float32)',
    )
  })

  it('rounds to 6 digits from the exact value, not from the shortest decimal again', () => {
    // shortest 1.108855, whose double is just below it; the float32 is 1.10885500907…
    const x = 1.1088550090789795
    expect(Math.fround(x)).toBe(x)
    expect(formatTensor(f32(x, 2), [2])).toBe(
      'tensor([1.10886,       2], shape=[2], dtype=float32)',
    )
    expect(formatTensor(f32(1e-5, 3e7), [2])).toBe('tensor([1e-5, 3e+7], shape=[2], dtype=float32)')
  })

  it('summarizes large float32 tensors alike, with the dtype', () => {
    expect(formatTensor(Float32Array.from(ramp(2000)), [2000])).toBe(
      'tensor([   0,    1,    2, ..., 1997, 1998, 1999], shape=[2000], dtype=float32)',
    )
  })
})
