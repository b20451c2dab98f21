/**
 * What this session's trust fixes cost on hot paths (bench/NOTES.md §36): `tsx --conditions
 * @fluxion/source bench/trust-costs.ts [case]` with case `activations` (grad of Σσ and Σtanh on
 * 10⁵ elements, eager and `jit`), `cross-entropy` (grad of `softmaxCrossEntropy` on 128 × 10 and
 * 4096 × 10 logits), `cond` (an eager 3-element `cond` and its grad) or `lstm` (GradBench lstm's
 * `jit` objective and gradient at l = 2, c = 1024); all by default. Each prints the minimum over
 * its runs after a warm-up. Run it in two trees, alternating, to compare.
 */
import { cond, grad, greater, jit, logistic, mul, sum, type Tensor, tanh, tensor } from 'fluxion'
import { softmaxCrossEntropy } from 'fluxion/nn'
import { objective } from './gradbench/evals/lstm.ts'

/** Minimum time of `f` in µs over `runs` calls after `warm` calls. */
const best = (f: () => unknown, warm: number, runs: number): number => {
  for (let i = 0; i < warm; i++) f()
  let min = Number.POSITIVE_INFINITY
  for (let r = 0; r < runs; r++) {
    const t = performance.now()
    f()
    min = Math.min(min, performance.now() - t)
  }
  return min * 1000
}

const activations = (): string => {
  const x = tensor(Float64Array.from({ length: 100_000 }, (_, i) => Math.sin(i) * 4))
  const sigma = grad((v: Tensor) => sum(logistic(v)))
  const th = grad((v: Tensor) => sum(tanh(v)))
  const cases: [string, (v: Tensor) => Tensor][] = [
    ['eager σ', sigma],
    ['eager tanh', th],
    ['jit σ', jit(sigma)],
    ['jit tanh', jit(th)],
  ]
  return cases.map(([name, f]) => `${name} ${best(() => f(x), 20, 200).toFixed(0)} µs`).join(' | ')
}

const crossEntropy = (): string =>
  [128, 4096]
    .map((rows) => {
      const z = tensor(
        Array.from({ length: rows }, (_, i) =>
          Array.from({ length: 10 }, (_, j) => Math.sin(i * 7 + j) * 3),
        ),
      )
      const labels = tensor(Array.from({ length: rows }, (_, i) => i % 10))
      const g = grad((v: Tensor) => softmaxCrossEntropy(v, labels))
      const jg = jit(g)
      const eager = best(() => g(z), 50, 300).toFixed(1)
      return `${rows} × 10: eager ${eager} µs, jit ${best(() => jg(z), 50, 300).toFixed(1)} µs`
    })
    .join(' | ')

const eagerCond = (): string => {
  const x = tensor([1, 2, 3])
  const f = (v: Tensor) =>
    cond(
      greater(sum(v), 0),
      (t: Tensor) => mul(t, 2),
      (t: Tensor) => t,
      v,
    )
  const g = grad((v: Tensor) => sum(f(v)))
  // per call, from the fastest of batches (a single 3-element call is below the clock's grain)
  const perCall = (h: () => unknown, n: number) =>
    best(
      () => {
        for (let i = 0; i < n; i++) h()
      },
      2,
      5,
    ) / n
  return `eager cond ${perCall(() => f(x), 20_000).toFixed(1)} µs, its grad ${perCall(() => g(x), 5_000).toFixed(1)} µs`
}

const lstm = (): string => {
  const l = 2
  const c = 1024
  const b = 7
  let seed = 1
  const r = () => {
    seed = (seed * 16807) % 2147483647
    return seed / 2147483647 - 0.5
  }
  const main = tensor(Array.from({ length: 2 * l }, () => Array.from({ length: 4 * b }, r)))
  const extra = tensor(Array.from({ length: 3 }, () => Array.from({ length: b }, r)))
  const state = tensor(Array.from({ length: 2 * l }, () => Array.from({ length: b }, r)))
  const seq = tensor(
    Array.from({ length: c }, (_, i) =>
      Array.from({ length: b }, (_, j) => ((i * 7 + j) % 3 === 0 ? 1 : 0)),
    ),
  )
  const f = jit(objective(state, seq))
  const g = jit(grad(objective(state, seq), { argnums: [0, 1] }))
  const value = (best(() => f(main, extra), 3, 200) / 1000).toFixed(2)
  return `lstm objective ${value} ms, jacobian ${(best(() => g(main, extra), 3, 200) / 1000).toFixed(2)} ms`
}

const cases: Record<string, () => string> = {
  activations,
  'cross-entropy': crossEntropy,
  cond: eagerCond,
  lstm,
}
const chosen = process.argv[2]
for (const [name, run] of Object.entries(cases)) {
  if (chosen === undefined || chosen === name) console.log(`${name}: ${run()}`)
}
