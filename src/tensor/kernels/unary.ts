/**
 * Elementwise unary kernels: one plain loop per op over a Float64Array, returning a fresh array.
 * Each loop body is written out (no per-element callback), so V8 compiles a tight monomorphic
 * loop for every op.
 * @module
 */
import { uninitialized } from './alloc.ts'
import { erf, logistic, sign, softplus } from './scalar.ts'

/** The common type of every unary kernel. */
export type UnaryKernel = (x: Float64Array) => Float64Array

/** Elementwise negation −x. */
export function negK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = -v
  }
  return out
}

/** Elementwise eˣ. */
export function expK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.exp(v)
  }
  return out
}

/** Elementwise natural logarithm. */
export function logK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.log(v)
  }
  return out
}

/** Elementwise log(1 + x), accurate near 0. */
export function log1pK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.log1p(v)
  }
  return out
}

/** Elementwise eˣ − 1, accurate near 0. */
export function expm1K(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.expm1(v)
  }
  return out
}

/** Elementwise sine. */
export function sinK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.sin(v)
  }
  return out
}

/** Elementwise cosine. */
export function cosK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.cos(v)
  }
  return out
}

/** Elementwise tangent. */
export function tanK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.tan(v)
  }
  return out
}

/** Elementwise arcsine. */
export function asinK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.asin(v)
  }
  return out
}

/** Elementwise arccosine. */
export function acosK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.acos(v)
  }
  return out
}

/** Elementwise arctangent. */
export function atanK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.atan(v)
  }
  return out
}

/** Elementwise hyperbolic sine. */
export function sinhK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.sinh(v)
  }
  return out
}

/** Elementwise hyperbolic cosine. */
export function coshK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.cosh(v)
  }
  return out
}

/** Elementwise hyperbolic tangent. */
export function tanhK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.tanh(v)
  }
  return out
}

/** Elementwise square root. */
export function sqrtK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.sqrt(v)
  }
  return out
}

/** Elementwise square x². */
export function squareK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = v * v
  }
  return out
}

/** Elementwise absolute value. */
export function absK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.abs(v)
  }
  return out
}

/** Elementwise sign (0 for ±0, NaN for NaN). */
export function signK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = sign(v)
  }
  return out
}

/** Elementwise logistic sigmoid 1/(1+e⁻ˣ), overflow-free. */
export function logisticK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = logistic(v)
  }
  return out
}

/** Elementwise softplus log(1 + eˣ), overflow-free. */
export function softplusK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = softplus(v)
  }
  return out
}

/** Elementwise error function. */
export function erfK(x: Float64Array): Float64Array {
  const n = x.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = erf(v)
  }
  return out
}
