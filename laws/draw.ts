/**
 * fast-check behind the library's `Draw` interface. Domains sample through a `Draw`; backing it
 * with `fc.gen()` records every choice, so fast-check can replay and shrink a failing sample
 * (smaller shapes, simpler numbers) without knowing anything about domains.
 * @module
 */
import fc, { type GeneratorValue } from 'fast-check'
import { Tensor } from 'fluxion'
import type { Numeric } from 'fluxion/testing'
import type { Draw } from '../src/core/primitive.ts'

const checkRange = (min: number, max: number): void => {
  if (!(min <= max)) throw new RangeError(`empty range [${min}, ${max}]`)
}

/** A `Draw` whose integers and reals come from `g` (reals: finite, never NaN). */
export const drawFrom = (g: GeneratorValue): Draw => ({
  integer: (min, max) => {
    checkRange(min, max)
    return min === max ? min : g(fc.integer, { min, max })
  },
  real: (min, max) => {
    checkRange(min, max)
    return min === max ? min : g(fc.double, { min, max, noNaN: true, noDefaultInfinity: true })
  },
})

/**
 * A `Draw` whose reals are dyadic rationals n/`denominator` (P9). Sums and products of a few of
 * them are exact in float64, so laws of linear maps can be checked with `===`. An interval too
 * narrow to hold a multiple of 1/`denominator` yields its lower end.
 */
export const drawDyadicFrom = (g: GeneratorValue, denominator = 64): Draw => {
  const plain = drawFrom(g)
  return {
    integer: plain.integer,
    real: (min, max) => {
      checkRange(min, max)
      const lo = Math.ceil(min * denominator)
      const hi = Math.floor(max * denominator)
      return lo > hi ? min : plain.integer(lo, hi) / denominator
    },
  }
}

/** A value of `template`'s kind and shape with entries drawn from [min, max]. */
export const drawLike = (draw: Draw, template: Numeric, min = -1, max = 1): Numeric => {
  const out = new Float64Array(typeof template === 'number' ? 1 : template.data.length)
  for (let i = 0; i < out.length; i++) out[i] = draw.real(min, max)
  return typeof template === 'number' ? out[0]! : new Tensor(out, template.shape)
}
