/**
 * The regularized incomplete beta function I_x(a, b) (`betainc`, as
 * `jax.scipy.special.betainc`), differentiable in x to every order. Kernel in
 * tensor/kernels/betainc.ts (continued fraction, modified Lentz, with the symmetry
 * I_x(a, b) = 1 − I₁₋ₓ(b, a)).
 *
 * ∂I/∂x is the beta density xᵃ⁻¹(1 − x)ᵇ⁻¹/B(a, b), a composition of fluxion ops, so every
 * order in x follows. The derivatives in a and b have no closed form and are not implemented:
 * a and b are `fixed` arguments (the laws hold them fixed), and asking for a tangent or a
 * cotangent of either raises InvalidArgumentError — never a silent zero. The Taylor rule is
 * `seriesByNestedJvp` in x alone (K nested forward passes, O(2ᴷ)): no cheap recurrence.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, jvp-linearity, hessian, vmap, jit and the special
 * points, all in x.
 * @module
 */
import { bindN } from '../core/bind.ts'
import { InvalidArgumentError } from '../core/errors.ts'
import { define, type Primitive } from '../core/primitive.ts'
import type { Val } from '../core/tracer.ts'
import { betaincK, betainc as betaincScalar } from '../tensor/kernels/betainc.ts'
import { broadcastShapes } from '../tensor/shape.ts'
import { type Floats, Tensor } from '../tensor/tensor.ts'
import { add, mul, neg, sub } from './arithmetic.ts'
import { greater, less, lessEqual, where } from './comparison.ts'
import { drawBroadcastPair, drawValue, elementwiseSpecial, real } from './domain.ts'
import { exp } from './elementwise.ts'
import { xlog1py, xlogy } from './elementwise-binary.ts'
import { alignBatched, safeMulV, sumTangents, unbroadcast } from './families.ts'
import { betaln } from './special.ts'
import { seriesByNestedJvp } from './taylor.ts'

type Value = number | Tensor

/** The error for a derivative in a or b, which fluxion does not have. */
const noDerivativeInShape = (): InvalidArgumentError =>
  new InvalidArgumentError('betainc: the derivative in a and b is not implemented', {
    primitive: 'betainc',
    hint: 'differentiate in x only: pass a and b as constants (wrap them in stopGradient if they are traced)',
  })

/**
 * ∂I/∂x = xᵃ⁻¹(1 − x)ᵇ⁻¹/B(a, b); NaN outside the domain (x ∉ [0, 1], a ≤ 0, b ≤ 0), a
 * constant, so that forward and reverse mode agree there. xlogy/xlog1py make 0·log 0 = 0, so
 * the density at x = 0 is 1/B(1, b) for a = 1.
 */
function density(a: Val, b: Val, x: Val): Val {
  const outside = greater(
    add(add(less(x, 0), greater(x, 1)), add(lessEqual(a, 0), lessEqual(b, 0))),
    0,
  )
  // x + 0 turns −0 into +0: the density's side of 0 (log's derivative at −0 is −∞)
  const xp = add(x, 0)
  const logDensity = sub(add(xlogy(sub(a, 1), xp), xlog1py(sub(b, 1), neg(xp))), betaln(a, b))
  return where(outside, Number.NaN, exp(logDensity))
}

const toArray = (v: Val): [Floats, readonly number[]] =>
  typeof v === 'number' ? [Float64Array.of(v), []] : [(v as Tensor).data, (v as Tensor).shape]

const shapeParam = real(0.5, 5)
const unitX = real(0.05, 0.95)

/** (a, b) pairs of the special points: ordinary, edges of the domain, and invalid ones. */
const specialShapes: readonly (readonly [number, number])[] = [
  [1, 1],
  [2, 3],
  [0.5, 0.5],
  [3, 0.5],
  [0, 1],
  [1, -1],
  [Number.NaN, 2],
  [Infinity, 1],
]
const specialX: readonly number[] = [0, -0, 1, -1, 0.5, 0.25, 0.9, 2, Infinity, -Infinity, NaN]

/** Primitive record of {@link betainc}: arguments (a, b, x), broadcasting. */
export const betaincP: Primitive<void> = define<void>({
  name: 'betainc',
  arity: 3,
  zeroDerivative: false,
  impl: ([a, b, x]) => {
    if (typeof a === 'number' && typeof b === 'number' && typeof x === 'number') {
      return betaincScalar(a, b, x)
    }
    const [ad, as] = toArray(a!)
    const [bd, bs] = toArray(b!)
    const [xd, xs] = toArray(x!)
    const out = broadcastShapes(broadcastShapes(as, bs, 'betainc'), xs, 'betainc')
    return new Tensor(betaincK(ad, as, bd, bs, xd, xs, out), out)
  },
  shape: ([a, b, x]) => broadcastShapes(broadcastShapes(a!, b!, 'betainc'), x!, 'betainc'),
  jvp: ([a, b, x], [aDot, bDot, xDot], y) => {
    if ((aDot ?? null) !== null || (bDot ?? null) !== null) throw noDerivativeInShape()
    if ((xDot ?? null) === null) return null
    return sumTangents([safeMulV(xDot!, density(a!, b!, x!))], y)
  },
  vjp: (yBar, [a, b, x], _y, _params, needs) => {
    if (needs[0] === true || needs[1] === true) throw noDerivativeInShape()
    return [null, null, needs[2] ? unbroadcast(safeMulV(yBar, density(a!, b!, x!)), x!) : null]
  },
  batch: (args, batched) => bindN(betaincP, alignBatched(args, batched), undefined),
  // no recurrence known: K nested forward passes in x alone, O(2ᴷ) (seriesByNestedJvp)
  taylor: (series, params, constant) => {
    if (constant[0] !== true || constant[1] !== true) throw noDerivativeInShape()
    return seriesByNestedJvp(betaincP, series, params, constant)
  },
  domain: {
    sample: (draw) => {
      const [sa, sb] = drawBroadcastPair(draw)
      const sx = draw.integer(0, 1) === 0 ? sa : sb
      return {
        args: [
          drawValue(draw, sa, shapeParam),
          drawValue(draw, sb, shapeParam),
          drawValue(draw, sx, unitX),
        ],
        params: undefined,
      }
    },
    special: elementwiseSpecial(
      specialShapes.flatMap(([a, b]) => specialX.map((x) => [a, b, x] as const)),
    ),
    // a and b carry no derivative in fluxion (see the module comment): only x is free
    fixed: [0, 1],
  },
})

/**
 * The regularized incomplete beta function I_x(a, b) = (1/B(a, b))∫₀ˣ tᵃ⁻¹(1 − t)ᵇ⁻¹ dt,
 * elementwise with three-way broadcasting, as `jax.scipy.special.betainc(a, b, x)`. I₀ = 0 and
 * I₁ = 1; x outside [0, 1] gives NaN, as SciPy and JAX. Relative error below 4e-14 for
 * a, b ≤ 20, growing like ε·(a + b)·ln(a + b) beyond (3e-13 at 100; 2e-3 at a = b = 5e11, as
 * `binom.cdf(5e11, 1e12, 0.5)` meets it: the prefactor's logs, ~(a + b)·ln(a + b), cancel).
 *
 * Derivative: ∂I/∂x = xᵃ⁻¹(1 − x)ᵇ⁻¹/B(a, b) (the beta density), every order. The derivatives
 * in a and b are not implemented: differentiating in either raises InvalidArgumentError.
 *
 * Throws InvalidArgumentError for concrete a ≤ 0 or b ≤ 0 (or NaN); where a or b are traced by
 * `jit` or `vmap` and cannot be read, such entries give NaN, as in JAX.
 * @example
 * betainc(2, 1, 0.5) // ≈ 0.25
 * @category special
 */
export function betainc(a: number, b: number, x: number): number
export function betainc(a: Tensor, b: Value, x: Value): Tensor
export function betainc(a: Value, b: Tensor, x: Value): Tensor
export function betainc(a: Value, b: Value, x: Tensor): Tensor
export function betainc(a: Value, b: Value, x: Value): Value
export function betainc(a: Value, b: Value, x: Value): Value {
  if (typeof a === 'number' && typeof b === 'number' && typeof x === 'number') {
    if (!(a > 0 && b > 0)) throw invalidShape(a, b)
    return betaincScalar(a, b, x)
  }
  // comparisons carry no derivative: concrete under grad, traced only under jit and vmap
  const valid = mul(greater(a, 0), greater(b, 0))
  if (valid === 0 || (valid instanceof Tensor && valid.data.includes(0))) throw invalidShape(a, b)
  return bindN(betaincP, [a, b, x], undefined)
}

/** The error for concrete invalid shape parameters. */
const invalidShape = (a: Value, b: Value): InvalidArgumentError => {
  const show = (v: Value): string => (typeof v === 'number' ? String(v) : `a [${v.shape}] tensor`)
  return new InvalidArgumentError(
    `betainc: a and b must be > 0 (got a = ${show(a)}, b = ${show(b)}, with an entry ≤ 0 or NaN)`,
    { primitive: 'betainc', hint: 'I_x(a, b) is defined for a > 0 and b > 0' },
  )
}
