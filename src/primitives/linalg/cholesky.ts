/**
 * Cholesky factorization: the `cholesky` primitive, and `choSolve` composed of two triangular
 * solves with its factor.
 *
 * The factor is computed from the symmetrized input Ã = (A + Aᵀ)/2, as JAX does: it is then a
 * function of all of A, defined for non-symmetric perturbations (which finite differences and
 * random tangents are), and equal to the usual factor on symmetric A.
 *
 * Derivative: from Ã = L·Lᵀ, L⁻¹·dÃ·L⁻ᵀ = L⁻¹·dL + (L⁻¹·dL)ᵀ with L⁻¹·dL lower triangular, so
 * dL = L·Φ(L⁻¹·dÃ·L⁻ᵀ), Φ taking the lower triangle with the diagonal halved.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, and every registry law (at SPD matrices).
 * @module
 */
import { bind1 } from '../../core/bind.ts'
import { define, type Primitive } from '../../core/primitive.ts'
import { shapeOf, type Val } from '../../core/tracer.ts'
import { eye, tensor } from '../../tensor/create.ts'
import { choleskyK } from '../../tensor/kernels/cholesky.ts'
import { squareSize } from '../../tensor/kernels/matrix-batch.ts'
import { Tensor } from '../../tensor/tensor.ts'
import { add, mul, sub } from '../arithmetic.ts'
import { asTensor } from '../families.ts'
import { lastSize, mm, mT, triangleMask } from './helpers.ts'
import { drawBatch, drawSpd } from './sampling.ts'
import { triSolve, withVectorRhs } from './triangular.ts'

type Value = number | Tensor

/** (x + xᵀ)/2. */
const sym = (x: Val): Val => mul(add(x, mT(x)), 0.5)

/** Φ: the lower triangle with the diagonal halved (an elementwise mask, so self-adjoint). */
const phi = (x: Val): Val => mul(x, triangleMask(lastSize(x), false, 0, 0.5))

const lower = { lower: true, transpose: false, unitDiagonal: false } as const
const lowerT = { lower: true, transpose: true, unitDiagonal: false } as const

/** dL = L·Φ(L⁻¹·S·L⁻ᵀ) for a symmetric S: two triangular solves and a product. */
const factorTangent = (l: Val, s: Val): Val => {
  const x = triSolve(l, s, lower)
  return mm(l, phi(triSolve(l, mT(x), lower)))
}

/** Primitive record of {@link cholesky}: `[..., n, n]` → its lower factor. */
export const choleskyP: Primitive<void> = define<void>({
  name: 'cholesky',
  arity: 1,
  zeroDerivative: false,
  impl: ([a]) => {
    const t = asTensor(a!)
    return new Tensor(choleskyK(t.data, t.shape), t.shape)
  },
  shape: ([s]) => {
    squareSize(s!, 'cholesky')
    return s!
  },
  jvp: ([_a], [aDot], l) => (aDot == null ? null : factorTangent(l, sym(aDot))),
  // ⟨L̄, L·Φ(L⁻¹·dÃ·L⁻ᵀ)⟩ = ⟨L⁻ᵀ·Φ(Lᵀ·L̄)·L⁻¹, dÃ⟩, and dÃ = sym(dA) is self-adjoint
  vjp: (lBar, _args, l) => {
    const g = phi(mm(l, lBar, true, false))
    const z = triSolve(l, g, lowerT)
    return [sym(mT(triSolve(l, mT(z), lowerT)))]
  },
  batch: ([a]) => bind1(choleskyP, a!, undefined),
  // a recurrence: Ã_k = Σ_{i=0..k} L_i·L_{k−i}ᵀ, so L_k is the tangent rule applied to
  // Ã_k − Σ_{i=1..k−1} L_i·L_{k−i}ᵀ (symmetric)
  taylor: ([a]) => {
    const l: Val[] = [bind1(choleskyP, a![0]!, undefined)]
    for (let k = 1; k < a!.length; k++) {
      let rhs = sym(a![k]!)
      for (let i = 1; i < k; i++) rhs = sub(rhs, mm(l[i]!, l[k - i]!, false, true))
      l.push(factorTangent(l[0]!, rhs))
    }
    return l
  },
  domain: {
    sample: (draw) => {
      const n = draw.integer(1, 4)
      return { args: [drawSpd(draw, drawBatch(draw), n)], params: undefined }
    },
    // kept positive definite by the neighbours the special-point laws compose with (square,
    // exp and abs entrywise: Schur products of SPD matrices, and diagonal dominance)
    special: () => [
      { args: [eye(3)], params: undefined },
      {
        args: [
          tensor([
            [4, -0, 1],
            [0, 2, -0],
            [1, 0, 3],
          ]),
        ],
        params: undefined,
      },
      {
        args: [
          tensor([
            [
              [0.25, 0],
              [-0, 4],
            ],
            [
              [2, 1],
              [1, 2],
            ],
          ]),
        ],
        params: undefined,
      },
    ],
  },
})

/**
 * The lower Cholesky factor l of each symmetric positive-definite matrix of `[..., n, n]`:
 * a = l·lᵀ, l with a positive diagonal. It reads the symmetrized matrix (a + aᵀ)/2, as JAX:
 * the same factor for symmetric input, and a function defined (and differentiable) for any
 * perturbation of it.
 *
 * Derivative: dl = l·Φ(l⁻¹·dã·l⁻ᵀ), dã = (da + daᵀ)/2, Φ the lower triangle with its diagonal
 * halved; cotangent ā = sym(l⁻ᵀ·Φ(lᵀ·l̄)·l⁻¹). Taylor mode by the recurrence
 * ã_k = Σ l_i·l_{k−i}ᵀ.
 *
 * Throws `ShapeError` when `a` is not `[..., n, n]`; `LinAlgError` when it is not positive
 * definite (NumPy raises too; JAX returns NaN) or has a non-finite entry.
 * @example
 * linalg.cholesky(tensor([[4, 2], [2, 5]])).toArray() // => [[2, 0], [1, 2]]
 * @category linalg
 */
export function cholesky(a: Value): Tensor {
  squareSize(shapeOf(a), 'cholesky')
  return bind1(choleskyP, a, undefined) as Tensor
}

/**
 * Solves a·x = b given the lower Cholesky factor l of a (a = l·lᵀ), by two triangular solves
 * (jax.scipy.linalg.cho_solve with `lower`): x = l⁻ᵀ·(l⁻¹·b). Only l's lower triangle is read.
 * `b` is `[..., n]` (vectors: when b.ndim = l.ndim − 1, or rank 1) or `[..., n, k]`; batch
 * axes broadcast.
 *
 * Derivative: through both triangular solves, in l (its lower triangle) and in b.
 * Throws as `triangularSolve` does (`LinAlgError` for a zero or non-finite diagonal entry).
 * @example
 * const l = linalg.cholesky(tensor([[4, 2], [2, 5]]))
 * linalg.choSolve(l, tensor([8, 12])).toArray() // => [1, 2]
 * @category linalg
 */
export function choSolve(l: Value, b: Value): Tensor {
  return withVectorRhs(l, b, 'choSolve', (bm) => triSolve(l, triSolve(l, bm, lower), lowerT))
}
