/**
 * `astype`: a value converted to another dtype. It is linear: its JVP converts the tangent
 * and its VJP converts the cotangent back to the input's dtype, so derivatives keep the
 * dtype of their primal.
 * @module
 */
import { bind1 } from '../core/bind.ts'
import { InvalidArgumentError } from '../core/errors.ts'
import { define, type Primitive } from '../core/primitive.ts'
import { dtypeOf, type Val } from '../core/tracer.ts'
import { toDtypeK } from '../tensor/kernels/dtype.ts'
import { show } from '../tensor/shape.ts'
import { type DType, Tensor } from '../tensor/tensor.ts'
import { anyReal, drawShape, drawValue } from './domain.ts'

/** Params of `astype`: the dtype to convert to. */
export interface AstypeParams {
  readonly dtype: DType
}

/** Primitive record of {@link astype}. */
export const astypeP: Primitive<AstypeParams> = define<AstypeParams>({
  name: 'astype',
  arity: 1,
  zeroDerivative: false,
  // a copy even to the same dtype: outputs never share storage with inputs
  impl: ([x], { dtype }) =>
    typeof x === 'number'
      ? new Tensor(toDtypeK(Float64Array.of(x), dtype), [])
      : new Tensor(toDtypeK(x!.data, dtype), x!.shape),
  shape: ([s]) => s!,
  outDtype: ({ dtype }) => dtype,
  jvp: (_, [xDot], _y, params) => (xDot == null ? null : bind1(astypeP, xDot, params)),
  vjp: (yBar, [x]) => [bind1(astypeP, yBar, { dtype: dtypeOf(x!) })],
  batch: ([x], _batched, params) => bind1(astypeP, x!, params),
  taylor: ([x], params) => x!.map((c) => bind1(astypeP, c, params)),
  domain: {
    // float64 to float64: a float32 rounding is a step function to finite differences; the
    // float32 law suite (laws/float32.laws.test.ts) checks the conversions themselves
    sample: (draw) => ({
      args: [drawValue(draw, drawShape(draw), anyReal)],
      params: { dtype: 'float64' },
    }),
    linear: true,
    special: () =>
      [0, -0, Infinity, -Infinity, Number.NaN, 1e39].map((x) => ({
        args: [new Tensor(Float64Array.of(x), [])],
        params: { dtype: 'float64' as const },
      })),
  },
})

const DTYPES: readonly DType[] = ['float64', 'float32']

/**
 * `x` converted to `dtype` (`'float64'` or `'float32'`): narrowing rounds each value to the
 * nearest float32 (ties to even; beyond float32's range it gives ±Infinity, as IEEE does);
 * widening is exact. A JS number becomes a rank-0 tensor. The result is always a new tensor.
 *
 * Derivative: the tangent is converted the same way, and the cotangent is converted back to
 * `x`'s dtype, so `grad` of a function of float32 parameters is float32.
 *
 * Throws `InvalidArgumentError` for any other dtype.
 *
 * @example
 * astype(tensor([1, 2]), 'float32').dtype // => 'float32'
 * astype(tensor([0.1]), 'float32').item() // => 0.10000000149011612
 * @category values
 */
export function astype(x: number | Tensor, dtype: DType): Tensor
export function astype(x: Val, dtype: DType): Val {
  if (!DTYPES.includes(dtype)) {
    throw new InvalidArgumentError(`unknown dtype ${show(dtype)}`, {
      primitive: 'astype',
      hint: "fluxion has two dtypes: 'float64' (the default) and 'float32'",
    })
  }
  return bind1(astypeP, x, { dtype })
}
