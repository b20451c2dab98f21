/**
 * Linearity of the derivative maps, at a fixed point `xs`:
 *
 * - `jvp-linearity`: J·(a·u + b·v) = a·(J·u) + b·(J·v) for tangents u, v and scalars a, b;
 * - `vjp-linearity`: Jᵀ·(a·ȳ₁ + b·ȳ₂) = a·(Jᵀ·ȳ₁) + b·(Jᵀ·ȳ₂) for output cotangents ȳ₁, ȳ₂.
 *
 * Both sides are the same linear map evaluated in a different order, so they differ by rounding
 * only: a few units of u = 2⁻⁵³ times the size of the terms combined. The tolerance's absolute
 * part is scaled by max|a·J·u| + max|b·J·v| (resp. the cotangent terms). At dyadic points of a
 * linear primitive the laws hold exactly.
 *
 * Laws: jvp-linearity, vjp-linearity.
 * @module
 */
import { jvp, vjp } from 'fluxion'
import type { Numeric, Tolerance } from '../approx.ts'
import type { Fn } from '../subject.ts'
import { combine, concrete, maxAbs } from '../vector.ts'
import { type Equation, scaleAtol } from './law.ts'

/** Default tolerance of the linearity laws for float64 rounding: rtol 1e-10, atol 1e-12. */
export const linearityTolerance: Tolerance = { rtol: 1e-10, atol: 1e-12 }

/** The scale of a·p + b·q for rounding purposes: max|a·p| + max|b·q| over all values. */
const termScale = (a: number, ps: readonly Numeric[], b: number, qs: readonly Numeric[]): number =>
  ps.reduce<number>((s, p, i) => s + Math.abs(a) * maxAbs(p) + Math.abs(b) * maxAbs(qs[i]!), 0)

/** jvp-linearity at `xs` for tangents `us`, `vs` (one per argument) and scalars `a`, `b`. */
export const jvpLinearity =
  (f: Fn, tol: Tolerance = linearityTolerance) =>
  (
    xs: readonly Numeric[],
    us: readonly Numeric[],
    vs: readonly Numeric[],
    a: number,
    b: number,
  ): Equation => {
    const push = (tangents: readonly Numeric[]): Numeric =>
      concrete(jvp(f, [...xs], [...tangents])[1])
    const ju = push(us)
    const jv = push(vs)
    return {
      law: 'jvp-linearity',
      lhs: [push(us.map((u, i) => combine(a, u, b, vs[i]!)))],
      rhs: [combine(a, ju, b, jv)],
      tol: scaleAtol(tol, termScale(a, [ju], b, [jv])),
    }
  }

/** vjp-linearity at `xs` for output cotangents `yBar1`, `yBar2` and scalars `a`, `b`. */
export const vjpLinearity =
  (f: Fn, tol: Tolerance = linearityTolerance) =>
  (xs: readonly Numeric[], yBar1: Numeric, yBar2: Numeric, a: number, b: number): Equation => {
    const [, pullback] = vjp(f, ...xs)
    const pull = (yBar: Numeric): Numeric[] => pullback(yBar).map(concrete)
    const p1 = pull(yBar1)
    const p2 = pull(yBar2)
    return {
      law: 'vjp-linearity',
      lhs: pull(combine(a, yBar1, b, yBar2)),
      rhs: p1.map((x, i) => combine(a, x, b, p2[i]!)),
      tol: scaleAtol(tol, termScale(a, p1, b, p2)),
    }
  }
