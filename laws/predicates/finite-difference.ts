/**
 * `fd-agreement`: forward mode agrees with central finite differences of `f` along a direction
 * `v` (JAX's `check_grads`), to first and second order.
 *
 * - Order 1: jvp(f)(x, v) ≈ (f(x + hv) − f(x − hv)) / 2h.
 * - Order 2: jvp(x ↦ jvp(f)(x, v))(x, v) ≈ (f(x + hv) − 2f(x) + f(x − hv)) / h², the second
 *   directional derivative, so the derivative rules are themselves differentiated correctly.
 *
 * Error budget in float64 (u = 2⁻⁵³ ≈ 1.1e-16, |x| ≤ 3, |v| ≤ 1): order 1 has truncation error
 * h²/6·|f‴| and rounding error about u·|f|/h; order 2 has h²/12·|f⁗| and about 4u·|f|/h².
 * Hence the defaults: order 1 with h = 1e-5 (both errors near 1e-11 relative), order 2 with
 * h = 1e-4 (rounding about 4e-8·|f|, truncation about 1e-9·|f⁗|). The tolerance is relative
 * to the derivative plus absolute, the absolute part scaled by 1 + max|f| because rounding error
 * grows with the size of the values differenced.
 *
 * Laws: fd-agreement.
 * @module
 */
import { jvp } from 'fluxion'
import { exact, type Numeric, type Tolerance } from '../approx.ts'
import type { Fn } from '../subject.ts'
import { combine, concrete, maxAbs, zipWith } from '../vector.ts'
import { type Equation, scaleAtol } from './law.ts'

/** Which derivative to compare, the finite-difference step, and the tolerance. */
export interface FdSettings {
  readonly order: 1 | 2
  readonly step: number
  /** Elementwise tolerance; `atol` is scaled by 1 + max|f| over the points evaluated. */
  readonly tol: Tolerance
}

/** First order, smooth functions: h = 1e-5, rtol 1e-6, atol 1e-7. */
export const fdOrder1: FdSettings = { order: 1, step: 1e-5, tol: { rtol: 1e-6, atol: 1e-7 } }

/** Second order, smooth functions: h = 1e-4, rtol 1e-4, atol 1e-5. */
export const fdOrder2: FdSettings = { order: 2, step: 1e-4, tol: { rtol: 1e-4, atol: 1e-5 } }

/**
 * Linear maps at dyadic points along dyadic directions: a difference quotient of a linear map
 * has no truncation error at any step, and with h = 1 every operation is exact in float64, so
 * the comparison is `===` (P9).
 */
export const fdExact = (order: 1 | 2): FdSettings => ({ order, step: 1, tol: exact })

/**
 * fd-agreement at `xs` along `xDots` (one direction per argument): the jvp-computed derivative
 * (left) against the central difference (right).
 */
export const fdAgreement =
  (f: Fn, settings: FdSettings) =>
  (xs: readonly Numeric[], xDots: readonly Numeric[]): Equation => {
    const h = settings.step
    const at = (t: number): Numeric => f(...xs.map((x, i) => combine(1, x, t, xDots[i]!)))
    const plus = at(h)
    const minus = at(-h)
    if (settings.order === 1) {
      const [, yDot] = jvp(f, [...xs], [...xDots])
      return {
        law: 'fd-agreement',
        lhs: [concrete(yDot)],
        rhs: [zipWith(plus, minus, (p, m) => (p - m) / (2 * h))],
        tol: scaleAtol(settings.tol, Math.max(maxAbs(plus), maxAbs(minus))),
      }
    }
    const center = f(...xs)
    // differences from the centre first: each is exact when the points are close (Sterbenz)
    const up = zipWith(plus, center, (p, c) => p - c)
    const down = zipWith(minus, center, (m, c) => m - c)
    const pushforward: Fn = (...ys) => jvp(f, ys, [...xDots])[1]
    const [, yDotDot] = jvp(pushforward, [...xs], [...xDots])
    return {
      law: 'fd-agreement',
      lhs: [concrete(yDotDot)],
      rhs: [zipWith(up, down, (u, d) => (u + d) / (h * h))],
      tol: scaleAtol(settings.tol, Math.max(maxAbs(plus), maxAbs(center), maxAbs(minus))),
    }
  }
