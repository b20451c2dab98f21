/**
 * GradBench `gmm`: the log-posterior of a Gaussian mixture with a Wishart prior (ADBench's GMM),
 * and its gradient in (α, μ, q, l) by `grad` over a record of the four. Components are the
 * leading axis: Q·(x − μ) ([k, n, d]) is one batched matrix product of the data with a column
 * of ones, [x, 1], and the affine maps [Q, −Q·μ], whose lower-triangular factors Q are gathered
 * from l and exp(q) (zeros above the diagonal).
 */
import {
  add,
  concat,
  exp,
  expandDims,
  gammaln,
  grad,
  matmul,
  mul,
  neg,
  ones,
  reshape,
  square,
  sub,
  sum,
  swapaxes,
  type Tensor,
  take,
  tensor,
  zeros,
} from 'fluxion'
import { maybeJit, multipleRuns, type Runs } from '../runs.ts'
import { lse, toNumber } from './common.ts'

interface Input extends Runs {
  readonly d: number
  readonly k: number
  readonly n: number
  readonly x: number[][]
  readonly m: number
  readonly gamma: number
  readonly alpha: number[]
  readonly mu: number[][]
  readonly q: number[][]
  readonly l: number[][]
}

/** The parameters the gradient is taken in. */
export interface Params {
  readonly alpha: Tensor
  readonly mu: Tensor
  readonly q: Tensor
  readonly l: Tensor
}

/**
 * Where Q[r][c] is in [0, l…, exp(q)…]: 0 above the diagonal, l below it (column after column),
 * exp(q) on it.
 */
const factorIndex = (d: number): Tensor => {
  const idx = new Float64Array(d * d)
  let next = 1
  for (let c = 0; c < d; c++) for (let r = c + 1; r < d; r++) idx[r * d + c] = next++
  for (let c = 0; c < d; c++) idx[c * d + c] = next++
  return tensor(idx)
}

/** log Γ_d(a), the multivariate log-gamma function (a constant of the prior). */
const logGammaDistrib = (a: number, d: number): number => {
  let out = 0.25 * d * (d - 1) * Math.log(Math.PI)
  for (let j = 1; j <= d; j++) out += gammaln(a + 0.5 * (1 - j)) as number
  return out
}

/** The objective for data x ([n, d]) and prior (γ, m), as a function of the parameters. */
export const objective = (x: Tensor, gamma: number, m: number) => {
  const [n = 0, d = 0] = x.shape
  const qIdx = factorIndex(d)
  // [x, 1]: Q·(x − μ) = [Q, −Q·μ]·[x, 1], one batched product with no [k, n, d] broadcast
  const xOne = concat([x, ones([n, 1])], 1)
  const constant = -n * d * 0.5 * Math.log(2 * Math.PI)
  const priorN = d + m + 1
  const priorC =
    priorN * d * (Math.log(gamma) - 0.5 * Math.log(2)) - logGammaDistrib(0.5 * priorN, d)
  return ({ alpha, mu, q, l }: Params): Tensor => {
    const k = alpha.shape[0] ?? 0
    const qDiag = exp(q)
    const sumQ = sum(q, 1)
    const factor = reshape(take(concat([zeros([k, 1]), l, qDiag], 1), qIdx, 1), [k, d, d])
    const qMu = sum(mul(factor, expandDims(mu, 1)), 2) // [k, d]
    const affine = concat([factor, expandDims(neg(qMu), 2)], 2) // [k, d, d + 1]
    const qx = matmul(xOne, swapaxes(affine, 1, 2)) // [k, n, d]
    const main = sub(expandDims(add(alpha, sumQ), 1), mul(0.5, sum(square(qx), 2))) // [k, n]
    const slse = sum(lse(main, 0))
    const frobenius = add(sum(square(qDiag), 1), sum(square(l), 1))
    const prior = sub(mul(0.5 * gamma * gamma, frobenius), mul(m, sumQ))
    const wishart = add(mul(-1, sum(prior)), k * priorC)
    return add(add(constant, sub(slse, mul(n, lse(alpha)))), wishart)
  }
}

const prepare = (input: Input) => ({
  x: tensor(input.x),
  params: {
    alpha: tensor(input.alpha),
    mu: tensor(input.mu),
    q: tensor(input.q),
    l: tensor(input.l),
  },
})

export const module = {
  objective: multipleRuns((input: Input) => {
    const { x, params } = prepare(input)
    const f = maybeJit(objective(x, input.gamma, input.m))
    return { run: () => f(params), toJson: toNumber }
  }),
  jacobian: multipleRuns((input: Input) => {
    const { x, params } = prepare(input)
    const g = maybeJit(grad(objective(x, input.gamma, input.m)))
    return {
      run: () => g(params),
      toJson: (p: Params) => ({
        alpha: p.alpha.toArray(),
        mu: p.mu.toArray(),
        q: p.q.toArray(),
        l: p.l.toArray(),
      }),
    }
  }),
}
