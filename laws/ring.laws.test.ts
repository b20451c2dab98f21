/**
 * Exact ring laws for the fp-ts `Ring<DualNumber>` instance, on dyadic rationals (n/64 with
 * |n| ≤ 4096): sums and products of three such duals are exact in float64, so every law is
 * checked with `===`, no tolerance and no pinned seed (STYLE lesson 7, P9).
 */
import { fc, test } from '@fast-check/vitest'
import { add, Dual, grad, mul } from 'fluxion'
import type { ring } from 'fp-ts'
import { describe, expect } from 'vitest'

const dyadic = fc.integer({ min: -4096, max: 4096 }).map((n) => n / 64)
const dualArb = fc.tuple(dyadic, dyadic).map(([re, eps]) => Dual.dual(re, eps))
const { Ring: R, Eq } = Dual

describe('Ring<DualNumber>', () => {
  test.prop([dualArb, dualArb, dualArb])('ring-associativity of add and mul', (a, b, c) => {
    expect(Eq.equals(R.add(R.add(a, b), c), R.add(a, R.add(b, c)))).toBe(true)
    expect(Eq.equals(R.mul(R.mul(a, b), c), R.mul(a, R.mul(b, c)))).toBe(true)
  })
  test.prop([dualArb, dualArb])('ring-commutativity of add and mul', (a, b) => {
    expect(Eq.equals(R.add(a, b), R.add(b, a))).toBe(true)
    expect(Eq.equals(R.mul(a, b), R.mul(b, a))).toBe(true)
  })
  test.prop([dualArb, dualArb, dualArb])('ring-distributivity', (a, b, c) => {
    expect(Eq.equals(R.mul(a, R.add(b, c)), R.add(R.mul(a, b), R.mul(a, c)))).toBe(true)
    expect(Eq.equals(R.mul(R.add(a, b), c), R.add(R.mul(a, c), R.mul(b, c)))).toBe(true)
  })
  test.prop([dualArb])('ring-identity of zero and one', (a) => {
    expect(Eq.equals(R.add(a, R.zero), a)).toBe(true)
    expect(Eq.equals(R.mul(a, R.one), a)).toBe(true)
    expect(Eq.equals(R.mul(R.one, a), a)).toBe(true)
  })
  test.prop([dualArb])('ring-inverse: a − a = 0 and a + (0 − a) = 0', (a) => {
    expect(Eq.equals(R.sub(a, a), R.zero)).toBe(true)
    expect(Eq.equals(R.add(a, R.sub(R.zero, a)), R.zero)).toBe(true)
  })
  test.prop([dualArb])('ring-annihilation: a · 0 = 0', (a) => {
    expect(Eq.equals(R.mul(a, R.zero), R.zero)).toBe(true)
  })
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
