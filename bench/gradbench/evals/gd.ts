/**
 * GradBench's gradient-descent solver (cpp/gradbench/gd.hpp), over fluxion values so that it
 * can itself be differentiated: its steps are fluxion ops, its decisions read values with
 * `value`. η starts at 1e-5, doubles after 10 accepted steps and halves on a rejected one; it
 * stops when ‖g‖ ≤ 1e-5 or a step would move ≤ 1e-5.
 */
import {
  abs,
  add,
  div,
  equal,
  grad,
  hypot,
  jvp,
  less,
  lessEqual,
  mul,
  neg,
  notEqual,
  scan,
  sub,
  value,
  where,
  whileLoop,
} from 'fluxion'

/** A vector of (possibly traced) numbers. */
export type Vec = readonly number[]

/** Differentiation mode: forward or reverse. */
export type Mode = 'f' | 'r'

const norm = (v: Vec): number => Math.hypot(...v.map((x) => value(x)))

/** ∇f at x: by `grad` (reverse), or one `jvp` per coordinate (forward). */
export const gradientOf =
  (mode: Mode, f: (x: Vec) => number) =>
  (x: Vec): Vec => {
    if (mode === 'r') return grad(f)(x)
    return x.map((_, i) => jvp(f, [x], [x.map((_, j) => (i === j ? 1 : 0))])[1])
  }

/** argmin of f from x0, given its gradient. */
export const argmin = (f: (x: Vec) => number, df: (x: Vec) => Vec, x0: Vec): Vec => {
  let x = x0
  let fx = f(x)
  let gx = df(x)
  let i = 0
  let eta = 1e-5
  for (;;) {
    if (norm(gx) <= 1e-5) return x
    if (i === 10) {
      eta *= 2
      i = 0
      continue
    }
    const step = eta
    const next = x.map((xj, j) => sub(xj, mul(step, gx[j]!)))
    const moved = Math.hypot(...x.map((xj, j) => value(xj) - value(next[j]!)))
    if (moved <= 1e-5) return x
    const fNext = f(next)
    if (value(fNext) < value(fx)) {
      x = next
      fx = fNext
      gx = df(x)
      i++
    } else {
      eta /= 2
      i = 0
    }
  }
}

/** argmax of f from x0: the argmin of −f. */
export const argmax = (f: (x: Vec) => number, df: (x: Vec) => Vec, x0: Vec): Vec =>
  argmin(
    (x) => neg(f(x)),
    (x) => df(x).map((g) => neg(g)),
    x0,
  )

/** The solver's state between two passes of its loop. */
interface State {
  readonly x: Vec
  readonly fx: number
  readonly gx: Vec
  readonly i: number
  readonly eta: number
  readonly stop: number
  readonly failed: number
}

/** ‖v‖ as `Math.hypot` computes it for one or two entries (the sizes the evals use). */
const normOf = (v: Vec): number => {
  if (v.length === 1) return abs(v[0]!)
  if (v.length === 2) return hypot(v[0]!, v[1]!)
  throw new Error(`gd: vectors of ${v.length} entries are not used by any eval`)
}

/**
 * `argmin` as a `whileLoop`, so that `jit` can compile the whole search: one iteration per pass
 * of `argmin`'s loop, its branches (stop, double η, stop, accept, halve η) taken by `where` in
 * the same order, so the iterates are the same numbers. f and df are evaluated at the candidate
 * on every pass (only the chosen branch's values are kept). Forward mode differentiates through
 * it; reverse mode through it raises `ControlFlowError` (whileLoop's rule), so use it only where
 * nothing differentiates the search itself in reverse mode. An f that gives NaN (a bounded
 * objective's way to say its bound was too small) stops the search with a NaN result, so that
 * the caller can fall back to `argmin`, instead of a silently different search.
 */
export const argminLoop = (f: (x: Vec) => number, df: (x: Vec) => Vec, x0: Vec): Vec => {
  const out = whileLoop((s: State) => equal(s.stop, 0), passOf(f, df), initOf(f, df, x0))
  return out.x.map((xj) => where(out.failed, Number.NaN, xj))
}

/**
 * `argminLoop` for reverse mode through the search: a `scan` of `passes` passes, each after the
 * stop masked by `where` (the state stays frozen), so the iterates are the same numbers and the
 * masked passes add exact zeros to derivatives. NaN when the search has not stopped within
 * `passes` (or f failed): the caller then falls back to `argmin`.
 */
export const argminMasked =
  (passes: number) =>
  (f: (x: Vec) => number, df: (x: Vec) => Vec, x0: Vec): Vec => {
    const pass = passOf(f, df)
    const [out] = scan(
      (s: State): [State, null] => {
        const n = pass(s)
        const keep = <T extends number>(a: T, b: T): number => where(s.stop, a, b)
        const state: State = {
          x: s.x.map((xj, j) => keep(xj, n.x[j]!)),
          fx: keep(s.fx, n.fx),
          gx: s.gx.map((g, j) => keep(g, n.gx[j]!)),
          i: keep(s.i, n.i),
          eta: keep(s.eta, n.eta),
          stop: keep(s.stop, n.stop),
          failed: keep(s.failed, n.failed),
        }
        return [state, null]
      },
      initOf(f, df, x0),
      null,
      { length: passes },
    )
    const bad = where(out.stop, out.failed, 1)
    return out.x.map((xj) => where(bad, Number.NaN, xj))
  }

/** The state `argmin` starts from (stopped and failed at once if f(x0) is NaN). */
const initOf = (f: (x: Vec) => number, df: (x: Vec) => Vec, x0: Vec): State => {
  const fx0 = f(x0)
  const nan0 = notEqual(fx0, fx0)
  return { x: x0, fx: fx0, gx: df(x0), i: 0, eta: 1e-5, stop: nan0, failed: nan0 }
}

/** One pass of `argmin`'s loop on a state, its branches taken by `where`. */
const passOf =
  (f: (x: Vec) => number, df: (x: Vec) => Vec) =>
  (s: State): State => {
    const converged = lessEqual(normOf(s.gx), 1e-5)
    const bump = equal(s.i, 10)
    const next = s.x.map((xj, j) => sub(xj, mul(s.eta, s.gx[j]!)))
    const small = lessEqual(normOf(s.x.map((xj, j) => sub(xj, next[j]!))), 1e-5)
    const fNext = f(next)
    const gNext = df(next)
    // which branch argmin takes: 0 stop, 1 double η, 2 accept, 3 halve η (4: f failed)
    const branch = where(
      converged,
      0,
      where(
        bump,
        1,
        where(small, 0, where(notEqual(fNext, fNext), 4, where(less(fNext, s.fx), 2, 3))),
      ),
    )
    const accept = equal(branch, 2)
    return {
      x: s.x.map((xj, j) => where(accept, next[j]!, xj)),
      fx: where(accept, fNext, s.fx),
      gx: s.gx.map((g, j) => where(accept, gNext[j]!, g)),
      i: where(accept, add(s.i, 1), where(equal(branch, 0), s.i, 0)),
      eta: where(equal(branch, 1), mul(s.eta, 2), where(equal(branch, 3), div(s.eta, 2), s.eta)),
      stop: where(equal(branch, 0), 1, equal(branch, 4)),
      failed: equal(branch, 4),
    }
  }

/** An argmax from an argmin solver: the argmin of −f. */
export const maximizer =
  (solver: typeof argmin) =>
  (f: (x: Vec) => number, df: (x: Vec) => Vec, x0: Vec): Vec =>
    solver(
      (x) => neg(f(x)),
      (x) => df(x).map((g) => neg(g)),
      x0,
    )
