/**
 * Dual numbers a + b·ε (ε² = 0) as plain values, with a lawful fp-ts `Ring` instance: for code
 * written once against `Ring<A>` and differentiated by running it on duals (forward mode by
 * substitution, Elliott's "beautiful differentiation").
 *
 * Duals form a ring, not a field: a pure-ε value has no inverse. Division is therefore kept
 * apart (`div`), with its precondition checked.
 *
 * Laws: ring-associativity, ring-commutativity, ring-distributivity, ring-identity,
 * ring-inverse — exact on dyadic rationals.
 * @module
 */
import type { eq, ring } from 'fp-ts'
import { InvalidArgumentError } from '../core/errors.ts'

/** A dual number `re + eps·ε`. */
export interface DualNumber {
  /** The real (primal) part. */
  readonly re: number
  /** The ε (tangent) part. */
  readonly eps: number
}

/**
 * The dual number `re + eps·ε`.
 * @example
 * Dual.dual(3, 1) // => { re: 3, eps: 1 }
 * @category dual numbers
 */
export const dual = (re: number, eps = 0): DualNumber => ({ re, eps })

/**
 * The ring of dual numbers: componentwise sum, and the product
 * (a + a′ε)(b + b′ε) = ab + (ab′ + a′b)ε.
 * @example
 * Dual.Ring.mul(Dual.dual(3, 1), Dual.dual(3, 1)) // => { re: 9, eps: 6 }
 * @category dual numbers
 */
export const Ring: ring.Ring<DualNumber> = {
  add: (a, b) => dual(a.re + b.re, a.eps + b.eps),
  zero: dual(0, 0),
  mul: (a, b) => dual(a.re * b.re, a.re * b.eps + a.eps * b.re),
  one: dual(1, 0),
  sub: (a, b) => dual(a.re - b.re, a.eps - b.eps),
}

/**
 * Exact equality of both parts (`Object.is` semantics aside: 0 and −0 are equal).
 * @example
 * Dual.Eq.equals(Dual.dual(1, 2), Dual.dual(1, 2)) // => true
 * @category dual numbers
 */
export const Eq: eq.Eq<DualNumber> = {
  equals: (a, b) => a.re === b.re && a.eps === b.eps,
}

/**
 * Quotient a / b = a.re/b.re + (a.eps·b.re − a.re·b.eps)/b.re² ε.
 *
 * Requires `b.re ≠ 0`: duals are not a field. Throws `InvalidArgumentError` otherwise.
 * @example
 * Dual.div(Dual.dual(1, 0), Dual.dual(2, 1)) // => { re: 0.5, eps: -0.25 }
 * @category dual numbers
 */
export const div = (a: DualNumber, b: DualNumber): DualNumber => {
  if (b.re === 0) {
    throw new InvalidArgumentError('division by a dual number with zero real part', {
      primitive: 'Dual.div',
      hint: 'a pure-ε dual has no inverse; dual numbers form a ring, not a field',
    })
  }
  return dual(a.re / b.re, (a.eps * b.re - a.re * b.eps) / (b.re * b.re))
}

/**
 * The derivative at `x` of a function written against any `Ring`: runs it on `x + 1·ε` and
 * reads the ε part.
 * @example
 * const cube = <A>(R: ring.Ring<A>) => (x: A) => R.mul(x, R.mul(x, x))
 * Dual.derivative(cube)(2) // => 12
 * @category dual numbers
 */
export const derivative =
  (f: <A>(R: ring.Ring<A>) => (x: A) => A) =>
  (x: number): number =>
    f(Ring)(dual(x, 1)).eps
