/**
 * `uninitialized`: the storage of kernels that write every element. Its contents are
 * unspecified, so what is tested is the shape of what it returns, that each array owns its
 * memory, and that kernels built on it never leak stale values (every element is written).
 */
import { add, exp, tensor } from 'fluxion'
import { describe, expect, it } from 'vitest'
import { uninitialized } from '../../src/tensor/kernels/alloc.ts'

describe('uninitialized', () => {
  it('returns a Float64Array of the requested length that owns its memory', () => {
    for (const n of [0, 1, 127, 128, 1000, 100_003]) {
      const a = uninitialized(n)
      expect(a).toBeInstanceOf(Float64Array)
      expect(a.length).toBe(n)
      // never a view into a shared pool: writing it cannot touch another array
      expect(a.byteOffset).toBe(0)
      expect(a.buffer.byteLength).toBe(n * 8)
    }
  })

  it('small arrays are zeroed', () => {
    expect(Array.from(uninitialized(100))).toEqual(new Array(100).fill(0))
  })

  it('kernels on it write every element, even after memory was dirtied and freed', () => {
    const n = 5000
    for (let round = 0; round < 20; round++) {
      // dirty some memory the allocator may hand out again
      uninitialized(n).fill(Number.NaN)
      const x = tensor(Array.from({ length: n }, (_, i) => i))
      const y = add(exp(x), 1)
      expect(y.data.every((v, i) => v === Math.exp(i) + 1)).toBe(true)
    }
  })
})
