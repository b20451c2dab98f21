import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { erf, logistic, sign, softplus } from '../../src/tensor/kernels/scalar.ts'

const relErr = (got: number, want: number): number =>
  want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want)

describe('erf', () => {
  // Reference values: mpmath at 30 digits, rounded to double.
  const known: readonly (readonly [number, number])[] = [
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [-0.1, -0.1124629160182849],
    [3, 0.9999779095030014],
    [1e-10, 1.1283791670955126e-10],
    [1e-300, 1.1283791670955126e-300],
    [1e-8, 1.1283791670955126e-8],
    [0.3, 0.3286267594591274],
    [0.7, 0.6778011938374184],
    [1.5, 0.9661051464753108],
    [2.2, 0.9981371537020182],
    [2.49, 0.9995707121322661],
    [2.51, 0.9996142945182758],
    [3.7, 0.9999998328489421],
    [4.5, 0.9999999998033839],
    [5.5, 0.9999999999999927],
    [5.99, 1],
  ]
  it.each(known)('erf(%s) is accurate to ~1e-15 relative', (x, want) => {
    expect(relErr(erf(x), want)).toBeLessThan(2e-15)
  })

  it('handles signed zeros, infinities and NaN', () => {
    expect(Object.is(erf(0), 0)).toBe(true)
    expect(Object.is(erf(-0), -0)).toBe(true)
    expect(erf(Number.POSITIVE_INFINITY)).toBe(1)
    expect(erf(Number.NEGATIVE_INFINITY)).toBe(-1)
    expect(erf(40)).toBe(1)
    expect(erf(Number.NaN)).toBeNaN()
  })

  test.prop([fc.double({ min: -10, max: 10, noNaN: true })])('is odd and bounded by 1', (x) => {
    expect(erf(-x)).toBe(-erf(x))
    expect(Math.abs(erf(x))).toBeLessThanOrEqual(1)
  })

  test.prop([
    fc.double({ min: -7, max: 7, noNaN: true }),
    fc.double({ min: -7, max: 7, noNaN: true }),
  ])('is monotone', (x, y) => {
    if (x < y) expect(erf(x)).toBeLessThanOrEqual(erf(y))
  })
})

describe('logistic', () => {
  it('is stable at ±1000 and exact at 0', () => {
    expect(logistic(1000)).toBe(1)
    expect(logistic(-1000)).toBe(0)
    expect(logistic(0)).toBe(0.5)
    expect(relErr(logistic(-700), 9.85967654375977e-305)).toBeLessThan(1e-13)
    expect(logistic(Number.POSITIVE_INFINITY)).toBe(1)
    expect(logistic(Number.NEGATIVE_INFINITY)).toBe(0)
    expect(logistic(Number.NaN)).toBeNaN()
  })

  test.prop([fc.double({ min: -800, max: 800, noNaN: true })])(
    'stays in [0, 1] and satisfies σ(x) + σ(−x) = 1',
    (x) => {
      const y = logistic(x)
      expect(y).toBeGreaterThanOrEqual(0)
      expect(y).toBeLessThanOrEqual(1)
      expect(Math.abs(y + logistic(-x) - 1)).toBeLessThan(1e-15)
    },
  )
})

describe('softplus', () => {
  it('is stable at ±1000 and correct at 0', () => {
    expect(softplus(1000)).toBe(1000)
    expect(softplus(-1000)).toBe(0)
    expect(softplus(0)).toBe(Math.LN2)
    expect(relErr(softplus(-20), 2.061153620314381e-9)).toBeLessThan(1e-14)
    expect(relErr(softplus(-700), 9.85967654375977e-305)).toBeLessThan(1e-13)
    expect(softplus(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY)
    expect(softplus(Number.NEGATIVE_INFINITY)).toBe(0)
    expect(softplus(Number.NaN)).toBeNaN()
  })

  test.prop([fc.double({ min: -50, max: 50, noNaN: true })])(
    'softplus(x) − softplus(−x) = x',
    (x) => {
      expect(Math.abs(softplus(x) - softplus(-x) - x)).toBeLessThan(1e-13)
    },
  )
})

describe('sign', () => {
  it('is 1, -1, 0 for ±0 and NaN for NaN', () => {
    expect(sign(3)).toBe(1)
    expect(sign(Number.POSITIVE_INFINITY)).toBe(1)
    expect(sign(-1e-300)).toBe(-1)
    expect(sign(0)).toBe(0)
    expect(sign(-0)).toBe(0)
    expect(sign(Number.NaN)).toBeNaN()
  })
})
