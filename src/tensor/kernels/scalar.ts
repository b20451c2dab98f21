/**
 * Scalar versions of the elementwise functions that `Math` lacks or computes poorly. The unary
 * kernels call these directly, so a tensor op and its scalar twin agree bit for bit.
 * @module
 */

/** 2/√π, rounded to the nearest double. */
const TWO_OVER_SQRT_PI = 1.1283791670955126
/** 1/√π, rounded to the nearest double. */
const ONE_OVER_SQRT_PI = 0.5641895835477563
/** Veltkamp's splitter for doubles: 2²⁷ + 1. */
const SPLITTER = 134217729
/** Below this |x| the series converges fast; above it the continued fraction does. */
const SERIES_LIMIT = 2.5
/** erfc(6) ≈ 2e-17 is below half an ulp of 1, so erf(x) rounds to ±1 from here on. */
const SATURATION = 6
/** Depth of the backward-evaluated continued fraction; ample for x ≥ SERIES_LIMIT. */
const CF_DEPTH = 60

/** The logistic sigmoid 1/(1+e⁻ˣ), computed without overflow for any x. */
export function logistic(x: number): number {
  // Only ever exponentiate a non-positive number, so e^(±1000) never overflows to Infinity.
  if (x >= 0) return 1 / (1 + Math.exp(-x))
  const e = Math.exp(x)
  return e / (1 + e)
}

/** softplus(x) = log(1 + eˣ), computed without overflow for any x. */
export function softplus(x: number): number {
  // log(1 + eˣ) = max(x, 0) + log(1 + e^(−|x|)); the exponent is never positive.
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))
}

/** The sign of x: 1, -1, 0 for ±0, NaN for NaN. */
export function sign(x: number): number {
  if (x > 0) return 1
  if (x < 0) return -1
  return x === 0 ? 0 : Number.NaN
}

/**
 * e^(−x²) to nearly full relative precision. x² is split exactly as hi + lo (Veltkamp), so the
 * rounding error of x² (up to 36 ulps near the saturation point) does not reach the result.
 */
function expMinusSquare(x: number): number {
  const t = SPLITTER * x
  const hi = t - (t - x)
  const lo = x - hi
  // x² = hi² + lo·(x + hi), and hi² is exact because hi has at most 26 significant bits.
  return Math.exp(-hi * hi) * Math.exp(-lo * (x + hi))
}

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, accurate to a few ulps.
 *
 * Small |x| uses the series erf(x) = 2x/√π · e^(−x²) · Σ (2x²)ⁿ / (2n+1)!!, whose terms are all
 * positive, so no digits cancel. Larger |x| uses erf = 1 − erfc with the Laplace continued
 * fraction for erfc, which converges quickly there; erfc is then small, so its own error barely
 * moves erf.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x
  const a = Math.abs(x)
  if (a >= SATURATION) return x > 0 ? 1 : -1
  if (a < SERIES_LIMIT) {
    const twoX2 = 2 * a * a
    let term = 1
    let sum = 1
    for (let n = 1; term > sum * 1e-17; n++) {
      term *= twoX2 / (2 * n + 1)
      sum += term
    }
    // erf is odd; multiplying by x (not |x|) keeps the sign and erf(-0) = -0.
    return TWO_OVER_SQRT_PI * x * expMinusSquare(a) * sum
  }
  // erfc(a) = e^(−a²)/√π · 1/(a + (1/2)/(a + (2/2)/(a + (3/2)/(a + …)))), evaluated bottom-up.
  let tail = a
  for (let n = CF_DEPTH; n >= 1; n--) tail = a + n / 2 / tail
  const erfc = (ONE_OVER_SQRT_PI * expMinusSquare(a)) / tail
  return x > 0 ? 1 - erfc : erfc - 1
}
