/**
 * Linear systems: the `solve` primitive (LU with partial pivoting, factors cached per matrix),
 * and `inv` composed from it.
 *
 * Its derivative rules solve again with the same matrix — op(A)⁻¹ for the tangent, op(A)⁻ᵀ for
 * the cotangent — and so reuse the factorization the forward solve cached; no inverse is ever
 * formed.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, jvp-linearity (in b), and every registry law.
 * @module
 */
import { bind2 } from '../../core/bind.ts'
import { define, type Primitive } from '../../core/primitive.ts'
import { shapeOf, type Val } from '../../core/tracer.ts'
import { eye, tensor } from '../../tensor/create.ts'
import { luSolveK } from '../../tensor/kernels/lu.ts'
import { solveShape, squareSize } from '../../tensor/kernels/matrix-batch.ts'
import { Tensor } from '../../tensor/tensor.ts'
import { alignBatched, asTensor, unbroadcast } from '../families.ts'
import {
  identity,
  matrixCotangent,
  mm,
  needsInvertible,
  rhsTangent,
  solveSeries,
} from './helpers.ts'
import { drawBatchPair, drawDominant, drawEntries } from './sampling.ts'
import { withVectorRhs } from './triangular.ts'

type Value = number | Tensor

/** The op a solve is part of, which its errors name instead of `solve`. */
export interface SolveCaller {
  readonly op: string
  /**
   * Whether the solve is in `op`'s derivative rule: a singular matrix then means that
   * derivative is not implemented (det itself is defined there).
   */
  readonly derivative: boolean
}

/** Params of `solve`: whether to solve with the transposed matrix, and for whom. */
export interface SolveParams {
  /** Solve Aᵀ·X = B instead of A·X = B. */
  readonly transpose: boolean
  /**
   * The op the user called, when this solve is part of it (`inv`, det's derivative). Carried
   * in the params so the kernel's error names it on every `jit` replay too, where no wrapper
   * around the traced code runs to rename it.
   */
  readonly caller?: SolveCaller | undefined
}

/** op(A)·X = B through A's (cached) LU factors; errors name `caller`'s op if given. */
export const luSolve = (a: Val, b: Val, transpose: boolean, caller?: SolveCaller): Val =>
  bind2(solveP, a, b, { transpose, caller })

/** Primitive record of {@link solve}: op(A)·X = B, batch axes broadcast. */
export const solveP: Primitive<SolveParams> = define<SolveParams>({
  name: 'solve',
  arity: 2,
  zeroDerivative: false,
  impl: ([a, b], { transpose, caller }) => {
    const ta = asTensor(a!)
    const tb = asTensor(b!)
    const run = (op: string) => {
      const { data, shape } = luSolveK(ta.data, ta.shape, tb.data, tb.shape, transpose, op)
      return new Tensor(data, shape)
    }
    if (caller === undefined) return run('solve')
    return caller.derivative
      ? needsInvertible(caller.op, [ta.shape], () => run('solve'))
      : run(caller.op)
  },
  shape: ([a, b]) => solveShape(a!, b!, 'solve'),
  // dx = op(A)⁻¹·(db − op(dA)·x): one more solve with A, whose factors are cached
  jvp: ([a], [aDot, bDot], x, { transpose, caller }) => {
    const rhs = rhsTangent(aDot, bDot, x, transpose)
    return rhs === null ? null : luSolve(a!, rhs, transpose, caller)
  },
  // b̄ = op(A)⁻ᵀ·x̄ (the transposed solve, same factors); Ā = −b̄·xᵀ, or −x·b̄ᵀ when transposed
  vjp: (xBar, [a, b], x, { transpose, caller }, needs) => {
    const bBar = luSolve(a!, xBar, !transpose, caller)
    return [
      needs[0] ? unbroadcast(matrixCotangent(bBar, x, transpose), a!) : null,
      needs[1] ? unbroadcast(bBar, b!) : null,
    ]
  },
  batch: (args, batched, params) => {
    const [a, b] = alignBatched(args, batched)
    return bind2(solveP, a!, b!, params)
  },
  // a recurrence: x_k = op(A₀)⁻¹·(b_k − Σ_{i≥1} op(A_i)·x_{k−i}), every solve with A₀'s factors
  taylor: ([a, b], { transpose, caller }, constant) =>
    solveSeries(
      a!,
      b!,
      constant[0]!,
      (rhs) => luSolve(a![0]!, rhs, transpose, caller),
      (ai, x) => mm(ai, x, transpose, false),
    ),
  domain: {
    sample: (draw) => {
      const n = draw.integer(1, 4)
      const k = draw.integer(1, 3)
      const [aBatch, bBatch] = drawBatchPair(draw)
      return {
        args: [drawDominant(draw, aBatch, n, true), drawEntries(draw, [...bBatch, n, k])],
        params: { transpose: draw.integer(0, 1) === 1 },
      }
    },
    special: () => [
      { args: [eye(3), tensor([[0], [-0], [1]])], params: { transpose: false } },
      {
        args: [
          tensor([
            [2, -0, 1],
            [0, -3, 0],
            [-0, 1, 4],
          ]),
          tensor([
            [1, -0],
            [0, 0],
            [-2, 0.5],
          ]),
        ],
        params: { transpose: true },
      },
      {
        args: [
          tensor([
            [
              [0, 1],
              [1, -0],
            ],
            [
              [-0.5, 0],
              [-0, 2],
            ],
          ]),
          tensor([[-0], [3]]),
        ],
        params: { transpose: false },
      },
    ],
  },
})

/**
 * Solves a·x = b by LU factorization with partial pivoting (numpy.linalg.solve). `a` is
 * `[..., n, n]`; `b` is one vector `[n]` (rank 1) or a batch of matrices `[..., n, k]`, as in
 * NumPy 2 and current JAX (a batch of vectors is `expandDims(b, -1)`); batch axes broadcast. The factorization is cached
 * with `a`, so derivatives (and other solves with the same `a`) do not factor again.
 *
 * Derivative: dx = a⁻¹·(db − da·x); cotangents b̄ = a⁻ᵀ·x̄ and ā = −b̄·xᵀ — both one solve with
 * the cached factors, never an inverse. Taylor mode by x_k = a₀⁻¹·(b_k − Σ_{i≥1} a_i·x_{k−i}).
 *
 * Throws `ShapeError` when `a` is not `[..., n, n]`, `b` has the wrong rank or row count or the
 * batch axes do not broadcast; `LinAlgError` when `a` is exactly singular (a zero pivot) or has
 * a non-finite entry — never an infinite or NaN solution. Entries of `b` propagate as IEEE
 * arithmetic (NaN in, NaN out).
 * @example
 * const a = tensor([[3, 1], [1, 2]])
 * linalg.solve(a, tensor([9, 8])).toArray() // => [2, 3]
 * @category linalg
 */
export function solve(a: Value, b: Value): Tensor {
  return withVectorRhs(a, b, 'solve', (bm) => luSolve(a, bm, false))
}

/**
 * The inverse of each matrix of `[..., n, n]`: solve(a, I). Prefer `solve` to multiplying by an
 * inverse: it is faster and more accurate.
 *
 * Derivative: d(a⁻¹) = −a⁻¹·da·a⁻¹ (the rules of `solve`).
 * Throws `ShapeError` when `a` is not `[..., n, n]`, `LinAlgError` when it is exactly singular
 * or has a non-finite entry.
 * @example
 * linalg.inv(tensor([[2, 0], [0, 4]])).toArray() // => [[0.5, 0], [0, 0.25]]
 * @category linalg
 */
export function inv(a: Value): Tensor {
  const n = squareSize(shapeOf(a), 'inv')
  return luSolve(a, identity(n), false, { op: 'inv', derivative: false }) as Tensor
}
