/**
 * No WebAssembly kernel ever grows its memory: growing detaches the old ArrayBuffer, after which
 * V8 checks for detachment in every typed-array access of the process (src/tensor/kernels/wasm/
 * instance.ts). Products, reductions and `jit`'s fused loops of rising sizes each get a new,
 * larger memory instead, and give the same numbers as JavaScript after it.
 */
import { jit, matmul, mul, sin, sum, type Tensor, tensor } from 'fluxion'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { setWasmKernels } from '../../src/tensor/kernels/gemm-select.ts'

afterEach(() => {
  vi.restoreAllMocks()
  setWasmKernels(true)
})

/** `WebAssembly.Memory.prototype` (the build's lib has no DOM types). */
const memoryPrototype = (): { grow(pages: number): number } =>
  (globalThis as { WebAssembly?: { Memory: { prototype: { grow(pages: number): number } } } })
    .WebAssembly!.Memory.prototype

const ramp = (n: number, shape: number[], scale = 1): Tensor =>
  tensor(
    Float64Array.from({ length: n }, (_, i) => Math.sin(i * scale) * 2),
    shape,
  )

describe('WebAssembly memories are replaced, never grown', () => {
  it('products, reductions and fused loops of rising sizes', () => {
    const grow = vi.spyOn(memoryPrototype(), 'grow')
    const f = jit((x: Tensor) => sum(mul(sin(x), x)))
    const results: number[][] = []
    for (const n of [64, 256, 1024]) {
      const a = ramp(n * n, [n, n])
      const b = ramp(n * n, [n, n], 0.5)
      const x = ramp(n * n * 4, [n * n * 4])
      results.push([matmul(a, b).data[n + 1]!, (sum(x) as Tensor).item(), f(x).item(), f(x).item()])
    }
    expect(grow).not.toHaveBeenCalled()
    // the same numbers from JavaScript
    setWasmKernels(false)
    const g = jit((x: Tensor) => sum(mul(sin(x), x)))
    ;[64, 256, 1024].forEach((n, k) => {
      const a = ramp(n * n, [n, n])
      const b = ramp(n * n, [n, n], 0.5)
      const x = ramp(n * n * 4, [n * n * 4])
      expect([
        matmul(a, b).data[n + 1]!,
        (sum(x) as Tensor).item(),
        g(x).item(),
        g(x).item(),
      ]).toEqual(results[k])
    })
  })
})
