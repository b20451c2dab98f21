/**
 * The `svd` primitive: the reduced singular value decomposition by one-sided Jacobi, singular
 * values descending, each left singular vector with its entry of largest magnitude positive
 * (the right one flips with it), batched over leading axes. Its one output packs the three
 * factors, `[..., m + 1 + n, k]` with k = min(m, n): rows 0…m−1 hold U, row m the singular
 * values, rows m+1…m+n hold V = Vtᵀ; `svd()` slices them apart.
 *
 * Derivative (JAX's svd_jvp_rule, real case): with dP = Uᵀ·dA·V, S = diag(s) and
 * F_ij = 1/(s_j² − s_i²) off the diagonal (0 on it): ds = diag(dP),
 * dU = U·(F ∘ (dP·S + S·dPᵀ)) + (I − U·Uᵀ)·dA·V·S⁻¹ (the last term when m > n),
 * dV = V·(F ∘ (S·dP + dPᵀ·S)) + (I − V·Vᵀ)·dAᵀ·U·S⁻¹ (when n > m). Pullback:
 * Ā = U·(diag(s̄) + (J + Jᵀ)·S + S·(K + Kᵀ))·Vᵀ + (I − U·Uᵀ)·Ū·S⁻¹·Vᵀ + U·S⁻¹·V̄ᵀ·(I − V·Vᵀ),
 * J = F ∘ (Uᵀ·Ū), K = F ∘ (Vᵀ·V̄). Products with F and S⁻¹ (`gapProduct`) annihilate zeros
 * except at their ∞ entries (repeated singular values, or a zero one when m ≠ n): there the JVP
 * is ±∞ or NaN, and the VJP too unless the cotangent's column j is exactly zero.
 *
 * Laws: every registry law. Taylor mode: `seriesByNestedJvp`, the documented fallback.
 * @module
 */
import { bind1 } from '../../core/bind.ts'
import { define, type Primitive } from '../../core/primitive.ts'
import { shapeOf, type Val } from '../../core/tracer.ts'
import { tensor } from '../../tensor/create.ts'
import { svdK, svdShape } from '../../tensor/kernels/svd.ts'
import { Tensor } from '../../tensor/tensor.ts'
import { add, div, mul, sub } from '../arithmetic.ts'
import { concat } from '../concat.ts'
import { asTensor, withBatch } from '../families.ts'
import { seriesByNestedJvp } from '../taylor.ts'
import {
  drawApart,
  drawBatch,
  drawOrthogonal,
  drawOrthogonalClear,
  writeProduct,
} from './decomp-domain.ts'
import {
  asMatrix,
  diagMatrix,
  diagPart,
  gapProduct,
  mm,
  mT,
  reciprocalGaps,
  rows,
  rowVector,
  usedColumns,
} from './decomp-ops.ts'

type Value = number | Tensor

/** U [..., m, k], s [..., k] and V [..., n, k] of a packed value. */
const unpack = (y: Val, m: number, n: number): { u: Val; s: Val; v: Val } => ({
  u: rows(y, 0, m),
  s: rowVector(rows(y, m, m + 1)),
  v: rows(y, m + 1, m + 1 + n),
})

/** F_ij = 1/(s_j² − s_i²) as 1/((s_j + s_i)(s_j − s_i)), 0 on the diagonal; and 1/s as a row. */
const gaps = (s: Val): { f: Val; sRow: Val; sCol: Val; sInv: Val } => {
  const sRow = asMatrix(s, -2)
  const sCol = asMatrix(s, -1)
  const f = reciprocalGaps(
    mul(add(sRow as Tensor, sCol as Tensor), sub(sRow as Tensor, sCol as Tensor)),
  )
  return { f, sRow, sCol, sInv: div(1, sRow as Tensor) }
}

const dims = (a: Val): [number, number] => {
  const s = shapeOf(a)
  return [s[s.length - 2]!, s[s.length - 1]!]
}

/** Primitive record of {@link svd}: U, the singular values and V stacked, `[..., m + 1 + n, k]`. */
export const svdP: Primitive<void> = define<void>({
  name: 'svd',
  arity: 1,
  zeroDerivative: false,
  impl: ([a]) => {
    const t = asTensor(a!)
    return new Tensor(svdK(t.data, t.shape), svdShape(t.shape))
  },
  shape: ([s]) => svdShape(s!),
  jvp: ([a], [aDot], y) => {
    if (aDot === null || aDot === undefined) return null
    const [m, n] = dims(a!)
    const { u, s, v } = unpack(y, m, n)
    const { f, sRow, sCol, sInv } = gaps(s)
    const aDotV = mm(aDot, v)
    const p = mm(u, aDotV, true) // Uᵀ·dA·V
    const ps = mul(p as Tensor, sRow as Tensor)
    const sp = mul(sCol as Tensor, p as Tensor)
    let uDot: Val = mm(u, gapProduct(f, add(ps, mT(ps) as Tensor)))
    let vDot: Val = mm(v, gapProduct(f, add(sp, mT(sp) as Tensor)))
    if (m > n) {
      const out = sub(aDotV as Tensor, mm(u, p) as Tensor)
      uDot = add(uDot as Tensor, gapProduct(sInv, out) as Tensor)
    }
    if (n > m) {
      const aDotTU = mm(aDot, u, true)
      const out = sub(aDotTU as Tensor, mm(v, p, false, true) as Tensor)
      vDot = add(vDot as Tensor, gapProduct(sInv, out) as Tensor)
    }
    return concat([uDot as Tensor, asMatrix(diagPart(p), -2) as Tensor, vDot as Tensor], -2)
  },
  vjp: (yBar, [a], y) => {
    const [m, n] = dims(a!)
    const { u, s, v } = unpack(y, m, n)
    const { u: uBar, s: sBar, v: vBar } = unpack(yBar, m, n)
    const { f, sRow, sCol, sInv } = gaps(s)
    const utuBar = mm(u, uBar, true)
    const vtvBar = mm(v, vBar, true)
    const uUsed = usedColumns(uBar)
    const vUsed = usedColumns(vBar)
    const j = gapProduct(f, utuBar, uUsed) as Tensor
    const k = gapProduct(f, vtvBar, vUsed) as Tensor
    const inner = add(
      add(diagMatrix(sBar) as Tensor, mul(add(j, mT(j) as Tensor), sRow as Tensor)),
      mul(sCol as Tensor, add(k, mT(k) as Tensor)),
    )
    let aBar: Val = mm(mm(u, inner), v, false, true)
    if (m > n) {
      const out = gapProduct(sInv, sub(uBar as Tensor, mm(u, utuBar) as Tensor), uUsed)
      aBar = add(aBar as Tensor, mm(out, v, false, true) as Tensor)
    }
    if (n > m) {
      const out = gapProduct(sInv, sub(vBar as Tensor, mm(v, vtvBar) as Tensor), vUsed)
      aBar = add(aBar as Tensor, mm(u, out, false, true) as Tensor)
    }
    return [aBar]
  },
  batch: ([a], batched, _params, size) => bind1(svdP, withBatch(a!, batched[0]!, size), undefined),
  taylor: (series, params) => seriesByNestedJvp(svdP, series, params),
  domain: {
    // A = U·diag(s)·Vᵀ with s in [0.5, 2.5] at least 0.4 apart and U's columns of clear sign
    sample: (draw) => {
      const [m, n] = [draw.integer(1, 4), draw.integer(1, 4)]
      const k = Math.min(m, n)
      const batch = drawBatch(draw)
      const count = batch[0] ?? 1
      const data = new Float64Array(count * m * n)
      for (let b = 0; b < count; b++) {
        const u = drawOrthogonalClear(draw, m, k)
        const s = drawApart(draw, k, 0.5, 2.5, 0.4)
        writeProduct(data, b * m * n, u, s, drawOrthogonal(draw, n), m, n)
      }
      return { args: [new Tensor(data, [...batch, m, n])], params: undefined }
    },
    // signed zeros around distinct singular values: U and V signed permutations; tall, wide
    special: () => [
      {
        args: [
          tensor([
            [3, -0],
            [0, -1],
          ]),
        ],
        params: undefined,
      },
      {
        args: [
          tensor([
            [0, 2],
            [-0, 0],
            [1, -0],
          ]),
        ],
        params: undefined,
      },
      {
        args: [
          tensor([
            [0, -0, -2],
            [1, 0, -0],
          ]),
        ],
        params: undefined,
      },
      {
        args: [
          tensor([
            [
              [1, 0],
              [0, 2],
            ],
            [
              [-0, -3],
              [0.5, 0],
            ],
          ]),
        ],
        params: undefined,
      },
    ],
  },
})

/** The factors of {@link svd}. */
export interface SvdResult {
  /** U [..., m, k]: orthonormal left singular vectors as columns. */
  readonly u: Tensor
  /** s [..., k]: the singular values, descending, ≥ 0. */
  readonly s: Tensor
  /** Vt [..., k, n]: orthonormal right singular vectors as rows. */
  readonly vt: Tensor
}

/**
 * Reduced singular value decomposition: A = U·diag(s)·Vt with U [..., m, k] and Vtᵀ [..., n, k]
 * orthonormal, s [..., k] descending and ≥ 0, k = min(m, n) (NumPy's and JAX's
 * `full_matrices=False`); batched over leading axes. One-sided Jacobi: singular values accurate
 * to ~1e-15 relative on well-conditioned input. Each column of U has its entry of largest
 * magnitude positive (the row of Vt flips with it). The factors are smooth wherever the singular
 * values are distinct and nonzero, except where a column of U has two entries of equal largest
 * magnitude (a perturbation can flip the pair's sign); at a zero singular value the sign of
 * its pair (u_j, v_j) can flip too (A = diag(1, t) has v₂ = sign(t)·e₂). There the derivative
 * is the one-sided derivative of the sign chosen at that point.
 *
 * Derivative (as JAX): with dP = Uᵀ·dA·V and F_ij = 1/(s_j² − s_i²): ds = diag(dP),
 * dU = U·(F ∘ (dP·S + S·dPᵀ)) + (I − U·Uᵀ)·dA·V·S⁻¹ (m > n), dV likewise. At repeated singular
 * values (or a zero one, when m ≠ n) F or S⁻¹ has ∞ entries: functions of s alone (`svdvals`,
 * the nuclear norm) have finite gradients there, U·Vᵀ for the nuclear norm; derivatives of the
 * singular vectors of a repeated value come out ±∞ or NaN in every mode (forward always,
 * reverse whenever their cotangent is not exactly zero), never a finite wrong number; so do,
 * there, the second derivatives that pass through them, even of functions of s alone. Every mode: grad,
 * jacfwd, hessian, vmap, jit; Taylor mode by nested forward passes.
 *
 * Throws `ShapeError` for rank < 2, `LinAlgError` for non-finite entries (or no convergence
 * within 60 sweeps, which finite input never causes).
 * @example
 * const { u, s, vt } = linalg.svd(tensor([[0, 2], [1, 0]]))
 * s.toArray() // => [2, 1]
 * u.toArray() // => [[1, 0], [0, 1]]
 * vt.toArray() // => [[0, 1], [1, 0]]
 * @category linalg
 */
export function svd(a: Value): SvdResult {
  const [m, n] = shapeOf(a).length < 2 ? [0, 0] : dims(a)
  const { u, s, v } = unpack(bind1(svdP, a, undefined), m, n)
  return { u: u as Tensor, s: s as Tensor, vt: mT(v) as Tensor }
}

/**
 * The singular values of A, descending: `svd(a).s`.
 *
 * Derivative: ds = diag(Uᵀ·dA·V); its gradient U·diag(s̄)·Vᵀ is finite wherever the SVD is
 * computed, repeated singular values included. Throws as `svd`.
 * @example
 * linalg.svdvals(tensor([[3, 0], [0, -4]])).toArray() // => [4, 3]
 * @category linalg
 */
export function svdvals(a: Value): Tensor {
  return svd(a).s
}
