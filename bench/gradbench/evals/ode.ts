/**
 * GradBench `ode`: y′₀ = x₀, y′ᵢ = xᵢ·yᵢ₋₁ from y(0) = 0 to t = 2 by s explicit RK4 steps; the
 * gradient of the last component of y(2) with respect to x by `grad`. The steps are a
 * `foriLoop` with JS-number bounds (a `scan`, so reverse mode goes through it): `jit` compiles
 * one RK4 step as a loop body, and the backward pass as one reverse loop, instead of unrolling
 * s steps.
 */
import { add, foriLoop, grad, index, mul, pad, type Tensor, tensor, zeros } from 'fluxion'
import { maybeJit, multipleRuns, type Runs } from '../runs.ts'
import { toList } from './common.ts'

interface Input extends Runs {
  readonly x: number[]
  readonly s: number
}

/** y(2) for coefficients x, by `s` RK4 steps. */
export const solve =
  (s: number) =>
  (x: Tensor): Tensor => {
    // z = x ⊙ [1, y₀, …, yₙ₋₂]: y shifted right by one (a pad of 1 in front, a crop of 1 at
    // the end), which a fused loop reads in place, as is its transpose in the backward pass
    const f = (y: Tensor): Tensor => mul(x, pad(y, [[1, -1]], 1))
    const h = 2 / s
    const rk4 = (_step: number, y: Tensor): Tensor => {
      const k1 = f(y)
      const k2 = f(add(y, mul(h / 2, k1)))
      const k3 = f(add(y, mul(h / 2, k2)))
      const k4 = f(add(y, mul(h, k3)))
      return add(y, mul(h / 6, add(add(k1, mul(2, k2)), add(mul(2, k3), k4))))
    }
    return foriLoop(0, s, rk4, zeros(x.shape))
  }

export const module = {
  primal: multipleRuns(({ x, s }: Input) => {
    const f = maybeJit(solve(s))
    const xs = tensor(x)
    return { run: () => f(xs), toJson: toList }
  }),
  gradient: multipleRuns(({ x, s }: Input) => {
    const n = x.length
    const g = maybeJit(grad((v: Tensor) => index(solve(s)(v), n - 1)))
    const xs = tensor(x)
    return { run: () => g(xs), toJson: toList }
  }),
}
