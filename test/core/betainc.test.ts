/**
 * The regularized incomplete beta function I_x(a, b) (issue #14 §5): values by closed forms
 * (I_x(1, 1) = x, I_x(a, 1) = xᵃ, I_x(1, b) = 1 − (1 − x)ᵇ, I_½(a, a) = ½,
 * I_x(½, ½) = (2/π)·asin √x), the binomial sum for whole a and b, and Simpson quadrature of
 * the beta density computed here (normalized by its own integral over [0, 1], so nothing of
 * fluxion enters). Then the derivative in x against the density and finite differences through
 * every transformation, and the errors: a derivative in a or b, invalid a and b.
 */
import fc from 'fast-check'
import {
  betainc,
  derivative,
  grad,
  hessian,
  InvalidArgumentError,
  jacfwd,
  jacrev,
  jit,
  jvp,
  sum,
  type Tensor,
  tensor,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'

const close = (actual: number, expected: number, rtol: number, atol = 0): void => {
  const err = Math.abs(actual - expected)
  if (!(err <= atol + rtol * Math.abs(expected))) {
    throw new Error(`${actual} vs ${expected}: error ${err} > ${atol} + ${rtol}·|expected|`)
  }
}

/** Simpson's rule for ∫ f over [lo, hi] with n (even) intervals. */
const simpson = (f: (t: number) => number, lo: number, hi: number, n: number): number => {
  const h = (hi - lo) / n
  let s = f(lo) + f(hi)
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(lo + i * h)
  return (s * h) / 3
}

/**
 * I_x(a, b) by quadrature of the density, normalized by its own integral over [0, 1]. For
 * a < 1 with whole b, in u = tᵃ: the integrand (1 − u^(1/a))^(b−1) is a polynomial in
 * u^(1/a), smooth enough at 0; otherwise in t, for a − 1 and b − 1 whole or ≥ 2 (Simpson's
 * error at the ends goes like h^(min(a, b) + 1)).
 */
const byQuadrature = (a: number, b: number, x: number): number => {
  const n = 40_000
  if (a < 1) {
    const f = (u: number) => (1 - u ** (1 / a)) ** (b - 1)
    return simpson(f, 0, x ** a, n) / simpson(f, 0, 1, n)
  }
  const f = (t: number) => t ** (a - 1) * (1 - t) ** (b - 1)
  return simpson(f, 0, x, n) / simpson(f, 0, 1, n)
}

/** Σ_{j=a}^{a+b−1} C(a+b−1, j) xʲ(1 − x)^(a+b−1−j): I_x(a, b) for whole a, b. */
const binomialSum = (a: number, b: number, x: number): number => {
  const n = a + b - 1
  let c = 1
  let s = 0
  for (let j = 0; j <= n; j++) {
    if (j >= a) s += c * x ** j * (1 - x) ** (n - j)
    c = (c * (n - j)) / (j + 1)
  }
  return s
}

/** The beta density with B(a, b) given in closed form by the caller. */
const density = (a: number, b: number, beta: number, x: number): number =>
  (x ** (a - 1) * (1 - x) ** (b - 1)) / beta

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1))
/** [a, b, B(a, b)]: Γ(½) = √π, Γ(n + ½) = (2n − 1)!!/2ⁿ·√π, B of whole numbers by factorials. */
const withBeta: readonly (readonly [number, number, number])[] = [
  [2.5, 3.5, (0.75 * 1.875 * Math.PI) / 120],
  [0.5, 1.5, Math.PI / 2],
  [12, 7, (factorial(11) * factorial(6)) / factorial(18)],
  [2, 3, 1 / 12],
  [1, 3, 1 / 3],
]

const unit = fc.double({ min: 0.01, max: 0.99, noNaN: true })
const shape = fc.double({ min: 0.2, max: 20, noNaN: true })

describe('betainc values', () => {
  it('closed forms', () => {
    fc.assert(
      fc.property(unit, shape, (x, a) => {
        close(betainc(1, 1, x), x, 1e-14)
        close(betainc(a, 1, x), x ** a, 1e-13)
        close(betainc(1, a, x), -Math.expm1(a * Math.log1p(-x)), 1e-13)
        close(betainc(a, a, 0.5), 0.5, 5e-14)
        close(betainc(0.5, 0.5, x), (2 / Math.PI) * Math.asin(Math.sqrt(x)), 1e-14)
      }),
    )
  })

  it('symmetry I_x(a, b) = 1 − I₁₋ₓ(b, a)', () => {
    fc.assert(
      fc.property(unit, shape, shape, (x, a, b) => {
        close(betainc(a, b, x), 1 - betainc(b, a, 1 - x), 1e-13, 1e-15)
      }),
    )
  })

  it('the binomial sum for whole a and b', () => {
    for (const [a, b] of [
      [2, 3],
      [5, 1],
      [7, 9],
      [20, 13],
      [40, 40],
    ] as const) {
      for (const x of [0.05, 0.3, 0.5, 0.62, 0.97])
        close(betainc(a, b, x), binomialSum(a, b, x), 1e-13)
    }
  })

  it('Simpson quadrature of the density', () => {
    for (const [a, b] of [
      [0.5, 3],
      [0.3, 2],
      [3, 4.5],
      [5.5, 7.25],
      [12.3, 7.5],
      [30.5, 45.25],
    ] as const) {
      for (const x of [0.02, 0.2, 0.45, 0.7, 0.95]) {
        close(betainc(a, b, x), byQuadrature(a, b, x), 1e-12, 1e-300)
      }
    }
  })

  it('monotone in x', () => {
    let previous = 0
    for (let i = 1; i <= 200; i++) {
      const y = betainc(3.5, 0.7, i / 200)
      expect(y).toBeGreaterThanOrEqual(previous)
      previous = y
    }
    expect(previous).toBe(1)
  })

  it('edges: I₀ = 0, I₁ = 1, NaN outside [0, 1] and for traced invalid a, b', () => {
    expect(betainc(2, 3, 0)).toBe(0)
    expect(betainc(2, 3, 1)).toBe(1)
    expect(betainc(2, 3, -0.1)).toBeNaN()
    expect(betainc(2, 3, 1.5)).toBeNaN()
    expect(betainc(2, 3, Number.NaN)).toBeNaN()
    const traced = vmap((a: Tensor) => betainc(a, 2, 0.5))(tensor([-1, 0, 1])) as Tensor
    expect(traced.data[0]).toBeNaN()
    expect(traced.data[1]).toBeNaN()
    close(traced.data[2]!, 0.75, 1e-15)
  })

  it('broadcasts its three arguments', () => {
    const y = betainc(tensor([[1], [2]]), tensor([1, 1, 1]), tensor([0.1, 0.2, 0.3])) as Tensor
    expect(y.shape).toEqual([2, 3])
    const expected = [0.1, 0.2, 0.3, 0.01, 0.04, 0.09]
    expected.forEach((e, i) => {
      close(y.data[i]!, e, 1e-15)
    })
  })
})

describe('betainc derivatives in x', () => {
  it('grad is the density, and agrees with central differences', () => {
    for (const [[a, b, beta], x] of [
      [withBeta[0]!, 0.3],
      [withBeta[1]!, 0.2],
      [withBeta[2]!, 0.6],
    ] as const) {
      const g = grad((t: number) => betainc(a, b, t))(x)
      close(g, density(a, b, beta, x), 1e-13)
      const h = 1e-5
      close(g, (betainc(a, b, x + h) - betainc(a, b, x - h)) / (2 * h), 1e-7)
    }
  })

  it('second derivative: grad(grad), hessian, jacfwd(jacrev) and derivative agree with the density′', () => {
    const [a, b, beta] = withBeta[0]!
    const x = 0.3
    // d/dx of the density: density·((a − 1)/x − (b − 1)/(1 − x))
    const expected = density(a, b, beta, x) * ((a - 1) / x - (b - 1) / (1 - x))
    const f = (t: number) => betainc(a, b, t)
    close(grad(grad(f))(x), expected, 1e-12)
    close(derivative(f, 2)(x), expected, 1e-12)
    const fv = (t: Tensor) => betainc(a, b, t)
    const hs = hessian((t: Tensor) => sum(betainc(a, b, t)))(tensor([x])) as Tensor
    close(hs.data[0]!, expected, 1e-12)
    const jj = jacfwd(jacrev(fv))(tensor([x])) as Tensor
    close(jj.data[0]!, expected, 1e-12)
  })

  it('vmap over x and over a; jit on the first and second call', () => {
    const xs = tensor([0.1, 0.5, 0.9])
    const dv = vmap((t: Tensor) => grad((u: Tensor) => betainc(2, 3, u))(t))(xs) as Tensor
    const av = vmap((a: Tensor) => grad((u: Tensor) => betainc(a, 3, u))(tensor(0.4)))(
      tensor([1, 2]),
    ) as Tensor
    close(av.data[0]!, density(1, 3, 1 / 3, 0.4), 1e-14)
    close(av.data[1]!, density(2, 3, 1 / 12, 0.4), 1e-14)
    const jg = jit((t: Tensor) => jacrev((u: Tensor) => betainc(2, 3, u))(t))
    for (const call of [1, 2]) {
      const j = jg(xs) as Tensor
      for (let i = 0; i < 3; i++) {
        close(j.data[i * 4]!, dv.data[i]!, 1e-14, 1e-300)
        close(dv.data[i]!, density(2, 3, 1 / 12, xs.data[i]!), 1e-14)
      }
      expect(call).toBeGreaterThan(0)
    }
  })
})

describe('betainc errors', () => {
  it('a derivative in a or b is an InvalidArgumentError, never a zero', () => {
    expect(() => grad((a: number) => betainc(a, 2, 0.3))(1.5)).toThrow(InvalidArgumentError)
    expect(() => grad((b: number) => betainc(2, b, 0.3))(1.5)).toThrow(/derivative in a and b/)
    expect(() => jvp((b: number) => betainc(2, b, 0.3), [1.5], [1])).toThrow(InvalidArgumentError)
    expect(() => derivative((a: number) => betainc(a, 2, 0.3))(1.5)).toThrow(InvalidArgumentError)
  })

  it('concrete a ≤ 0 or b ≤ 0 is an InvalidArgumentError', () => {
    expect(() => betainc(0, 2, 0.5)).toThrow(InvalidArgumentError)
    expect(() => betainc(2, -1, 0.5)).toThrow(InvalidArgumentError)
    expect(() => betainc(Number.NaN, 2, 0.5)).toThrow(InvalidArgumentError)
    expect(() => betainc(tensor([1, -1]), 2, 0.5)).toThrow(/a and b must be > 0/)
  })
})
