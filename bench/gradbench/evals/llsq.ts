/**
 * GradBench `llsq`: ½ Σᵢ (sᵢ − Σⱼ xⱼ tᵢʲ)², tᵢ = −1 + 2i/(n−1), sᵢ = sign(tᵢ); gradient by `grad`.
 * The powers tᵢʲ are a cumulative product (a Vandermonde matrix) and the inner sum a matrix
 * product, all fluxion ops inside the differentiated function.
 */
import {
  broadcastTo,
  concat,
  cumprod,
  expandDims,
  grad,
  linspace,
  matmul,
  mul,
  ones,
  sign,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
} from 'fluxion'
import { maybeJit, multipleRuns, type Runs } from '../runs.ts'
import { toList, toNumber } from './common.ts'

interface Input extends Runs {
  readonly x: number[]
  readonly n: number
}

/** The objective for `n` sample points, as a function of the coefficients x (length m). */
export const objective =
  (n: number) =>
  (x: Tensor): Tensor => {
    const m = x.shape[0] ?? 0
    const t = linspace(-1, 1, n)
    const powers = cumprod(concat([ones([n, 1]), broadcastTo(expandDims(t, 1), [n, m - 1])], 1), 1)
    const r = sub(sign(t), matmul(powers, x))
    return mul(0.5, sum(square(r)))
  }

export const module = {
  primal: multipleRuns(({ x, n }: Input) => {
    const f = maybeJit(objective(n))
    const xs = tensor(x)
    return { run: () => f(xs), toJson: toNumber }
  }),
  gradient: multipleRuns(({ x, n }: Input) => {
    const g = maybeJit(grad(objective(n)))
    const xs = tensor(x)
    return { run: () => g(xs), toJson: toList }
  }),
}
