/**
 * Batched matrix product with optional transposes, C = op(A)·op(B). The last two axes are the
 * matrices; leading axes broadcast NumPy-style. Operands are packed into panels of 4 rows or
 * columns (transposes are just other strides), and a 4×4 register-blocked micro-kernel runs over
 * the panels: 16 accumulators in locals, 8 loads per 16 multiply-adds.
 * @module
 */
import { ShapeError } from '../../core/errors.ts'
import { broadcastStridesOf, checkResultSize, Odometer, type Shape, sizeOf } from '../shape.ts'

const fail = (message: string, aShape: Shape, bShape: Shape, hint: string): never => {
  throw new ShapeError(message, { primitive: 'matmul', shapes: [aShape, bShape], hint })
}

/**
 * The output shape of `matmulK`: `[...batch, m, n]`, where op(A) is m × k, op(B) is k × n and
 * `batch` broadcasts the leading axes. Throws `ShapeError` when a rank is below 2, the inner
 * sizes differ or the batch axes do not broadcast, and `InvalidArgumentError` when the result
 * would be too large to allocate.
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
  checkResultSize(out, 'matmul', [aShape, bShape])
  return out
}

/** op(M)[r][c] of a stored matrix: `data[offset + r·rowStride + c·colStride]`. */
interface Operand {
  readonly data: Float64Array
  readonly rowStride: number
  readonly colStride: number
}

/** Panels for the micro-kernel, reused across calls (kernels run synchronously). */
let panelA = new Float64Array(0)
let panelB = new Float64Array(0)

/**
 * Packs rows of op(A) — `rows` matrices' worth, listed by `rowOffsets` — into panels of 4 rows
 * interleaved along k (zero-padded), so the micro-kernel reads them sequentially.
 */
function packRows(a: Operand, rowOffsets: Int32Array, k: number): Float64Array {
  const rows = rowOffsets.length
  const size = Math.ceil(rows / 4) * 4 * k
  if (panelA.length < size) panelA = new Float64Array(size)
  const dst = panelA
  const { data, colStride } = a
  for (let r = 0; r < rows; r += 4) {
    const base = r * k
    for (let q = 0; q < 4; q++) {
      if (r + q < rows) {
        const src = rowOffsets[r + q]!
        for (let p = 0; p < k; p++) dst[base + p * 4 + q] = data[src + p * colStride]!
      } else {
        for (let p = 0; p < k; p++) dst[base + p * 4 + q] = 0
      }
    }
  }
  return dst
}

/** Packs columns of op(B), listed by `colOffsets`, into panels of 4 columns interleaved along k. */
function packCols(b: Operand, colOffsets: Int32Array, k: number): Float64Array {
  const cols = colOffsets.length
  const size = Math.ceil(cols / 4) * 4 * k
  if (panelB.length < size) panelB = new Float64Array(size)
  const dst = panelB
  const { data, rowStride } = b
  for (let j = 0; j < cols; j += 4) {
    const base = j * k
    for (let q = 0; q < 4; q++) {
      if (j + q < cols) {
        const src = colOffsets[j + q]!
        for (let p = 0; p < k; p++) dst[base + p * 4 + q] = data[src + p * rowStride]!
      } else {
        for (let p = 0; p < k; p++) dst[base + p * 4 + q] = 0
      }
    }
  }
  return dst
}

/**
 * C = A·B on packed panels with a 4×4 register block: 16 accumulators, 8 loads per step of k.
 * Entry (I, J) of the product goes to `c[outRow[I] + outCol[J]]`, which lets a batch of
 * products share one call (a broadcast operand folded into the other's rows or columns).
 */
function gemmPacked(
  pa: Float64Array,
  pb: Float64Array,
  k: number,
  c: Float64Array,
  outRow: Int32Array,
  outCol: Int32Array,
): void {
  const rows = outRow.length
  const cols = outCol.length
  for (let i = 0; i < rows; i += 4) {
    for (let j = 0; j < cols; j += 4) {
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0,
        c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0,
        c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0
      let ap = i * k
      let bp = j * k
      for (let p = 0; p < k; p++, ap += 4, bp += 4) {
        const a0 = pa[ap]!,
          a1 = pa[ap + 1]!,
          a2 = pa[ap + 2]!,
          a3 = pa[ap + 3]!
        const b0 = pb[bp]!,
          b1 = pb[bp + 1]!,
          b2 = pb[bp + 2]!,
          b3 = pb[bp + 3]!
        c00 += a0 * b0
        c01 += a0 * b1
        c02 += a0 * b2
        c03 += a0 * b3
        c10 += a1 * b0
        c11 += a1 * b1
        c12 += a1 * b2
        c13 += a1 * b3
        c20 += a2 * b0
        c21 += a2 * b1
        c22 += a2 * b2
        c23 += a2 * b3
        c30 += a3 * b0
        c31 += a3 * b1
        c32 += a3 * b2
        c33 += a3 * b3
      }
      const nr = Math.min(4, rows - i)
      const nc = Math.min(4, cols - j)
      store(c, outRow, outCol, i, j, nc, c00, c01, c02, c03)
      if (nr > 1) store(c, outRow, outCol, i + 1, j, nc, c10, c11, c12, c13)
      if (nr > 2) store(c, outRow, outCol, i + 2, j, nc, c20, c21, c22, c23)
      if (nr > 3) store(c, outRow, outCol, i + 3, j, nc, c30, c31, c32, c33)
    }
  }
}

/** Writes up to 4 entries of one row of a 4×4 block (the first `nc` columns). */
function store(
  c: Float64Array,
  outRow: Int32Array,
  outCol: Int32Array,
  i: number,
  j: number,
  nc: number,
  v0: number,
  v1: number,
  v2: number,
  v3: number,
): void {
  const o = outRow[i]!
  c[o + outCol[j]!] = v0
  if (nc > 1) c[o + outCol[j + 1]!] = v1
  if (nc > 2) c[o + outCol[j + 2]!] = v2
  if (nc > 3) c[o + outCol[j + 3]!] = v3
}

/** Offsets `start + t·step` for t < count, repeated for each base in `bases`. */
function offsets(bases: readonly number[], count: number, step: number): Int32Array {
  const out = new Int32Array(bases.length * count)
  let w = 0
  for (const base of bases) for (let t = 0; t < count; t++) out[w++] = base + t * step
  return out
}

/**
 * Batched C = op(A)·op(B), where op transposes the last two axes when the flag is set: with
 * `transA`, `a` is stored `[..., k, m]` and used as `[..., m, k]`; likewise `transB`. Leading
 * axes broadcast. When one operand is shared by the whole batch, the other's matrices are
 * stacked into one wide product (a batch of matrix–vector products becomes one matrix product).
 * Throws `ShapeError` as `matmulShape` does.
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
  const count = sizeOf(batch)
  // element offsets of each batch matrix of A and B (0 stride where an operand is broadcast)
  const matrixStarts = (opShape: Shape, size: number): number[] => {
    const dims = [...batch, 1]
    const cursor = new Odometer(dims, [
      ...broadcastStridesOf(opShape.slice(0, -2), batch).map((x) => x * size),
      0,
    ])
    const starts: number[] = []
    for (let t = 0; t < count; t++, cursor.next()) starts.push(cursor.offset)
    return starts
  }
  const aStarts = matrixStarts(aShape, m * k)
  const bStarts = matrixStarts(bShape, k * n)
  const opA: Operand = { data: a, rowStride: transA ? 1 : k, colStride: transA ? m : 1 }
  const opB: Operand = { data: b, rowStride: transB ? 1 : n, colStride: transB ? k : 1 }
  const outStarts = Array.from({ length: count }, (_, t) => t * m * n)
  const aShared = aStarts.every((o) => o === aStarts[0])
  const bShared = bStarts.every((o) => o === bStarts[0])
  if (count > 1 && aShared) {
    // one A for all: stack every B's columns side by side
    const pa = packRows(opA, offsets([aStarts[0]!], m, opA.rowStride), k)
    const pb = packCols(opB, offsets(bStarts, n, opB.colStride), k)
    gemmPacked(pa, pb, k, data, offsets([0], m, n), offsets(outStarts, n, 1))
  } else if (count > 1 && bShared) {
    // one B for all: stack every A's rows on top of each other
    const pa = packRows(opA, offsets(aStarts, m, opA.rowStride), k)
    const pb = packCols(opB, offsets([bStarts[0]!], n, opB.colStride), k)
    gemmPacked(pa, pb, k, data, offsets(outStarts, m, n), offsets([0], n, 1))
  } else {
    const outCol = offsets([0], n, 1)
    for (let t = 0; t < count; t++) {
      const pa = packRows(opA, offsets([aStarts[t]!], m, opA.rowStride), k)
      const pb = packCols(opB, offsets([bStarts[t]!], n, opB.colStride), k)
      gemmPacked(pa, pb, k, data, offsets([outStarts[t]!], m, n), outCol)
    }
  }
  return { data, shape }
}
