// profiling helper: heap by constructor at the end of the forward pass of jit(grad(chain))
import { writeHeapSnapshot } from 'node:v8'
import { add, grad, jit, mul, type Scalar, sin } from '../src/index.ts'

const n = Number(process.argv[2] ?? 100000)
const chain = (x: Scalar): Scalar => {
  let y = x
  for (let op = 0; op < n; op++)
    y = op % 3 === 0 ? sin(y) : op % 3 === 1 ? mul(y, 0.5) : add(y, 0.25)
  console.log(writeHeapSnapshot('/tmp/jitc/fwd.heapsnapshot'))
  return y
}
jit(grad((x: number) => chain(x) as number))(0.3)
