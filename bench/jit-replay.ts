/**
 * Profiling helper: steady-state replay of the jitted Rosenbrock-loop gradient (n = 10⁵), ns per
 * op, median of rounds after a warm-up (bench/NOTES.md §13's 15% question).
 */
import { grad, jit } from 'fluxion'
import { opsPerTerm, points, rosenbrockLoop } from './rosenbrock.ts'

const n = Number(process.argv[2] ?? 100_000)
const x = points(n)
const g = jit(grad(rosenbrockLoop))
const t0 = performance.now()
while (performance.now() - t0 < 2000) g(x)
const times: number[] = []
for (let r = 0; r < 60; r++) {
  const t = performance.now()
  g(x)
  times.push(performance.now() - t)
}
times.sort((a, b) => a - b)
const ms = times[times.length >> 1]!
console.log(JSON.stringify({ n, ms, nsPerOp: (ms * 1e6) / ((n - 1) * opsPerTerm) }))
