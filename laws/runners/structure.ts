/**
 * Runners of the structural laws over the registry, at points of each primitive's domain:
 *
 * - `transpose-involution` on every linear primitive, at dyadic points along dyadic
 *   directions, exactly (`===`): the pullback of the pullback is the primitive itself;
 * - `unbroadcast` on every primitive that broadcasts its arguments elementwise, at the
 *   broadcast pairs its domain draws: each cotangent has its argument's kind and shape and is
 *   the full-shape cotangent summed over the broadcast axes (exact for linear primitives).
 * @module
 */
import { exact, transposeInvolution, unbroadcast, unbroadcastTolerance } from 'fluxion/testing'
import { assertLaw, cotangent, type Runner, tangents, within } from './point.ts'

/** The structural laws' runners. */
export const structureRunners = {
  'transpose-involution': (p) =>
    assertLaw(p, (pt) => transposeInvolution(pt.subject.f, exact)(pt.subject.xs, tangents(pt))),
  unbroadcast: (p) =>
    assertLaw(p, (pt) =>
      unbroadcast(pt.subject.f, within(pt, unbroadcastTolerance))(pt.subject.xs, cotangent(pt)),
    ),
} as const satisfies { readonly [law: string]: Runner }
