/**
 * Core workloads (issue: core): scalar evaluation through fluxion ops versus Math; reverse mode
 * on scalar code (Rosenbrock as a loop) versus a hand-written gradient; and the vectorized
 * Rosenbrock gradient versus its primal. Both gradients also run under `jit` (warmed up before
 * timing, see `warmUp` in harness.ts).
 */
import { grad, jit, tensor } from 'fluxion'
import { type Group, warmUp, warmUpMs } from '../harness.ts'
import {
  near,
  opsPerTerm,
  points,
  rosenbrockGradPlain,
  rosenbrockLoop,
  rosenbrockVec,
} from '../rosenbrock.ts'

const rosenbrockPlain = (x: readonly number[]): number => {
  let acc = 0
  for (let i = 0; i < x.length - 1; i++) {
    const xi = x[i]!
    const d = x[i + 1]! - xi * xi
    acc += 100 * d * d + (1 - xi) * (1 - xi)
  }
  return acc
}

export const coreGroups = (quick: boolean): Group[] => {
  const n = quick ? 10_000 : 100_000
  const xs = points(n)
  const xt = tensor(xs)
  const gradLoop = grad(rosenbrockLoop)
  const gradVec = grad(rosenbrockVec)
  const gradLoopJit = jit(grad(rosenbrockLoop))
  const gradVecJit = jit(grad(rosenbrockVec))
  const warm = warmUpMs(quick)
  const units = opsPerTerm * (n - 1)
  return [
    {
      title: `scalar evaluation, Rosenbrock loop n=${n}`,
      baseline: 'plain JS',
      tasks: [
        {
          name: 'plain JS',
          fn: () => rosenbrockPlain(xs),
          validate: () => near([rosenbrockPlain(xs)], [rosenbrockLoop(xs)]),
        },
        {
          name: 'fluxion ops on numbers',
          fn: () => rosenbrockLoop(xs),
          validate: () => near([rosenbrockLoop(xs)], [rosenbrockPlain(xs)]),
          units,
          unitName: 'op',
        },
      ],
    },
    {
      title: `reverse mode on scalar code, Rosenbrock loop n=${n}`,
      baseline: 'hand-written gradient',
      tasks: [
        {
          name: 'hand-written gradient',
          fn: () => rosenbrockGradPlain(xs),
          validate: () => near(rosenbrockGradPlain(xs), gradLoop(xs)),
        },
        {
          name: 'fluxion grad',
          fn: () => gradLoop(xs),
          validate: () => near(gradLoop(xs), rosenbrockGradPlain(xs)),
          units,
          unitName: 'op',
        },
        {
          name: 'fluxion jit(grad)',
          setup: warmUp(() => gradLoopJit(xs), warm),
          fn: () => gradLoopJit(xs),
          validate: () => near(gradLoopJit(xs), rosenbrockGradPlain(xs)),
          units,
          unitName: 'op',
        },
      ],
    },
    {
      title: `vector Rosenbrock n=${n}`,
      baseline: 'fluxion primal',
      tasks: [
        {
          name: 'fluxion primal',
          fn: () => rosenbrockVec(xt),
          validate: () => near([rosenbrockVec(xt).item()], [rosenbrockPlain(xs)]),
        },
        {
          name: 'fluxion grad',
          fn: () => gradVec(xt),
          validate: () => near(gradVec(xt).data, rosenbrockGradPlain(xs)),
        },
        {
          name: 'fluxion jit(grad)',
          setup: warmUp(() => gradVecJit(xt), warm),
          fn: () => gradVecJit(xt),
          validate: () => near(gradVecJit(xt).data, rosenbrockGradPlain(xs)),
        },
        {
          name: 'hand-written gradient',
          fn: () => rosenbrockGradPlain(xs),
          validate: () => near(rosenbrockGradPlain(xs), gradVec(xt).data),
        },
      ],
    },
  ]
}
