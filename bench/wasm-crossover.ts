/**
 * `npx tsx --conditions @fluxion/source bench/wasm-crossover.ts [sizes]`: times square
 * products n×n·n×n by the WebAssembly backend and by the JavaScript one, called directly (no
 * size threshold, no `matmul` dispatch, so small sizes reach WebAssembly too) — the crossover
 * that sets `WASM_MIN_MULADDS` (src/tensor/kernels/gemm-select.ts). Best of 5 batches each.
 */
import { jsBackend } from '../src/tensor/kernels/gemm.ts'
import { wasmKernels } from '../src/tensor/kernels/gemm-select.ts'

const sizes = (process.argv[2] ?? '4,8,12,16,20,24,32,48,64,128').split(',').map(Number)
const wasm = wasmKernels()
if (wasm === null) throw new Error('WebAssembly SIMD does not run here')

const best = (fn: () => void, reps: number): number => {
  let ms = Number.POSITIVE_INFINITY
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now()
    for (let i = 0; i < reps; i++) fn()
    ms = Math.min(ms, (performance.now() - t0) / reps)
  }
  return ms
}

console.log('| n | JS kernel µs | wasm µs | JS/wasm |\n|---|---|---|---|')
for (const n of sizes) {
  const a = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i))
  const b = Float64Array.from({ length: n * n }, (_, i) => Math.cos(i))
  const rows = Int32Array.from({ length: n }, (_, i) => i * n)
  const cols = Int32Array.from({ length: n }, (_, j) => j)
  const c = new Float64Array(n * n)
  const problem = {
    a: { data: a, rowStride: n, colStride: 1 },
    rowOffsets: rows,
    b: { data: b, rowStride: n, colStride: 1 },
    colOffsets: cols,
    k: n,
    c,
    outRow: rows,
    outCol: cols,
  }
  const reps = Math.max(5, Math.round(3e7 / n ** 3))
  // the backends directly: the threshold bypassed
  const tj = best(() => jsBackend.gemm(problem), reps)
  const tw = best(() => wasm.gemm(problem), reps)
  console.log(
    `| ${n} | ${(tj * 1e3).toFixed(2)} | ${(tw * 1e3).toFixed(2)} | ${(tj / tw).toFixed(2)} |`,
  )
}
