/**
 * The `eigh` primitive: the symmetric eigendecomposition of (A + Aᵀ)/2 by cyclic Jacobi,
 * eigenvalues ascending, eigenvectors as columns with their entry of largest magnitude positive,
 * batched over leading axes. Its one output packs both, `[..., n + 1, n]`: row 0 holds the
 * eigenvalues, rows 1…n hold V; `eigh()` slices them apart.
 *
 * Derivative (JAX's eigh_jvp_rule, on the symmetrized tangent dS = (dA + dAᵀ)/2): with
 * M = Vᵀ·dS·V, dλ = diag(M) and dV = V·(F ∘ M), F_ij = 1/(λ_j − λ_i) off the diagonal, 0 on it.
 * Pullback: Ā = sym(V·(diag(λ̄) + F ∘ (Vᵀ·V̄))·Vᵀ). The products with F (`gapProduct`)
 * annihilate zeros except where F_ij = ∞ (λ_i = λ_j): there the JVP is always ±∞ or NaN, and the
 * VJP is too unless column j of V̄ is exactly zero — so a function of the eigenvalues alone
 * (V̄ = 0) has a finite gradient at repeated eigenvalues, and nothing that reads a vector of a
 * repeated eigenvalue gets a finite number (a zero coupling M_ij does not make V smooth there).
 *
 * Laws: every registry law (fd-agreement, vjp-jvp-adjoint, …, vmap-agreement, jit-agreement).
 * Taylor mode: `seriesByNestedJvp` (K nested forward passes), the documented fallback.
 * @module
 */
import { bind1 } from '../../core/bind.ts'
import { define, type Primitive } from '../../core/primitive.ts'
import { shapeOf, type Val } from '../../core/tracer.ts'
import { tensor } from '../../tensor/create.ts'
import { eighK, eighShape } from '../../tensor/kernels/eigh.ts'
import { Tensor } from '../../tensor/tensor.ts'
import { add } from '../arithmetic.ts'
import { concat } from '../concat.ts'
import { asTensor, withBatch } from '../families.ts'
import { seriesByNestedJvp } from '../taylor.ts'
import { drawApart, drawBatch, drawOrthogonalClear, writeProduct } from './decomp-domain.ts'
import {
  asMatrix,
  diagMatrix,
  diagPart,
  differences,
  gapProduct,
  mm,
  reciprocalGaps,
  rows,
  rowVector,
  symmetrize,
  usedColumns,
} from './decomp-ops.ts'

type Value = number | Tensor

/** Eigenvalues [..., n] and eigenvectors [..., n, n] of a packed value. */
const unpack = (y: Val, n: number): { w: Val; v: Val } => ({
  w: rowVector(rows(y, 0, 1)),
  v: rows(y, 1, n + 1),
})

/** Primitive record of {@link eigh}: eigenvalues over eigenvectors, `[..., n + 1, n]`. */
export const eighP: Primitive<void> = define<void>({
  name: 'eigh',
  arity: 1,
  zeroDerivative: false,
  impl: ([a]) => {
    const t = asTensor(a!)
    return new Tensor(eighK(t.data, t.shape), eighShape(t.shape))
  },
  shape: ([s]) => eighShape(s!),
  jvp: ([a], [aDot], y) => {
    if (aDot === null || aDot === undefined) return null
    const s = shapeOf(a!)
    const { w, v } = unpack(y, s[s.length - 1]!)
    const m = mm(mm(v, symmetrize(aDot), true), v)
    const f = reciprocalGaps(differences(w))
    const vDot = mm(v, gapProduct(f, m))
    return concat([asMatrix(diagPart(m), -2) as Tensor, vDot as Tensor], -2)
  },
  vjp: (yBar, [a], y) => {
    const s = shapeOf(a!)
    const n = s[s.length - 1]!
    const { w, v } = unpack(y, n)
    const { w: wBar, v: vBar } = unpack(yBar, n)
    const f = reciprocalGaps(differences(w))
    const inner = add(
      diagMatrix(wBar) as Tensor,
      gapProduct(f, mm(v, vBar, true), usedColumns(vBar)) as Tensor,
    )
    return [symmetrize(mm(mm(v, inner), v, false, true))]
  },
  batch: ([a], batched, _params, size) => bind1(eighP, withBatch(a!, batched[0]!, size), undefined),
  taylor: (series, params) => seriesByNestedJvp(eighP, series, params),
  domain: {
    // A = Q·diag(λ)·Qᵀ (+ an antisymmetric part half the time, which eigh must ignore), with
    // eigenvalues in [−2, 2] at least 0.5 apart and eigenvectors of clear sign
    sample: (draw) => {
      const n = draw.integer(1, 4)
      const batch = drawBatch(draw)
      const count = batch[0] ?? 1
      const data = new Float64Array(count * n * n)
      for (let b = 0; b < count; b++) {
        const q = drawOrthogonalClear(draw, n)
        writeProduct(data, b * n * n, q, drawApart(draw, n, -2, 2, 0.5), q, n, n)
        const skew = draw.integer(0, 1) === 1
        for (let i = 0; i < n; i++) {
          for (let j = i + 1; j < n; j++) {
            const at = b * n * n
            const mean = (data[at + i * n + j]! + data[at + j * n + i]!) / 2
            const k = skew ? draw.real(-1, 1) : 0
            data[at + i * n + j] = mean + k
            data[at + j * n + i] = mean - k
          }
        }
      }
      return { args: [new Tensor(data, [...batch, n, n])], params: undefined }
    },
    // diagonal matrices with distinct entries and signed zeros off the diagonal: V is a signed
    // permutation with exact zeros; and a 1 × 1 zero
    special: () => [
      {
        args: [
          tensor([
            [1, -0],
            [0, -2],
          ]),
        ],
        params: undefined,
      },
      {
        args: [
          tensor([
            [0.5, 0, -0],
            [-0, -1, 0],
            [0, -0, 2],
          ]),
        ],
        params: undefined,
      },
      {
        args: [
          tensor([
            [
              [3, 0],
              [-0, 1],
            ],
            [
              [-1, -0],
              [0, 0.5],
            ],
          ]),
        ],
        params: undefined,
      },
      { args: [tensor([[-0]])], params: undefined },
    ],
  },
})

/** The eigendecomposition of {@link eigh}. */
export interface EighResult {
  /** λ [..., n], ascending. */
  readonly eigenvalues: Tensor
  /** V [..., n, n]: orthonormal eigenvectors as columns, column j for λ_j. */
  readonly eigenvectors: Tensor
}

/**
 * Eigendecomposition of a real symmetric matrix: A = V·diag(λ)·Vᵀ, eigenvalues ascending,
 * eigenvectors as the columns of V (orthonormal), each with its entry of largest magnitude
 * positive (the first such entry on a tie); batched over leading axes. V is smooth wherever
 * the eigenvalues are distinct, except where an eigenvector has two entries of equal largest
 * magnitude (`eigh([[2, 1], [1, 2]])`): a perturbation can flip its sign there, and the
 * derivative is the one-sided derivative of the sign chosen at that point. Like JAX, it reads the symmetrized input (A + Aᵀ)/2 (the lower and upper triangles
 * both count). Cyclic Jacobi: accurate to a few ulps of ‖A‖, and it converges on repeated
 * eigenvalues too.
 *
 * Derivative: with dS = (dA + dAᵀ)/2 and M = Vᵀ·dS·V: dλ = diag(M), dV = V·(F ∘ M) with
 * F_ij = 1/(λ_j − λ_i) (i ≠ j), as JAX. At a repeated eigenvalue the eigenvectors spanning its
 * eigenspace are not differentiable functions of A (a perturbation may rotate them, or reorder
 * them even when its first-order coupling inside the eigenspace is zero): their derivatives
 * come out ±∞ or NaN in every mode — forward mode always, reverse mode whenever the cotangent
 * of such a vector is not exactly zero — never a finite wrong number. A function of the
 * eigenvalues alone keeps its finite gradient there (grad of sum(eigenvalues) at I is I), and
 * so does a vector of a simple eigenvalue. Nearly repeated eigenvalues give huge but finite
 * eigenvector derivatives, which is what they are. Second derivatives at repeated eigenvalues
 * pass through eigenvector tangents, so they are NaN there even for functions of the
 * eigenvalues alone (as in JAX). Every mode: grad, jacfwd,
 * hessian, vmap, jit; Taylor mode by nested forward passes.
 *
 * Throws `ShapeError` for rank < 2 or non-square matrices, `LinAlgError` for non-finite entries
 * (or, which finite input never causes, no convergence within 60 sweeps).
 * @example
 * const { eigenvalues, eigenvectors } = linalg.eigh(tensor([[2, 0], [0, 1]]))
 * eigenvalues.toArray() // => [1, 2]
 * eigenvectors.toArray() // => [[0, 1], [1, 0]]
 * @category linalg
 */
export function eigh(a: Value): EighResult {
  const s = shapeOf(a)
  const { w, v } = unpack(bind1(eighP, a, undefined), s[s.length - 1] ?? 0)
  return { eigenvalues: w as Tensor, eigenvectors: v as Tensor }
}

/**
 * The eigenvalues of a real symmetric matrix (of (A + Aᵀ)/2), ascending: `eigh(a).eigenvalues`.
 *
 * Derivative: dλ = diag(Vᵀ·dS·V), dS = (dA + dAᵀ)/2; its gradient V·diag(λ̄)·Vᵀ is finite at
 * repeated eigenvalues too (the largest eigenvalue's gradient is v·vᵀ where it is simple).
 * Throws as `eigh`.
 * @example
 * linalg.eigvalsh(tensor([[2, 1], [1, 2]])) // ≈ [1, 3]
 * @category linalg
 */
export function eigvalsh(a: Value): Tensor {
  return eigh(a).eigenvalues
}
