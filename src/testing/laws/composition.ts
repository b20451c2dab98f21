/**
 * Laws that compose transformations and check that every route to a derivative arrives at the
 * same place (the Autodidax stress test):
 *
 * - `chain-rule`: jvp(g ∘ f) = jvp(g) ∘ jvp(f), and vjp(g ∘ f) = vjp(f) ∘ vjp(g) (reversed).
 * - `grad-jvp-agreement`: for g = Σ f, ⟨∇g(x), v⟩ = jvp(g)(x, v).
 * - `grad-jacrev-jacfwd`: `jacfwd` and `jacrev` give the same Jacobian, and summing its rows
 *   gives `grad` of Σ f.
 *
 * Both sides of each law are computed by different rules (forward and reverse, chunked and
 * not), so they agree up to rounding. Tolerance: rtol 1e-10, atol 1e-12 scaled by the size of
 * the values compared (or of the terms summed).
 *
 * Laws: chain-rule, grad-jvp-agreement, grad-jacrev-jacfwd.
 * @module
 */
import { add, grad, jacfwd, jacrev, jvp, sum, vjp } from '../../index.ts'
import { type Numeric, type Tolerance, valuesOf } from '../approx.ts'
import { type FlatFn, flatFunction, flatUnary, type Like, leavesLike, leavesOf } from '../flat.ts'
import { type Equation, scaleAtol } from '../law.ts'
import { concrete, like, maxAbsAll, vdotAbsAll, vdotAll } from '../vector.ts'

/**
 * Tolerance of the composition laws for float64 rounding: rtol 1e-10, atol 1e-12 (scaled).
 * @category tolerances
 */
export const compositionTolerance: Tolerance = { rtol: 1e-10, atol: 1e-12 }

/**
 * Law `chain-rule` for `g ∘ f` at `xs`: the tangent of the composition along `xDots` equals
 * `g`'s tangent along `f`'s tangent, and the cotangent of the composition for `zBar` (shaped
 * like `g`'s output) equals `f`'s pullback of `g`'s pullback of `zBar`.
 *
 * Tolerance: `compositionTolerance`, atol scaled by the largest value compared.
 *
 * @example
 * holds(chainRule((x: number) => mul(x, x), sin)([0.5], [1], 1)) // => true
 * @category laws
 */
export const chainRule =
  <A extends readonly unknown[], B, C>(
    f: (...args: A) => B,
    g: (y: B) => C,
    tol: Tolerance = compositionTolerance,
  ) =>
  (xs: A, xDots: Like<A>, zBar: Like<C>): Equation => {
    const F = flatFunction(f, xs)
    const G = flatUnary(g, f(...xs))
    const composite: FlatFn = (...ls) => G(...F(...ls))
    const x = leavesOf(xs)
    const v = leavesLike(xs, xDots)
    const zBars = leavesOf(zBar)
    const [y, yDot] = jvp(F, x, v)
    const forward = jvp(composite, x, v)[1].map(concrete)
    const chained = jvp(G, y, yDot)[1].map(concrete)
    const reverse = vjp(composite, ...x)[1](zBars).map(concrete)
    const yBar = vjp(G, ...y)[1](zBars)
    const chainedBar = vjp(F, ...x)[1](yBar).map(concrete)
    const lhs = [...forward, ...reverse]
    const rhs = [...chained, ...chainedBar]
    return {
      law: 'chain-rule',
      lhs,
      rhs,
      tol: scaleAtol(tol, Math.max(maxAbsAll(lhs), maxAbsAll(rhs))),
      labels: [
        ...forward.map((_, i) => `jvp, output leaf ${i}`),
        ...reverse.map((_, i) => `vjp, argument leaf ${i}`),
      ],
    }
  }

/** Σ over every output leaf of the sum of its entries, as a function of leaves. */
const summed =
  (F: FlatFn) =>
  (...xs: Numeric[]): Numeric =>
    F(...xs).reduce<Numeric>((acc, y) => add(acc, sum(y)), 0)

/**
 * Law `grad-jvp-agreement`: for g = Σ f (all entries of all output leaves), reverse and forward
 * mode give the same directional derivative, ⟨∇g(xs), xDots⟩ = jvp(g)(xs, xDots).
 *
 * Tolerance: `compositionTolerance`, atol scaled by Σ|∇g·v|.
 *
 * @example
 * holds(gradJvpAgreement((x: Tensor) => mul(x, x))([tensor([1, 2])], [tensor([1, -1])])) // => true
 * @category laws
 */
export const gradJvpAgreement =
  <A extends readonly unknown[]>(
    f: (...args: A) => unknown,
    tol: Tolerance = compositionTolerance,
  ) =>
  (xs: A, xDots: Like<A>): Equation => {
    const g = summed(flatFunction(f, xs))
    const x = leavesOf(xs)
    const v = leavesLike(xs, xDots)
    // no leaves, nothing to differentiate: both sides are the empty sum
    const gradients = x.length === 0 ? [] : leavesOf(grad(g, { argnums: x.map((_, i) => i) })(...x))
    return {
      law: 'grad-jvp-agreement',
      lhs: [vdotAll(gradients, v)],
      rhs: [concrete(jvp(g, x, v)[1])],
      tol: scaleAtol(tol, vdotAbsAll(gradients, v)),
    }
  }

/**
 * Sums of Jacobian blocks over their output axes: for each argument leaf j, Σᵢ Σₜ Jᵢⱼ[t, ·],
 * which is the gradient of Σ f. Blocks come output-outside, argument-inside.
 */
const columnSums = (blocks: readonly Numeric[], x: readonly Numeric[]): Numeric[] =>
  x.map((xj, j) => {
    const out = new Float64Array(valuesOf(xj).length)
    for (let k = j; k < blocks.length; k += x.length) {
      const data = valuesOf(blocks[k]!)
      for (let i = 0; i < data.length; i++) {
        const s = i % out.length
        out[s] = out[s]! + data[i]!
      }
    }
    return like(xj, out)
  })

/**
 * Law `grad-jacrev-jacfwd`: at `xs`, the Jacobian of `f` with respect to all its arguments is
 * the same by `jacfwd` (left) and `jacrev` (right), and `grad` of Σ f (left) equals the
 * Jacobian's rows summed (right).
 *
 * Tolerance: `compositionTolerance`, atol scaled by the largest entry.
 *
 * @example
 * holds(gradJacrevJacfwd((x: Tensor) => mul(x, sin(x)))([tensor([1, 2])])) // => true
 * @category laws
 */
export const gradJacrevJacfwd =
  <A extends readonly unknown[]>(
    f: (...args: A) => unknown,
    tol: Tolerance = compositionTolerance,
  ) =>
  (xs: A): Equation => {
    const F = flatFunction(f, xs)
    const x = leavesOf(xs)
    const argnums = x.map((_, i) => i)
    // no leaves: every Jacobian block and gradient is over no arguments, so there are none
    const none = x.length === 0
    const forward = none ? [] : leavesOf(jacfwd(F, { argnums })(...x))
    const reverse = none ? [] : leavesOf(jacrev(F, { argnums })(...x))
    const gradients = none ? [] : leavesOf(grad(summed(F), { argnums })(...x))
    const lhs = [...forward, ...gradients]
    const rhs = [...reverse, ...columnSums(reverse, x)]
    return {
      law: 'grad-jacrev-jacfwd',
      lhs,
      rhs,
      tol: scaleAtol(tol, Math.max(maxAbsAll(lhs), maxAbsAll(rhs))),
      labels: [
        ...forward.map((_, k) => `jacfwd vs jacrev, block ${k}`),
        ...gradients.map((_, j) => `grad vs summed jacrev, argument leaf ${j}`),
      ],
    }
  }
