/**
 * Laws as data. A law, instantiated at a point, is an `Equation`: two lists of values that must
 * agree within a tolerance (and, for laws about structure, a mismatch found before any value is
 * compared). `holds` turns any law into a boolean predicate; `explain` says how a failing
 * instance fails; `assertHolds` throws a `GradientCheckError` that says so. Keeping the two
 * sides, not just a boolean, is what lets a failure report the size of a violation.
 *
 * The laws, each named once and used by that name in doc comments, predicates and test titles:
 * fd-agreement, vjp-jvp-adjoint, jvp-linearity, vjp-linearity, chain-rule, grad-jvp-agreement,
 * grad-jacrev-jacfwd, hessian-symmetry, hessian-agreement, hvp-fd, transpose-involution,
 * unbroadcast, tree-roundtrip, perturbation-confusion, zero-derivative, and the ring laws
 * ring-associativity, ring-commutativity, ring-distributivity, ring-identity, ring-inverse,
 * ring-annihilation.
 * @module
 */
import { approxEqual, describeDifference, type Numeric, type Tolerance } from './approx.ts'
import { GradientCheckError } from './errors.ts'

/** Every law's name (kebab-case, identical everywhere). */
export const lawNames = [
  'fd-agreement',
  'vjp-jvp-adjoint',
  'jvp-linearity',
  'vjp-linearity',
  'chain-rule',
  'grad-jvp-agreement',
  'grad-jacrev-jacfwd',
  'hessian-symmetry',
  'hessian-agreement',
  'hvp-fd',
  'transpose-involution',
  'unbroadcast',
  'tree-roundtrip',
  'perturbation-confusion',
  'zero-derivative',
  'ring-associativity',
  'ring-commutativity',
  'ring-distributivity',
  'ring-identity',
  'ring-inverse',
  'ring-annihilation',
] as const

/** A law's name. */
export type LawName = (typeof lawNames)[number]

/** A derivative mode: forward (`jvp`) or reverse (`vjp`, `grad`). */
export type Mode = 'fwd' | 'rev'

/** One instance of a law: `lhs` and `rhs` must agree pairwise within `tol`. */
export interface Equation {
  /** The law this is an instance of. */
  readonly law: LawName
  /** The left side's values, one per pair. */
  readonly lhs: readonly Numeric[]
  /** The right side's values, in the same order as `lhs`. */
  readonly rhs: readonly Numeric[]
  /** How close each pair must be (`exact` for exact laws). */
  readonly tol: Tolerance
  /** A violation found before comparing values (a tree's structure, a leaf's kind), if any. */
  readonly mismatch?: string
  /** What each pair is, for failure messages (`value i` where absent). */
  readonly labels?: readonly string[]
}

/**
 * Whether an instance of a law holds: no mismatch, equally many values on each side, and each
 * pair within tolerance.
 *
 * @example
 * holds(vjpJvpAdjoint((x: number) => mul(x, x))([3], [1], 1)) // => true
 * @category laws
 */
export const holds = (e: Equation): boolean =>
  e.mismatch === undefined &&
  e.lhs.length === e.rhs.length &&
  e.lhs.every((l, i) => approxEqual(l, e.rhs[i]!, e.tol))

/**
 * Why an instance of a law fails (or that it holds): the law, its tolerance, and for each
 * disagreeing pair the largest absolute and relative differences.
 *
 * @example
 * explain(vjpJvpAdjoint((x: number) => mul(x, x))([3], [1], 1)) // => 'vjp-jvp-adjoint (rtol 1e-10, atol 1.30e-11) holds'
 * @category laws
 */
export const explain = (e: Equation): string => {
  const head = `${e.law} (rtol ${e.tol.rtol}, atol ${e.tol.atol.toExponential(2)})`
  if (e.mismatch !== undefined) return `${head} fails: ${e.mismatch}`
  if (e.lhs.length !== e.rhs.length) {
    return `${head}: ${e.lhs.length} values on the left, ${e.rhs.length} on the right`
  }
  const failures = e.lhs.flatMap((l, i) => {
    const r = e.rhs[i]!
    const label = e.labels?.[i] ?? `value ${i}`
    return approxEqual(l, r, e.tol) ? [] : [`${label}: ${describeDifference(l, r)}`]
  })
  return failures.length === 0 ? `${head} holds` : `${head} fails; ${failures.join('; ')}`
}

/**
 * Throws `GradientCheckError` when `e` does not hold, with `explain`'s account of the failure
 * and `context` (say, the input) in front. Use it as the body of a fast-check property.
 *
 * @example
 * assertHolds(fdAgreement(sin, fdOrder1)([0.5], [1]), 'sin at 0.5') // no throw
 * @category laws
 */
export const assertHolds = (e: Equation, context = ''): void => {
  if (holds(e)) return
  throw new GradientCheckError(`${context === '' ? '' : `${context}: `}${explain(e)}`, {
    law: e.law,
    tolerance: e.tol,
  })
}

/**
 * `tol` with its absolute part scaled by 1 + `scale`, the size of the terms being compared:
 * how the laws keep rounding in large terms from failing them.
 * @example
 * scaleAtol({ rtol: 1e-10, atol: 1e-12 }, 999) // => { rtol: 1e-10, atol: 1e-9 }
 * @category laws
 */
export const scaleAtol = (tol: Tolerance, scale: number): Tolerance => ({
  rtol: tol.rtol,
  atol: tol.atol * (1 + scale),
})
