/**
 * GradBench `saddle`: a saddle point of f(p, q) = ‖p‖² − ‖q‖² as argmin over p of (max over q),
 * each max itself a gradient-descent argmax, so the outer gradient differentiates through an
 * inner optimisation and its gradients: nested AD. Functions `ff`, `fr`, `rf`, `rr`: outer then
 * inner mode. Under `jit` each is one compiled program: every search a `whileLoop`
 * (`argminLoop`), which forward mode differentiates; in rf and rr, whose reverse outer gradient
 * goes through the inner search (reverse mode refuses a whileLoop), that search is a masked
 * `scan` (`argminMasked`) with the same iterates.
 */
import { add, square, sub, value } from 'fluxion'
import { maybeJit, multipleRuns, type Runs, useJit } from '../runs.ts'
import {
  argmax,
  argmin,
  argminLoop,
  argminMasked,
  gradientOf,
  type Mode,
  maximizer,
  type Vec,
} from './gd.ts'

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

/** Passes `argminMasked` runs for an inner search: the searches here stop after 170. */
export const MAX_PASSES = 256

/**
 * The same as one program for `jit`: every search an `argminLoop` (a whileLoop), except the
 * inner search under a reverse outer gradient, which reverse mode differentiates: a masked scan
 * of `passes` passes there (`argminMasked`). Same iterates; NaN if a search needed more passes.
 */
export const solveLoop = (outer: Mode, inner: Mode, passes = MAX_PASSES) =>
  search(outer, inner, {
    argmin: argminLoop,
    argmax: maximizer(outer === 'f' ? argminLoop : argminMasked(passes)),
  })

// under jit, one compiled program per function; if a search outgrew the masked scan, the eager
// JS loops give the answer
const variant = (outer: Mode, inner: Mode) =>
  multipleRuns(({ start }: Input) => {
    if (!useJit) return { run: () => solve(outer, inner, start), toJson: (r: number[]) => r }
    const g = maybeJit(solveLoop(outer, inner))
    return {
      run: () => {
        const r = g(start).map((v) => value(v))
        return r.some(Number.isNaN) ? solve(outer, inner, start) : r
      },
      toJson: (r: number[]) => r,
    }
  })

export const module = {
  ff: variant('f', 'f'),
  fr: variant('f', 'r'),
  rf: variant('r', 'f'),
  rr: variant('r', 'r'),
}
