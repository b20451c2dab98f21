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
 * to the derivative (truncation) plus an absolute floor, plus the rounding budget itself: each
 * evaluation of f is allowed `rounding` (default 8) units of u·max|f|, so the difference errs by
 * at most rounding·u·max|f|/h (order 1) or 4·rounding·u·max|f|/h² (order 2). The registry's
 * primitives use under 2 of those 8 units. An error in a rule smaller than that budget cannot be
 * told from rounding: with |f| ≈ 1e6 the defaults resolve about 1e-4 at order 1 but only 0.35
 * at order 2, where a larger step (h ≈ (u·|f|/|f⁗|)^¼) is the remedy.
 *
 * Laws: fd-agreement, hvp-fd.
 * @module
 */
import { grad, hvp, InvalidArgumentError, jvp, type Scalar } from '../../index.ts'
import { exact, type Numeric, type Tolerance } from '../approx.ts'
import { type FlatFn, flatFunction, type Like, leavesLike, leavesOf, rebuild } from '../flat.ts'
import { type Equation, scaleAtol } from '../law.ts'
import { combineAll, concrete, maxAbsAll, zipWith } from '../vector.ts'

/** Which derivative to compare, the finite-difference step, and the tolerance. */
export interface FdSettings {
  /** Compare the first (1) or second (2) directional derivative. */
  readonly order: 1 | 2
  /** The finite-difference step h. */
  readonly step: number
  /** Elementwise tolerance: `rtol` for truncation, relative to the derivative; `atol` a floor. */
  readonly tol: Tolerance
  /**
   * How far one evaluation of f may be off, in units of u·max|f| (u the unit roundoff of f's
   * dtype, max|f| over the points evaluated); the law adds the resulting rounding error of the
   * difference quotient to `tol.atol`. Default 8; 0 where every operation is exact.
   */
  readonly rounding?: number
}

/** The `rounding` of settings that do not say: a few ulps per evaluation, with room to spare. */
const defaultRounding = 8

/**
 * First order, smooth functions: h = 1e-5, rtol 1e-6, atol 1e-7 plus 8·u·max|f|/h.
 * @category tolerances
 */
export const fdOrder1: FdSettings = {
  order: 1,
  step: 1e-5,
  tol: { rtol: 1e-6, atol: 1e-7 },
  rounding: defaultRounding,
}

/**
 * First order in float32 (u = 2⁻²⁴ ≈ 6e-8): h = 2⁻¹² ≈ 2.4e-4, small enough to stay on one side
 * of a kink kept 1e-3 away, so the rounding error of the difference is about u·|f|/h ≈
 * 2.4e-4·|f| (truncation, h²/6·|f‴| ≈ 1e-8·|f‴|, is negligible). The points x ± hv are
 * rounded to float32 too, which adds about u·|x|·|f′|/h unless v is a multiple of 2⁻¹⁰ and
 * |x| < 4 (then they are exact). Hence rtol 2e-3, atol 2e-3 and the float32 rounding budget
 * 8·u·max|f|/h ≈ 2e-3·max|f|. The function is evaluated in float32 when `x` is float32:
 * `fdAgreement` keeps each argument's dtype.
 * @example
 * holds(fdAgreement(sin, fdFloat32)([astype(tensor([0.5]), 'float32')], [tensor([1])])) // => true
 * @category tolerances
 */
export const fdFloat32: FdSettings = {
  order: 1,
  step: 2 ** -12,
  tol: { rtol: 2e-3, atol: 2e-3 },
  rounding: defaultRounding,
}

/**
 * Second order, smooth functions: h = 1e-4, rtol 1e-4, atol 1e-5 plus 4·8·u·max|f|/h².
 * @category tolerances
 */
export const fdOrder2: FdSettings = {
  order: 2,
  step: 1e-4,
  tol: { rtol: 1e-4, atol: 1e-5 },
  rounding: defaultRounding,
}

/**
 * Linear maps at dyadic points along dyadic directions: a difference quotient of a linear map
 * has no truncation error at any step, and with h = 1 every operation is exact in float64, so
 * the comparison is `===` (P9).
 * @example
 * holds(fdAgreement((x: number) => mul(3, x), fdExact(1))([0.5], [0.25])) // => true
 * @category tolerances
 */
export const fdExact = (order: 1 | 2): FdSettings => ({ order, step: 1, tol: exact, rounding: 0 })

const checkSettings = ({ order, step, tol, rounding = defaultRounding }: FdSettings): void => {
  const bad = (what: string): never => {
    throw new InvalidArgumentError(`fdAgreement: ${what}`, {
      hint: 'start from fdOrder1 or fdOrder2 and change what you need',
    })
  }
  if (order !== 1 && order !== 2) bad(`order must be 1 or 2, got ${String(order)}`)
  if (!(Number.isFinite(step) && step > 0)) bad(`step must be finite and > 0, got ${step}`)
  for (const [name, value] of [
    ['tol.rtol', tol.rtol],
    ['tol.atol', tol.atol],
    ['rounding', rounding],
  ] as const) {
    if (!(value >= 0)) bad(`${name} must be a number ≥ 0, got ${value}`)
  }
}

/** The unit roundoff of `values`' arithmetic: float32's if any is float32, else float64's. */
const unitRoundoff = (values: readonly Numeric[]): number =>
  values.some((v) => typeof v !== 'number' && v.dtype === 'float32') ? 2 ** -24 : 2 ** -53

/** `settings.tol` widened by the rounding error of the difference quotient of `values`. */
const fdTolerance = (settings: FdSettings, values: readonly Numeric[]): Tolerance => {
  const { order, step: h, tol, rounding = defaultRounding } = settings
  const perEvaluation = rounding * unitRoundoff(values) * maxAbsAll(values)
  // order 1 divides two evaluations' errors by 2h; order 2 four (the centre's twice) by h²
  const difference = order === 1 ? perEvaluation / h : (4 * perEvaluation) / (h * h)
  return { rtol: tol.rtol, atol: tol.atol + difference }
}

/**
 * Law `fd-agreement`: the derivative of `f` at `xs` along `xDots` (one direction per argument,
 * trees shaped like the arguments) computed by `jvp` (left side) agrees with central finite
 * differences of `f` (right side), to first or second order as `settings` says.
 *
 * Tolerances: `fdOrder1` (default) and `fdOrder2`, documented above; the absolute part grows
 * with the rounding error of the differences, `rounding`·u·max|f|/hⁿ over the points evaluated
 * (times 4 at order 2). Throws `TreeMismatchError` when `xDots` does not match `xs`, and
 * `InvalidArgumentError` for settings out of range (order other than 1 or 2, step ≤ 0, a
 * negative or NaN tolerance).
 *
 * @example
 * holds(fdAgreement(sin)([0.5], [1])) // => true
 * holds(fdAgreement(sin, fdOrder2)([0.5], [1])) // => true
 * @category laws
 */
export const fdAgreement =
  <A extends readonly unknown[]>(f: (...args: A) => unknown, settings: FdSettings = fdOrder1) =>
  (xs: A, xDots: Like<A>): Equation => {
    checkSettings(settings)
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
        tol: fdTolerance(settings, [...plus, ...minus]),
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
      tol: fdTolerance(settings, [...plus, ...center, ...minus]),
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
