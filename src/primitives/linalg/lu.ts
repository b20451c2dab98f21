/**
 * LU factorization with partial pivoting: the `lu` primitive, whose one output packs the
 * permutation and both factors, and the public `lu` that unpacks them (as jax.scipy.linalg.lu
 * and lax.linalg.lu).
 *
 * Derivative: with P·A = L·U, differentiating gives L⁻¹·P·dA·U⁻¹ = L⁻¹·dL + dU·U⁻¹, a strictly
 * lower plus an upper triangular matrix; so with F = L⁻¹·P·dA·U⁻¹, dL = L·tril₋(F) and
 * dU = triu(F)·U. The pivot order is locally constant where no two candidates tie, so the
 * permutation's derivative is zero.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, and every registry law (at matrices with a clear pivot
 * order).
 * @module
 */
import { bind1 } from '../../core/bind.ts'
import { define, type Primitive } from '../../core/primitive.ts'
import { shapeOf, type Val } from '../../core/tracer.ts'
import { arange, eye, tensor } from '../../tensor/create.ts'
import { luPackedK } from '../../tensor/kernels/lu.ts'
import { squareSize } from '../../tensor/kernels/matrix-batch.ts'
import type { Shape } from '../../tensor/shape.ts'
import { Tensor } from '../../tensor/tensor.ts'
import { add, sub } from '../arithmetic.ts'
import { equal } from '../comparison.ts'
import { asTensor } from '../families.ts'
import { pad, slice, squeeze } from '../structural.ts'
import { identity, mm, mT, needsInvertible, tril, triu } from './helpers.ts'
import { drawBatch, drawDominant } from './sampling.ts'
import { triSolve } from './triangular.ts'

type Value = number | Tensor

/** The packed output's shape for `[..., n, n]`: `[..., n + 1, n]`. */
const packedShape = (s: Shape): number[] => {
  const n = squareSize(s, 'lu')
  return [...s.slice(0, -2), n + 1, n]
}

/** The parts of a packed LU: the permutation row `[..., 1, n]` and the factors `[..., n, n]`. */
const unpack = (y: Val): { permRow: Val; factors: Val; n: number } => {
  const s = shapeOf(y)
  const n = s[s.length - 1]!
  const zeros = s.map(() => 0)
  const permRow = slice(y, zeros, [...s.slice(0, -2), 1, n])
  const factors = slice(y, [...zeros.slice(0, -2), 1, 0])
  return { permRow, factors, n }
}

/** L (unit lower) and U (upper) from the packed factors. */
const lowerUpper = (factors: Val, n: number): [Val, Val] => [
  add(tril(factors, true), identity(n)),
  triu(factors),
]

/** The matrix P with P·A = A[perm]: P[i, j] = 1 where perm[i] = j (a comparison: no derivative). */
const permutationMatrix = (permRow: Val, n: number): Val => equal(mT(permRow), arange(n))

/** A factors-shaped value `[..., n, n]` packed under a zero permutation row: `[..., n + 1, n]`. */
const packTangent = (x: Val): Val => {
  const r = shapeOf(x).length
  return pad(
    x,
    Array.from({ length: r }, (_, i) => (i === r - 2 ? [1, 0] : [0, 0]) as [number, number]),
  )
}

/**
 * dL and dU for the right-hand side R = P·dA − (terms already known): F = L⁻¹·R·U⁻¹ by two
 * triangular solves with the packed factors (each reads only its own triangle), then
 * dL = L·tril₋(F), dU = triu(F)·U.
 */
const factorTangents = (factors: Val, l: Val, u: Val, rhs: Val): [Val, Val] => {
  const x = triSolve(factors, rhs, { lower: true, transpose: false, unitDiagonal: true })
  const f = mT(triSolve(factors, mT(x), { lower: false, transpose: true, unitDiagonal: false }))
  return [mm(l, tril(f, true)), mm(triu(f), u)]
}

/** Primitive record of {@link lu}: `[..., n, n]` → packed `[..., n + 1, n]`. */
export const luP: Primitive<void> = define<void>({
  name: 'lu',
  arity: 1,
  zeroDerivative: false,
  impl: ([a]) => {
    const t = asTensor(a!)
    return new Tensor(luPackedK(t.data, t.shape), packedShape(t.shape))
  },
  shape: ([s]) => packedShape(s!),
  jvp: ([a], [aDot], y) => {
    if (aDot == null) return null
    return needsInvertible('lu', [shapeOf(a!)], () => {
      const { permRow, factors, n } = unpack(y)
      const [l, u] = lowerUpper(factors, n)
      const [lDot, uDot] = factorTangents(factors, l, u, mm(permutationMatrix(permRow, n), aDot))
      return packTangent(add(lDot, uDot))
    })
  },
  // Ā = Pᵀ·L⁻ᵀ·G·U⁻ᵀ with G = tril₋(Lᵀ·L̄) + triu(Ū·Uᵀ), L̄ and Ū read from the packed ȳ (the
  // permutation row's cotangent meets a zero derivative)
  vjp: (yBar, [a], y) => [
    needsInvertible('lu', [shapeOf(a!)], () => {
      const { permRow, factors, n } = unpack(y)
      const [l, u] = lowerUpper(factors, n)
      const gBar = unpack(yBar).factors
      const g = add(tril(mm(l, gBar, true, false), true), triu(mm(gBar, u, false, true)))
      const z = triSolve(factors, g, { lower: true, transpose: true, unitDiagonal: true })
      const w = mT(
        triSolve(factors, mT(z), { lower: false, transpose: false, unitDiagonal: false }),
      )
      return mm(permutationMatrix(permRow, n), w, true, false)
    }),
  ],
  batch: ([a]) => bind1(luP, a!, undefined),
  // a recurrence: P·A_k = Σ_{i=0..k} L_i·U_{k−i}, so (L_k, U_k) is the tangent rule applied to
  // R_k = P·A_k − Σ_{i=1..k−1} L_i·U_{k−i}
  taylor: ([a]) => {
    const y0 = bind1(luP, a![0]!, undefined)
    return needsInvertible('lu', [shapeOf(y0)], () => {
      const { permRow, factors, n } = unpack(y0)
      const [l0, u0] = lowerUpper(factors, n)
      const perm = permutationMatrix(permRow, n)
      const ls: Val[] = [l0]
      const us: Val[] = [u0]
      const ys: Val[] = [y0]
      for (let k = 1; k < a!.length; k++) {
        let rhs = mm(perm, a![k]!)
        for (let i = 1; i < k; i++) rhs = sub(rhs, mm(ls[i]!, us[k - i]!))
        const [lk, uk] = factorTangents(factors, l0, u0, rhs)
        ls.push(lk)
        us.push(uk)
        ys.push(packTangent(add(lk, uk)))
      }
      return ys
    })
  },
  domain: {
    sample: (draw) => {
      const n = draw.integer(1, 4)
      return { args: [drawDominant(draw, drawBatch(draw), n, true)], params: undefined }
    },
    special: () => [
      { args: [eye(3)], params: undefined },
      {
        args: [
          tensor([
            [0, 1],
            [1, -0],
          ]),
        ],
        params: undefined,
      },
      {
        args: [
          tensor([
            [
              [2, -0, 1],
              [0, -3, 0],
              [-0, 1, 4],
            ],
            [
              [-0, 0, 5],
              [0.5, 0, -0],
              [0, 2, 1],
            ],
          ]),
        ],
        params: undefined,
      },
    ],
  },
})

/** The factors of {@link lu}: a = p·l·u, and a[permutation] = l·u. */
export interface LuResult {
  /** The permutation matrix `[..., n, n]`. */
  readonly p: Tensor
  /** The unit lower triangular factor `[..., n, n]`. */
  readonly l: Tensor
  /** The upper triangular factor `[..., n, n]`. */
  readonly u: Tensor
  /** The row order `[..., n]` as float indices: row i of l·u is row `permutation[i]` of a. */
  readonly permutation: Tensor
}

/**
 * LU factorization with partial pivoting of each matrix of `[..., n, n]`: a = p·l·u with p a
 * permutation matrix, l unit lower and u upper triangular (jax.scipy.linalg.lu; the
 * `permutation` vector as lax.linalg.lu's). Square matrices only. A singular matrix factors
 * too (u then has a zero on its diagonal).
 *
 * Derivative: with F = l⁻¹·pᵀ·da·u⁻¹, dl = l·tril₋(F) and du = triu(F)·u; dp = 0 (the pivot
 * order is locally constant away from ties, where LU is not differentiable). At a singular
 * matrix it throws `LinAlgError`. Taylor mode by the recurrence pᵀ·a_k = Σ l_i·u_{k−i}.
 *
 * Throws `ShapeError` when `a` is not `[..., n, n]`, `LinAlgError` for a non-finite entry.
 * @example
 * const f = linalg.lu(tensor([[1, 2], [4, 6]]))
 * f.permutation.toArray() // => [1, 0]
 * f.u.toArray() // => [[4, 6], [0, 0.5]]
 * matmul(f.p, matmul(f.l, f.u)).toArray() // => [[1, 2], [4, 6]]
 * @category linalg
 */
export function lu(a: Value): LuResult {
  squareSize(shapeOf(a), 'lu')
  const y = bind1(luP, a, undefined)
  const { permRow, factors, n } = unpack(y)
  const [l, u] = lowerUpper(factors, n)
  return {
    p: mT(permutationMatrix(permRow, n)) as Tensor,
    l: l as Tensor,
    u: u as Tensor,
    permutation: squeeze(permRow, -2),
  }
}
