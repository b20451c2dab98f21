/**
 * Arithmetic: `add sub mul div neg pow safeMul maximum minimum atan2`, elementwise with NumPy
 * broadcasting. Each op takes numbers or tensors; on two numbers it is plain JS arithmetic.
 *
 * Laws (every primitive here): fd-agreement, vjp-jvp-adjoint, jvp-linearity, unbroadcast.
 * @module
 */
import { bind1, bind2 } from '../core/bind.ts'
import { zeroLike } from '../core/jet.ts'
import type { Val } from '../core/tracer.ts'
import { atan2K, divK, maximumK, minimumK, mulK, powK, subK } from '../tensor/kernels/binary.ts'
import { negK } from '../tensor/kernels/unary.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { equal, greater, less, where } from './comparison.ts'
import { anyReal, binaryDomain, real, separatedBinaryDomain, unaryDomain } from './domain.ts'
import { abs, log } from './elementwise.ts'
import { hypot } from './elementwise-binary.ts'
import { addP, binary, safeMulP, sumTangents, unary, unbroadcast } from './families.ts'
import {
  cauchy,
  odeStepWeighted,
  productSeries,
  quotientOde,
  quotientSeries,
  type Series,
  weighted,
} from './taylor.ts'

// ---- records (add and safeMul live in families.ts: the derived rules are written in them) ----

/** Primitive record of {@link sub}: a − b, with ∂/∂a = 1 and ∂/∂b = −1. */
export const subP = binary({
  name: 'sub',
  taylor: (a, b) => a.map((ak, k) => sub(ak, b[k]!)),
  scalar: (a, b) => a - b,
  kernel: subK,
  partials: [() => 1, () => -1],
  jvp: (_, [aDot, bDot], y) => sumTangents([aDot ?? null, bDot == null ? null : neg(bDot)], y),
  linearJvp: true,
  vjp: (yBar, [a, b], _y, needs) => [
    needs[0] ? unbroadcast(yBar, a!) : null,
    needs[1] ? unbroadcast(neg(yBar), b!) : null,
  ],
  domain: { ...binaryDomain(anyReal), linear: true },
})

/** Primitive record of {@link mul}: a · b, with ∂/∂a = b and ∂/∂b = a. */
export const mulP = binary({
  name: 'mul',
  taylor: (a, b) => productSeries(a, b),
  scalar: (a, b) => a * b,
  kernel: mulK,
  partials: [(_a, b) => b, (a) => a],
  domain: binaryDomain(anyReal),
})

/** Primitive record of {@link div}: a / b, with ∂/∂a = 1/b and ∂/∂b = −a/b². */
export const divP = binary({
  name: 'div',
  taylor: (a, b) => quotientSeries(a, b),
  scalar: (a, b) => a / b,
  kernel: divK,
  partials: [(_a, b) => div(1, b), (_a, b, y) => neg(div(y, b))],
  domain: binaryDomain(anyReal, real(0.5, 3)),
})

/** Primitive record of {@link pow}: aᵇ, with ∂/∂a = b·aᵇ⁻¹ and ∂/∂b = aᵇ·log a. */
export const powP = binary({
  name: 'pow',
  taylor: (a, b, constant) => powSeries(a, b, constant[1]!),
  scalar: (a, b) => a ** b,
  kernel: powK,
  // conventions (DESIGN §3): ∂/∂a of a^0 is 0 even at a = 0; ∂/∂b at a = 0 is 0 (its limit).
  // ∂/∂a is a zero-preserving product, not a `where` on b = 0: a `where` would also zero its
  // derivative in b there, and the mixed second derivative at b = 0 is 1/a, not 0.
  partials: [
    (a, b) => safeMul(b, pow(a, sub(b, 1))),
    (a, _b, y) => where(equal(a, 0), 0, mul(y, log(a))),
  ],
  // a base of 0 (and −0, and negative) with integer and half exponents: the kinks of aᵇ
  domain: binaryDomain(real(0.5, 2.5), real(-2, 2), undefined, [
    ...[3, 1.5, -0.5, -2, -3, 4].flatMap((b): [number, number][] => [
      [0, b],
      [-0, b],
    ]),
    [-2, 3],
    [-2, -1],
    [-1, 0.5],
    [-1, 1.5],
  ]),
})

/** 1 where a > b, ½ where a = b, 0 elsewhere: how `maximum` splits its derivative at ties. */
const tieSplit = (win: Tensor | number, tie: Tensor | number) => add(win, mul(0.5, tie))

/** Primitive record of {@link maximum}: the larger of a and b; the gradient follows the winner, split evenly at ties. */
export const maximumP = binary({
  name: 'maximum',
  taylor: (a, b) =>
    selectSeries(a, b, tieSplit(greater(a[0]!, b[0]!), equal(a[0]!, b[0]!)), maximum),
  scalar: (a, b) => Math.max(a, b),
  kernel: maximumK,
  partials: [
    (a, b) => tieSplit(greater(a, b), equal(a, b)),
    (a, b) => tieSplit(greater(b, a), equal(a, b)),
  ],
  domain: separatedBinaryDomain(anyReal),
})

/** Primitive record of {@link minimum}: the smaller of a and b; the gradient follows the winner, split evenly at ties. */
export const minimumP = binary({
  name: 'minimum',
  taylor: (a, b) => selectSeries(a, b, tieSplit(less(a[0]!, b[0]!), equal(a[0]!, b[0]!)), minimum),
  scalar: (a, b) => Math.min(a, b),
  kernel: minimumK,
  partials: [
    (a, b) => tieSplit(less(a, b), equal(a, b)),
    (a, b) => tieSplit(less(b, a), equal(a, b)),
  ],
  domain: separatedBinaryDomain(anyReal),
})

/**
 * Primitive record of {@link atan2}: the angle of (b, a), with ∂/∂a = b/(a²+b²) and
 * ∂/∂b = −a/(a²+b²), computed as (b/h)/h with h = hypot(a, b) where a²+b² would overflow or
 * underflow (it is ∞ at 1e200 and 0 at 1e-200, where the partials are 5e-201 and 5e199).
 */
export const atan2P = binary({
  name: 'atan2',
  taylor: (y, x) => atan2Series(y, x),
  scalar: Math.atan2,
  kernel: atan2K,
  partials: [(y, x) => atan2Partial(x, y, x), (y, x) => neg(atan2Partial(y, y, x))],
  domain: binaryDomain(real(-3, 3), real(0.5, 3)),
})

/** Primitive record of {@link neg}: −x, with derivative −1. */
export const negP = unary({
  name: 'neg',
  scalar: (x) => -x,
  kernel: negK,
  partial: () => -1,
  taylor: (x) => x.map((c) => neg(c)),
  domain: { ...unaryDomain(anyReal), linear: true },
})

// ---- public ops -------------------------------------------------------------------------------

/**
 * Sum a + b, elementwise with broadcasting.
 *
 * Derivative: d(a + b) = da + db. Laws: fd-agreement, vjp-jvp-adjoint, unbroadcast.
 * @example
 * add(1, 2) // => 3
 * add(tensor([1, 2]), 10).toArray() // => [11, 12]
 * @category arithmetic
 */
export function add(a: number, b: number): number
export function add(a: Tensor, b: number | Tensor): Tensor
export function add(a: number | Tensor, b: Tensor): Tensor
export function add(a: number | Tensor, b: number | Tensor): number | Tensor
export function add(a: number | Tensor, b: number | Tensor): number | Tensor {
  return typeof a === 'number' && typeof b === 'number' ? a + b : bind2(addP, a, b, undefined)
}

/**
 * Difference a − b, elementwise with broadcasting.
 *
 * Derivative: d(a − b) = da − db.
 * @example
 * sub(5, 2) // => 3
 * @category arithmetic
 */
export function sub(a: number, b: number): number
export function sub(a: Tensor, b: number | Tensor): Tensor
export function sub(a: number | Tensor, b: Tensor): Tensor
export function sub(a: number | Tensor, b: number | Tensor): number | Tensor
export function sub(a: number | Tensor, b: number | Tensor): number | Tensor {
  return typeof a === 'number' && typeof b === 'number' ? a - b : bind2(subP, a, b, undefined)
}

/**
 * Product a·b, elementwise with broadcasting.
 *
 * Derivative: d(a·b) = da·b + a·db (products with a zero tangent stay zero).
 * @example
 * mul(3, 4) // => 12
 * @category arithmetic
 */
export function mul(a: number, b: number): number
export function mul(a: Tensor, b: number | Tensor): Tensor
export function mul(a: number | Tensor, b: Tensor): Tensor
export function mul(a: number | Tensor, b: number | Tensor): number | Tensor
export function mul(a: number | Tensor, b: number | Tensor): number | Tensor {
  return typeof a === 'number' && typeof b === 'number' ? a * b : bind2(mulP, a, b, undefined)
}

/**
 * Quotient a / b, elementwise with broadcasting.
 *
 * Derivative: d(a/b) = da/b − (a/b)·db/b. Division by zero gives ±∞ or NaN as in IEEE 754.
 * @example
 * div(1, 4) // => 0.25
 * @category arithmetic
 */
export function div(a: number, b: number): number
export function div(a: Tensor, b: number | Tensor): Tensor
export function div(a: number | Tensor, b: Tensor): Tensor
export function div(a: number | Tensor, b: number | Tensor): number | Tensor
export function div(a: number | Tensor, b: number | Tensor): number | Tensor {
  return typeof a === 'number' && typeof b === 'number' ? a / b : bind2(divP, a, b, undefined)
}

/**
 * Power aᵇ, elementwise with broadcasting.
 *
 * Derivative: d(aᵇ) = b·aᵇ⁻¹·da + aᵇ·ln(a)·db, with the conventions ∂/∂a aᵇ = 0 where b = 0
 * (so `pow(x, 0)` has derivative 0 at x = 0) and ∂/∂b aᵇ = 0 where a = 0.
 * @example
 * pow(2, 10) // => 1024
 * @category arithmetic
 */
export function pow(a: number, b: number): number
export function pow(a: Tensor, b: number | Tensor): Tensor
export function pow(a: number | Tensor, b: Tensor): Tensor
export function pow(a: number | Tensor, b: number | Tensor): number | Tensor
export function pow(a: number | Tensor, b: number | Tensor): number | Tensor {
  return typeof a === 'number' && typeof b === 'number' ? a ** b : bind2(powP, a, b, undefined)
}

/**
 * Zero-annihilating product: 0 where a = 0 or b = 0, else a·b — even where the other factor
 * is infinite or NaN.
 *
 * This is the product fluxion uses between a tangent or cotangent and a partial derivative, in
 * every mode: a branch `where` did not select contributes 0, not NaN, and a zero partial
 * (x² at 0) stops an infinite cotangent (√ at 0), so forward and reverse mode agree.
 * Derivative: d(a ⊙ b) = da ⊙ b + a ⊙ db.
 * @example
 * safeMul(0, Infinity) // => 0
 * safeMul(Number.NaN, 0) // => 0
 * @category arithmetic
 */
export function safeMul(a: number, b: number): number
export function safeMul(a: Tensor, b: number | Tensor): Tensor
export function safeMul(a: number | Tensor, b: Tensor): Tensor
export function safeMul(a: number | Tensor, b: number | Tensor): number | Tensor
export function safeMul(a: number | Tensor, b: number | Tensor): number | Tensor {
  return typeof a === 'number' && typeof b === 'number'
    ? a === 0 || b === 0
      ? 0
      : a * b
    : bind2(safeMulP, a, b, undefined)
}

/**
 * Elementwise maximum of a and b (NaN if either is NaN).
 *
 * Derivative: 1 for the larger argument, 0 for the other; at ties each gets ½, so
 * `maximum(x, x)` has derivative 1.
 * @example
 * maximum(2, 3) // => 3
 * @category arithmetic
 */
export function maximum(a: number, b: number): number
export function maximum(a: Tensor, b: number | Tensor): Tensor
export function maximum(a: number | Tensor, b: Tensor): Tensor
export function maximum(a: number | Tensor, b: number | Tensor): number | Tensor
export function maximum(a: number | Tensor, b: number | Tensor): number | Tensor {
  return typeof a === 'number' && typeof b === 'number'
    ? Math.max(a, b)
    : bind2(maximumP, a, b, undefined)
}

/**
 * Elementwise minimum of a and b (NaN if either is NaN).
 *
 * Derivative: 1 for the smaller argument, 0 for the other; ties split ½ and ½.
 * @example
 * minimum(2, 3) // => 2
 * @category arithmetic
 */
export function minimum(a: number, b: number): number
export function minimum(a: Tensor, b: number | Tensor): Tensor
export function minimum(a: number | Tensor, b: Tensor): Tensor
export function minimum(a: number | Tensor, b: number | Tensor): number | Tensor
export function minimum(a: number | Tensor, b: number | Tensor): number | Tensor {
  return typeof a === 'number' && typeof b === 'number'
    ? Math.min(a, b)
    : bind2(minimumP, a, b, undefined)
}

/**
 * Four-quadrant arctangent of y/x, elementwise, in (−π, π].
 *
 * Derivative: d atan2(y, x) = (x·dy − y·dx) / (x² + y²), evaluated through hypot(x, y) so it
 * is finite and accurate for every finite nonzero (x, y), 1e±300 included.
 * @example
 * atan2(1, 1) // ≈ Math.PI / 4
 * @category arithmetic
 */
export function atan2(y: number, x: number): number
export function atan2(y: Tensor, x: number | Tensor): Tensor
export function atan2(y: number | Tensor, x: Tensor): Tensor
export function atan2(y: number | Tensor, x: number | Tensor): number | Tensor
export function atan2(y: number | Tensor, x: number | Tensor): number | Tensor {
  return typeof y === 'number' && typeof x === 'number'
    ? Math.atan2(y, x)
    : bind2(atan2P, y, x, undefined)
}

/**
 * Negation −x, elementwise.
 *
 * Derivative: d(−x) = −dx.
 * @example
 * neg(2) // => -2
 * @category arithmetic
 */
export function neg(x: number): number
export function neg(x: Tensor): Tensor
export function neg(x: number | Tensor): number | Tensor
export function neg(x: number | Tensor): number | Tensor {
  return typeof x === 'number' ? -x : bind1(negP, x, undefined)
}

/**
 * `x` clamped to [lo, hi], elementwise: minimum(maximum(x, lo), hi).
 *
 * Derivative: 1 strictly inside, 0 outside; at a boundary the `maximum`/`minimum` tie
 * convention gives ½.
 * @example
 * clip(5, 0, 1) // => 1
 * clip(tensor([-1, 0.5, 2]), 0, 1).toArray() // => [0, 0.5, 1]
 * @category arithmetic
 */
export function clip(x: number, lo: number, hi: number): number
export function clip(x: Tensor, lo: number | Tensor, hi: number | Tensor): Tensor
export function clip(x: number | Tensor, lo: number | Tensor, hi: number | Tensor): number | Tensor
export function clip(
  x: number | Tensor,
  lo: number | Tensor,
  hi: number | Tensor,
): number | Tensor {
  return minimum(maximum(x, lo), hi)
}

/**
 * Series of aᵇ. A natural-number exponent (a plain number) expands exactly by repeated squaring
 * of the series: a polynomial, defined at a₀ = 0 where the log-based recurrences divide by 0.
 * Any other exponent goes through `powByPartials` (a negative integer too: 1/aⁿ has a pole at
 * 0, where a reciprocal series would get the signs of its infinities wrong).
 */
function powSeries(a: Series, b: Series, constantExponent: boolean): Val[] {
  const n = b[0]!
  return constantExponent && typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
    ? naturalPowSeries(a, n)
    : powByPartials(a, b, constantExponent)
}

/** aⁿ for a natural number n, by repeated squaring (O(K² log n)); y₀ is `pow` itself. */
function naturalPowSeries(a: Series, n: number): Val[] {
  const y0 = pow(a[0]!, n)
  let power: Val[] | undefined
  let base: Val[] = a.slice()
  for (let m = n; m > 0; m = Math.floor(m / 2)) {
    if (m % 2 === 1) power = power === undefined ? base : productSeries(power, base)
    if (m > 1) base = productSeries(base, base)
  }
  // a⁰ = 1: its series is constant, whatever a is (the convention ∂/∂a a⁰ = 0 at a = 0 too)
  const y = power ?? a.map(() => zeroLike(y0))
  y[0] = y0
  return y
}

/**
 * Series of y = aᵇ from y′ = ∂ₐ·a′ + ∂_b·b′, with the first-order rule's own partials: ∂ₐ =
 * b·aᵇ⁻¹ (its series is this function one order lower) and ∂_b = y·ln a, 0 where a₀ = 0. So it
 * holds at a₀ = 0, where the log-based recurrence divides by 0, and follows nested `grad`s:
 * √x′(0) = +∞, √x″(0) = −∞, and ∂/∂b 0ᵇ = 0. Cost O(K³) instead of O(K²).
 */
function powByPartials(a: Series, b: Series, constantExponent: boolean): Val[] {
  const K = a.length - 1
  const y: Val[] = [pow(a[0]!, b[0]!)]
  if (K === 0) return y
  const lowA = a.slice(0, K)
  const lowB = b.slice(0, K)
  const below = powSeries(lowA, [sub(b[0]!, 1), ...lowB.slice(1)], constantExponent)
  const dA = constantExponent ? below.map((c) => safeMul(b[0]!, c)) : productSeries(lowB, below)
  const jA = weighted(a)
  if (constantExponent) {
    for (let k = 1; k <= K; k++) y.push(odeStepWeighted(jA, dA, k))
    return y
  }
  const logA = quotientOde(lowA, lowA, log(a[0]!))
  const atZero = equal(a[0]!, 0)
  const jB = weighted(b)
  const dB: Val[] = []
  for (let k = 1; k <= K; k++) {
    dB.push(where(atZero, 0, cauchy(y, logA, k - 1)))
    y.push(add(odeStepWeighted(jA, dA, k), odeStepWeighted(jB, dB, k)))
  }
  return y
}

/** Series of a piecewise choice: weight w (fixed at t = 0) on a, 1 − w on b. */
function selectSeries(a: Series, b: Series, w: Val, at0: (a: Val, b: Val) => Val): Val[] {
  const v = sub(1, w)
  return a.map((ak, k) => (k === 0 ? at0(ak, b[0]!) : add(safeMul(ak, w), safeMul(b[k]!, v))))
}

/**
 * Series of w = atan2(y, x) from (x² + y²)·w′ = x·y′ − y·x′: no division by x, so it stays
 * accurate where |y/x| is large. With u = x² + y² and n the series of x·y′ − y·x′,
 * k·u₀·w_k = n_{k−1} − Σ_{j=1..k−1} (k − j)·u_j·w_{k−j} (products zero-annihilating).
 */
function atan2Series(y: Series, x: Series): Val[] {
  const w0 = atan2(y[0]!, x[0]!)
  // atan2 is invariant under scaling both arguments by a constant: scale by 1/hypot(x₀, y₀)
  // (1 at the origin) so that u = x² + y² neither overflows nor underflows
  const h = hypot(y[0]!, x[0]!)
  const s = where(equal(h, 0), 1, h)
  return atan2SeriesUnit(
    y.map((c) => div(c, s)),
    x.map((c) => div(c, s)),
    w0,
  )
}

/**
 * c/(x² + y²). Where max(|x|, |y|) is outside [1e-150, 1e150] the sum of squares over- or
 * underflows, so it is (c/h)/h with h = hypot(x, y), each quotient in range; inside, the
 * plain quotient, one rounding more accurate than going through hypot. The choice is
 * constant, so every derivative is that of c/(x² + y²).
 */
function atan2Partial(c: Val, y: Val, x: Val): Val {
  const m = maximum(abs(x), abs(y))
  const inRange = mul(greater(m, 1e-150), less(m, 1e150))
  const h = hypot(y, x)
  return where(inRange, div(c, add(mul(x, x), mul(y, y))), div(div(c, h), h))
}

/** {@link atan2Series} on arguments scaled to hypot(x₀, y₀) ≈ 1, with w₀ given. */
function atan2SeriesUnit(y: Series, x: Series, w0: Val): Val[] {
  const u = productSeries(x, x).map((c, k) => add(c, cauchy(y, y, k)))
  const r = div(1, u[0]!)
  const w: Val[] = [w0]
  for (let k = 1; k < y.length; k++) {
    // n_{k−1} = Σ_{j=0..k−1} (k − j)·(x_j·y_{k−j} − y_j·x_{k−j})
    let acc: Val = 0
    for (let j = 0; j < k; j++) {
      acc = add(acc, mul(k - j, sub(safeMul(x[j]!, y[k - j]!), safeMul(y[j]!, x[k - j]!))))
    }
    for (let j = 1; j < k; j++) acc = sub(acc, mul(k - j, safeMul(u[j]!, w[k - j]!)))
    w.push(safeMul(div(acc, k), r))
  }
  return w
}
