/**
 * The first calls of a jitted tensor program against eager ones (bench/NOTES.md §19):
 * `tsx --conditions @fluxion/source bench/jit-chain-calls.ts [n …]` (default 10⁴ 10⁵) times,
 * in CPU time, calls 1 to 20 of `jit(grad(f))` and of `grad(f)` for `f` the tensor chain of
 * bench/jit-cost.ts (n ops on a 4-element tensor, summed), each mode in a fresh Node process,
 * cold (the program is the first thing the process runs) and warm (another tensor program was
 * jitted and run first). Prints a Markdown table; every jitted call is checked bit for bit
 * against the eager result.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { add, cos, grad, jit, mul, type Scalar, sin, sub, sum, type Tensor, tensor } from 'fluxion'

const chain = (x: Scalar, n: number, other = false): Scalar => {
  let y = x
  for (let op = 0; op < n; op++) {
    if (other) y = op % 3 === 0 ? cos(y) : op % 3 === 1 ? mul(y, 0.7) : sub(y, 0.1)
    else y = op % 3 === 0 ? sin(y) : op % 3 === 1 ? mul(y, 0.5) : add(y, 0.25)
  }
  return y
}

const CALLS = 20

/** In a child: CPU ms of each of the first CALLS calls, and the result's bits. */
const child = (n: number, mode: 'jit' | 'eager', warm: boolean) => {
  if (warm) {
    const other = jit(grad((x: Tensor) => sum(chain(x, 3000, true))))
    for (let k = 0; k < 20; k++) other(tensor([0.5, 0.6]))
  }
  const g0 = grad((x: Tensor) => sum(chain(x, n)))
  const g = mode === 'jit' ? jit(g0) : g0
  const x = tensor([0.1, 0.2, 0.3, 0.4])
  const cpu: number[] = []
  let result = ''
  for (let k = 0; k < CALLS; k++) {
    const c0 = process.cpuUsage()
    const out = g(x) as Tensor
    const c = process.cpuUsage(c0)
    cpu.push((c.user + c.system) / 1000)
    const bits = Array.from(out.data).join()
    if (result !== '' && bits !== result) throw new Error(`call ${k + 1} differs`)
    result = bits
  }
  return { cpu, result }
}

const config = process.env.JIT_CALLS_CHILD
if (config !== undefined) {
  const { n, mode, warm } = JSON.parse(config) as {
    n: number
    mode: 'jit' | 'eager'
    warm: boolean
  }
  console.log(JSON.stringify(child(n, mode, warm)))
} else {
  const spawn = (n: number, mode: 'jit' | 'eager', warm: boolean) => {
    const script = fileURLToPath(import.meta.url)
    const out = spawnSync(process.execPath, [...process.execArgv, script], {
      env: { ...process.env, JIT_CALLS_CHILD: JSON.stringify({ n, mode, warm }) },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    })
    if (out.status !== 0) throw new Error(`n=${n} ${mode} failed: ${out.stderr}`)
    return JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '') as ReturnType<typeof child>
  }
  const args = process.argv.slice(2).map(Number)
  const sizes = args.length > 0 ? args : [10_000, 100_000]
  const ms = (t: number) => `${t.toFixed(t < 10 ? 2 : 0)} ms`
  const total = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0)
  console.log(
    '| ops | process | jit call 1 | eager call 1 | jit calls 2–20 (max) | eager calls 2–20 (min) | jit, calls 1–20 | eager, calls 1–20 | break even at call |',
  )
  console.log('|---|---|---|---|---|---|---|---|---|')
  for (const n of sizes) {
    for (const warm of [false, true]) {
      const j = spawn(n, 'jit', warm)
      const e = spawn(n, 'eager', warm)
      if (j.result !== e.result) throw new Error(`n=${n}: jit differs from eager`)
      const later = (xs: number[]) => xs.slice(1)
      // the first k for which k jit calls cost no more than k eager calls
      let even = 0
      for (let k = 1; k <= CALLS && even === 0; k++) {
        if (total(j.cpu.slice(0, k)) <= total(e.cpu.slice(0, k))) even = k
      }
      console.log(
        `| ${n} | ${warm ? 'warm' : 'cold'} | ${ms(j.cpu[0]!)} | ${ms(e.cpu[0]!)} | ${ms(total(later(j.cpu)))} (${ms(Math.max(...later(j.cpu)))}) | ${ms(total(later(e.cpu)))} (${ms(Math.min(...later(e.cpu)))}) | ${ms(total(j.cpu))} | ${ms(total(e.cpu))} | ${even || `> ${CALLS}`} |`,
      )
    }
  }
}
