import type { Floats } from 'fluxion'
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../../src/core/errors.ts'
import {
  bernoulli,
  type Key,
  key,
  normal,
  permutation,
  split,
  uniform,
} from '../../src/tensor/random.ts'

const mean = (x: Floats) => Array.from(x).reduce((s, v) => s + v, 0) / x.length
const std = (x: Floats) => {
  const m = mean(x)
  return Math.sqrt(Array.from(x).reduce((s, v) => s + (v - m) ** 2, 0) / x.length)
}
/** Pearson correlation of two equally long samples. */
const correlation = (x: Floats, y: Floats) => {
  const [mx, my, sx, sy] = [mean(x), mean(y), std(x), std(y)]
  let s = 0
  for (let i = 0; i < x.length; i++) s += (x[i]! - mx) * (y[i]! - my)
  return s / x.length / (sx * sy)
}

const N = 100_000

/** Passes a deliberately ill-typed value, as untyped JavaScript callers can. */
const bad = <T>(v: unknown): T => v as T

describe('key and split', () => {
  it('make keys of two uint32 words, distinct per seed', () => {
    expect(key(0)).toEqual([0, 0])
    expect(key(42)).toEqual([0, 42])
    expect(key(2 ** 32 + 5)).toEqual([1, 5])
    expect(key(-1)).toEqual([0xffffffff, 0xffffffff])
  })

  it('reject non-integer seeds and malformed keys', () => {
    expect(() => key(1.5)).toThrow(InvalidArgumentError)
    expect(() => key(Number.NaN)).toThrow(InvalidArgumentError)
    expect(() => split(bad<Key>([1, 2, 3]))).toThrow(InvalidArgumentError)
    expect(() => uniform([-1, 0], [2])).toThrow(InvalidArgumentError)
    expect(() => split(key(0), -1)).toThrow(InvalidArgumentError)
  })

  it('split is deterministic and gives distinct uint32 keys', () => {
    const keys = split(key(7), 100)
    expect(split(key(7), 100)).toEqual(keys)
    expect(new Set(keys.map((k) => `${k[0]},${k[1]}`)).size).toBe(100)
    for (const [a, b] of keys) {
      expect(Number.isInteger(a) && a >= 0 && a < 2 ** 32).toBe(true)
      expect(Number.isInteger(b) && b >= 0 && b < 2 ** 32).toBe(true)
    }
    expect(split(key(7))).toHaveLength(2)
    expect(split(key(7), 0)).toEqual([])
  })
})

describe('uniform', () => {
  it('is deterministic: same key, same values; different keys differ', () => {
    const a = uniform(key(1), [1000]).data
    expect(uniform(key(1), [1000]).data).toEqual(a)
    expect(uniform(key(2), [1000]).data).not.toEqual(a)
    const [k1, k2] = split(key(1))
    expect(uniform(k1!, [1000]).data).not.toEqual(uniform(k2!, [1000]).data)
  })

  it('pins the streams of key(0): integer hashing gives these bits on every platform', () => {
    // A regression guard for determinism, not a seed chosen to make a statistical test pass.
    expect(split(key(0))).toEqual([
      [82446345, 264227609],
      [3479467288, 2183101123],
    ])
    expect(Array.from(uniform(key(0), [3]).data)).toEqual([
      0.30946190295611054, 0.08126473532976641, 0.47870598109382123,
    ])
    expect(permutation(key(0), 8)).toEqual([6, 5, 3, 7, 0, 2, 1, 4])
    expect(uniform(key(0), [2, 3]).data.slice(0, 3)).toEqual(uniform(key(0), [3]).data)
  })

  it('has mean ≈ 1/2 and std ≈ 1/√12 over 10⁵ samples, all in [0, 1)', () => {
    const x = uniform(key(3), [N]).data
    expect(Math.abs(mean(x) - 0.5)).toBeLessThan(0.01)
    expect(Math.abs(std(x) - 1 / Math.sqrt(12))).toBeLessThan(0.01)
    expect(Array.from(x).every((v) => v >= 0 && v < 1)).toBe(true)
  })

  it('spreads evenly over 10 bins and has no lag-1 correlation', () => {
    const x = uniform(key(4), [N]).data
    const bins = new Array<number>(10).fill(0)
    for (const v of x) bins[Math.floor(v * 10)]! += 1
    for (const count of bins) expect(Math.abs(count - N / 10)).toBeLessThan(600)
    expect(Math.abs(correlation(x.subarray(1), x.subarray(0, -1)))).toBeLessThan(0.02)
  })

  it('streams of neighbouring keys are uncorrelated', () => {
    const a = uniform(key(10), [N]).data
    const b = uniform(key(11), [N]).data
    expect(Math.abs(correlation(a, b))).toBeLessThan(0.02)
  })

  it('scales to [low, high) and validates its bounds', () => {
    const x = uniform(key(5), [1000], -3, -1).data
    expect(x.every((v) => v >= -3 && v < -1)).toBe(true)
    expect(() => uniform(key(5), [2], 1, 1)).toThrow(InvalidArgumentError)
    expect(() => uniform(key(5), [2], 0, Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError)
    expect(() => uniform(key(5), [1e6, 1e6])).toThrow(InvalidArgumentError)
  })
})

describe('normal', () => {
  it('has mean ≈ 0 and std ≈ 1 over 10⁵ samples', () => {
    const x = normal(key(6), [N]).data
    expect(Math.abs(mean(x))).toBeLessThan(0.02)
    expect(Math.abs(std(x) - 1)).toBeLessThan(0.02)
    // About 68.3% of a standard normal lies within one standard deviation.
    expect(Math.abs(x.filter((v) => Math.abs(v) < 1).length / N - 0.6827)).toBeLessThan(0.01)
  })

  it('is deterministic, shifts and scales, and fills odd sizes', () => {
    expect(normal(key(6), [5]).data).toEqual(normal(key(6), [5]).data)
    const x = normal(key(8), [N + 1], 10, 2).data
    expect(Math.abs(mean(x) - 10)).toBeLessThan(0.05)
    expect(Math.abs(std(x) - 2)).toBeLessThan(0.05)
    expect(x.every(Number.isFinite)).toBe(true)
    expect(() => normal(key(6), [2], 0, -1)).toThrow(InvalidArgumentError)
  })
})

describe('bernoulli', () => {
  it('gives 0/1 values with frequency ≈ p', () => {
    const x = bernoulli(key(9), [N], 0.3).data
    expect(x.every((v) => v === 0 || v === 1)).toBe(true)
    expect(Math.abs(mean(x) - 0.3)).toBeLessThan(0.01)
    expect(Array.from(bernoulli(key(9), [4], 0).data)).toEqual([0, 0, 0, 0])
    expect(Array.from(bernoulli(key(9), [4], 1).data)).toEqual([1, 1, 1, 1])
    expect(() => bernoulli(key(9), [4], 1.5)).toThrow(InvalidArgumentError)
    expect(() => bernoulli(key(9), [4], Number.NaN)).toThrow(InvalidArgumentError)
  })
})

describe('permutation', () => {
  it('is a deterministic permutation of 0..n−1', () => {
    const p = permutation(key(12), 50)
    expect(permutation(key(12), 50)).toEqual(p)
    expect(p.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_v, i) => i))
    expect(permutation(key(13), 50)).not.toEqual(p)
    expect(permutation(key(0), 0)).toEqual([])
    expect(permutation(key(0), 1)).toEqual([0])
    expect(() => permutation(key(0), -1)).toThrow(InvalidArgumentError)
  })

  it('puts each element in each position about equally often', () => {
    const n = 4
    const counts = new Array<number>(n * n).fill(0)
    for (const k of split(key(14), 8000)) {
      permutation(k, n).forEach((v, pos) => {
        counts[v * n + pos]! += 1
      })
    }
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200)
  })
})
