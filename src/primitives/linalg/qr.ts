/**
 * The `qr` primitive: reduced QR by Householder reflections, R's diagonal ≥ 0, batched over
 * leading axes. Its one output packs both factors, `[..., m + n, k]` with k = min(m, n): rows
 * 0…m−1 hold Q, rows m…m+n−1 hold Rᵀ (both have k columns); `qr()` slices them apart.
 *
 * Derivative (JAX's qr_jvp_rule, for m ≥ n): with X = dA·R⁻¹, C = Qᵀ·X, L its strictly lower
 * triangle and Ω = L − Lᵀ: dQ = Q·(Ω − C) + X, dR = (C − Ω)·R. For m < n, A = [A₁ | A₂] with
 * A₁ square: (Q, R₁) is the QR of A₁ (the rule above) and R₂ = Qᵀ·A₂, so dR₂ = dQᵀ·A₂ + Qᵀ·dA₂.
 * The pullback transposes these: with B = Qᵀ·Q̄ − R̄·Rᵀ and G = tril(B − Bᵀ, −1) − B,
 * Ā = (Q̄ + Q·G)·R⁻ᵀ. R⁻¹ is applied by the `triangularSolve` primitive. The derivative needs
 * R₁ non-singular (A₁ of full rank): an exact zero on R's diagonal is a `LinAlgError`.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, jvp-linearity, vmap-agreement, jit-agreement (all the
 * registry's). Taylor mode: `seriesByNestedJvp` (K nested forward passes), the documented
 * fallback, as no cheap recurrence exists.
 * @module
 */
import { bind1 } from '../../core/bind.ts'
import { define, type Primitive } from '../../core/primitive.ts'
import { shapeOf, type Val } from '../../core/tracer.ts'
import { tensor } from '../../tensor/create.ts'
import { qrK, qrShape } from '../../tensor/kernels/qr.ts'
import { Tensor } from '../../tensor/tensor.ts'
import { add, sub } from '../arithmetic.ts'
import { concat } from '../concat.ts'
import { drawValue, real } from '../domain.ts'
import { asTensor, withBatch } from '../families.ts'
import { seriesByNestedJvp } from '../taylor.ts'
import { drawApart, drawBatch, drawOrthogonal, writeProduct } from './decomp-domain.ts'
import { cols, mm, mT, rows, solveTriangular, tril } from './decomp-ops.ts'
import { needsInvertible } from './helpers.ts'

type Value = number | Tensor

/** Params of `qr`. */
export interface QrParams {
  /**
   * Throw `LinAlgError` unless A has full column rank (m ≥ n and no diagonal entry of R at most
   * max(m, n)·ε·max|Rᵢᵢ|): what `lstsq` needs. `qr()` itself passes false.
   */
  readonly fullRank: boolean
}

/** The factors' blocks of a packed value (output, tangent or cotangent) of an `[m, n]` input. */
const unpack = (y: Val, m: number, n: number): { q: Val; r: Val } => ({
  q: rows(y, 0, m),
  r: mT(rows(y, m, m + n)),
})

const pack = (q: Val, r: Val): Val => concat([q as Tensor, mT(r) as Tensor], -2)

/** X·R⁻¹ for upper triangular R, as Rᵀ·Xᵀ = Bᵀ (Rᵀ lower). */
const rightSolve = (x: Val, r: Val): Val => mT(solveTriangular(mT(r), mT(x), true))

/** Tangents of Q and of the square block R₁ for A₁ = Q·R₁ (m ≥ k). */
const squareJvp = (q: Val, r1: Val, a1Dot: Val): { qDot: Val; r1Dot: Val } => {
  const x = rightSolve(a1Dot, r1)
  const c = mm(q, x, true)
  const lower = tril(c, -1)
  const omega = sub(lower as Tensor, mT(lower) as Tensor)
  return {
    qDot: add(mm(q, sub(omega, c as Tensor)) as Tensor, x as Tensor),
    r1Dot: mm(sub(c as Tensor, omega), r1),
  }
}

/** Ā₁ from Q̄ and R̄₁ for A₁ = Q·R₁: (Q̄ + Q·G)·R₁⁻ᵀ. */
const squareVjp = (q: Val, r1: Val, qBar: Val, r1Bar: Val): Val => {
  const b = sub(mm(q, qBar, true) as Tensor, mm(r1Bar, r1, false, true) as Tensor)
  const g = sub(tril(sub(b, mT(b) as Tensor), -1) as Tensor, b)
  // M·R⁻ᵀ = (R⁻¹·Mᵀ)ᵀ: an upper triangular solve
  return mT(solveTriangular(r1, mT(add(qBar as Tensor, mm(q, g) as Tensor)), false))
}

/** Why a derivative of qr can meet a singular R: the factor's derivative needs full rank. */
const rankHint =
  'the derivative of qr needs A of full column rank (R invertible): differentiate at a matrix of full rank'

/** The tangent of the packed (Q, R) (JVP body of {@link qrP}). */
function qrJvp(a: Val, aDot: Val, y: Val): Val {
  const s = shapeOf(a)
  const [m, n] = [s[s.length - 2]!, s[s.length - 1]!]
  const { q, r } = unpack(y, m, n)
  if (m >= n) {
    const { qDot, r1Dot } = squareJvp(q, r, aDot)
    return pack(qDot, r1Dot)
  }
  const { qDot, r1Dot } = squareJvp(q, cols(r, 0, m), cols(aDot, 0, m))
  const a2 = cols(a, m, n)
  const r2Dot = add(mm(qDot, a2, true) as Tensor, mm(q, cols(aDot, m, n), true) as Tensor)
  return pack(qDot, concat([r1Dot as Tensor, r2Dot], -1))
}

/** The cotangent of A (VJP body of {@link qrP}). */
function qrVjp(yBar: Val, a: Val, y: Val): Val {
  const s = shapeOf(a)
  const [m, n] = [s[s.length - 2]!, s[s.length - 1]!]
  const { q, r } = unpack(y, m, n)
  const { q: qBar, r: rBar } = unpack(yBar, m, n)
  if (m >= n) return squareVjp(q, r, qBar, rBar)
  // R₂ = Qᵀ·A₂: Q̄ gains A₂·R̄₂ᵀ, and Ā₂ = Q·R̄₂
  const r2Bar = cols(rBar, m, n)
  const qBarAll = add(qBar as Tensor, mm(cols(a, m, n), r2Bar, false, true) as Tensor)
  const a1Bar = squareVjp(q, cols(r, 0, m), qBarAll, cols(rBar, 0, m))
  return concat([a1Bar as Tensor, mm(q, r2Bar) as Tensor], -1)
}

/** Primitive record of {@link qr}: Q and Rᵀ stacked, `[..., m + n, min(m, n)]`. */
export const qrP: Primitive<QrParams> = define<QrParams>({
  name: 'qr',
  arity: 1,
  zeroDerivative: false,
  impl: ([a], { fullRank }) => {
    const t = asTensor(a!)
    return new Tensor(qrK(t.data, t.shape, fullRank), qrShape(t.shape))
  },
  shape: ([s]) => qrShape(s!),
  jvp: ([a], [aDot], y) => {
    if (aDot === null || aDot === undefined) return null
    return needsInvertible('qr', [shapeOf(a!)], () => qrJvp(a!, aDot, y), rankHint)
  },
  vjp: (yBar, [a], y) => [needsInvertible('qr', [shapeOf(a!)], () => qrVjp(yBar, a!, y), rankHint)],
  // leading axes are batch axes already: put vmap's in front
  batch: ([a], batched, params, size) => bind1(qrP, withBatch(a!, batched[0]!, size), params),
  taylor: (series, params) => seriesByNestedJvp(qrP, series, params),
  domain: {
    // singular values in [0.5, 2] (cond ≤ 4); for m < n the left square block is built so
    sample: (draw) => {
      const [m, n] = [draw.integer(1, 4), draw.integer(1, 4)]
      const k = Math.min(m, n)
      const batch = drawBatch(draw)
      const count = batch[0] ?? 1
      const data = new Float64Array(count * m * n)
      const block = new Float64Array(m * k)
      for (let b = 0; b < count; b++) {
        const s = drawApart(draw, k, 0.5, 2, 0)
        writeProduct(block, 0, drawOrthogonal(draw, m), s, drawOrthogonal(draw, k), m, k)
        const rest = drawValue(draw, [m, n - k], real(-1, 1)) as Tensor
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            data[b * m * n + i * n + j] =
              j < k ? block[i * k + j]! : rest.data[i * (n - k) + j - k]!
          }
        }
      }
      const fullRank = m >= n && draw.integer(0, 1) === 1
      return { args: [new Tensor(data, [...batch, m, n])], params: { fullRank } }
    },
    // signed zeros, negative pivots (R's diagonal made positive), wide and tall, batched
    special: () => [
      {
        args: [
          tensor([
            [1, -0],
            [0, 2],
          ]),
        ],
        params: { fullRank: true },
      },
      {
        args: [
          tensor([
            [-2, 0],
            [0, -1],
            [-0, 0],
          ]),
        ],
        params: { fullRank: false },
      },
      {
        args: [
          tensor([
            [3, 0, -0],
            [-0, -2, 1],
          ]),
        ],
        params: { fullRank: false },
      },
      {
        args: [
          tensor([
            [
              [0, 1],
              [1, 0],
            ],
            [
              [-1, -0],
              [0, 3],
            ],
          ]),
        ],
        params: { fullRank: true },
      },
    ],
  },
})

/** The factors of {@link qr}. */
export interface QrResult {
  /** Q [..., m, k]: orthonormal columns. */
  readonly q: Tensor
  /** R [..., k, n]: upper triangular, diagonal ≥ 0. */
  readonly r: Tensor
}

/**
 * Reduced QR factorization: A = Q·R with Q [..., m, k] (orthonormal columns), R [..., k, n]
 * (upper triangular), k = min(m, n), by Householder reflections; batched over leading axes.
 * R's diagonal is made ≥ 0 (NumPy and JAX return LAPACK's signs, which may be negative): the
 * factorization of a full-rank matrix is then unique, so Q and R are smooth functions of A.
 *
 * Derivative: with X = dA·R⁻¹, C = Qᵀ·X, L its strictly lower triangle, Ω = L − Lᵀ:
 * dQ = Q·(Ω − C) + X and dR = (C − Ω)·R (m ≥ n); for m < n the left square block A₁ is
 * differentiated so and dR₂ = dQᵀ·A₂ + Qᵀ·dA₂ (JAX raises there). It needs A (A₁ when m < n)
 * of full column rank: where R has an exact zero on its diagonal the derivative raises
 * `LinAlgError`, and near rank deficiency it grows like 1/σ_min, as Q itself does. Every mode:
 * grad, jacfwd, hessian, vmap, jit; Taylor mode by nested forward passes.
 *
 * Throws `ShapeError` for rank < 2 and `LinAlgError` for non-finite entries.
 * @example
 * const { q, r } = linalg.qr(tensor([[3, 0], [4, 5]]))
 * q // ≈ [[0.6, -0.8], [0.8, 0.6]]
 * r // ≈ [[5, 4], [0, 3]]
 * @category linalg
 */
export function qr(a: Value): QrResult {
  const s = shapeOf(a)
  const packed = bind1(qrP, a, { fullRank: false })
  const { q, r } = unpack(packed, s[s.length - 2] ?? 0, s[s.length - 1] ?? 0)
  return { q: q as Tensor, r: r as Tensor }
}
