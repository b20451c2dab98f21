/**
 * One check of a function ℝⁿ → ℝᵐ (tensor in, tensor out) through every transformation, for
 * the array-op tests: `grad` of a weighted sum against a central difference, `jacfwd` against
 * `jacrev`, `hessian` against `jacfwd(grad)` and its transpose, `grad(grad)` (through a scalar
 * line), `vmap` against a loop, `jit` (first and second call) against eager evaluation, and
 * `derivative` (Taylor mode) of t ↦ ⟨w, f(x + t·v)⟩ against nested `grad`s up to order 3.
 */
import {
  add,
  derivative,
  grad,
  hessian,
  jacfwd,
  jacrev,
  jit,
  mul,
  reshape,
  stack,
  sum,
  type Tensor,
  tensor,
  transpose,
  vmap,
} from 'fluxion'
import { expectClose } from '../helpers.ts'

/** A pseudo-random vector of n entries in (−1, 1), the same for the same seed. */
export const wiggle = (n: number, seed: number): number[] =>
  Array.from({ length: n }, (_, i) => Math.sin(12.9898 * (i + 1) + 78.233 * seed) * 0.9)

const like = (x: Tensor, seed: number): Tensor => tensor(wiggle(x.size, seed), x.shape)

/** Checks `f` at `x` in every mode; `rtol` bounds the finite-difference comparisons. */
export function checkModes(f: (x: Tensor) => Tensor, x: Tensor, rtol = 1e-6): void {
  const y = f(x)
  const w = like(y, 1)
  const v = like(x, 2)
  const loss = (z: Tensor) => sum(mul(w, f(z)))
  // grad against a central difference along v
  const g = grad(loss)(x)
  const h = 1e-6
  const fd = (loss(add(x, mul(h, v))).item() - loss(add(x, mul(-h, v))).item()) / (2 * h)
  expectClose(sum(mul(g, v)), fd, rtol, rtol)
  // forward and reverse Jacobians
  const jf = jacfwd(f)(x)
  expectClose(jacrev(f)(x), jf, 1e-12, 1e-12)
  // Hessian of the weighted sum: symmetric, equal to the Jacobian of the gradient
  const H = hessian(loss)(x)
  const n = x.size
  const H2 = reshape(H, [n, n])
  expectClose(H2, transpose(H2), 1e-10, 1e-10)
  expectClose(H, jacfwd(grad(loss))(x), 1e-10, 1e-10)
  // grad(grad) along a line: d²/dt² ⟨w, f(x + t·v)⟩ = vᵀ H v
  const line = (t: number) => loss(add(x, mul(t, v))) as unknown as number
  const second = grad(grad(line))(0)
  const vHv = sum(mul(reshape(v, [n]), sum(mul(H2, reshape(v, [1, n])), 1)))
  expectClose(second, vHv.item(), 1e-9, 1e-9)
  // Taylor mode against nested grads, orders 1–3
  let nested: (t: number) => number = line
  for (let k = 1; k <= 3; k++) {
    nested = grad(nested)
    expectClose(derivative(line, k)(0), nested(0), 1e-9, 1e-9)
  }
  // vmap over a batch of three against a loop; jit (twice) against eager
  const xs = [x, add(x, like(x, 3)), mul(x, 0.5)]
  expectClose(vmap(f)(stack(xs)), stack(xs.map(f)), 0, 0)
  const compiled = jit(f)
  expectClose(compiled(x), y, 0, 0)
  expectClose(compiled(xs[1]!), f(xs[1]!), 0, 0)
  const compiledGrad = jit(grad(loss))
  expectClose(compiledGrad(x), g, 0, 0)
  expectClose(compiledGrad(xs[2]!), grad(loss)(xs[2]!), 0, 0)
}
