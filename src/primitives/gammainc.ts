/**
 * The regularized incomplete gamma functions P(a, x) (`gammainc`) and Q(a, x) = 1 − P
 * (`gammaincc`), differentiable in both arguments to every order. Kernels in
 * tensor/kernels/igamma-scalar.ts (series and continued fraction, as Numerical Recipes §6.2)
 * and igamma-temme.ts (Temme's uniform expansion, for large a with x near a).
 *
 * ∂P/∂x is the gamma density xᵃ⁻¹e⁻ˣ/Γ(a), a composition; for a ≥ 20 its log comes from
 * Stirling's series, without the cancellation of (a − 1)·ln x against ln Γ(a) (a cancellation
 * of ε·a·ln a, which left no digits at a = 1e15). ∂ᵏP/∂aᵏ has no closed form: it is
 * the primitive `gammaincDerivA` with the order k as its param, whose kernel runs the same
 * series and fraction in Taylor arithmetic in a; its own derivative in a is order k + 1, and
 * in x the k-th a-derivative of the density (from polygamma). The Taylor rules of these three
 * primitives are `seriesByNestedJvp`: K nested forward passes, O(2ᴷ) — no cheap recurrence is
 * known for P in both arguments.
 *
 * Laws (every primitive here): fd-agreement, vjp-jvp-adjoint, jvp-linearity, unbroadcast,
 * taylor-nested-agreement (gammainc, gammaincc).
 * @module
 */
import { bind2 } from '../core/bind.ts'
import type { Domain, Primitive } from '../core/primitive.ts'
import type { Val } from '../core/tracer.ts'
import {
  gammaincDerivA as derivAScalar,
  gammaincc as gammainccScalar,
  gammainc as gammaincScalar,
} from '../tensor/kernels/igamma-scalar.ts'
import { gammainccK, gammaincDerivAK, gammaincK } from '../tensor/kernels/special.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { add, div, mul, neg, safeMul, sub } from './arithmetic.ts'
import { greater, greaterEqual, less, where } from './comparison.ts'
import { binaryDomain, drawBroadcastPair, drawValue, real } from './domain.ts'
import { exp, log } from './elementwise.ts'
import { xlogy } from './elementwise-binary.ts'
import { paramBinary } from './elementwise-params.ts'
import { binary } from './families.ts'
import { digamma, lgamma, polygamma } from './special.ts'
import { seriesByNestedJvp } from './taylor.ts'

type Value = number | Tensor

const shapeA = real(0.5, 5)
const shapeX = real(0.2, 8)

/**
 * ∂ᵏ/∂aᵏ of the density xᵃ⁻¹e⁻ˣ/Γ(a) = exp(L), k ≥ 0: k!·(coefficient k of exp(L(a + δ))).
 * xlogy makes 0·log 0 = 0, so the density is 1 at a = 1, x = 0.
 */
function densityDerivA(a: Val, x: Val, k: number): Val {
  // outside the domain (a < 0 or x < 0) P is NaN: so is its derivative, a constant, so that
  // forward and reverse mode agree there (L's terms can cancel to an exact 0 tangent)
  const outside = greater(add(less(a, 0), less(x, 0)), 0)
  // x + 0 turns −0 into +0: the density's side of 0 (log's derivative at −0 is −∞)
  return where(outside, Number.NaN, densityDerivAInside(a, add(x, 0), k))
}

/** From this a on, the log density is taken from Stirling's series (logDensityLarge). */
const LARGE_A = 20

/** Coefficients of ln Γ(a) − ((a − ½)ln a − a + ½ln 2π) = Σⱼ B₂ⱼ/(2j(2j − 1)) · a¹⁻²ʲ. */
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156]
/** Coefficients of ln a − ψ(a) − 1/(2a) = Σⱼ B₂ⱼ/(2j) · a⁻²ʲ. */
const LOG_MINUS_DIGAMMA = [1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12]

/** Σⱼ cⱼ·zʲ⁺¹ by Horner, with library ops (so differentiable again). */
function hornerTimesZ(c: readonly number[], z: Val): Val {
  let sum: Val = c[c.length - 1]!
  for (let j = c.length - 2; j >= 0; j--) sum = add(mul(sum, z), c[j]!)
  return mul(sum, z)
}

/**
 * ln(1 + t) − t for |t| ≤ ⅓: −t·u + 2u³·Σₖ u²ᵏ/(2k + 3), u = t/(2 + t), |u| ≤ ⅕ (12 terms
 * reach 1e-17), so a·(ln(1 + t) − t) keeps its digits where x ≈ a.
 */
function log1pmxSeries(t: Val): Val {
  const u = div(t, add(t, 2))
  const u2 = mul(u, u)
  let sum: Val = 1 / 25
  for (let j = 11; j >= 1; j--) sum = add(mul(sum, u2), 1 / (2 * j + 1))
  return sub(mul(mul(2, mul(u, u2)), sum), mul(t, u))
}

/**
 * The log density ln(xᵃ⁻¹e⁻ˣ/Γ(a)) and its a-derivative ln x − ψ(a), for a ≥ 20, x > 0, as
 * a·(ln(1 + t) − t) − ln(1 + t) − ½ln(2πa) − (Stirling's correction), t = (x − a)/a, and
 * ln(x/a) + (ln a − ψ(a)): (a − 1)·ln x − x − ln Γ(a) cancels to ε·a ln a (at a = 1e9 the
 * density had 6 digits, at 1e15 none), and ln x − ψ(a) to ε·ln a.
 */
function logDensityLarge(a: Val, x: Val): readonly [Val, Val] {
  const t = div(sub(x, a), a)
  const logRatio = log(div(x, a))
  const near = mul(greater(t, -1 / 3), less(t, 1 / 3))
  // the series is finite for every t > −1, so needs no safe input where it is not chosen
  const lmx = where(near, log1pmxSeries(t), sub(logRatio, t))
  const r = div(1, a)
  // odd powers of 1/a, then even ones
  const correction = hornerTimesZ(
    STIRLING.flatMap((c) => [c, 0]),
    r,
  )
  const l0 = sub(sub(sub(mul(a, lmx), logRatio), mul(0.5, log(mul(2 * Math.PI, a)))), correction)
  const logMinusDigamma = add(
    mul(0.5, r),
    hornerTimesZ(
      LOG_MINUS_DIGAMMA.flatMap((c) => [0, c]),
      r,
    ),
  )
  return [l0, add(logRatio, logMinusDigamma)]
}

/** densityDerivA for a ≥ 0, x ≥ 0. */
function densityDerivAInside(a: Val, x: Val, k: number): Val {
  // each branch gets safe inputs where the other is chosen, so that its (unused) values and
  // derivatives stay finite there and a zero cotangent times them stays 0
  const large = mul(
    mul(greaterEqual(a, LARGE_A), less(a, Infinity)),
    mul(greater(x, 0), less(x, Infinity)),
  )
  const [l0Large, l1Large] = logDensityLarge(where(large, a, LARGE_A), where(large, x, LARGE_A))
  const aSmall = where(large, 2, a)
  const xSmall = where(large, 1, x)
  const l0 = where(large, l0Large, sub(sub(xlogy(sub(aSmall, 1), xSmall), xSmall), lgamma(aSmall)))
  if (k === 0) return exp(l0)
  // L's coefficients: L₀, ln x − ψ(a), then −ψ⁽ʲ⁻¹⁾(a)/j!
  const l: Val[] = [l0, where(large, l1Large, sub(log(xSmall), digamma(aSmall)))]
  let factorial = 1
  for (let j = 2; j <= k; j++) {
    factorial *= j
    l.push(mul(-1 / factorial, polygamma(j - 1, a)))
  }
  // e = exp(L): e_m = (1/m)·Σⱼ j·Lⱼ·e_{m−j}, zero-annihilating (a zero density stays zero)
  const e: Val[] = [exp(l0)]
  for (let m = 1; m <= k; m++) {
    let acc: Val = safeMul(l[1]!, e[m - 1]!)
    for (let j = 2; j <= m; j++) acc = add(acc, mul(j, safeMul(l[j]!, e[m - j]!)))
    e.push(div(acc, m))
  }
  return mul(factorial, e[k]!)
}

/** ∂ᵏP/∂aᵏ on any values. */
const derivA = (a: Val, x: Val, k: number): Val => bind2(gammaincDerivAP, a, x, { k })

/** Params of the a-derivative family: the order k ≥ 1. */
export interface DerivAParams {
  readonly k: number
}

/** The domain of P and Q: a in [0.5, 5], x in [0.2, 8]; special points every pair of reals. */
const incompleteDomain: Domain<void> = binaryDomain(shapeA, shapeX)

/** Primitive record of ∂ᵏP/∂aᵏ (k ≥ 1), the derivatives of {@link gammainc} in a. */
export const gammaincDerivAP: Primitive<DerivAParams> = paramBinary<DerivAParams>({
  name: 'gammaincDerivA',
  scalar: (a, x, { k }) => derivAScalar(a, x, k),
  kernel: ({ k }) => gammaincDerivAK(k),
  partials: [(a, x, _y, { k }) => derivA(a, x, k + 1), (a, x, _y, { k }) => densityDerivA(a, x, k)],
  // no recurrence known: K nested forward passes, O(2ᴷ) (seriesByNestedJvp)
  taylor: (a, x, params) => seriesByNestedJvp(gammaincDerivAP, [a, x], params),
  domain: {
    sample: (draw) => {
      const [sa, sx] = drawBroadcastPair(draw)
      return {
        args: [drawValue(draw, sa, shapeA), drawValue(draw, sx, shapeX)],
        params: { k: draw.integer(1, 2) },
      }
    },
    special: () =>
      [1, 2].flatMap((k) =>
        (incompleteDomain.special?.() ?? []).map(({ args }) => ({ args, params: { k } })),
      ),
  },
})

/** Primitive record of {@link gammainc}. */
export const gammaincP = binary({
  name: 'gammainc',
  scalar: gammaincScalar,
  kernel: gammaincK,
  partials: [(a, x) => derivA(a, x, 1), (a, x) => densityDerivA(a, x, 0)],
  // no recurrence known: K nested forward passes, O(2ᴷ) (seriesByNestedJvp)
  taylor: (a, x) => seriesByNestedJvp(gammaincP, [a, x], undefined),
  domain: incompleteDomain,
})

/**
 * The regularized lower incomplete gamma function P(a, x) = (1/Γ(a))∫₀ˣ tᵃ⁻¹e⁻ᵗ dt,
 * elementwise with broadcasting, for a ≥ 0, x ≥ 0 (NaN elsewhere; P(0, x) = 1 for x > 0, as
 * SciPy). About 1e-15 relative wherever P is not tiny, for every a (Temme's uniform expansion
 * for a ≥ 20 with |x − a| ≤ 0.3a); a tiny P = e^L adds ε·|L|, the problem's own conditioning.
 *
 * Derivative: ∂P/∂x = xᵃ⁻¹e⁻ˣ/Γ(a) (the gamma density); ∂P/∂a by the same series, fraction or
 * expansion in Taylor arithmetic — every order in both arguments, about 1e-13 relative for
 * orders ≤ 3 (up to a = 1e15 at least).
 * @example
 * gammainc(1, 2) // ≈ 1 - Math.exp(-2)
 * @category special
 */
export function gammainc(a: number, x: number): number
export function gammainc(a: Tensor, x: Value): Tensor
export function gammainc(a: Value, x: Tensor): Tensor
export function gammainc(a: Value, x: Value): Value
export function gammainc(a: Value, x: Value): Value {
  return typeof a === 'number' && typeof x === 'number'
    ? gammaincScalar(a, x)
    : bind2(gammaincP, a, x, undefined)
}

/** Primitive record of {@link gammaincc}. */
export const gammainccP = binary({
  name: 'gammaincc',
  scalar: gammainccScalar,
  kernel: gammainccK,
  partials: [(a, x) => neg(derivA(a, x, 1)), (a, x) => neg(densityDerivA(a, x, 0))],
  // no recurrence known: K nested forward passes, O(2ᴷ) (seriesByNestedJvp)
  taylor: (a, x) => seriesByNestedJvp(gammainccP, [a, x], undefined),
  domain: incompleteDomain,
})

/**
 * The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x), elementwise with
 * broadcasting, with relative accuracy in the right tail (Q(1, 50) = e⁻⁵⁰, not 0) and for
 * small a (Q(1e-10, ½) ≈ 5.6e-11 is summed directly, not taken as 1 − P).
 *
 * Derivative: ∂Q/∂x = −xᵃ⁻¹e⁻ˣ/Γ(a); ∂Q/∂a = −∂P/∂a, every order.
 * @example
 * gammaincc(1, 2) // ≈ Math.exp(-2)
 * @category special
 */
export function gammaincc(a: number, x: number): number
export function gammaincc(a: Tensor, x: Value): Tensor
export function gammaincc(a: Value, x: Tensor): Tensor
export function gammaincc(a: Value, x: Value): Value
export function gammaincc(a: Value, x: Value): Value {
  return typeof a === 'number' && typeof x === 'number'
    ? gammainccScalar(a, x)
    : bind2(gammainccP, a, x, undefined)
}
