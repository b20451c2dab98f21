/**
 * Scalar gamma-family functions: the Hurwitz zeta ζ(s, q), log|Γ|, Γ, digamma ψ and polygamma
 * ψ⁽ⁿ⁾, with sinπx and cotπx. Written for float64: about 1e-15 relative error for x > 0
 * (checked against tabulated values in test/core/special.test.ts); for x < 0 the reflection
 * formulas keep an absolute error of a few ulps of the larger of their two terms.
 *
 * Methods: ζ(s, q) by Euler–Maclaurin summation; log Γ by its Taylor series about 1 and 2 in
 * ζ(n) − 1 (fast and exact at the zeros 1 and 2), the recurrence, and Stirling's series; ψ by
 * its Taylor series about its positive zero x₀, the recurrence and the asymptotic series;
 * negative arguments by reflection.
 * @module
 */

/** Euler's constant γ. */
export const EULER_GAMMA = 0.5772156649015329
/** The positive zero of ψ, x₀ = 1.46163214496836234126…, as a double plus its remainder. */
const ROOT_HI = 1.4616321449683622
const ROOT_LO = 9.549995429965697e-17
/** ½·ln 2π. */
const HALF_LOG_2PI = 0.9189385332046728

/** Bernoulli numbers B₂, B₄, …, B₂₄ (also for the log-gamma ratio of stats/t.ts). */
export const BERNOULLI: readonly number[] = [
  1 / 6,
  -1 / 30,
  1 / 42,
  -1 / 30,
  5 / 66,
  -691 / 2730,
  7 / 6,
  -3617 / 510,
  43867 / 798,
  -174611 / 330,
  854513 / 138,
  -236364091 / 2730,
]

/** B₂ⱼ/(2j)!, the Euler–Maclaurin weights. */
const EM_WEIGHTS = BERNOULLI.map((b, i) => {
  let f = 1
  for (let k = 2; k <= 2 * i + 2; k++) f *= k
  return b / f
})

/**
 * Hurwitz zeta ζ(s, q) = Σₖ (q + k)⁻ˢ for real s > 1, q > 0. The first N terms are summed
 * (smallest first), so that w = q + N ≥ 12 + s, then the Euler–Maclaurin tail
 * w¹⁻ˢ/(s − 1) + w⁻ˢ/2 + Σⱼ B₂ⱼ/(2j)!·s(s+1)…(s+2j−2)·w^(−s−2j+1), whose terms then fall
 * below 1e-18 of the sum.
 */
export function hurwitzZeta(s: number, q: number): number {
  const n = Math.max(0, Math.ceil(12 + s - q))
  const w = q + n
  const wPow = w ** -s
  let tail = (w * wPow) / (s - 1) + 0.5 * wPow
  let poch = s / w
  let term = wPow * poch
  for (let j = 0; j < EM_WEIGHTS.length; j++) {
    const t = EM_WEIGHTS[j]! * term
    tail += t
    if (Math.abs(t) < 1e-18 * tail) break
    poch = ((s + 2 * j + 1) * (s + 2 * j + 2)) / (w * w)
    term *= poch
  }
  let sum = tail
  for (let k = n - 1; k >= 0; k--) sum += (q + k) ** -s
  return sum
}

/** ζ(n) − 1 = ζ(n, 2) for n = 0 … 44 (entries 0 and 1 unused). */
const ZETA_MINUS_ONE = Array.from({ length: 45 }, (_, n) => (n < 2 ? 0 : hurwitzZeta(n, 2)))

/**
 * S(z) = log Γ(2 + z) = (1 − γ)·z + Σₙ₌₂ (−1)ⁿ (ζ(n) − 1)·zⁿ/n, for |z| ≤ ½ (terms below
 * (z/2)ⁿ/n, so 40 suffice). Then log Γ(1 + z) = S(z) − log1p(z).
 */
function logGammaTwoPlus(z: number): number {
  let sum = 0
  for (let n = 44; n >= 2; n--) {
    sum = sum * z + (n % 2 === 0 ? 1 : -1) * (ZETA_MINUS_ONE[n]! / n)
  }
  return z * (1 - EULER_GAMMA + z * sum)
}

/** sin(πx) without the rounding of π·x for large x: the argument is reduced exactly first. */
export function sinPi(x: number): number {
  if (x < 0) return -sinPi(-x)
  const y = x % 2 // exact
  if (y <= 0.25) return Math.sin(Math.PI * y)
  if (y <= 0.75) return Math.cos(Math.PI * (y - 0.5))
  if (y <= 1.25) return -Math.sin(Math.PI * (y - 1))
  if (y <= 1.75) return -Math.cos(Math.PI * (y - 1.5))
  return Math.sin(Math.PI * (y - 2))
}

/** cot(πx), exact argument reduction; ±∞ at the integers. */
export function cotPi(x: number): number {
  const r = x - Math.round(x) // exact, in [−½, ½]
  const a = Math.abs(r)
  // cos(πr) = sin(π(½ − |r|)): no cancellation near |r| = ½
  const c = a <= 0.25 ? Math.cos(Math.PI * r) : Math.sin(Math.PI * (0.5 - a))
  return c / Math.sin(Math.PI * r)
}

/** Stirling's series log Γ(x) − ((x − ½)·(ln x − 1) − ½ + ½·ln 2π), for x ≥ 12. */
export function stirlingCorrection(x: number): number {
  const r = 1 / (x * x)
  let sum = 0
  for (let k = 8; k >= 1; k--) sum = sum * r + BERNOULLI[k - 1]! / (2 * k * (2 * k - 1))
  return sum / x
}

/** log|Γ(x)| for x ≥ ½, and for |x| < ½. */
function logGammaRegular(x: number): number {
  if (Math.abs(x) < 0.5) return logGammaTwoPlus(x) - Math.log1p(x) - Math.log(Math.abs(x))
  if (x < 1.5) return logGammaTwoPlus(x - 1) - Math.log1p(x - 1)
  if (x < 2.5) return logGammaTwoPlus(x - 2)
  if (x < 12) {
    // down to [1.5, 2.5): log Γ(x) = log Γ(z) + log((x−1)(x−2)…z), the product below 1e10
    let z = x
    let product = 1
    while (z >= 2.5) {
      z -= 1
      product *= z
    }
    return logGammaTwoPlus(z - 2) + Math.log(product)
  }
  // (x − ½)(ln x − 1) − ½ is (x − ½)ln x − x, with less cancellation
  return (x - 0.5) * (Math.log(x) - 1) - 0.5 + HALF_LOG_2PI + stirlingCorrection(x)
}

/**
 * log|Γ(x)|: +∞ at 0 and at the negative integers (the poles), +∞ at ±∞, NaN for NaN. For
 * x ≤ −½ by reflection, log|Γ(x)| = log π − log|sin πx| − log Γ(1 − x).
 */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return x
  if (x === Infinity || x === -Infinity) return Infinity
  if (x > -0.5) return x === 0 ? Infinity : logGammaRegular(x)
  if (x === Math.floor(x)) return Infinity
  return Math.log(Math.PI / Math.abs(sinPi(x))) - logGammaRegular(1 - x)
}

/**
 * Γ(x): ±∞ at ±0, NaN at the negative integers and −∞, +∞ above 171.62, NaN for NaN. Near
 * [½, 2.5] it is exp of the series S (|S| < 0.3, so exp adds an ulp); further out the
 * recurrence, Stirling's formula with xˣ⁻½ split in two powers (no overflow before Γ's), and
 * reflection Γ(x) = π / (sin πx · Γ(1 − x)) below −½.
 */
export function gamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return Number.NaN
  if (x === 0) return 1 / x
  if (x < -0.5) {
    if (x === Math.floor(x)) return Number.NaN
    return Math.PI / (sinPi(x) * gamma(1 - x))
  }
  if (x < 0.5) return Math.exp(logGammaTwoPlus(x)) / (x * (1 + x))
  if (x < 1.5) return Math.exp(logGammaTwoPlus(x - 1)) / x
  if (x < 2.5) return Math.exp(logGammaTwoPlus(x - 2))
  if (x < 12) {
    let z = x
    let product = 1
    while (z >= 2.5) {
      z -= 1
      product *= z
    }
    return product * Math.exp(logGammaTwoPlus(z - 2))
  }
  if (x > 171.7) return Infinity
  const half = x ** (0.5 * x - 0.25)
  return Math.sqrt(2 * Math.PI) * (half * Math.exp(-x) * half) * Math.exp(stirlingCorrection(x))
}

/** Taylor coefficients of ψ about x₀: cₖ = ψ⁽ᵏ⁾(x₀)/k! = (−1)^(k+1)·ζ(k + 1, x₀), k = 1 … 44. */
const ROOT_SERIES = Array.from({ length: 45 }, (_, k) =>
  k === 0 ? 0 : (k % 2 === 1 ? 1 : -1) * hurwitzZeta(k + 1, ROOT_HI),
)

/** ψ(x) for x ≥ 10: ln x − 1/(2x) − Σₖ B₂ₖ/(2k·x²ᵏ). */
function digammaAsymptotic(x: number): number {
  const r = 1 / (x * x)
  let sum = 0
  for (let k = 8; k >= 1; k--) sum = sum * r + BERNOULLI[k - 1]! / (2 * k)
  return Math.log(x) - 0.5 / x - sum * r
}

/**
 * Digamma ψ(x) = Γ′(x)/Γ(x): ∓∞ at ±0, NaN at the negative integers and −∞, +∞ at +∞. On
 * [1, 2] the Taylor series about the zero x₀ (relative accuracy right through the zero); up
 * to 10 the recurrence down to [1, 2] (positive terms), below 1 the recurrence up, from 10 the
 * asymptotic series; reflection ψ(x) = ψ(1 − x) − π·cot πx below 0.
 */
export function digamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return Number.NaN
  if (x === Infinity) return Infinity
  if (x === 0) return -1 / x
  if (x < 0) {
    if (x === Math.floor(x)) return Number.NaN
    return digamma(1 - x) - Math.PI * cotPi(x)
  }
  if (x < 1) return digamma(x + 1) - 1 / x
  if (x <= 2) {
    const t = x - ROOT_HI - ROOT_LO
    let sum = 0
    for (let k = 44; k >= 1; k--) sum = (sum + ROOT_SERIES[k]!) * t
    return sum
  }
  if (x < 10) {
    let z = x
    let acc = 0
    while (z > 2) {
      z -= 1
      acc += 1 / z
    }
    return digamma(z) + acc
  }
  return digammaAsymptotic(x)
}

/** Scratch for the coefficients of the polynomials Pₙ below (grown on demand, never shrunk). */
let cotPoly = new Float64Array(16)
let cotPolyNext = new Float64Array(16)

/**
 * dⁿ/dxⁿ cot(πx) = πⁿ·Pₙ(cot πx), with P₀(c) = c and Pₙ₊₁(c) = −(1 + c²)·Pₙ′(c).
 */
function cotDerivative(n: number, x: number): number {
  if (cotPoly.length < n + 3) {
    cotPoly = new Float64Array(2 * n + 3)
    cotPolyNext = new Float64Array(2 * n + 3)
  }
  let p = cotPoly
  let q = cotPolyNext
  p.fill(0, 0, n + 3)
  q.fill(0, 0, n + 3)
  p[1] = 1
  for (let m = 1; m <= n; m++) {
    // coefficient j of −(1 + c²)·P′ is −((j + 1)·p[j + 1] + (j − 1)·p[j − 1])
    for (let j = 0; j <= m + 1; j++)
      q[j] = -((j + 1) * p[j + 1]! + (j >= 1 ? (j - 1) * p[j - 1]! : 0))
    const t = p
    p = q
    q = t
  }
  const c = cotPi(x)
  let v = 0
  for (let j = n + 1; j >= 0; j--) v = v * c + p[j]!
  return Math.PI ** n * v
}

/**
 * Polygamma ψ⁽ⁿ⁾(x), n a non-negative integer (ψ⁽⁰⁾ = ψ). For n ≥ 1 and x > 0,
 * (−1)ⁿ⁺¹·n!·ζ(n + 1, x); below 0 by reflection, ψ⁽ⁿ⁾(x) = (−1)ⁿψ⁽ⁿ⁾(1 − x) − π·dⁿ/dxⁿ cot πx.
 * Poles at 0 and the negative integers: +∞ for odd n; for even n ∓∞ at ±0 and NaN at the
 * negative integers (the two sides disagree). At +∞: 0.
 */
export function polygamma(n: number, x: number): number {
  if (n === 0) return digamma(x)
  if (Number.isNaN(x) || x === -Infinity) return Number.NaN
  const odd = n % 2 === 1
  if (x === Infinity) return odd ? 0 : -0
  // n! overflows, or x^−(n+1) underflows before n! can scale it back (ψ⁽¹⁷⁰⁾(100) ≈ −8.9e-36)
  if (n > MAX_FACTORIAL_N || (x > 0 && (n + 1) * Math.log(x) > 700)) return polygammaHighOrder(n, x)
  let factorial = 1
  for (let k = 2; k <= n; k++) factorial *= k
  if (x === 0) return odd ? Infinity : -factorial / x
  if (x > 0) return (odd ? factorial : -factorial) * hurwitzZeta(n + 1, x)
  if (x === Math.floor(x)) return odd ? Infinity : Number.NaN
  return (odd ? -1 : 1) * polygamma(n, 1 - x) - Math.PI * cotDerivative(n, x)
}

/** The largest n with n! finite in float64. */
const MAX_FACTORIAL_N = 170

/**
 * ψ⁽ⁿ⁾(x) for n > 170, where n! overflows (or x > 0 with x^−(n+1) below the float range), and
 * the direct methods (O(n) Euler–Maclaurin terms, O(n²) for cot's derivative) would take
 * seconds to minutes to produce ±∞ or NaN. From the
 * series ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹·n!·Σₖ (x + k)⁻⁽ⁿ⁺¹⁾ (every x off the poles): below 0 the term of
 * the nearest pole, ≥ n!·2ⁿ⁺¹, overflows, so the answer is ±∞ (at half-integers for even n the
 * two nearest terms cancel exactly and ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(1 − x)); above 0 the sum is
 * x⁻⁽ⁿ⁺¹⁾·S with S = Σₖ (1 + k/x)⁻⁽ⁿ⁺¹⁾ ∈ [1, 1 + x/n], so the result overflows or underflows
 * unless log n! ≈ (n + 1)·log x, and in that window it is exp(log n! − (n + 1)·log x + log S)
 * (relative error about ε·log n!, from the exponent).
 */
function polygammaHighOrder(n: number, x: number): number {
  const odd = n % 2 === 1
  const sign = odd ? 1 : -1
  const s = n + 1
  if (x <= 0) {
    // reached only for n > 170; the poles as for smaller n: ∓∞ at ±0 for even n
    if (x === 0) return odd ? Infinity : -1 / x
    if (x === Math.floor(x)) return odd ? Infinity : Number.NaN
    if (odd) return Infinity // every term positive
    const frac = x - Math.floor(x)
    if (frac === 0.5) return polygammaHighOrder(n, 1 - x)
    // the nearest term (x + k)⁻ˢ, s odd, has the sign of x + k: frac or frac − 1
    return frac < 0.5 ? -Infinity : Infinity
  }
  const logFactorial = lgamma(n + 1)
  const logLeading = logFactorial - s * Math.log(x)
  if (logLeading > 710) return sign * Infinity
  if (logLeading + Math.log1p(x / n) < -746) return sign * 0
  // far from the order (x ≥ 100·s), Euler–Maclaurin: S = x/(s − 1) + ½ + s/(12x) − s(s+1)(s+2)/(720x³),
  // the next term ~(s/x)⁶/10⁶ relative; the sum below would take ~40·x/s terms (forever at 1e200)
  if (x >= 100 * s) {
    // S·(s − 1)/x = 1 + r: then ψ⁽ⁿ⁾(x) = ∓(n − 1)!·x⁻ⁿ·(1 + r), a product to ε where x⁻ⁿ is a
    // normal double (ψ′(1e200) = 1e−200), else through the logarithms (~ε·|log|)
    const r = ((s - 1) * (0.5 + s / (12 * x) - (s * (s + 1) * (s + 2)) / (720 * x * x * x))) / x
    const power = x ** -n
    if (n <= MAX_FACTORIAL_N && power >= 2 ** -1022) {
      let factorial = 1
      for (let k = 2; k < n; k++) factorial *= k
      return sign * factorial * power * (1 + r)
    }
    return sign * Math.exp(logFactorial - Math.log(s - 1) - n * Math.log(x) + Math.log1p(r))
  }
  // S = Σₖ e^(−s·log1p(k/x)): terms fall by about e^(−s/x) each, at most ~4000 here
  let sum = 0
  for (let k = 0; ; k++) {
    const term = Math.exp(-s * Math.log1p(k / x))
    sum += term
    if (term < 1e-17 * sum) break
  }
  return sign * Math.exp(logLeading + Math.log(sum))
}
