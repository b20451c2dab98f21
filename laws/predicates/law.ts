/**
 * Laws as data. A law, instantiated at a point, is an `Equation`: two lists of values that must
 * agree within a tolerance. `holds` turns any law into a boolean predicate; `explain` says how
 * a failing instance fails. Keeping the two sides (not just a boolean) is what lets a runner
 * report the size of a violation instead of only "false".
 *
 * The laws, each named once and used by that name in doc comments, predicates and test titles:
 * fd-agreement, vjp-jvp-adjoint, jvp-linearity, vjp-linearity, grad-jvp-agreement,
 * zero-derivative.
 * @module
 */
import { approxEqual, describeDifference, type Numeric, type Tolerance } from '../approx.ts'

/** Every law's name (kebab-case, identical everywhere). */
export const lawNames = [
  'fd-agreement',
  'vjp-jvp-adjoint',
  'jvp-linearity',
  'vjp-linearity',
  'grad-jvp-agreement',
  'zero-derivative',
] as const

/** A law's name. */
export type LawName = (typeof lawNames)[number]

/** One instance of a law: `lhs` and `rhs` must agree pairwise within `tol`. */
export interface Equation {
  readonly law: LawName
  readonly lhs: readonly Numeric[]
  readonly rhs: readonly Numeric[]
  readonly tol: Tolerance
}

/** Whether an instance of a law holds: equally many values on each side, each pair within tolerance. */
export const holds = (e: Equation): boolean =>
  e.lhs.length === e.rhs.length && e.lhs.every((l, i) => approxEqual(l, e.rhs[i]!, e.tol))

/** Why an instance of a law fails (or that it holds). */
export const explain = (e: Equation): string => {
  const head = `${e.law} (rtol ${e.tol.rtol}, atol ${e.tol.atol.toExponential(2)})`
  if (e.lhs.length !== e.rhs.length) {
    return `${head}: ${e.lhs.length} values on the left, ${e.rhs.length} on the right`
  }
  const failures = e.lhs.flatMap((l, i) => {
    const r = e.rhs[i]!
    return approxEqual(l, r, e.tol) ? [] : [`value ${i}: ${describeDifference(l, r)}`]
  })
  return failures.length === 0 ? `${head} holds` : `${head} fails; ${failures.join('; ')}`
}

/** `tol` with its absolute part scaled by 1 + `scale`, the size of the terms being compared. */
export const scaleAtol = (tol: Tolerance, scale: number): Tolerance => ({
  rtol: tol.rtol,
  atol: tol.atol * (1 + scale),
})
