/**
 * Profiling helper for jit's first call (bench/NOTES.md §15): `tsx bench/jit-first-call.ts n
 * [warm]` times the first call of jit(grad(chain of n scalar ops)) in CPU and wall time, with the
 * resident-set growth; `warm` first jits and runs another program, as bench/jit-cost.ts does.
 * Run it under `node --cpu-prof` (an esbuild bundle) to see where the call goes.
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { add, cos, grad, jit, mul, type Scalar, sin, sub, sum, type Tensor, tensor } from 'fluxion'

const chain = (x: Scalar, n: number, other = false): Scalar => {
  let y = x
  for (let op = 0; op < n; op++) {
    if (other) y = op % 3 === 0 ? cos(y) : op % 3 === 1 ? mul(y, 0.7) : sub(y, 0.1)
    else y = op % 3 === 0 ? sin(y) : op % 3 === 1 ? mul(y, 0.5) : add(y, 0.25)
  }
  return y
}
const n = Number(process.argv[2] ?? 100000)
// warm: another program jitted first (as bench/jit-cost.ts); hot: ten of them, traced anew each
const others = process.argv[3] === 'warm' ? 1 : process.argv[3] === 'hot' ? 10 : 0
for (let p = 0; p < others; p++) {
  const g = jit(grad((x: number) => chain(x, 3000, true) as number))
  for (let k = 0; k < 20; k++) g(0.2)
}
// JIT_TENSOR=1: the tensor chain of bench/jit-cost.ts instead of the scalar gradient;
// JIT_TENSOR=grad: its gradient (bench/jit-chain-calls.ts)
const tensorChain = process.env.JIT_TENSOR !== undefined
const j =
  process.env.JIT_TENSOR === 'grad'
    ? jit(grad((x: Tensor) => sum(chain(x, n))))
    : tensorChain
      ? jit((x: Tensor) => sum(chain(x, n)))
      : jit(grad((x: number) => chain(x, n) as number))
const arg = tensorChain ? tensor([0.1, 0.2, 0.3, 0.4]) : 0.3
// JIT_PROFILE=file: a CPU profile of the first call alone
const profile = process.env.JIT_PROFILE
const session = new Session()
const post = (method: string, params?: object): Promise<unknown> =>
  new Promise((resolve, reject) =>
    session.post(method, params, (e, r) => (e === null ? resolve(r) : reject(e))),
  )
if (profile !== undefined) {
  session.connect()
  await post('Profiler.enable')
  await post('Profiler.setSamplingInterval', { interval: 100 })
  await post('Profiler.start')
}
if (process.env.JIT_MARK !== undefined) console.log('--- first call')
const rss0 = process.memoryUsage().rss
const c0 = process.cpuUsage()
const w0 = performance.now()
j(arg as never)
const c = process.cpuUsage(c0)
const cpuMs = (c.user + c.system) / 1000
const peakMB = (process.resourceUsage().maxRSS * 1024 - rss0) / 2 ** 20
const wallMs = performance.now() - w0
if (profile !== undefined) {
  const { profile: p } = (await post('Profiler.stop')) as { profile: unknown }
  writeFileSync(profile, JSON.stringify(p))
}
const w1 = performance.now()
j(arg as never)
const secondMs = performance.now() - w1
console.log(JSON.stringify({ n, cpuMs, wallMs, usPerOp: (cpuMs * 1000) / n, peakMB, secondMs }))
