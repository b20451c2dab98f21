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

/**
 * Σᵢ minⱼ ‖Cⱼ − Pᵢ‖², the squared distances expanded as ‖Pᵢ‖² + ‖Cⱼ‖² − 2·Pᵢ·Cⱼ, with ‖Pᵢ‖²
 * (the same for every j) taken out of the minimum: Σᵢ ‖Pᵢ‖² + Σᵢ minⱼ (‖Cⱼ‖² − 2·Pᵢ·Cⱼ). The
 * [n, k] matrix then only adds a row ([1, k], which fused loops read in place) to the product,
 * where adding the column ‖Pᵢ‖² ([n, 1]) took a kernel call, one more pass over the n·k entries.
 */
export const cost =
  (points: Tensor) =>
  (centroids: Tensor): Tensor => {
    const pp = sum(square(points))
    const cc = expandDims(sum(square(centroids), 1), 0)
    const dists = sub(cc, mul(2, matmul(points, transpose(centroids))))
    return add(pp, sum(min(dists, 1)))
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
