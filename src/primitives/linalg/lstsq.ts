/**
 * Least squares and the pseudo-inverse. `lstsq` is a composition — the `qr` primitive (with its
 * full-rank check) and a triangular solve in fluxion ops — so its derivative is the chain rule
 * through QR's. `pinv` is a primitive: the SVD with NumPy's cutoff, differentiated by the
 * Golub–Pereyra formula (as JAX), which stays finite at repeated singular values where a
 * composition through `svd` would not.
 *
 * Laws (pinv): every registry law. Taylor mode: `seriesByNestedJvp`, the documented fallback.
 * @module
 */

import { bind1 } from '../../core/bind.ts'
import { InvalidArgumentError, LinAlgError, ShapeError } from '../../core/errors.ts'
import { define, type Primitive } from '../../core/primitive.ts'
import { shapeOf, type Val } from '../../core/tracer.ts'
import { tensor } from '../../tensor/create.ts'
import { pinvK, pinvShape } from '../../tensor/kernels/svd.ts'
import { Tensor } from '../../tensor/tensor.ts'
import { add, neg, sub } from '../arithmetic.ts'
import { asTensor, reshapeV, withBatch } from '../families.ts'
import { seriesByNestedJvp } from '../taylor.ts'
import { drawApart, drawBatch, drawOrthogonal, writeProduct } from './decomp-domain.ts'
import { mm, mT, rows, solveTriangular } from './decomp-ops.ts'
import { identity } from './helpers.ts'
import { qrP } from './qr.ts'

type Value = number | Tensor

const matrixShape = (a: Value, op: string): [number, number] => {
  const s = shapeOf(a)
  if (s.length < 2) {
    throw new ShapeError(`${op} needs a matrix (or a batch of them), got rank ${s.length}`, {
      primitive: op,
      shapes: [s],
      hint: 'pass a [..., m, n] tensor',
    })
  }
  return [s[s.length - 2]!, s[s.length - 1]!]
}

/**
 * The least-squares solution x minimizing ‖A·x − b‖₂, for A [..., m, n] of full column rank
 * (m ≥ n), by Householder QR: x = R⁻¹·Qᵀ·b. `b` is a vector [m] (then x is [..., n]) or a
 * matrix [..., m, p] (then x is [..., n, p]); batch axes broadcast. NumPy and JAX return the
 * tuple (x, residuals, rank, singular values); fluxion returns x alone — the residual is
 * `sub(matmul(a, x), b)`, and the rank is n whenever lstsq returns.
 *
 * Derivative: the chain rule through `qr` (see there) and the triangular solve; it equals
 * dx = (AᵀA)⁻¹·(dAᵀ·r − Aᵀ·dA·x) + A⁺·db with r = b − A·x. Every mode.
 *
 * Throws `ShapeError` for rank < 2 or a `b` whose rows differ from A's, and `LinAlgError` for
 * m < n, a rank-deficient A (a diagonal entry of R at most max(m, n)·ε·max|Rᵢᵢ|; use
 * `matmul(pinv(a), b)` for the least-norm solution) or non-finite entries.
 * @example
 * linalg.lstsq(tensor([[1, 0], [0, 1], [1, 1]]), tensor([1, 1, 0])) // ≈ [1 / 3, 1 / 3]
 * @category linalg
 */
export function lstsq(a: Value, b: Value): Tensor {
  const [m, n] = matrixShape(a, 'lstsq')
  const sb = shapeOf(b)
  const vector = sb.length === 1
  const mb = vector ? sb[0] : sb[sb.length - 2]
  if (sb.length === 0 || mb !== m) {
    throw new ShapeError(`lstsq needs b with ${m} rows, like a`, {
      primitive: 'lstsq',
      shapes: [shapeOf(a), sb],
      hint: 'b is a vector [m] or a matrix [..., m, p]',
    })
  }
  if (m < n) {
    throw new LinAlgError(`lstsq needs m ≥ n (full column rank), got ${m} × ${n}`, {
      primitive: 'lstsq',
      shapes: [shapeOf(a), sb],
      hint: 'an underdetermined system has many solutions: matmul(pinv(a), b) is the one of least norm',
    })
  }
  const packed = bind1(qrP, a, { fullRank: true })
  const q = rows(packed, 0, m)
  const r = mT(rows(packed, m, m + n))
  const x = solveTriangular(r, mm(q, vector ? reshapeV(b, [m, 1]) : b, true), false)
  if (!vector) return x as Tensor
  const sx = shapeOf(x)
  return reshapeV(x, sx.slice(0, -1)) as Tensor
}

/** Params of `pinv`. */
export interface PinvParams {
  /** Singular values at most `rtol`·max(s) count as zero. */
  readonly rtol: number
}

/** P·Pᵀ-style products of the Golub–Pereyra formula, shared by the rules. */
const parts = (a: Val, p: Val) => {
  const s = shapeOf(a)
  const [m, n] = [s[s.length - 2]!, s[s.length - 1]!]
  return {
    leftNull: sub(identity(m), mm(a, p) as Tensor), // I − A·P (m × m)
    rightNull: sub(identity(n), mm(p, a) as Tensor), // I − P·A (n × n)
    ppt: mm(p, p, false, true), // P·Pᵀ (n × n)
    ptp: mm(p, p, true), // Pᵀ·P (m × m)
  }
}

/** Primitive record of {@link pinv}: the pseudo-inverse, `[..., n, m]`. */
export const pinvP: Primitive<PinvParams> = define<PinvParams>({
  name: 'pinv',
  arity: 1,
  zeroDerivative: false,
  impl: ([a], { rtol }) => {
    const t = asTensor(a!)
    return new Tensor(pinvK(t.data, t.shape, rtol), pinvShape(t.shape))
  },
  shape: ([s]) => pinvShape(s!),
  // dP = −P·dA·P + P·Pᵀ·dAᵀ·(I − A·P) + (I − P·A)·dAᵀ·Pᵀ·P
  jvp: ([a], [aDot], p) => {
    if (aDot === null || aDot === undefined) return null
    const { leftNull, rightNull, ppt, ptp } = parts(a!, p)
    const inner = neg(mm(mm(p, aDot), p) as Tensor)
    const left = mm(ppt, mm(aDot, leftNull, true))
    const right = mm(rightNull, mm(aDot, ptp, true))
    return add(add(inner, left as Tensor), right as Tensor)
  },
  // Ā = −Pᵀ·P̄·Pᵀ + (I − A·P)·P̄ᵀ·P·Pᵀ + Pᵀ·P·P̄ᵀ·(I − P·A)
  vjp: (pBar, [a], p) => {
    const { leftNull, rightNull, ppt, ptp } = parts(a!, p)
    const inner = neg(mm(mm(p, pBar, true), p, false, true) as Tensor)
    const left = mm(mm(leftNull, pBar, false, true), ppt)
    const right = mm(mm(ptp, pBar, false, true), rightNull)
    return [add(add(inner, left as Tensor), right as Tensor)]
  },
  batch: ([a], batched, params, size) => bind1(pinvP, withBatch(a!, batched[0]!, size), params),
  taylor: (series, params) => seriesByNestedJvp(pinvP, series, params),
  domain: {
    // well-conditioned A = U·diag(s)·Vᵀ, s in [0.5, 2]: the cutoff keeps every singular value
    sample: (draw) => {
      const [m, n] = [draw.integer(1, 4), draw.integer(1, 4)]
      const k = Math.min(m, n)
      const batch = drawBatch(draw)
      const count = batch[0] ?? 1
      const data = new Float64Array(count * m * n)
      for (let b = 0; b < count; b++) {
        const s = drawApart(draw, k, 0.5, 2, 0)
        writeProduct(data, b * m * n, drawOrthogonal(draw, m), s, drawOrthogonal(draw, n), m, n)
      }
      return {
        args: [new Tensor(data, [...batch, m, n])],
        params: { rtol: Math.max(m, n) * Number.EPSILON },
      }
    },
    // signed zeros, a repeated singular value (smooth for pinv), wide and tall
    special: () => [
      {
        args: [
          tensor([
            [1, -0],
            [0, 1],
          ]),
        ],
        params: { rtol: 1e-15 },
      },
      {
        args: [
          tensor([
            [2, 0],
            [-0, -1],
            [0, 0],
          ]),
        ],
        params: { rtol: 1e-15 },
      },
      { args: [tensor([[[0, 1, -0]], [[-2, 0, 0]]])], params: { rtol: 1e-15 } },
    ],
  },
})

/**
 * The Moore–Penrose pseudo-inverse of A [..., m, n], [..., n, m], from the SVD: V·diag(s⁺)·Uᵀ
 * with s⁺ᵢ = 1/sᵢ where sᵢ > rtol·max(s) and 0 elsewhere (NumPy's cutoff; `rtol` defaults to
 * max(m, n)·ε, NumPy's default, where JAX's is ten times that); batched over leading axes.
 *
 * Derivative (Golub & Pereyra, as JAX): dP = −P·dA·P + P·Pᵀ·dAᵀ·(I − A·P) + (I − P·A)·dAᵀ·Pᵀ·P.
 * It is exact wherever the number of kept singular values is locally constant and those cut
 * are exactly zero (full rank, or exactly rank-deficient A): there it is the derivative of the
 * rank-preserving pseudo-inverse. Singular values below the cutoff count as zero in it, so for
 * a small but nonzero cut singular value it is that of the truncated pseudo-inverse up to terms
 * of the order of that value. At the cutoff itself pinv jumps (a singular value entering or
 * leaving): no derivative exists there, and the formula gives that of the rank on the side the
 * value lies. Finite at repeated singular values. Every mode.
 *
 * Throws `ShapeError` for rank < 2, `InvalidArgumentError` for a negative or non-finite `rtol`,
 * `LinAlgError` for non-finite entries.
 * @example
 * linalg.pinv(tensor([[2, 0], [0, 0]])).toArray() // => [[0.5, 0], [0, 0]]
 * @category linalg
 */
export function pinv(a: Value, rtol?: number): Tensor {
  const [m, n] = matrixShape(a, 'pinv')
  const tol = rtol ?? Math.max(m, n) * Number.EPSILON
  if (typeof tol !== 'number' || !(tol >= 0) || tol === Infinity) {
    throw new InvalidArgumentError(`pinv's rtol must be a finite number ≥ 0, got ${String(tol)}`, {
      primitive: 'pinv',
      hint: 'singular values ≤ rtol·max(s) count as zero; the default is max(m, n)·ε',
    })
  }
  return bind1(pinvP, a, { rtol: tol }) as Tensor
}
