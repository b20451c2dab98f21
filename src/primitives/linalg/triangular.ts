/**
 * Triangular solves: the `triangularSolve` primitive (jax.scipy.linalg.solve_triangular, left
 * side), on which `cholesky`'s and `lu`'s rules are built.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, jvp-linearity (in b), and every registry law.
 * @module
 */
import { bind2 } from '../../core/bind.ts'
import { ShapeError } from '../../core/errors.ts'
import { define, type Primitive } from '../../core/primitive.ts'
import { shapeOf, type Val } from '../../core/tracer.ts'
import { tensor } from '../../tensor/create.ts'
import { solveShape, squareSize } from '../../tensor/kernels/matrix-batch.ts'
import { type TriangularFlags, triangularSolveK } from '../../tensor/kernels/triangular.ts'
import { Tensor } from '../../tensor/tensor.ts'
import { alignBatched, asTensor, unbroadcast } from '../families.ts'
import { expandDims, squeeze } from '../structural.ts'
import { checkFlag, matrixCotangent, mm, rhsTangent, solveSeries, tril, triu } from './helpers.ts'
import { drawBatchPair, drawDominant, drawEntries } from './sampling.ts'

type Value = number | Tensor

/** Params of `triangularSolve`: which triangle, whether transposed, whether unit-diagonal. */
export type TriangularSolveParams = TriangularFlags

/** op(T)·x = b with the given flags. */
export const triSolve = (t: Val, b: Val, params: TriangularSolveParams): Val =>
  bind2(triangularSolveP, t, b, params)

/** The entries of a matrix that a triangular solve reads: its triangle, the diagonal unless unit. */
const readPart = (x: Val, { lower, unitDiagonal }: TriangularSolveParams): Val =>
  lower ? tril(x, unitDiagonal) : triu(x, unitDiagonal)

/** Primitive record of {@link triangularSolve}: op(T)·X = B, batch axes broadcast. */
export const triangularSolveP: Primitive<TriangularSolveParams> = define<TriangularSolveParams>({
  name: 'triangularSolve',
  arity: 2,
  zeroDerivative: false,
  impl: ([t, b], params) => {
    const tt = asTensor(t!)
    const tb = asTensor(b!)
    const { data, shape } = triangularSolveK(tt.data, tt.shape, tb.data, tb.shape, params)
    return new Tensor(data, shape)
  },
  shape: ([t, b]) => solveShape(t!, b!, 'triangularSolve'),
  // dx = op(T)⁻¹·(db − op(dT)·x), dT masked to the triangle read
  jvp: ([t], [tDot, bDot], x, params) => {
    const rhs = rhsTangent(tDot, bDot, x, params.transpose, (d) => readPart(d, params))
    return rhs === null ? null : triSolve(t!, rhs, params)
  },
  // b̄ = op(T)⁻ᵀ·x̄; T̄ = −b̄·xᵀ (−x·b̄ᵀ when transposed), masked to the triangle read
  vjp: (xBar, [t, b], x, params, needs) => {
    const bBar = triSolve(t!, xBar, { ...params, transpose: !params.transpose })
    return [
      needs[0]
        ? unbroadcast(readPart(matrixCotangent(bBar, x, params.transpose), params), t!)
        : null,
      needs[1] ? unbroadcast(bBar, b!) : null,
    ]
  },
  batch: (args, batched, params) => {
    const [t, b] = alignBatched(args, batched)
    return bind2(triangularSolveP, t!, b!, params)
  },
  // a recurrence: x_k = op(T₀)⁻¹·(b_k − Σ_{i≥1} op(T_i)·x_{k−i})
  taylor: ([t, b], params, constant) =>
    solveSeries(
      t!,
      b!,
      constant[0]!,
      (rhs) => triSolve(t![0]!, rhs, params),
      (ti, x) => mm(readPart(ti, params), x, params.transpose, false),
    ),
  domain: {
    sample: (draw) => {
      const n = draw.integer(1, 4)
      const k = draw.integer(1, 3)
      const params = {
        lower: draw.integer(0, 1) === 1,
        transpose: draw.integer(0, 1) === 1,
        unitDiagonal: draw.integer(0, 1) === 1,
      }
      const [tBatch, bBatch] = drawBatchPair(draw)
      // the unread triangle holds entries too: the laws check they are ignored
      return {
        args: [drawDominant(draw, tBatch, n, false), drawEntries(draw, [...bBatch, n, k])],
        params,
      }
    },
    special: () => [
      {
        args: [
          tensor([
            [2, 5, -0],
            [0, -0.5, 7],
            [-0, 1, 3],
          ]),
          tensor([
            [1, -0],
            [0, 2],
            [-1, 0.5],
          ]),
        ],
        params: { lower: true, transpose: false, unitDiagonal: false },
      },
      {
        args: [
          tensor([
            [0, -0, 2],
            [9, 0, 0.5],
            [-0, 4, -0],
          ]),
          tensor([[0], [-0], [1]]),
        ],
        params: { lower: false, transpose: true, unitDiagonal: true },
      },
      {
        args: [
          tensor([
            [
              [1, 0],
              [-0, 1],
            ],
            [
              [-2, 0.5],
              [0, 0.25],
            ],
          ]),
          tensor([[-0], [3]]),
        ],
        params: { lower: false, transpose: false, unitDiagonal: false },
      },
    ],
  },
})

/** Options of {@link triangularSolve}. */
export interface TriangularSolveOptions {
  /** Use the lower triangle of `a` (default false: the upper, as SciPy). */
  readonly lower?: boolean
  /** Solve aᵀ·x = b instead (default false). */
  readonly transpose?: boolean
  /** Take the diagonal of `a` as ones, without reading it (default false). */
  readonly unitDiagonal?: boolean
}

/**
 * Solves op(a)·x = b for a triangular `a` (jax.scipy.linalg.solve_triangular on the left): only
 * the triangle named by `lower` is read (and its diagonal unless `unitDiagonal`), op is the
 * transpose when `transpose` is set. `a` is `[..., n, n]`; `b` is `[..., n]` (vectors: when
 * b.ndim = a.ndim − 1, or b is rank 1) or `[..., n, k]`; batch axes broadcast.
 *
 * Derivative: dx = op(a)⁻¹·(db − op(da)·x), da restricted to the triangle read; cotangents
 * b̄ = op(a)⁻ᵀ·x̄ and ā = −b̄·xᵀ (−x·b̄ᵀ when transposed) on that triangle, zero elsewhere.
 * Taylor mode by the recurrence x_k = op(a₀)⁻¹·(b_k − Σ_{i≥1} op(a_i)·x_{k−i}).
 *
 * Throws `ShapeError` when `a` is not `[..., n, n]`, `b` has the wrong rank or row count or the
 * batch axes do not broadcast; `LinAlgError` when a diagonal entry it divides by is exactly 0
 * or an entry it reads is not finite (as SciPy). b's entries are IEEE arithmetic.
 * @example
 * const a = tensor([[2, 0], [1, 4]])
 * linalg.triangularSolve(a, tensor([2, 9]), { lower: true }).toArray() // => [1, 2]
 * @category linalg
 */
export function triangularSolve(a: Value, b: Value, options: TriangularSolveOptions = {}): Tensor {
  const params: TriangularSolveParams = {
    lower: checkFlag(options.lower, 'lower', 'triangularSolve'),
    transpose: checkFlag(options.transpose, 'transpose', 'triangularSolve'),
    unitDiagonal: checkFlag(options.unitDiagonal, 'unitDiagonal', 'triangularSolve'),
  }
  return withVectorRhs(a, b, 'triangularSolve', (bm) => triSolve(a, bm, params))
}

/**
 * `solve(bm)` with `b` as a matrix right-hand side: a vector right-hand side (rank 1, the rule of
 * NumPy 2 and current JAX) gets a trailing axis of size 1, removed from the result. A batch of
 * vectors is a batch of one-column matrices: `squeeze(solve(a, expandDims(b, -1)), -1)`.
 */
export const withVectorRhs = (a: Value, b: Value, op: string, solve: (bm: Val) => Val): Tensor => {
  const sa = shapeOf(a)
  const sb = shapeOf(b)
  const ra = sa.length
  const rb = sb.length
  squareSize(sa, op, [sa, sb])
  if (rb === 0) {
    throw new ShapeError(`${op} needs b to be a vector or a matrix, got a scalar`, {
      primitive: op,
      shapes: [sa, sb],
      hint: 'pass b as [..., n] or [..., n, k]',
    })
  }
  if (rb !== 1) return solve(b) as Tensor
  const n = sa[ra - 1]!
  if (sb[0] !== n) {
    throw new ShapeError(`${op}: b is a vector of length ${sb[0]}, not ${n}`, {
      primitive: op,
      shapes: [sa, sb],
      hint: 'b must have as many rows as a',
    })
  }
  return squeeze(solve(expandDims(b, -1)), -1)
}
