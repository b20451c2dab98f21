/**
 * The WebAssembly reductions: reduce.wat's f64x2 kernels, compiled on first use from
 * reduce-bytes.ts into a module and memory of their own. The host copies the input in (float32
 * data as floats, widened in wasm), runs the kernel and reads the results out; the pairwise
 * tree over the leaf sums is pairwise.ts's, as in JavaScript, so the bits are the JavaScript
 * kernels'. Off with the matrix kernels (`setWasmKernels(false)`, `FLUXION_WASM=0`), below
 * `WASM_MIN_REDUCE` elements, and where WebAssembly with SIMD cannot run (`reduceWasm()` is
 * null and reduce.ts runs its JavaScript loops).
 * @module
 */
import type { Floats } from '../../tensor.ts'
import { wasmEnabled } from '../gemm-select.ts'
import { PAIRWISE_BLOCK, pairwiseTree } from '../pairwise.ts'
import { KernelModule, MAX_BYTES } from './instance.ts'
import { reduceHex } from './reduce-bytes.ts'

/**
 * Reductions of fewer input elements run in JavaScript, where copying into wasm memory and the
 * calls cost what the lanes save: with fewer than eight 128-leaves `sumRuns` adds its leaves one
 * at a time. Measured (`bench/reduce.ts crossover`, bench/NOTES.md §21), JS / wasm: a sum of
 * 512 doubles 0.36 / 0.42 µs, of 1024 1.53 / 0.53 µs (0.84 / 0.36 in a quieter run); max of
 * 512 0.42 / 0.36, of 1024 0.75 / 0.59.
 */
export const WASM_MIN_REDUCE = 1024

interface Exports {
  sumRuns(src: number, step: number, len: number, count: number, dst: number, dstStep: number): void
  columns(src: number, outer: number, r: number, inner: number, dst: number, max: number): void
  maxRows(src: number, outer: number, r: number, dst: number): void
  widen(src: number, n: number, dst: number): void
}
type Kernel = KernelModule<Exports>

/** reduce.wat's exports, typed. */
const reduceExports = (e: Record<string, unknown>): Exports => ({
  sumRuns: e.sumRuns as Exports['sumRuns'],
  columns: e.columns as Exports['columns'],
  maxRows: e.maxRows as Exports['maxRows'],
  widen: e.widen as Exports['widen'],
})

let kernel: Kernel | null | undefined
let heap = new Float64Array(0)

/**
 * Copies `x` into the memory as doubles at byte 0, with room for `extra` more doubles after
 * it; the memory's current view, or null when it would exceed `MAX_BYTES` or cannot grow.
 */
function load(k: Kernel, x: Floats, extra: number): Float64Array | null {
  const n = x.length
  const wide = x instanceof Float32Array
  const bytes = 8 * (n + extra) + (wide ? 4 * n : 0)
  if (bytes > MAX_BYTES || !k.reserve(bytes)) return null
  // a new memory after `reserve`: a new view
  if (heap.buffer !== k.memory.buffer) heap = new Float64Array(k.memory.buffer)
  if (!wide) heap.set(x, 0)
  else {
    const floats = 8 * (n + extra)
    new Float32Array(k.memory.buffer, floats, n).set(x)
    k.kernel.widen(floats, n, 0)
  }
  return heap
}

/** The WebAssembly reductions, for `n` input elements; null where JavaScript runs them. */
export function reduceWasm(n: number): ReduceWasm | null {
  if (n < WASM_MIN_REDUCE || !wasmEnabled()) return null
  if (kernel === undefined) {
    kernel = KernelModule.compile(reduceHex, reduceExports)
  }
  return kernel === null ? null : backend
}

/** The kernels; each returns false (having written nothing) when the input does not fit. */
export interface ReduceWasm {
  /** `out[o]` = the pairwise sum of row o of `outer` rows of `r` elements (reduce.ts's tree). */
  rowSums(x: Floats, outer: number, r: number, out: Float64Array): boolean
  /** `out[o, i]` = Σ_j x[o, j, i] in order from +0, or the maximum (`max`) from −∞. */
  columns(
    x: Floats,
    outer: number,
    r: number,
    inner: number,
    out: Float64Array,
    max: boolean,
  ): boolean
  /** `out[o]` = the maximum of row o (NaN if any is NaN; +0 over −0), −∞ for none. */
  maxRows(x: Floats, outer: number, r: number, out: Float64Array): boolean
}

const backend: ReduceWasm = {
  rowSums(x, outer, r, out) {
    const k = kernel!
    const n = x.length
    if (r <= PAIRWISE_BLOCK) {
      const mem = load(k, x, outer)
      if (mem === null) return false
      k.kernel.sumRuns(0, 8 * r, r, outer, 8 * n, 8)
      out.set(mem.subarray(n, n + outer))
      return true
    }
    const full = Math.floor(r / PAIRWISE_BLOCK)
    const rem = r - full * PAIRWISE_BLOCK
    const leaves = full + (rem > 0 ? 1 : 0)
    const mem = load(k, x, outer * leaves)
    if (mem === null) return false
    // leaf k of row o at double n + o·leaves + k, as reduce.ts's rowSums lays them out
    const block = 8 * PAIRWISE_BLOCK
    if (outer >= full) {
      for (let j = 0; j < full; j++) {
        k.kernel.sumRuns(j * block, 8 * r, PAIRWISE_BLOCK, outer, 8 * (n + j), 8 * leaves)
      }
    } else {
      for (let o = 0; o < outer; o++) {
        k.kernel.sumRuns(8 * o * r, block, PAIRWISE_BLOCK, full, 8 * (n + o * leaves), 8)
      }
    }
    if (rem > 0) k.kernel.sumRuns(full * block, 8 * r, rem, outer, 8 * (n + full), 8 * leaves)
    for (let o = 0; o < outer; o++) out[o] = pairwiseTree(mem, n + o * leaves, 1, leaves)
    return true
  },
  columns(x, outer, r, inner, out, max) {
    const k = kernel!
    const n = x.length
    const mem = load(k, x, outer * inner)
    if (mem === null) return false
    k.kernel.columns(0, outer, r, inner, 8 * n, max ? 1 : 0)
    out.set(mem.subarray(n, n + outer * inner))
    return true
  },
  maxRows(x, outer, r, out) {
    const k = kernel!
    const n = x.length
    const mem = load(k, x, outer)
    if (mem === null) return false
    k.kernel.maxRows(0, outer, r, 8 * n)
    out.set(mem.subarray(n, n + outer))
    return true
  },
}
