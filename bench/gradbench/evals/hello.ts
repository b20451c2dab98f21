/** GradBench `hello`: square and its derivative. */
import { grad, mul } from 'fluxion'
import type { Module } from '../runs.ts'

const square = (x: number): number => mul(x, x)
const double = grad(square)

export const module: Module = {
  square: (x: number) => ({ output: square(x), timings: [] }),
  double: (x: number) => ({ output: double(x), timings: [] }),
}
