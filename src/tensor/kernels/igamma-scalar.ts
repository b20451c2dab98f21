/**
 * Scalar regularized incomplete gamma functions P(a, x) = γ(a, x)/Γ(a) and Q(a, x) = 1 − P,
 * and the derivatives ∂ᵏP/∂aᵏ of every order k.
 *
 * Method, by region (each computes the smaller of P and Q, so neither is 1 minus a number
 * near 1):
 * - a ≥ 20 and |x − a| ≤ 0.3a: Temme's uniform asymptotic expansion (igamma-temme.ts), where
 *   the series and the fraction would need O(√a) terms (P(1e9, 1e9) was NaN);
 * - x < a + 1: the series P = xᵃe⁻ˣ/Γ(a + 1)·Σₙ xⁿ/((a + 1)…(a + n)) (Numerical Recipes
 *   §6.2, Cephes `igam`); Q for a < ½, x < 1 from the series of γ(a, x) in powers of x with
 *   1 − xᵃ/Γ(1 + a) as an expm1 (DLMF 8.7.1, 8.7.3), not 1 − P (which lost 6 digits at
 *   Q(1e-10, ½));
 * - elsewhere (and for a < ½, x ≥ 1) the continued fraction
 *   Q = xᵃe⁻ˣ/Γ(a)·1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(x + 5 − a − …))), or 0
 *   where xᵃe⁻ˣ/Γ(a), a bound for Q there, underflows.
 * The series' prefactor is a·log1pmx((x − a)/a) − ½ln(2πa) − (Stirling's correction) for
 * large a, without the cancellation of a·ln x − x − ln Γ(a + 1); for x < a/2 the log1p in it
 * is ln(x/a). Outside the expansion's region the series needs under 170 terms and the fraction
 * under 100, for every a.
 *
 * Derivatives in a: the same methods evaluated in truncated Taylor arithmetic in δ, for
 * a + δ (each quantity a vector of k + 1 coefficients), with the prefactor's coefficients from
 * polygamma; ∂ᵏP/∂aᵏ = k!·(coefficient k).
 *
 * Accuracy (against 50-digit references, test/core/gammainc-large.test.ts): about 1e-15
 * relative where P and Q are not tiny, for every a; a tiny P or Q is an exponential e^L, so
 * add ε·|L| (P(12, 1e-20) ≈ 2e-249 to 1e-13), the problem's own conditioning.
 * @module
 */
import type { Floats } from '../tensor.ts'
import { EULER_GAMMA, lgamma, polygamma, stirlingCorrection } from './gamma-scalar.ts'
import { inTemmeRegion, log1pmx, temme, temmeDerivA } from './igamma-temme.ts'

const EPS = 1e-17
/**
 * A safeguard: beyond this many terms the series or fraction is not trusted and the result is
 * NaN. Not reached since the expansion covers x near a (at most 170 and 100 terms elsewhere;
 * swept over a, x from 1e-300 to 1.7e308 in test/core/gammainc-large.test.ts).
 */
const MAX_TERMS = 100_000

/**
 * a·ln x − x − ln Γ(a + 1): log of the series' prefactor. For a ≥ 12 it is
 * a·(ln(1 + t) − t) − ½ln(2πa) − (Stirling's correction) with t = (x − a)/a, which avoids the
 * cancellation of a·ln x against ln Γ(a + 1) near x = a. Where x ≪ a, though, 1 + t = x/a
 * would be recovered from the rounded t (t ≈ −1): all digits lost (P(12, 1e-20) was 0), so
 * there ln(1 + t) is ln(x/a), with x/a rounded once.
 */
function logPrefactor(a: number, x: number): number {
  if (a < 12) return a * Math.log(x) - x - lgamma(a + 1)
  const t = (x - a) / a
  const logTerm = t < -0.5 ? a * Math.log(x / a) + (a - x) : a * log1pmx(t)
  return logTerm - 0.5 * Math.log(2 * Math.PI * a) - stirlingCorrection(a)
}

/** P(a, x) by the series (x < a + 1); NaN if it does not converge. */
function lowerSeries(a: number, x: number): number {
  let term = 1
  let sum = 1
  for (let n = 1; n < MAX_TERMS; n++) {
    term *= x / (a + n)
    sum += term
    // min: for a near 0, P ≈ 1 and the product can round above it
    if (term < EPS * sum) return Math.min(1, Math.exp(logPrefactor(a, x)) * sum)
  }
  return Number.NaN
}

/**
 * Below this log, xᵃe⁻ˣ/Γ(a) and Q with it underflow (the least double is e^−744.4). For
 * x ≥ a + 1, or a ≤ 1, the fraction's value is below 1, so Q ≤ xᵃe⁻ˣ/Γ(a) there.
 */
const UNDERFLOW_LOG = -750

/** log(xᵃe⁻ˣ/Γ(a)), the continued fraction's prefactor. */
const logFractionScale = (a: number, x: number): number => logPrefactor(a, x) + Math.log(a)

/**
 * The continued fraction's value h (Q = xᵃe⁻ˣ/Γ(a)·h) by modified Lentz, and its depth (−1
 * if it did not converge).
 */
function fraction(a: number, x: number): { h: number; depth: number } {
  const tiny = 1e-300
  let b = x + 1 - a
  let c = 1 / tiny
  let d = 1 / b
  let h = d
  for (let i = 1; i < MAX_TERMS; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < tiny) d = tiny
    c = b + an / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < EPS * 4) return { h, depth: i }
  }
  return { h: Number.NaN, depth: -1 }
}

/**
 * Q(a, x) by the continued fraction (x ≥ a + 1, or a < ½ and x ≥ 1); 0 where Q underflows,
 * without running the fraction: near the top of the doubles 1/(x + 1 − a) is subnormal and
 * the fraction gave NaN (gammainc(1, 1e308)).
 */
function upperFraction(a: number, x: number): number {
  const logScale = logFractionScale(a, x)
  return logScale < UNDERFLOW_LOG ? 0 : Math.exp(logScale) * fraction(a, x).h
}

/** Below this a (with x < 1), Q is small and is summed directly, not as 1 − P. */
const SMALL_A = 0.5

/** ζ(k) − 1 for k = 2…29, the nearest doubles (50-digit arithmetic). */
const ZETA_MINUS_ONE = [
  0.6449340668482264, 0.2020569031595943, 0.08232323371113819, 0.03692775514336993,
  0.01734306198444914, 0.008349277381922827, 0.00407735619794434, 0.0020083928260822143,
  0.0009945751278180853, 0.0004941886041194645, 0.0002460865533080483, 0.00012271334757848915,
  6.124813505870483e-5, 3.058823630702049e-5, 1.528225940865187e-5, 7.637197637899763e-6,
  3.81729326499984e-6, 1.908212716553939e-6, 9.539620338727962e-7, 4.769329867878064e-7,
  2.38450502727733e-7, 1.1921992596531106e-7, 5.960818905125948e-8, 2.980350351465228e-8,
  1.4901554828365043e-8, 7.45071178983543e-9, 3.725334024788457e-9, 1.862659723513049e-9,
]

/**
 * log Γ(1 + a) for |a| ≤ ½, without rounding 1 + a (which costs all digits as a → 0):
 * −log1p(a) + a(1 − γ) + Σₖ (ζ(k) − 1)(−a)ᵏ/k (DLMF 5.7.3), terms below 4⁻ᵏ.
 */
function logGamma1p(a: number): number {
  let sum = 0
  for (let k = ZETA_MINUS_ONE.length + 1; k >= 2; k--) sum = sum * -a + ZETA_MINUS_ONE[k - 2]! / k
  return -Math.log1p(a) + a * (1 - EULER_GAMMA) + a * a * sum
}

/**
 * Q(a, x) for a < ½, x < 1, where Q ≈ a·E₁(x) is small and 1 − P cancels: with
 * A = xᵃ/Γ(1 + a), P = A·(1 + a·Σₙ₌₁ (−x)ⁿ/(n!(a + n))), so Q = −expm1(ln A) − A·a·Σ.
 */
function upperSmallA(a: number, x: number): number {
  const logA = a * Math.log(x) - logGamma1p(a)
  let term = 1
  let sum = 0
  for (let n = 1; n < MAX_TERMS; n++) {
    term *= -x / n
    const t = term / (a + n)
    sum += t
    if (Math.abs(t) <= EPS * Math.abs(sum)) break
  }
  return -Math.expm1(logA) - Math.exp(logA) * a * sum
}

/** The value at an edge of the domain, or undefined inside it (a > 0, 0 < x < ∞). */
function edge(a: number, x: number, upper: boolean): number | undefined {
  if (Number.isNaN(a) || Number.isNaN(x) || a < 0 || x < 0) return Number.NaN
  if (a === Infinity) return x === Infinity ? Number.NaN : upper ? 1 : 0
  if (a === 0) return x === 0 ? Number.NaN : upper ? 0 : 1
  if (x === 0) return upper ? 1 : 0
  if (x === Infinity) return upper ? 0 : 1
  return undefined
}

/**
 * The regularized lower incomplete gamma function P(a, x) = (1/Γ(a))∫₀ˣ tᵃ⁻¹e⁻ᵗ dt, for a ≥ 0,
 * x ≥ 0 (NaN outside); P(0, x) = 1 for x > 0, as SciPy.
 */
export function gammainc(a: number, x: number): number {
  const e = edge(a, x, false)
  if (e !== undefined) return e
  if (inTemmeRegion(a, x)) return temme(a, x, false)
  return x < a + 1 ? lowerSeries(a, x) : 1 - upperFraction(a, x)
}

/** The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x). */
export function gammaincc(a: number, x: number): number {
  const e = edge(a, x, true)
  if (e !== undefined) return e
  if (inTemmeRegion(a, x)) return temme(a, x, true)
  if (a < SMALL_A) return x < 1 ? upperSmallA(a, x) : upperFraction(a, x)
  return x < a + 1 ? 1 - lowerSeries(a, x) : upperFraction(a, x)
}

// ---- derivatives in a: Taylor arithmetic in δ ----------------------------------------------

/** Scratch series (grown on demand): no allocation per element. */
let work = new Float64Array(5 * 8)

/** Coefficients of exp(L(a + δ)), L = a·ln x − x − ln Γ(a + shift), into out[0..k]. */
function prefactorSeries(
  a: number,
  x: number,
  k: number,
  shift: number,
  out: Floats,
  l: Floats,
): void {
  l[0] = logPrefactor(a, x) + (shift === 0 ? Math.log(a) : 0)
  let factorial = 1
  for (let j = 1; j <= k; j++) {
    factorial *= j
    l[j] = (j === 1 ? Math.log(x) : 0) - polygamma(j - 1, a + shift) / factorial
  }
  out[0] = Math.exp(l[0]!)
  for (let m = 1; m <= k; m++) {
    let acc = 0
    for (let j = 1; j <= m; j++) acc += j * l[j]! * out[m - j]!
    out[m] = acc / m
  }
}

/** s ← s / (c + δ), in place: q₀ = s₀/c, qⱼ = (sⱼ − qⱼ₋₁)/c. */
function divideByShift(s: Floats, c: number, k: number): void {
  s[0] = s[0]! / c
  for (let j = 1; j <= k; j++) s[j] = (s[j]! - s[j - 1]!) / c
}

/**
 * ∂ᵏP/∂aᵏ (k ≥ 1) at a > 0, x > 0: 0 at x = 0 and x = ∞, NaN outside the domain.
 */
export function gammaincDerivA(a: number, x: number, k: number): number {
  const e = edge(a, x, false)
  if (e !== undefined) return Number.isNaN(e) ? e : 0
  const n = k + 1
  if (work.length < 5 * n) work = new Float64Array(10 * n)
  const pre = work.subarray(0, n)
  const l = work.subarray(n, 2 * n)
  const s = work.subarray(2 * n, 3 * n)
  const t = work.subarray(3 * n, 4 * n)
  const u = work.subarray(4 * n, 5 * n)
  if (inTemmeRegion(a, x)) return temmeDerivA(a, x, k)
  // |∂ᵏP/∂aᵏ| is about (P or Q)·|ln x − ψ(a)|ᵏ: where that bound underflows, 0, without
  // polygamma (which does not return for a > 1e152) and without the fraction (see upperFraction)
  const logGrowth = k * Math.log(2 + Math.abs(Math.log(x)) + Math.abs(Math.log(a)) + 1 / a)
  let sign = 1
  if (x < a + 1) {
    // the series' ratios are at most x/(a + 1), so Σ ≤ 1/(1 − x/(a + 1))
    const logBound = logPrefactor(a, x) - Math.log1p(-x / (a + 1)) + logGrowth
    if (logBound < UNDERFLOW_LOG) return 0
    // Σ terms, termₙ = termₙ₋₁·x/(a + n + δ)
    prefactorSeries(a, x, k, 1, pre, l)
    t.fill(0)
    t[0] = 1
    s.set(t)
    let converged = false
    for (let m = 1; m < MAX_TERMS && !converged; m++) {
      for (let j = 0; j <= k; j++) t[j] = t[j]! * x
      divideByShift(t, a + m, k)
      converged = true
      for (let j = 0; j <= k; j++) {
        s[j] = s[j]! + t[j]!
        if (Math.abs(t[j]!) > EPS * Math.abs(s[j]!)) converged = false
      }
    }
    if (!converged) return Number.NaN
  } else {
    // Q's fraction, bottom-up, deeper than the value needed (derivatives of the convergents
    // converge later; measured on a grid for k ≤ 6): bᵢ = x + 2i + 1 − a − δ,
    // aᵢ = −i(i − a) + i·δ; then ∂ᵏP = −∂ᵏQ
    if (logFractionScale(a, x) + logGrowth < UNDERFLOW_LOG) return 0
    const { depth } = fraction(a, x)
    if (depth < 0) return Number.NaN
    prefactorSeries(a, x, k, 0, pre, l)
    sign = -1
    const deep = (4 + 2 * k) * depth + 60
    t.fill(0)
    t[0] = x + 2 * deep + 1 - a
    t[1] = -1
    for (let i = deep; i >= 1; i--) {
      // u = aᵢ / t, then t = bᵢ₋₁ + u
      u.fill(0)
      u[0] = -i * (i - a)
      if (k >= 1) u[1] = i
      for (let j = 0; j <= k; j++) {
        let acc = u[j]!
        for (let m = 1; m <= j; m++) acc -= t[m]! * u[j - m]!
        u[j] = acc / t[0]!
      }
      t.set(u)
      t[0] = t[0]! + x + 2 * i - 1 - a
      t[1] = t[1]! - 1
    }
    // s = 1 / t
    s[0] = 1 / t[0]!
    for (let j = 1; j <= k; j++) {
      let acc = 0
      for (let m = 1; m <= j; m++) acc -= t[m]! * s[j - m]!
      s[j] = acc / t[0]!
    }
  }
  let coefficient = 0
  for (let j = 0; j <= k; j++) coefficient += pre[j]! * s[k - j]!
  let factorial = 1
  for (let j = 2; j <= k; j++) factorial *= j
  return sign * factorial * coefficient
}
