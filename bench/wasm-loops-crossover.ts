/**
 * Where the fused loops' WebAssembly pays off (src/jit/emit/wasm/step.ts `WASM_MIN_ELEMENTS`):
 * `jit` of two elementwise chains — a short one (3 ops) and a W1-like one (12 ops) — at sizes
 * 2^6 … 2^15, wasm on and off alternating per round, minimum over rounds of whole calls.
 *
 * `npx tsx --conditions @fluxion/source bench/wasm-loops-crossover.ts`
 */
import { add, jit, mul, neg, safeMul, square, sub, type Tensor, tensor } from 'fluxion'
import { setWasmLoopMinElements } from '../src/jit/emit/wasm/step.ts'
import { setWasmKernels } from '../src/tensor/kernels/gemm-select.ts'

setWasmLoopMinElements(0)
const short = (x: Tensor, y: Tensor): Tensor => add(mul(x, y), neg(x))
const long = (x: Tensor, y: Tensor): Tensor => {
  const d = sub(y, square(x))
  const a = mul(-400, safeMul(x, d))
  const b = mul(2, sub(1, x))
  return add(add(sub(a, b), mul(200, d)), safeMul(d, y))
}
for (const [name, f] of [
  ['3 ops', short],
  ['12 ops', long],
] as const) {
  for (let log = 6; log <= 15; log++) {
    const n = 2 ** log
    const x = tensor(Float64Array.from({ length: n }, (_, i) => Math.sin(i)))
    const y = tensor(Float64Array.from({ length: n }, (_, i) => Math.cos(i)))
    const g = jit(f)
    g(x, y)
    const reps = Math.max(20, Math.round(2e6 / n))
    const best = { on: Number.POSITIVE_INFINITY, off: Number.POSITIVE_INFINITY }
    for (let round = 0; round < 15; round++) {
      for (const k of ['on', 'off'] as const) {
        setWasmKernels(k === 'on')
        const t0 = performance.now()
        for (let r = 0; r < reps; r++) g(x, y)
        best[k] = Math.min(best[k], ((performance.now() - t0) / reps) * 1000)
      }
    }
    setWasmKernels(true)
    const ratio = (best.on / best.off).toFixed(2)
    console.log(
      `${name} n=${n}: wasm ${best.on.toFixed(2)} µs, js ${best.off.toFixed(2)} µs, ${ratio}`,
    )
  }
}
