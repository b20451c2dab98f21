/**
 * The laws of a commutative ring, for any fp-ts `Ring<A>` with an `Eq<A>`: what the
 * `Dual.Ring` instance satisfies, and what a user's own instance should. Exact laws: check
 * them on values whose sums and products are exact (dyadic rationals, `dyadic` and
 * `dualNumber` among the arbitraries) with an exact `Eq`.
 *
 * Laws: ring-associativity, ring-commutativity, ring-distributivity, ring-identity,
 * ring-inverse, ring-annihilation.
 * @module
 */
import type { eq, ring } from 'fp-ts'

/** A ring law at three points (laws of fewer points ignore the rest). */
export type RingLaw<A> = (a: A, b: A, c: A) => boolean

/**
 * Law `ring-associativity`: (a + b) + c = a + (b + c) and (a·b)·c = a·(b·c).
 * @example
 * ringAssociativity(Dual.Ring, Dual.Eq)(Dual.dual(1, 2), Dual.dual(3, 4), Dual.dual(5, 6)) // => true
 * @category ring laws
 */
export const ringAssociativity =
  <A>(R: ring.Ring<A>, E: eq.Eq<A>): RingLaw<A> =>
  (a, b, c) =>
    E.equals(R.add(R.add(a, b), c), R.add(a, R.add(b, c))) &&
    E.equals(R.mul(R.mul(a, b), c), R.mul(a, R.mul(b, c)))

/**
 * Law `ring-commutativity`: a + b = b + a and a·b = b·a (a commutative ring, as duals are).
 * @example
 * ringCommutativity(Dual.Ring, Dual.Eq)(Dual.dual(1, 2), Dual.dual(3, 4), Dual.Ring.zero) // => true
 * @category ring laws
 */
export const ringCommutativity =
  <A>(R: ring.Ring<A>, E: eq.Eq<A>): RingLaw<A> =>
  (a, b) =>
    E.equals(R.add(a, b), R.add(b, a)) && E.equals(R.mul(a, b), R.mul(b, a))

/**
 * Law `ring-distributivity`: a·(b + c) = a·b + a·c and (a + b)·c = a·c + b·c.
 * @example
 * ringDistributivity(Dual.Ring, Dual.Eq)(Dual.dual(1, 2), Dual.dual(3, 4), Dual.dual(5, 6)) // => true
 * @category ring laws
 */
export const ringDistributivity =
  <A>(R: ring.Ring<A>, E: eq.Eq<A>): RingLaw<A> =>
  (a, b, c) =>
    E.equals(R.mul(a, R.add(b, c)), R.add(R.mul(a, b), R.mul(a, c))) &&
    E.equals(R.mul(R.add(a, b), c), R.add(R.mul(a, c), R.mul(b, c)))

/**
 * Law `ring-identity`: a + 0 = a, a·1 = a and 1·a = a.
 * @example
 * ringIdentity(Dual.Ring, Dual.Eq)(Dual.dual(1, 2), Dual.Ring.zero, Dual.Ring.zero) // => true
 * @category ring laws
 */
export const ringIdentity =
  <A>(R: ring.Ring<A>, E: eq.Eq<A>): RingLaw<A> =>
  (a) =>
    E.equals(R.add(a, R.zero), a) && E.equals(R.mul(a, R.one), a) && E.equals(R.mul(R.one, a), a)

/**
 * Law `ring-inverse`: a − a = 0 and a + (0 − a) = 0.
 * @example
 * ringInverse(Dual.Ring, Dual.Eq)(Dual.dual(1, 2), Dual.Ring.zero, Dual.Ring.zero) // => true
 * @category ring laws
 */
export const ringInverse =
  <A>(R: ring.Ring<A>, E: eq.Eq<A>): RingLaw<A> =>
  (a) =>
    E.equals(R.sub(a, a), R.zero) && E.equals(R.add(a, R.sub(R.zero, a)), R.zero)

/**
 * Law `ring-annihilation`: a·0 = 0 and 0·a = 0.
 * @example
 * ringAnnihilation(Dual.Ring, Dual.Eq)(Dual.dual(1, 2), Dual.Ring.zero, Dual.Ring.zero) // => true
 * @category ring laws
 */
export const ringAnnihilation =
  <A>(R: ring.Ring<A>, E: eq.Eq<A>): RingLaw<A> =>
  (a) =>
    E.equals(R.mul(a, R.zero), R.zero) && E.equals(R.mul(R.zero, a), R.zero)

/**
 * Every ring law for `R` and `E`, by name: iterate it to check an instance completely.
 * @example
 * const laws = ringLaws(Dual.Ring, Dual.Eq)
 * laws['ring-distributivity'](Dual.dual(1, 2), Dual.dual(3, 4), Dual.dual(5, 6)) // => true
 * @category ring laws
 */
export const ringLaws = <A>(R: ring.Ring<A>, E: eq.Eq<A>) =>
  ({
    /** {@link ringAssociativity}: (a + b) + c = a + (b + c) and (a·b)·c = a·(b·c). */
    'ring-associativity': ringAssociativity(R, E),
    /** {@link ringCommutativity}: a + b = b + a and a·b = b·a. */
    'ring-commutativity': ringCommutativity(R, E),
    /** {@link ringDistributivity}: a·(b + c) = a·b + a·c and (a + b)·c = a·c + b·c. */
    'ring-distributivity': ringDistributivity(R, E),
    /** {@link ringIdentity}: a + 0 = a, a·1 = a and 1·a = a. */
    'ring-identity': ringIdentity(R, E),
    /** {@link ringInverse}: a − a = 0 and a + (0 − a) = 0. */
    'ring-inverse': ringInverse(R, E),
    /** {@link ringAnnihilation}: a·0 = 0 and 0·a = 0. */
    'ring-annihilation': ringAnnihilation(R, E),
  }) as const
