/**
 * The WebAssembly matrix-product backend: the f64x2 micro-kernel of matmul.wat, compiled
 * synchronously on first use from the bytes in matmul-bytes.ts. The host puts op(A) and op(B)
 * into the module's memory — A as stored when its rows are evenly spaced (the kernel reads it
 * through its strides), else packed; B packed, by the module's `packB` from B as stored when
 * its columns are neighbours — runs the kernel over cache blocks, and copies C out. The
 * functions shared with the float32 backend (gemm-f32-wasm.ts) are exported here. Where
 * WebAssembly or its SIMD is missing, or compiling throws (a page whose
 * Content-Security-Policy forbids it), `wasmBackend()` is null and the JavaScript backend runs
 * instead.
 * @module
 */
import { type GemmProblem, type MatmulBackend, packCols, packRows, panelSize } from '../gemm.ts'
import { KernelModule, MAX_BYTES } from './instance.ts'
import { matmulHex } from './matmul-bytes.ts'

type GemmFn = (
  pa: number,
  pb: number,
  panelA: number,
  panelBytes: number,
  rowPanels: number,
  colPanels: number,
  pc: number,
  ldc: number,
  kc: number,
  accumulate: number,
  rs: number,
  ps: number,
) => void
/** `packB` of matmul.wat and matmul-f32.wat: B's panels from B as stored, in wasm. */
export type PackBFn = (
  src: number,
  rowBytes: number,
  k: number,
  dst: number,
  panels: number,
) => void
/** The exports of matmul.wat and matmul-f32.wat (their `gemm`s take the same arguments). */
export interface GemmExports {
  gemm: GemmFn
  packB: PackBFn
}
type Kernel = KernelModule<GemmExports>

/**
 * Cache blocks: `KC` steps of k (an A or B micro-panel of 4 × 256 doubles is 8 KB, in L1) and
 * `MC` rows of A (MC × KC doubles = 256 KB, in L2), the kernel sweeping every B panel across
 * one such block of A.
 */
const KC = 256
const MC = 128
/** Rows of C shorter than this are copied out element by element (measured crossover: 32). */
const SHORT_ROW = 32
let kernel: Kernel | null | undefined
let heap = new Float64Array(0)

/**
 * Makes the memory hold at least `bytes`, then returns a current view of it; null when it
 * cannot (out of memory: the product then runs in JavaScript).
 */
function reserve(k: Kernel, bytes: number): Float64Array | null {
  if (!k.reserve(bytes)) return null
  // a new memory after `reserve`: a new view
  if (heap.buffer !== k.memory.buffer) heap = new Float64Array(k.memory.buffer)
  return heap
}

/** A matrix module's exports, typed. */
export const gemmExports = (e: Record<string, unknown>): GemmExports => ({
  gemm: e.gemm as GemmFn,
  packB: e.packB as PackBFn,
})

/** The step s when offsets[t] = offsets[0] + t·s for every t (s ≥ 0), else −1. */
export const evenStep = (offsets: Int32Array): number => {
  const o = offsets[0]!
  const s = offsets.length > 1 ? offsets[1]! - o : 0
  if (s < 0) return -1
  for (let t = 2; t < offsets.length; t++) if (offsets[t] !== o + t * s) return -1
  return s
}

/**
 * Where vectors (op(A)'s rows, op(B)'s columns) start evenly spaced — a row-major or transposed
 * matrix, or matrices stacked end to end — the span of the stored array they cover, to copy
 * into wasm memory as it is (`lo` … `hi`, exclusive), their `step`, and the elements to reserve
 * for it (`size`, with room for `pad` more vectors that the kernel's padding reads); else null.
 */
export const rawSpan = (
  offsets: Int32Array,
  stride: number,
  depth: number,
  pad: number,
): { lo: number; hi: number; step: number; size: number } | null => {
  const step = evenStep(offsets)
  if (step < 0) return null
  const lo = offsets[0]!
  const hi = lo + (offsets.length - 1) * step + (depth - 1) * stride + 1
  // a sparse selection of a large array is cheaper to pack than to copy in
  if (hi - lo > 2 * offsets.length * depth) return null
  return { lo, hi, step, size: hi - lo + pad * step }
}

function gemmWasm(k: Kernel, p: GemmProblem): boolean {
  const rows = p.rowOffsets.length
  const cols = p.colOffsets.length
  const depth = p.k
  if (rows === 0 || cols === 0 || depth === 0) return false
  const rowsPad = Math.ceil(rows / 4) * 4
  const colsPad = Math.ceil(cols / 4) * 4
  const rawA = rawSpan(p.rowOffsets, p.a.colStride, depth, rowsPad - rows)
  const rawB = evenStep(p.colOffsets) === 1 ? rawSpan(p.colOffsets, p.b.rowStride, depth, 0) : null
  // doubles: [A, as stored or packed][B as stored, when it is][B panels][C, rowsPad × colsPad]
  const offRawB = rawA === null ? panelSize(rows, depth) : rawA.size
  const offB = offRawB + (rawB === null ? 0 : rawB.size + colsPad - cols)
  const offC = offB + panelSize(cols, depth)
  const total = (offC + rowsPad * colsPad) * 8
  if (total > MAX_BYTES) return false
  const mem = reserve(k, total)
  if (mem === null) return false
  // A read as stored, or packed in 4-row panels (rows 8 bytes apart, steps of k 32)
  let rs = 8
  let ps = 32
  if (rawA === null) packRows(p.a, p.rowOffsets, depth, mem, 0)
  else {
    mem.set(p.a.data.subarray(rawA.lo, rawA.hi), 0)
    rs = rawA.step * 8
    ps = p.a.colStride * 8
  }
  if (rawB === null) packCols(p.b, p.colOffsets, depth, mem, offB)
  else {
    mem.set(p.b.data.subarray(rawB.lo, rawB.hi), offRawB)
    k.kernel.packB(offRawB * 8, p.b.rowStride * 8, depth, offB * 8, colsPad / 4)
  }
  const panelA = 4 * rs * (rawA === null ? depth : 1)
  const panelBytes = depth * 32
  const ldc = colsPad * 8
  for (let p0 = 0; p0 < depth; p0 += KC) {
    const kc = Math.min(KC, depth - p0)
    for (let i0 = 0; i0 < rowsPad; i0 += MC) {
      k.kernel.gemm(
        (i0 / 4) * panelA + p0 * ps,
        offB * 8 + p0 * 32,
        panelA,
        panelBytes,
        Math.min(MC, rowsPad - i0) / 4,
        colsPad / 4,
        offC * 8 + i0 * ldc,
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
    // C's rows are runs in the result: copied as such — all at once when they are one run in
    // both (no column padding), else by rows, element by element when short (a `subarray` and
    // `set` per row cost ~0.1 µs each: 5× an element loop over 10-column rows)
    const o0 = outCol[0]!
    if (cols === colsPad && evenStep(outRow) === cols) {
      c.set(mem.subarray(offC, offC + rows * cols), outRow[0]! + o0)
    } else if (cols < SHORT_ROW) {
      for (let i = 0; i < rows; i++) {
        const from = offC + i * colsPad
        const to = outRow[i]! + o0
        for (let j = 0; j < cols; j++) c[to + j] = mem[from + j]!
      }
    } else {
      for (let i = 0; i < rows; i++) {
        const from = offC + i * colsPad
        c.set(mem.subarray(from, from + cols), outRow[i]! + o0)
      }
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
 * The WebAssembly backend, compiled on the first call; null where WebAssembly with SIMD cannot
 * run here. Its `gemm` runs the problem in JavaScript (`fallback`) when the panels would need
 * more than 1 GiB of its memory or the memory cannot grow.
 */
export function wasmBackend(fallback: MatmulBackend): MatmulBackend | null {
  if (kernel === undefined) {
    kernel = KernelModule.compile(matmulHex, gemmExports)
  }
  const k = kernel
  if (k === null) return null
  return {
    name: 'wasm-simd128',
    gemm(p) {
      if (!gemmWasm(k, p)) fallback.gemm(p)
    },
  }
}
