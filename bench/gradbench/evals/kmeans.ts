/**
 * GradBench `kmeans`: cost = Σᵢ minⱼ ‖Cⱼ − Pᵢ‖², and the Newton direction J ⊘ H, where J = ∇cost
 * (by `grad`) and H its derivative along a vector of ones (`jvp` of the gradient: forward over
 * reverse), which is the Hessian's diagonal since the Hessian is diagonal here.
 */
import {
  add,
  div,
  expandDims,
  grad,
  jvp,
  matmul,
  min,
  mul,
  ones,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
  transpose,
} from 'fluxion'
import { maybeJit, multipleRuns, type Runs } from '../runs.ts'
import { toNumber } from './common.ts'

interface Input extends Runs {
  readonly points: number[][]
  readonly centroids: number[][]
}

/** Σᵢ minⱼ ‖Cⱼ − Pᵢ‖², the squared distances expanded as ‖P‖² + ‖C‖² − 2·P·Cᵀ. */
export const cost =
  (points: Tensor) =>
  (centroids: Tensor): Tensor => {
    const pp = expandDims(sum(square(points), 1), 1)
    const cc = expandDims(sum(square(centroids), 1), 0)
    const dists = sub(add(pp, cc), mul(2, matmul(points, transpose(centroids))))
    return sum(min(dists, 1))
  }

/** J ⊘ H: the gradient over its derivative along ones. */
export const direction =
  (points: Tensor) =>
  (centroids: Tensor): Tensor => {
    const [j, h] = jvp(grad(cost(points)), [centroids], [ones(centroids.shape)])
    return div(j, h)
  }

export const module = {
  cost: multipleRuns(({ points, centroids }: Input) => {
    const p = tensor(points)
    const c = tensor(centroids)
    const f = maybeJit((pp: Tensor, cc: Tensor) => cost(pp)(cc))
    return { run: () => f(p, c), toJson: toNumber }
  }),
  dir: multipleRuns(({ points, centroids }: Input) => {
    const p = tensor(points)
    const c = tensor(centroids)
    const f = maybeJit((pp: Tensor, cc: Tensor) => direction(pp)(cc))
    return { run: () => f(p, c), toJson: (t: Tensor) => t.toArray() }
  }),
}
