/**
 * More elementwise functions of two arguments, as in `jax.numpy`, with NumPy broadcasting:
 * `hypot`, `logaddexp`, `logaddexp2`, `copysign`, and the compositions `heaviside`, `xlogy`,
 * `xlog1py` (the remainders are in remainder.ts).
 *
 * Derivatives follow JAX where it defines them (copysign's is ±sign(a) in a and 0 in b); at
 * the kinks fluxion's own conventions hold (see each function).
 *
 * Laws (every differentiable primitive here): fd-agreement, vjp-jvp-adjoint, jvp-linearity,
 * unbroadcast, taylor-nested-agreement.
 * @module
 */
import { bind2 } from '../core/bind.ts'
import { strongDtype } from '../core/dtype.ts'
import type { Val } from '../core/tracer.ts'
import { copysignK, hypotK, logaddexp2K, logaddexpK } from '../tensor/kernels/extra.ts'
import {
  copysign as copysignScalar,
  logaddexp2 as logaddexp2Scalar,
  logaddexp as logaddexpScalar,
} from '../tensor/kernels/extra-scalar.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { add, div, mul, neg, safeMul, sub } from './arithmetic.ts'
import { astype } from './astype.ts'
import { equal, greater, less, notEqual, where } from './comparison.ts'
import { anyReal, binaryDomain, real } from './domain.ts'
import { abs, log, log1p, logistic, sign } from './elementwise.ts'
import { binary } from './families.ts'
import { cauchy, odeStepWeighted, type Series, solveOde, weighted } from './taylor.ts'

type Value = number | Tensor

/** Primitive record of {@link hypot}. */
export const hypotP = binary({
  name: 'hypot',
  scalar: Math.hypot,
  kernel: hypotK,
  // a/h and b/h, and 0 at the origin: hypot(x, 0) = |x|, and abs′(0) = 0 (all orders vanish)
  partials: [
    (a, _b, y) => where(equal(y, 0), 0, div(a, y)),
    (_a, b, y) => where(equal(y, 0), 0, div(b, y)),
  ],
  taylor: (a, b) => hypotSeries(a, b),
  // |a| ≥ ½: near the cone's apex the curvature 1/|a| defeats finite differences
  domain: binaryDomain({ min: -3, max: 3, avoid: [0], margin: 0.5 }, anyReal),
})

/**
 * √(a² + b²), elementwise, without overflow or underflow in the squares (hypot(1e300, 1e300)
 * is 1.4e300); +∞ if either is infinite, even against NaN (IEEE 754).
 *
 * Derivative: d hypot = (a·da + b·db)/hypot. At the origin, where the function has a cone
 * kink, the derivative and all higher ones are 0 — as for abs at 0 (hypot(x, 0) = |x|).
 * @example
 * hypot(3, 4) // => 5
 * @category elementwise
 */
export function hypot(a: number, b: number): number
export function hypot(a: Tensor, b: Value): Tensor
export function hypot(a: Value, b: Tensor): Tensor
export function hypot(a: Value, b: Value): Value
export function hypot(a: Value, b: Value): Value {
  return typeof a === 'number' && typeof b === 'number'
    ? Math.hypot(a, b)
    : bind2(hypotP, a, b, undefined)
}

/** 1 where a and b are the same infinity: where softmax's weights have their limit ½. */
const tiedInfinity = (a: Val, b: Val): Val => mul(equal(a, b), equal(abs(a), Infinity))

/** The weight of a in log(eᵃ + eᵇ) (scale 1) or log₂(2ᵃ + 2ᵇ) (scale ln 2). */
const weightOf = (a: Val, b: Val, scale: number): Val =>
  where(tiedInfinity(a, b), 0.5, logistic(mul(scale, sub(a, b))))

/** Primitive record of {@link logaddexp}. */
export const logaddexpP = binary({
  name: 'logaddexp',
  scalar: logaddexpScalar,
  kernel: logaddexpK,
  partials: [(a, b) => weightOf(a, b, 1), (a, b) => weightOf(b, a, 1)],
  taylor: (a, b) => logaddexpSeries(a, b, 1, logaddexp(a[0]!, b[0]!)),
  domain: binaryDomain(anyReal),
})

/**
 * log(eᵃ + eᵇ), elementwise, without overflow: max + log1p(e^(−|a − b|)). Equal infinities
 * give that infinity: logaddexp(−∞, −∞) = −∞.
 *
 * Derivative: softmax weights, d = σ(a − b)·da + σ(b − a)·db; at equal infinities their limit
 * ½ and ½ (as `maximum` splits ties and `logSumExp` an infinite maximum).
 * @example
 * logaddexp(0, 0) // ≈ Math.LN2
 * logaddexp(1000, 1000) // ≈ 1000 + Math.LN2
 * @category elementwise
 */
export function logaddexp(a: number, b: number): number
export function logaddexp(a: Tensor, b: Value): Tensor
export function logaddexp(a: Value, b: Tensor): Tensor
export function logaddexp(a: Value, b: Value): Value
export function logaddexp(a: Value, b: Value): Value {
  return typeof a === 'number' && typeof b === 'number'
    ? logaddexpScalar(a, b)
    : bind2(logaddexpP, a, b, undefined)
}

/** Primitive record of {@link logaddexp2}. */
export const logaddexp2P = binary({
  name: 'logaddexp2',
  scalar: logaddexp2Scalar,
  kernel: logaddexp2K,
  partials: [(a, b) => weightOf(a, b, Math.LN2), (a, b) => weightOf(b, a, Math.LN2)],
  taylor: (a, b) => logaddexpSeries(a, b, Math.LN2, logaddexp2(a[0]!, b[0]!)),
  domain: binaryDomain(anyReal),
})

/**
 * log₂(2ᵃ + 2ᵇ), elementwise, without overflow; equal infinities give that infinity.
 *
 * Derivative: d = σ((a − b)·ln 2)·da + σ((b − a)·ln 2)·db; ½ and ½ at equal infinities.
 * @example
 * logaddexp2(3, 3) // => 4
 * @category elementwise
 */
export function logaddexp2(a: number, b: number): number
export function logaddexp2(a: Tensor, b: Value): Tensor
export function logaddexp2(a: Value, b: Tensor): Tensor
export function logaddexp2(a: Value, b: Value): Value
export function logaddexp2(a: Value, b: Value): Value {
  return typeof a === 'number' && typeof b === 'number'
    ? logaddexp2Scalar(a, b)
    : bind2(logaddexp2P, a, b, undefined)
}

/** Primitive record of {@link copysign}. */
export const copysignP = binary({
  name: 'copysign',
  scalar: copysignScalar,
  kernel: copysignK,
  partials: [(a, b) => mul(sign(a), copysign(1, b)), () => 0],
  taylor: (a, b) => {
    const s = mul(sign(a[0]!), copysign(1, b[0]!))
    return a.map((ak, k) => (k === 0 ? copysign(ak, b[0]!) : safeMul(ak, s)))
  },
  domain: binaryDomain(real(-3, 3, [0]), real(-3, 3, [0])),
})

/**
 * |a| with the sign of b, elementwise, as C's `copysign` (the sign bit of b, so −0 counts as
 * negative).
 *
 * Derivative (as JAX): ±sign(a) in a (so 0 at a = 0, abs's convention), 0 in b.
 * @example
 * copysign(3, -0) // => -3
 * @category elementwise
 */
export function copysign(a: number, b: number): number
export function copysign(a: Tensor, b: Value): Tensor
export function copysign(a: Value, b: Tensor): Tensor
export function copysign(a: Value, b: Value): Value
export function copysign(a: Value, b: Value): Value {
  return typeof a === 'number' && typeof b === 'number'
    ? copysignScalar(a, b)
    : bind2(copysignP, a, b, undefined)
}

/**
 * NumPy's Heaviside step: 0 where x1 < 0, x2 where x1 = 0, 1 where x1 > 0, NaN where x1 is
 * NaN; elementwise with broadcasting (a composition of `where`), of the dtype x1 and x2
 * promote to (float32 for a float32 x1 and a number x2).
 *
 * Derivative: zero in x1 (the step's derivative, 0 at the jump by convention); in x2, 1 where
 * x1 = 0 and 0 elsewhere (x2 is the value there), as in JAX.
 * @example
 * heaviside(-2, 0.5) // => 0
 * heaviside(0, 0.5) // => 0.5
 * @category elementwise
 */
export function heaviside(x1: number, x2: number): number
export function heaviside(x1: Tensor, x2: Value): Tensor
export function heaviside(x1: Value, x2: Tensor): Tensor
export function heaviside(x1: Value, x2: Value): Value
export function heaviside(x1: Value, x2: Value): Value {
  const step = where(less(x1, 0), 0, where(greater(x1, 0), 1, x2))
  const out = where(notEqual(x1, x1), Number.NaN, step)
  // x1 reaches `where` only as conditions, which take no part in promotion; but it is a value:
  // the result has the dtype x1 and x2 promote to (float32 for a float32 x1 and a number x2)
  const d1 = strongDtype(x1)
  if (d1 === undefined) return out
  const dtype = d1 === 'float64' || strongDtype(x2) === 'float64' ? 'float64' : 'float32'
  return strongDtype(out) === dtype ? out : astype(out as Tensor, dtype)
}

/**
 * x·log(y), and 0 where x = 0 whatever y is (0·log 0 = 0), elementwise, as
 * `jax.scipy.special.xlogy` (SciPy's gives NaN at x = 0, y = NaN): a zero-annihilating product
 * (`safeMul`), so exact everywhere.
 *
 * Derivative: log(y)·dx + (x/y)·dy, with zero-annihilating products (0 where x = 0 in dy).
 * @example
 * xlogy(0, 0) // => 0
 * xlogy(2, Math.E) // => 2
 * @category special
 */
export function xlogy(x: number, y: number): number
export function xlogy(x: Tensor, y: Value): Tensor
export function xlogy(x: Value, y: Tensor): Tensor
export function xlogy(x: Value, y: Value): Value
export function xlogy(x: Value, y: Value): Value {
  return safeMul(x, log(y))
}

/**
 * x·log(1 + y), and 0 where x = 0 whatever y is, elementwise, as `jax.scipy.special.xlog1py`;
 * accurate for small y (log1p).
 *
 * Derivative: log1p(y)·dx + x/(1 + y)·dy.
 * @example
 * xlog1py(0, -1) // => 0
 * @category special
 */
export function xlog1py(x: number, y: number): number
export function xlog1py(x: Tensor, y: Value): Tensor
export function xlog1py(x: Value, y: Tensor): Tensor
export function xlog1py(x: Value, y: Value): Value
export function xlog1py(x: Value, y: Value): Value {
  return safeMul(x, log1p(y))
}

/**
 * Series of h = hypot(a, b) from h² = a² + b²: 2h₀·h_k = w_k − Σⱼ hⱼh_{k−j} with w = a² + b²;
 * all coefficients past the value are 0 at the origin, like the partials'.
 */
function hypotSeries(a: Series, b: Series): Val[] {
  const h0 = hypot(a[0]!, b[0]!)
  const r = where(equal(h0, 0), 0, div(0.5, h0))
  const h: Val[] = [h0]
  for (let k = 1; k < a.length; k++) {
    let acc: Val = add(cauchy(a, a, k), cauchy(b, b, k))
    for (let j = 1; j < k; j++) acc = sub(acc, safeMul(h[j]!, h[k - j]!))
    h.push(safeMul(acc, r))
  }
  return h
}

/**
 * Series of y = logaddexp (scale 1) or logaddexp2 (scale ln 2): y′ = s·a′ + (1 − s)·b′ with
 * s = σ(scale·(a − b)), whose series solves s′ = s(1 − s)·d′; at equal infinities s is ½,
 * constant, as the partials have it.
 */
function logaddexpSeries(a: Series, b: Series, scale: number, y0: Val): Val[] {
  const d = a.map((ak, k) => mul(scale, sub(ak, b[k]!)))
  const tied = tiedInfinity(a[0]!, b[0]!)
  const s = solveOde(d, logistic(d[0]!), (y, m) => sub(y[m]!, cauchy(y, y, m))).map((c, k) =>
    k === 0 ? weightOf(a[0]!, b[0]!, scale) : where(tied, 0, c),
  )
  const rest = s.map((c, k) => (k === 0 ? sub(1, c) : neg(c)))
  const ja = weighted(a)
  const jb = weighted(b)
  return a.map((_, k) =>
    k === 0 ? y0 : add(odeStepWeighted(ja, s, k), odeStepWeighted(jb, rest, k)),
  )
}
