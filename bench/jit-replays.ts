/**
 * A tensor program's first calls under `jit`, one by one (bench/NOTES.md §32): `tsx --conditions
 * @fluxion/source bench/jit-replays.ts n program mode [calls]` runs the gradient of `program` on
 * `n` elements `calls` times (default 40) in this process — `jit` or `eager` — and prints the CPU
 * ms of the first calls, the last ones, and the running total after 2, 5, 10, 20 and 40 calls.
 * Programs: `sin`, 300 ops alternating sin, ·0.5 and +0.25 (a Math call in one equation of
 * three); `heavy`, 60 steps of 11 ops, most of them Math functions. Run each mode in a fresh
 * process: the first calls are what V8 has not yet optimized.
 */
import { add, exp, grad, jit, log, mul, sin, square, sum, type Tensor, tanh, tensor } from 'fluxion'

const programs = {
  sin: (x: Tensor): Tensor => {
    let y = x
    for (let op = 0; op < 300; op++) {
      y = op % 3 === 0 ? sin(y) : op % 3 === 1 ? mul(y, 0.5) : add(y, 0.25)
    }
    return y
  },
  heavy: (x: Tensor): Tensor => {
    let y = x
    for (let step = 0; step < 60; step++) {
      y = mul(add(log(add(square(y), 1)), mul(exp(mul(y, -0.5)), tanh(y))), 0.5)
    }
    return y
  },
}

const [n = '10000', name = 'heavy', mode = 'jit', count = '40'] = process.argv.slice(2)
const program = programs[name as keyof typeof programs]
if (program === undefined || (mode !== 'jit' && mode !== 'eager')) {
  throw new Error('usage: jit-replays.ts n (sin | heavy) (jit | eager) [calls]')
}
const x = tensor(Float64Array.from({ length: Number(n) }, (_, i) => Math.sin(i)))
const g = grad((v: Tensor) => sum(program(v)))
const f = mode === 'jit' ? jit(g) : g
const ms: number[] = []
for (let k = 0; k < Number(count); k++) {
  const c0 = process.cpuUsage()
  f(x)
  const c = process.cpuUsage(c0)
  ms.push((c.user + c.system) / 1000)
}
let total = 0
const totals = ms.map((t) => (total += t))
const after = [2, 5, 10, 20, 40].filter((k) => k <= ms.length)
console.log(
  `${name} n=${n} ${mode}: calls ${ms
    .slice(0, 12)
    .map((t) => t.toFixed(0))
    .join(' ')} … last ${ms
    .slice(-3)
    .map((t) => t.toFixed(1))
    .join(
      ' ',
    )}; after ${after.join('/')} calls ${after.map((k) => totals[k - 1]!.toFixed(0)).join('/')}`,
)
