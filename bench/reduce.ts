/**
 * `npx tsx --conditions @fluxion/source bench/reduce.ts [rounds]`: sum and max over all
 * elements, the last axis ([n/250, 250]) and the first axis ([n/100, 100]) at n = 10³, 10⁵,
 * 10⁶, float64 and float32, by main's kernel before issue #17 §1 (copied below: one plain
 * sequential loop per pairwise leaf or row), the interleaved JavaScript kernel (`sumK`/`maxK`
 * with WebAssembly off) and the WebAssembly kernel (reduce.wat, called directly so small
 * sizes reach it too, copy-in and copy-out included). Each round times the three in turn
 * (best of 5 batches of ~20 ms); the table gives the best over rounds, in µs per call.
 *
 * `… bench/reduce.ts crossover [rounds]`: the JavaScript and WebAssembly kernels at 64 … 4096
 * elements (sum and max over all, sum over the first axis of [n/8, 8], float32 sum), what sets
 * `WASM_MIN_REDUCE` (src/tensor/kernels/wasm/reduce-wasm.ts).
 */
import { setWasmKernels } from '../src/tensor/kernels/gemm-select.ts'
import { maxK, sumK } from '../src/tensor/kernels/reduce.ts'
import { reduceWasm } from '../src/tensor/kernels/wasm/reduce-wasm.ts'
import type { Floats } from '../src/tensor/tensor.ts'

const crossover = process.argv[2] === 'crossover'
const rounds = Number(process.argv[crossover ? 3 : 2] ?? 3)
const wasm = reduceWasm(Number.POSITIVE_INFINITY)
if (wasm === null) throw new Error('WebAssembly SIMD does not run here')

/** main's pairwise sum: the same tree, each leaf one sequential loop. */
function mainPairwise(x: Floats, start: number, n: number): number {
  if (n <= 128) {
    let s = 0
    for (let i = start, end = start + n; i < end; i++) s += x[i]!
    return s
  }
  const half = Math.ceil(n / 128 / 2) * 128
  return mainPairwise(x, start, half) + mainPairwise(x, start + half, n - half)
}

/** main's blocks-plan loops for [outer, r, inner] (sum, or max when `max`). */
function mainReduce(x: Floats, outer: number, r: number, inner: number, max: boolean) {
  const out = new Float64Array(outer * inner).fill(max ? Number.NEGATIVE_INFINITY : 0)
  if (inner === 1) {
    for (let o = 0, xi = 0; o < outer; o++) {
      if (!max) out[o] = mainPairwise(x, o * r, r)
      else {
        let m = Number.NEGATIVE_INFINITY
        for (let j = 0; j < r; j++, xi++) m = Math.max(m, x[xi]!)
        out[o] = m
      }
    }
    return out
  }
  for (let o = 0, xi = 0; o < outer; o++) {
    const ob = o * inner
    for (let j = 0; j < r; j++) {
      for (let i = 0; i < inner; i++, xi++) {
        out[ob + i] = max ? Math.max(out[ob + i]!, x[xi]!) : out[ob + i]! + x[xi]!
      }
    }
  }
  return out
}

/** µs per call: the best of 5 batches of about 20 ms. */
const best = (fn: () => void, reps: number): number => {
  let us = Number.POSITIVE_INFINITY
  for (let b = 0; b < 5; b++) {
    const t0 = performance.now()
    for (let i = 0; i < reps; i++) fn()
    us = Math.min(us, ((performance.now() - t0) * 1000) / reps)
  }
  return us
}

type Case = { label: string; run: (who: 'main' | 'js' | 'wasm') => void; reps: number }
const cases: Case[] = []
for (const n of [1e3, 1e5, 1e6]) {
  for (const dtype of ['f64', 'f32'] as const) {
    const x: Floats =
      dtype === 'f64'
        ? Float64Array.from({ length: n }, (_, i) => Math.sin(i))
        : Float32Array.from({ length: n }, (_, i) => Math.sin(i))
    const layouts = [
      ['all', [n], [0], 1, n, 1],
      ['last', [n / 250, 250], [1], n / 250, 250, 1],
      ['first', [n / 100, 100], [0], 1, n / 100, 100],
    ] as const
    for (const [where, shape, axes, outer, r, inner] of layouts) {
      for (const op of ['sum', 'max'] as const) {
        const max = op === 'max'
        const out = new Float64Array(outer * inner)
        cases.push({
          label: `| ${op} | ${where} | ${n.toExponential(0)} | ${dtype} |`,
          reps: Math.max(2, Math.round(2e6 / n)),
          run: (who) => {
            if (who === 'main') mainReduce(x, outer, r, inner, max)
            else if (who === 'js') (max ? maxK : sumK)(x, shape, axes)
            else if (inner > 1) wasm.columns(x, outer, r, inner, out, max)
            else if (max) wasm.maxRows(x, outer, r, out)
            else wasm.rowSums(x, outer, r, out)
          },
        })
      }
    }
  }
}

if (crossover) {
  setWasmKernels(false)
  console.log('| n | sum all JS / wasm µs | sum [n/8, 8] over axis 0 | max all | sum all f32 |')
  console.log('|---|---|---|---|---|')
  for (const n of [64, 128, 256, 512, 1024, 2048, 4096]) {
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i))
    const xf = Float32Array.from(x)
    const out = new Float64Array(n)
    const pairs: [() => void, () => void][] = [
      [() => sumK(x, [n], [0]), () => wasm.rowSums(x, 1, n, out)],
      [() => sumK(x, [n / 8, 8], [0]), () => wasm.columns(x, 1, n / 8, 8, out, false)],
      [() => maxK(x, [n], [0]), () => wasm.maxRows(x, 1, n, out)],
      [() => sumK(xf, [n], [0]), () => wasm.rowSums(xf, 1, n, out)],
    ]
    const t = pairs.map(() => [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY])
    const reps = Math.round(2e5 / n)
    for (let round = 0; round < rounds; round++) {
      pairs.forEach(([js, w], i) => {
        t[i]![0] = Math.min(t[i]![0]!, best(js, reps))
        t[i]![1] = Math.min(t[i]![1]!, best(w, reps))
      })
    }
    console.log(
      `| ${n} | ${t.map(([a, b]) => `${a!.toFixed(2)} / ${b!.toFixed(2)}`).join(' | ')} |`,
    )
  }
  process.exit(0)
}

const times = cases.map(() => ({ main: Infinity, js: Infinity, wasm: Infinity }))
setWasmKernels(false)
for (let round = 0; round < rounds; round++) {
  cases.forEach((c, i) => {
    for (const who of ['main', 'js', 'wasm'] as const) {
      times[i]![who] = Math.min(
        times[i]![who],
        best(() => c.run(who), c.reps),
      )
    }
  })
}
const f = (us: number) => (us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0))
console.log(
  '| op | axes | n | dtype | main µs | JS interleaved µs | wasm µs | main/JS | main/wasm |',
)
console.log('|---|---|---|---|---|---|---|---|---|')
cases.forEach((c, i) => {
  const t = times[i]!
  const row = [
    f(t.main),
    f(t.js),
    f(t.wasm),
    (t.main / t.js).toFixed(2),
    (t.main / t.wasm).toFixed(2),
  ]
  console.log(`${c.label} ${row.join(' | ')} |`)
})
