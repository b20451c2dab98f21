/**
 * The matrix-product kernel layer: one problem type (`GemmProblem`) that every product reaches —
 * `matmul`, and through it batched matmul, einsum's contractions and conv's im2col product —
 * and the backends that solve it. The plain-JavaScript backend lives here; the WebAssembly one
 * (wasm/gemm-wasm.ts) puts the operands into its memory and runs a SIMD micro-kernel.
 * Both sum every entry in the same order with the same operations, so they give the same bits.
 * The problem and backend types are generic over the element array; the float32 backends are
 * in gemm-f32.ts and wasm/gemm-f32-wasm.ts.
 * @module
 */

/** The element arrays a product runs on: float64, or float32 (gemm-f32.ts). */
export type FloatArray = Float64Array | Float32Array

/** op(M)[r][c] of a stored matrix: `data[rowStart + c·colStride]` for row r (see `GemmProblem`). */
export interface Operand<T extends FloatArray = Float64Array> {
  readonly data: T
  readonly rowStride: number
  readonly colStride: number
}

/**
 * C = A·B for listed rows of op(A) and columns of op(B): row I of the product is op(A)'s row
 * starting at `a.data[rowOffsets[I]]` (entries `a.colStride` apart), column J is op(B)'s
 * column starting at `b.data[colOffsets[J]]` (entries `b.rowStride` apart), and entry (I, J)
 * is written to `c[outRow[I] + outCol[J]]`. A batch of products with a shared operand is one
 * problem (the other operand's matrices stacked as more rows or columns). `T` is the element
 * type of A, B and C alike (no mixed-precision products).
 */
export interface GemmProblem<T extends FloatArray = Float64Array> {
  readonly a: Operand<T>
  readonly rowOffsets: Int32Array
  readonly b: Operand<T>
  readonly colOffsets: Int32Array
  readonly k: number
  readonly c: T
  readonly outRow: Int32Array
  readonly outCol: Int32Array
}

/**
 * A matrix-product backend. Each call is synchronous and complete; a backend may split a
 * problem into row blocks internally (the plan for a threaded backend: disjoint blocks of
 * `rowOffsets`/`outRow`, one per worker, each entry still summed in order p = 0 … k−1).
 */
export interface MatmulBackend<T extends FloatArray = Float64Array> {
  /** Shown by benchmarks and the browser check. */
  readonly name: string
  /** Solves `p`, overwriting every entry of `p.c` it addresses. */
  gemm(p: GemmProblem<T>): void
}

/** Panels for the JavaScript micro-kernel, reused across calls (kernels run synchronously). */
let panelA = new Float64Array(0)
let panelB = new Float64Array(0)

/**
 * Packs `count` vectors of length k — vector t starts at `data[starts[t]]`, its entries `stride`
 * apart — into `dst` from `at`: panels of 4 vectors interleaved along k, zero-padded to a
 * multiple of 4. A full panel reads its 4 vectors side by side, step p of each together: for
 * the columns of a row-major B those are neighbours in one cache line, where reading each
 * column to its end first would miss the cache on every entry once 4·k lines exceed L1.
 */
function pack(
  data: Float64Array,
  starts: Int32Array,
  stride: number,
  k: number,
  dst: Float64Array,
  at: number,
): void {
  const count = starts.length
  for (let r = 0; r < count; r += 4) {
    let d = at + r * k
    if (r + 4 <= count) {
      let s0 = starts[r]!
      let s1 = starts[r + 1]!
      let s2 = starts[r + 2]!
      let s3 = starts[r + 3]!
      for (let p = 0; p < k; p++, d += 4) {
        dst[d] = data[s0]!
        dst[d + 1] = data[s1]!
        dst[d + 2] = data[s2]!
        dst[d + 3] = data[s3]!
        s0 += stride
        s1 += stride
        s2 += stride
        s3 += stride
      }
      continue
    }
    for (let q = 0; q < 4; q++) {
      if (r + q < count) {
        const src = starts[r + q]!
        for (let p = 0; p < k; p++) dst[d + p * 4 + q] = data[src + p * stride]!
      } else {
        for (let p = 0; p < k; p++) dst[d + p * 4 + q] = 0
      }
    }
  }
}

/** Packs the listed rows of op(A) into `dst` from `at`: panels of 4 rows along k. */
export const packRows = (
  a: Operand,
  rowOffsets: Int32Array,
  k: number,
  dst: Float64Array,
  at: number,
): void => pack(a.data, rowOffsets, a.colStride, k, dst, at)

/** Packs the listed columns of op(B) into `dst` from `at`: panels of 4 columns along k. */
export const packCols = (
  b: Operand,
  colOffsets: Int32Array,
  k: number,
  dst: Float64Array,
  at: number,
): void => pack(b.data, colOffsets, b.rowStride, k, dst, at)

/** Doubles in the panels of `count` rows (or columns) of length k. */
export const panelSize = (count: number, k: number): number => Math.ceil(count / 4) * 4 * k

/**
 * C = A·B on packed panels with a 4×4 register block: 16 accumulators, 8 loads per step of k.
 * Each entry starts at +0 and adds its products in the order p = 0 … k−1.
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

/** The plain-JavaScript backend: always available, and the reference the others must match. */
export const jsBackend: MatmulBackend = {
  name: 'js',
  gemm(p) {
    const { k } = p
    const sizeA = panelSize(p.rowOffsets.length, k)
    const sizeB = panelSize(p.colOffsets.length, k)
    if (panelA.length < sizeA) panelA = new Float64Array(sizeA)
    if (panelB.length < sizeB) panelB = new Float64Array(sizeB)
    packRows(p.a, p.rowOffsets, k, panelA, 0)
    packCols(p.b, p.colOffsets, k, panelB, 0)
    gemmPacked(panelA, panelB, k, p.c, p.outRow, p.outCol)
  },
}
