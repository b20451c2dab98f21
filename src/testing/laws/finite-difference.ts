/**
 * Laws that check derivatives against central finite differences of the function itself —
 * the oracle that shares no code with any derivative rule.
 *
 * - `fd-agreement`, order 1: jvp(f)(x, v) ≈ (f(x + hv) − f(x − hv)) / 2h.
 * - `fd-agreement`, order 2: jvp(x ↦ jvp(f)(x, v))(x, v) ≈ (f(x + hv) − 2f(x) + f(x − hv)) / h²,
 *   the second directional derivative, so the derivative rules are themselves differentiated
 *   correctly.
 * - `hvp-fd`: hvp(f)(x, v) ≈ (∇f(x + hv) − ∇f(x − hv)) / 2h, the Hessian–vector product
 *   against differences of the gradient.
 *
 * Error budget in float64 (u = 2⁻⁵³ ≈ 1.1e-16, |x| ≤ 3, |v| ≤ 1): order 1 has truncation error
 * h²/6·|f‴| and rounding error about u·|f|/h; order 2 has h²/12·|f⁗| and about 4u·|f|/h².
 * Hence the defaults: order 1 with h = 1e-5 (both errors near 1e-11 relative), order 2 with
 * h = 1e-4 (rounding about 4e-8·|f|, truncation about 1e-9·|f⁗|). The tolerance is relative
 * to the derivative plus absolute, the absolute part scaled by 1 + max|f| because rounding error
 * grows with the size of the values differenced.
 *
 * Laws: fd-agreement, hvp-fd.
 * @module
 */
import { grad, hvp, jvp, type Scalar } from '../../index.ts'
import { exact, type Tolerance } from '../approx.ts'
import { type FlatFn, flatFunction, type Like, leavesLike, leavesOf, rebuild } from '../flat.ts'
import { type Equation, scaleAtol } from '../law.ts'
import { combineAll, concrete, maxAbsAll, zipWith } from '../vector.ts'

/** Which derivative to compare, the finite-difference step, and the tolerance. */
export interface FdSettings {
  /** Compare the first (1) or second (2) directional derivative. */
  readonly order: 1 | 2
  /** The finite-difference step h. */
  readonly step: number
  /** Elementwise tolerance; `atol` is scaled by 1 + max|f| over the points evaluated. */
  readonly tol: Tolerance
}

/**
 * First order, smooth functions: h = 1e-5, rtol 1e-6, atol 1e-7.
 * @category tolerances
 */
export const fdOrder1: FdSettings = { order: 1, step: 1e-5, tol: { rtol: 1e-6, atol: 1e-7 } }

/**
 * First order in float32 (u = 2⁻²⁴ ≈ 6e-8): h = 2⁻¹² ≈ 2.4e-4, small enough to stay on one side
 * of a kink kept 1e-3 away, so the rounding error of the difference is about u·|f|/h ≈
 * 2.4e-4·|f| (truncation, h²/6·|f‴| ≈ 1e-8·|f‴|, is negligible). The points x ± hv are
 * rounded to float32 too, which adds about u·|x|·|f′|/h unless v is a multiple of 2⁻¹⁰ and
 * |x| < 4 (then they are exact). Hence rtol 2e-3 and atol 2e-3 (scaled by 1 + max|f|). The
 * function is evaluated in float32 when `x` is float32: `fdAgreement` keeps each argument's
 * dtype.
 * @example
 * holds(fdAgreement(sin, fdFloat32)([astype(tensor([0.5]), 'float32')], [tensor([1])])) // => true
 * @category tolerances
 */
export const fdFloat32: FdSettings = {
  order: 1,
  step: 2 ** -12,
  tol: { rtol: 2e-3, atol: 2e-3 },
}

/**
 * Second order, smooth functions: h = 1e-4, rtol 1e-4, atol 1e-5.
 * @category tolerances
 */
export const fdOrder2: FdSettings = { order: 2, step: 1e-4, tol: { rtol: 1e-4, atol: 1e-5 } }

/**
 * Linear maps at dyadic points along dyadic directions: a difference quotient of a linear map
 * has no truncation error at any step, and with h = 1 every operation is exact in float64, so
 * the comparison is `===` (P9).
 * @example
 * holds(fdAgreement((x: number) => mul(3, x), fdExact(1))([0.5], [0.25])) // => true
 * @category tolerances
 */
export const fdExact = (order: 1 | 2): FdSettings => ({ order, step: 1, tol: exact })

/**
 * Law `fd-agreement`: the derivative of `f` at `xs` along `xDots` (one direction per argument,
 * trees shaped like the arguments) computed by `jvp` (left side) agrees with central finite
 * differences of `f` (right side), to first or second order as `settings` says.
 *
 * Tolerances: `fdOrder1` (default) and `fdOrder2`, documented above; the absolute part is
 * scaled by 1 + max|f| over the points evaluated. Throws `TreeMismatchError` when `xDots` does
 * not match `xs`.
 *
 * @example
 * holds(fdAgreement(sin)([0.5], [1])) // => true
 * holds(fdAgreement(sin, fdOrder2)([0.5], [1])) // => true
 * @category laws
 */
export const fdAgreement =
  <A extends readonly unknown[]>(f: (...args: A) => unknown, settings: FdSettings = fdOrder1) =>
  (xs: A, xDots: Like<A>): Equation => {
    const F = flatFunction(f, xs)
    const x = leavesOf(xs)
    const v = leavesLike(xs, xDots)
    const h = settings.step
    const at = (t: number) => F(...combineAll(1, x, t, v))
    const plus = at(h)
    const minus = at(-h)
    if (settings.order === 1) {
      return {
        law: 'fd-agreement',
        lhs: jvp(F, x, v)[1].map(concrete),
        rhs: plus.map((p, i) => zipWith(p, minus[i]!, (a, b) => (a - b) / (2 * h))),
        tol: scaleAtol(settings.tol, Math.max(maxAbsAll(plus), maxAbsAll(minus))),
      }
    }
    const center = F(...x)
    // differences from the centre first: each is exact when the points are close (Sterbenz)
    const up = plus.map((p, i) => zipWith(p, center[i]!, (a, c) => a - c))
    const down = minus.map((m, i) => zipWith(m, center[i]!, (a, c) => a - c))
    const pushforward: FlatFn = (...ys) => jvp(F, ys, v)[1]
    return {
      law: 'fd-agreement',
      lhs: jvp(pushforward, x, v)[1].map(concrete),
      rhs: up.map((u, i) => zipWith(u, down[i]!, (a, b) => (a + b) / (h * h))),
      tol: scaleAtol(settings.tol, Math.max(maxAbsAll(plus), maxAbsAll(center), maxAbsAll(minus))),
    }
  }

/** The finite-difference step and tolerance of `hvp-fd`. */
export interface HvpFdSettings {
  /** The finite-difference step h of the gradient's argument. */
  readonly step: number
  /** Elementwise tolerance; `atol` is scaled by 1 + max|∇f| over the points evaluated. */
  readonly tol: Tolerance
}

/**
 * `hvp-fd` for smooth functions: h = 1e-5, rtol 1e-6, atol 1e-7 — first-order differences, of
 * the gradient rather than of f (truncation h²/6·|∇f‴|, rounding about u·|∇f|/h).
 * @category tolerances
 */
export const hvpFdDefaults: HvpFdSettings = { step: 1e-5, tol: { rtol: 1e-6, atol: 1e-7 } }

/**
 * Law `hvp-fd`: the Hessian–vector product `hvp(f)(x, v)` (left side) agrees with central
 * differences of the gradient along `v` (right side). `f` is scalar-valued; `x` and `v` are
 * trees of the same structure.
 *
 * Tolerance: `hvpFdDefaults` (h = 1e-5, rtol 1e-6, atol 1e-7 scaled by 1 + max|∇f|). Throws
 * `TreeMismatchError` when `v` does not match `x`.
 *
 * @example
 * const f = (x: Tensor) => sum(mul(x, mul(x, x)))
 * holds(hvpFd(f)(tensor([1, 2]), tensor([1, 0]))) // => true
 * @category laws
 */
export const hvpFd =
  <A>(f: (x: A) => Scalar, settings: HvpFdSettings = hvpFdDefaults) =>
  (x: A, v: A): Equation => {
    const gradient = grad(f)
    const xLeaves = leavesOf(x)
    const vLeaves = leavesLike(x, v)
    const h = settings.step
    const at = (t: number) => leavesOf(gradient(rebuild(x, combineAll(1, xLeaves, t, vLeaves))))
    const plus = at(h)
    const minus = at(-h)
    return {
      law: 'hvp-fd',
      lhs: leavesOf(hvp(f)(x, v)),
      rhs: plus.map((p, i) => zipWith(p, minus[i]!, (a, b) => (a - b) / (2 * h))),
      tol: scaleAtol(settings.tol, Math.max(maxAbsAll(plus), maxAbsAll(minus))),
    }
  }
