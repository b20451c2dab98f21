/**
 * `vjp-jvp-adjoint`: reverse mode is the transpose of forward mode. For every tangent ẋ and
 * cotangent ȳ, ⟨ȳ, J·ẋ⟩ = ⟨Jᵀ·ȳ, ẋ⟩, with J·ẋ from `jvp` and Jᵀ·ȳ from `vjp` (summed over
 * all arguments on the right).
 *
 * Both sides are inner products of values computed by different rules, so they agree up to
 * rounding: at most about n·u·Σ|terms| for n terms (u = 2⁻⁵³). The tolerance's absolute part is
 * scaled by Σ|ȳᵢ·(J·ẋ)ᵢ| + Σ|x̄ⱼ·ẋⱼ|, the size of the terms summed, so cancellation in the sums
 * cannot make the law fail spuriously.
 *
 * Laws: vjp-jvp-adjoint.
 * @module
 */
import { jvp, vjp } from 'fluxion'
import type { Numeric, Tolerance } from '../approx.ts'
import type { Fn } from '../subject.ts'
import { concrete, vdot, vdotAbs, vdotAbsAll, vdotAll } from '../vector.ts'
import { type Equation, scaleAtol } from './law.ts'

/** Default tolerance of the adjoint law for float64 rounding: rtol 1e-10, atol 1e-12. */
export const adjointTolerance: Tolerance = { rtol: 1e-10, atol: 1e-12 }

/** vjp-jvp-adjoint at `xs` for tangents `xDots` (one per argument) and output cotangent `yBar`. */
export const vjpJvpAdjoint =
  (f: Fn, tol: Tolerance = adjointTolerance) =>
  (xs: readonly Numeric[], xDots: readonly Numeric[], yBar: Numeric): Equation => {
    const yDot = concrete(jvp(f, [...xs], [...xDots])[1])
    const [, pullback] = vjp(f, ...xs)
    const xBars = pullback(yBar).map(concrete)
    return {
      law: 'vjp-jvp-adjoint',
      lhs: [vdot(yBar, yDot)],
      rhs: [vdotAll(xBars, xDots)],
      tol: scaleAtol(tol, vdotAbs(yBar, yDot) + vdotAbsAll(xBars, xDots)),
    }
  }
