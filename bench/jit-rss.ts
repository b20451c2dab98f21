/**
 * Profiling helper: the resident set through jit's first call of a long scalar gradient,
 * sampled every 2 ms by a worker thread (the RSS is the process's), against the phases —
 * forward pass, backward pass, compile passes — timed by the main thread.
 */
import { Worker } from 'node:worker_threads'
import { add, grad, mul, type Scalar, sin } from '../src/index.ts'
import { compile } from '../src/jit/compile.ts'
import { StagingInterpreter } from '../src/jit/trace.ts'

const n = Number(process.argv[2] ?? 1_000_000)
const shared = new Int32Array(new SharedArrayBuffer(4))
const worker = new Worker(
  `const { workerData } = require('node:worker_threads')
   const flag = new Int32Array(workerData)
   const out = []
   const tick = () => {
     out.push([performance.timeOrigin + performance.now(), process.memoryUsage.rss()])
     if (Atomics.load(flag, 0) === 0) setTimeout(tick, 2)
     else require('node:worker_threads').parentPort.postMessage(out)
   }
   tick()`,
  { eval: true, workerData: shared.buffer },
)
const now = (): number => performance.timeOrigin + performance.now()
const marks: [string, number][] = []
const usage: string[] = []
const mem = (at: string): void => {
  const m = process.memoryUsage()
  const mb = (x: number): string => (x / 2 ** 20).toFixed(0)
  usage.push(
    `${at}: heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)} MB, external ${mb(m.external)} MB`,
  )
}
await new Promise((r) => setTimeout(r, 50))
const chain = (x: Scalar): Scalar => {
  let y = x
  for (let op = 0; op < n; op++)
    y = op % 3 === 0 ? sin(y) : op % 3 === 1 ? mul(y, 0.5) : add(y, 0.25)
  marks.push(['forward done', now()])
  mem('forward done')
  return y
}
marks.push(['start', now()])
const interp = new StagingInterpreter()
const out = grad((x: number) => chain(x) as number)(interp.input(0.3) as never)
const trace = interp.finish([out as never])
interp.close()
marks.push(['backward done', now()])
mem('backward done')
compile(trace)
marks.push(['compiled', now()])
mem('compiled')
Atomics.store(shared, 0, 1)
const samples = await new Promise<[number, number][]>((r) => worker.once('message', r))
const base = samples[0]![1]
let m = 0
for (let k = 1; k < marks.length; k++) {
  let peak = 0
  for (const [t, rss] of samples)
    if (t >= marks[k - 1]![1] && t <= marks[k]![1]) peak = Math.max(peak, rss)
  console.log(
    `${marks[k - 1]![0]} → ${marks[k]![0]}: ${(marks[k]![1] - marks[k - 1]![1]).toFixed(0)} ms, peak RSS growth ${((peak - base) / 2 ** 20).toFixed(0)} MB`,
  )
  m = Math.max(m, peak)
}
for (const u of usage) console.log(u)
console.log(`peak RSS growth ${((m - base) / 2 ** 20).toFixed(0)} MB`)
await worker.terminate()
