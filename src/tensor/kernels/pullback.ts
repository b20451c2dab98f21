/**
 * Fused pullback kernels of unary elementwise primitives: x̄ = ȳ·∂y/∂x in one pass over memory,
 * where the rule written in fluxion ops takes two or three (the partial, then the
 * zero-annihilating product). Each kernel performs exactly the operations of its primitive's rule, in the same
 * order, so both paths agree to the bit (test/core/pullback-kernels.test.ts checks every
 * primitive that has one); a zero ȳ or a zero partial gives 0 even where the other factor is
 * infinite or NaN, as `safeMul` does.
 * The rule stays the definition: it is what every other interpreter, and every higher order, runs.
 * @module
 */
import type { Floats } from '../tensor.ts'
import { uninitialized } from './alloc.ts'
import { logistic } from './scalar.ts'

/** x̄ from ȳ, the input x and the output y, all of one length. */
export type PullbackKernel = (yBar: Floats, x: Floats, y: Floats) => Float64Array

/** square: ȳ·(2x). */
export function squarePullbackK(yBar: Floats, x: Floats): Float64Array {
  const n = yBar.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const g = yBar[i]!
    const d = 2 * x[i]!
    out[i] = g === 0 || d === 0 ? 0 : g * d
  }
  return out
}

/** exp: ȳ·y. */
export function expPullbackK(yBar: Floats, _x: Floats, y: Floats): Float64Array {
  const n = yBar.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const g = yBar[i]!
    const d = y[i]!
    out[i] = g === 0 || d === 0 ? 0 : g * d
  }
  return out
}

/** log: ȳ·(1/x). */
export function logPullbackK(yBar: Floats, x: Floats): Float64Array {
  const n = yBar.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const g = yBar[i]!
    const d = 1 / x[i]!
    out[i] = g === 0 || d === 0 ? 0 : g * d
  }
  return out
}

/** sqrt: ȳ·(0.5/y). */
export function sqrtPullbackK(yBar: Floats, _x: Floats, y: Floats): Float64Array {
  const n = yBar.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const g = yBar[i]!
    const d = 0.5 / y[i]!
    out[i] = g === 0 || d === 0 ? 0 : g * d
  }
  return out
}

/** sin: ȳ·cos x. */
export function sinPullbackK(yBar: Floats, x: Floats): Float64Array {
  const n = yBar.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const g = yBar[i]!
    const d = Math.cos(x[i]!)
    out[i] = g === 0 || d === 0 ? 0 : g * d
  }
  return out
}

/** cos: ȳ·(−sin x). */
export function cosPullbackK(yBar: Floats, x: Floats): Float64Array {
  const n = yBar.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const g = yBar[i]!
    const d = -Math.sin(x[i]!)
    out[i] = g === 0 || d === 0 ? 0 : g * d
  }
  return out
}

/** tanh: ȳ·(1/cosh x)², the rule's sech² (1 − y² would cancel for large |x|). */
export function tanhPullbackK(yBar: Floats, x: Floats): Float64Array {
  const n = yBar.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const g = yBar[i]!
    const s = 1 / Math.cosh(x[i]!)
    const d = s * s
    out[i] = g === 0 || d === 0 ? 0 : g * d
  }
  return out
}

/** logistic: ȳ·(y·σ(−x)), the rule's σ(x)·σ(−x). */
export function logisticPullbackK(yBar: Floats, x: Floats, y: Floats): Float64Array {
  const n = yBar.length
  const out = uninitialized(n)
  for (let i = 0; i < n; i++) {
    const g = yBar[i]!
    const d = y[i]! * logistic(-x[i]!)
    out[i] = g === 0 || d === 0 ? 0 : g * d
  }
  return out
}
