/**
 * Matrix helpers in fluxion ops for the derivative rules of `qr`, `eigh` and `svd` (and for
 * `lstsq`): transposes and products over the last two axes, row blocks of a packed output,
 * diagonals, triangles, the reciprocal-gap matrix F, and triangular solves by substitution.
 * Everything here is built from primitives, so the rules differentiate again.
 * @module
 */

import { bind1, bind2 } from '../../core/bind.ts'
import { shapeOf, type Val } from '../../core/tracer.ts'
import { Tensor } from '../../tensor/tensor.ts'
import { add, div, mul, safeMul, sub } from '../arithmetic.ts'
import { equal, notEqual, where } from '../comparison.ts'
import { abs } from '../elementwise.ts'
import { reshapeV } from '../families.ts'
import { max } from '../reduction.ts'
import { padP, sliceP, transposeP } from '../structural.ts'
import { identity } from './helpers.ts'
import { matmulP } from './matmul.ts'
import { triSolve } from './triangular.ts'

/** `x` with its last two axes swapped. */
export function mT(x: Val): Val {
  const r = shapeOf(x).length
  const perm = Array.from({ length: r }, (_, i) => i)
  perm[r - 2] = r - 1
  perm[r - 1] = r - 2
  return bind1(transposeP, x, { perm })
}

/** op(a)·op(b) over the last two axes (leading axes broadcast), op a transpose when flagged. */
export function mm(a: Val, b: Val, transA = false, transB = false): Val {
  return bind2(matmulP, a, b, { transA, transB })
}

/** Rows `start`…`end − 1` of the second-to-last axis (a block of a packed output). */
export function rows(x: Val, start: number, end: number): Val {
  const s = shapeOf(x)
  const r = s.length
  return bind1(sliceP, x, {
    starts: s.map((_, i) => (i === r - 2 ? start : 0)),
    ends: s.map((d, i) => (i === r - 2 ? end : d)),
    steps: s.map(() => 1),
  })
}

/** Columns `start`…`end − 1` (the last axis). */
export function cols(x: Val, start: number, end: number): Val {
  const s = shapeOf(x)
  const r = s.length
  return bind1(sliceP, x, {
    starts: s.map((_, i) => (i === r - 1 ? start : 0)),
    ends: s.map((d, i) => (i === r - 1 ? end : d)),
    steps: s.map(() => 1),
  })
}

/** A `[..., 1, n]` block (one row) as a `[..., n]` vector. */
export function rowVector(x: Val): Val {
  const s = shapeOf(x)
  return reshapeV(x, [...s.slice(0, -2), s[s.length - 1]!])
}

/** `v` [..., n] as a row [..., 1, n] (`axis` −2) or a column [..., n, 1] (`axis` −1). */
export function asMatrix(v: Val, axis: -2 | -1): Val {
  const s = shapeOf(v)
  const lead = s.slice(0, -1)
  const n = s[s.length - 1]!
  return reshapeV(v, axis === -2 ? [...lead, 1, n] : [...lead, n, 1])
}

/** The diagonal of each `[..., n, n]` matrix, `[..., n]`: a strided slice of the flat rows. */
export function diagPart(x: Val): Val {
  const s = shapeOf(x)
  const n = s[s.length - 1]!
  const lead = s.slice(0, -2)
  const flat = reshapeV(x, [...lead, n * n])
  return bind1(sliceP, flat, {
    starts: [...lead.map(() => 0), 0],
    ends: [...lead, n * n],
    steps: [...lead.map(() => 1), n + 1],
  })
}

/** The `[..., n, n]` matrices with `v` [..., n] on the diagonal: interior zero padding. */
export function diagMatrix(v: Val): Val {
  const s = shapeOf(v)
  const n = s[s.length - 1]!
  const lead = s.slice(0, -1)
  const zeros = lead.map(() => 0)
  const flat = bind1(padP, v, {
    lo: [...zeros, 0],
    hi: [...zeros, 0],
    interior: [...zeros, n],
    value: 0,
  })
  return reshapeV(flat, [...lead, n, n])
}

/** The constant n × n mask of entries (i, j) with j − i ≤ `k` (1) and the others (0). */
function lowerMask(n: number, k: number): Tensor {
  const data = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] = j - i <= k ? 1 : 0
  return new Tensor(data, [n, n], true)
}

/** The lower triangle of each square matrix, from diagonal `k` down (others exactly 0). */
export function tril(x: Val, k = 0): Val {
  const s = shapeOf(x)
  return where(lowerMask(s[s.length - 1]!, k), x as Tensor, 0)
}

/**
 * F with F_ij = 1/(d_j − d_i) off the diagonal and 0 on it, for `gaps` = d_j − d_i ([..., n, n]):
 * 1/(gaps + I) − I, so the diagonal is exactly 0 (JAX's construction). Equal values give ±∞,
 * which the rules meet only through zero-annihilating products.
 */
export function reciprocalGaps(gaps: Val): Val {
  const s = shapeOf(gaps)
  const i = identity(s[s.length - 1]!)
  return sub(div(1, add(gaps as Tensor, i)), i)
}

/**
 * F ∘ X for a matrix (or row) F of reciprocal gaps, zero-annihilating except where F is ±∞
 * (a repeated eigen- or singular value) in a column marked `used`: there it is ±∞, or NaN
 * against an exact zero. A zero X_ij does not make the factor smooth there: which vectors span
 * the repeated space, and in which order, is settled at higher order (a perturbation whose
 * first-order coupling inside the space is zero still reorders or rotates them), so the
 * derivative of that column does not exist. `used` ([..., 1, n]) marks the columns whose
 * cotangent is not exactly zero — a function of the values alone still gets its finite
 * gradient; forward mode, which cannot know, passes none: every column counts.
 */
export function gapProduct(f: Val, x: Val, used?: Val): Val {
  const infinite = equal(abs(f as Tensor), Number.POSITIVE_INFINITY)
  const poisoned = used === undefined ? infinite : mul(infinite, used as Tensor)
  return where(poisoned, mul(f as Tensor, x as Tensor), safeMul(f as Tensor, x as Tensor))
}

/** 1 for each column of `xBar` [..., m, n] with an entry that is not exactly 0, else 0: [..., 1, n]. */
export function usedColumns(xBar: Val): Val {
  return notEqual(max(abs(xBar as Tensor), -2, { keepdims: true }), 0)
}

/** d_j − d_i as a `[..., n, n]` matrix, for `d` [..., n]. */
export function differences(d: Val): Val {
  return sub(asMatrix(d, -2) as Tensor, asMatrix(d, -1) as Tensor)
}

/**
 * T⁻¹·B for a triangular T (the lower one when `lower`), batch axes broadcast: the
 * `triangularSolve` primitive (a kernel, its own derivative rules). A zero on T's diagonal is a
 * rank-deficient factor: `LinAlgError`.
 */
export function solveTriangular(t: Val, b: Val, lower: boolean): Val {
  return triSolve(t, b, { lower, transpose: false, unitDiagonal: false })
}

/** (x + xᵀ)/2 over the last two axes, halves first as the eigh kernel computes it. */
export function symmetrize(x: Val): Val {
  return add(mul(x as Tensor, 0.5), mul(mT(x) as Tensor, 0.5))
}
