/**
 * Runners of the first-order laws over the registry: `fd-agreement` (orders 1 and 2),
 * `vjp-jvp-adjoint`, `jvp-linearity`, `vjp-linearity`, `grad-jvp-agreement` and
 * `zero-derivative`, each at points of the primitive's own domain, with the law's documented
 * tolerance (`fd-agreement` takes the domain's `rtol` when it sets one), or exactly for linear
 * primitives at dyadic points.
 * @module
 */
import {
  compositionTolerance,
  fdAgreement,
  gradJvpAgreement,
  jvpLinearity,
  linearTolerance,
  vjpJvpAdjoint,
  vjpLinearity,
  zeroDerivative,
} from 'fluxion/testing'
import { assertLaw, cotangent, fdSettings, type Runner, scalar, tangents, within } from './point.ts'

/** The first-order laws' runners. */
export const firstOrderRunners = {
  'fd-agreement': (p, { order }) =>
    assertLaw(p, (pt) =>
      fdAgreement(pt.subject.f, fdSettings(p, order === 2 ? 2 : 1, pt))(
        pt.subject.xs,
        tangents(pt),
      ),
    ),
  'vjp-jvp-adjoint': (p) =>
    assertLaw(p, (pt) =>
      vjpJvpAdjoint(pt.subject.f, within(pt, linearTolerance))(
        pt.subject.xs,
        tangents(pt),
        cotangent(pt),
      ),
    ),
  'jvp-linearity': (p) =>
    assertLaw(p, (pt) =>
      jvpLinearity(pt.subject.f, within(pt, linearTolerance))(
        pt.subject.xs,
        tangents(pt),
        tangents(pt),
        scalar(pt),
        scalar(pt),
      ),
    ),
  'vjp-linearity': (p) =>
    assertLaw(p, (pt) =>
      vjpLinearity(pt.subject.f, within(pt, linearTolerance))(
        pt.subject.xs,
        cotangent(pt),
        cotangent(pt),
        scalar(pt),
        scalar(pt),
      ),
    ),
  'grad-jvp-agreement': (p) =>
    assertLaw(p, (pt) =>
      gradJvpAgreement(pt.subject.f, within(pt, compositionTolerance))(pt.subject.xs, tangents(pt)),
    ),
  'zero-derivative': (p) =>
    assertLaw(p, (pt) => zeroDerivative(pt.subject.f)(pt.subject.xs, tangents(pt), cotangent(pt))),
} as const satisfies { readonly [law: string]: Runner }
