/**
 * GradBench `kmeans`: cost = Σᵢ minⱼ ‖Cⱼ − Pᵢ‖², and the Newton direction J ⊘ H, where J = ∇cost
 * (by `grad`) and H its derivative along a vector of ones (`jvp` of the gradient: forward over
 * reverse), which is the Hessian's diagonal since the Hessian is diagonal here.
 */
import {
  argmin,
  concat,
  div,
  expandDims,
  grad,
  jvp,
  matmul,
  mul,
  ones,
  square,
  sub,
  sum,
  type Tensor,
  take,
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
 * Σᵢ ‖Pᵢ − C_{aᵢ}‖², aᵢ = argminⱼ ‖Cⱼ − Pᵢ‖²: each point's distance to its nearest centroid,
 * as the reference computes it. The positions aᵢ are constants to differentiation (`argmin` has
 * a zero derivative), so the gradient is a scatter of each point's term onto its centroid, O(n·d),
 * like the reference's, where the minimum's own derivative ([n, k] masks and tie counts) made ~8
 * passes over the n·k distances. The distances are compared without ‖Pᵢ‖² (the same for every j),
 * as one product [Pᵢ, 1]·[−2Cⱼ, ‖Cⱼ‖²]: one pass writes them, `argmin` reads them once.
 */
export const cost =
  (points: Tensor) =>
  (centroids: Tensor): Tensor => {
    const n = points.shape[0] ?? 0
    const cc = expandDims(sum(square(centroids), 1), 1)
    const dists = matmul(
      concat([points, ones([n, 1])], 1),
      transpose(concat([mul(-2, centroids), cc], 1)),
    )
    const nearest = take(centroids, argmin(dists, 1), 0)
    return sum(square(sub(points, nearest)))
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
