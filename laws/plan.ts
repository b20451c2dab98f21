/**
 * Which laws the registry-wide runners check for each primitive. The runners iterate over this
 * plan (and the coverage test reads it), so a primitive is covered exactly when its plan says
 * so: every primitive gets `fd-agreement` (orders 1 and 2) and `vjp-jvp-adjoint` plus the
 * linearity laws and `grad-jvp-agreement`, or, if it has a zero derivative, `zero-derivative`.
 * @module
 */
import type { Primitive } from '../src/core/primitive.ts'
import type { LawName } from './predicates/law.ts'

/** One law to check for a primitive: the law, its order if it has one, and the test title. */
export interface Check {
  readonly law: LawName
  /** Derivative order, for `fd-agreement`. */
  readonly order?: 1 | 2
  /** The test title: the law's name, then its order if it has one. */
  readonly title: string
}

/**
 * Primitives exempt from second-order `fd-agreement`, with the reason. `cast` only changes the
 * representation (number ↔ rank-0 tensor) of a value: as a map of values it is the identity,
 * its second derivative is zero by linearity, and its first-order laws already check the kinds
 * of its tangents and cotangents. (It passes the second-order law too; the exemption keeps the
 * first suite's scope as specified.)
 */
export const secondOrderExempt: { readonly [name: string]: string } = {
  cast: 'the identity on values: second order adds nothing to its first-order laws',
}

const check = (law: LawName, order?: 1 | 2): Check =>
  order === undefined ? { law, title: law } : { law, order, title: `${law} (order ${order})` }

/** The laws checked for `p`, in the order the runners run them. */
export const lawsFor = (p: Primitive): readonly Check[] => {
  if (p.zeroDerivative) return [check('zero-derivative')]
  return [
    check('fd-agreement', 1),
    ...(p.name in secondOrderExempt ? [] : [check('fd-agreement', 2)]),
    check('vjp-jvp-adjoint'),
    check('jvp-linearity'),
    check('vjp-linearity'),
    check('grad-jvp-agreement'),
  ]
}

/**
 * Whether `p`'s laws are checked exactly: a linear primitive is sampled at dyadic rationals
 * along dyadic directions, where its laws hold with `===` (lesson 7, P9).
 */
export const checkedExactly = (p: Primitive): boolean => p.domain.linear === true
