/**
 * `npx tsx --conditions @fluxion/source bench/wasm-crossover.ts [sizes] [shapes]`:
 *
 * 1. the crossover: square products n×n·n×n (`sizes`, e.g. 4,8,16) by the WebAssembly backends
 *    and the JavaScript ones, float64 and float32, called directly (no size threshold, no
 *    `matmul` dispatch, so small sizes reach WebAssembly too) — what sets `WASM_MIN_MULADDS`
 *    (src/tensor/kernels/gemm-select.ts);
 * 2. GFLOP/s (2·m·k·n flops per product) of whole products through the kernel layer's entry
 *    points `matmulK` (float64) and `matmulKF32` (float32) — packing, kernel, copy-out and the
 *    result's allocation — with the WebAssembly kernels on and off, for `shapes` (m×k×n, e.g.
 *    128x784x256), in one process.
 *
 * Best of 5 batches each; for GFLOP/s, best of 3 rounds of 15 batches (WebAssembly) or 3
 * (JavaScript): on a shared machine the best batch is the least disturbed one.
 */
import { type FloatArray, jsBackend, type MatmulBackend } from '../src/tensor/kernels/gemm.ts'
import { jsBackendF32 } from '../src/tensor/kernels/gemm-f32.ts'
import { setWasmKernels, wasmKernels, wasmKernelsF32 } from '../src/tensor/kernels/gemm-select.ts'
import { matmulK, matmulKF32 } from '../src/tensor/kernels/matmul.ts'

const sizes = (process.argv[2] ?? '4,8,12,16,20,24,32,48,64,128').split(',').map(Number)
const shapes = (process.argv[3] ?? '128x784x256,256x784x128,64x64x64,256x256x256,512x512x512')
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number, number])
const wasm = wasmKernels()
const wasmF32 = wasmKernelsF32()
if (wasm === null || wasmF32 === null) throw new Error('WebAssembly SIMD does not run here')

/** Milliseconds per call of `fn`: the best of `batches` batches of `reps` calls. */
const best = (fn: () => void, reps: number, batches = 5): number => {
  let ms = Number.POSITIVE_INFINITY
  for (let r = 0; r < batches; r++) {
    const t0 = performance.now()
    for (let i = 0; i < reps; i++) fn()
    ms = Math.min(ms, (performance.now() - t0) / reps)
  }
  return ms
}

/** A square row-major n×n · n×n problem over arrays made by `make`. */
const square = <T extends FloatArray>(
  n: number,
  make: (len: number, f: (i: number) => number) => T,
) => {
  const rows = Int32Array.from({ length: n }, (_, i) => i * n)
  const cols = Int32Array.from({ length: n }, (_, j) => j)
  return {
    a: { data: make(n * n, Math.sin), rowStride: n, colStride: 1 },
    rowOffsets: rows,
    b: { data: make(n * n, Math.cos), rowStride: n, colStride: 1 },
    colOffsets: cols,
    k: n,
    c: make(n * n, () => 0),
    outRow: rows,
    outCol: cols,
  }
}
const f64 = (len: number, f: (i: number) => number) =>
  Float64Array.from({ length: len }, (_, i) => f(i))
const f32 = (len: number, f: (i: number) => number) =>
  Float32Array.from({ length: len }, (_, i) => f(i))

/** µs per product of backend `js` and of `w` on the same problem, and their ratio. */
const pair = <T extends FloatArray>(
  js: MatmulBackend<T>,
  w: MatmulBackend<T>,
  problem: Parameters<MatmulBackend<T>['gemm']>[0],
  reps: number,
): string => {
  const tj = best(() => js.gemm(problem), reps)
  const tw = best(() => w.gemm(problem), reps)
  return `${(tj * 1e3).toFixed(2)} | ${(tw * 1e3).toFixed(2)} | ${(tj / tw).toFixed(2)}`
}

console.log('Crossover, backends called directly (µs per product):\n')
console.log('| n | f64 JS | f64 wasm | JS/wasm | f32 JS | f32 wasm | JS/wasm |')
console.log('|---|---|---|---|---|---|---|')
for (const n of sizes) {
  const reps = Math.max(5, Math.round(3e7 / n ** 3))
  const r64 = pair(jsBackend, wasm, square(n, f64), reps)
  const r32 = pair(jsBackendF32, wasmF32, square(n, f32), reps)
  console.log(`| ${n} | ${r64} | ${r32} |`)
}

console.log('\nWhole products through matmulK / matmulKF32 (GFLOP/s):\n')
console.log('| m×k·k×n | f64 JS | f64 wasm | f32 JS | f32 wasm |\n|---|---|---|---|---|')
for (const [m, k, n] of shapes) {
  const a = f64(m * k, (i) => Math.sin(i * 0.7))
  const b = f64(k * n, (i) => Math.cos(i * 0.3))
  const [a32, b32] = [Float32Array.from(a), Float32Array.from(b)]
  const flops = 2 * m * k * n
  const reps = Math.max(3, Math.round(2e8 / flops))
  const run64 = () => matmulK(a, [m, k], b, [k, n], false, false)
  const run32 = () => matmulKF32(a32, [m, k], b32, [k, n], false, false)
  // three rounds, the four variants taking turns, so that a burst of other work on a shared
  // machine does not fall on one variant's every batch
  const ms = [
    Number.POSITIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.POSITIVE_INFINITY,
  ]
  for (let round = 0; round < 3; round++) {
    ms[0] = Math.min(ms[0]!, best(run64, reps, 15))
    ms[1] = Math.min(ms[1]!, best(run32, reps, 15))
    const was = setWasmKernels(false)
    ms[2] = Math.min(ms[2]!, best(run64, reps, 3))
    ms[3] = Math.min(ms[3]!, best(run32, reps, 3))
    setWasmKernels(was)
  }
  const [w64, w32, j64, j32] = ms.map((t) => (flops / t / 1e6).toFixed(2))
  console.log(`| ${m}×${k}·${k}×${n} | ${j64} | ${w64} | ${j32} | ${w32} |`)
}
