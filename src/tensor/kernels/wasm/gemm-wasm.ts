/**
 * The WebAssembly matrix-product backend: the f64x2 micro-kernel of matmul.wat, compiled
 * synchronously on first use from the bytes in matmul-bytes.ts. The host packs op(A) and op(B)
 * straight into the module's memory (the packing is the only copy in), runs the kernel over
 * cache blocks, and scatters C out. Where WebAssembly or its SIMD is missing, or compiling
 * throws (a page whose Content-Security-Policy forbids it), `wasmBackend()` is null and the
 * JavaScript backend runs instead.
 * @module
 */
import { type GemmProblem, type MatmulBackend, packCols, packRows, panelSize } from '../gemm.ts'
import { matmulHex } from './matmul-bytes.ts'

/** The slice of the WebAssembly API used here (the build's lib has no DOM or Node types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> }
}
type GemmFn = (
  pa: number,
  pb: number,
  panelBytes: number,
  rowPanels: number,
  colPanels: number,
  pc: number,
  ldc: number,
  kc: number,
  accumulate: number,
) => void

/**
 * Cache blocks: `KC` steps of k (an A or B micro-panel of 4 × 256 doubles is 8 KB, in L1) and
 * `MC` rows of A (MC × KC doubles = 256 KB, in L2), the kernel sweeping every B panel across
 * one such block of A.
 */
const KC = 256
const MC = 128
/** The memory this backend may hold (bytes); larger problems run in JavaScript. */
export const MAX_BYTES = 1 << 30
const PAGE = 65536

const bytesOf = (hex: string): Uint8Array => {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/**
 * Compiles and instantiates a kernel module (its bytes as hex) exporting `gemm` and `memory`;
 * null (never a throw) where that is not possible.
 */
export function instantiate<F>(
  hex: string,
): { gemm: F; memory: WasmMemory; exports: Record<string, unknown> } | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
  if (api === undefined) return null
  try {
    // compiling validates: an engine without SIMD rejects the module here
    const instance = new api.Instance(new api.Module(bytesOf(hex)), {})
    const { exports } = instance
    return { gemm: exports.gemm as F, memory: exports.memory as WasmMemory, exports }
  } catch {
    return null
  }
}

/** Grows `memory` to at least `bytes`; false when the engine cannot (out of memory). */
export function grow(memory: WasmMemory, bytes: number): boolean {
  const have = memory.buffer.byteLength
  if (have >= bytes) return true
  try {
    memory.grow(Math.ceil((bytes - have) / PAGE))
    return true
  } catch {
    return false
  }
}

let kernel: { gemm: GemmFn; memory: WasmMemory } | null | undefined
let heap = new Float64Array(0)

/**
 * Makes the memory hold at least `bytes`, then returns a current view of it; null when the
 * engine cannot grow it (out of memory: the product then runs in JavaScript).
 */
function reserve(memory: WasmMemory, bytes: number): Float64Array | null {
  if (!grow(memory, bytes)) return null
  // a grown memory detaches old views
  if (heap.buffer !== memory.buffer) heap = new Float64Array(memory.buffer)
  return heap
}

function gemmWasm(k: { gemm: GemmFn; memory: WasmMemory }, p: GemmProblem): boolean {
  const rows = p.rowOffsets.length
  const cols = p.colOffsets.length
  const depth = p.k
  const rowsPad = Math.ceil(rows / 4) * 4
  const colsPad = Math.ceil(cols / 4) * 4
  // doubles: [A panels][B panels][C, rowsPad × colsPad]
  const offB = panelSize(rows, depth)
  const offC = offB + panelSize(cols, depth)
  const total = (offC + rowsPad * colsPad) * 8
  if (total > MAX_BYTES) return false
  const mem = reserve(k.memory, total)
  if (mem === null) return false
  packRows(p.a, p.rowOffsets, depth, mem, 0)
  packCols(p.b, p.colOffsets, depth, mem, offB)
  const panelBytes = depth * 32
  const ldc = colsPad * 8
  for (let p0 = 0; p0 < depth; p0 += KC) {
    const kc = Math.min(KC, depth - p0)
    for (let i0 = 0; i0 < rowsPad; i0 += MC) {
      const rowPanels = Math.min(MC, rowsPad - i0) / 4
      k.gemm(
        (i0 / 4) * panelBytes + p0 * 32,
        offB * 8 + p0 * 32,
        panelBytes,
        rowPanels,
        colsPad / 4,
        offC * 8 + i0 * ldc,
        ldc,
        kc,
        p0 > 0 ? 1 : 0,
      )
    }
  }
  const { c, outRow, outCol } = p
  for (let i = 0; i < rows; i++) {
    const o = outRow[i]!
    const from = offC + i * colsPad
    for (let j = 0; j < cols; j++) c[o + outCol[j]!] = mem[from + j]!
  }
  return true
}

/**
 * The WebAssembly backend, compiled on the first call; null where WebAssembly with SIMD cannot
 * run here. Its `gemm` runs the problem in JavaScript (`fallback`) when the panels would need
 * more than 1 GiB of its memory or the memory cannot grow.
 */
export function wasmBackend(fallback: MatmulBackend): MatmulBackend | null {
  if (kernel === undefined) kernel = instantiate<GemmFn>(matmulHex)
  const k = kernel
  if (k === null) return null
  return {
    name: 'wasm-simd128',
    gemm(p) {
      if (!gemmWasm(k, p)) fallback.gemm(p)
    },
  }
}
