import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError, ShapeError } from '../../src/core/errors.ts'
import {
  arange,
  eye,
  full,
  linspace,
  ones,
  scalar,
  tensor,
  zeros,
} from '../../src/tensor/create.ts'
import type { NestedArray } from '../../src/tensor/tensor.ts'
import { tensorArb } from './reference.ts'

/** Passes a deliberately ill-typed value, as untyped JavaScript callers can. */
const bad = <T>(v: unknown): T => v as T

describe('tensor', () => {
  it('infers the shape of nested arrays', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expect(t.shape).toEqual([2, 3])
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6])
    expect(tensor(7).shape).toEqual([])
    expect(tensor([]).shape).toEqual([0])
    expect(tensor([[], []]).shape).toEqual([2, 0])
  })

  test.prop([tensorArb()])('round-trips through toArray', ({ shape, data }) => {
    const t = tensor(data, shape)
    const back = tensor(t.toArray(), shape)
    expect(back.shape).toEqual(shape)
    expect(back.data).toEqual(data)
  })

  it('accepts NaN and infinities as values', () => {
    expect(Array.from(tensor([Number.NaN, Number.POSITIVE_INFINITY]).data)).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ])
  })

  it('copies its input instead of aliasing it', () => {
    const flat = Float64Array.of(1, 2, 3, 4)
    const t = tensor(flat, [2, 2])
    flat[0] = 99
    expect(t.data[0]).toBe(1)
    const rows = [[1, 2]]
    const u = tensor(rows)
    rows[0]![0] = 99
    expect(u.data[0]).toBe(1)
  })

  it('reshapes flat values to a given shape', () => {
    expect(tensor([1, 2, 3, 4, 5, 6], [3, 2]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ])
    expect(tensor(5, [1, 1]).shape).toEqual([1, 1])
  })

  it('rejects ragged arrays with a ShapeError', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError)
    expect(() => tensor(bad<NestedArray>([1, [2]]))).toThrow(ShapeError)
    expect(() => tensor(bad<NestedArray>([[1], 2]))).toThrow(ShapeError)
    expect(() => tensor([[], [1]])).toThrow(/ragged/)
  })

  it('rejects a shape whose size differs from the number of values', () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(ShapeError)
  })

  it('rejects non-numbers and bad shapes with an InvalidArgumentError', () => {
    expect(() => tensor(bad<NestedArray>(['a']))).toThrow(InvalidArgumentError)
    expect(() => tensor(bad<NestedArray>([[1, null]]))).toThrow(InvalidArgumentError)
    expect(() => tensor(bad<NestedArray>('3'))).toThrow(InvalidArgumentError)
    expect(() => tensor(bad<NestedArray>(Int32Array.of(1)))).toThrow(/Int32Array/)
    const cyclic: unknown[] = []
    cyclic.push(cyclic)
    expect(() => tensor(bad<NestedArray>(cyclic))).toThrow(InvalidArgumentError)
    expect(() => tensor([1, 2], [-1, -2])).toThrow(InvalidArgumentError)
    expect(() => tensor([1, 2], [2.5])).toThrow(InvalidArgumentError)
  })
})

describe('scalar, zeros, ones, full', () => {
  it('build constant tensors', () => {
    expect(scalar(2).shape).toEqual([])
    expect(scalar(2).item()).toBe(2)
    expect(zeros([2, 3]).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ])
    expect(ones([2]).toArray()).toEqual([1, 1])
    expect(full([2], 7).toArray()).toEqual([7, 7])
    expect(zeros([]).toArray()).toBe(0)
    expect(ones([0, 4]).size).toBe(0)
  })

  it('reject an oversized shape before allocating', () => {
    expect(() => zeros([1e6, 1e6])).toThrow(InvalidArgumentError)
    expect(() => ones([2 ** 31])).toThrow(InvalidArgumentError)
    expect(() => full([1e5, 1e5, 1e5], 0)).toThrow(InvalidArgumentError)
  })

  it('reject malformed shapes and values', () => {
    expect(() => zeros([2, -1])).toThrow(InvalidArgumentError)
    expect(() => ones([Number.NaN])).toThrow(InvalidArgumentError)
    expect(() => full([2], bad<number>('x'))).toThrow(InvalidArgumentError)
    expect(() => scalar(bad<number>(null))).toThrow(InvalidArgumentError)
  })
})

describe('eye', () => {
  it('puts ones on the main diagonal', () => {
    expect(eye(2).toArray()).toEqual([
      [1, 0],
      [0, 1],
    ])
    expect(eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ])
    expect(eye(0).shape).toEqual([0, 0])
    expect(() => eye(-1)).toThrow(InvalidArgumentError)
    expect(() => eye(1.5)).toThrow(InvalidArgumentError)
  })
})

describe('arange', () => {
  it('follows NumPy semantics', () => {
    expect(arange(3).toArray()).toEqual([0, 1, 2])
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75])
    expect(arange(5, 1, -2).toArray()).toEqual([5, 3])
    expect(arange(0, 1, 0.3).toArray()).toEqual([0, 0.3, 0.6, 0.8999999999999999])
    expect(arange(3, 1).size).toBe(0)
    expect(arange(0).shape).toEqual([0])
  })

  test.prop([
    fc.integer({ min: -50, max: 50 }),
    fc.integer({ min: -50, max: 50 }),
    fc.integer({ min: -7, max: 7 }).filter((s) => s !== 0),
  ])('has ⌈(stop − start)/step⌉ elements', (start, stop, step) => {
    expect(arange(start, stop, step).size).toBe(Math.max(0, Math.ceil((stop - start) / step)))
  })

  it('rejects a zero step, non-finite bounds and huge lengths', () => {
    expect(() => arange(0, 1, 0)).toThrow(InvalidArgumentError)
    expect(() => arange(Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError)
    expect(() => arange(0, 1e12)).toThrow(InvalidArgumentError)
  })
})

describe('linspace', () => {
  it('includes both endpoints exactly', () => {
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1])
    expect(linspace(2, 3, 1).toArray()).toEqual([2])
    expect(linspace(2, 3, 0).size).toBe(0)
    expect(linspace(0, 1).size).toBe(50)
  })

  test.prop([
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.integer({ min: 2, max: 100 }),
  ])('starts at start, ends at stop and is monotone', (start, stop, num) => {
    const v = linspace(start, stop, num).data
    expect(v[0]).toBe(start)
    expect(v[num - 1]).toBe(stop)
    for (let i = 1; i < num; i++) {
      if (start <= stop) expect(v[i]!).toBeGreaterThanOrEqual(v[i - 1]!)
      else expect(v[i]!).toBeLessThanOrEqual(v[i - 1]!)
    }
  })

  it('rejects a bad count or non-finite bounds', () => {
    expect(() => linspace(0, 1, -1)).toThrow(InvalidArgumentError)
    expect(() => linspace(0, 1, 2.5)).toThrow(InvalidArgumentError)
    expect(() => linspace(0, Number.NaN)).toThrow(InvalidArgumentError)
  })
})
