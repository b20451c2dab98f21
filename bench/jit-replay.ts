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
// CPU time of this thread's process per call (the machine is shared: wall time stretches)
const times: number[] = []
for (let r = 0; r < 100; r++) {
  const c = process.cpuUsage()
  g(x)
  const d = process.cpuUsage(c)
  times.push((d.user + d.system) / 1000)
}
times.sort((a, b) => a - b)
const ms = times[times.length >> 1]!
console.log(JSON.stringify({ n, ms, nsPerOp: (ms * 1e6) / ((n - 1) * opsPerTerm) }))
