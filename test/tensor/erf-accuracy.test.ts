/**
 * Accuracy of the error-function family in ulps, against references computed in 200-bit
 * arithmetic (mpmath 1.3; ndtri at 1400 bits so that 1 − 2p is exact) and rounded to the nearest
 * double, stored in erf-reference.json. The points are random in each region the kernels
 * treat apart (|x| < 10⁻⁸, the series below 0.84375, the continued fraction to 6, the tails to
 * 27), with their negatives; y uniform in (−1, 1) for erfinv; p log-uniform down to 10⁻²⁰⁰
 * and uniform on [¼, ¾] for ndtri. scripts/erf-reference.py made the file (Python with mpmath;
 * not needed to run the test).
 *
 * Before src/tensor/kernels/erf-core.ts these bounds were 8 (erf), 13 (erfc), 16 (erfcx),
 * 9 (ndtr), 4 (erfinv) and 4 (ndtri) ulps.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { erfc, erfcx, erfinv, ndtr, ndtri } from '../../src/tensor/kernels/erf-scalar.ts'
import { erf } from '../../src/tensor/kernels/scalar.ts'

type Reference = Record<
  'x' | 'y' | 'p' | 'erf' | 'erfc' | 'erfcx' | 'ndtr' | 'erfinv' | 'ndtri',
  string[]
>
const reference = JSON.parse(
  readFileSync(new URL('./erf-reference.json', import.meta.url), 'utf8'),
) as Reference

/** The distance between two doubles in units in the last place (0 for equal values). */
const ulps = (a: number, b: number): number => {
  if (Object.is(a, b)) return 0
  const view = new DataView(new ArrayBuffer(16))
  view.setFloat64(0, a)
  view.setFloat64(8, b)
  // doubles of one sign are ordered as their bits; across signs, count through zero
  const ia = view.getBigInt64(0)
  const ib = view.getBigInt64(8)
  const ka = ia < 0n ? -(ia & 0x7fffffffffffffffn) : ia
  const kb = ib < 0n ? -(ib & 0x7fffffffffffffffn) : ib
  return Number(ka > kb ? ka - kb : kb - ka)
}

/** A reference value: Python writes the infinities as `inf` and `-inf`. */
const parse = (s: string): number =>
  s === 'inf' ? Number.POSITIVE_INFINITY : s === '-inf' ? Number.NEGATIVE_INFINITY : Number(s)

/** The largest error of `f` over the reference points, and where. */
const worst = (f: (x: number) => number, args: string[], want: string[]): [number, number] => {
  let most = 0
  let at = Number.NaN
  args.forEach((s, i) => {
    const x = Number(s)
    const u = ulps(f(x), parse(want[i]!))
    if (u > most) [most, at] = [u, x]
  })
  return [most, at]
}

describe('error functions, in ulps against 200-bit references', () => {
  const cases: [string, (x: number) => number, keyof Reference, keyof Reference, number][] = [
    ['erf', erf, 'x', 'erf', 1],
    ['erfc', erfc, 'x', 'erfc', 2],
    ['erfcx', erfcx, 'x', 'erfcx', 3],
    ['ndtr', ndtr, 'x', 'ndtr', 3],
    ['erfinv', erfinv, 'y', 'erfinv', 1],
    ['ndtri', ndtri, 'p', 'ndtri', 2],
  ]
  for (const [name, f, args, want, bound] of cases) {
    it(`${name} within ${bound} ulp${bound > 1 ? 's' : ''}`, () => {
      expect(reference[args].length).toBeGreaterThan(90)
      const [most, at] = worst(f, reference[args], reference[want])
      expect(most, `${name}(${at})`).toBeLessThanOrEqual(bound)
    })
  }

  it('counts ulps across zero and between neighbours', () => {
    expect(ulps(1, 1 + Number.EPSILON)).toBe(1)
    expect(ulps(-0, 0)).toBe(0)
    expect(ulps(-Number.MIN_VALUE, Number.MIN_VALUE)).toBe(2)
  })

  it('erf and erfc are monotone across the boundaries between methods', () => {
    // 2000 consecutive doubles on each side of each switch (the old kernels broke this at 0.75)
    const view = new DataView(new ArrayBuffer(8))
    const step = (x: number, k: number): number => {
      view.setFloat64(0, x)
      view.setBigInt64(0, view.getBigInt64(0) + BigInt(k))
      return view.getFloat64(0)
    }
    for (const b of [0.75, 0.84375, 1.25, 1.75, 3.25, 3.75, 6]) {
      for (let k = -2000; k < 2000; k++) {
        const x = step(b, k)
        const y = step(b, k + 1)
        if (erf(y) < erf(x) || erfc(y) > erfc(x)) expect.fail(`not monotone at ${x}`)
      }
    }
  })

  it('erf is odd and exact at the special points', () => {
    expect(Object.is(erf(-0), -0)).toBe(true)
    expect(erf(0)).toBe(0)
    expect(erf(Number.POSITIVE_INFINITY)).toBe(1)
    expect(erf(Number.NEGATIVE_INFINITY)).toBe(-1)
    expect(erf(Number.NaN)).toBeNaN()
    expect(erfc(Number.NEGATIVE_INFINITY)).toBe(2)
    expect(erfc(Number.POSITIVE_INFINITY)).toBe(0)
    for (const x of [1e-300, 0.3, 0.84375, 0.9, 1.7, 4]) expect(erf(-x)).toBe(-erf(x))
  })
})
