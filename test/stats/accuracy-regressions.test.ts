/**
 * Accuracy regressions from the QA pass on the distributions: gamma.cdf's derivative at loc,
 * Student t's log-density for large ν, and t.cdf's derivatives next to the centre.
 * References: mpmath at the exact double inputs.
 */
import { derivative, grad, jit, stats } from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

const { t, gamma, expon } = stats

describe('gamma.cdf at loc', () => {
  it('has the one-sided density as x-derivative there, as expon.cdf', () => {
    expect(grad((x: number) => gamma.cdf(x, 1))(0)).toBe(1)
    expect(grad((x: number) => expon.cdf(x))(0)).toBe(1)
    expect(grad((x: number) => gamma.cdf(x, 1, 2, 4))(2)).toBe(0.25)
    expect(grad((x: number) => gamma.cdf(x, 2))(0)).toBe(0)
    expect(grad((x: number) => gamma.cdf(x, 1))(-1)).toBe(0)
    expect(gamma.cdf(0, 1)).toBe(0)
  })
})

describe('t.logpdf for large ν', () => {
  it('takes the log-gamma ratio from its asymptotic series, and the normal limit at ∞', () => {
    expectClose(t.logpdf(1, 1e12), -1.4189385332051727, 1e-15, 0)
    expectClose(t.logpdf(1, 1e16), -1.418938533204673, 1e-15, 0)
    expectClose(t.logpdf(1, Infinity), -0.5 * Math.log(2 * Math.PI) - 0.5, 1e-15, 0)
    expectClose(t.logpdf(1, 40), -1.43138644075298, 1e-15, 0)
    expectClose(t.logpdf(1, 25), -1.4388051426260169, 1e-15, 0)
  })
  it('differentiates in ν across the switch, consistent with finite differences', () => {
    const f = (nu: number) => t.logpdf(1.5, nu)
    for (const nu of [15, 19.999, 20, 25, 1e6]) {
      const h = 1e-4 * nu
      expectClose(grad(f)(nu), (f(nu + h) - f(nu - h)) / (2 * h), 1e-6, 1e-15)
    }
    expect(grad(f)(Infinity)).toBe(0)
  })
})

describe('t.cdf near the centre', () => {
  const f = (x: number) => t.cdf(x, 3)
  const pdf = (x: number) => t.pdf(x, 3)
  it('has derivatives of every order from a series analytic in z', () => {
    for (const x of [1e-9, -1e-7, 1e-5, 0.3, 0.8]) {
      expectClose(grad(f)(x), pdf(x), 1e-14, 0)
      // pdf′ = −(ν + 1)z/(ν + z²)·pdf
      expectClose(grad(grad(f))(x), ((-4 * x) / (3 + x * x)) * pdf(x), 1e-12, 0)
    }
    expectClose(derivative(f, 3)(0), (-4 / 3) * pdf(0), 1e-14, 0)
    expectClose(jit(grad(f))(1e-9), pdf(1e-9), 1e-14, 0)
  })
  it('agrees with the betainc form across the switch (z² = min(1, ν/4))', () => {
    for (const [x, df] of [
      [0.999, 8],
      [1.001, 8],
      [0.499, 1],
      [0.501, 1],
    ] as const) {
      if (df === 1) expectClose(t.cdf(x, 1), 0.5 + Math.atan(x) / Math.PI, 1e-15, 0)
      expectClose(grad((u: number) => t.cdf(u, df))(x), t.pdf(x, df), 1e-13, 0)
    }
  })
})
