/**
 * The multivariate normal distribution N(mean, cov), as `jax.scipy.stats.multivariate_normal`,
 * batched: `x`, `mean` are `[..., n]`, `cov` is `[..., n, n]`, batch axes broadcast. Built on
 * `cholesky` and `triangularSolve` from fluxion/linalg, so it differentiates in x, mean and cov
 * in every mode. `logpdfDiag` is the same density for a diagonal covariance given by its
 * variances, without a factorization.
 * @module
 */
import { add, div, mul, sub } from '../primitives/arithmetic.ts'
import { greater } from '../primitives/comparison.ts'
import { log, square } from '../primitives/elementwise.ts'
import { cholesky } from '../primitives/linalg/cholesky.ts'
import { diagonal } from '../primitives/linalg/matrix-utils.ts'
import { triangularSolve } from '../primitives/linalg/triangular.ts'
import { min, sum } from '../primitives/reduction.ts'
import { expandDims, squeeze } from '../primitives/structural.ts'
import { scalar } from '../tensor/create.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { validOr } from './shared.ts'

type Value = number | Tensor

const LOG_2PI = Math.log(2 * Math.PI)
const asTensor = (v: Value): Tensor => (typeof v === 'number' ? scalar(v) : v)
const dim = (x: Value): number => (typeof x === 'number' ? 1 : (x.shape.at(-1) ?? 1))

/**
 * −½(‖L⁻¹(x − mean)‖² + n·log 2π) − Σ log L_ii with cov = L·Lᵀ (Cholesky): one triangular
 * solve, no inverse, no determinant. Drops the last axis of x.
 *
 * Derivative (composed): ∂/∂x = −cov⁻¹(x − mean), ∂/∂cov = ½(cov⁻¹ddᵀcov⁻¹ − cov⁻¹) for
 * d = x − mean; `cov` is read as symmetric (its lower triangle, as `cholesky`).
 *
 * Throws `LinAlgError` when `cov` is not positive definite, `ShapeError` when the shapes do
 * not fit (both from `cholesky` / `triangularSolve`, concrete values).
 * @example
 * const cov = tensor([[2, 0], [0, 2]])
 * stats.multivariateNormal.logpdf(tensor([0, 0]), tensor([0, 0]), cov).item() // ≈ -Math.log(4 * Math.PI)
 * @category stats
 */
export function logpdf(x: Value, mean: Value, cov: Value): Tensor {
  const l = cholesky(cov)
  const d = expandDims(sub(x, mean), -1)
  const y = squeeze(triangularSolve(l, d, { lower: true }), -1)
  const halfLogDet = sum(log(diagonal(l)), -1)
  return sub(mul(-0.5, add(sum(square(y), -1), dim(l) * LOG_2PI)), halfLogDet)
}

/**
 * The same density for a diagonal covariance with the given variances (`[..., n]`):
 * −½Σ((x_i − mean_i)²/var_i + log var_i + log 2π). `InvalidArgumentError` when a variance is ≤ 0
 * (NaN under jit or vmap).
 *
 * Derivative: ∂/∂x_i = −(x_i − mean_i)/var_i, ∂/∂var_i = ½((x_i − mean_i)²/var_i − 1)/var_i.
 * @example
 * stats.multivariateNormal.logpdfDiag(tensor([0, 0]), 0, tensor([2, 2])).item() // ≈ -Math.log(4 * Math.PI)
 * @category stats
 */
export function logpdfDiag(x: Value, mean: Value, variance: Value): Tensor {
  const terms = add(add(div(square(sub(x, mean)), variance), log(variance)), LOG_2PI)
  return asTensor(
    validOr(
      greater(min(asTensor(variance), -1), 0),
      mul(-0.5, sum(terms, -1)),
      'multivariateNormal.logpdfDiag',
    ),
  )
}
