/**
 * The cdfs built on `betainc` (issue #14 §6): Student t and beta. Values against closed forms
 * (t with ν = 1 is Cauchy, ν = 2 has ½ + x/(2√(2 + x²)); beta(a, 1) is zᵃ), a tabulated
 * quantile, and Simpson integration of the pdf; derivatives against the pdf (at the t's centre
 * too, where the formula through w = ν/(ν + z²) would give 0·∞); transformations; errors.
 */
import {
  derivative,
  grad,
  InvalidArgumentError,
  jit,
  stats,
  type Tensor,
  tensor,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'

const { t, beta } = stats

const close = (actual: number, expected: number, rtol: number, atol = 0): void => {
  const err = Math.abs(actual - expected)
  if (!(err <= atol + rtol * Math.abs(expected))) {
    throw new Error(`${actual} vs ${expected}: error ${err} > ${atol} + ${rtol}·|expected|`)
  }
}

const simpson = (f: (x: number) => number, lo: number, hi: number, n = 20_000): number => {
  const h = (hi - lo) / n
  let s = f(lo) + f(hi)
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(lo + i * h)
  return (s * h) / 3
}

describe('t.cdf', () => {
  it('is ½ at the centre, and closed forms for ν = 1 and 2', () => {
    for (const df of [0.5, 1, 3, 30.5]) expect(t.cdf(0, df)).toBe(0.5)
    expect(t.cdf(5, 3, 5, 2)).toBe(0.5)
    for (const x of [-30, -2.5, -0.3, 0.01, 1, 7, 1e3]) {
      close(t.cdf(x, 1), 0.5 + Math.atan(x) / Math.PI, 1e-14, 1e-16)
      close(t.cdf(x, 2), 0.5 + x / (2 * Math.sqrt(2 + x * x)), 1e-14, 1e-16)
    }
  })

  it('a tabulated quantile: t(0.975; ν = 10) = 2.228138851986274', () => {
    close(t.cdf(2.228138851986274, 10), 0.975, 1e-14)
    close(t.cdf(-2.228138851986274, 10), 0.025, 1e-13)
  })

  it('agrees with Simpson integration of the pdf', () => {
    for (const df of [1.5, 4, 11.25]) {
      for (const x of [-3, -0.7, 0.4, 2.5]) {
        const integral = simpson((u) => t.pdf(u, df), 0, x)
        close(t.cdf(x, df), 0.5 + integral, 1e-12)
      }
    }
  })

  it('grad in x is the pdf, at the centre too; second and third derivative at 0', () => {
    for (const df of [1, 2.5, 7]) {
      for (const x of [0, -1.3, 0.2, 4]) {
        close(grad((u: number) => t.cdf(u, df, 0.5, 2))(x), t.pdf(x, df, 0.5, 2), 1e-12)
      }
      // at z = 0: pdf′(0) = 0, pdf″(0) = −pdf(0)·(ν + 1)/ν
      close(derivative((u: number) => t.cdf(u, df), 2)(0), 0, 0, 1e-15)
      close(derivative((u: number) => t.cdf(u, df), 3)(0), (-t.pdf(0, df) * (df + 1)) / df, 1e-12)
    }
  })

  it('vmap and jit (second call) over x and df', () => {
    const xs = tensor([-1, 0, 2])
    const dfs = tensor([1, 3, 9])
    const expected = [0, 1, 2].map((i) => t.cdf(xs.data[i]!, dfs.data[i]!))
    const f = jit((x: Tensor, df: Tensor) => t.cdf(x, df))
    for (const _ of [1, 2]) {
      const y = f(xs, dfs) as Tensor
      expected.forEach((e, i) => {
        close(y.data[i]!, e, 1e-15)
      })
    }
    const v = vmap((x: Tensor, df: Tensor) => t.cdf(x, df))(xs, dfs) as Tensor
    expected.forEach((e, i) => {
      close(v.data[i]!, e, 1e-15)
    })
  })

  it('errors: a derivative in df, and invalid df', () => {
    expect(() => grad((df: number) => t.cdf(1, df))(3)).toThrow(InvalidArgumentError)
    expect(() => t.cdf(1, 0)).toThrow(InvalidArgumentError)
    expect(() => t.cdf(1, 3, 0, -1)).toThrow(InvalidArgumentError)
    const traced = vmap((df: Tensor) => t.cdf(1, df))(tensor([-1, 3])) as Tensor
    expect(traced.data[0]).toBeNaN()
  })
})

describe('beta.cdf', () => {
  it('known values: zᵃ for b = 1, 0 below and 1 above the support', () => {
    close(beta.cdf(0.5, 2, 1), 0.25, 1e-15)
    close(beta.cdf(2.5, 3, 1, 2, 2), 0.25 ** 3, 1e-15)
    expect(beta.cdf(-0.1, 2, 3)).toBe(0)
    expect(beta.cdf(1.1, 2, 3)).toBe(1)
    expect(beta.cdf(0, 2, 3)).toBe(0)
    expect(beta.cdf(1, 2, 3)).toBe(1)
  })

  it('agrees with Simpson integration of the pdf, and is monotone', () => {
    for (const [a, b] of [
      [2, 3],
      [3.5, 5.25],
    ] as const) {
      for (const x of [0.1, 0.5, 0.8]) {
        close(
          beta.cdf(x, a, b),
          simpson((u) => beta.pdf(u, a, b), 0, x),
          1e-12,
        )
      }
    }
    let previous = 0
    for (let i = -5; i <= 105; i++) {
      const y = beta.cdf(i / 100, 0.7, 2.5)
      expect(y).toBeGreaterThanOrEqual(previous)
      previous = y
    }
    expect(previous).toBe(1)
  })

  it('grad in x, loc and scale by the pdf; 0 outside the support', () => {
    const [a, b, loc, scale, x] = [2.5, 1.5, 1, 2, 2.2]
    close(
      grad((u: number) => beta.cdf(u, a, b, loc, scale))(x),
      beta.pdf(x, a, b, loc, scale),
      1e-12,
    )
    close(
      grad((l: number) => beta.cdf(x, a, b, l, scale))(loc),
      -beta.pdf(x, a, b, loc, scale),
      1e-12,
    )
    const z = (x - loc) / scale
    close(
      grad((s: number) => beta.cdf(x, a, b, loc, s))(scale),
      -beta.pdf(x, a, b, loc, scale) * z,
      1e-12,
    )
    expect(grad((u: number) => beta.cdf(u, a, b))(1.5)).toBe(0)
    expect(grad((u: number) => beta.cdf(u, a, b))(-0.5)).toBe(0)
  })

  it('errors: a derivative in a or b, invalid shapes', () => {
    expect(() => grad((a: number) => beta.cdf(0.3, a, 2))(1.5)).toThrow(InvalidArgumentError)
    expect(() => beta.cdf(0.3, 0, 2)).toThrow(InvalidArgumentError)
    expect(() => beta.cdf(0.3, 2, 2, 0, 0)).toThrow(InvalidArgumentError)
  })
})

describe('binom.cdf in closed form', () => {
  const { binom } = stats
  it('equals the sum of the pmf, 0 below and 1 from n on', () => {
    for (const [n, p] of [
      [9, 0.3],
      [40, 0.62],
      [1, 0.5],
    ] as const) {
      let acc = 0
      for (let k = 0; k < n; k++) {
        acc += binom.pmf(k, n, p)
        close(binom.cdf(k, n, p), acc, 1e-13, 1e-16)
        close(binom.cdf(k + 0.5, n, p), acc, 1e-13, 1e-16)
      }
      expect(binom.cdf(n, n, p)).toBe(1)
      expect(binom.cdf(-0.5, n, p)).toBe(0)
    }
    expect(binom.cdf(2, 5, 0)).toBe(1)
    expect(binom.cdf(2, 5, 1)).toBe(0)
  })

  it('n may be traced: vmap and jit over n', () => {
    const ns = tensor([3, 5, 8])
    const expected = [3, 5, 8].map((n) => binom.cdf(2, n, 0.4))
    const f = jit((n: Tensor) => binom.cdf(2, n, 0.4))
    for (const _ of [1, 2]) {
      const y = f(ns) as Tensor
      expected.forEach((e, i) => {
        close(y.data[i]!, e, 1e-15)
      })
    }
    const v = vmap((n: Tensor) => binom.cdf(2, n, 0.4))(ns) as Tensor
    expected.forEach((e, i) => {
      close(v.data[i]!, e, 1e-15)
    })
    const bad = vmap((n: Tensor) => binom.cdf(2, n, 0.4))(tensor([2.5, 4])) as Tensor
    expect(bad.data[0]).toBeNaN()
  })

  it('grad in p is −(n − k)·C(n, k)·pᵏ(1 − p)ⁿ⁻ᵏ⁻¹; in k 0; in n an InvalidArgumentError', () => {
    const [k, n, p] = [2, 6, 0.35]
    const expected = -(n - k) * 15 * p ** k * (1 - p) ** (n - k - 1)
    close(grad((q: number) => binom.cdf(k, n, q))(p), expected, 1e-13)
    expect(grad((j: number) => binom.cdf(j, n, p))(2.5)).toBe(0)
    expect(() => grad((m: number) => binom.cdf(k, m, p))(6)).toThrow(InvalidArgumentError)
    expect(() => binom.cdf(1, 2.5, 0.5)).toThrow(InvalidArgumentError)
  })
})
