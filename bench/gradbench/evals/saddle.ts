/**
 * GradBench `saddle`: a saddle point of f(p, q) = ‖p‖² − ‖q‖² as argmin over p of (max over q),
 * each max itself a gradient-descent argmax, so the outer gradient differentiates through an
 * inner optimisation and its gradients: nested AD. Functions `ff`, `fr`, `rf`, `rr`: outer then
 * inner mode. The solver's loop depends on values, so nothing here is `jit`ted.
 */
import { add, square, sub, value } from 'fluxion'
import type { Runs } from '../runs.ts'
import { multipleRuns } from '../runs.ts'
import { argmax, argmin, gradientOf, type Mode, type Vec } from './gd.ts'

interface Input extends Runs {
  readonly start: number[]
}

const f = (p: Vec, q: Vec): number =>
  sub(add(square(p[0]!), square(p[1]!)), add(square(q[0]!), square(q[1]!)))

/** [argmin_p max_q f, argmax_q f(that p, q)], every search from `start`. */
export const solve = (outer: Mode, inner: Mode, start: Vec): number[] => {
  const maxOver = (p: Vec): Vec => {
    const g = (q: Vec): number => f(p, q)
    return argmax(g, gradientOf(inner, g), start)
  }
  const r1Cost = (p: Vec): number => f(p, maxOver(p))
  const r1 = argmin(r1Cost, gradientOf(outer, r1Cost), start)
  const r2 = maxOver(r1)
  return [...r1, ...r2].map((v) => value(v))
}

const variant = (outer: Mode, inner: Mode) =>
  multipleRuns(
    ({ start }: Input) => ({
      run: () => solve(outer, inner, start),
      toJson: (r: number[]) => r,
    }),
    false,
  )

export const module = {
  ff: variant('f', 'f'),
  fr: variant('f', 'r'),
  rf: variant('r', 'f'),
  rr: variant('r', 'r'),
}
