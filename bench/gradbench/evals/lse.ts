/** GradBench `lse`: log Σ exp(x) from max, exp, sum and log; its gradient by `grad`. */
import { add, exp, grad, log, max, sub, sum, type Tensor, tensor } from 'fluxion'
import { maybeJit, multipleRuns, type Runs } from '../runs.ts'
import { toList, toNumber } from './common.ts'

interface Input extends Runs {
  readonly x: number[]
}

/** max(x) + log Σ exp(x − max(x)); the max is differentiated too (its terms cancel). */
export const logsumexp = (x: Tensor): Tensor => {
  const m = max(x)
  return add(m, log(sum(exp(sub(x, m)))))
}

const primal = maybeJit(logsumexp)
const gradient = maybeJit(grad(logsumexp))

export const module = {
  primal: multipleRuns(({ x }: Input) => {
    const xs = tensor(x)
    return { run: () => primal(xs), toJson: toNumber }
  }),
  gradient: multipleRuns(({ x }: Input) => {
    const xs = tensor(x)
    return { run: () => gradient(xs), toJson: toList }
  }),
}
