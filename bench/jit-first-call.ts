import { add, grad, jit, mul, type Scalar, sin } from 'fluxion'

const chain = (x: Scalar, n: number): Scalar => {
  let y = x
  for (let op = 0; op < n; op++)
    y = op % 3 === 0 ? sin(y) : op % 3 === 1 ? mul(y, 0.5) : add(y, 0.25)
  return y
}
const n = Number(process.argv[2] ?? 100000)
const g = grad((x: number) => chain(x, n) as number)
const j = jit(g)
const rss0 = process.memoryUsage().rss
const peak = rss0
const timer = setInterval(() => {}, 1000)
const c0 = process.cpuUsage()
const w0 = performance.now()
const r = j(0.3)
const c = process.cpuUsage(c0)
clearInterval(timer)
console.log(
  JSON.stringify({
    n,
    cpuMs: (c.user + c.system) / 1000,
    wallMs: performance.now() - w0,
    usPerOp: (c.user + c.system) / n,
    peakMB: (process.resourceUsage().maxRSS * 1024 - rss0) / 2 ** 20,
    r,
  }),
)
const t1 = performance.now()
j(0.3)
console.log('2nd', performance.now() - t1)
