/**
 * Accuracy regressions from the QA pass on elementwise and special functions: derivatives that
 * cancelled (logistic, tanh, asin/acos, erfcx), over- and underflowing intermediates (atan2,
 * erfcx far left), a hang (polygamma of huge order) and lost digits (gammainc with x ≪ a).
 * References: 40-digit mpmath values at the exact double inputs, rounded to doubles.
 */
import {
  acos,
  asin,
  atan2,
  derivative,
  erfcx,
  expit,
  gammainc,
  grad,
  hessian,
  jit,
  logistic,
  logNdtr,
  polygamma,
  softplus,
  stats,
  sum,
  type Tensor,
  tanh,
  tensor,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import { checkUnary } from './transform-checks.ts'

describe('logistic, tanh and softplus derivatives keep relative accuracy on both sides', () => {
  it('σ′(x) = σ(x)·σ(−x): σ′(30), σ′(40) as accurate as σ′(−30), σ′(−40)', () => {
    for (const f of [logistic, expit]) {
      const d = grad((x: number) => f(x))
      expectClose(d(30), 9.357622968838423e-14, 1e-14, 0)
      expectClose(d(40), 4.248354255291589e-18, 1e-14, 0)
      expect(d(-40)).toBe(d(40))
      expectClose(grad(d)(30), -9.357622968836672e-14, 1e-13, 0)
    }
    expectClose(grad(grad((x: number) => softplus(x)))(40), 4.248354255291589e-18, 1e-14, 0)
    // the fused pullback kernel and jit run the rule's ops: the same bits
    const t = tensor([-40, -3, 0, 2.5, 30, 40])
    const g = grad((v: Tensor) => sum(logistic(v)))
    expect((jit(g)(t) as Tensor).data).toEqual((g(t) as Tensor).data)
    expectClose(
      derivative((x: number) => logistic(x), 3)(35),
      grad(grad(grad((x: number) => logistic(x))))(35),
      1e-12,
      0,
    )
  })

  it('tanh′ = sech²: tanh′(20) ≈ 1.7e-17 (was 0), tanh′(10) to an ulp or two (was 1.1e-8 off)', () => {
    const d = grad((x: number) => tanh(x))
    expectClose(d(20), 1.6993417021166355e-17, 1e-14, 0)
    expectClose(d(10), 8.244614455767397e-9, 1e-15, 0)
    expectClose(d(-10), 8.244614455767397e-9, 1e-15, 0)
    expectClose(grad(d)(10), -1.6489228843561127e-8, 1e-14, 0)
    expect(d(800)).toBe(0)
    checkUnary(tanh, [-12, -0.7, 0.3, 15])
    checkUnary(logistic, [-30, -1, 0.5, 30])
  })
})

describe('asin and acos derivatives near ±1', () => {
  it('use (1 − x)(1 + x), not 1 − x·x', () => {
    expectClose(grad((x: number) => asin(x))(0.99999999), 7071.067811777938, 1e-14, 0)
    expectClose(grad((x: number) => acos(x))(-0.99999999), -7071.067811777938, 1e-14, 0)
    // (asin′)′ = x·(1 − x²)^(−3/2), from the same factored form
    const x = 0.99999999
    const w = (1 - x) * (1 + x)
    expectClose(grad(grad((u: number) => asin(u)))(x), x / (w * Math.sqrt(w)), 1e-13, 0)
  })
})

describe('atan2 gradient at extreme scales', () => {
  const g = grad((a: number, b: number) => atan2(a, b), { argnums: [0, 1] })
  it('is finite and right where a² + b² over- or underflows', () => {
    expectClose(g(1e-200, 1e-200) as number[], [5e199, -5e199], 1e-15, 0)
    expectClose(g(1e200, 1e200) as number[], [5e-201, -5e-201], 1e-15, 0)
    expectClose(g(3e-300, -4e-300) as number[], [-1.6e299, -1.2e299], 1e-15, 0)
  })
  it('is unchanged to the bit in the normal range', () => {
    for (const [a, b] of [
      [1, 2],
      [0.3, -0.7],
      [3, 0.5],
    ] as const) {
      const d = a * a + b * b
      expect(g(a, b)).toEqual([b / d, -a / d])
    }
  })
})

describe('erfcx in the far left tail and its derivative in the far right', () => {
  it('overflows to +∞ for every x below about −26.6, never NaN', () => {
    for (const x of [-26.7, -27, -389045.14499428123, -1e100, -1e300, -Infinity]) {
      expect(erfcx(x)).toBe(Infinity)
    }
    expect(grad((x: number) => logNdtr(x))(1e15 + 0.5)).toBe(0)
    expect(grad((x: number) => stats.norm.logcdf(x, 0, 1e-16))(0.1)).toBe(0)
  })

  it('erfcx′ = 2x·erfcx − 2/√π from its asymptotic series for large x, every order', () => {
    const d1 = grad((x: number) => erfcx(x))
    const d2 = grad(d1)
    const ref: [number, number, number][] = [
      [1e4, -5.641895750849127e-9, 1.1283791332441388e-12],
      [1e6, -5.6418958354691e-13, 1.1283791670921273e-18],
      [1e8, -5.641895835477562e-17, 1.1283791670955122e-24],
    ]
    for (const [x, first, second] of ref) {
      expectClose(d1(x), first, 1e-15, 0)
      expectClose(d2(x), second, 1e-14, 0)
      expectClose(derivative((u: number) => erfcx(u), 2)(x), second, 1e-14, 0)
    }
    // −1/(√π·x²) underflows: 0, not the ∞ of 2x·erfcx(x)
    expect(d1(1e308) === 0).toBe(true)
    // both sides of the switch at 8 agree with the references (mpmath)
    expectClose(d1(8), -0.008616507881417731, 1e-14, 0)
    expectClose(d2(8.01), 0.0020985574321851566, 1e-14, 0)
    checkUnary(erfcx, [8.5, 30])
    const t = tensor([3, 9, 1e6])
    const h = hessian((v: Tensor) => sum(erfcx(v)))(t) as Tensor
    expectClose(h.data[8]!, 1.1283791670921273e-18, 1e-14, 0)
  })
})

describe('polygamma of huge order', () => {
  it('returns at once, ±∞ where the result overflows', () => {
    const start = Date.now()
    expect(polygamma(1e6, -0.5)).toBe(-Infinity)
    expect(polygamma(1e8, 1)).toBe(-Infinity)
    expect(polygamma(1e8, 2)).toBe(-Infinity)
    expect(polygamma(1e8 + 1, -0.3)).toBe(Infinity)
    expect(polygamma(1e8, -0.3)).toBe(Infinity)
    expect(polygamma(1e8, -0.7)).toBe(-Infinity)
    expect(polygamma(1e8, 1e300)).toBe(-0)
    expect(Date.now() - start).toBeLessThan(1000)
  })
  it('keeps the sign convention of small orders at negative arguments', () => {
    // the nearest pole's term dominates already at n = 20
    expect(Math.sign(polygamma(20, -0.3))).toBe(1)
    expect(Math.sign(polygamma(20, -0.7))).toBe(-1)
  })
  it('is finite where n! and x^−(n+1) balance', () => {
    expectClose(polygamma(171, 60), 1896.294640812574, 1e-12, 0)
    expectClose(polygamma(170, 100), -8.884119378185605e-36, 1e-12, 0)
  })
  it('returns at once far from the order, where x^−(n+1) underflows (it summed ~x terms)', () => {
    const start = Date.now()
    // ψ⁽ⁿ⁾(x) ≈ ∓(n − 1)!/xⁿ for x ≫ n
    expect(polygamma(1, 1e200)).toBe(1e-200)
    expectClose(polygamma(1, 1e307), 1 / 1e307, 1e-15, 0)
    expect(polygamma(2, 1e200)).toBe(-0)
    expectClose(polygamma(50, 1e6), -6.082970712101283e-238, 1e-13, 0)
    expect(Date.now() - start).toBeLessThan(1000)
  })
})

describe('gammainc with x ≪ a', () => {
  it('keeps its digits: the prefactor uses log(x/a), not log1p of a rounded −1', () => {
    expectClose(gammainc(12, 1e-10), 2.0876756985941022e-129, 1e-13, 0)
    expectClose(gammainc(12, 1e-20), 2.0876756987868085e-249, 1e-13, 0)
    expectClose(gammainc(100, 0.1), 9.705034877125629e-259, 2e-13, 0)
    expectClose(gammainc(30, 2), 5.855318609378577e-25, 1e-13, 0)
    expectClose(stats.gamma.logcdf(1e-14, 12), -406.8215101186616, 1e-15, 0)
  })
})
