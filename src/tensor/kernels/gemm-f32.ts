/**
 * The float32 matrix product in plain JavaScript: the same `GemmProblem` as gemm.ts over
 * Float32Array operands and result, packed panels and a 4×4 register block, and the packing the
 * WebAssembly f32x4 backend (wasm/gemm-f32-wasm.ts) uses too.
 *
 * Arithmetic is float32's, operation by operation: each entry starts at +0 and, for
 * p = 0 … k−1 in order, becomes fround(acc + fround(a·b)). A product of two float32 values is
 * exact in float64 and a sum of two is rounded once more by `Math.fround`, which gives IEEE
 * float32 arithmetic bit for bit (float64 carries more than 2·24 + 2 bits, so rounding twice is
 * innocuous for + and ·). The f32x4 kernel does the same multiplies and adds in the same
 * order, so the two backends give the same bits — NaN, ±∞, −0 and subnormals included — and a
 * naive float32 triple loop does too. The result is float32 throughout, not a float64 sum
 * rounded at the end: the error bound is float32's, |C − A·B| ≤ k·ε₃₂·(|A|·|B|) per entry
 * with ε₃₂ = 2⁻²⁴ (to first order).
 * @module
 */
import type { GemmProblem, MatmulBackend } from './gemm.ts'

const f32 = Math.fround

/**
 * Packs `count` vectors of length k — vector t starts at `data[starts[t]]`, entries `stride`
 * apart — into `dst` from `at`: panels of `width` (4 or 8) vectors interleaved along k (step p
 * of each side by side), the last panel zero-padded. Full panels are copied 4 vectors at a
 * time by unrolled loops (about 2× faster in V8 than a loop over the panel's vectors); vectors that
 * start one element apart (the columns of a row-major B) as runs of neighbours.
 */
export function packF32(
  data: Float32Array,
  starts: Int32Array,
  stride: number,
  k: number,
  width: number,
  dst: Float32Array,
  at: number,
): void {
  const count = starts.length
  for (let r = 0; r < count; r += width) {
    const d = at + r * k
    if (r + width <= count) {
      const s0 = starts[r]!
      let run = true
      for (let q = 1; run && q < width; q++) run = starts[r + q] === s0 + q
      if (run && width === 8) run8(data, s0, stride, k, dst, d)
      else if (run) quad(data, s0, s0 + 1, s0 + 2, s0 + 3, stride, k, dst, d, width)
      else {
        for (let q = 0; q < width; q += 4) {
          const t = r + q
          quad(
            data,
            starts[t]!,
            starts[t + 1]!,
            starts[t + 2]!,
            starts[t + 3]!,
            stride,
            k,
            dst,
            d + q,
            width,
          )
        }
      }
      continue
    }
    for (let q = 0; q < width; q++) {
      if (r + q < count) {
        let s = starts[r + q]!
        for (let p = 0; p < k; p++, s += stride) dst[d + p * width + q] = data[s]!
      } else {
        for (let p = 0; p < k; p++) dst[d + p * width + q] = 0
      }
    }
  }
}

/** Vectors from s0 … s3, step p of each to dst[d + p·width] … dst[d + p·width + 3]. */
function quad(
  data: Float32Array,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
  stride: number,
  k: number,
  dst: Float32Array,
  d: number,
  width: number,
): void {
  for (let p = 0; p < k; p++, d += width) {
    dst[d] = data[s0]!
    dst[d + 1] = data[s1]!
    dst[d + 2] = data[s2]!
    dst[d + 3] = data[s3]!
    s0 += stride
    s1 += stride
    s2 += stride
    s3 += stride
  }
}

/** 8 neighbouring vectors from s: step p is the run data[s + p·stride …] of 8. */
function run8(
  data: Float32Array,
  s: number,
  stride: number,
  k: number,
  dst: Float32Array,
  d: number,
): void {
  for (let p = 0; p < k; p++, s += stride, d += 8) {
    dst[d] = data[s]!
    dst[d + 1] = data[s + 1]!
    dst[d + 2] = data[s + 2]!
    dst[d + 3] = data[s + 3]!
    dst[d + 4] = data[s + 4]!
    dst[d + 5] = data[s + 5]!
    dst[d + 6] = data[s + 6]!
    dst[d + 7] = data[s + 7]!
  }
}

/** Floats in the panels of `count` vectors of length k, `width` to a panel. */
export const panelSizeF32 = (count: number, k: number, width: number): number =>
  Math.ceil(count / width) * width * k

let panelA = new Float32Array(0)
let panelB = new Float32Array(0)

/** C = A·B on 4-wide panels, a 4×4 block of float32 accumulators (see the module comment). */
function gemmPackedF32(
  pa: Float32Array,
  pb: Float32Array,
  k: number,
  c: Float32Array,
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
        c00 = f32(c00 + f32(a0 * b0))
        c01 = f32(c01 + f32(a0 * b1))
        c02 = f32(c02 + f32(a0 * b2))
        c03 = f32(c03 + f32(a0 * b3))
        c10 = f32(c10 + f32(a1 * b0))
        c11 = f32(c11 + f32(a1 * b1))
        c12 = f32(c12 + f32(a1 * b2))
        c13 = f32(c13 + f32(a1 * b3))
        c20 = f32(c20 + f32(a2 * b0))
        c21 = f32(c21 + f32(a2 * b1))
        c22 = f32(c22 + f32(a2 * b2))
        c23 = f32(c23 + f32(a2 * b3))
        c30 = f32(c30 + f32(a3 * b0))
        c31 = f32(c31 + f32(a3 * b1))
        c32 = f32(c32 + f32(a3 * b2))
        c33 = f32(c33 + f32(a3 * b3))
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
  c: Float32Array,
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

/** The plain-JavaScript float32 backend: always available, the reference the f32x4 one matches. */
export const jsBackendF32: MatmulBackend<Float32Array> = {
  name: 'js-f32',
  gemm(p: GemmProblem<Float32Array>) {
    const { k } = p
    const sizeA = panelSizeF32(p.rowOffsets.length, k, 4)
    const sizeB = panelSizeF32(p.colOffsets.length, k, 4)
    if (panelA.length < sizeA) panelA = new Float32Array(sizeA)
    if (panelB.length < sizeB) panelB = new Float32Array(sizeB)
    packF32(p.a.data, p.rowOffsets, p.a.colStride, k, 4, panelA, 0)
    packF32(p.b.data, p.colOffsets, p.b.rowStride, k, 4, panelB, 0)
    gemmPackedF32(panelA, panelB, k, p.c, p.outRow, p.outCol)
  },
}
