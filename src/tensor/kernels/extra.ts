/**
 * Elementwise kernels of the extra NumPy functions (`log2`, `acosh`, `hypot`, `remainder`, …):
 * one plain loop per function over a Float64Array; binary ones broadcast through the shared
 * row driver of binary.ts.
 * @module
 */
import type { Floats } from '../tensor.ts'
import { uninitialized } from './alloc.ts'
import { type BinaryKernel, drive, type Row } from './binary.ts'
import {
  copysign,
  floorDivide,
  logaddexp,
  logaddexp2,
  logit,
  remainder,
  sincDerivative,
} from './extra-scalar.ts'

/** Elementwise log₂ x. */
export function log2K(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = Math.log2(x[i]!)
  return out
}

/** Elementwise log₁₀ x. */
export function log10K(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = Math.log10(x[i]!)
  return out
}

/** Elementwise 2ˣ. */
export function exp2K(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = 2 ** x[i]!
  return out
}

/** Elementwise arcosh x. */
export function acoshK(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = Math.acosh(x[i]!)
  return out
}

/** Elementwise arsinh x. */
export function asinhK(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = Math.asinh(x[i]!)
  return out
}

/** Elementwise artanh x. */
export function atanhK(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = Math.atanh(x[i]!)
  return out
}

/** Elementwise ∛x. */
export function cbrtK(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = Math.cbrt(x[i]!)
  return out
}

/** Elementwise log(p/(1 − p)). */
export function logitK(x: Floats): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = logit(x[i]!)
  return out
}

/** Elementwise k-th derivative of sinc (k = 0: sinc). */
export function sincK(x: Floats, k: number): Float64Array {
  const out = uninitialized(x.length)
  for (let i = 0; i < x.length; i++) out[i] = sincDerivative(k, x[i]!)
  return out
}

const hypotRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = Math.hypot(a[ai]!, b[bi]!)
}

/** Elementwise √(a² + b²) without overflow, broadcasting. */
export const hypotK: BinaryKernel = (a, aShape, b, bShape, outShape) =>
  drive(hypotRow, a, aShape, b, bShape, outShape)

const logaddexpRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = logaddexp(a[ai]!, b[bi]!)
}

/** Elementwise log(eᵃ + eᵇ), broadcasting. */
export const logaddexpK: BinaryKernel = (a, aShape, b, bShape, outShape) =>
  drive(logaddexpRow, a, aShape, b, bShape, outShape)

const logaddexp2Row: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = logaddexp2(a[ai]!, b[bi]!)
}

/** Elementwise log₂(2ᵃ + 2ᵇ), broadcasting. */
export const logaddexp2K: BinaryKernel = (a, aShape, b, bShape, outShape) =>
  drive(logaddexp2Row, a, aShape, b, bShape, outShape)

const remainderRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = remainder(a[ai]!, b[bi]!)
}

/** Elementwise NumPy remainder (sign of the divisor), broadcasting. */
export const remainderK: BinaryKernel = (a, aShape, b, bShape, outShape) =>
  drive(remainderRow, a, aShape, b, bShape, outShape)

const fmodRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = a[ai]! % b[bi]!
}

/** Elementwise C fmod (sign of the dividend), broadcasting. */
export const fmodK: BinaryKernel = (a, aShape, b, bShape, outShape) =>
  drive(fmodRow, a, aShape, b, bShape, outShape)

const floorDivideRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = floorDivide(a[ai]!, b[bi]!)
}

/** Elementwise NumPy floor_divide, broadcasting. */
export const floorDivideK: BinaryKernel = (a, aShape, b, bShape, outShape) =>
  drive(floorDivideRow, a, aShape, b, bShape, outShape)

const copysignRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = copysign(a[ai]!, b[bi]!)
}

/** Elementwise |a| with the sign of b, broadcasting. */
export const copysignK: BinaryKernel = (a, aShape, b, bShape, outShape) =>
  drive(copysignRow, a, aShape, b, bShape, outShape)
