/**
 * What the tests of the fused loops' WebAssembly share (test/jit/wasm-loops*.test.ts): running a
 * jitted function with wasm on or off, and comparing bits.
 */
import fc from 'fast-check'
import { jit, type Tensor } from 'fluxion'
import { expect } from 'vitest'
import { wasmLoopStats } from '../../src/jit/emit/wasm/step.ts'
import { setWasmKernels } from '../../src/tensor/kernels/gemm-select.ts'

/** The WebAssembly API as used here (the build's lib has no DOM or Node types for it). */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Memory: new (d: { initial: number }) => { readonly buffer: ArrayBuffer }
  Module: new (bytes: Uint8Array) => object
  Instance: new (m: object, imports: object) => { readonly exports: Record<string, unknown> }
}
export const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

export const special = [
  0, -0, 1, -1, 0.5, 3, 1e308, -1e308, 5e-324, -5e-324, 2.2250738585072014e-308,
]
export const value = fc.oneof(
  fc.constantFrom(...special, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN),
  fc.double(),
)
export const shapes: number[][] = [[0], [1], [2], [3], [7], [17], [3, 5], [2, 0], [1, 4], [4, 3]]

/** Entries equal as Object.is sees them (bits, up to NaN payloads). */
export const sameBits = (x: ArrayLike<number>, y: ArrayLike<number>, what: string): void => {
  expect(x.length).toBe(y.length)
  for (let i = 0; i < x.length; i++) {
    if (!Object.is(x[i], y[i])) expect.fail(`${what}, entry ${i}: ${x[i]} vs ${y[i]}`)
  }
}

/** Runs the jitted `f` three times (the trace, then the program twice) with wasm on or off. */
export const jitted = (
  f: (...xs: Tensor[]) => Tensor,
  xs: Tensor[],
  wasm: boolean,
): Float64Array[] => {
  const was = setWasmKernels(wasm)
  try {
    const g = jit(f)
    g(...xs)
    return [g(...xs), g(...xs)].map((t) => Float64Array.from(t.data))
  } finally {
    setWasmKernels(was)
  }
}

/** Checks jit (wasm on and off) against `want`; returns how many runs wasm did. */
export const agree = (
  f: (...xs: Tensor[]) => Tensor,
  xs: Tensor[],
  want: ArrayLike<number>,
): number => {
  const before = wasmLoopStats.runs
  for (const got of jitted(f, xs, true)) sameBits(got, want, 'wasm on')
  const runs = wasmLoopStats.runs - before
  for (const got of jitted(f, xs, false)) sameBits(got, want, 'wasm off')
  expect(wasmLoopStats.runs - before).toBe(runs)
  return runs
}
