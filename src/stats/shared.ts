/**
 * What the distributions share: the call signatures (SciPy's argument order and defaults),
 * standardization, and the two guards every density applies — a named error for invalid
 * parameters (NaN where they are traced by `jit` or `vmap` and cannot be read, as JAX), −∞
 * outside the support (as SciPy and JAX).
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { div, mul, neg, sub } from '../primitives/arithmetic.ts'
import { greater, where } from '../primitives/comparison.ts'
import { exp, expm1, log, log1p } from '../primitives/elementwise.ts'
import { Tensor } from '../tensor/tensor.ts'

type Value = number | Tensor

/**
 * A function of `x` in a location-scale family: `f(x, loc = 0, scale = 1)`, broadcasting.
 * Numbers in give a number out; a `Tensor` anywhere gives a `Tensor`.
 */
export interface LocScaleFn {
  (x: number, loc?: number, scale?: number): number
  (x: Tensor, loc?: Value, scale?: Value): Tensor
  (x: Value, loc: Tensor, scale?: Value): Tensor
  (x: Value, loc: Value | undefined, scale: Tensor): Tensor
  (x: Value, loc?: Value, scale?: Value): Value
}

/** `f(x, shape, loc = 0, scale = 1)`: one shape parameter (Student t's df, gamma's a). */
export interface ShapeLocScaleFn {
  (x: number, shape: number, loc?: number, scale?: number): number
  (x: Tensor, shape: Value, loc?: Value, scale?: Value): Tensor
  (x: Value, shape: Tensor, loc?: Value, scale?: Value): Tensor
  (x: Value, shape: Value, loc?: Value, scale?: Value): Value
}

/** `f(x, a, b, loc = 0, scale = 1)`: two shape parameters (beta). */
export interface TwoShapeLocScaleFn {
  (x: number, a: number, b: number, loc?: number, scale?: number): number
  (x: Tensor, a: Value, b: Value, loc?: Value, scale?: Value): Tensor
  (x: Value, a: Value, b: Value, loc?: Value, scale?: Value): Value
}

/** `f(k, mu, loc = 0)`: a count with one rate (Poisson). */
export interface RateLocFn {
  (k: number, mu: number, loc?: number): number
  (k: Tensor, mu: Value, loc?: Value): Tensor
  (k: Value, mu: Tensor, loc?: Value): Tensor
  (k: Value, mu: Value, loc?: Value): Value
}

/** `f(k, n, p, loc = 0)`: a count out of `n` trials with success probability `p` (binomial). */
export interface TrialsLocFn {
  (k: number, n: number, p: number, loc?: number): number
  (k: Tensor, n: Value, p: Value, loc?: Value): Tensor
  (k: Value, n: Value, p: Tensor, loc?: Value): Tensor
  (k: Value, n: Value, p: Value, loc?: Value): Value
}

// The casts below only restate a composition of fluxion ops (numbers in, numbers out; a Tensor
// anywhere, a Tensor out) as the overloads above.
export const locScale = (f: (x: Value, loc: Value, scale: Value) => Value): LocScaleFn =>
  ((x: Value, loc: Value = 0, scale: Value = 1) => f(x, loc, scale)) as LocScaleFn

export const shapeLocScale = (
  f: (x: Value, shape: Value, loc: Value, scale: Value) => Value,
): ShapeLocScaleFn =>
  ((x: Value, shape: Value, loc: Value = 0, scale: Value = 1) =>
    f(x, shape, loc, scale)) as ShapeLocScaleFn

export const twoShapeLocScale = (
  f: (x: Value, a: Value, b: Value, loc: Value, scale: Value) => Value,
): TwoShapeLocScaleFn =>
  ((x: Value, a: Value, b: Value, loc: Value = 0, scale: Value = 1) =>
    f(x, a, b, loc, scale)) as TwoShapeLocScaleFn

export const rateLoc = (f: (k: Value, mu: Value, loc: Value) => Value): RateLocFn =>
  ((k: Value, mu: Value, loc: Value = 0) => f(k, mu, loc)) as RateLocFn

export const trialsLoc = (f: (k: Value, n: Value, p: Value, loc: Value) => Value): TrialsLocFn =>
  ((k: Value, n: Value, p: Value, loc: Value = 0) => f(k, n, p, loc)) as TrialsLocFn

/** (x − loc)/scale. */
export const standardize = (x: Value, loc: Value, scale: Value): Value => div(sub(x, loc), scale)

/**
 * `v` where `valid` (a 0/1 mask of the parameters' validity) holds. A concrete mask with a zero
 * is a call with invalid parameters: `InvalidArgumentError` (never a silent NaN). Under `grad`
 * and `jvp` the mask is still concrete (comparisons carry no derivative); under `jit` and `vmap`
 * it is traced and cannot be read, and invalid entries give NaN, as in JAX.
 */
export const validOr = (valid: Value, v: Value, op: string): Value => {
  if (typeof valid === 'number' ? valid === 0 : valid instanceof Tensor && valid.data.includes(0)) {
    throw new InvalidArgumentError(`${op}: invalid distribution parameters`, {
      primitive: op,
      hint: 'scales and shape parameters must be > 0, probabilities in [0, 1], counts whole numbers ≥ 0',
    })
  }
  return where(valid, v, Number.NaN)
}

/**
 * `v` inside the support, `outside` elsewhere. `where` sends the unselected branch an exact
 * zero cotangent and zero annihilates its infinite or NaN partials, so derivatives are 0 (not
 * NaN) where the value is a constant −∞ or 0.
 */
export const inSupport = (inside: Value, v: Value, outside: number): Value =>
  where(inside, v, outside)

/** Logical and of 0/1 masks. */
export const and = (a: Value, b: Value): Value => mul(a, b)

/** log(1 − e^(−t)) for t > 0, accurate at both ends (Mächler's log1mexp). */
export const log1mexp = (t: Value): Value =>
  where(greater(t, Math.LN2), log1p(neg(exp(neg(t)))), log(neg(expm1(neg(t)))))

/** A log-density turned into a density. */
export const expOf = <F>(f: F): F => {
  const g = f as (...args: Value[]) => Value
  return ((...args: Value[]) => exp(g(...args))) as F
}
