/**
 * GradBench's gradient-descent solver (cpp/gradbench/gd.hpp), over fluxion values so that it
 * can itself be differentiated: its steps are fluxion ops, its decisions read values with
 * `value`. η starts at 1e-5, doubles after 10 accepted steps and halves on a rejected one; it
 * stops when ‖g‖ ≤ 1e-5 or a step would move ≤ 1e-5.
 */
import { grad, jvp, mul, neg, sub, value } from 'fluxion'

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
