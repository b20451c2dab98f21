/**
 * Laws of second derivatives of a scalar function f of one tree x:
 *
 * - `hessian-symmetry`: ∂²f/∂xₐ∂x_b = ∂²f/∂x_b∂xₐ — block (i, j) of `hessian(f)(x)`, for leaves
 *   i and j of x, is block (j, i) transposed.
 * - `hessian-agreement`: all four compositions of `jacfwd` and `jacrev` —
 *   jacfwd(jacfwd f), jacfwd(jacrev f), jacrev(jacfwd f), jacrev(jacrev f) — equal
 *   `hessian(f)` (which is jacfwd of grad).
 *
 * Mixed partials are computed by different rules in a different order, so they agree up to
 * rounding. Tolerance: rtol 1e-10, atol 1e-12 scaled by 1 + max|H|.
 *
 * Laws: hessian-symmetry, hessian-agreement.
 * @module
 */
import { hessian, jacfwd, jacrev, type Scalar } from '../../index.ts'
import { type Numeric, type Tolerance, valuesOf } from '../approx.ts'
import { leavesOf } from '../flat.ts'
import { type Equation, scaleAtol } from '../law.ts'
import { like, maxAbsAll } from '../vector.ts'

/**
 * Tolerance of the Hessian laws for float64 rounding: rtol 1e-10, atol 1e-12 (scaled).
 * @category tolerances
 */
export const hessianTolerance: Tolerance = { rtol: 1e-10, atol: 1e-12 }

/**
 * The blocks of a Hessian over leaves of sizes `sizes`, each replaced by its mirror block
 * transposed: entry [a, b] of block (i, j) becomes entry [b, a] of block (j, i).
 */
const mirrored = (blocks: readonly Numeric[], sizes: readonly number[]): Numeric[] => {
  const m = sizes.length
  return blocks.map((block, k) => {
    const i = Math.floor(k / m)
    const j = k % m
    const ni = sizes[i]!
    const nj = sizes[j]!
    const mirror = valuesOf(blocks[j * m + i]!)
    const out = new Float64Array(ni * nj)
    for (let a = 0; a < ni; a++) for (let b = 0; b < nj; b++) out[a * nj + b] = mirror[b * ni + a]!
    return like(block, out)
  })
}

/**
 * Law `hessian-symmetry`: the Hessian of the scalar function `f` at `x` (a tree) is
 * symmetric: block (i, j) over leaves i and j is block (j, i) transposed.
 *
 * Tolerance: `hessianTolerance`, atol scaled by 1 + max|H|.
 *
 * @example
 * const f = (x: Tensor) => sum(mul(sin(x), x))
 * holds(hessianSymmetry(f)(tensor([1, 2, 3]))) // => true
 * @category laws
 */
export const hessianSymmetry =
  <A>(f: (x: A) => Scalar, tol: Tolerance = hessianTolerance) =>
  (x: A): Equation => {
    const blocks = leavesOf(hessian(f)(x))
    const sizes = leavesOf(x).map((leaf) => valuesOf(leaf).length)
    return {
      law: 'hessian-symmetry',
      lhs: blocks,
      rhs: mirrored(blocks, sizes),
      tol: scaleAtol(tol, maxAbsAll(blocks)),
      labels: blocks.map((_, k) => `block (${Math.floor(k / sizes.length)}, ${k % sizes.length})`),
    }
  }

/**
 * Law `hessian-agreement`: at `x`, `hessian(f)` equals each of jacfwd(jacfwd f),
 * jacfwd(jacrev f), jacrev(jacfwd f) and jacrev(jacrev f), leaf by leaf.
 *
 * Tolerance: `hessianTolerance`, atol scaled by 1 + max|H|.
 *
 * @example
 * const f = (x: Tensor) => sum(mul(sin(x), x))
 * holds(hessianAgreement(f)(tensor([1, 2, 3]))) // => true
 * @category laws
 */
export const hessianAgreement =
  <A>(f: (x: A) => Scalar, tol: Tolerance = hessianTolerance) =>
  (x: A): Equation => {
    const reference = leavesOf(hessian(f)(x))
    const g = (y: unknown): Scalar => f(y as A)
    const routes: readonly (readonly [string, (y: unknown) => unknown])[] = [
      ['jacfwd(jacfwd f)', jacfwd(jacfwd(g))],
      ['jacfwd(jacrev f)', jacfwd(jacrev(g))],
      ['jacrev(jacfwd f)', jacrev(jacfwd(g))],
      ['jacrev(jacrev f)', jacrev(jacrev(g))],
    ]
    const results = routes.map(([, h]) => leavesOf(h(x)))
    return {
      law: 'hessian-agreement',
      lhs: results.flatMap(() => reference),
      rhs: results.flat(),
      tol: scaleAtol(tol, maxAbsAll(reference)),
      labels: routes.flatMap(([name]) => reference.map((_, k) => `hessian vs ${name}, leaf ${k}`)),
    }
  }
