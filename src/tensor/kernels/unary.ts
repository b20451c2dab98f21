/**
 * Elementwise unary kernels: one plain loop per op, returning a fresh array of the input's
 * storage type (a float32 result is the float64 value rounded once, by the store).
 * Each loop body is written out (no per-element callback), so V8 compiles a tight monomorphic
 * loop for every op.
 * @module
 */
import type { Floats } from '../tensor.ts'
import { uninitializedLike } from './alloc.ts'
import { erf, logistic, sign, softplus } from './scalar.ts'

/** The common type of every unary kernel. */
export type UnaryKernel = (x: Floats) => Floats

/** Elementwise negation −x. */
export function negK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = -v
  }
  return out
}

/** Elementwise eˣ. */
export function expK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.exp(v)
  }
  return out
}

/** Elementwise natural logarithm. */
export function logK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.log(v)
  }
  return out
}

/** Elementwise log(1 + x), accurate near 0. */
export function log1pK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.log1p(v)
  }
  return out
}

/** Elementwise eˣ − 1, accurate near 0. */
export function expm1K(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.expm1(v)
  }
  return out
}

/** Elementwise sine. */
export function sinK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.sin(v)
  }
  return out
}

/** Elementwise cosine. */
export function cosK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.cos(v)
  }
  return out
}

/** Elementwise tangent. */
export function tanK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.tan(v)
  }
  return out
}

/** Elementwise arcsine. */
export function asinK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.asin(v)
  }
  return out
}

/** Elementwise arccosine. */
export function acosK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.acos(v)
  }
  return out
}

/** Elementwise arctangent. */
export function atanK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.atan(v)
  }
  return out
}

/** Elementwise hyperbolic sine. */
export function sinhK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.sinh(v)
  }
  return out
}

/** Elementwise hyperbolic cosine. */
export function coshK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.cosh(v)
  }
  return out
}

/** Elementwise hyperbolic tangent. */
export function tanhK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.tanh(v)
  }
  return out
}

/** Elementwise square root. */
export function sqrtK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.sqrt(v)
  }
  return out
}

/** Elementwise square x². */
export function squareK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = v * v
  }
  return out
}

/** Elementwise absolute value. */
export function absK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = Math.abs(v)
  }
  return out
}

/** Elementwise sign (0 for ±0, NaN for NaN). */
export function signK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = sign(v)
  }
  return out
}

/** Elementwise logistic sigmoid 1/(1+e⁻ˣ), overflow-free. */
export function logisticK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = logistic(v)
  }
  return out
}

/** Elementwise softplus log(1 + eˣ), overflow-free. */
export function softplusK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = softplus(v)
  }
  return out
}

/** Elementwise error function. */
export function erfK(x: Floats): Floats {
  const n = x.length
  const out = uninitializedLike(x, n)
  for (let i = 0; i < n; i++) {
    const v = x[i]!
    out[i] = erf(v)
  }
  return out
}
