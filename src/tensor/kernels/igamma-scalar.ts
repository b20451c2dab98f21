/**
 * Scalar regularized incomplete gamma functions P(a, x) = γ(a, x)/Γ(a) and Q(a, x) = 1 − P,
 * and the derivatives ∂ᵏP/∂aᵏ of every order k.
 *
 * Method (Numerical Recipes §6.2, Cephes `igam`): the series
 * P = xᵃe⁻ˣ/Γ(a + 1)·Σₙ xⁿ/((a + 1)…(a + n)) where x < a + 1, and the continued fraction
 * Q = xᵃe⁻ˣ/Γ(a)·1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(x + 5 − a − …))) elsewhere,
 * each computing the smaller of P and Q, so neither is 1 minus a number near 1. The prefactor
 * is a·log1pmx((x − a)/a) − ½ln(2πa) − (Stirling's correction) for large a, without the
 * cancellation of a·ln x − x − ln Γ(a + 1); for x < a/2 the log1p in it is ln(x/a).
 *
 * Derivatives in a: the same series and continued fraction evaluated in truncated Taylor
 * arithmetic in δ, for a + δ (each quantity a vector of k + 1 coefficients), with the
 * prefactor's coefficients from polygamma; ∂ᵏP/∂aᵏ = k!·(coefficient k).
 *
 * Accuracy: about 1e-15 relative for a, x ≤ 100, and ε·(a + x) beyond (the condition number
 * of the problem); a tiny P or Q is an exponential e^L, so add ε·|L| (P(12, 1e-20) ≈ 2e-249
 * to 1e-13). The series needs about x − a + 6√a terms, so a is kept below 1e8.
 * @module
 */
import type { Floats } from '../tensor.ts'
import { lgamma, polygamma, stirlingCorrection } from './gamma-scalar.ts'

const EPS = 1e-17
/** Beyond this many terms the series or fraction is not trusted: the result is NaN. */
const MAX_TERMS = 100_000

/** log(1 + t) − t without cancellation: −t·u + 2u³(1/3 + u²/5 + …) with u = t/(2 + t). */
function log1pmx(t: number): number {
  if (Math.abs(t) > 0.5) return Math.log1p(t) - t
  const u = t / (2 + t)
  const u2 = u * u
  let sum = 0
  for (let k = 19; k >= 1; k--) sum = sum * u2 + 1 / (2 * k + 1)
  return -t * u + 2 * u * u2 * sum
}

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
    if (term < EPS * sum) return Math.exp(logPrefactor(a, x)) * sum
  }
  return Number.NaN
}

/** Q(a, x) by the continued fraction (x ≥ a + 1), modified Lentz; also returns its depth. */
function upperFraction(a: number, x: number): { q: number; depth: number } {
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
    if (Math.abs(delta - 1) < EPS * 4) {
      return { q: Math.exp(logPrefactor(a, x) + Math.log(a)) * h, depth: i }
    }
  }
  return { q: Number.NaN, depth: 0 }
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
  return x < a + 1 ? lowerSeries(a, x) : 1 - upperFraction(a, x).q
}

/** The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x). */
export function gammaincc(a: number, x: number): number {
  const e = edge(a, x, true)
  if (e !== undefined) return e
  return x < a + 1 ? 1 - lowerSeries(a, x) : upperFraction(a, x).q
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
  let sign = 1
  if (x < a + 1) {
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
    const { depth } = upperFraction(a, x)
    if (depth === 0) return Number.NaN
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
