/**
 * The remainders of NumPy, elementwise with broadcasting: `remainder` (`mod`, Python's `%`,
 * the sign of the divisor), `fmod` (C's, the sign of the dividend) and `floorDivide` (`//`),
 * with NumPy's float semantics (npy_divmod) in tensor/kernels/extra-scalar.ts.
 *
 * Derivatives as JAX defines them: remainder's is 1 in a and −⌊a/b⌋ in b, fmod's 1 and
 * −trunc(a/b), floorDivide's zero. The jumps, where a/b crosses an integer, have no derivative
 * of their own; the law domains keep a/b away from them.
 *
 * Laws (remainder, fmod): fd-agreement, vjp-jvp-adjoint, jvp-linearity, unbroadcast,
 * taylor-nested-agreement; floorDivide: zero-derivative.
 * @module
 */
import { bind2 } from '../core/bind.ts'
import type { Domain } from '../core/primitive.ts'
import type { Val } from '../core/tracer.ts'
import { floorDivideK, fmodK, remainderK } from '../tensor/kernels/extra.ts'
import {
  floorDivide as floorDivideScalar,
  remainder as remainderScalar,
} from '../tensor/kernels/extra-scalar.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { add, mul, neg, safeMul } from './arithmetic.ts'
import { anyReal, binaryDomain, type Interval, real } from './domain.ts'
import { abs, sign } from './elementwise.ts'
import { binary } from './families.ts'

type Value = number | Tensor

/**
 * Domain of the remainders: a/b kept at least 0.04 from every integer (the jumps), with
 * |b| in [1, 1.25] and |a| in [0.2, 0.95] ∪ [1.35, 1.9].
 */
const remainderDomain = (): Domain<void> => {
  const dividend: Interval = { min: -1.9, max: 1.9, avoid: [-1.15, 0, 1.15], margin: 0.2 }
  const divisor: Interval = { min: -1.25, max: 1.25, avoid: [0], margin: 1 }
  return binaryDomain(dividend, divisor)
}

/** Primitive record of {@link remainder}. */
export const remainderP = binary({
  name: 'remainder',
  scalar: remainderScalar,
  kernel: remainderK,
  partials: [() => 1, (a, b) => neg(floorDivide(a, b))],
  taylor: (a, b) => {
    const q = neg(floorDivide(a[0]!, b[0]!))
    return a.map((ak, k) => (k === 0 ? remainder(ak, b[0]!) : add(ak, safeMul(b[k]!, q))))
  },
  domain: remainderDomain(),
})

/**
 * NumPy's `remainder` (`mod`, Python's `%`): a − ⌊a/b⌋·b with the sign of b, elementwise
 * (remainder(−1, 3) = 2); NaN where b = 0 or a is infinite; a zero result has b's sign.
 *
 * Derivative (as JAX): 1 in a, −⌊a/b⌋ in b; the jumps where a/b crosses an integer have no
 * derivative of their own.
 * @example
 * remainder(-1, 3) // => 2
 * remainder(5.5, -2) // => -0.5
 * @category elementwise
 */
export function remainder(a: number, b: number): number
export function remainder(a: Tensor, b: Value): Tensor
export function remainder(a: Value, b: Tensor): Tensor
export function remainder(a: Value, b: Value): Value
export function remainder(a: Value, b: Value): Value {
  return typeof a === 'number' && typeof b === 'number'
    ? remainderScalar(a, b)
    : bind2(remainderP, a, b, undefined)
}

/**
 * `jnp.mod`: the same op as {@link remainder}.
 *
 * Derivative: 1 in a, −⌊a/b⌋ in b.
 * @example
 * mod(7, 3) // => 1
 * @category elementwise
 */
export function mod(a: number, b: number): number
export function mod(a: Tensor, b: Value): Tensor
export function mod(a: Value, b: Tensor): Tensor
export function mod(a: Value, b: Value): Value
export function mod(a: Value, b: Value): Value {
  return remainder(a, b)
}

/** trunc(a/b) as fmod has it: the quotient of |a| by |b|, with the sign of a/b. */
const truncQuotient = (a: Val, b: Val): Val =>
  mul(mul(sign(a), sign(b)), floorDivide(abs(a), abs(b)))

/** Primitive record of {@link fmod}. */
export const fmodP = binary({
  name: 'fmod',
  scalar: (a, b) => a % b,
  kernel: fmodK,
  partials: [() => 1, (a, b) => neg(truncQuotient(a, b))],
  taylor: (a, b) => {
    const q = neg(truncQuotient(a[0]!, b[0]!))
    return a.map((ak, k) => (k === 0 ? fmod(ak, b[0]!) : add(ak, safeMul(b[k]!, q))))
  },
  domain: remainderDomain(),
})

/**
 * C's `fmod`: a − trunc(a/b)·b with the sign of a, elementwise (JavaScript's `%`); NaN where
 * b = 0 or a is infinite.
 *
 * Derivative (as JAX's `rem`): 1 in a, −trunc(a/b) in b.
 * @example
 * fmod(-1, 3) // => -1
 * @category elementwise
 */
export function fmod(a: number, b: number): number
export function fmod(a: Tensor, b: Value): Tensor
export function fmod(a: Value, b: Tensor): Tensor
export function fmod(a: Value, b: Value): Value
export function fmod(a: Value, b: Value): Value {
  return typeof a === 'number' && typeof b === 'number' ? a % b : bind2(fmodP, a, b, undefined)
}

/** Primitive record of {@link floorDivide}: zero derivative. */
export const floorDivideP = binary({
  name: 'floorDivide',
  scalar: floorDivideScalar,
  kernel: floorDivideK,
  domain: binaryDomain(anyReal, real(0.5, 3)),
})

/**
 * NumPy's `floor_divide` (Python's `//`): ⌊a/b⌋, elementwise, consistent with
 * {@link remainder} (a = floorDivide(a, b)·b + remainder(a, b) up to rounding); ±∞ or NaN
 * where b = 0, as a/b.
 *
 * Derivative: zero (a step function), in both arguments.
 * @example
 * floorDivide(-7, 2) // => -4
 * @category elementwise
 */
export function floorDivide(a: number, b: number): number
export function floorDivide(a: Tensor, b: Value): Tensor
export function floorDivide(a: Value, b: Tensor): Tensor
export function floorDivide(a: Value, b: Value): Value
export function floorDivide(a: Value, b: Value): Value {
  return typeof a === 'number' && typeof b === 'number'
    ? floorDivideScalar(a, b)
    : bind2(floorDivideP, a, b, undefined)
}
