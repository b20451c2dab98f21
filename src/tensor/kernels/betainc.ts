/**
 * The regularized incomplete beta function I_x(a, b) = (1/B(a, b))∫₀ˣ tᵃ⁻¹(1 − t)ᵇ⁻¹ dt, and
 * its broadcasting kernel over three operands.
 *
 * Method (Numerical Recipes §6.4, Cephes `incbet`): the continued fraction
 * I_x(a, b) = xᵃ(1 − x)ᵇ/(a·B(a, b))·1/(1 + d₁/(1 + d₂/(1 + …))), with
 * d₂ₘ₊₁ = −(a + m)(a + b + m)x/((a + 2m)(a + 2m + 1)), d₂ₘ = m(b − m)x/((a + 2m − 1)(a + 2m)),
 * evaluated by the modified Lentz method; it converges fast for x < (a + 1)/(a + b + 2), and
 * beyond that I_x(a, b) = 1 − I₁₋ₓ(b, a) computes the smaller tail, so neither side is 1 minus
 * a number near 1. The prefactor's logs are taken of x and of 1 − x by log1p, once, so the
 * swap costs no rounding there.
 *
 * Accuracy: the prefactor's a·ln x + b·ln(1 − x) − ln B(a, b) cancels, so the relative error
 * grows like 1.5ε·(a + b): measured at x = ½, below 4e-14 for a, b ≤ 20 and 3e-13 at 100 (a
 * scaled Stirling prefactor, as Cephes and Boost, would remove this). The fraction needs about
 * √max(a, b) terms; past MAX_TERMS the result is NaN, never a truncated value.
 * @module
 */

import { broadcastStridesOf, type Shape, sizeOf } from '../shape.ts'
import type { Floats } from '../tensor.ts'
import { uninitialized } from './alloc.ts'
import { lgamma } from './gamma-scalar.ts'

const EPS = 1e-16
const TINY = 1e-300
const MAX_TERMS = 100_000

/** The continued fraction of I_x(a, b) without its prefactor (modified Lentz); NaN if slow. */
function fraction(a: number, b: number, x: number): number {
  const qab = a + b
  const qap = a + 1
  const qam = a - 1
  let c = 1
  let d = 1 - (qab * x) / qap
  if (Math.abs(d) < TINY) d = TINY
  d = 1 / d
  let h = d
  for (let m = 1; m < MAX_TERMS; m++) {
    const m2 = 2 * m
    // even step
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < TINY) d = TINY
    c = 1 + aa / c
    if (Math.abs(c) < TINY) c = TINY
    d = 1 / d
    h *= d * c
    // odd step
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2))
    d = 1 + aa * d
    if (Math.abs(d) < TINY) d = TINY
    c = 1 + aa / c
    if (Math.abs(c) < TINY) c = TINY
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < EPS) return h
  }
  return Number.NaN
}

/**
 * I_x(a, b) for a > 0, b > 0 (finite) and 0 ≤ x ≤ 1; NaN elsewhere and for NaN arguments, as
 * SciPy's and JAX's `betainc`. I₀ = 0, I₁ = 1.
 */
export function betainc(a: number, b: number, x: number): number {
  if (!(a > 0 && b > 0 && x >= 0 && x <= 1) || a === Infinity || b === Infinity) {
    return Number.NaN
  }
  if (x === 0) return 0
  if (x === 1) return 1
  const lx = Math.log(x)
  const ly = Math.log1p(-x)
  const lbeta = lgamma(a) + lgamma(b) - lgamma(a + b)
  const logPrefactor = a * lx + b * ly - lbeta
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logPrefactor) * fraction(a, b, x)) / a
  return 1 - (Math.exp(logPrefactor) * fraction(b, a, 1 - x)) / b
}

/**
 * Elementwise I_x(a, b) with three-way broadcasting to `outShape` (a row-major odometer over
 * the output; no allocation per element).
 */
export function betaincK(
  a: Floats,
  aShape: Shape,
  b: Floats,
  bShape: Shape,
  x: Floats,
  xShape: Shape,
  outShape: Shape,
): Float64Array {
  const size = sizeOf(outShape)
  const out = uninitialized(size)
  if (size === 0) return out
  const sa = broadcastStridesOf(aShape, outShape)
  const sb = broadcastStridesOf(bShape, outShape)
  const sx = broadcastStridesOf(xShape, outShape)
  const rank = outShape.length
  const idx = new Array<number>(rank).fill(0)
  let ai = 0
  let bi = 0
  let xi = 0
  for (let o = 0; o < size; o++) {
    out[o] = betainc(a[ai]!, b[bi]!, x[xi]!)
    for (let ax = rank - 1; ax >= 0; ax--) {
      const next = idx[ax]! + 1
      ai += sa[ax]!
      bi += sb[ax]!
      xi += sx[ax]!
      if (next < outShape[ax]!) {
        idx[ax] = next
        break
      }
      idx[ax] = 0
      ai -= sa[ax]! * outShape[ax]!
      bi -= sb[ax]! * outShape[ax]!
      xi -= sx[ax]! * outShape[ax]!
    }
  }
  return out
}
