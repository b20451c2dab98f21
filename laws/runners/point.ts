/**
 * What every registry-wide runner shares: points sampled from a primitive's own domain, the
 * directions and cotangents drawn at them, and the assertion that turns a law's `Equation`
 * into a fast-check property whose failure names the call and the size of the violation; and
 * the same at the domain's special points, compared with NaN equal to NaN and infinities
 * exactly.
 *
 * Tangents and cotangents have entries in [−1, 1]; scalars of the linearity laws lie in
 * [−2, 2]. Linear primitives are sampled at dyadic rationals and checked exactly.
 * @module
 */
import fc, { type GeneratorValue } from 'fast-check'
import {
  type Equation,
  exact,
  explain,
  type FdSettings,
  fdExact,
  fdOrder1,
  fdOrder2,
  formatTree,
  holds,
  type Numeric,
  type Tolerance,
  valuesOf,
} from 'fluxion/testing'
import type { Draw, Primitive } from '../../src/core/primitive.ts'
import { drawDyadicFrom, drawFrom, drawLike } from '../draw.ts'
import type { Check } from '../plan.ts'
import { checkedExactly } from '../plan.ts'
import { type Subject, subjectOf } from '../subject.ts'

/** How one law is run over a primitive's domain. */
export type Runner = (p: Primitive, check: Check) => void

/** A sampled point of a primitive's domain, and the draw to sample tangents with. */
export interface Point {
  readonly subject: Subject
  readonly draw: Draw
  readonly exactly: boolean
  readonly g: GeneratorValue
}

/** Asserts `law` at points sampled from `p`'s domain; a failure names the call and the gap. */
export const assertLaw = (p: Primitive, law: (point: Point) => Equation): void => {
  const exactly = checkedExactly(p)
  fc.assert(
    fc.property(fc.gen(), (g: GeneratorValue) => {
      const draw = exactly ? drawDyadicFrom(g) : drawFrom(g)
      const subject = subjectOf(p, p.domain.sample(draw))
      const equation = law({ subject, draw, exactly, g })
      if (!holds(equation)) throw new Error(`${subject.label}: ${explain(equation)}`)
    }),
  )
}

/** Tangents for the point's arguments (entries in [−1, 1]). */
export const tangents = ({ subject, draw }: Point): Numeric[] =>
  subject.xs.map((x) => drawLike(draw, x))

/** A cotangent for a value like `template` (entries in [−1, 1]). */
export const cotangentLike = ({ draw }: Point, template: Numeric): Numeric =>
  drawLike(draw, template)

/** A cotangent for the point's output (entries in [−1, 1]). */
export const cotangent = (pt: Point): Numeric => cotangentLike(pt, pt.subject.f(...pt.subject.xs))

/** A scalar in [−2, 2] for the linearity laws (dyadic when the point is). */
export const scalar = ({ draw }: Point): number => draw.real(-2, 2)

/** A law's tolerance at a point: `tol`, or exact where the point is dyadic and `p` linear. */
export const within = (pt: Point, tol: Tolerance): Tolerance => (pt.exactly ? exact : tol)

/** fd-agreement settings for `p`: exact for linear primitives, else the defaults (domain rtol). */
export const fdSettings = (p: Primitive, order: 1 | 2, pt: Point): FdSettings => {
  if (pt.exactly) return fdExact(order)
  const base = order === 1 ? fdOrder1 : fdOrder2
  const rtol = p.domain.rtol
  return rtol === undefined ? base : { ...base, tol: { ...base.tol, rtol } }
}

/**
 * Why an equation fails at a special point, or undefined where it holds: each pair must have
 * one shape, NaN where the other has NaN, an infinity where the other has the same infinity,
 * and finite entries within `tol` — its atol scaled by the largest finite entry compared (an
 * infinite entry must not make every finite comparison vacuous).
 */
export const specialViolation = (e: Equation, tol: Tolerance): string | undefined => {
  if (e.mismatch !== undefined) return e.mismatch
  if (e.lhs.length !== e.rhs.length) return `${e.lhs.length} values against ${e.rhs.length}`
  let scale = 0
  for (const v of [...e.lhs, ...e.rhs]) {
    for (const x of valuesOf(v)) if (Number.isFinite(x)) scale = Math.max(scale, Math.abs(x))
  }
  const atol = tol.atol * (1 + scale)
  for (let i = 0; i < e.lhs.length; i++) {
    const a = valuesOf(e.lhs[i]!)
    const b = valuesOf(e.rhs[i]!)
    const label = e.labels?.[i] ?? `value ${i}`
    if (a.length !== b.length) return `${label}: ${a.length} entries against ${b.length}`
    for (let j = 0; j < a.length; j++) {
      const x = a[j]!
      const y = b[j]!
      const agree =
        x === y ||
        (Number.isNaN(x) && Number.isNaN(y)) ||
        (Number.isFinite(x) &&
          Number.isFinite(y) &&
          Math.abs(x - y) <= atol + tol.rtol * Math.max(Math.abs(x), Math.abs(y)))
      if (!agree) return `${label}, entry ${j}: ${x} against ${y}`
    }
  }
  return undefined
}

/**
 * Asserts `law` at every special point of `p`'s domain (NaN equal to NaN, infinities exactly,
 * finite entries within `tol`); a failure names the call and its arguments.
 */
export const assertAtSpecialPoints = (
  p: Primitive,
  law: (subject: Subject) => Equation,
  tol: Tolerance,
): void => {
  const samples = p.domain.special?.() ?? []
  if (samples.length === 0) throw new Error(`${p.name} has no special points in its domain`)
  for (const sample of samples) {
    const subject = subjectOf(p, sample)
    const equation = law(subject)
    const why = specialViolation(equation, tol)
    if (why !== undefined) {
      throw new Error(
        `${subject.label} at ${formatTree(sample.args)}: ${equation.law} fails; ${why}`,
      )
    }
  }
}
