/**
 * Special functions of the error-function family, as `jax.scipy.special`: `erfc`, `erfcx`,
 * `erfinv`, `ndtr` (the normal CDF Φ), `logNdtr` (log Φ, stable far in the left tail) and
 * `ndtri` (Φ⁻¹). Kernels in tensor/kernels/erf-scalar.ts; about 1e-15 relative error on the
 * whole line, tails included.
 *
 * The derivatives are compositions that stay accurate where the functions are: log Φ′ is the
 * ratio φ/Φ = √(2/π)/erfcx(−x/√2), finite and ≈ −x far in the left tail, where φ and Φ both
 * underflow.
 *
 * Laws (every primitive here): fd-agreement, vjp-jvp-adjoint, jvp-linearity,
 * taylor-nested-agreement.
 * @module
 */
import { bind1 } from '../core/bind.ts'
import type { Val } from '../core/tracer.ts'
import {
  erfc as erfcScalar,
  erfcx as erfcxScalar,
  erfinv as erfinvScalar,
  logNdtr as logNdtrScalar,
  ndtri as ndtriScalar,
  ndtr as ndtrScalar,
} from '../tensor/kernels/erf-scalar.ts'
import { erfcK, erfcxK, erfinvK, logNdtrK, ndtriK, ndtrK } from '../tensor/kernels/special.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { add, div, mul, neg, sub } from './arithmetic.ts'
import { greaterEqual, where } from './comparison.ts'
import { real, unaryDomain } from './domain.ts'
import { exp } from './elementwise.ts'
import { unary } from './families.ts'
import {
  cauchy,
  odeStepWeighted,
  productSeries,
  quotientSeries,
  type Series,
  solveOde,
  weighted,
} from './taylor.ts'

type Value = number | Tensor

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI)
const ONE_OVER_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI)
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI)

/** The series of c·e^(s·x²) (the Gaussian factors of every partial here). */
function gaussianSeries(x: Series, c: number, s: number): Val[] {
  const u = productSeries(x, x).map((v) => mul(s, v))
  return solveOde(u, exp(u[0]!), (y, m) => y[m]!).map((v) => mul(c, v))
}

/** The series of y with y′ = g·x′, from y₀ and the series of g (one order lower suffices). */
function integrate(x: Series, y0: Val, g: Series): Val[] {
  const jx = weighted(x)
  return x.map((_, k) => (k === 0 ? y0 : odeStepWeighted(jx, g, k)))
}

/** Primitive record of {@link erfc}. */
export const erfcP = unary({
  name: 'erfc',
  scalar: erfcScalar,
  kernel: erfcK,
  partial: (x) => mul(-TWO_OVER_SQRT_PI, exp(neg(mul(x, x)))),
  taylor: (x) => integrate(x, erfc(x[0]!), gaussianSeries(x, -TWO_OVER_SQRT_PI, -1)),
  domain: unaryDomain(real(-3, 5)),
})

/**
 * The complementary error function erfc x = 1 − erf x, elementwise, within 2 ulps (tested
 * against 200-bit references) and so with relative accuracy in the right tail (erfc(10) ≈
 * 2.088e-45, where 1 − erf(10) is 0).
 *
 * Derivative: d erfc x = −(2/√π)·e^(−x²)·dx.
 * @example
 * erfc(0) // => 1
 * @category special
 */
export function erfc(x: number): number
export function erfc(x: Tensor): Tensor
export function erfc(x: Value): Value
export function erfc(x: Value): Value {
  return typeof x === 'number' ? erfcScalar(x) : bind1(erfcP, x, undefined)
}

/** Primitive record of {@link erfcx}. */
export const erfcxP = unary({
  name: 'erfcx',
  scalar: erfcxScalar,
  kernel: erfcxK,
  partial: (x, y) => erfcxSlope(x, y),
  // y′ = (2x·y − 2/√π)·x′, the bracket from the asymptotic series where it would cancel
  taylor: (x) => {
    const large = greaterEqual(x[0]!, ERFCX_ASYMPTOTIC_FROM)
    const asymptotic = erfcxSlopeAsymptoticSeries(x.map((c, k) => (k === 0 ? asymptoticArg(c) : c)))
    return solveOde(x, erfcx(x[0]!), (y, m) => {
      const twoXY = mul(2, cauchy(x, y, m))
      return where(large, asymptotic[m]!, m === 0 ? sub(twoXY, TWO_OVER_SQRT_PI) : twoXY)
    })
  },
  domain: unaryDomain(real(-2, 5)),
})

/**
 * The scaled complementary error function erfcx x = e^(x²)·erfc x, elementwise
 * (`scipy.special.erfcx`): ≈ 1/(x√π) for large x, where erfc underflows; overflows to +∞
 * below about −26.6 (every x below, −1e300 included).
 *
 * Derivative: d erfcx x = (2x·erfcx x − 2/√π)·dx. The two terms cancel for large x (the
 * difference is ≈ −1/(√π·x²)), so from x = 8 on the bracket is its asymptotic series in
 * 1/(2x²) instead (DLMF 7.12.1), relative error below 1e-15 there and at every order, and no
 * overflow at 1e308; below 8 the direct form loses up to 2x²·ε (≈ 1.4e-14 at 8).
 * @example
 * erfcx(0) // => 1
 * @category special
 */
export function erfcx(x: number): number
export function erfcx(x: Tensor): Tensor
export function erfcx(x: Value): Value
export function erfcx(x: Value): Value {
  return typeof x === 'number' ? erfcxScalar(x) : bind1(erfcxP, x, undefined)
}

/** From here on erfcx′ = 2x·erfcx x − 2/√π is taken from its asymptotic series. */
const ERFCX_ASYMPTOTIC_FROM = 8

/**
 * (2/√π)·(−1)ⁿ·(2n − 1)!! for n = 1 … 25: 2x·erfcx x − 2/√π ~ Σ cₙ·uⁿ with u = 1/(2x²)
 * (DLMF 7.12.1 times 2x). At x ≥ 8 (u ≤ 1/128) the first omitted term is below 1e-19 of the
 * sum, and termwise derivatives keep that margin to within a few orders.
 */
const ERFCX_SLOPE_COEFFS: readonly number[] = (() => {
  const c: number[] = []
  let odd = 1
  for (let n = 1; n <= 25; n++) {
    odd *= 2 * n - 1
    c.push(TWO_OVER_SQRT_PI * (n % 2 === 0 ? odd : -odd))
  }
  return c
})()

/** x where the asymptotic branch is taken, else the branch's start (so it never sees 1/0). */
function asymptoticArg(x: Val): Val {
  return where(greaterEqual(x, ERFCX_ASYMPTOTIC_FROM), x, ERFCX_ASYMPTOTIC_FROM)
}

/**
 * erfcx′(x) = 2x·erfcx(x) − 2/√π given y = erfcx(x): directly below 8, from the asymptotic
 * series above, where the direct form cancels (all digits lost by 1e8) and 2x·y overflows.
 */
function erfcxSlope(x: Val, y: Val): Val {
  const large = greaterEqual(x, ERFCX_ASYMPTOTIC_FROM)
  const direct = sub(mul(mul(2, x), y), TWO_OVER_SQRT_PI)
  return where(large, erfcxSlopeAsymptotic(asymptoticArg(x)), direct)
}

/** Σ cₙ·uⁿ, u = 1/(2x²) = (1/x)²/2 (no overflow of x²), by Horner's rule. */
function erfcxSlopeAsymptotic(x: Val): Val {
  const r = div(1, x)
  const u = mul(0.5, mul(r, r))
  const c = ERFCX_SLOPE_COEFFS
  let acc: Val = c[c.length - 1]!
  for (let n = c.length - 2; n >= 0; n--) acc = add(c[n]!, mul(u, acc))
  return mul(u, acc)
}

/** The Taylor series of {@link erfcxSlopeAsymptotic} along x, by the same steps on series. */
function erfcxSlopeAsymptoticSeries(x: Series): Val[] {
  const one = x.map((_, k) => (k === 0 ? 1 : 0))
  const r = quotientSeries(one, x)
  const u = productSeries(r, r).map((v) => mul(0.5, v))
  const c = ERFCX_SLOPE_COEFFS
  let acc: Val[] = x.map((_, k) => (k === 0 ? c[c.length - 1]! : 0))
  for (let n = c.length - 2; n >= 0; n--) {
    acc = productSeries(u, acc)
    acc[0] = add(c[n]!, acc[0]!)
  }
  return productSeries(u, acc)
}

/**
 * The series of c·e^(s·y²) along a series y being solved for: coefficient m from y₀ … y_m
 * (for the inverse functions, whose derivative is a Gaussian of their own output).
 */
function gaussianOfOutput(c: number, s: number): (y: readonly Val[], m: number) => Val {
  const e: Val[] = []
  const u: Val[] = []
  return (y, m) => {
    u.push(mul(s, cauchy(y, y, m)))
    if (m === 0) e.push(exp(u[0]!))
    else e.push(odeStepWeighted(weighted(u), e, m))
    return mul(c, e[m]!)
  }
}

/** Primitive record of {@link erfinv}. */
export const erfinvP = unary({
  name: 'erfinv',
  scalar: erfinvScalar,
  kernel: erfinvK,
  partial: (_x, y) => mul(Math.sqrt(Math.PI) / 2, exp(mul(y, y))),
  taylor: (x) => solveOde(x, erfinv(x[0]!), gaussianOfOutput(Math.sqrt(Math.PI) / 2, 1)),
  domain: unaryDomain(real(-0.9, 0.9)),
})

/**
 * The inverse error function, elementwise on [−1, 1]: erf(erfinv(y)) = y, ±∞ at ±1, NaN
 * outside. Full relative precision near 0 and in the tails (erfinv(1 − 1e-15) ≈ 5.6).
 *
 * Derivative: d erfinv y = (√π/2)·e^(erfinv(y)²)·dy.
 * @example
 * erfinv(0) // => 0
 * @category special
 */
export function erfinv(x: number): number
export function erfinv(x: Tensor): Tensor
export function erfinv(x: Value): Value
export function erfinv(x: Value): Value {
  return typeof x === 'number' ? erfinvScalar(x) : bind1(erfinvP, x, undefined)
}

/** Primitive record of {@link ndtr}. */
export const ndtrP = unary({
  name: 'ndtr',
  scalar: ndtrScalar,
  kernel: ndtrK,
  partial: (x) => mul(ONE_OVER_SQRT_2PI, exp(mul(-0.5, mul(x, x)))),
  taylor: (x) => integrate(x, ndtr(x[0]!), gaussianSeries(x, ONE_OVER_SQRT_2PI, -0.5)),
  domain: unaryDomain(real(-6, 6)),
})

/**
 * The standard normal CDF Φ(x) = ½·erfc(−x/√2), elementwise, with relative accuracy in the
 * left tail (Φ(−30) ≈ 4.906e-198).
 *
 * Derivative: d Φ(x) = φ(x)·dx = e^(−x²/2)/√(2π)·dx.
 * @example
 * ndtr(0) // => 0.5
 * @category special
 */
export function ndtr(x: number): number
export function ndtr(x: Tensor): Tensor
export function ndtr(x: Value): Value
export function ndtr(x: Value): Value {
  return typeof x === 'number' ? ndtrScalar(x) : bind1(ndtrP, x, undefined)
}

/** log Φ′ = φ/Φ, the inverse Mills ratio, as √(2/π)/erfcx(−x/√2): no underflow anywhere. */
const millsRatio = (x: Val): Val => div(SQRT_2_OVER_PI, erfcx(mul(-Math.SQRT1_2, x)))

/** Primitive record of {@link logNdtr}. */
export const logNdtrP = unary({
  name: 'logNdtr',
  scalar: logNdtrScalar,
  kernel: logNdtrK,
  partial: (x) => millsRatio(x),
  taylor: (x) => {
    const z = x.slice(0, -1).map((v) => mul(-Math.SQRT1_2, v))
    const e = erfcxP.taylor([z], undefined, [false])
    const ratio = quotientSeries([SQRT_2_OVER_PI, ...z.slice(1).map(() => 0)], e)
    return integrate(x, logNdtr(x[0]!), ratio)
  },
  domain: unaryDomain(real(-10, 5)),
})

/**
 * log Φ(x), the log of the standard normal CDF, elementwise (`log_ndtr`), stable everywhere:
 * logNdtr(−40) ≈ −804.6084420137538 (Φ itself underflows), and ≈ −Φ(−x) for large x.
 *
 * Derivative: d log Φ(x) = φ(x)/Φ(x)·dx, computed as √(2/π)/erfcx(−x/√2) — finite and ≈ −x
 * in the far left tail.
 * @example
 * logNdtr(0) // ≈ -Math.LN2
 * @category special
 */
export function logNdtr(x: number): number
export function logNdtr(x: Tensor): Tensor
export function logNdtr(x: Value): Value
export function logNdtr(x: Value): Value {
  return typeof x === 'number' ? logNdtrScalar(x) : bind1(logNdtrP, x, undefined)
}

/** Primitive record of {@link ndtri}. */
export const ndtriP = unary({
  name: 'ndtri',
  scalar: ndtriScalar,
  kernel: ndtriK,
  partial: (_x, y) => mul(Math.sqrt(2 * Math.PI), exp(mul(0.5, mul(y, y)))),
  taylor: (x) => solveOde(x, ndtri(x[0]!), gaussianOfOutput(Math.sqrt(2 * Math.PI), 0.5)),
  domain: unaryDomain(real(0.05, 0.95)),
})

/**
 * Φ⁻¹(p), the inverse of the standard normal CDF (the probit), elementwise on [0, 1]: ∓∞ at 0
 * and 1, NaN outside; full relative precision from p = 1e-300 to 1 − 1e-16.
 *
 * Derivative: d Φ⁻¹(p) = dp / φ(Φ⁻¹(p)) = √(2π)·e^(y²/2)·dp with y = Φ⁻¹(p).
 * @example
 * ndtri(0.5) // => 0
 * @category special
 */
export function ndtri(x: number): number
export function ndtri(x: Tensor): Tensor
export function ndtri(x: Value): Value
export function ndtri(x: Value): Value {
  return typeof x === 'number' ? ndtriScalar(x) : bind1(ndtriP, x, undefined)
}
