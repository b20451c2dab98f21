/**
 * `grad-jvp-agreement`: for a scalar-valued g, reverse and forward mode give the same
 * directional derivative, ⟨∇g(x), v⟩ = jvp(g)(x, v). A function f with any output is made
 * scalar as g = sum ∘ f, so the law also exercises `grad`'s own path (seeding 1, `argnums`
 * over every argument, cotangents of number and tensor arguments).
 *
 * Rounding as for vjp-jvp-adjoint: the tolerance's absolute part is scaled by Σ|∇g·v|.
 *
 * Laws: grad-jvp-agreement.
 * @module
 */
import { grad, jvp, sum } from 'fluxion'
import type { Numeric, Tolerance } from '../approx.ts'
import type { Fn } from '../subject.ts'
import { concrete, vdotAbsAll, vdotAll } from '../vector.ts'
import { type Equation, scaleAtol } from './law.ts'

/** Default tolerance for float64 rounding: rtol 1e-10, atol 1e-12. */
export const gradJvpTolerance: Tolerance = { rtol: 1e-10, atol: 1e-12 }

/** grad-jvp-agreement for g = sum ∘ f at `xs` along `xDots` (one direction per argument). */
export const gradJvpAgreement =
  (f: Fn, tol: Tolerance = gradJvpTolerance) =>
  (xs: readonly Numeric[], xDots: readonly Numeric[]): Equation => {
    const g = (...ys: Numeric[]): Numeric => sum(f(...ys))
    const argnums = xs.map((_, i) => i)
    const gradients = grad(g, { argnums })(...xs).map(concrete)
    const [, gDot] = jvp(g, [...xs], [...xDots])
    return {
      law: 'grad-jvp-agreement',
      lhs: [vdotAll(gradients, xDots)],
      rhs: [concrete(gDot)],
      tol: scaleAtol(tol, vdotAbsAll(gradients, xDots)),
    }
  }
