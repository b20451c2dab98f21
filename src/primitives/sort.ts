/**
 * Sorting: the primitive `argsort` (a stable sorting permutation along the last axis, zero
 * derivative) and the compositions `sort` and `topK`, which gather by that permutation — so
 * their derivative is a gather of the tangent by it, and each output entry's derivative is that
 * of the input entry the stable order puts there (between equal entries it does not split, as
 * `max`'s does: the last of several tied maxima in index order is `sort`'s last entry, and gets
 * all of it there).
 *
 * NaN sorts last ascending, as NumPy's `sort`, and first descending.
 *
 * Laws: zero-derivative (argsort).
 * @module
 */
import { bind1 } from '../core/bind.ts'
import { ShapeError } from '../core/errors.ts'
import { define, type Primitive } from '../core/primitive.ts'
import type { Val } from '../core/tracer.ts'
import { argsortK } from '../tensor/kernels/sort.ts'
import { Tensor } from '../tensor/tensor.ts'
import { anyReal, drawShape, drawValue } from './domain.ts'
import { asTensor, constantTaylor } from './families.ts'

/** Params of `argsort`. */
export interface ArgsortParams {
  /** Largest first (NaN first) instead of smallest first (NaN last). */
  readonly descending: boolean
}

/** `argsort` applied through `bind`: positions along the last axis, ascending unless said. */
export const argsortV = (x: Val, descending = false): Val => bind1(argsortP, x, { descending })

/** Primitive record of `argsort`: the stable sorting permutation of each last-axis row. */
export const argsortP: Primitive<ArgsortParams> = define<ArgsortParams>({
  name: 'argsort',
  arity: 1,
  zeroDerivative: true,
  impl: ([x], { descending }) => {
    const t = asTensor(x!)
    return new Tensor(argsortK(t.data, t.shape, descending), t.shape)
  },
  shape: ([s]) => {
    if (s!.length === 0) {
      throw new ShapeError('argsort needs an axis to sort along', {
        primitive: 'argsort',
        shapes: [s!],
        hint: 'a scalar has no axes; sort a tensor of rank ≥ 1',
      })
    }
    return s!
  },
  jvp: () => null,
  vjp: () => [null],
  // rows are independent: the batch axis is one more leading axis
  batch: ([x], _batched, params) => bind1(argsortP, x!, params),
  taylor: (series, params) => constantTaylor(argsortP, series, params),
  domain: {
    sample: (draw) => {
      const shape = [...drawShape(draw, 2), draw.integer(1, 5)]
      // whole numbers half the time: ties, which the stable order must keep in place
      const whole = draw.integer(0, 1) === 1
      const x = drawValue(draw, shape, whole ? { min: -2, max: 2 } : anyReal)
      const v = whole ? new Tensor(asTensor(x).data.map(Math.round), shape) : x
      return { args: [v], params: { descending: draw.integer(0, 1) === 1 } }
    },
  },
})
