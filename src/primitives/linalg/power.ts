/**
 * Integer matrix powers, composed of `matmul` (and `inv` for negative exponents).
 * @module
 */
import { InvalidArgumentError } from '../../core/errors.ts'
import { shapeOf } from '../../core/tracer.ts'
import { eye } from '../../tensor/create.ts'
import { squareSize } from '../../tensor/kernels/matrix-batch.ts'
import type { Tensor } from '../../tensor/tensor.ts'
import { broadcastTo } from '../structural.ts'
import { mm } from './helpers.ts'
import { inv } from './solve.ts'

type Value = number | Tensor

/**
 * aⁿ for each matrix of `[..., n, n]` and an integer exponent (numpy.linalg.matrix_power), by
 * repeated squaring: about 2·log₂|n| products. n = 0 gives the identity (whose derivative is
 * zero), a negative n the power of `inv(a)`.
 *
 * Derivative: through the products (and `inv`): d(a²) = da·a + a·da, and so on.
 * Any integer n, also beyond 2⁵³ (about 2·log₂|n| ≤ 2,048 products).
 *
 * Throws `ShapeError` when `a` is not `[..., n, n]`, `InvalidArgumentError` when `n` is not an
 * integer (a fraction, ±∞ or NaN), and `LinAlgError` (from `inv`) for a negative power of a singular matrix.
 * @example
 * linalg.matrixPower(tensor([[1, 1], [0, 1]]), 3).toArray() // => [[1, 3], [0, 1]]
 * @category linalg
 */
export function matrixPower(a: Value, n: number): Tensor {
  const shape = shapeOf(a)
  const size = squareSize(shape, 'matrixPower')
  // any finite integer: above 2⁵³ every double is one, and halving it stays exact
  if (!Number.isInteger(n)) {
    throw new InvalidArgumentError(`matrixPower needs an integer exponent, got ${String(n)}`, {
      primitive: 'matrixPower',
      shapes: [shape],
      hint: 'for a fractional power of a symmetric matrix, use eigh',
    })
  }
  // the identity in a's dtype: a⁰ is a matrix of a's own type, as every other power
  if (n === 0) return broadcastTo(eye(size, size, 0, { dtype: (a as Tensor).dtype }), shape)
  let base: Tensor = n < 0 ? inv(a) : (a as Tensor)
  let result: Tensor | undefined
  // binary exponentiation: multiply in the squares of the set bits of |n|
  for (let e = Math.abs(n); ; ) {
    if (e % 2 === 1) result = result === undefined ? base : (mm(result, base) as Tensor)
    e = Math.floor(e / 2)
    if (e === 0) break
    base = mm(base, base) as Tensor
  }
  return result!
}
