/**
 * Registry-wide law runners: every primitive in `primitiveNames` is checked by every law its
 * plan lists (`plan.ts`), at points sampled from the primitive's own domain. Tangents and
 * cotangents have entries in [−1, 1] and the scalars of the linearity laws lie in [−2, 2].
 * Linear primitives are sampled at dyadic rationals and checked exactly; the rest use each
 * law's documented tolerance (`fd-agreement` takes the domain's `rtol` when it sets one).
 *
 * Runs per property come from `FC_NUM_RUNS` (test/setup.ts); seeds are never pinned.
 */
import fc, { type GeneratorValue } from 'fast-check'
import { describe, it } from 'vitest'
import type { Draw, Primitive } from '../src/core/primitive.ts'
import { primitiveNames, primitives } from '../src/primitives/registry.ts'
import { exact, type Tolerance } from './approx.ts'
import { drawDyadicFrom, drawFrom } from './draw.ts'
import { type Check, checkedExactly, lawsFor } from './plan.ts'
import { adjointTolerance, vjpJvpAdjoint } from './predicates/adjoint.ts'
import {
  type FdSettings,
  fdAgreement,
  fdExact,
  fdOrder1,
  fdOrder2,
} from './predicates/finite-difference.ts'
import { gradJvpAgreement, gradJvpTolerance } from './predicates/grad-jvp.ts'
import { type Equation, explain, holds, type LawName } from './predicates/law.ts'
import { jvpLinearity, linearityTolerance, vjpLinearity } from './predicates/linearity.ts'
import { zeroDerivative } from './predicates/zero-derivative.ts'
import { type Subject, subjectOf } from './subject.ts'
import { drawLike } from './vector.ts'

/** A sampled point of a primitive's domain, and the draw to sample tangents with. */
interface Point {
  readonly subject: Subject
  readonly draw: Draw
  readonly exactly: boolean
}

/** Asserts `law` at points sampled from `p`'s domain; a failure names the call and the gap. */
const assertLaw = (p: Primitive, law: (point: Point) => Equation): void => {
  const exactly = checkedExactly(p)
  fc.assert(
    fc.property(fc.gen(), (g: GeneratorValue) => {
      const draw = exactly ? drawDyadicFrom(g) : drawFrom(g)
      const subject = subjectOf(p, p.domain.sample(draw))
      const equation = law({ subject, draw, exactly })
      if (!holds(equation)) throw new Error(`${subject.label}: ${explain(equation)}`)
    }),
  )
}

/** Tangents for the point's arguments (entries in [−1, 1]). */
const tangents = ({ subject, draw }: Point) => subject.xs.map((x) => drawLike(draw, x))

/** A cotangent for the point's output (entries in [−1, 1]). */
const cotangent = ({ subject, draw }: Point) => drawLike(draw, subject.f(...subject.xs))

/** A scalar in [−2, 2] for the linearity laws (dyadic when the point is). */
const scalar = ({ draw }: Point) => draw.real(-2, 2)

/** A law's tolerance at a point: `tol`, or exact where the point is dyadic and `p` linear. */
const within = (pt: Point, tol: Tolerance): Tolerance => (pt.exactly ? exact : tol)

/** fd-agreement settings for `p`: exact for linear primitives, else the defaults (domain rtol). */
const fdSettings = (p: Primitive, order: 1 | 2, pt: Point): FdSettings => {
  if (pt.exactly) return fdExact(order)
  const base = order === 1 ? fdOrder1 : fdOrder2
  const rtol = p.domain.rtol
  return rtol === undefined ? base : { ...base, tol: { ...base.tol, rtol } }
}

/** How each law is run on a primitive: every law has a runner, or `tsc` fails. */
const runners: { readonly [L in LawName]: (p: Primitive, check: Check) => void } = {
  'fd-agreement': (p, { order = 1 }) =>
    assertLaw(p, (pt) =>
      fdAgreement(pt.subject.f, fdSettings(p, order, pt))(pt.subject.xs, tangents(pt)),
    ),
  'vjp-jvp-adjoint': (p) =>
    assertLaw(p, (pt) =>
      vjpJvpAdjoint(pt.subject.f, within(pt, adjointTolerance))(
        pt.subject.xs,
        tangents(pt),
        cotangent(pt),
      ),
    ),
  'jvp-linearity': (p) =>
    assertLaw(p, (pt) =>
      jvpLinearity(pt.subject.f, within(pt, linearityTolerance))(
        pt.subject.xs,
        tangents(pt),
        tangents(pt),
        scalar(pt),
        scalar(pt),
      ),
    ),
  'vjp-linearity': (p) =>
    assertLaw(p, (pt) =>
      vjpLinearity(pt.subject.f, within(pt, linearityTolerance))(
        pt.subject.xs,
        cotangent(pt),
        cotangent(pt),
        scalar(pt),
        scalar(pt),
      ),
    ),
  'grad-jvp-agreement': (p) =>
    assertLaw(p, (pt) =>
      gradJvpAgreement(pt.subject.f, within(pt, gradJvpTolerance))(pt.subject.xs, tangents(pt)),
    ),
  'zero-derivative': (p) =>
    assertLaw(p, (pt) => zeroDerivative(pt.subject.f)(pt.subject.xs, tangents(pt), cotangent(pt))),
}

describe.each(primitiveNames)('%s', (name) => {
  const p = primitives[name]
  for (const check of lawsFor(p)) it(check.title, () => runners[check.law](p, check))
})
