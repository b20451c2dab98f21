// profiling helper: a heap snapshot (in the working directory) at the end of the forward pass
// of jit(grad(chain of n scalar ops)), to see what a trace keeps per op (bench/NOTES.md §15)
import { writeHeapSnapshot } from 'node:v8'
import { add, grad, jit, mul, type Scalar, sin } from '../src/index.ts'

const n = Number(process.argv[2] ?? 100000)
const chain = (x: Scalar): Scalar => {
  let y = x
  for (let op = 0; op < n; op++)
    y = op % 3 === 0 ? sin(y) : op % 3 === 1 ? mul(y, 0.5) : add(y, 0.25)
  console.log(writeHeapSnapshot())
  return y
}
jit(grad((x: number) => chain(x) as number))(0.3)
