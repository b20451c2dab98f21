/**
 * Reading primal values out of traced ones.
 * @module
 */
import { Tensor } from '../tensor/tensor.ts'
import { notAValue, readPrimal, Tracer } from './tracer.ts'

/**
 * The concrete value under any tracing: a number or a `Tensor`. Use it to branch in plain JS
 * on a traced value (`if (value(x) > 0) …`); the result carries no derivative, on purpose.
 * Throws `InvalidArgumentError` for anything that is not a number, a Tensor or a traced value.
 * @example
 * value(3) // => 3
 * grad((x: number) => (value(x) > 0 ? mul(x, 2) : neg(x)))(1) // => 2
 * @category values
 */
export function value(x: number): number
export function value(x: Tensor): Tensor
export function value(x: number | Tensor): number | Tensor
export function value(x: number | Tensor): number | Tensor {
  // anything else would come back unchanged and surface later as a confusing failure
  const v: unknown = x
  if (typeof v !== 'number' && !(v instanceof Tensor) && !(v instanceof Tracer)) {
    throw notAValue(v, 'value')
  }
  return readPrimal(x)
}
