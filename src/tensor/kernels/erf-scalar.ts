/**
 * Scalar error-function family: erfc, the scaled erfcx(x) = e^(x²)·erfc(x), the normal CDF
 * Φ (`ndtr`), its stable logarithm, and the inverses erfinv and Φ⁻¹ (`ndtri`), with relative
 * accuracy over the whole line, tails included (log Φ(−40) to 1e-16). Measured against 200-bit
 * references (test/tensor/erf-accuracy.test.ts): erfc within 2 ulps, erfcx 3, ndtr 3, erfinv 1,
 * ndtri 2; test/core/special.test.ts checks tabulated values and identities.
 *
 * Methods (erf and erfc themselves in ./erf-core.ts): erfcx by Taylor series and a Jacobi
 * continued fraction from x = 0.75 up, and from erfc below; tails as
 * e^(−x²)·erfcx(x) with x² split exactly; inverses by Newton's method on log erfc and log Φ
 * (full precision in the tails), from a rational first guess.
 * @module
 */
import {
  ERFCX_LARGE_FROM,
  erf,
  erfc,
  erfcxLarge,
  expScaledSquare,
  TWO_OVER_SQRT_PI,
} from './erf-core.ts'

export { erfc }

/** √(π/2). */
const SQRT_PI_OVER_2 = 1.2533141373155003

/**
 * The scaled complementary error function e^(x²)·erfc(x): finite and ≈ 1/(x√π) for large x
 * (where erfc underflows), +∞ below about −26.6.
 */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return x
  if (x >= ERFCX_LARGE_FROM) return erfcxLarge(x)
  if (x > -1) return expScaledSquare(x, 1) * erfc(x)
  return 2 * expScaledSquare(x, 1) - erfcxLarge(-x)
}

/**
 * Φ(x) = ½·erfc(−x/√2), the standard normal CDF; relative accuracy in the left tail, where it
 * is e^(−x²/2)·erfcx(−x/√2)/2 with x²/2 exact.
 */
export function ndtr(x: number): number {
  if (Number.isNaN(x)) return x
  const z = -x * Math.SQRT1_2
  if (z < 1) return 0.5 * erfc(z)
  if (x < -38.6) return 0
  return 0.5 * expScaledSquare(x, -0.5) * erfcxLarge(z)
}

/**
 * log Φ(x), stable for every x: −x²/2 + log(erfcx(−x/√2)/2) in the left tail (log Φ(−40) ≈
 * −804.608), log1p(−Φ(−x)) in the right tail (≈ −Φ(−x), not 0), log Φ(x) between.
 */
export function logNdtr(x: number): number {
  if (Number.isNaN(x)) return x
  if (x < -1) return -0.5 * x * x + Math.log(0.5 * erfcx(-x * Math.SQRT1_2))
  if (x <= 0) return Math.log(ndtr(x))
  return Math.log1p(-ndtr(-x))
}

/**
 * Inverse error function: erf(erfinv(y)) = y on [−1, 1], ±∞ at ±1, NaN outside. Newton's
 * method on erf(x) − y for |y| ≤ ½, and on log erfc(x) − log(1 − y) above (1 − y is exact
 * there), so the tails keep full relative precision.
 */
export function erfinv(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return Number.NaN
  if (y < 0) return -erfinv(-y)
  if (y === 1) return Infinity
  if (y <= 0.5) {
    // first guess from the odd series, then Newton: erf′ = (2/√π)·e^(−x²)
    let x = (y / TWO_OVER_SQRT_PI) * (1 + (Math.PI / 12) * y * y)
    for (let i = 0; i < 6; i++) {
      const step = (erf(x) - y) / (TWO_OVER_SQRT_PI * expScaledSquare(x, -1))
      x -= step
      if (Math.abs(step) <= 1e-17 * x) break
    }
    return x === 0 ? y : x
  }
  // erfc(x) = q, with q = 1 − y exact: Newton on log erfc, whose derivative is
  // −(2/√π)/erfcx(x); x = ndtri-style first guess for √2·x
  const q = 1 - y
  const logQ = Math.log(q)
  let x = -normalTailGuess(0.5 * q) * Math.SQRT1_2
  for (let i = 0; i < 50; i++) {
    const step = (Math.log(erfc(x)) - logQ) / (-TWO_OVER_SQRT_PI / erfcx(x))
    x -= step
    if (Math.abs(step) <= 2e-16 * x) break
  }
  return x
}

/**
 * A first guess at Φ⁻¹(p) for 0 < p ≤ ½ (error below 5e-4): with t = √(−2 ln p),
 * −(t − (2.515517 + 0.802853t + 0.010328t²)/(1 + 1.432788t + 0.189269t² + 0.001308t³)),
 * Abramowitz & Stegun 26.2.23.
 */
function normalTailGuess(p: number): number {
  const t = Math.sqrt(-2 * Math.log(p))
  const num = 2.515517 + t * (0.802853 + t * 0.010328)
  const den = 1 + t * (1.432788 + t * (0.189269 + t * 0.001308))
  return -(t - num / den)
}

/**
 * Φ⁻¹(p), the inverse of the standard normal CDF: ±∞ at 1 and 0, NaN outside [0, 1]. Newton's
 * method on log Φ(x) − log p below ¼, which keeps full relative precision down to p = 5e-324;
 * √2·erfinv(2p − 1) on [¼, ¾] (2p − 1 exact: relative precision near ½ too); −Φ⁻¹(1 − p) above.
 */
export function ndtri(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN
  if (p === 0) return -Infinity
  if (p === 1) return Infinity
  // 2p − 1 is exact here, and erfinv keeps relative precision near 0
  if (p >= 0.25 && p <= 0.75) return Math.SQRT2 * erfinv(2 * p - 1)
  if (p > 0.5) return -ndtri(1 - p)
  const logP = Math.log(p)
  let x = normalTailGuess(p)
  for (let i = 0; i < 50; i++) {
    // Newton on log Φ, whose derivative is φ/Φ = 1/(√(π/2)·erfcx(−x/√2)); below −1, log Φ
    // is −x²/2 + log(erfcx/2) with the same erfcx (one continued fraction per step)
    const e = erfcx(-x * Math.SQRT1_2)
    const logPhi = x < -1 ? -0.5 * x * x + Math.log(0.5 * e) : logNdtr(x)
    const step = (logPhi - logP) * SQRT_PI_OVER_2 * e
    x -= step
    if (Math.abs(step) <= 2e-16 * Math.abs(x)) break
  }
  return x
}
