/**
 * What the solve and factorization records share: matrix products and transposes on traced
 * values, triangle masks, the trace, the series of a linear solve, and the check that turns a
 * singular matrix met by a derivative rule into an error naming the op being differentiated.
 * Everything is written in fluxion ops, so the rules built on it differentiate again.
 * @module
 */
import { bind1, bind2 } from '../../core/bind.ts'
import { InvalidArgumentError, LinAlgError } from '../../core/errors.ts'
import type { MaybeZero } from '../../core/primitive.ts'
import { shapeOf, type Val } from '../../core/tracer.ts'
import { eye } from '../../tensor/create.ts'
import type { Shape } from '../../tensor/shape.ts'
import { Tensor } from '../../tensor/tensor.ts'
import { neg, sub } from '../arithmetic.ts'
import { where } from '../comparison.ts'
import { sum } from '../reduction.ts'
import { reshape, slice, transposeP } from '../structural.ts'
import type { Series } from '../taylor.ts'
import { matmulP } from './matmul.ts'

/** op(a)·op(b) over the last two axes, batch axes broadcast. */
export const mm = (a: Val, b: Val, transA = false, transB = false): Val =>
  bind2(matmulP, a, b, { transA, transB })

/** `x` with its last two axes swapped. */
export const mT = (x: Val): Val => {
  const r = shapeOf(x).length
  const perm = Array.from({ length: r }, (_, i) => (i < r - 2 ? i : 2 * r - 3 - i))
  return bind1(transposeP, x, { perm })
}

/** The size n of the last axis. */
export const lastSize = (x: Val): number => {
  const s = shapeOf(x)
  return s[s.length - 1]!
}

/**
 * The n × n mask of the entries (i, j) with j − i ≤ `offset` or, with `upper`, j − i ≥ `offset`
 * (offset 0 keeps the diagonal, ∓1 drops it), weighing a kept diagonal by `diagonal`.
 */
export const triangleMask = (n: number, upper: boolean, offset: number, diagonal = 1): Tensor => {
  const data = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const keep = upper ? j - i >= offset : j - i <= offset
      if (keep) data[i * n + j] = i === j ? diagonal : 1
    }
  }
  // weakly typed, as a constant of a rule: it takes the dtype of the matrix it masks
  return new Tensor(data, [n, n], true)
}

/** The n × n identity, weakly typed: a rule's constant, of the dtype of what it meets. */
export const identity = (n: number): Tensor => {
  const i = eye(n)
  return new Tensor(i.data, i.shape, true)
}

/** The lower triangle of `x` (the diagonal too unless `strict`), +0 elsewhere (a selection). */
export const tril = (x: Val, strict = false): Val =>
  where(triangleMask(lastSize(x), false, strict ? -1 : 0), x, 0)

/** The upper triangle of `x` (the diagonal too unless `strict`), +0 elsewhere (a selection). */
export const triu = (x: Val, strict = false): Val =>
  where(triangleMask(lastSize(x), true, strict ? 1 : 0), x, 0)

/** The diagonals of `[..., n, n]`: `[..., n]` (every (n+1)-th entry of each flattened matrix). */
export const diagonalOf = (x: Val): Val => {
  const s = shapeOf(x)
  const n = s[s.length - 1]!
  const batch = s.slice(0, -2)
  const flat = reshape(x, [...batch, n * n])
  return slice(
    flat,
    flat.shape.map(() => 0),
    undefined,
    [...batch.map(() => 1), n + 1],
  )
}

/** The traces of `[..., n, n]`: `[...]`. */
export const traceOf = (x: Val): Val => sum(diagonalOf(x), -1)

/**
 * The right-hand side tangent of op(A)·x = b: ḃ − op(Ȧ)·x, with `part` applied to Ȧ first (the
 * triangle a triangular solve reads); null when both tangents are symbolic zeros.
 */
export const rhsTangent = (
  aDot: MaybeZero | undefined,
  bDot: MaybeZero | undefined,
  x: Val,
  transpose: boolean,
  part: (a: Val) => Val = (a) => a,
): MaybeZero => {
  const ax = aDot == null ? null : mm(part(aDot), x, transpose, false)
  if (ax === null) return bDot ?? null
  return bDot == null ? neg(ax) : sub(bDot, ax)
}

/**
 * The cotangent of A in op(A)·x = b, given b̄ = op(A)⁻ᵀ·x̄: −b̄·xᵀ, or −x·b̄ᵀ when op transposes.
 */
export const matrixCotangent = (bBar: Val, x: Val, transpose: boolean): Val =>
  neg(transpose ? mm(x, bBar, false, true) : mm(bBar, x, false, true))

/**
 * The Taylor series of x with op(A(t))·x(t) = b(t), by matching coefficients of tᵏ:
 * x_k = op(A₀)⁻¹·(b_k − Σ_{i=1..k} op(A_i)·x_{k−i}). Every solve is with the one matrix A₀, so
 * it is factored once (`solve0` goes through the cache). `apply(A_i, x)` is op(A_i)·x.
 */
export const solveSeries = (
  a: Series,
  b: Series,
  aConstant: boolean,
  solve0: (rhs: Val) => Val,
  apply: (ai: Val, x: Val) => Val,
): Val[] => {
  const x: Val[] = [solve0(b[0]!)]
  for (let k = 1; k < b.length; k++) {
    let rhs: Val = b[k]!
    if (!aConstant) for (let i = 1; i <= k; i++) rhs = sub(rhs, apply(a[i]!, x[k - i]!))
    x.push(solve0(rhs))
  }
  return x
}

/**
 * Runs a derivative rule of `op` that solves with its input matrix, and turns the singular
 * matrix the solve may meet into an error that names `op`: its derivative there (for det, the
 * adjugate) is not computed through a solve, and fluxion does not return a NaN for it.
 */
export const needsInvertible = <T>(
  op: string,
  shapes: readonly Shape[],
  rule: () => T,
  hint = 'differentiate at a non-singular matrix (the derivative of det there is the adjugate, which needs rank information fluxion does not compute)',
): T => {
  try {
    return rule()
  } catch (e) {
    if (
      e instanceof LinAlgError &&
      (e.primitive === 'solve' || e.primitive === 'triangularSolve')
    ) {
      throw new LinAlgError(
        `the derivative of ${op} at an exactly singular matrix is not implemented (${op} itself is defined there)`,
        { primitive: op, shapes, hint },
      )
    }
    throw e
  }
}

/** Throws `InvalidArgumentError` unless `flag` is a boolean or undefined. */
export const checkFlag = (flag: unknown, name: string, op: string): boolean => {
  if (flag === undefined) return false
  if (typeof flag !== 'boolean') {
    throw new InvalidArgumentError(
      `${op}'s option ${name} must be a boolean, got ${String(flag)}`,
      {
        primitive: op,
        hint: `pass { ${name}: true } or leave it out (false)`,
      },
    )
  }
  return flag
}
