/**
 * Scalar versions of the elementwise functions that `Math` lacks or computes poorly. The unary
 * kernels call these directly, so a tensor op and its scalar twin agree bit for bit.
 * @module
 */

export { erf } from './erf-core.ts'

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
