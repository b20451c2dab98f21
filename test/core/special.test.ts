/**
 * Special functions (issue #14 §5): lgamma, digamma, polygamma, gamma, beta/betaln, erfc,
 * erfcx, erfinv, ndtr, logNdtr, ndtri, gammainc/gammaincc, and weighted logSumExp.
 *
 * Values are checked three ways: closed forms and constants from the literature (Γ(½) = √π,
 * ψ(1) = −γ, ψ′(1) = π²/6, ψ″(1) = −2ζ(3), P(½, x) = erf √x, DLMF 5.4, 5.15, 7.17, 8.4);
 * tabulated values — 40-digit values computed with mpmath (an independent arbitrary-precision
 * library), rounded to doubles; and quantities computed here by a different method (direct
 * sums, asymptotic series, the Poisson sum). Identities run as properties. Then derivatives
 * through every transformation (transform-checks.ts), edges (poles, ±∞, NaN) and bad input.
 */
import fc from 'fast-check'
import {
  beta,
  betaln,
  derivative,
  digamma,
  erf,
  erfc,
  erfcx,
  erfinv,
  gamma,
  gammainc,
  gammaincc,
  gammaln,
  grad,
  InvalidArgumentError,
  lgamma,
  logNdtr,
  logSumExp,
  ndtr,
  ndtri,
  polygamma,
  ShapeError,
  type Tensor,
  tensor,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import { type BinaryOp, checkBinary, checkUnary, type UnaryOp } from './transform-checks.ts'

const EULER = 0.5772156649015329
/** Apéry's constant ζ(3) (OEIS A002117). */
const ZETA3 = 1.2020569031595942

/** Asserts each [x, expected] pair within rtol. */
const table = (
  f: (x: number) => number,
  rows: readonly (readonly [number, number])[],
  rtol: number,
) => {
  for (const [x, expected] of rows) expectClose(f(x), expected, rtol, 0)
}

describe('lgamma, gamma', () => {
  it('has the closed forms: Γ(n) = (n−1)!, Γ(½) = √π, log Γ(½) = log √π, zeros at 1 and 2', () => {
    let factorial = 1
    for (let n = 1; n <= 20; n++) {
      expectClose(gamma(n), factorial, 1e-15, 0)
      expectClose(lgamma(n), Math.log(factorial), 2e-15, 1e-300)
      factorial *= n
    }
    expect(lgamma(1)).toBe(0)
    expect(lgamma(2)).toBe(0)
    expect(gamma(5)).toBe(24)
    expectClose(gamma(0.5), Math.sqrt(Math.PI), 1e-15, 0)
    expectClose(lgamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-15, 0)
    expectClose(gamma(-0.5), -2 * Math.sqrt(Math.PI), 1e-15, 0)
    expectClose(lgamma(-0.5), Math.log(2 * Math.sqrt(Math.PI)), 1e-15, 0)
    expectClose(gammaln(1.5), Math.log(Math.sqrt(Math.PI) / 2), 1e-15, 0)
  })

  it('matches tabulated values to 1e-14', () => {
    table(
      lgamma,
      [
        [0.001, 6.907178885383853],
        [0.1, 2.252712651734206],
        [2.5, 0.2846828704729192],
        [3.7, 1.428072326665388],
        [10.5, 13.940625219403763],
        [100.25, 360.28455963776423],
        [1e5, 1051287.7089736569],
        [-1.5, 0.860047015376481],
        [-3.7, -1.3797399049658245],
        [-10.3, -14.457515440024208],
      ],
      1e-14,
    )
    table(
      gamma,
      [
        [0.001, 999.4237724845955],
        [0.3, 2.991568987687591],
        [2.5, 1.329340388179137],
        [7.7, 2769.8303623273146],
        [25.2, 1.1773305979904145e24],
        [100.5, 9.320963104082716e156],
        [170.9, 4.3413243345352246e306],
        [-0.3, -4.326851108825193],
        [-2.5, -0.9453087204829419],
        [-10.1, -2.2134165830856185e-6],
      ],
      1e-14,
    )
  })

  it('satisfies the reflection and duplication formulas (DLMF 5.5.3, 5.5.5)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 60, noNaN: true }), (x) => {
        // log Γ(2x) = (2x − 1) log 2 + log Γ(x) + log Γ(x + ½) − ½ log π
        const rhs = (2 * x - 1) * Math.LN2 + lgamma(x) + lgamma(x + 0.5) - 0.5 * Math.log(Math.PI)
        expectClose(lgamma(2 * x), rhs, 1e-13, 1e-13)
      }),
    )
    fc.assert(
      // non-integers: an integer part and a fraction kept 1e-3 from 0 and 1
      fc.property(
        fc.integer({ min: -5, max: 4 }),
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        (n, f) => {
          const x = n + f
          // sin πx = (−1)ᵐ sin π(x − m) with m the nearest integer and x − m exact: π·x itself
          // would carry ulp(πx) of error, and sin near π cancels
          const m = Math.round(x)
          const sinPiX = (Math.abs(m) % 2 === 0 ? 1 : -1) * Math.sin(Math.PI * (x - m))
          expectClose(gamma(x) * gamma(1 - x), Math.PI / sinPiX, 1e-13, 0)
        },
      ),
    )
  })

  it('has the poles and limits of C99 tgamma/lgamma', () => {
    expect(gamma(0)).toBe(Infinity)
    expect(gamma(-0)).toBe(-Infinity)
    expect(gamma(-3)).toBeNaN()
    expect(gamma(Infinity)).toBe(Infinity)
    expect(gamma(-Infinity)).toBeNaN()
    expect(gamma(172)).toBe(Infinity)
    expect(lgamma(0)).toBe(Infinity)
    expect(lgamma(-2)).toBe(Infinity)
    expect(lgamma(-Infinity)).toBe(Infinity)
    expect(lgamma(Number.NaN)).toBeNaN()
    expectClose(lgamma(tensor([1, 2, 3, 4])), [0, 0, Math.log(2), Math.log(6)], 1e-15, 1e-300)
  })

  it('has beta and betaln', () => {
    expectClose(beta(2, 3), 1 / 12, 1e-14, 0)
    expectClose(betaln(0.5, 0.5), Math.log(Math.PI), 1e-14, 0)
    expectClose(beta(tensor([1, 2]), 3), [1 / 3, 1 / 12], 1e-14, 0)
    // ∂/∂a log B = ψ(a) − ψ(a + b)
    expectClose(grad((a: number) => betaln(a, 3))(2), digamma(2) - digamma(5), 1e-14, 0)
  })
})

describe('digamma, polygamma', () => {
  it('has the closed forms: ψ(1) = −γ, ψ(½) = −γ − 2 ln 2, ψ(n) = −γ + Hₙ₋₁', () => {
    expectClose(digamma(1), -EULER, 1e-15, 0)
    expectClose(digamma(0.5), -EULER - 2 * Math.LN2, 1e-15, 0)
    let harmonic = 0
    for (let n = 1; n <= 30; n++) {
      expectClose(digamma(n), -EULER + harmonic, 1e-14, 0)
      harmonic += 1 / n
    }
    // ψ⁽¹⁾(1) = π²/6, ψ⁽¹⁾(½) = π²/2, ψ⁽²⁾(1) = −2ζ(3), ψ⁽³⁾(1) = π⁴/15
    expectClose(polygamma(1, 1), Math.PI ** 2 / 6, 1e-15, 0)
    expectClose(polygamma(1, 0.5), Math.PI ** 2 / 2, 1e-15, 0)
    expectClose(polygamma(2, 1), -2 * ZETA3, 1e-15, 0)
    expectClose(polygamma(3, 1), Math.PI ** 4 / 15, 1e-15, 0)
    expect(polygamma(0, 3)).toBe(digamma(3))
  })

  it('keeps relative precision through the zero of ψ at 1.4616…', () => {
    table(
      digamma,
      [
        [1.46, -0.0015805619870834522],
        [1.47, 0.008066489011364869],
        [0.001, -1000.5755719318103],
        [0.1, -10.423754940411076],
        [2.5, 0.7031566406452432],
        [7.3, 1.9178203356379862],
        [30.5, 3.401243668961661],
        [1e6, 13.815510057964191],
        [-0.5, 0.03648997397857652],
        [-2.3, 3.3173231575618227],
      ],
      1e-14,
    )
    // the zero x₀ = 1.46163214496836234126… (OEIS A030169): |ψ| below an ulp of its slope
    expect(Math.abs(digamma(1.4616321449683622))).toBeLessThan(2e-16)
  })

  it('matches tabulated values and the direct sum (−1)ⁿ⁺¹n!·Σ (x + k)⁻⁽ⁿ⁺¹⁾', () => {
    const rows: [number, number, number][] = [
      [1, 0.2, 26.267377205423777],
      [1, 3.5, 0.3303577561002349],
      [2, 0.7, -6.4349928741909235],
      [2, 12, -0.007547205368998912],
      [3, 2.2, 0.35147634620726154],
      [4, 0.5, -771.4742498266672],
      [5, 4.1, 0.036274787020425116],
      [1, -0.5, 8.934802200544679],
      [2, -1.3, 68.54941347116214],
      [3, -2.7, 768.9626351155225],
    ]
    for (const [n, x, expected] of rows) expectClose(polygamma(n, x), expected, 1e-14, 0)
    // the defining series, summed to K = 10⁵ with its integral tail: a different method
    for (const [n, x] of [
      [2, 0.7],
      [3, 2.2],
      [4, 0.5],
    ] as const) {
      let factorial = 1
      for (let k = 2; k <= n; k++) factorial *= k
      const big = 100000
      let s = 0
      for (let k = big - 1; k >= 0; k--) s += (x + k) ** -(n + 1)
      s += (x + big) ** -n / n + 0.5 * (x + big) ** -(n + 1)
      expectClose(polygamma(n, x), (n % 2 === 1 ? 1 : -1) * factorial * s, 1e-13, 0)
    }
  })

  it('satisfies the recurrence and the multiplication formula', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 50, noNaN: true }),
        fc.integer({ min: 0, max: 4 }),
        (x, n) => {
          // ψ⁽ⁿ⁾(x + 1) = ψ⁽ⁿ⁾(x) + (−1)ⁿ n!/xⁿ⁺¹
          let factorial = 1
          for (let k = 2; k <= n; k++) factorial *= k
          const step = ((n % 2 === 0 ? 1 : -1) * factorial) / x ** (n + 1)
          const scale = Math.abs(polygamma(n, x)) + Math.abs(step)
          expect(Math.abs(polygamma(n, x + 1) - polygamma(n, x) - step)).toBeLessThan(1e-14 * scale)
        },
      ),
    )
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 50, noNaN: true }), (x) => {
        // ψ(2x) = ½(ψ(x) + ψ(x + ½)) + ln 2
        const rhs = 0.5 * (digamma(x) + digamma(x + 0.5)) + Math.LN2
        expectClose(digamma(2 * x), rhs, 1e-13, 1e-14)
      }),
    )
  })

  it('has the poles: ∓∞ at ±0 for even orders, +∞ for odd, NaN at negative integers', () => {
    expect(digamma(0)).toBe(-Infinity)
    expect(digamma(-0)).toBe(Infinity)
    expect(digamma(-2)).toBeNaN()
    expect(digamma(Infinity)).toBe(Infinity)
    expect(polygamma(1, 0)).toBe(Infinity)
    expect(polygamma(1, -3)).toBe(Infinity)
    expect(polygamma(2, 0)).toBe(-Infinity)
    expect(polygamma(2, -3)).toBeNaN()
    expect(polygamma(1, Infinity)).toBe(0)
  })

  it('refuses an order that is not a non-negative integer', () => {
    expect(() => polygamma(1.5, 2)).toThrow(InvalidArgumentError)
    expect(() => polygamma(-1, tensor([2]))).toThrow(InvalidArgumentError)
    expect(() => polygamma(Number.NaN, 2)).toThrow(/order/)
  })

  it('differentiates to every order: ψ⁽ⁿ⁾′ = ψ⁽ⁿ⁺¹⁾', () => {
    expectClose(grad(lgamma)(3.3), digamma(3.3), 1e-15, 0)
    expectClose(derivative(lgamma, 4)(2.2), polygamma(3, 2.2), 1e-13, 0)
    expectClose(grad(grad((x: number) => polygamma(2, x)))(1.7), polygamma(4, 1.7), 1e-14, 0)
    expectClose(derivative((x: number) => polygamma(1, x), 3)(0.9), polygamma(4, 0.9), 1e-12, 0)
    expectClose(grad(gamma)(4.5), gamma(4.5) * digamma(4.5), 1e-14, 0)
    expectClose(
      vmap((x: Tensor) => polygamma(2, x))(tensor([1, 2])),
      [polygamma(2, 1), polygamma(2, 2)],
      0,
      0,
    )
  })

  it('differentiates through every transformation', () => {
    checkUnary(lgamma, [0.3, 1.7, 6.2, -1.4])
    checkUnary(digamma, [0.4, 1.46, 9])
    checkUnary(gamma, [0.6, 2.5, -0.5])
    checkUnary(((x: number | Tensor) => polygamma(2, x as Tensor)) as UnaryOp, [0.8, 3.1])
  })
})

describe('erfc, erfcx, erfinv', () => {
  it('matches tabulated values, the far tail included', () => {
    table(
      erfc,
      [
        [-2.5, 1.999593047982555],
        [-0.3, 1.3286267594591274],
        [0.2, 0.7772974107895215],
        [0.9, 0.20309178757716786],
        [1.3, 0.06599205505934755],
        [3.1, 1.1648657367199589e-5],
        [5.5, 7.357847917974398e-15],
        [10, 2.088487583762545e-45],
        [20, 5.395865611607901e-176],
        [26.5, 2.2109076642637343e-307],
      ],
      3e-15,
    )
    table(
      erfcx,
      [
        [-3, 16205.988853999586],
        [-0.5, 1.952360489182557],
        [0.5, 0.6156903441929259],
        [2, 0.25539567631050575],
        [30, 0.01879588886141675],
        [1e4, 5.641895807268084e-5],
      ],
      3e-15,
    )
    expect(erfc(Infinity)).toBe(0)
    expect(erfc(-Infinity)).toBe(2)
    expect(erfcx(Infinity)).toBe(0)
  })

  it('agrees with the asymptotic series of erfc for large x (DLMF 7.12.1)', () => {
    for (const x of [8, 10, 15, 20]) {
      // erfc x ≈ e^(−x²)/(x√π)·Σ (−1)ᵐ(2m − 1)!!/(2x²)ᵐ, 25 terms
      let term = 1
      let s = 1
      for (let m = 1; m < 25; m++) {
        term *= -(2 * m - 1) / (2 * x * x)
        s += term
      }
      // e^(−x²) from e^(−x)·…: x² is exact for these x
      const expected = (Math.exp(-x * x) / (x * Math.sqrt(Math.PI))) * s
      expectClose(erfc(x), expected, 4e-15, 0)
      expectClose(erfcx(x), s / (x * Math.sqrt(Math.PI)), 2e-15, 0)
    }
  })

  it('inverts erf: erfinv(erf(x)) = x, and tabulated values', () => {
    fc.assert(
      fc.property(fc.double({ min: -5.8, max: 5.8, noNaN: true }), (x) => {
        const y = erf(x)
        // the inverse is as accurate as y lets it be: |Δx| ≲ δ·|y|/erf′(x), where δ is erf's own
        // relative error — within an ulp (test/tensor/erf-accuracy.test.ts), hence δ = 2.3e-16
        const slack = (2.3e-16 * Math.abs(y)) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x))
        expect(Math.abs(erfinv(y) - x)).toBeLessThanOrEqual(4e-16 * Math.abs(x) + slack)
      }),
    )
    table(
      erfinv,
      [
        [1e-20, 8.86226925452758e-21],
        [0.1, 0.08885599049425769],
        [0.5, 0.4769362762044699],
        [0.9, 1.1630871536766743],
        [0.999999, 3.458910737275499],
        [1 - 2 ** -40, 5.05125408524939],
      ],
      2e-15,
    )
    expect(erfinv(1)).toBe(Infinity)
    expect(erfinv(-1)).toBe(-Infinity)
    expect(erfinv(1.5)).toBeNaN()
    expect(erfinv(-0)).toBe(-0)
  })

  it('differentiates through every transformation', () => {
    checkUnary(erfc, [-1.2, 0.3, 2.7])
    checkUnary(erfcx, [-0.8, 0.6, 4])
    checkUnary(erfinv, [-0.7, 0.1, 0.95])
    // erfc′ = −erf′, and erfinv′(y) = 1/erf′(erfinv y)
    expectClose(grad(erfc)(0.7), -grad(erf)(0.7), 1e-15, 0)
    expectClose(grad(erfinv)(0.3), 1 / grad(erf)(erfinv(0.3)), 1e-14, 0)
  })
})

describe('ndtr, logNdtr, ndtri', () => {
  it('matches tabulated values, the left tail to full precision', () => {
    table(
      ndtr,
      [
        [-30, 4.906713927148187e-198],
        [-10, 7.619853024160525e-24],
        [-3, 0.0013498980316300946],
        [-0.5, 0.3085375387259869],
        [0.7, 0.758036347776927],
        [4, 0.9999683287581669],
      ],
      2e-15,
    )
    table(
      logNdtr,
      [
        [-40, -804.6084420137538],
        [-20, -203.91715537109727],
        [-5, -15.064998393988725],
        [-1, -1.8410216450092636],
        [0.5, -0.3689464152886564],
        [3, -0.0013508099647481938],
        [10, -7.619853024160525e-24],
      ],
      2e-15,
    )
    table(
      ndtri,
      [
        [1e-300, -37.0470962993612],
        [1e-10, -6.361340902404057],
        [0.025, -1.9599639845400543],
        [0.3, -0.5244005127080408],
        [0.975, 1.9599639845400538],
        [0.9999, 3.7190164854557084],
      ],
      2e-15,
    )
    expect(ndtri(0.5)).toBe(0)
    expect(ndtri(0)).toBe(-Infinity)
    expect(ndtri(1)).toBe(Infinity)
    expect(ndtri(-0.1)).toBeNaN()
    expect(logNdtr(-Infinity)).toBe(-Infinity)
    expect(ndtr(Infinity)).toBe(1)
  })

  it('agrees with the asymptotic series of log Φ far in the left tail (DLMF 7.12.1)', () => {
    for (const x of [-40, -60, -200]) {
      // log Φ(x) = −x²/2 − log(−x) − ½ log 2π + log(1 − 1/x² + 3/x⁴ − 15/x⁶ + …)
      let term = 1
      let s = 1
      for (let m = 1; m < 12; m++) {
        term *= -(2 * m - 1) / (x * x)
        s += term
      }
      const expected = -0.5 * x * x - Math.log(-x) - 0.5 * Math.log(2 * Math.PI) + Math.log(s)
      expectClose(logNdtr(x), expected, 1e-15, 0)
    }
  })

  it('inverts: ndtri(ndtr(x)) = x; Φ(x) + Φ(−x) = 1', () => {
    fc.assert(
      fc.property(fc.double({ min: -37, max: 8, noNaN: true }), (x) => {
        const p = ndtr(x)
        const slack = (2e-16 * p) / (Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI))
        expect(Math.abs(ndtri(p) - x)).toBeLessThanOrEqual(4e-16 * Math.abs(x) + slack)
        expectClose(ndtr(x) + ndtr(-x), 1, 5e-16, 0)
      }),
    )
  })

  it('differentiates stably: log Φ′(−40) is the Mills ratio ≈ 40.025, not NaN', () => {
    // φ/Φ = t/S(t) with t = −x and S the asymptotic series 1 − 1/t² + 3/t⁴ − … of t·Φ(x)/φ(x)
    const t = 40
    let term = 1
    let series = 1
    for (let m = 1; m < 12; m++) {
      term *= -(2 * m - 1) / (t * t)
      series += term
    }
    expectClose(grad(logNdtr)(-t), t / series, 1e-15, 0)
    checkUnary(ndtr, [-2.2, 0.1, 1.9])
    checkUnary(logNdtr, [-12, -1, 0.4, 3])
    checkUnary(ndtri, [0.02, 0.5, 0.9])
    expectClose(grad(ndtri)(0.3), 1 / grad(ndtr)(ndtri(0.3)), 1e-14, 0)
  })
})

describe('gammainc, gammaincc', () => {
  it('matches tabulated values', () => {
    const rows: [number, number, number, number][] = [
      [0.5, 0.3, 0.5614219739190002, 0.4385780260809999],
      [2.5, 1.5, 0.3000141641213725, 0.6999858358786275],
      [7, 3, 0.03350853530884121, 0.9664914646911588],
      [7, 12, 0.9541776931113489, 0.045822306888651125],
      [30, 25, 0.18210391597745512, 0.8178960840225449],
      [30, 45, 0.9926628007022035, 0.007337199297796504],
      [100, 120, 0.9721362601094793, 0.027863739890520663],
      [0.1, 20, 0.9999999999859864, 1.401358980217001e-11],
    ]
    for (const [a, x, p, q] of rows) {
      expectClose(gammainc(a, x), p, 1e-14, 0)
      expectClose(gammaincc(a, x), q, 1e-14, 0)
    }
  })

  it('has the closed forms: P(1, x) = 1 − e⁻ˣ, P(½, x) = erf √x, and the Poisson sum', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 40, noNaN: true }),
        fc.integer({ min: 1, max: 12 }),
        (x, n) => {
          expectClose(gammainc(1, x), -Math.expm1(-x), 1e-14, 0)
          expectClose(gammaincc(1, x), Math.exp(-x), 1e-14, 0)
          expectClose(gammainc(0.5, x), erf(Math.sqrt(x)), 1e-14, 1e-16)
          expectClose(gammaincc(0.5, x), erfc(Math.sqrt(x)), 1e-13, 0)
          // Q(n, x) = e⁻ˣ Σₖ₌₀ⁿ⁻¹ xᵏ/k! for integer n (DLMF 8.4.10)
          let term = 1
          let s = 1
          for (let k = 1; k < n; k++) {
            term *= x / k
            s += term
          }
          expectClose(gammaincc(n, x), Math.exp(-x) * s, 1e-13, 1e-300)
          expectClose(gammainc(n, x) + gammaincc(n, x), 1, 1e-15, 0)
        },
      ),
    )
  })

  it('has the edges of SciPy', () => {
    expect(gammainc(2, 0)).toBe(0)
    expect(gammaincc(2, 0)).toBe(1)
    expect(gammainc(2, Infinity)).toBe(1)
    expect(gammainc(0, 3)).toBe(1)
    expect(gammainc(-1, 3)).toBeNaN()
    expect(gammainc(2, -1)).toBeNaN()
    expect(gammaincc(Number.NaN, 1)).toBeNaN()
  })

  it('differentiates in x and in a, to every order', () => {
    // ∂P/∂x is the gamma density
    expectClose(
      grad((x: number) => gammainc(2.5, x))(1.5),
      (1.5 ** 1.5 * Math.exp(-1.5)) / gamma(2.5),
      1e-14,
      0,
    )
    // ∂P/∂a and ∂²P/∂a² against tabulated values
    const dA = (a: number, x: number) => grad((s: number) => gammainc(s, x))(a)
    const dAA = (a: number, x: number) => grad(grad((s: number) => gammainc(s, x)))(a)
    expectClose(dA(0.5, 0.3), -0.7705703513753519, 1e-13, 0)
    expectClose(dA(2.5, 1.5), -0.25217540042362785, 1e-13, 0)
    expectClose(dA(7, 12), -0.03375269678225464, 1e-13, 0)
    expectClose(dAA(0.5, 0.3), 0.6261476558399126, 1e-12, 0)
    expectClose(dAA(7, 12), -0.0183540890845269, 1e-12, 0)
    // ∂Q/∂a at a = 1 is E₁(x) + e⁻ˣ(ln x + γ), E₁ by its series (DLMF 6.6.2)
    for (const x of [0.5, 2, 3]) {
      let e1 = -EULER - Math.log(x)
      let term = 1
      for (let k = 1; k < 60; k++) {
        term *= -x / k
        e1 -= term / k
      }
      const expected = e1 + Math.exp(-x) * (Math.log(x) + EULER)
      expectClose(grad((a: number) => gammaincc(a, x))(1), expected, 1e-13, 0)
    }
    // Taylor mode through the a-derivative primitive agrees with nested grads
    const dPda = (a: number) => grad((s: number) => gammainc(s, 2))(a)
    expectClose(derivative(dPda, 2)(1.5), grad(grad(dPda))(1.5), 1e-9, 1e-12)
    checkBinary(gammainc as BinaryOp, [
      [0.8, 0.5],
      [2.5, 3],
      [6, 4.5],
    ])
    checkBinary(gammaincc as BinaryOp, [[1.5, 2]])
  })
})

describe('logSumExp with weights and sign', () => {
  it('computes log Σ b·eˣ, dropping entries of zero weight', () => {
    const x = tensor([1, 2, Infinity])
    const b = tensor([0.5, 2, 0])
    expectClose(logSumExp(x, null, { b }), Math.log(0.5 * Math.E + 2 * Math.exp(2)), 1e-15, 0)
    expectClose(logSumExp(tensor([1000, 1000]), null, { b: 2 }), 1000 + Math.log(4), 1e-15, 0)
    // [2, 1] rows of [2]: reduces the broadcast shape
    const m = logSumExp(tensor([[0, 1]]), 1, { b: tensor([[1], [2]]) })
    expectClose(m, [Math.log(1 + Math.E), Math.log(2 + 2 * Math.E)], 1e-15, 0)
  })

  it('returns the sign apart, and NaN for a negative sum without it', () => {
    const x = tensor([0, Math.log(3)])
    const b = tensor([1, -1])
    const [value, sign] = logSumExp(x, null, { b, returnSign: true })
    expectClose(value, Math.log(2), 1e-15, 0)
    expect(sign.item()).toBe(-1)
    expect(logSumExp(x, null, { b }).item()).toBeNaN()
    const [zero, zeroSign] = logSumExp(tensor([0, 0]), null, {
      b: tensor([1, -1]),
      returnSign: true,
    })
    expect(zero.item()).toBe(-Infinity)
    expect(zeroSign.item()).toBe(0)
    const [plain, plainSign] = logSumExp(tensor([[1, 2]]), 1, { returnSign: true, keepdims: true })
    expect(plain.shape).toEqual([1, 1])
    expect(plainSign.toArray()).toEqual([[1]])
  })

  it('differentiates in x and in b', () => {
    const b = tensor([0.5, 1, 2])
    const x = tensor([1, 2, 3])
    const total = 0.5 * Math.exp(1) + Math.exp(2) + 2 * Math.exp(3)
    expectClose(
      grad((v: Tensor) => logSumExp(v, null, { b }))(x),
      [(0.5 * Math.exp(1)) / total, Math.exp(2) / total, (2 * Math.exp(3)) / total],
      1e-15,
      0,
    )
    expectClose(
      grad((w: Tensor) => logSumExp(x, null, { b: w }))(b),
      [Math.exp(1) / total, Math.exp(2) / total, Math.exp(3) / total],
      1e-15,
      0,
    )
    // the unweighted form keeps its limit at an infinite maximum
    expectClose(grad((v: Tensor) => logSumExp(v))(tensor([Infinity, 0])), [1, 0], 0, 0)
  })

  it('refuses weights that do not broadcast', () => {
    expect(() => logSumExp(tensor([1, 2, 3]), null, { b: tensor([1, 2]) })).toThrow(ShapeError)
  })
})
