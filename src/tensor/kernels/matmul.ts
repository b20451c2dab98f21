/**
 * Batched matrix product with optional transposes, C = op(A)·op(B). The last two axes are the
 * matrices; leading axes broadcast NumPy-style. Each transpose combination has its own loop
 * order so the innermost loop always walks memory contiguously.
 * @module
 */
import { ShapeError } from '../../core/errors.ts'
import { broadcastStridesOf, Odometer, type Shape, sizeOf } from '../shape.ts'

/**
 * Cache blocks: the contiguously read axis is cut into runs of BLOCK_INNER, the others into
 * BLOCK; a 64 × 128 tile of doubles is 64 KiB, comfortably inside L2.
 */
const BLOCK = 64
const BLOCK_INNER = 128

const fail = (message: string, aShape: Shape, bShape: Shape, hint: string): never => {
  throw new ShapeError(message, { primitive: 'matmul', shapes: [aShape, bShape], hint })
}

/**
 * The output shape of `matmulK`: `[...batch, m, n]`, where op(A) is m × k, op(B) is k × n and
 * `batch` broadcasts the leading axes. Throws `ShapeError` when a rank is below 2, the inner
 * sizes differ or the batch axes do not broadcast.
 */
export function matmulShape(
  aShape: Shape,
  bShape: Shape,
  transA: boolean,
  transB: boolean,
): number[] {
  const ra = aShape.length
  const rb = bShape.length
  if (ra < 2 || rb < 2) {
    fail('matmul needs operands of rank ≥ 2', aShape, bShape, 'reshape vectors to [1, n] or [n, 1]')
  }
  const m = aShape[transA ? ra - 1 : ra - 2]!
  const k = aShape[transA ? ra - 2 : ra - 1]!
  const kb = bShape[transB ? rb - 1 : rb - 2]!
  const n = bShape[transB ? rb - 2 : rb - 1]!
  if (k !== kb) {
    fail(
      `matmul inner dimensions differ: ${k} vs ${kb}`,
      aShape,
      bShape,
      'the columns of op(A) must equal the rows of op(B); transpose an operand?',
    )
  }
  const rank = Math.max(ra, rb)
  const out = new Array<number>(rank)
  for (let i = 0; i < rank - 2; i++) {
    const da = i - (rank - ra) >= 0 ? aShape[i - (rank - ra)]! : 1
    const db = i - (rank - rb) >= 0 ? bShape[i - (rank - rb)]! : 1
    if (da !== db && da !== 1 && db !== 1) {
      fail(
        'matmul batch axes do not broadcast',
        aShape,
        bShape,
        'leading axes must match from the right or be 1',
      )
    }
    out[i] = da === 1 ? db : da
  }
  out[rank - 2] = m
  out[rank - 1] = n
  return out
}

/** C += A·B with A m×k and B k×n: i-k-j order, each step an axpy of a row of B into a row of C. */
function gemmNN(
  a: Float64Array,
  ao: number,
  b: Float64Array,
  bo: number,
  c: Float64Array,
  co: number,
  m: number,
  k: number,
  n: number,
): void {
  for (let p0 = 0; p0 < k; p0 += BLOCK) {
    const p1 = Math.min(p0 + BLOCK, k)
    for (let j0 = 0; j0 < n; j0 += BLOCK_INNER) {
      const j1 = Math.min(j0 + BLOCK_INNER, n)
      for (let i = 0; i < m; i++) {
        const ci = co + i * n
        const ai = ao + i * k
        for (let p = p0; p < p1; p++) {
          const aip = a[ai + p]!
          const bp = bo + p * n
          for (let j = j0; j < j1; j++) c[ci + j] = c[ci + j]! + aip * b[bp + j]!
        }
      }
    }
  }
}

/** C += A·Bᵀ with A m×k and B stored n×k: i-j-k order, each entry a dot of two contiguous rows. */
function gemmNT(
  a: Float64Array,
  ao: number,
  b: Float64Array,
  bo: number,
  c: Float64Array,
  co: number,
  m: number,
  k: number,
  n: number,
): void {
  for (let p0 = 0; p0 < k; p0 += BLOCK_INNER) {
    const p1 = Math.min(p0 + BLOCK_INNER, k)
    for (let j0 = 0; j0 < n; j0 += BLOCK) {
      const j1 = Math.min(j0 + BLOCK, n)
      for (let i = 0; i < m; i++) {
        const ai = ao + i * k
        const ci = co + i * n
        for (let j = j0; j < j1; j++) {
          const bj = bo + j * k
          let s = 0
          for (let p = p0; p < p1; p++) s += a[ai + p]! * b[bj + p]!
          c[ci + j] = c[ci + j]! + s
        }
      }
    }
  }
}

/** C += Aᵀ·B with A stored k×m and B k×n: k-i-j order, rows of A and B read contiguously. */
function gemmTN(
  a: Float64Array,
  ao: number,
  b: Float64Array,
  bo: number,
  c: Float64Array,
  co: number,
  m: number,
  k: number,
  n: number,
): void {
  for (let i0 = 0; i0 < m; i0 += BLOCK) {
    const i1 = Math.min(i0 + BLOCK, m)
    for (let j0 = 0; j0 < n; j0 += BLOCK_INNER) {
      const j1 = Math.min(j0 + BLOCK_INNER, n)
      for (let p = 0; p < k; p++) {
        const ap = ao + p * m
        const bp = bo + p * n
        for (let i = i0; i < i1; i++) {
          const api = a[ap + i]!
          const ci = co + i * n
          for (let j = j0; j < j1; j++) c[ci + j] = c[ci + j]! + api * b[bp + j]!
        }
      }
    }
  }
}

/** Copies the n×k matrix at `b[bo..]` transposed into `dst` (k×n). */
function transposeInto(b: Float64Array, bo: number, dst: Float64Array, n: number, k: number): void {
  for (let j = 0; j < n; j++) {
    const bj = bo + j * k
    for (let p = 0; p < k; p++) dst[p * n + j] = b[bj + p]!
  }
}

/**
 * Batched C = op(A)·op(B), where op transposes the last two axes when the flag is set: with
 * `transA`, `a` is stored `[..., k, m]` and used as `[..., m, k]`; likewise `transB`. Leading
 * axes broadcast. Throws `ShapeError` as `matmulShape` does.
 */
export function matmulK(
  a: Float64Array,
  aShape: Shape,
  b: Float64Array,
  bShape: Shape,
  transA: boolean,
  transB: boolean,
): { data: Float64Array; shape: number[] } {
  const shape = matmulShape(aShape, bShape, transA, transB)
  const rank = shape.length
  const m = shape[rank - 2]!
  const n = shape[rank - 1]!
  const k = aShape[transA ? aShape.length - 2 : aShape.length - 1]!
  const data = new Float64Array(sizeOf(shape))
  if (data.length === 0 || k === 0) return { data, shape }
  const batch = shape.slice(0, -2)
  // Walk the batch with a trailing unit axis, so each `next()` steps one whole matrix.
  const dims = [...batch, 1]
  const aStrides = broadcastStridesOf(aShape.slice(0, -2), batch).map((s) => s * m * k)
  const bStrides = broadcastStridesOf(bShape.slice(0, -2), batch).map((s) => s * k * n)
  const aCursor = new Odometer(dims, [...aStrides, 0])
  const bCursor = new Odometer(dims, [...bStrides, 0])
  // A·Bᵀ with A transposed too has no contiguous loop order; transpose B once per matrix instead.
  const scratch = transA && transB ? new Float64Array(k * n) : undefined
  const count = sizeOf(batch)
  for (let t = 0, co = 0; t < count; t++, co += m * n) {
    const ao = aCursor.offset
    const bo = bCursor.offset
    if (scratch !== undefined) {
      transposeInto(b, bo, scratch, n, k)
      gemmTN(a, ao, scratch, 0, data, co, m, k, n)
    } else if (transA) gemmTN(a, ao, b, bo, data, co, m, k, n)
    else if (transB) gemmNT(a, ao, b, bo, data, co, m, k, n)
    else gemmNN(a, ao, b, bo, data, co, m, k, n)
    aCursor.next()
    bCursor.next()
  }
  return { data, shape }
}
