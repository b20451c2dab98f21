/**
 * GradBench `particle`: choose w so that a charged particle, integrated by Euler steps in the
 * field of two charges (one at (10, 10 − w)), hits the origin — an argmin over w whose
 * objective contains the gradient of the potential: nested AD. Functions `ff`, `fr`, `rf`,
 * `rr`: the outer letter is the mode of the argmin's gradient, the inner one that of the
 * acceleration. Under `jit` each is one compiled program: the search a `whileLoop`, the
 * trajectory a `whileLoop` too under a forward outer gradient (ff, fr) and a masked `scan` under
 * a reverse one (rf, rr: reverse mode refuses a whileLoop). Their bodies are plain numbers, which
 * `jit` runs in place as straight-line code (bench/NOTES.md, "particle and saddle under jit").
 */
import {
  add,
  div,
  greater,
  mul,
  neg,
  scan,
  sqrt,
  square,
  sub,
  value,
  where,
  whileLoop,
} from 'fluxion'
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

/** Trajectory steps `costMasked` runs: w = 0 takes 353, the w found 354 (1144 at w = 1). */
export const MAX_STEPS = 512

/**
 * `costLoop` for reverse mode: a `scan` of `steps` steps, each after the crossing masked by
 * `where` (the state stays frozen), so the steps taken and the result are the same numbers and
 * the masked steps add exact zeros to the gradient. NaN when the particle has not crossed
 * y = 0 within `steps` (argminLoop then fails, and the caller falls back to the JS loops).
 */
export const costMasked =
  (inner: Mode, steps: number) =>
  (w: number): number => {
    const charges: Vec[] = [
      [10, sub(10, w)],
      [10, 0],
    ]
    const force = gradientOf(inner, (x) => potential(charges, x))
    const dt = 0.1
    type Carry = readonly [Vec, Vec, number]
    const [[x, xDot, active]] = scan(
      ([p, v, on]: Carry): [Carry, null] => {
        const go = where(on, greater(add(p[1]!, mul(dt, v[1]!)), 0), 0)
        const xDdot = force(p).map((g) => neg(g))
        const p2 = [add(p[0]!, mul(dt, v[0]!)), add(p[1]!, mul(dt, v[1]!))]
        const v2 = [add(v[0]!, mul(dt, xDdot[0]!)), add(v[1]!, mul(dt, xDdot[1]!))]
        return [
          [p.map((pj, j) => where(go, p2[j]!, pj)), v.map((vj, j) => where(go, v2[j]!, vj)), go],
          null,
        ]
      },
      [[0, 8], [0.75, 0], 1] as Carry,
      null,
      { length: steps },
    )
    const last = [add(x[0]!, mul(dt, xDot[0]!)), add(x[1]!, mul(dt, xDot[1]!))]
    const dtf = div(neg(last[1]!), xDot[1]!)
    return where(active, Number.NaN, square(add(last[0]!, mul(dtf, xDot[0]!))))
  }

/** The w found by gradient descent from w0 (eagerly: JS loops reading values). */
export const solve = (outer: Mode, inner: Mode, w0: number): number => {
  const f = (v: Vec): number => cost(inner)(v[0]!)
  return value(argmin(f, gradientOf(outer, f), [w0])[0]!)
}

/**
 * The same search as one program for `jit`: the search an `argminLoop` (a whileLoop: nothing
 * differentiates it), the trajectory a whileLoop under a forward outer gradient (`costLoop`) and
 * a masked scan of `steps` steps under a reverse one (`costMasked`: reverse mode refuses a
 * whileLoop). NaN if a trajectory needed more steps.
 */
export const solveLoop =
  (outer: Mode, inner: Mode, steps = MAX_STEPS) =>
  (w0: number): number => {
    const c = outer === 'f' ? costLoop(inner) : costMasked(inner, steps)
    const f = (v: Vec): number => c(v[0]!)
    return argminLoop(f, gradientOf(outer, f), [w0])[0]!
  }

// under jit, one compiled program per function; if a trajectory outgrew the masked scan, the
// eager JS loops give the answer
const variant = (outer: Mode, inner: Mode) =>
  multipleRuns(({ w }: Input) => {
    if (!useJit) return { run: () => solve(outer, inner, w), toJson: (r: number) => r }
    const g = maybeJit(solveLoop(outer, inner))
    return {
      run: () => {
        const r = value(g(w))
        return Number.isNaN(r) ? solve(outer, inner, w) : r
      },
      toJson: (r: number) => r,
    }
  })

export const module = {
  ff: variant('f', 'f'),
  fr: variant('f', 'r'),
  rf: variant('r', 'f'),
  rr: variant('r', 'r'),
}
