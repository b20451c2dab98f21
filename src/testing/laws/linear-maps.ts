/**
 * Laws of the derivative as a linear map J at a fixed point:
 *
 * - `vjp-jvp-adjoint`: reverse mode is the transpose of forward mode, ⟨ȳ, J·ẋ⟩ = ⟨Jᵀ·ȳ, ẋ⟩.
 * - `jvp-linearity`: J·(a·u + b·v) = a·(J·u) + b·(J·v).
 * - `vjp-linearity`: Jᵀ·(a·ȳ₁ + b·ȳ₂) = a·(Jᵀ·ȳ₁) + b·(Jᵀ·ȳ₂).
 * - `zero-derivative`: for a function whose outputs are constants to every transformation
 *   (comparisons, `sign`, `stopGradient`), J·ẋ and Jᵀ·ȳ are exactly zero.
 * - `transpose-involution`: for a linear f, the transpose of its transpose is f itself:
 *   transposing the pullback (by `vjp` of the pullback) and applying it to u gives f(u).
 *
 * Both sides of each law are the same linear map evaluated in a different order, so they
 * differ by rounding only: at most about n·u·Σ|terms| for n terms (u = 2⁻⁵³). Each tolerance's
 * absolute part is scaled by the size of the terms combined, so cancellation cannot make a law
 * fail spuriously. At dyadic points of a linear function every law here holds exactly.
 *
 * Laws: vjp-jvp-adjoint, jvp-linearity, vjp-linearity, zero-derivative, transpose-involution.
 * @module
 */
import { jvp, vjp } from '../../index.ts'
import { exact, type Numeric, type Tolerance } from '../approx.ts'
import { type FlatFn, flatFunction, type Like, leavesLike, leavesOf } from '../flat.ts'
import { type Equation, scaleAtol } from '../law.ts'
import { combineAll, concrete, maxAbsAll, vdotAbsAll, vdotAll, zerosLike } from '../vector.ts'

/**
 * Tolerance of the linear-map laws for float64 rounding: rtol 1e-10, atol 1e-12 (scaled by the
 * size of the terms).
 * @category tolerances
 */
export const linearTolerance: Tolerance = { rtol: 1e-10, atol: 1e-12 }

/**
 * Law `vjp-jvp-adjoint`: at `xs`, for tangents `xDots` (shaped like the arguments) and an
 * output cotangent `yBar` (shaped like the output), ⟨yBar, J·xDots⟩ from `jvp` equals
 * ⟨Jᵀ·yBar, xDots⟩ from `vjp`, summed over all leaves.
 *
 * Tolerance: `linearTolerance`, atol scaled by Σ|ȳᵢ·(J·ẋ)ᵢ| + Σ|x̄ⱼ·ẋⱼ|. Throws
 * `TreeMismatchError` when the tangents or cotangent do not match.
 *
 * @example
 * holds(vjpJvpAdjoint((x: number) => mul(x, x))([3], [1], 1)) // => true
 * @category laws
 */
export const vjpJvpAdjoint =
  <A extends readonly unknown[], B>(f: (...args: A) => B, tol: Tolerance = linearTolerance) =>
  (xs: A, xDots: Like<A>, yBar: Like<B>): Equation => {
    const F = flatFunction(f, xs)
    const x = leavesOf(xs)
    const v = leavesLike(xs, xDots)
    const yBars = leavesOf(yBar)
    const yDot = jvp(F, x, v)[1].map(concrete)
    const xBars = vjp(F, ...x)[1](yBars).map(concrete)
    return {
      law: 'vjp-jvp-adjoint',
      lhs: [vdotAll(yBars, yDot)],
      rhs: [vdotAll(xBars, v)],
      tol: scaleAtol(tol, vdotAbsAll(yBars, yDot) + vdotAbsAll(xBars, v)),
      labels: ['⟨ȳ, J·ẋ⟩ vs ⟨Jᵀ·ȳ, ẋ⟩'],
    }
  }

/** The scale of a·p + b·q for rounding purposes: max|a·p| + max|b·q| over all values. */
const termScale = (a: number, ps: readonly Numeric[], b: number, qs: readonly Numeric[]): number =>
  Math.abs(a) * maxAbsAll(ps) + Math.abs(b) * maxAbsAll(qs)

/**
 * Law `jvp-linearity`: at `xs`, J·(a·us + b·vs) = a·(J·us) + b·(J·vs) for tangents `us`, `vs`
 * (shaped like the arguments) and scalars `a`, `b`.
 *
 * Tolerance: `linearTolerance`, atol scaled by max|a·J·u| + max|b·J·v|.
 *
 * @example
 * holds(jvpLinearity(sin)([0.5], [1], [2], 3, -1)) // => true
 * @category laws
 */
export const jvpLinearity =
  <A extends readonly unknown[]>(f: (...args: A) => unknown, tol: Tolerance = linearTolerance) =>
  (xs: A, us: Like<A>, vs: Like<A>, a: number, b: number): Equation => {
    const F = flatFunction(f, xs)
    const x = leavesOf(xs)
    const u = leavesLike(xs, us)
    const v = leavesLike(xs, vs)
    const push = (tangents: Numeric[]) => jvp(F, x, tangents)[1].map(concrete)
    const ju = push(u)
    const jv = push(v)
    return {
      law: 'jvp-linearity',
      lhs: push(combineAll(a, u, b, v)),
      rhs: combineAll(a, ju, b, jv),
      tol: scaleAtol(tol, termScale(a, ju, b, jv)),
    }
  }

/**
 * Law `vjp-linearity`: at `xs`, Jᵀ·(a·ȳ₁ + b·ȳ₂) = a·(Jᵀ·ȳ₁) + b·(Jᵀ·ȳ₂) for output
 * cotangents `yBar1`, `yBar2` (shaped like the output) and scalars `a`, `b`.
 *
 * Tolerance: `linearTolerance`, atol scaled by max|a·Jᵀ·ȳ₁| + max|b·Jᵀ·ȳ₂|.
 *
 * @example
 * holds(vjpLinearity(sin)([0.5], 1, 2, 3, -1)) // => true
 * @category laws
 */
export const vjpLinearity =
  <A extends readonly unknown[], B>(f: (...args: A) => B, tol: Tolerance = linearTolerance) =>
  (xs: A, yBar1: Like<B>, yBar2: Like<B>, a: number, b: number): Equation => {
    const F = flatFunction(f, xs)
    const pullback = vjp(F, ...leavesOf(xs))[1]
    const pull = (yBars: Numeric[]) => pullback(yBars).map(concrete)
    const c1 = leavesOf(yBar1)
    const c2 = leavesOf(yBar2)
    const p1 = pull(c1)
    const p2 = pull(c2)
    return {
      law: 'vjp-linearity',
      lhs: pull(combineAll(a, c1, b, c2)),
      rhs: combineAll(a, p1, b, p2),
      tol: scaleAtol(tol, termScale(a, p1, b, p2)),
    }
  }

/**
 * Law `zero-derivative`: for tangents `xDots` the output tangent is exactly zero, and for an
 * output cotangent `yBar` every input cotangent is exactly zero. Exact: no arithmetic happens.
 *
 * @example
 * holds(zeroDerivative((x: number) => sign(x))([0.5], [1], 1)) // => true
 * @category laws
 */
export const zeroDerivative =
  <A extends readonly unknown[], B>(f: (...args: A) => B) =>
  (xs: A, xDots: Like<A>, yBar: Like<B>): Equation => {
    const F = flatFunction(f, xs)
    const x = leavesOf(xs)
    const yDot = jvp(F, x, leavesLike(xs, xDots))[1].map(concrete)
    const xBars = vjp(F, ...x)[1](leavesOf(yBar)).map(concrete)
    const derivatives = [...yDot, ...xBars]
    return { law: 'zero-derivative', lhs: derivatives, rhs: derivatives.map(zerosLike), tol: exact }
  }

/**
 * Law `transpose-involution`, for a function `f` linear in all its arguments: the transpose of
 * its transpose is `f`. The pullback of `f` at `xs` is fᵀ; the pullback of that pullback is
 * (fᵀ)ᵀ, which applied to `us` (shaped like the arguments) must give `f(us)`.
 *
 * Tolerance: `linearTolerance` by default, atol scaled by max|f(us)|; pass `exact` at dyadic
 * points, where the law holds with `===`.
 *
 * @example
 * holds(transposeInvolution((x: Tensor) => sum(x, 0))([ones([2, 3])], [tensor([[1, 2, 3], [4, 5, 6]])])) // => true
 * @category laws
 */
export const transposeInvolution =
  <A extends readonly unknown[]>(f: (...args: A) => unknown, tol: Tolerance = linearTolerance) =>
  (xs: A, us: Like<A>): Equation => {
    const F = flatFunction(f, xs)
    const u = leavesLike(xs, us)
    const [y, pullback] = vjp(F, ...leavesOf(xs))
    const transposed: FlatFn = (...yBars) => pullback(yBars)
    // the pullback is linear, so its own pullback does not depend on the point: take y
    const [, pullbackOfPullback] = vjp(transposed, ...y)
    const rhs = F(...u).map(concrete)
    return {
      law: 'transpose-involution',
      lhs: pullbackOfPullback(u).map(concrete),
      rhs,
      tol: scaleAtol(tol, maxAbsAll(rhs)),
    }
  }
