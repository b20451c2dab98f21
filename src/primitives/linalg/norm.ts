/**
 * Vector and matrix norms with NumPy's semantics (`numpy.linalg.norm`), and the condition
 * number (`numpy.linalg.cond`): compositions of elementwise ops, reductions and `svd`/`pinv`.
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../../core/errors.ts'
import { shapeOf } from '../../core/tracer.ts'
import { normalizeAxis } from '../../tensor/shape.ts'
import type { Tensor } from '../../tensor/tensor.ts'
import { div, mul, pow } from '../arithmetic.ts'
import { greater, notEqual, where } from '../comparison.ts'
import { abs, sqrt, square } from '../elementwise.ts'
import { max, min, sum } from '../reduction.ts'
import { scaled } from '../scaled.ts'
import { reshape, transpose } from '../structural.ts'
import { pinv } from './lstsq.ts'
import { svdvals } from './svd.ts'

type Value = number | Tensor

/** A norm's order: a number (p, ±Infinity, 0) or `'fro'` / `'nuc'` for matrices. */
export type NormOrder = number | 'fro' | 'nuc'

const badOrder = (ord: unknown, kind: string): InvalidArgumentError =>
  new InvalidArgumentError(`invalid norm order ${String(ord)} for ${kind}`, {
    primitive: 'norm',
    hint:
      kind === 'vectors'
        ? "vector orders: a number p (2 by default; 1, Infinity, -Infinity, 0, any p ≠ 0), not 'fro' or 'nuc'"
        : "matrix orders: 'fro' (default), 'nuc', 2, -2, 1, -1, Infinity, -Infinity",
  })

/** The 2-norm √Σx² over `axes`, scaled (`scaled`) so that x² neither overflows nor underflows. */
const twoNorm = (x: Tensor, axes: readonly number[]): Tensor =>
  scaled(x, axes, true, (z) => sqrt(sum(square(z), axes)))

/** The vector norm of `x` along axis `ax`. */
function vectorNorm(x: Value, ord: NormOrder | undefined, ax: number): Tensor {
  if (ord === undefined || ord === 2) return twoNorm(x as Tensor, [ax])
  if (typeof ord !== 'number' || Number.isNaN(ord)) throw badOrder(ord, 'vectors')
  if (ord === Infinity) return max(abs(x as Tensor), ax)
  if (ord === -Infinity) return min(abs(x as Tensor), ax)
  if (ord === 0) return sum(notEqual(x as Tensor, 0), ax)
  if (ord === 1) return sum(abs(x as Tensor), ax)
  // p > 0: scaled by max|x|, so |x/s|ᵖ ≤ 1 and the sum lies in [1, n] for any p; p < 0 is
  // dominated by the smallest |x| and is left unscaled
  const pNorm = (z: Tensor) => pow(sum(pow(abs(z), ord), ax), 1 / ord)
  return ord > 0 ? scaled(x as Tensor, [ax], false, pNorm) : pNorm(x as Tensor)
}

/** The matrix norm of `x` over axes `r` (rows) and `c` (columns), both non-negative. */
function matrixNorm(x: Value, ord: NormOrder | undefined, r: number, c: number): Tensor {
  if (ord === undefined || ord === 'fro') return twoNorm(x as Tensor, [r, c])
  if (ord === 'nuc' || ord === 2 || ord === -2) {
    const rank = shapeOf(x).length
    const rest = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== r && i !== c)
    const s = svdvals(transpose(x, [...rest, r, c]))
    return ord === 'nuc' ? sum(s, -1) : ord === 2 ? max(s, -1) : min(s, -1)
  }
  if (ord === 1 || ord === -1) {
    const colSums = sum(abs(x as Tensor), r)
    const at = c > r ? c - 1 : c
    return ord === 1 ? max(colSums, at) : min(colSums, at)
  }
  if (ord === Infinity || ord === -Infinity) {
    const rowSums = sum(abs(x as Tensor), c)
    const at = r > c ? r - 1 : r
    return ord === Infinity ? max(rowSums, at) : min(rowSums, at)
  }
  throw badOrder(ord, 'matrices')
}

/**
 * A vector or matrix norm, as `numpy.linalg.norm(x, ord, axis, keepdims)`. With no `axis`, a
 * rank-1 `x` gets a vector norm, a rank-2 one a matrix norm, and any `x` with no `ord` the
 * 2-norm of all its entries. An integer `axis` takes vector norms along it; a pair of axes
 * takes matrix norms over them (batched over the others).
 *
 * Vector orders: 2 (default) √Σx², 1 Σ|x|, Infinity max|x|, −Infinity min|x|, 0 the count of
 * nonzeros, any other p (Σ|x|ᵖ)^(1/p). Matrix orders: 'fro' (default) √Σx², 'nuc' Σs (the
 * singular values), 2 max s, −2 min s, 1 max column sum of |x|, −1 the min, Infinity max row
 * sum, −Infinity the min.
 *
 * The 2-norm, 'fro' and p-norms with p > 0 are computed as s·‖x/s‖ with s a constant power of
 * two near max|x| (max|x| itself for p ≠ 2): no overflow or underflow at any representable
 * scale (‖(3e200, 4e200)‖ = 5e200, its gradient (0.6, 0.8)), p = 1e10 gives ≈ max|x|, and the
 * 2-norm has the bits of √Σx² wherever x² neither overflows nor underflows.
 *
 * Derivative: the chain rule through these ops; d‖x‖₂ = ⟨x, dx⟩/‖x‖₂, the nuclear norm's
 * gradient is U·Vᵀ and the 2-norm's u₁·v₁ᵀ (svd). At x = 0 the 2-norm's gradient is 0, a
 * subgradient, not NaN (JAX gives NaN): zero annihilates, so ⟨x, dx⟩ = 0 meets 1/‖x‖ = ∞ as 0.
 * Where entries tie for a max or min, or a singular value is repeated for 2 / −2, the
 * gradient is shared evenly among them (a subgradient, as `max` does).
 *
 * Throws `InvalidArgumentError` for an order that does not apply, an axis out of range or a
 * repeated axis pair, and `ShapeError` for `ord` without `axis` on rank > 2.
 * @example
 * linalg.norm(tensor([3, 4])).item() // => 5
 * linalg.norm(tensor([[1, -2], [3, 4]]), 1).item() // => 6
 * linalg.norm(tensor([[3, 0], [0, 4]]), 'nuc').item() // => 7
 * @category linalg
 */
export function norm(
  x: Value,
  ord?: NormOrder,
  axis?: number | readonly [number, number],
  keepdims = false,
): Tensor {
  const s = shapeOf(x)
  const rank = s.length
  let axes: number[]
  let y: Tensor
  if (axis === undefined && ord === undefined) {
    axes = s.map((_, i) => i)
    const flat = rank === 0 ? reshape(x, [1]) : (x as Tensor)
    y = reshape(
      twoNorm(
        flat,
        flat.shape.map((_, i) => i),
      ),
      [],
    )
  } else if (axis === undefined ? rank === 1 : typeof axis === 'number') {
    const ax = normalizeAxis(axis === undefined ? 0 : (axis as number), rank, 'norm')
    axes = [ax]
    y = vectorNorm(x, ord, ax)
  } else if (axis === undefined ? rank === 2 : Array.isArray(axis) && axis.length === 2) {
    const pair: readonly number[] = typeof axis === 'object' ? axis : [0, 1]
    const [r, c] = pair.map((a) => normalizeAxis(a, rank, 'norm')) as [number, number]
    if (r === c) {
      throw new InvalidArgumentError(`norm's two axes are the same axis (${r})`, {
        primitive: 'norm',
        shapes: [s],
        hint: 'give two different axes for a matrix norm, e.g. [-2, -1]',
      })
    }
    axes = [r, c]
    y = matrixNorm(x, ord, r, c)
  } else if (axis === undefined) {
    throw new ShapeError(`norm with an order needs a vector or a matrix, got rank ${rank}`, {
      primitive: 'norm',
      shapes: [s],
      hint: 'pass axis (an axis, or two for matrix norms), or drop ord for the 2-norm of all entries',
    })
  } else {
    throw new InvalidArgumentError('norm takes one axis or a pair of axes', {
      primitive: 'norm',
      shapes: [s],
      hint: 'axis: an integer for vector norms, [row, column] for matrix norms',
    })
  }
  return keepdims
    ? reshape(
        y,
        s.map((d, i) => (axes.includes(i) ? 1 : d)),
      )
    : y
}

/**
 * The condition number of A, as `numpy.linalg.cond(a, p)`: with no `p` (or 2) the ratio of the
 * largest to the smallest singular value, with −2 its inverse; for any other order of `norm`
 * ('fro', 'nuc', 1, −1, Infinity, −Infinity; square A only) ‖A‖·‖A⁻¹‖ in that norm. A singular
 * matrix has condition number Infinity (as NumPy), the zero matrix included (with −2: 0).
 * Batched over leading axes.
 *
 * Derivative: the chain rule through `svdvals` (or `norm` and `pinv`): d(s₁/sₖ) =
 * ds₁/sₖ − s₁·dsₖ/sₖ². Throws as `norm` and `svd`, and `ShapeError` for a non-square A with
 * an order other than 2 or −2.
 * @example
 * linalg.cond(tensor([[2, 0], [0, 0.5]])).item() // => 4
 * @category linalg
 */
export function cond(a: Value, p?: NormOrder): Tensor {
  const s = shapeOf(a)
  if (s.length < 2) {
    throw new ShapeError(`cond needs a matrix (or a batch of them), got rank ${s.length}`, {
      primitive: 'cond',
      shapes: [s],
      hint: 'pass a [..., m, n] tensor',
    })
  }
  const sv = svdvals(a)
  // a zero matrix has s₁ = 0: its ratio is 0/0, its condition number Infinity (and 0 for −2)
  const nonzero = greater(max(sv, -1), 0)
  if (p === undefined || p === 2) return where(nonzero, div(max(sv, -1), min(sv, -1)), Infinity)
  if (p === -2) return where(nonzero, div(min(sv, -1), max(sv, -1)), 0)
  if (s[s.length - 2] !== s[s.length - 1]) {
    throw new ShapeError(`cond with order ${String(p)} needs square matrices`, {
      primitive: 'cond',
      shapes: [s],
      hint: 'orders other than 2 and -2 use the inverse: pass a square matrix',
    })
  }
  const value = mul(norm(a, p, [-2, -1]), norm(pinv(a, 0), p, [-2, -1]))
  return where(greater(min(sv, -1), 0), value, Infinity)
}
