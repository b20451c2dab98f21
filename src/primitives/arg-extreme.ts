/**
 * The primitive `argExtreme`: the position of the first largest (or smallest) entry of each
 * last-axis row, NaN first wherever a row has one — `argmax` and `argmin` in one pass over the
 * values (they were a `max`, two comparisons, a `where` and a `min`: five passes). Its result is
 * a constant to every transformation.
 *
 * Laws: zero-derivative.
 * @module
 */
import { bind1 } from '../core/bind.ts'
import { ShapeError } from '../core/errors.ts'
import { define, type Primitive } from '../core/primitive.ts'
import type { Val } from '../core/tracer.ts'
import { argExtremeK } from '../tensor/kernels/arg-extreme.ts'
import { Tensor } from '../tensor/tensor.ts'
import { drawRowsWithTies } from './domain.ts'
import { asTensor, constantTaylor } from './families.ts'

/** Params of `argExtreme`. */
export interface ArgExtremeParams {
  /** The smallest entry's position (NaN counting as smallest) instead of the largest's. */
  readonly smallest: boolean
}

/** `argExtreme` applied through `bind`: positions along the last axis (length ≥ 1). */
export const argExtremeV = (x: Val, smallest: boolean): Val => bind1(argExtremeP, x, { smallest })

/** Primitive record of `argExtreme`: one position per last-axis row, the axis removed. */
export const argExtremeP: Primitive<ArgExtremeParams> = define<ArgExtremeParams>({
  name: 'argExtreme',
  arity: 1,
  zeroDerivative: true,
  // positions, whatever the values' dtype (as argmax and argmin always gave)
  outDtype: () => 'float64',
  impl: ([x], { smallest }) => {
    const t = asTensor(x!)
    return new Tensor(argExtremeK(t.data, t.shape, smallest), t.shape.slice(0, -1))
  },
  shape: ([s]) => {
    if (s!.length === 0 || s![s!.length - 1] === 0) {
      throw new ShapeError('argExtreme needs a last axis with elements', {
        primitive: 'argExtreme',
        shapes: [s!],
        hint: 'reduce an axis that has elements',
      })
    }
    return s!.slice(0, -1)
  },
  jvp: () => null,
  vjp: () => [null],
  // rows are independent: the batch axis is one more leading axis
  batch: ([x], _batched, params) => bind1(argExtremeP, x!, params),
  taylor: (series, params) => constantTaylor(argExtremeP, series, params),
  domain: {
    // ties half the time: the first position must win
    sample: (draw) => ({
      args: [drawRowsWithTies(draw)],
      params: { smallest: draw.integer(0, 1) === 1 },
    }),
  },
})
