/**
 * Runners of the composition laws over the registry, at points of each primitive's domain:
 *
 * - `chain-rule` on g ∘ p, p the primitive and g a second primitive drawn at random from those
 *   defined and smooth on all of ℝ (so p's outputs always lie in g's domain), or a full `sum`;
 * - `grad-jacrev-jacfwd` on p itself, with respect to all its differentiable arguments, at
 *   sampled points and at the domain's special points (signed zeros, ±∞, NaN, kinks), where
 *   the zero-annihilating products make every mode agree: NaN equal to NaN, infinities
 *   exactly, finite entries within the law's tolerance;
 * - `hessian-symmetry`, `hessian-agreement` and `hvp-fd` on the scalar ⟨w, p(xs)⟩ for a random
 *   weight w, as a function of the tree of all differentiable arguments.
 *
 * Tolerances are the laws' documented ones, exact for linear primitives at dyadic points
 * (their Jacobians are exact and their Hessians exactly zero); `hvp-fd` takes the domain's
 * `rtol` when it sets one.
 * @module
 */
import { mul, type Scalar, sum } from 'fluxion'
import {
  chainRule,
  compositionTolerance,
  type Equation,
  exact,
  gradJacrevJacfwd,
  type HvpFdSettings,
  hessianAgreement,
  hessianSymmetry,
  hessianTolerance,
  hvpFd,
  hvpFdDefaults,
  type Numeric,
} from 'fluxion/testing'
import { bindN } from '../../src/core/bind.ts'
import type { Primitive } from '../../src/core/primitive.ts'
import { primitives } from '../../src/primitives/registry.ts'
import { drawLike } from '../draw.ts'
import type { Subject } from '../subject.ts'
import {
  assertAtSpecialPoints,
  assertLaw,
  cotangentLike,
  type Point,
  type Runner,
  tangents,
  within,
} from './point.ts'

/** Outer primitives of `chain-rule`: unary, smooth and defined on all of ℝ. */
export const outerPrimitives = [
  'sin',
  'cos',
  'tanh',
  'atan',
  'exp',
  'expm1',
  'sinh',
  'cosh',
  'square',
  'neg',
  'logistic',
  'softplus',
  'erf',
] as const

/** A second primitive to compose after the first: one of `outerPrimitives`, or a full sum. */
const drawOuter = (pt: Point): { readonly name: string; readonly g: (y: Numeric) => Numeric } => {
  const k = pt.draw.integer(0, outerPrimitives.length)
  const name = outerPrimitives[k]
  if (name === undefined) return { name: 'sum', g: (y) => sum(y) }
  const q = primitives[name]
  // a traced result travels as its primal's type, like every public op's result
  return { name, g: (y) => bindN(q, [y], undefined) as Numeric }
}

/**
 * Elementwise primitives composed before and after p at its special points. A single
 * primitive's Jacobian meets only basis directions (0 and 1), so it is with a neighbour that a
 * zero partial meets an infinite or NaN one: √ after square at 0, square after √, a product with
 * log at 0. Zero annihilates in every mode, so every mode gives the same number.
 */
const specialNeighbours = ['square', 'sqrt', 'log', 'exp', 'abs'] as const

/**
 * Primitives that meet only the neighbours whose values and derivatives stay finite:
 *
 * - `matmul`, whose products are IEEE arithmetic (as every linear op keeps): an infinite
 *   (co)tangent from √ or log at 0 meets a zero entry there as 0·∞ = NaN, at different entries
 *   in each mode;
 * - the solves, factorizations and determinants, which refuse a non-finite matrix with
 *   `LinAlgError` (NumPy and SciPy refuse one too) — √ and log of a zero or negative entry
 *   would hand them −∞ or NaN — and whose rules are built on matmul and solves.
 */
const finiteOnly: ReadonlySet<string> = new Set([
  ...['matmul', 'qr', 'eigh', 'svd', 'pinv'],
  ...['triangularSolve', 'solve', 'lu', 'cholesky', 'det', 'slogdet'],
])

/**
 * `grad-jacrev-jacfwd` on p itself and on g ∘ p and p ∘ g (g applied to every argument) for each
 * neighbour g: one equation holding all their values, labelled by composition.
 */
const modesAgreeAround = (p: Primitive, { f, xs }: Subject): Equation => {
  const variants: [string, (...ys: Numeric[]) => Numeric][] = [['p', f]]
  const neighbours = specialNeighbours.filter(
    (name) => !finiteOnly.has(p.name) || name === 'square' || name === 'exp' || name === 'abs',
  )
  for (const name of neighbours) {
    const q = primitives[name]
    const g = (y: Numeric) => bindN(q, [y], undefined) as Numeric
    variants.push([`${name} after p`, (...ys) => g(f(...ys))])
    variants.push([`p after ${name}`, (...ys) => f(...ys.map(g))])
  }
  const equations = variants.map(([label, h]) => {
    const e = gradJacrevJacfwd(h, compositionTolerance)(xs)
    return { ...e, labels: (e.labels ?? []).map((l) => `${label}: ${l}`) }
  })
  return {
    law: 'grad-jacrev-jacfwd',
    lhs: equations.flatMap((e) => e.lhs),
    rhs: equations.flatMap((e) => e.rhs),
    tol: compositionTolerance,
    labels: equations.flatMap((e) => e.labels),
  }
}

/** ⟨w, p(xs)⟩ for a weight w drawn like p's output: a scalar function of the argument tree. */
const scalarized = (pt: Point): ((xs: readonly Numeric[]) => Scalar) => {
  const { f, xs } = pt.subject
  const w = drawLike(pt.draw, f(...xs))
  return (ys) => sum(mul(w, f(...ys)))
}

/** hvp-fd settings for `p`: exact at dyadic points of linear primitives, else the defaults. */
const hvpSettings = (p: Primitive, pt: Point): HvpFdSettings => {
  if (pt.exactly) return { ...hvpFdDefaults, tol: exact }
  const rtol = p.domain.rtol
  return rtol === undefined
    ? hvpFdDefaults
    : { ...hvpFdDefaults, tol: { ...hvpFdDefaults.tol, rtol } }
}

/** The composition laws' runners. */
export const compositionRunners = {
  'chain-rule': (p) =>
    assertLaw(p, (pt) => {
      const { f, xs } = pt.subject
      const { name, g } = drawOuter(pt)
      const zBar = cotangentLike(pt, g(f(...xs)))
      const equation = chainRule(f, g, compositionTolerance)(xs, tangents(pt), zBar)
      return { ...equation, labels: equation.labels?.map((l) => `${name} after it, ${l}`) ?? [] }
    }),
  'grad-jacrev-jacfwd': (p, { variant }) =>
    variant === 'special points'
      ? assertAtSpecialPoints(p, (subject) => modesAgreeAround(p, subject), compositionTolerance)
      : assertLaw(p, (pt) =>
          gradJacrevJacfwd(pt.subject.f, within(pt, compositionTolerance))(pt.subject.xs),
        ),
  'hessian-symmetry': (p) =>
    assertLaw(p, (pt) =>
      hessianSymmetry(scalarized(pt), within(pt, hessianTolerance))(pt.subject.xs),
    ),
  'hessian-agreement': (p) =>
    assertLaw(p, (pt) =>
      hessianAgreement(scalarized(pt), within(pt, hessianTolerance))(pt.subject.xs),
    ),
  'hvp-fd': (p) =>
    assertLaw(p, (pt) => hvpFd(scalarized(pt), hvpSettings(p, pt))(pt.subject.xs, tangents(pt))),
} as const satisfies { readonly [law: string]: Runner }
