/**
 * GradBench `particle`: choose w so that a charged particle, integrated by Euler steps in the
 * field of two charges (one at (10, 10 − w)), hits the origin — an argmin over w whose
 * objective contains the gradient of the potential: nested AD. Functions `ff`, `fr`, `rf`,
 * `rr`: the outer letter is the mode of the argmin's gradient, the inner one that of the
 * acceleration. Under `jit`, ff and fr are one compiled program (the search and the
 * trajectory as `whileLoop`s, which forward mode differentiates); rf and rr differentiate the
 * trajectory in reverse mode, which a whileLoop refuses, so they keep the eager JS loops.
 */
import { add, div, greater, mul, neg, sqrt, square, sub, value, whileLoop } from 'fluxion'
import { maybeJit, multipleRuns, type Runs, useJit } from '../runs.ts'
import { argmin, argminLoop, gradientOf, type Mode, type Vec } from './gd.ts'

interface Input extends Runs {
  readonly w: number
}

/** Σ 1/‖x − charge‖, the potential at x. */
const potential = (charges: readonly Vec[], x: Vec): number => {
  let p = 0
  for (const c of charges) {
    p = add(p, div(1, sqrt(add(square(sub(x[0]!, c[0]!)), square(sub(x[1]!, c[1]!))))))
  }
  return p
}

/** x₀(t_f)², where the trajectory for control w crosses y = 0. */
export const cost =
  (inner: Mode) =>
  (w: number): number => {
    const charges: Vec[] = [
      [10, sub(10, w)],
      [10, 0],
    ]
    const force = gradientOf(inner, (x) => potential(charges, x))
    const dt = 0.1
    let x: Vec = [0, 8]
    let xDot: Vec = [0.75, 0]
    for (;;) {
      const xDdot = force(x).map((g) => neg(g))
      x = [add(x[0]!, mul(dt, xDot[0]!)), add(x[1]!, mul(dt, xDot[1]!))]
      if (value(x[1]!) <= 0) {
        const dtf = div(neg(x[1]!), xDot[1]!)
        return square(add(x[0]!, mul(dtf, xDot[0]!)))
      }
      xDot = [add(xDot[0]!, mul(dt, xDdot[0]!)), add(xDot[1]!, mul(dt, xDdot[1]!))]
    }
  }

/**
 * `cost` with the trajectory as a `whileLoop`, for `jit`: the loop's head tests whether the next
 * position is still above y = 0, and the crossing is then computed from the last state, so the
 * steps and the result are the same numbers as `cost`'s. Forward mode only (whileLoop).
 */
export const costLoop =
  (inner: Mode) =>
  (w: number): number => {
    const charges: Vec[] = [
      [10, sub(10, w)],
      [10, 0],
    ]
    const force = gradientOf(inner, (x) => potential(charges, x))
    const dt = 0.1
    const [x, xDot] = whileLoop(
      ([p, v]: readonly [Vec, Vec]) => greater(add(p[1]!, mul(dt, v[1]!)), 0),
      ([p, v]: readonly [Vec, Vec]): [Vec, Vec] => {
        const xDdot = force(p).map((g) => neg(g))
        return [
          [add(p[0]!, mul(dt, v[0]!)), add(p[1]!, mul(dt, v[1]!))],
          [add(v[0]!, mul(dt, xDdot[0]!)), add(v[1]!, mul(dt, xDdot[1]!))],
        ]
      },
      [
        [0, 8],
        [0.75, 0],
      ] as [Vec, Vec],
    )
    const last = [add(x[0]!, mul(dt, xDot[0]!)), add(x[1]!, mul(dt, xDot[1]!))]
    const dtf = div(neg(last[1]!), xDot[1]!)
    return square(add(last[0]!, mul(dtf, xDot[0]!)))
  }

/** The w found by gradient descent from w0 (eagerly: JS loops reading values). */
export const solve = (outer: Mode, inner: Mode, w0: number): number => {
  const f = (v: Vec): number => cost(inner)(v[0]!)
  return value(argmin(f, gradientOf(outer, f), [w0])[0]!)
}

/**
 * The same search with both loops as `whileLoop`s, one program for `jit`. Only for a forward
 * outer gradient: a reverse one would differentiate the trajectory's whileLoop in reverse mode.
 */
export const solveLoop =
  (outer: Mode, inner: Mode) =>
  (w0: number): number => {
    const f = (v: Vec): number => costLoop(inner)(v[0]!)
    return argminLoop(f, gradientOf(outer, f), [w0])[0]!
  }

// under jit, ff and fr compile the whole search; rf and rr (reverse through the trajectory,
// whose length depends on values) run eagerly
const variant = (outer: Mode, inner: Mode) => {
  const compiled = useJit && outer === 'f'
  return multipleRuns(({ w }: Input) => {
    const run = compiled ? maybeJit(solveLoop(outer, inner)) : () => solve(outer, inner, w)
    return { run: () => value(run(w)), toJson: (r: number) => r }
  }, compiled)
}

export const module = {
  ff: variant('f', 'f'),
  fr: variant('f', 'r'),
  rf: variant('r', 'f'),
  rr: variant('r', 'r'),
}
