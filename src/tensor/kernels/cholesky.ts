/**
 * Cholesky factorization A = L·Lᵀ of a batch of symmetric positive-definite matrices.
 * @module
 */

import { LinAlgError } from '../../core/errors.ts'
import { type Shape, sizeOf } from '../shape.ts'
import type { Floats } from '../tensor.ts'
import { refuseNonFinite, squareSize } from './matrix-batch.ts'

/**
 * The lower Cholesky factors of `[..., n, n]`, of the symmetrized matrices (A + Aᵀ)/2 (as JAX
 * reads its input: the factor is then a function of all of A, defined for non-symmetric
 * perturbations too). Row by row (Cholesky–Crout): entry (i, j) is the dot product of the
 * leading parts of rows i and j of L, contiguous in memory. Throws `ShapeError` for a
 * non-square shape and `LinAlgError` for a non-finite entry or a matrix that is not positive
 * definite (a leading minor ≤ 0).
 */
export function choleskyK(a: Floats, shape: Shape): Float64Array {
  const n = squareSize(shape, 'cholesky')
  refuseNonFinite(a, 'cholesky', [shape])
  const count = sizeOf(shape.slice(0, -2))
  const l = new Float64Array(a.length)
  for (let m = 0; m < count; m++) {
    const base = m * n * n
    for (let i = 0; i < n; i++) {
      const ri = base + i * n
      for (let j = 0; j <= i; j++) {
        const rj = base + j * n
        let s = i === j ? a[ri + i]! : 0.5 * (a[ri + j]! + a[rj + i]!)
        for (let p = 0; p < j; p++) s -= l[ri + p]! * l[rj + p]!
        if (i !== j) {
          l[ri + j] = s / l[rj + j]!
        } else if (s > 0) {
          l[ri + i] = Math.sqrt(s)
        } else {
          const which = count > 1 ? `matrix ${m} of the batch` : 'the matrix'
          throw new LinAlgError(
            `cholesky: ${which} is not positive definite (its leading minor of order ${i + 1} is not positive)`,
            {
              primitive: 'cholesky',
              shapes: [shape],
              hint: 'cholesky needs a symmetric positive-definite matrix; add a multiple of the identity to a semi-definite one, or use lu/solve for an indefinite one',
            },
          )
        }
      }
    }
  }
  return l
}
