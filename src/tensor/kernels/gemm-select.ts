/**
 * Which matrix-product backend runs: WebAssembly SIMD (wasm/gemm-wasm.ts) by default for
 * products big enough that its copies pay off, the plain-JavaScript kernel otherwise and
 * wherever WebAssembly cannot run. `FLUXION_WASM=0` in the environment (Node) or
 * `setWasmKernels(false)` turns WebAssembly off. Both backends give the same bits (see
 * gemm.ts), so the choice changes speed only — eager and `jit` alike, since both call `matmulK`.
 * Float32 products (`matmulKF32`) choose the same way between the f32x4 kernel and the
 * JavaScript float32 one (gemm-f32.ts), under the same switch.
 * @module
 */
import { jsBackend, type MatmulBackend } from './gemm.ts'
import { jsBackendF32 } from './gemm-f32.ts'
import { wasmBackendF32 } from './wasm/gemm-f32-wasm.ts'
import { wasmBackend } from './wasm/gemm-wasm.ts'

/**
 * Products of fewer multiply-adds (m·n·k) run in JavaScript: below this, packing into wasm
 * memory and scattering C out cost about what the faster kernel saves
 * (measured with bench/wasm-crossover.ts; see docs/performance.md).
 */
export const WASM_MIN_MULADDS = 8 * 8 * 8

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
let enabled = env?.FLUXION_WASM !== '0'
let wasm: MatmulBackend | null | undefined
let wasmF32: MatmulBackend<Float32Array> | null | undefined

/**
 * Turns the WebAssembly kernels on or off (for tests and benchmarks; the default is on unless
 * `FLUXION_WASM=0`) and returns the previous setting.
 */
export function setWasmKernels(on: boolean): boolean {
  const was = enabled
  enabled = on
  return was
}

/**
 * Whether the WebAssembly kernels are switched on (`setWasmKernels`, `FLUXION_WASM`): the
 * reductions of wasm/reduce-wasm.ts and `jit`'s fused loops (src/jit/emit/wasm/) follow the
 * same switch.
 */
export function wasmEnabled(): boolean {
  return enabled
}

/** The WebAssembly backend when it is enabled and runs here, else null. */
export function wasmKernels(): MatmulBackend | null {
  if (!enabled) return null
  if (wasm === undefined) wasm = wasmBackend(jsBackend)
  return wasm
}

/** The backend for a product of m·n·k multiply-adds. */
export function gemmBackend(muladds: number): MatmulBackend {
  return (muladds >= WASM_MIN_MULADDS ? wasmKernels() : null) ?? jsBackend
}

/** The WebAssembly float32 backend when it is enabled and runs here, else null. */
export function wasmKernelsF32(): MatmulBackend<Float32Array> | null {
  if (!enabled) return null
  if (wasmF32 === undefined) wasmF32 = wasmBackendF32(jsBackendF32)
  return wasmF32
}

/** The float32 backend for a product of m·n·k multiply-adds. */
export function gemmBackendF32(muladds: number): MatmulBackend<Float32Array> {
  return (muladds >= WASM_MIN_MULADDS ? wasmKernelsF32() : null) ?? jsBackendF32
}
