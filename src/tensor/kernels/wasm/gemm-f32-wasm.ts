/**
 * The WebAssembly float32 matrix-product backend: the f32x4 micro-kernel of matmul-f32.wat (a
 * 4×8 tile), compiled synchronously on first use from matmul-f32-bytes.ts, in a module and
 * memory of its own. As for float64 (gemm-wasm.ts), the host puts op(A) into the module's
 * memory as stored (evenly spaced rows) or in 4-row panels, and op(B) in 8-column panels,
 * runs the kernel over cache blocks and copies C out; where the module cannot compile,
 * `wasmBackendF32()` is null and the JavaScript float32 kernel (gemm-f32.ts) runs, with the
 * same bits.
 * @module
 */
import type { GemmProblem, MatmulBackend } from '../gemm.ts'
import { packF32, panelSizeF32 } from '../gemm-f32.ts'
import { evenStep, type GemmExports, gemmExports, rawSpan } from './gemm-wasm.ts'
import { KernelModule, MAX_BYTES } from './instance.ts'
import { matmulF32Hex } from './matmul-f32-bytes.ts'

type Kernel = KernelModule<GemmExports>

/** Rows of op(A) in a register tile, and columns of op(B). */
const MR = 4
const NR = 8
/**
 * Cache blocks: `KC` steps of k (a B micro-panel of 8 × 512 floats is 16 KB, in L1) and `MC`
 * rows of A (MC × KC floats = 256 KB, in L2), every B panel swept across one block of A.
 */
const KC = 512
const MC = 128

let kernel: Kernel | null | undefined
let heap = new Float32Array(0)

function gemmWasmF32(k: Kernel, p: GemmProblem<Float32Array>): boolean {
  const rows = p.rowOffsets.length
  const cols = p.colOffsets.length
  const depth = p.k
  if (rows === 0 || cols === 0 || depth === 0) return false
  const rowsPad = Math.ceil(rows / MR) * MR
  const colsPad = Math.ceil(cols / NR) * NR
  const rawA = rawSpan(p.rowOffsets, p.a.colStride, depth, rowsPad - rows)
  // B's columns as stored when they are neighbours (step 1): packed in wasm, not in JS
  const rawB = evenStep(p.colOffsets) === 1 ? rawSpan(p.colOffsets, p.b.rowStride, depth, 0) : null
  // floats: [A, as stored or packed][B as stored, when it is][B panels][C, rowsPad × colsPad]
  const offRawB = rawA === null ? panelSizeF32(rows, depth, MR) : rawA.size
  const offB = offRawB + (rawB === null ? 0 : rawB.size + colsPad - cols)
  const offC = offB + panelSizeF32(cols, depth, NR)
  const total = (offC + rowsPad * colsPad) * 4
  if (total > MAX_BYTES || !k.reserve(total)) return false
  // a new memory after `reserve`: a new view
  if (heap.buffer !== k.memory.buffer) heap = new Float32Array(k.memory.buffer)
  const mem = heap
  const a = p.a.data
  let rs = 4
  let ps = MR * 4
  if (rawA === null) packF32(a, p.rowOffsets, p.a.colStride, depth, MR, mem, 0)
  else {
    mem.set(a.subarray(rawA.lo, rawA.hi), 0)
    rs = rawA.step * 4
    ps = p.a.colStride * 4
  }
  if (rawB === null) packF32(p.b.data, p.colOffsets, p.b.rowStride, depth, NR, mem, offB)
  else {
    mem.set(p.b.data.subarray(rawB.lo, rawB.hi), offRawB)
    k.kernel.packB(offRawB * 4, p.b.rowStride * 4, depth, offB * 4, colsPad / NR)
  }
  const panelA = MR * rs * (rawA === null ? depth : 1)
  const panelB = depth * NR * 4
  const ldc = colsPad * 4
  for (let p0 = 0; p0 < depth; p0 += KC) {
    const kc = Math.min(KC, depth - p0)
    for (let i0 = 0; i0 < rowsPad; i0 += MC) {
      k.kernel.gemm(
        (i0 / MR) * panelA + p0 * ps,
        offB * 4 + p0 * NR * 4,
        panelA,
        panelB,
        Math.min(MC, rowsPad - i0) / MR,
        colsPad / NR,
        offC * 4 + i0 * ldc,
        ldc,
        kc,
        p0 > 0 ? 1 : 0,
        rs,
        ps,
      )
    }
  }
  const { c, outRow, outCol } = p
  if (evenStep(outCol) === 1) {
    // C's rows are runs in the result: copied as such
    const o0 = outCol[0]!
    for (let i = 0; i < rows; i++) {
      const from = offC + i * colsPad
      c.set(mem.subarray(from, from + cols), outRow[i]! + o0)
    }
    return true
  }
  for (let i = 0; i < rows; i++) {
    const o = outRow[i]!
    const from = offC + i * colsPad
    for (let j = 0; j < cols; j++) c[o + outCol[j]!] = mem[from + j]!
  }
  return true
}

/**
 * The WebAssembly float32 backend, compiled on the first call; null where WebAssembly with
 * SIMD cannot run here. Its `gemm` runs the problem in JavaScript (`fallback`) when the panels
 * would need more than 1 GiB of its memory or the memory cannot grow.
 */
export function wasmBackendF32(
  fallback: MatmulBackend<Float32Array>,
): MatmulBackend<Float32Array> | null {
  if (kernel === undefined) {
    kernel = KernelModule.compile(matmulF32Hex, gemmExports)
  }
  const k = kernel
  if (k === null) return null
  return {
    name: 'wasm-simd128-f32',
    gemm(p) {
      if (!gemmWasmF32(k, p)) fallback.gemm(p)
    },
  }
}
