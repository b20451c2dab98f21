/**
 * Elementwise kernels of the special functions: one plain loop per function over a
 * Float64Array, calling the scalar function (gamma-scalar.ts, erf-scalar.ts,
 * igamma-scalar.ts), so a tensor op and its scalar twin agree bit for bit.
 * @module
 */
import type { Floats } from '../tensor.ts'

import { uninitialized } from './alloc.ts'
import { type BinaryKernel, drive, type Row } from './binary.ts'
import { erfc, erfcx, erfinv, logNdtr, ndtr, ndtri } from './erf-scalar.ts'
import { digamma, gamma, lgamma, polygamma } from './gamma-scalar.ts'
import { gammainc, gammaincc, gammaincDerivA } from './igamma-scalar.ts'

/** Elementwise log|Γ(x)|. */
export function lgammaK(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = lgamma(x[i]!)
  return out
}

/** Elementwise Γ(x). */
export function gammaK(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = gamma(x[i]!)
  return out
}

/** Elementwise ψ(x). */
export function digammaK(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = digamma(x[i]!)
  return out
}

/** Elementwise ψ⁽ⁿ⁾(x). */
export function polygammaK(x: Floats, n: number): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = polygamma(n, x[i]!)
  return out
}

/** Elementwise erfc(x). */
export function erfcK(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = erfc(x[i]!)
  return out
}

/** Elementwise e^(x²)·erfc(x). */
export function erfcxK(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = erfcx(x[i]!)
  return out
}

/** Elementwise erf⁻¹(x). */
export function erfinvK(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = erfinv(x[i]!)
  return out
}

/** Elementwise Φ(x). */
export function ndtrK(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = ndtr(x[i]!)
  return out
}

/** Elementwise log Φ(x). */
export function logNdtrK(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = logNdtr(x[i]!)
  return out
}

/** Elementwise Φ⁻¹(x). */
export function ndtriK(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = ndtri(x[i]!)
  return out
}

const gammaincRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = gammainc(a[ai]!, b[bi]!)
}

/** Elementwise P(a, x), broadcasting. */
export const gammaincK: BinaryKernel = (a, aShape, b, bShape, outShape) =>
  drive(gammaincRow, a, aShape, b, bShape, outShape)

const gammainccRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = gammaincc(a[ai]!, b[bi]!)
}

/** Elementwise Q(a, x), broadcasting. */
export const gammainccK: BinaryKernel = (a, aShape, b, bShape, outShape) =>
  drive(gammainccRow, a, aShape, b, bShape, outShape)

/** Elementwise ∂ᵏP(a, x)/∂aᵏ, broadcasting (one row function per call, none per element). */
export const gammaincDerivAK = (k: number): BinaryKernel => {
  const row: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
    for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = gammaincDerivA(a[ai]!, b[bi]!, k)
  }
  return (a, aShape, b, bShape, outShape) => drive(row, a, aShape, b, bShape, outShape)
}
