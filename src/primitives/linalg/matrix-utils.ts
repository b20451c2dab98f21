/**
 * Small matrix helpers with NumPy's semantics — `diagonal`, `trace`, `diag`, `cross`, `kron` —
 * composed of existing primitives (transpose, reshape, pad, slice, mul, sub, sum, concat), so
 * every derivative, batching rule and jit lowering is theirs; none needs a primitive of its own.
 *
 * The diagonal is read without an index gather: a matrix of n rows of m, flattened and padded,
 * holds its k-th diagonal every m + 1 entries from the first one, so a reshape to rows of m + 1
 * puts the diagonal in column 0. `diag` runs the same trick backwards.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, vmap-agreement, jit-agreement (of the primitives
 * composed; test/linalg/matrix-utils.test.ts checks the compositions).
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../../core/errors.ts'
import { shapeOf } from '../../core/tracer.ts'
import { broadcastShapes, normalizeAxis, type Shape, show } from '../../tensor/shape.ts'
import type { Tensor } from '../../tensor/tensor.ts'
import { mul, sub } from '../arithmetic.ts'
import { stack } from '../concat.ts'
import { sum } from '../reduction.ts'
import { index, pad, reshape, slice, transpose } from '../structural.ts'

type Value = number | Tensor

/** Options of {@link diagonal} and {@link trace}: which diagonal, of which two axes. */
export interface DiagonalOptions {
  /** The diagonal's offset: > 0 above the main diagonal (entries [i, i + offset]), < 0 below. */
  readonly offset?: number
  /** The row axis (default −2). */
  readonly axis1?: number
  /** The column axis (default −1). */
  readonly axis2?: number
}

const checkOffset = (k: unknown, op: string): number => {
  if (typeof k !== 'number' || !Number.isInteger(k)) {
    throw new InvalidArgumentError(`${op}: the offset must be an integer, got ${show(k)}`, {
      primitive: op,
      hint: '0 for the main diagonal, k > 0 above it, k < 0 below it',
    })
  }
  return k
}

/** `x` with `axis` moved to position `to` (both non-negative). */
const moveAxis = (x: Value, axis: number, to: number): Tensor => {
  const rank = shapeOf(x).length
  const rest = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== axis)
  rest.splice(to, 0, axis)
  return transpose(x, rest)
}

/**
 * The k-th diagonal of the matrices in `x`, taken over the axes `axis1` (rows) and `axis2`
 * (columns): entries x[…, i, i + offset]. Those two axes are removed and the diagonal becomes
 * the last axis (NumPy's `numpy.linalg.diagonal`, with `np.diagonal`'s `offset` and axes; the
 * default axes are the last two, not `np.diagonal`'s first two). An offset past the matrix
 * gives an empty diagonal.
 *
 * Derivative: linear; the cotangent is the diagonal's written back into a zero matrix.
 * Throws `ShapeError` for fewer than two axes, `InvalidArgumentError` for equal or
 * out-of-range axes or a non-integer offset.
 * @example
 * const A = tensor([[1, 2, 3], [4, 5, 6]])
 * linalg.diagonal(A).toArray() // => [1, 5]
 * linalg.diagonal(A, { offset: 1 }).toArray() // => [2, 6]
 * linalg.diagonal(A, { offset: -1 }).toArray() // => [4]
 * @category linalg
 */
export function diagonal(x: Value, options: DiagonalOptions = {}): Tensor {
  const s = shapeOf(x)
  if (s.length < 2) {
    throw new ShapeError(`diagonal needs at least two axes, got shape [${s.join(', ')}]`, {
      primitive: 'diagonal',
      shapes: [s],
      hint: 'pass a matrix (or a batch of them); for a vector → matrix use diag',
    })
  }
  const k = checkOffset(options.offset ?? 0, 'diagonal')
  const a1 = normalizeAxis(options.axis1 ?? -2, s.length, 'diagonal')
  const a2 = normalizeAxis(options.axis2 ?? -1, s.length, 'diagonal')
  if (a1 === a2) {
    throw new InvalidArgumentError(`diagonal: axis1 and axis2 are both axis ${a1}`, {
      primitive: 'diagonal',
      shapes: [s],
      hint: 'name two different axes: the rows and the columns',
    })
  }
  const others = s.flatMap((_, i) => (i === a1 || i === a2 ? [] : [i]))
  const batch = others.map((i) => s[i]!)
  const perm = [...others, a1, a2]
  const [n, m] = [s[a1]!, s[a2]!]
  const zero = batch.map(() => 0)
  const flat = reshape(transpose(x, perm), [...batch, n * m])
  const length = Math.max(0, k >= 0 ? Math.min(n, m - k) : Math.min(n + k, m))
  if (length === 0) return slice(flat, [...zero, 0], [...batch, 0])
  // entry i of the diagonal sits at start + i·(m + 1) of the flattened matrix
  const start = k >= 0 ? k : -k * m
  const end = start + length * (m + 1)
  const padded =
    end > n * m ? pad(flat, [...zero.map(() => [0, 0] as const), [0, end - n * m]]) : flat
  const rows = reshape(slice(padded, [...zero, start], [...batch, end]), [...batch, length, m + 1])
  return reshape(slice(rows, [...zero, 0, 0], [...batch, length, 1]), [...batch, length])
}

/**
 * The sum of the k-th diagonal of the matrices in `x` (over `axis1`, `axis2`, by default the
 * last two): NumPy's `numpy.linalg.trace` with `np.trace`'s offset and axes. The result has the
 * other (batch) axes; for a matrix it has rank 0.
 *
 * Derivative: linear; ∂ tr(X)/∂X = I (the identity, shifted by the offset). Throws as
 * {@link diagonal}.
 * @example
 * linalg.trace(tensor([[1, 2], [3, 4]])).item() // => 5
 * grad((X: Tensor) => linalg.trace(X))(zeros([2, 2])).toArray() // => [[1, 0], [0, 1]]
 * @category linalg
 */
export function trace(x: Value, options: DiagonalOptions = {}): Tensor {
  return sum(diagonal(x, options), -1)
}

/**
 * NumPy's `diag`: for a vector v of length n, the (n + |k|)-square matrix with v on its k-th
 * diagonal and zeros elsewhere; for a matrix, its k-th diagonal (as {@link diagonal}).
 *
 * Derivative: linear; for a vector, the cotangent is the k-th diagonal of the matrix's
 * cotangent. Throws `ShapeError` unless `v` has one or two axes, `InvalidArgumentError` for a
 * non-integer k.
 * @example
 * linalg.diag(tensor([1, 2])).toArray() // => [[1, 0], [0, 2]]
 * linalg.diag(tensor([1, 2]), 1).toArray() // => [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
 * linalg.diag(tensor([[1, 2], [3, 4]])).toArray() // => [1, 4]
 * @category linalg
 */
export function diag(v: Value, k = 0): Tensor {
  const s = shapeOf(v)
  const offset = checkOffset(k, 'diag')
  if (s.length === 2) return diagonal(v, { offset, axis1: 0, axis2: 1 })
  if (s.length !== 1) {
    throw new ShapeError(`diag takes a vector or a matrix, got shape [${s.join(', ')}]`, {
      primitive: 'diag',
      shapes: [s],
      hint: 'a vector gives a diagonal matrix, a matrix its diagonal; for a batch use diagonal',
    })
  }
  const n = s[0]!
  const size = n + Math.abs(offset)
  if (n === 0) return reshape(pad(v, [[0, size * size]]), [size, size])
  // v's entries followed by `size` zeros each, up to the last entry: v[i] at i·(size + 1)
  const spread = reshape(
    pad(reshape(v, [n, 1]), [
      [0, 0],
      [0, size],
    ]),
    [n * (size + 1)],
  )
  const used = (n - 1) * (size + 1) + 1
  const start = offset >= 0 ? offset : -offset * size
  const placed = pad(slice(spread, [0], [used]), [[start, size * size - start - used]])
  return reshape(placed, [size, size])
}

/**
 * The cross product of 3-vectors along `axis` (default the last) of `a` and `b`, whose other
 * axes broadcast (NumPy's `cross` with `axis`; 2-vectors are not supported). The result's
 * vector axis is at `axis` of the broadcast shape.
 *
 * Derivative: bilinear, d(a × b) = da × b + a × db. Throws `ShapeError` when `axis` does not
 * have length 3 in both or the other axes do not broadcast, `InvalidArgumentError` for an
 * axis out of range.
 * @example
 * linalg.cross(tensor([1, 0, 0]), tensor([0, 1, 0])).toArray() // => [0, 0, 1]
 * @category linalg
 */
export function cross(a: Value, b: Value, axis = -1): Tensor {
  const [sa, sb] = [shapeOf(a), shapeOf(b)]
  const [axA, axB] = [
    normalizeAxis(axis, sa.length, 'cross'),
    normalizeAxis(axis, sb.length, 'cross'),
  ]
  if (sa[axA] !== 3 || sb[axB] !== 3) {
    throw new ShapeError(
      `cross needs vectors of length 3 along axis ${axis}, got ${sa[axA]} and ${sb[axB]}`,
      {
        primitive: 'cross',
        shapes: [sa, sb],
        hint: 'pass 3-vectors (2-vectors are not supported: pad them with a zero)',
      },
    )
  }
  const without = (s: Shape, ax: number) => s.filter((_, i) => i !== ax)
  const batch = broadcastShapes(without(sa, axA), without(sb, axB), 'cross')
  const [u, v] = [moveAxis(a, axA, sa.length - 1), moveAxis(b, axB, sb.length - 1)]
  const part = (x: Tensor, i: number) => index(x, i, -1)
  const term = (i: number, j: number) =>
    sub(mul(part(u, i), part(v, j)), mul(part(u, j), part(v, i)))
  const out = stack([term(1, 2), term(2, 0), term(0, 1)], -1)
  return moveAxis(out, batch.length, normalizeAxis(axis, batch.length + 1, 'cross'))
}

/**
 * The Kronecker product of `a` and `b` (NumPy's `kron`): blocks a[i, j]·b, in any rank — the
 * shorter shape is padded with leading 1s, and the result's shape is the product of the two,
 * axis by axis.
 *
 * Derivative: bilinear, d(a ⊗ b) = da ⊗ b + a ⊗ db.
 * @example
 * const K = linalg.kron(tensor([[1, 2], [3, 4]]), tensor([[0, 1], [1, 0]]))
 * K.toArray() // => [[0, 1, 0, 2], [1, 0, 2, 0], [0, 3, 0, 4], [3, 0, 4, 0]]
 * @category linalg
 */
export function kron(a: Value, b: Value): Tensor {
  const [sa, sb] = [shapeOf(a), shapeOf(b)]
  const rank = Math.max(sa.length, sb.length)
  const lead = (s: Shape) => [...new Array<number>(rank - s.length).fill(1), ...s]
  const [pa, pb] = [lead(sa), lead(sb)]
  // a as [a₀, 1, a₁, 1, …] times b as [1, b₀, 1, b₁, …]: axes interleave, then merge in pairs
  const product = mul(
    reshape(
      a,
      pa.flatMap((d) => [d, 1]),
    ),
    reshape(
      b,
      pb.flatMap((d) => [1, d]),
    ),
  )
  return reshape(
    product,
    pa.map((d, i) => d * pb[i]!),
  )
}
