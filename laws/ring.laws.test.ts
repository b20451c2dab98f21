/**
 * Exact ring laws for the fp-ts `Ring<DualNumber>` instance, on dyadic rationals (n/64 with
 * |n| ≤ 4096): sums and products of three such duals are exact in float64, so every law is
 * checked with `===`, no tolerance and no pinned seed (STYLE lesson 7, P9). The predicates are
 * the kit's (`ringLaws` in fluxion/testing), stated for any Ring and Eq.
 *
 * Runs per property come from `FC_NUM_RUNS` (test/setup.ts); seeds are never pinned.
 */
import { fc, test } from '@fast-check/vitest'
import { add, Dual, grad, mul } from 'fluxion'
import { dualNumber, dyadic, ringLaws } from 'fluxion/testing'
import type { ring } from 'fp-ts'
import { describe, expect } from 'vitest'

const laws = ringLaws(Dual.Ring, Dual.Eq)

describe('Ring<DualNumber>', () => {
  for (const [name, law] of Object.entries(laws)) {
    test.prop([dualNumber, dualNumber, dualNumber])(name, (a, b, c) => {
      expect(law(a, b, c), `${name} at ${JSON.stringify([a, b, c])}`).toBe(true)
    })
  }
  test.prop([dyadic])('derivative of a Ring-polymorphic polynomial equals fluxion grad', (x) => {
    const poly =
      <A>(r: ring.Ring<A>) =>
      (v: A) =>
        r.add(r.mul(v, r.mul(v, v)), r.mul(v, v))
    const direct = (v: number) => add(mul(v, mul(v, v)), mul(v, v))
    expect(Dual.derivative(poly)(x)).toBe(grad(direct)(x))
    expect(Dual.derivative(poly)(x)).toBe(3 * x * x + 2 * x)
  })
  test('div requires a nonzero real part', () => {
    expect(Dual.div(Dual.dual(1, 0), Dual.dual(2, 1))).toEqual({ re: 0.5, eps: -0.25 })
    expect(() => Dual.div(Dual.dual(1, 0), Dual.dual(0, 1))).toThrow(/zero real part/)
  })
})

describe('ring laws detect an unlawful instance', () => {
  // the "dual numbers" of a common mistake: the ε parts multiplied like the real parts
  const wrong: ring.Ring<Dual.DualNumber> = {
    ...Dual.Ring,
    mul: (a, b) => Dual.dual(a.re * b.re, a.eps * b.eps),
  }
  const broken = ringLaws(wrong, Dual.Eq)
  test.prop([dualNumber])('ring-identity fails for it', (a) => {
    fc.pre(a.eps !== 0)
    expect(broken['ring-identity'](a, a, a)).toBe(false)
  })
})
