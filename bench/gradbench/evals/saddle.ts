/**
 * GradBench `saddle`: a saddle point of f(p, q) = ‖p‖² − ‖q‖² as argmin over p of (max over q),
 * each max itself a gradient-descent argmax, so the outer gradient differentiates through an
 * inner optimisation and its gradients: nested AD. Functions `ff`, `fr`, `rf`, `rr`: outer then
 * inner mode. Under `jit`, ff and fr are one compiled program: every search a `whileLoop`
 * (`argminLoop`), which forward mode differentiates; rf and rr differentiate the inner search in
 * reverse mode, which a whileLoop refuses, so they keep the eager JS loops.
 */
import { add, square, sub, value } from 'fluxion'
import { maybeJit, multipleRuns, type Runs, useJit } from '../runs.ts'
import { argmax, argmaxLoop, argmin, argminLoop, gradientOf, type Mode, type Vec } from './gd.ts'

interface Input extends Runs {
  readonly start: number[]
}

const f = (p: Vec, q: Vec): number =>
  sub(add(square(p[0]!), square(p[1]!)), add(square(q[0]!), square(q[1]!)))

/** The searches, given argmin and argmax solvers. */
const search =
  (outer: Mode, inner: Mode, solvers: { argmin: typeof argmin; argmax: typeof argmax }) =>
  (start: Vec): Vec => {
    const maxOver = (p: Vec): Vec => {
      const g = (q: Vec): number => f(p, q)
      return solvers.argmax(g, gradientOf(inner, g), start)
    }
    const r1Cost = (p: Vec): number => f(p, maxOver(p))
    const r1 = solvers.argmin(r1Cost, gradientOf(outer, r1Cost), start)
    return [...r1, ...maxOver(r1)]
  }

/** [argmin_p max_q f, argmax_q f(that p, q)], every search from `start` (JS loops, eagerly). */
export const solve = (outer: Mode, inner: Mode, start: Vec): number[] =>
  search(outer, inner, { argmin, argmax })(start).map((v) => value(v))

/**
 * The same with every search a `whileLoop` (same iterates), one program for `jit`. Only for a
 * forward outer gradient: a reverse one would differentiate the inner search's whileLoop in
 * reverse mode.
 */
export const solveLoop = (outer: Mode, inner: Mode) =>
  search(outer, inner, { argmin: argminLoop, argmax: argmaxLoop })

// under jit, ff and fr compile everything; rf and rr (reverse mode through the inner search,
// whose length depends on values) run eagerly
const variant = (outer: Mode, inner: Mode) => {
  const compiled = useJit && outer === 'f'
  return multipleRuns(({ start }: Input) => {
    if (!compiled) return { run: () => solve(outer, inner, start), toJson: (r: number[]) => r }
    const g = maybeJit(solveLoop(outer, inner))
    return { run: () => g(start).map((v) => value(v)), toJson: (r: number[]) => r }
  }, compiled)
}

export const module = {
  ff: variant('f', 'f'),
  fr: variant('f', 'r'),
  rf: variant('r', 'f'),
  rr: variant('r', 'r'),
}
