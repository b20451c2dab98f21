/**
 * The WebAssembly float32 matrix-product backend: the f32x4 micro-kernel of matmul-f32.wat (a
 * 4×8 tile), compiled synchronously on first use from matmul-f32-bytes.ts, in a module and
 * memory of its own. As for float64 (gemm-wasm.ts), the host packs op(A) in 4-row panels and
 * op(B) in 8-column panels straight into the module's memory, runs the kernel over cache
 * blocks and copies C out; where the module cannot compile, `wasmBackendF32()` is null and
 * the JavaScript float32 kernel (gemm-f32.ts) runs, with the same bits.
 * @module
 */
import type { GemmProblem, MatmulBackend } from '../gemm.ts'
import { packF32, panelSizeF32 } from '../gemm-f32.ts'
import { grow, instantiate, MAX_BYTES, type WasmMemory } from './gemm-wasm.ts'
import { matmulF32Hex } from './matmul-f32-bytes.ts'

type GemmFn = (
  pa: number,
  pb: number,
  panelA: number,
  panelB: number,
  rowPanels: number,
  colPanels: number,
  pc: number,
  ldc: number,
  kc: number,
  accumulate: number,
) => void

/** Rows of op(A) in a register tile, and columns of op(B). */
const MR = 4
const NR = 8
/**
 * Cache blocks: `KC` steps of k (a B micro-panel of 8 × 512 floats is 16 KB, in L1) and `MC`
 * rows of A (MC × KC floats = 256 KB, in L2), every B panel swept across one block of A.
 */
const KC = 512
const MC = 128

let kernel: { gemm: GemmFn; memory: WasmMemory } | null | undefined
let heap = new Float32Array(0)

/** True when `offsets` are consecutive (t ↦ offsets[0] + t): C's rows then copy as runs. */
const consecutive = (offsets: Int32Array): boolean => {
  const o = offsets[0]!
  for (let t = 1; t < offsets.length; t++) if (offsets[t] !== o + t) return false
  return true
}

function gemmWasmF32(
  k: { gemm: GemmFn; memory: WasmMemory },
  p: GemmProblem<Float32Array>,
): boolean {
  const rows = p.rowOffsets.length
  const cols = p.colOffsets.length
  const depth = p.k
  const rowsPad = Math.ceil(rows / MR) * MR
  const colsPad = Math.ceil(cols / NR) * NR
  // floats: [A panels][B panels][C, rowsPad × colsPad]
  const offB = panelSizeF32(rows, depth, MR)
  const offC = offB + panelSizeF32(cols, depth, NR)
  const total = (offC + rowsPad * colsPad) * 4
  if (total > MAX_BYTES || !grow(k.memory, total)) return false
  // a grown memory detaches old views
  if (heap.buffer !== k.memory.buffer) heap = new Float32Array(k.memory.buffer)
  const mem = heap
  packF32(p.a.data, p.rowOffsets, p.a.colStride, depth, MR, mem, 0)
  packF32(p.b.data, p.colOffsets, p.b.rowStride, depth, NR, mem, offB)
  const panelA = depth * MR * 4
  const panelB = depth * NR * 4
  const ldc = colsPad * 4
  for (let p0 = 0; p0 < depth; p0 += KC) {
    const kc = Math.min(KC, depth - p0)
    for (let i0 = 0; i0 < rowsPad; i0 += MC) {
      k.gemm(
        (i0 / MR) * panelA + p0 * MR * 4,
        offB * 4 + p0 * NR * 4,
        panelA,
        panelB,
        Math.min(MC, rowsPad - i0) / MR,
        colsPad / NR,
        offC * 4 + i0 * ldc,
        ldc,
        kc,
        p0 > 0 ? 1 : 0,
      )
    }
  }
  const { c, outRow, outCol } = p
  if (consecutive(outCol)) {
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
  if (kernel === undefined) kernel = instantiate<GemmFn>(matmulF32Hex)
  const k = kernel
  if (k === null) return null
  return {
    name: 'wasm-simd128-f32',
    gemm(p) {
      if (!gemmWasmF32(k, p)) fallback.gemm(p)
    },
  }
}
