/**
 * The Dirichlet distribution over the probability simplex, as `jax.scipy.stats.dirichlet`,
 * except that the K categories are the LAST axis (`x`, `alpha`: `[..., K]`, batch axes
 * broadcast) — fluxion batches over leading axes everywhere, where JAX puts K first.
 * @module
 */

import { add, sub } from '../primitives/arithmetic.ts'
import { greater, greaterEqual, lessEqual } from '../primitives/comparison.ts'
import { abs, exp } from '../primitives/elementwise.ts'
import { xlogy } from '../primitives/elementwise-binary.ts'
import { min, sum } from '../primitives/reduction.ts'
import { lgamma } from '../primitives/special.ts'
import { scalar } from '../tensor/create.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { and, inSupport, validOr } from './shared.ts'

type Value = number | Tensor

const asTensor = (v: Value): Tensor => (typeof v === 'number' ? scalar(v) : v)

/**
 * log Γ(Σα) − Σ log Γ(α_i) + Σ (α_i − 1)·log x_i over the last axis (`xlogy`: x_i = 0 with
 * α_i = 1 is exact); −∞ off the simplex (an x_i < 0, or |Σx − 1| > 1e-10·K); `InvalidArgumentError` when an
 * α_i ≤ 0 (NaN under jit or vmap). The result drops the last axis.
 *
 * Derivative: ∂/∂x_i = (α_i − 1)/x_i (along the simplex, take the component tangent to it);
 * ∂/∂α_i = log x_i + digamma(Σα) − digamma(α_i).
 * @example
 * stats.dirichlet.logpdf(tensor([0.2, 0.8]), tensor([1, 1])).item() // => 0
 * @category stats
 */
export function logpdf(x: Value, alpha: Value): Tensor {
  const k = typeof x === 'number' ? 1 : (x.shape.at(-1) ?? 1)
  const onSimplex = and(greaterEqual(min(x, -1), 0), lessEqual(abs(sub(sum(x, -1), 1)), 1e-10 * k))
  const norm = sub(lgamma(sum(alpha, -1)), sum(lgamma(alpha), -1))
  const inside = add(norm, sum(xlogy(sub(alpha, 1), x), -1))
  return asTensor(
    validOr(
      greater(min(alpha, -1), 0),
      inSupport(onSimplex, inside, Number.NEGATIVE_INFINITY),
      'dirichlet.logpdf',
    ),
  )
}

/**
 * The density, exp(logpdf).
 * @example
 * stats.dirichlet.pdf(tensor([0.5, 0.5]), tensor([2, 2])).item() // ≈ 1.5
 * @category stats
 */
export function pdf(x: Value, alpha: Value): Tensor {
  return exp(logpdf(x, alpha))
}
