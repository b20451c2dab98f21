/**
 * Which laws the registry-wide runners check for each primitive. The runners iterate over this
 * plan and the coverage test reads it, so a primitive is covered exactly when its plan says so:
 *
 * - every primitive: `vmap-agreement` (one batch axis, and vmap of vmap), `jit-agreement`
 *   (the primitive and its pullback, compiled and replayed, give the eager bits) and
 *   `abstract-agreement` (what `jit`'s abstract trace records for it — kind, shape, dtype, weak
 *   type — is what it computes);
 * - a differentiable one: `fd-agreement` (orders 1 and 2), `vjp-jvp-adjoint`, `jvp-linearity`,
 *   `vjp-linearity`, `grad-jvp-agreement`, `grad-jacrev-jacfwd`, `chain-rule`,
 *   `hessian-symmetry`, `hessian-agreement` and `hvp-fd`; and `grad-jacrev-jacfwd` again at its
 *   domain's special points (signed zeros, ±∞, NaN, kinks), where every mode must agree too;
 * - one with a zero derivative (comparisons, `sign`, `stopGradient`): `zero-derivative`;
 * - a linear one: `transpose-involution`;
 * - every primitive: `float32-agreement` (float32 arguments give float32 results, derivatives,
 *   batches and compiled replays, agreeing with float64); a differentiable one also
 *   `float32-fd` (finite differences evaluated in float32);
 * - an elementwise one that broadcasts two or more arguments: `unbroadcast`;
 * - a differentiable elementwise one: `taylor-nested-agreement` (orders 1–4, and orders 1–4 at
 *   its special points).
 * @module
 */
import type { LawName } from 'fluxion/testing'
import type { Primitive } from '../src/core/primitive.ts'

/** The laws run over the registry: the kit's laws that apply to a primitive, and two more. */
export type RegistryLaw =
  | Exclude<
      LawName,
      | 'tree-roundtrip'
      | 'perturbation-confusion'
      | 'ring-associativity'
      | 'ring-commutativity'
      | 'ring-distributivity'
      | 'ring-identity'
      | 'ring-inverse'
      | 'ring-annihilation'
    >
  | 'vmap-agreement'
  | 'taylor-nested-agreement'
  | 'jit-agreement'
  | 'abstract-agreement'
  | 'float32-agreement'
  | 'float32-fd'

/** One law to check for a primitive: the law, its order or variant if any, and the test title. */
export interface Check {
  readonly law: RegistryLaw
  /** Derivative order, for `fd-agreement` and `taylor-nested-agreement`. */
  readonly order?: number
  /**
   * Which form of the law: for `vmap-agreement`, the batch axes; for `grad-jacrev-jacfwd` and
   * `taylor-nested-agreement`, 'special points' runs it at the domain's special points.
   */
  readonly variant?: 'one batch axis' | 'two batch axes' | 'special points'
  /** The test title: the law's name, then its order or variant. */
  readonly title: string
}

/**
 * Primitives exempt from second-order `fd-agreement`, with the reason. `cast` only changes the
 * representation (number ↔ rank-0 tensor) of a value: as a map of values it is the identity,
 * its second derivative is zero by linearity, and its first-order laws already check the kinds
 * of its tangents and cotangents.
 */
export const secondOrderExempt: { readonly [name: string]: string } = {
  cast: 'the identity on values: second order adds nothing to its first-order laws',
}

const check = (law: RegistryLaw, order?: number): Check =>
  order === undefined ? { law, title: law } : { law, order, title: `${law} (order ${order})` }

/** Whether `p` is elementwise (a scalar kernel of one or two arguments). */
export const isElementwise = (p: Primitive): boolean =>
  p.scalar1 !== undefined || p.scalar2 !== undefined

/** Whether `p` broadcasts two or more arguments elementwise (binary ops, `where`). */
export const isBroadcasting = (p: Primitive): boolean =>
  p.scalar2 !== undefined || p.name === 'where'

/** Whether `p` is linear in its differentiable arguments (its domain says so). */
export const isLinear = (p: Primitive): boolean => p.domain.linear === true

/** The laws checked for `p`, in the order the runners run them. */
export const lawsFor = (p: Primitive): readonly Check[] => {
  const checks: Check[] = []
  if (p.zeroDerivative) {
    checks.push(check('zero-derivative'))
  } else {
    checks.push(check('fd-agreement', 1))
    if (!(p.name in secondOrderExempt)) checks.push(check('fd-agreement', 2))
    for (const law of [
      'vjp-jvp-adjoint',
      'jvp-linearity',
      'vjp-linearity',
      'grad-jvp-agreement',
      'grad-jacrev-jacfwd',
      'chain-rule',
      'hessian-symmetry',
      'hessian-agreement',
      'hvp-fd',
    ] as const) {
      checks.push(check(law))
    }
    checks.push({
      law: 'grad-jacrev-jacfwd',
      variant: 'special points',
      title: 'grad-jacrev-jacfwd (special points)',
    })
  }
  if (isLinear(p)) checks.push(check('transpose-involution'))
  if (isBroadcasting(p)) checks.push(check('unbroadcast'))
  checks.push(
    { law: 'vmap-agreement', variant: 'one batch axis', title: 'vmap-agreement (one batch axis)' },
    { law: 'vmap-agreement', variant: 'two batch axes', title: 'vmap-agreement (two batch axes)' },
    check('jit-agreement'),
    check('abstract-agreement'),
    check('float32-agreement'),
  )
  if (!p.zeroDerivative) checks.push(check('float32-fd'))
  if (!p.zeroDerivative && isElementwise(p)) {
    for (const k of [1, 2, 3, 4]) checks.push(check('taylor-nested-agreement', k))
    checks.push({
      law: 'taylor-nested-agreement',
      variant: 'special points',
      title: 'taylor-nested-agreement (special points)',
    })
  }
  return checks
}

/**
 * Whether `p`'s laws are checked exactly: a linear primitive is sampled at dyadic rationals
 * along dyadic directions, where its laws hold with `===` (lesson 7, P9).
 */
export const checkedExactly = (p: Primitive): boolean => isLinear(p)
