/**
 * `jit`'s compile cost and warm-up (`npm run bench:jit-cost -- [n …]`, default 10⁴ 10⁵ 10⁶):
 * for the chains of bench/jit-size.ts (a gradient of n scalar ops, and a function of n ops on a
 * 4-element tensor), and, once, the gradient of a chain of Math functions on 10⁴ and on 10⁵ elements (a
 * tensor program whose fused loops V8 must warm up); each size and mode in a fresh Node process,
 * so that one run neither warms up nor fills the heap of the next:
 *
 * - first call (trace and compile) per recorded op, in CPU time (all of the process's threads,
 *   `process.cpuUsage`) and in wall time: the machine this runs on is shared, and CPU time is
 *   what a busy machine does not inflate;
 * - peak memory: the process's resident-set high-water mark (`resourceUsage().maxRSS`) minus
 *   its resident set just before the call, for jit's first call and for one eager call;
 * - calls to break even: the first k for which k calls of `jit(f)` (the first included) cost no
 *   more CPU time than k eager calls of `f` (and the same in wall time, which V8's compiler
 *   threads do not add to while a core is free); and the slowest of the first ten replays
 *   against an eager call. A process stops calling after a budget of time;
 *   later calls are taken to cost the median of its last ten.
 *
 * Each is measured in a cold process (the program is the first thing it runs: V8 compiles
 * fluxion's own code meanwhile, a fixed cost of ~0.2–0.3 s per process) and in a warm one (a
 * program of other primitives has been traced, compiled and run first, as in an application
 * that jits more than one function): the per-program cost.
 *
 * Prints a Markdown table; every replay is checked bit for bit against the eager result.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  add,
  cos,
  exp,
  grad,
  jit,
  log,
  mul,
  type Scalar,
  sin,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
} from 'fluxion'

const chain = (x: Scalar, n: number): Scalar => {
  let y = x
  for (let op = 0; op < n; op++) {
    y = op % 3 === 0 ? sin(y) : op % 3 === 1 ? mul(y, 0.5) : add(y, 0.25)
  }
  return y
}

/** 60 steps of 11 ops, most of them Math functions: fused chains of many Math calls. */
const mathHeavy = (x: Tensor): Tensor => {
  let y = x
  for (let step = 0; step < 60; step++) {
    y = mul(add(log(add(square(y), 1)), mul(exp(mul(y, -0.5)), tanh(y))), 0.5)
  }
  return y
}

/** The gradient of `mathHeavy`, and an argument of `elements` elements. */
const mathHeavyGrad = (elements: number) =>
  [
    grad((x: Tensor) => sum(mathHeavy(x))),
    tensor(Float64Array.from({ length: elements }, (_, i) => Math.sin(i))),
  ] as const

/** The programs, by name: the function and its argument, for n ops. */
const programs = {
  'grad of scalar chain': (n: number) => [grad((x: number) => chain(x, n) as number), 0.3] as const,
  'tensor chain': (n: number) =>
    [(x: Tensor) => sum(chain(x, n)), tensor([0.1, 0.2, 0.3, 0.4])] as const,
  'grad of Math-heavy chain on 10⁴ elements': () => mathHeavyGrad(10_000),
  'grad of Math-heavy chain on 10⁵ elements': () => mathHeavyGrad(100_000),
} satisfies Record<string, (n: number) => readonly [(x: never) => unknown, Scalar]>

type Name = keyof typeof programs

/**
 * Programs of one size, whatever n (660 ops, ~2·10³ equations, on 10⁴ elements: fused loops over
 * many elements, whose first runs are V8's to warm up): measured once, with the first n.
 */
const fixedSize: readonly Name[] = [
  'grad of Math-heavy chain on 10⁴ elements',
  'grad of Math-heavy chain on 10⁵ elements',
]

/** What one child process measured. */
interface Run {
  /** CPU and wall ms of each call, in order. */
  readonly cpu: number[]
  readonly wall: number[]
  /** Resident-set growth during the first call, MB. */
  readonly peakMB: number
  readonly result: string
}

const MAX_CALLS = 400

/** Another program (other primitives, so no generated code is shared), run to warm a process. */
const warmUp = (): void => {
  const other = (x: Scalar) => {
    let y = x
    for (let op = 0; op < 3000; op++) {
      y = op % 3 === 0 ? cos(y) : op % 3 === 1 ? mul(y, 0.7) : sub(y, 0.1)
    }
    return y
  }
  const g = grad((x: number) => other(x) as number)
  const t = (x: Tensor) => sum(other(x))
  const [jg, jt] = [jit(g), jit(t)]
  for (let k = 0; k < 20; k++) {
    g(0.2)
    jg(0.2)
    t(tensor([0.5, 0.6]))
    jt(tensor([0.5, 0.6]))
  }
}

/** In a child: calls `f` (or `jit(f)`) until `budget` ms of CPU time have passed. */
const child = (
  name: Name,
  n: number,
  mode: 'jit' | 'eager',
  budget: number,
  warm: boolean,
): Run => {
  if (warm) warmUp()
  const [f, x] = programs[name](n)
  const g = (mode === 'jit' ? jit(f as (x: Scalar) => unknown) : f) as (x: Scalar) => unknown
  const cpu: number[] = []
  const wall: number[] = []
  const rssBefore = process.memoryUsage().rss
  let result = ''
  let peakMB = 0
  let spent = 0
  while (cpu.length < MAX_CALLS && (cpu.length < 3 || spent < budget)) {
    const c0 = process.cpuUsage()
    const w0 = performance.now()
    const out = g(x)
    const w = performance.now() - w0
    const c = process.cpuUsage(c0)
    const ms = (c.user + c.system) / 1000
    if (cpu.length === 0) {
      peakMB = (process.resourceUsage().maxRSS * 1024 - rssBefore) / 2 ** 20
    }
    cpu.push(ms)
    wall.push(w)
    spent += ms
    const bits = typeof out === 'number' ? String(out) : Array.from((out as Tensor).data).join()
    if (result !== '' && bits !== result) throw new Error(`${name}: call ${cpu.length} differs`)
    result = bits
  }
  return { cpu, wall, peakMB, result }
}

/** Runs `child` in a fresh process (tsx, as this one runs). */
const spawn = (
  name: Name,
  n: number,
  mode: 'jit' | 'eager',
  budget: number,
  warm: boolean,
): Run => {
  const script = fileURLToPath(import.meta.url)
  const out = spawnSync(process.execPath, [...process.execArgv, script], {
    env: { ...process.env, JIT_COST_CHILD: JSON.stringify({ name, n, mode, budget, warm }) },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (out.status !== 0) throw new Error(`${name} n=${n} ${mode} failed: ${out.stderr}`)
  return JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '') as Run
}

/** Per-call cost beyond the measured calls: the median of the last ten. */
const tail = (xs: readonly number[]): number => {
  const last = xs.slice(-10).sort((a, b) => a - b)
  return last[last.length >> 1]!
}

/** The first k at which k jit calls cost no more than k eager calls (undefined: past MAX_CALLS). */
const breakEven = (jitted: readonly number[], eager: readonly number[]): number | undefined => {
  let a = 0
  let b = 0
  for (let k = 0; k < MAX_CALLS * 10; k++) {
    a += jitted[k] ?? tail(jitted)
    b += eager[k] ?? tail(eager)
    if (a <= b) return k + 1
  }
  return undefined
}

const config = process.env.JIT_COST_CHILD
if (config !== undefined) {
  const { name, n, mode, budget, warm } = JSON.parse(config) as {
    name: Name
    n: number
    mode: 'jit' | 'eager'
    budget: number
    warm: boolean
  }
  console.log(JSON.stringify(child(name, n, mode, budget, warm)))
} else {
  const args = process.argv.slice(2).map(Number)
  const sizes = args.length > 0 ? args : [10_000, 100_000, 1_000_000]
  console.log(
    '| program | ops | process | first call, CPU (µs/op) | first call, wall | eager first call | peak MB, jit first call | peak MB, eager call | replay | eager | slowest of replays 1–10 | calls to break even | (wall clock) |',
  )
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|')
  const ms = (t: number) => `${t.toFixed(t < 10 ? 2 : 0)} ms`
  for (const n of sizes) {
    for (const name of Object.keys(programs) as Name[]) {
      if (fixedSize.includes(name) && n !== sizes[0]) continue
      const ops = fixedSize.includes(name) ? 660 : n
      for (const warm of [false, true]) {
        // a budget long enough to see V8 optimize the replays, bounded for the largest sizes
        const budget = Math.max(3000, n / 100)
        const j = spawn(name, n, 'jit', budget, warm)
        const e = spawn(name, n, 'eager', budget, warm)
        if (j.result !== e.result) throw new Error(`${name} n=${n}: jit differs from eager`)
        const even = breakEven(j.cpu, e.cpu)
        // wall time: V8's compiler threads run beside the main thread (a second core), but a
        // loaded machine stretches it
        const evenWall = breakEven(j.wall, e.wall)
        // the replays V8 warms up, against a steady eager call
        const slowest = Math.max(...j.cpu.slice(1, 11)) / tail(e.cpu)
        const perOp = ((j.cpu[0]! * 1000) / ops).toFixed(1)
        console.log(
          `| ${name} | ${ops} | ${warm ? 'warm' : 'cold'} | ${ms(j.cpu[0]!)} (${perOp}) | ${ms(j.wall[0]!)} | ${ms(e.cpu[0]!)} | ${j.peakMB.toFixed(0)} | ${e.peakMB.toFixed(0)} | ${ms(tail(j.cpu))} | ${ms(tail(e.cpu))} | ${slowest.toFixed(1)}× eager | ${even ?? `> ${MAX_CALLS * 10}`} | ${evenWall ?? `> ${MAX_CALLS * 10}`} |`,
        )
      }
    }
  }
}
