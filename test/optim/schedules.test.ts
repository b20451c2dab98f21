/**
 * Learning-rate schedules against their formulas (optax's definitions): constant, exponential
 * decay (smooth, staircase, delayed, bounded), cosine decay, and linear warm-up.
 */
import { InvalidArgumentError } from 'fluxion'
import { constantSchedule, cosineDecay, exponentialDecay, linearWarmup } from 'fluxion/optim'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

describe('constantSchedule', () => {
  it('is the same at every step', () => {
    expect([0, 1, 1e6].map(constantSchedule(0.3))).toEqual([0.3, 0.3, 0.3])
  })
})

describe('exponentialDecay', () => {
  it('is init·rate^(step/transitionSteps)', () => {
    const s = exponentialDecay({ init: 2, decayRate: 0.5, transitionSteps: 10 })
    expect([0, 10, 20].map(s)).toEqual([2, 1, 0.5])
    expectClose(s(5), 2 * Math.SQRT1_2)
  })

  it('staircase decays in whole jumps', () => {
    const s = exponentialDecay({ init: 1, decayRate: 0.1, transitionSteps: 10, staircase: true })
    expect([0, 9, 10, 19, 20].map(s)).toEqual([1, 1, 0.1, 0.1, 0.1 ** 2])
  })

  it('waits until begin, and never passes end', () => {
    const s = exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 1, begin: 3, end: 0.2 })
    expect([0, 3, 4, 5, 100].map(s)).toEqual([1, 1, 0.5, 0.25, 0.2])
    const growing = exponentialDecay({ init: 1, decayRate: 2, transitionSteps: 1, end: 5 })
    expect([1, 2, 3].map(growing)).toEqual([2, 4, 5])
  })

  it('refuses non-positive transitionSteps and decayRate', () => {
    expect(() => exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 0 })).toThrow(
      InvalidArgumentError,
    )
    expect(() => exponentialDecay({ init: 1, decayRate: 0, transitionSteps: 1 })).toThrow(
      InvalidArgumentError,
    )
  })
})

describe('cosineDecay', () => {
  it('is init·((1 − α)·½(1 + cos(π·t/T)) + α), then stays at α·init', () => {
    const s = cosineDecay({ init: 2, decaySteps: 100, alpha: 0.1 })
    expect(s(0)).toBe(2)
    expectClose(s(50), 2 * (0.9 * 0.5 + 0.1))
    expectClose(s(25), 2 * (0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)) + 0.1))
    expectClose(s(100), 0.2)
    expectClose(s(1000), 0.2)
  })

  it('refuses decaySteps ≤ 0', () => {
    expect(() => cosineDecay({ init: 1, decaySteps: 0 })).toThrow(InvalidArgumentError)
  })
})

describe('linearWarmup', () => {
  it('rises linearly from init to peak, then stays at peak', () => {
    const s = linearWarmup({ peak: 1, steps: 4 })
    expect([0, 1, 2, 4, 10].map(s)).toEqual([0, 0.25, 0.5, 1, 1])
    expect(linearWarmup({ init: 0.5, peak: 1, steps: 2 })(1)).toBe(0.75)
  })

  it('hands over to `after`, started at its own step 0', () => {
    const s = linearWarmup({ peak: 1, steps: 10, after: cosineDecay({ init: 1, decaySteps: 20 }) })
    expect(s(5)).toBe(0.5)
    expect(s(10)).toBe(1)
    expectClose(s(20), 0.5)
    expectClose(s(30), 0)
  })

  it('refuses steps ≤ 0 and non-finite rates', () => {
    expect(() => linearWarmup({ peak: 1, steps: 0 })).toThrow(InvalidArgumentError)
    expect(() => linearWarmup({ peak: Number.POSITIVE_INFINITY, steps: 1 })).toThrow(
      InvalidArgumentError,
    )
    expect(() => constantSchedule(Number.NaN)).toThrow(InvalidArgumentError)
  })
})
