/**
 * `argmax` and `argmin` as one primitive (`argExtreme`, one pass along the last axis): the
 * first winner where NaN, ±∞, −0 and +0 meet (the orders a single comparison per entry can get
 * wrong), float64 positions for float32 values, and under `jit` one kernel call on the values —
 * the same positions on the first call and on replays.
 */
import fc from 'fast-check'
import { argmax, argmin, astype, jit, type Tensor, tensor, vmap } from 'fluxion'
import { describe, expect, it } from 'vitest'

/** The first position of the largest entry (smallest with `smallest`), NaN winning. */
const first = (row: readonly number[], smallest: boolean): number => {
  const nan = row.findIndex(Number.isNaN)
  if (nan >= 0) return nan
  let best = 0
  for (let i = 1; i < row.length; i++) {
    if (smallest ? row[i]! < row[best]! : row[i]! > row[best]!) best = i
  }
  return best
}

const special = fc.constantFrom(0, -0, 1, -1, 2, Number.NaN, Infinity, -Infinity)

describe('argExtreme', () => {
  it('is the first winner of each row, NaN first, −0 and +0 tied', () => {
    const rows = fc.array(
      fc.array(fc.oneof(special, fc.double()), { minLength: 1, maxLength: 9 }),
      {
        minLength: 1,
        maxLength: 4,
      },
    )
    fc.assert(
      fc.property(rows, fc.nat(8), (raw, width) => {
        const n = (width % 9) + 1
        const data = raw.map((r) => Array.from({ length: n }, (_, j) => r[j % r.length]!))
        const x = tensor(data)
        expect(argmax(x, 1).toArray()).toEqual(data.map((r) => first(r, false)))
        expect(argmin(x, 1).toArray()).toEqual(data.map((r) => first(r, true)))
        expect(argmin(x, -1).toArray()).toEqual(data.map((r) => first(r, true)))
      }),
    )
  })

  it('gets the orders a one-comparison scan can confuse', () => {
    expect(argmin(tensor([3, 1, Number.NaN, 0])).item()).toBe(2)
    expect(argmax(tensor([3, 5, Number.NaN, Number.NaN])).item()).toBe(2)
    expect(argmax(tensor([Number.NaN, 5]))).toEqual(argmax(tensor([Number.NaN, 5])))
    expect(argmax(tensor([Number.NaN, 5])).item()).toBe(0)
    expect(argmin(tensor([-0, 0])).item()).toBe(0)
    expect(argmin(tensor([0, -0])).item()).toBe(0)
    expect(argmax(tensor([-Infinity, -Infinity])).item()).toBe(0)
    expect(argmin(tensor([Infinity, 2, -Infinity, -Infinity])).item()).toBe(2)
    expect(argmax(tensor([[4]]), 1).toArray()).toEqual([0])
  })

  it('gives float64 positions for float32 values, along any axis, keepdims kept', () => {
    const x = astype(
      tensor([
        [3, 1, 2],
        [0, -1, 5],
      ]),
      'float32',
    )
    const along1 = argmin(x, 1)
    expect(along1.dtype).toBe('float64')
    expect(along1.toArray()).toEqual([1, 1])
    expect(argmax(x, 0).toArray()).toEqual([0, 0, 1])
    expect(argmax(x, 0, { keepdims: true }).shape).toEqual([1, 3])
    expect(argmax(x, null, { keepdims: true }).toArray()).toEqual([[5]])
  })

  it('is one kernel call under jit, with eager positions on the first call and on replays', () => {
    const f = jit((z: Tensor) => argmin(z, 1))
    const x = tensor([
      [2, Number.NaN, 1],
      [5, -0, 0],
    ])
    const program = f.trace(x)
    expect(String(program)).toContain('argExtreme')
    expect(program.stats.kernels).toBe(1)
    expect(program.stats.loops).toBe(0)
    expect(f(x).toArray()).toEqual([1, 1])
    expect(
      f(
        tensor([
          [1, 0, -1],
          [0, 1, 2],
        ]),
      ).toArray(),
    ).toEqual([2, 0])
    expect(vmap((z: Tensor) => argmax(z, 0))(x).toArray()).toEqual([1, 0])
  })
})
