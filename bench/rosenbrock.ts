/**
 * What several suites share: the validation check, the W1 and W2 inputs, and the Rosenbrock
 * function (as a scalar loop and vectorized) with its hand-written gradient (the floor every W1
 * and W2 task is checked against).
 */
import { add, mul, slice, square, sub, sum, type Tensor } from 'fluxion'

/** |aᵢ − bᵢ| ≤ rtol·max(1, |bᵢ|) for every i, or throws naming the first index that is not. */
export const near = (a: ArrayLike<number>, b: ArrayLike<number>, rtol = 1e-9): void => {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`)
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!)
    if (!(d <= rtol * Math.max(1, Math.abs(b[i]!)))) throw new Error(`at ${i}: ${a[i]} ≠ ${b[i]}`)
  }
}

/** The W1 input: xᵢ = 1 + sin(i)/2. */
export const points = (n: number): number[] =>
  Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.sin(i))

/** ∇ Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², by hand. */
export const rosenbrockGradPlain = (x: ArrayLike<number>): Float64Array => {
  const g = new Float64Array(x.length)
  for (let i = 0; i < x.length - 1; i++) {
    const xi = x[i]!
    const d = x[i + 1]! - xi * xi
    g[i]! += -400 * xi * d - 2 * (1 - xi)
    g[i + 1]! += 200 * d
  }
  return g
}

/**
 * Rosenbrock written as a scalar loop of fluxion ops (per-op overhead: the core suite and the
 * W2 peers workload).
 */
export const rosenbrockLoop = (x: readonly number[]): number => {
  let acc = 0
  for (let i = 0; i < x.length - 1; i++) {
    const xi = x[i]!
    acc = add(acc, add(mul(100, square(sub(x[i + 1]!, square(xi)))), square(sub(1, xi))))
  }
  return acc
}
/**
 * Primitive applications per term of `rosenbrockLoop` (n − 1 terms per call): xᵢ², xᵢ₊₁ − xᵢ²,
 * its square, the scale by 100, 1 − xᵢ, its square, and two additions. (Counted 7 before
 * 2026-11-27, which overstated the time per op by 8/7.)
 */
export const opsPerTerm = 8

/** Vectorized Rosenbrock over a tensor. */
export const rosenbrockVec = (x: Tensor): Tensor => {
  const n = x.shape[0]!
  const head = slice(x, [0], [n - 1])
  const tail = slice(x, [1])
  return sum(add(mul(100, square(sub(tail, square(head)))), square(sub(1, head))))
}
