// profiling helper (not a bench of the suite): heap after each phase of jit's first call
import { add, grad, mul, type Scalar, sin } from '../src/index.ts'
import { compile } from '../src/jit/compile.ts'
import { countOf } from '../src/jit/ir.ts'
import { dce } from '../src/jit/passes/dce.ts'
import { fuse } from '../src/jit/passes/fuse.ts'
import { allocate } from '../src/jit/passes/slots.ts'
import { StagingInterpreter } from '../src/jit/trace.ts'

const gc = (globalThis as { gc?: () => void }).gc!
const chain = (x: Scalar, n: number): Scalar => {
  let y = x
  for (let op = 0; op < n; op++)
    y = op % 3 === 0 ? sin(y) : op % 3 === 1 ? mul(y, 0.5) : add(y, 0.25)
  return y
}
const n = Number(process.argv[2] ?? 100000)
const g = grad((x: number) => chain(x, n) as number)
// CPU time (the machine is shared: wall time stretches with its load)
const cpu = (): number => {
  const c = process.cpuUsage()
  return (c.user + c.system) / 1000
}
let t = 0
const mb = () => {
  gc()
  const m = process.memoryUsage()
  t = cpu()
  return `${((m.heapUsed + m.external) / 2 ** 20).toFixed(0)} (heap ${(m.heapUsed / 2 ** 20).toFixed(0)})`
}
const base = mb()
const lap = () => {
  const d = cpu() - t
  t = cpu()
  return d.toFixed(0)
}
const interp = new StagingInterpreter()
const x = interp.input(0.3)
const out = g(x as never)
const trace = interp.finish([out as never])
interp.close()
console.log(
  'trace',
  lap(),
  'ms; heap MB',
  mb(),
  'base',
  base,
  'equations',
  countOf(trace),
  'vars',
  trace.table.varCount,
  'consts',
  trace.constants.vars.length,
)
const d = dce(trace)
console.log('dce', lap(), mb())
const p = fuse(d)
console.log('fuse', lap(), mb(), 'items', p.items.length)
const s = allocate(p)
console.log('slots', lap(), mb(), s.numberCount)
const prog = compile(trace)
console.log('compile (all)', lap(), mb(), JSON.stringify(prog.stats))
const tb = trace.table
console.log(
  'params',
  tb.params.length,
  'ops',
  tb.ops.map((o) => o.name),
  'cap',
  tb.op.length,
  tb.ins.length,
  tb.type?.length,
)
