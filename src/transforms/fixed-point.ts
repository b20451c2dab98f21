/**
 * `fixedPoint`: x = f(x, params) by iteration to a tolerance (JAXopt's FixedPointIteration),
 * differentiated with respect to `params` by the implicit function theorem: the root of
 * F(x, p) = f(x, p) − x, with the derivative's linear systems (I − ∂ₓf)·v = y solved by an
 * iteration of their own, which converges wherever the primal one does (∂ₓf is then a
 * contraction, and so is its transpose).
 * @module
 */
import { InvalidArgumentError, LinAlgError } from '../core/errors.ts'
import type { Val } from '../core/tracer.ts'
import { flatten, flattenAs } from '../core/tree.ts'
import { value } from '../core/value.ts'
import { treeAdd, treeScale, treeSub } from '../primitives/tree-math.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { checkFunction } from './common.ts'
import { rootProblem } from './implicit.ts'
import { solveImplicit } from './implicit-rule.ts'

/** Options of {@link fixedPoint}. */
export interface FixedPointOptions {
  /**
   * Stop when an iteration moves no entry by more than `tol·max(1, |x|∞)` (default 1e-12).
   * Near a fixed point with contraction factor L the error is about L/(1 − L) times that step.
   */
  readonly tol?: number
  /** The most iterations, of the solve and of each derivative's solve (default 1000). */
  readonly maxIter?: number
}

/** The largest |entry| of a tree of values, read as numbers (the solver runs on plain values). */
const maxAbs = (leaves: readonly Val[]): number => {
  let m = 0
  for (const leaf of leaves) {
    const v = value(leaf as Tensor)
    if (typeof v === 'number') m = Math.max(m, Math.abs(v))
    else for (const e of v.data) m = Math.max(m, Math.abs(e))
  }
  return m
}

/** max |aᵢ − bᵢ| over two trees of one structure; NaN when an entry is not finite. */
const maxStep = (a: unknown, b: unknown): number => {
  const d = flatten(treeSub(a, b), 'step').leaves
  const m = maxAbs(d)
  return d.some((leaf) => {
    const v = value(leaf as Tensor)
    return typeof v === 'number' ? !Number.isFinite(v) : v.data.some((e) => !Number.isFinite(e))
  })
    ? Number.NaN
    : m
}

/**
 * Iterates `next` from `start` until a step is at most `bound(x)`; a named error after
 * `maxIter` iterations or at a non-finite value, never an unconverged answer.
 */
const iterate = (
  next: (x: unknown) => unknown,
  start: unknown,
  bound: (x: unknown) => number,
  maxIter: number,
  what: string,
): unknown => {
  let x = start
  let step = Number.POSITIVE_INFINITY
  for (let k = 1; k <= maxIter; k++) {
    const y = next(x)
    step = maxStep(y, x)
    if (Number.isNaN(step)) {
      throw new LinAlgError(`fixedPoint: ${what} reached a non-finite value at iteration ${k}`, {
        primitive: 'fixedPoint',
        hint: 'start closer to the fixed point, or check that f maps its domain into itself',
      })
    }
    x = y
    if (step <= bound(x)) return x
  }
  throw new LinAlgError(
    `fixedPoint: ${what} did not converge in ${maxIter} iterations (last step ${step})`,
    {
      primitive: 'fixedPoint',
      hint: 'f must be a contraction near its fixed point: raise maxIter, loosen tol, or start closer',
    },
  )
}

const checkOptions = (options: FixedPointOptions): { tol: number; maxIter: number } => {
  const tol = options.tol ?? 1e-12
  const maxIter = options.maxIter ?? 1000
  if (typeof tol !== 'number' || !(tol > 0) || !Number.isFinite(tol)) {
    throw new InvalidArgumentError(`fixedPoint: tol must be a positive number, got ${tol}`, {
      primitive: 'fixedPoint',
      hint: 'use a tolerance such as 1e-10',
    })
  }
  if (!Number.isInteger(maxIter) || maxIter < 1) {
    throw new InvalidArgumentError(`fixedPoint: maxIter must be an integer ≥ 1, got ${maxIter}`, {
      primitive: 'fixedPoint',
      hint: 'use a bound such as 1000',
    })
  }
  return { tol, maxIter }
}

/**
 * The fixed point x* = f(x*, params), found by iterating x ← f(x, params) from `x0` until a
 * step is below the tolerance, and differentiated with respect to `params` (and whatever `f`
 * closes over) by the implicit function theorem — the iterations are never differentiated.
 * `x0`, `params` and x may be trees; f must map x's tree to a tree of the same structure.
 *
 * Derivative: with A = ∂ₓf and B = ∂_p f at x*, ẋ = (I − A)⁻¹·B·ṗ and p̄ = Bᵀ(I − A)⁻ᵀx̄; the
 * systems are solved by the iteration v ← A·v + y, which converges when f is a contraction at
 * x* (as the primal iteration requires). `x0` gets a zero derivative. Works under every
 * transformation, as {@link linearSolve} (under `jit` the calls run eagerly: the loop reads
 * values).
 *
 * Throws `LinAlgError` when an iteration does not converge within `maxIter` steps or meets a
 * non-finite value (never an unconverged answer), `InvalidArgumentError` for a bad option, and
 * `TreeMismatchError` when f changes the tree of x.
 * @example
 * // x = cos(θ·x): dx/dθ = −x·sin(θx) / (1 + θ·sin(θx))
 * const x = (theta: number) => fixedPoint((x: number, t: number) => cos(mul(t, x)), 0, theta)
 * x(1) // ≈ 0.7390851332151607
 * grad(x)(1) // ≈ -0.7390851332151607 * Math.sin(0.7390851332151607) / (1 + Math.sin(0.7390851332151607))
 * @category linalg
 */
export function fixedPoint<X, P>(
  f: (x: X, params: P) => X,
  x0: X,
  params: P,
  options: FixedPointOptions = {},
): X {
  checkFunction(f, 'fixedPoint', 'f')
  const { tol, maxIter } = checkOptions(options)
  const guessDef = flatten(x0, 'x0').def
  const paramsDef = flatten(params, 'params').def
  const step = (x: unknown, p: unknown): unknown => {
    const y = (f as (x: unknown, p: unknown) => unknown)(x, p)
    flattenAs(guessDef, y, 'f(x, params)', 'fixedPoint', { against: 'x0' })
    return y
  }
  const size = (x: unknown) => maxAbs(flatten(x, 'x').leaves)
  const problem = rootProblem(
    'fixedPoint',
    (x, p) => treeSub(step(x, p), x),
    guessDef,
    paramsDef,
    (guess, p) =>
      iterate(
        (x) => step(x, p),
        guess,
        (x) => tol * Math.max(1, size(x)),
        maxIter,
        'the iteration',
      ),
    // g(v) = (A − I)·v; v ← v + g(v) − y = A·v − y has the solution of g(v) = y as fixed
    // point; its tolerance is relative, as y may be of any scale (y = 0 stops at v = 0)
    (g, y) => {
      const ySize = size(y)
      return iterate(
        (v) => treeSub(treeAdd(v, g(v)), y),
        treeScale(0, y),
        (v) => tol * Math.max(size(v), ySize),
        maxIter,
        'the derivative’s linear solve',
      )
    },
  )
  return solveImplicit(problem, x0, params) as X
}
