/**
 * Computing a function of x at its own scale: `scaled(x, axes, binary, f)` is s·f(x/s) with s
 * a constant near max|x|, for the norms and `std`, whose squares would over- or underflow long
 * before their results do.
 * @module
 */

import { shapeOf } from '../core/tracer.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { div, minimum, mul } from './arithmetic.ts'
import { greater, less, stopGradient, where } from './comparison.ts'
import { abs } from './elementwise.ts'
import { exp2, log2 } from './elementwise-extra.ts'
import { max } from './reduction.ts'
import { floorDivide } from './remainder.ts'
import { reshape } from './structural.ts'

/**
 * s·f(x/s) for a scale s [kept axes] of `x` over `axes`, 1 where max|x| is 0, ∞ or NaN: with
 * `binary`, a power of two within a factor 2 of max|x| (dividing by it is exact, so a 2-norm
 * keeps the bits of √Σx² wherever x² neither overflows nor underflows); else max|x| itself
 * (|x/s| ≤ 1, as a p-norm with a huge p needs). s is a constant (stopGradient): the
 * derivative of s·f(x/s) with s fixed is exactly f's, so values and gradients are right at
 * every representable scale.
 */
export function scaled(
  x: Tensor,
  axes: readonly number[],
  binary: boolean,
  f: (z: Tensor) => Tensor,
): Tensor {
  const m = max(abs(stopGradient(x)), axes, { keepdims: true })
  const usable = greater(mul(greater(m, 0), less(m, Infinity)), 0)
  const m1 = where(usable, m, 1)
  // log2 of the largest double rounds to 1024: clamp, so 2^k stays finite
  const s = binary ? exp2(minimum(floorDivide(log2(m1), 1), 1023)) : m1
  const y = f(div(x, s))
  return mul(y, reshape(s, shapeOf(y)))
}
