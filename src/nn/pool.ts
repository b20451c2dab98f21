/**
 * Max and average pooling over the spatial axes of channels-last inputs [..., S₁, …, S_d, C]
 * (d = the window's length: [2, 2] pools images [..., H, W, C]). The window taps are strided
 * slices of the padded input (see windows.ts), stacked and reduced with `max` or `sum`.
 * @module
 */

import { InvalidArgumentError } from '../core/errors.ts'
import { add, div } from '../primitives/arithmetic.ts'
import { stack } from '../primitives/concat.ts'
import { max, sum } from '../primitives/reduction.ts'
import { ones } from '../tensor/create.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { type Padding, perAxis, planWindows, type WindowPlan, windowTaps } from './windows.ts'

/** Options of `maxPool` and `avgPool`. */
export interface PoolOptions {
  /** Step between windows: a number or one per axis (default: the window, non-overlapping). */
  readonly stride?: number | readonly number[]
  /** `'valid'` (default), `'same'`, or one [before, after] pair per spatial axis. */
  readonly padding?: Padding
}

/** Options of `avgPool`. */
export interface AvgPoolOptions extends PoolOptions {
  /**
   * Count padded entries in a window's average (default false: the mean of the window's
   * entries inside the input, as TensorFlow; true divides by the full window size, as flax).
   */
  readonly countPadding?: boolean
}

const plan = (
  x: Tensor,
  window: readonly number[],
  options: PoolOptions | undefined,
  op: string,
): WindowPlan => {
  if (!Array.isArray(window) || window.length === 0) {
    throw new InvalidArgumentError(
      `${op}'s window must be an array of sizes, one per spatial axis, got ${String(window)}`,
      { primitive: op, hint: `e.g. ${op}(x, [2, 2]) for 2×2 windows over images` },
    )
  }
  const w = perAxis(window, window.length, 1, 'window', op)
  const stride = perAxis(options?.stride, w.length, 1, 'stride', op)
  const strides = options?.stride === undefined ? w : stride
  return planWindows(
    x.shape,
    w,
    strides,
    w.map(() => 1),
    options?.padding ?? 'valid',
    op,
  )
}

/**
 * Max pooling: the largest entry of each window, per channel. `window` lists the window's size
 * per spatial axis ([2, 2] for images [..., H, W, C]); padding counts as −∞, so it is never
 * chosen when a window holds an input entry.
 *
 * Derivative: the cotangent flows to each window's maximum; where several entries tie for the
 * maximum it is split evenly between them, as `max` does. An entry that is the maximum of
 * several overlapping windows gathers from each. Throws `ShapeError` for a window larger than
 * the padded input, `InvalidArgumentError` for a bad window, stride or padding.
 * @example
 * maxPool(reshape(arange(16), [4, 4, 1]), [2, 2]).toArray().flat(2) // => [5, 7, 13, 15]
 * @category layers
 */
export function maxPool(x: Tensor, window: readonly number[], options?: PoolOptions): Tensor {
  const taps = windowTaps(x, plan(x, window, options, 'maxPool'), -Infinity)
  return taps.length === 1 ? taps[0]! : max(stack(taps, -1), -1)
}

/**
 * Average pooling: the mean of each window, per channel. By default padded entries are left
 * out of the mean (a corner window under `'same'` padding averages only the entries it
 * covers); `countPadding: true` averages over the full window, the padding counting as 0.
 *
 * Derivative: each entry receives ȳ/(window count) from every window holding it. Throws as
 * `maxPool`.
 * @example
 * avgPool(reshape(arange(16), [4, 4, 1]), [2, 2]).toArray().flat(2) // => [2.5, 4.5, 10.5, 12.5]
 * @category layers
 */
export function avgPool(x: Tensor, window: readonly number[], options?: AvgPoolOptions): Tensor {
  const p = plan(x, window, options, 'avgPool')
  const taps = windowTaps(x, p, 0)
  const total = taps.length === 1 ? taps[0]! : sum(stack(taps, -1), -1)
  const padded = p.pads.some(([lo, hi]) => lo > 0 || hi > 0)
  if (!padded || options?.countPadding === true) return div(total, taps.length)
  // how many input entries each window covers: the same windows over ones, a constant (of x's
  // dtype: float64 counts would make a float32 pool float64)
  const d = p.window.length
  const spatial = x.shape.slice(x.rank - 1 - d)
  const counts = windowTaps(ones([...spatial.slice(0, -1), 1], { dtype: x.dtype }), p, 0).reduce(
    (a, b) => add(a, b),
  )
  return div(total, counts)
}
