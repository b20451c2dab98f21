/**
 * Initialisers: shapes, determinism by key (same key → same tensor, different keys → different
 * tensors), the variances of Glorot and He (2/(fanIn + fanOut) and 2/fanIn), the bounds of the
 * uniform forms, fans of higher-rank (convolution) shapes, and the rank-2 precondition.
 */
import { type Floats, random, ShapeError } from 'fluxion'
import { glorotNormal, glorotUniform, heNormal, heUniform, type Initializer } from 'fluxion/nn'
import { describe, expect, it } from 'vitest'

const moments = (data: Floats): { mean: number; variance: number } => {
  let mean = 0
  for (const v of data) mean += v
  mean /= data.length
  let variance = 0
  for (const v of data) variance += (v - mean) ** 2
  return { mean, variance: variance / data.length }
}

// [300, 200]: fanIn 300, fanOut 200, 60 000 draws
const glorotVariance = 2 / (300 + 200)
const heVariance = 2 / 300
const cases: readonly [string, Initializer, number, 'uniform' | 'normal'][] = [
  ['glorotUniform', glorotUniform, glorotVariance, 'uniform'],
  ['glorotNormal', glorotNormal, glorotVariance, 'normal'],
  ['heUniform', heUniform, heVariance, 'uniform'],
  ['heNormal', heNormal, heVariance, 'normal'],
]

describe.each(cases)('%s', (_name, init, variance, family) => {
  const sample = init(random.key(1), [300, 200])

  it('has the requested shape', () => {
    expect(sample.shape).toEqual([300, 200])
    expect(init(random.key(0), [2, 3, 4]).shape).toEqual([2, 3, 4])
  })

  it('is a function of the key: same key, same tensor; other keys, other tensors', () => {
    expect(init(random.key(1), [300, 200]).data).toEqual(sample.data)
    const [a, b] = random.split(random.key(1))
    expect(init(a!, [4, 4]).data).not.toEqual(init(b!, [4, 4]).data)
    expect(init(random.key(2), [4, 4]).data).not.toEqual(init(random.key(1), [4, 4]).data)
  })

  it('has mean ≈ 0 and the variance of its rule (within 3%)', () => {
    const m = moments(sample.data)
    // the sample mean's standard error is √(variance / 60 000); allow four of them
    expect(Math.abs(m.mean)).toBeLessThan(4 * Math.sqrt(variance / sample.size))
    expect(Math.abs(m.variance / variance - 1)).toBeLessThan(0.03)
  })

  if (family === 'uniform') {
    it('stays within ±√(3·variance)', () => {
      const bound = Math.sqrt(3 * variance)
      const largest = Array.from(sample.data).reduce((a, v) => Math.max(a, Math.abs(v)), 0)
      expect(largest).toBeLessThanOrEqual(bound)
      expect(largest).toBeGreaterThan(0.99 * bound)
    })
  }

  it('needs a weight shape of rank ≥ 2; empty shapes give empty tensors', () => {
    expect(() => init(random.key(0), [5])).toThrow(ShapeError)
    expect(() => init(random.key(0), [])).toThrow(ShapeError)
    expect(init(random.key(0), [0, 4]).shape).toEqual([0, 4])
  })
})

describe('fans of higher-rank shapes', () => {
  it('multiply by the receptive field: [3, 3, 16, 32] has fanIn 144', () => {
    const w = heNormal(random.key(3), [3, 3, 16, 32])
    const expected = 2 / (3 * 3 * 16)
    expect(Math.abs(moments(w.data).variance / expected - 1)).toBeLessThan(0.05)
    const g = glorotUniform(random.key(3), [3, 3, 16, 32])
    const bound = Math.sqrt(6 / (9 * 16 + 9 * 32))
    expect(g.data.every((v) => Math.abs(v) <= bound)).toBe(true)
  })
})
