/**
 * Scalar versions of the elementwise functions of NumPy that `Math` lacks: `logit`, `sinc` and
 * its derivatives, NumPy's `remainder`/`floor_divide`, `copysign`, `logaddexp`, `logaddexp2`.
 * The kernels call these, so tensor ops and their scalar twins agree bit for bit.
 * @module
 */
import { sinPi } from './gamma-scalar.ts'

/**
 * log(p / (1 − p)), the inverse of the logistic sigmoid: log1p((2p − 1)/(1 − p)) on [¼, ¾]
 * (2p − 1 exact, so relative precision holds through 0 at p = ½), log p − log1p(−p) outside.
 */
export function logit(p: number): number {
  if (p >= 0.25 && p <= 0.75) return Math.log1p((2 * p - 1) / (1 - p))
  return Math.log(p) - Math.log1p(-p)
}

/** cos(πx) with the argument reduced exactly (0 at the half-integers, not 6e-17). */
export function cosPi(x: number): number {
  const y = Math.abs(x) % 2
  if (y <= 0.25) return Math.cos(Math.PI * y)
  if (y <= 0.75) return -Math.sin(Math.PI * (y - 0.5))
  if (y <= 1.25) return -Math.cos(Math.PI * (y - 1))
  if (y <= 1.75) return Math.sin(Math.PI * (y - 1.5))
  return Math.cos(Math.PI * (y - 2))
}

/**
 * The k-th derivative of the normalized sinc, dᵏ/dxᵏ sin(πx)/(πx) (k = 0: sinc itself, 1 at
 * 0, exactly 0 at the other integers). With u = πx it is πᵏ·fᵏ(u), f(u) = sin u/u: for
 * |u| ≤ 2 the Maclaurin series Σₘ (−1)ᵐ u^(2m−k)/((2m + 1)·(2m − k)!), so 0 is no special
 * point; beyond, Leibniz's rule on sin u · u⁻¹. 0 at ±∞ (the limit), NaN for NaN.
 */
export function sincDerivative(k: number, x: number): number {
  if (Number.isNaN(x)) return x
  if (x === Infinity || x === -Infinity) return 0
  const u = Math.PI * x
  let f = 0
  if (Math.abs(u) <= 2) {
    const u2 = u * u
    // the first term has m = ⌈k/2⌉, the power u^(2m − k) = u⁰ or u¹
    const m0 = Math.ceil(k / 2)
    let term = (m0 % 2 === 0 ? 1 : -1) * (2 * m0 - k === 1 ? u : 1)
    let factorial = 1 // (2m − k)!, 0! or 1! to start
    f = term / ((2 * m0 + 1) * factorial)
    for (let m = m0 + 1; m < m0 + 30; m++) {
      const p = 2 * m - k
      factorial *= (p - 1) * p
      term *= -u2
      const t = term / ((2 * m + 1) * factorial)
      f += t
      if (Math.abs(t) <= 1e-17 * Math.abs(f)) break
    }
  } else {
    // Σⱼ C(k, j)·sin⁽ʲ⁾(u)·(−1)^(k−j)(k − j)!/u^(k−j+1), with sin u, cos u from exact reduction
    const s = sinPi(x)
    const c = cosPi(x)
    let binomial = 1
    let inverse = 1 / u // (1/u)^(k − j + 1)·(k − j)!, built from j = k down
    let acc = 0
    for (let j = k; j >= 0; j--) {
      if (j < k) {
        binomial = (binomial * (j + 1)) / (k - j)
        inverse *= (k - j) / u
      }
      // sin⁽ʲ⁾ cycles through sin, cos, −sin, −cos
      const r = j % 4
      const d = r === 0 ? s : r === 1 ? c : r === 2 ? -s : -c
      acc += binomial * d * ((k - j) % 2 === 0 ? 1 : -1) * inverse
    }
    f = acc
  }
  return k === 0 ? f : Math.PI ** k * f
}

/**
 * NumPy's `divmod` for floats: the remainder with the sign of the divisor, and the floor of
 * the quotient corrected to agree with it (npy_divmod): remainder(−1, 3) = 2, floor_divide(−1,
 * 3) = −1; a zero remainder takes the divisor's sign; b = 0 gives a NaN remainder and a/b.
 */
export function remainder(a: number, b: number): number {
  let mod = a % b // C fmod, exactly
  if (b === 0) return mod
  if (mod !== 0) {
    if (b < 0 !== mod < 0) mod += b
  } else {
    mod = b < 0 ? -0 : 0
  }
  return mod
}

/** NumPy's floor_divide for floats (npy_divmod's quotient): ⌊a/b⌋, consistent with `remainder`. */
export function floorDivide(a: number, b: number): number {
  const mod = a % b
  if (b === 0) return a / b
  let div = (a - mod) / b
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1
  if (div === 0) return copysign(0, a / b)
  let floor = Math.floor(div)
  if (div - floor > 0.5) floor += 1
  return floor
}

/** Reads sign bits (of NaN too, which `<` cannot). */
const signView = new DataView(new ArrayBuffer(8))

/** |a| with the sign bit of b (±0 and NaN included), as C's copysign. */
export function copysign(a: number, b: number): number {
  signView.setFloat64(0, b)
  const negative = (signView.getUint8(0) & 0x80) !== 0
  const m = Math.abs(a)
  return negative ? -m : m
}

/**
 * log(eᵃ + eᵇ) without overflow: max + log1p(e^(−|a − b|)); equal arguments give a + ln 2, so
 * equal infinities give that infinity (not NaN from ∞ − ∞).
 */
export function logaddexp(a: number, b: number): number {
  if (a === b) return a + Math.LN2
  const m = Math.max(a, b)
  return m + Math.log1p(Math.exp(-Math.abs(a - b)))
}

/** log₂(2ᵃ + 2ᵇ) without overflow: max + log1p(2^(−|a − b|))/ln 2; equal arguments give a + 1. */
export function logaddexp2(a: number, b: number): number {
  if (a === b) return a + 1
  const m = Math.max(a, b)
  return m + Math.log1p(2 ** -Math.abs(a - b)) / Math.LN2
}
