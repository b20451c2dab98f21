import {
  grad,
  hessian,
  InvalidArgumentError,
  index,
  jacfwd,
  jit,
  linspace,
  stats,
  sum,
  type Tensor,
  tensor,
  vmap,
} from 'fluxion'
import { checkGrads } from 'fluxion/testing'
import { describe, expect, test } from 'vitest'

const { norm, t, gamma, beta, expon, laplace, cauchy, logistic } = stats

/** Composite Simpson on [a, b] with n (even) panels, in plain JS: independent of fluxion. */
const simpson = (f: (x: number) => number, a: number, b: number, n = 4000): number => {
  const h = (b - a) / n
  let s = f(a) + f(b)
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h)
  return (s * h) / 3
}

// Each case: the pdf with fixed parameters, the support to integrate over (with an improper-
// tail allowance), cdf/logcdf where they exist.
interface Case {
  readonly name: string
  readonly pdf: (x: number) => number
  readonly logpdf: (x: number) => number
  readonly cdf?: (x: number) => number
  readonly logcdf?: (x: number) => number
  readonly lo: number
  readonly hi: number
  readonly tol: number
}
const cases: Case[] = [
  {
    name: 'norm',
    pdf: (x) => norm.pdf(x, 0.5, 1.5),
    logpdf: (x) => norm.logpdf(x, 0.5, 1.5),
    cdf: (x) => norm.cdf(x, 0.5, 1.5),
    logcdf: (x) => norm.logcdf(x, 0.5, 1.5),
    lo: -15,
    hi: 15,
    tol: 1e-10,
  },
  {
    name: 'expon',
    pdf: (x) => expon.pdf(x, 1, 2),
    logpdf: (x) => expon.logpdf(x, 1, 2),
    cdf: (x) => expon.cdf(x, 1, 2),
    logcdf: (x) => expon.logcdf(x, 1, 2),
    lo: 1,
    hi: 100,
    tol: 1e-10,
  },
  {
    name: 'laplace',
    pdf: (x) => laplace.pdf(x, -1, 0.7),
    logpdf: (x) => laplace.logpdf(x, -1, 0.7),
    cdf: (x) => laplace.cdf(x, -1, 0.7),
    logcdf: (x) => laplace.logcdf(x, -1, 0.7),
    lo: -40,
    hi: 40,
    tol: 1e-6,
  },
  {
    name: 'logistic',
    pdf: (x) => logistic.pdf(x, 0.3, 1.2),
    logpdf: (x) => logistic.logpdf(x, 0.3, 1.2),
    cdf: (x) => logistic.cdf(x, 0.3, 1.2),
    logcdf: (x) => logistic.logcdf(x, 0.3, 1.2),
    lo: -60,
    hi: 60,
    tol: 1e-8,
  },
  {
    name: 'gamma',
    pdf: (x) => gamma.pdf(x, 2.5, 0, 1.3),
    logpdf: (x) => gamma.logpdf(x, 2.5, 0, 1.3),
    cdf: (x) => gamma.cdf(x, 2.5, 0, 1.3),
    logcdf: (x) => gamma.logcdf(x, 2.5, 0, 1.3),
    lo: 0,
    hi: 80,
    tol: 1e-9,
  },
  {
    name: 'beta',
    pdf: (x) => beta.pdf(x, 2.5, 3.5, -1, 2),
    logpdf: (x) => beta.logpdf(x, 2.5, 3.5, -1, 2),
    lo: -1,
    hi: 1,
    tol: 1e-8,
  },
  {
    name: 't',
    pdf: (x) => t.pdf(x, 7, 0.2, 1.1),
    logpdf: (x) => t.logpdf(x, 7, 0.2, 1.1),
    lo: -2000,
    hi: 2000,
    tol: 1e-6,
  },
]

describe.each(cases)('$name', (c) => {
  test('pdf integrates to 1 and is exp(logpdf)', () => {
    expect(simpson(c.pdf, c.lo, c.hi, 200000)).toBeCloseTo(1, 6)
    for (const x of [c.lo + 0.1, (c.lo + c.hi) / 7, c.hi / 3]) {
      expect(c.pdf(x)).toBeCloseTo(Math.exp(c.logpdf(x)), 14)
    }
  })
  test('cdf is the integral of the pdf, monotone, and logcdf = log(cdf)', () => {
    const { cdf, logcdf } = c
    if (cdf === undefined || logcdf === undefined) return
    const lo = Math.max(c.lo, -30)
    let prev = -1
    for (const x of [lo + 0.5, lo + 2, 0, 1.5, 4].sort((a, b) => a - b)) {
      const v = cdf(x)
      expect(v).toBeGreaterThanOrEqual(prev)
      prev = v
      const mass = x > c.lo ? simpson(c.pdf, c.lo, x, 20000) : 0
      expect(Math.abs(v - mass - cdf(c.lo))).toBeLessThan(c.tol)
      if (v > 1e-300) expect(logcdf(x)).toBeCloseTo(Math.log(v), 10)
    }
  })
})

describe('known values', () => {
  test('normal', () => {
    expect(norm.logpdf(0)).toBeCloseTo(-0.5 * Math.log(2 * Math.PI), 15)
    expect(norm.cdf(1.96)).toBeCloseTo(0.9750021048517795, 15)
    // log Φ(−40), from mpmath at 30 digits
    expect(norm.logcdf(-40)).toBeCloseTo(-804.6084420137538, 10)
    expect(Number.isFinite(grad((x: number) => norm.logcdf(x))(-40))).toBe(true)
    // d/dx log Φ(x) = φ(x)/Φ(x) ≈ −x for x → −∞
    expect(grad((x: number) => norm.logcdf(x))(-40)).toBeCloseTo(40.02498, 4)
  })
  test('tails and closed forms', () => {
    expect(cauchy.cdf(-1e10)).toBeCloseTo(1 / (Math.PI * 1e10), 25)
    expect(cauchy.cdf(1, 0, 1)).toBeCloseTo(0.75, 15)
    expect(logistic.logcdf(-800)).toBe(-800)
    expect(laplace.logcdf(-1000)).toBeCloseTo(-1000 - Math.LN2, 10)
    expect(expon.logcdf(50)).toBeCloseTo(-Math.exp(-50), 35)
    expect(t.logpdf(0, 1)).toBeCloseTo(-Math.log(Math.PI), 14) // Cauchy
    expect(t.logpdf(0.7, 1e7)).toBeCloseTo(norm.logpdf(0.7), 6)
    expect(gamma.cdf(3, 1)).toBeCloseTo(1 - Math.exp(-3), 15)
    expect(beta.logpdf(0.3, 1, 1)).toBe(0)
  })
})

describe('outside the support and invalid parameters', () => {
  test('values: −∞, 0 and NaN as SciPy', () => {
    expect(expon.logpdf(-1)).toBe(-Infinity)
    expect(expon.pdf(-1)).toBe(0)
    expect(expon.cdf(-1)).toBe(0)
    expect(expon.logcdf(-1)).toBe(-Infinity)
    expect(gamma.logpdf(-1, 2)).toBe(-Infinity)
    expect(gamma.cdf(-1, 2)).toBe(0)
    expect(beta.logpdf(1.5, 2, 2)).toBe(-Infinity)
    expect(beta.logpdf(-0.5, 2, 2)).toBe(-Infinity)
    for (const call of [
      () => norm.logpdf(0, 0, 0),
      () => norm.cdf(0, 0, -1),
      () => expon.logpdf(1, 0, -2),
      () => laplace.cdf(0, 0, 0),
      () => cauchy.logpdf(0, 0, -1),
      () => logistic.logcdf(0, 0, 0),
      () => t.logpdf(0, -1),
      () => gamma.logpdf(1, 0),
      () => beta.logpdf(0.5, 2, -1),
    ]) {
      // concrete invalid parameters are a named error, also under grad
      expect(call).toThrow(InvalidArgumentError)
    }
    expect(() => grad((s: number) => norm.logpdf(0, 0, s))(-1)).toThrow(InvalidArgumentError)
    // traced by jit or vmap, they cannot be read: NaN, as in JAX
    expect(jit((s: Tensor) => norm.logpdf(tensor(0), 0, s))(tensor(-1)).item()).toBeNaN()
    expect(vmap((s: Tensor) => norm.logpdf(tensor(0), 0, s))(tensor([1, -1])).data[1]).toBeNaN()
  })
  test('derivatives are 0, not NaN, where the value is a constant −∞ or 0', () => {
    const fs = [
      (x: number) => expon.logpdf(x, 0, 2),
      (x: number) => expon.logcdf(x),
      (x: number) => expon.cdf(x),
      (x: number) => gamma.logpdf(x, 0.5),
      (x: number) => gamma.logcdf(x, 0.5),
      (x: number) => beta.logpdf(x, 0.5, 3),
    ]
    for (const f of fs) {
      expect(grad(f)(-1)).toBe(0)
      expect(grad(grad(f))(-1)).toBe(0)
      expect(jacfwd(f)(-1)).toBe(0)
    }
    expect(grad((a: number) => gamma.logpdf(-1, a))(2)).toBe(0)
    expect(grad((b: number) => beta.logpdf(2, 2, b))(2)).toBe(0)
  })
})

describe('derivatives in values and parameters', () => {
  const x = tensor([-0.7, 0.4, 1.9])
  test('checkGrads (order 2) in x, loc, scale and shapes', () => {
    checkGrads((v: Tensor, l: number, s: number) => sum(norm.logpdf(v, l, s)), [x, 0.3, 1.4], {
      order: 2,
    })
    checkGrads((v: Tensor, l: number, s: number) => sum(norm.logcdf(v, l, s)), [x, 0.3, 1.4], {
      order: 2,
    })
    checkGrads((v: Tensor, s: number) => sum(expon.logcdf(v, -1, s)), [x, 1.4], { order: 2 })
    checkGrads((v: Tensor, s: number) => sum(laplace.cdf(v, 0.1, s)), [x, 1.4], { order: 2 })
    checkGrads((v: Tensor, s: number) => sum(cauchy.logcdf(v, 0.1, s)), [x, 1.4], { order: 2 })
    checkGrads((v: Tensor, s: number) => sum(logistic.logpdf(v, 0.1, s)), [x, 1.4], { order: 2 })
    checkGrads((v: Tensor, df: number, s: number) => sum(t.logpdf(v, df, 0.2, s)), [x, 4.5, 1.3], {
      order: 2,
    })
    const pos = tensor([0.3, 1.1, 2.5])
    checkGrads((v: Tensor, a: number) => sum(gamma.logpdf(v, a, 0, 1.2)), [pos, 2.3], { order: 2 })
    checkGrads((v: Tensor, a: number) => sum(gamma.cdf(v, a, 0, 1.2)), [pos, 2.3], { order: 1 })
    const unit = tensor([0.1, 0.45, 0.8])
    checkGrads((v: Tensor, a: number, b: number) => sum(beta.logpdf(v, a, b)), [unit, 2.2, 3.1], {
      order: 2,
    })
  })
  test('grad, hessian, jacfwd, vmap and jit agree', () => {
    const f = (p: Tensor) => sum(t.logpdf(x, index(p, 0), index(p, 1), index(p, 2)))
    const p = tensor([4.5, 0.2, 1.3])
    const g = grad(f)(p)
    const jf0 = jacfwd(f)(p).toArray() as number[]
    for (const [i, v] of (g.toArray() as number[]).entries()) expect(jf0[i]).toBeCloseTo(v, 12)
    const h = hessian(f)(p).toArray() as number[][]
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(h[i]![j]).toBeCloseTo(h[j]![i]!, 10)
    const jf = jit((v: Tensor) => norm.logcdf(v, 0.1, 2))
    const xs = linspace(-50, 5, 7)
    jf(xs)
    expect(jf(xs).toArray()).toEqual(norm.logcdf(xs, 0.1, 2).toArray())
    const mapped = vmap((v: Tensor) => gamma.logcdf(v, 2.5))(tensor([0.5, 1, 40])).toArray()
    expect(mapped).toEqual([0.5, 1, 40].map((v) => gamma.logcdf(v, 2.5)))
    const jg = jit(grad((s: number) => sum(laplace.logcdf(xs, 0, s))))
    jg(1.5)
    expect(jg(1.5)).toBeCloseTo(grad((s: number) => sum(laplace.logcdf(xs, 0, s)))(1.5), 12)
  })
})
