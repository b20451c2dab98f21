/**
 * Warm-up helper for jit's first call (bench/NOTES.md §25): `tsx --conditions @fluxion/source
 * bench/jit-programs.ts n k [mix]` jits k new programs in one process, one after the other, and
 * prints the CPU time of each one's first call (ms): the gradient of a chain of n scalar ops,
 * every program traced anew. `mix` varies the ops from one program to the next (sin/·/+,
 * cos/·/−, exp/÷/+ …), so a later program meets call sites with other primitives.
 * `JIT_PHASES=1`: the trace and the compilation timed apart (main thread + other threads each);
 * `JIT_TENSOR=1`: the chain on a 4-element tensor, `x ↦ Σ chain(x)`, instead of the gradient.
 */
import { readdirSync, readFileSync } from 'node:fs'
import {
  add,
  cos,
  div,
  exp,
  grad,
  jit,
  mul,
  type Scalar,
  sin,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
} from 'fluxion'
import { compile } from '../src/jit/compile.ts'
import { StagingInterpreter } from '../src/jit/trace.ts'

const sets = [
  [sin, mul, add],
  [cos, mul, sub],
  [tanh, div, add],
  [exp, mul, sub],
] as const
const chain = (x: Scalar, n: number, set: number): Scalar => {
  const [f, g, h] = sets[set % sets.length]!
  let y = x
  for (let op = 0; op < n; op++) y = op % 3 === 0 ? f(y) : op % 3 === 1 ? g(y, 0.5) : h(y, 0.25)
  return y
}
const n = Number(process.argv[2] ?? 10000)
const k = Number(process.argv[3] ?? 5)
const mix = process.argv[4] === 'mix'
const cpu = (): number => {
  const c = process.cpuUsage()
  return (c.user + c.system) / 1000
}
// CPU ms of the main thread and of all others (V8's compiler threads, GC helpers), from
// /proc/self/task/*/schedstat (Linux; ns of CPU time): a first call's cost is both, and only
// the first is the interpreter's and optimized code's own work
const threads = (): [number, number] => {
  let main = 0
  let other = 0
  try {
    for (const t of readdirSync('/proc/self/task')) {
      const ms = Number(readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ')[0]) / 1e6
      if (Number(t) === process.pid) main += ms
      else other += ms
    }
  } catch {
    return [Number.NaN, Number.NaN]
  }
  return [main, other]
}
const times: string[] = []
const split: string[] = []
const phases = process.env.JIT_PHASES !== undefined
const lap = (t: [number, number]): string => {
  const [m, o] = threads()
  return `${(m - t[0]).toFixed(0)}+${(o - t[1]).toFixed(0)}`
}
for (let p = 0; p < k; p++) {
  const set = mix ? p : 0
  const g: (x: never) => unknown =
    process.env.JIT_TENSOR === undefined
      ? grad((x: number) => chain(x, n, set) as number)
      : (x: Tensor) => sum(chain(x, n, set))
  const arg = process.env.JIT_TENSOR === undefined ? 0.3 : tensor([0.1, 0.2, 0.3, 0.4])
  if (phases) {
    const t0 = threads()
    const interp = new StagingInterpreter()
    const out = g(interp.input(arg) as never) as Tensor
    const trace = interp.finish([out])
    interp.close()
    const traced = lap(t0)
    const t1 = threads()
    compile(trace)
    split.push(`trace ${traced}, compile ${lap(t1)}`)
    continue
  }
  const j = jit(g)
  if (process.env.JIT_MARK !== undefined) console.log(`--- program ${p}`)
  const c0 = cpu()
  const [m0, o0] = threads()
  j(arg as never)
  times.push((cpu() - c0).toFixed(0))
  const [m1, o1] = threads()
  split.push(`${(m1 - m0).toFixed(0)}+${(o1 - o0).toFixed(0)}`)
}
if (!phases) console.log(`n=${n} ${mix ? 'mix' : 'same'}: first calls ${times.join(' ')} ms`)
console.log(`  main thread + others: ${split.join(' | ')} ms`)
