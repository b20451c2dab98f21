/**
 * Linear algebra: the `matmul` primitive (bilinear, batched with NumPy broadcasting over leading
 * axes, with transposed-operand flags so pullbacks never materialize a transpose) and the
 * composition `outer` (`dot` and the other contractions are in contract.ts).
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, jvp-linearity (in each argument).
 * @module
 */
import { bind2 } from '../../core/bind.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import { define, type Primitive } from '../../core/primitive.ts'
import { shapeOf, type Val } from '../../core/tracer.ts'
import { tensor } from '../../tensor/create.ts'
import { matmulK, matmulKF32, matmulShape } from '../../tensor/kernels/matmul.ts'
import { type Floats, Tensor } from '../../tensor/tensor.ts'
import { mul } from '../arithmetic.ts'
import { anyReal, drawValue } from '../domain.ts'
import { alignBatched, asTensor, sumTangents, unbroadcast } from '../families.ts'
import { reshape } from '../structural.ts'
import { productSeries } from '../taylor.ts'

type Value = number | Tensor

/** Which operands `matmul` uses transposed (in their last two axes). */
export interface MatmulParams {
  /** Use `a` transposed in its last two axes. */
  readonly transA: boolean
  /** Use `b` transposed in its last two axes. */
  readonly transB: boolean
}

/** `data` as float64 (a widened copy of float32 data: exact). */
const float64 = (data: Floats): Float64Array =>
  data instanceof Float64Array ? data : Float64Array.from(data)

const mm = (a: Val, b: Val, transA: boolean, transB: boolean): Val =>
  bind2(matmulP, a, b, { transA, transB })

/** Primitive record of {@link matmul}: product over the last two axes, leading axes broadcast. */
export const matmulP: Primitive<MatmulParams> = define<MatmulParams>({
  name: 'matmul',
  arity: 2,
  zeroDerivative: false,
  impl: ([a, b], { transA, transB }) => {
    const ta = asTensor(a!)
    const tb = asTensor(b!)
    // float32 × float32 runs the float32 kernels (sums rounded to float32 at every step, as
    // float32 hardware does); any float64 operand promotes the product to float64
    if (ta.data instanceof Float32Array && tb.data instanceof Float32Array) {
      const r = matmulKF32(ta.data, ta.shape, tb.data, tb.shape, transA, transB)
      return new Tensor(r.data, r.shape)
    }
    const { data, shape } = matmulK(
      float64(ta.data),
      ta.shape,
      float64(tb.data),
      tb.shape,
      transA,
      transB,
    )
    return new Tensor(data, shape)
  },
  shape: ([a, b], { transA, transB }) => matmulShape(a!, b!, transA, transB),
  // bilinear: d(A·B) = dA·B + A·dB
  jvp: ([a, b], [aDot, bDot], y, { transA, transB }) =>
    sumTangents(
      [
        aDot == null ? null : mm(aDot, b!, transA, transB),
        bDot == null ? null : mm(a!, bDot, transA, transB),
      ],
      y,
    ),
  // batch axes broadcast like NumPy's: line the batch axis up in front of the others
  taylor: ([a, b], { transA, transB }, constant) => {
    // with a constant operand it is linear in the other: coefficientwise, as its jvp (and the
    // constant's zero coefficients never meet an infinite entry)
    if (constant[0]) return b!.map((bk) => mm(a![0]!, bk, transA, transB))
    if (constant[1]) return a!.map((ak) => mm(ak, b![0]!, transA, transB))
    return productSeries(a!, b!, (x, y) => mm(x, y, transA, transB))
  },
  batch: (args, batched, params) => {
    const [a, b] = alignBatched(args, batched)
    return bind2(matmulP, a!, b!, params)
  },
  // with y = op(A)·op(B): Ā = ȳ·op(B)ᵀ (transposed back if A was), B̄ = op(A)ᵀ·ȳ likewise
  vjp: (yBar, [a, b], _y, { transA, transB }, needs) => [
    needs[0]
      ? unbroadcast(transA ? mm(b!, yBar, transB, true) : mm(yBar, b!, false, !transB), a!)
      : null,
    needs[1]
      ? unbroadcast(transB ? mm(yBar, a!, true, transA) : mm(a!, yBar, !transA, false), b!)
      : null,
  ],
  domain: {
    sample: (draw) => {
      const [m, k, n] = [draw.integer(1, 4), draw.integer(1, 4), draw.integer(1, 4)]
      const transA = draw.integer(0, 1) === 1
      const transB = draw.integer(0, 1) === 1
      const batch = draw.integer(0, 2) === 0 ? [draw.integer(1, 3)] : []
      const bBatch = batch.length > 0 && draw.integer(0, 1) === 1 ? [] : batch
      return {
        args: [
          drawValue(draw, [...batch, ...(transA ? [k, m] : [m, k])], anyReal),
          drawValue(draw, [...bBatch, ...(transB ? [n, k] : [k, n])], anyReal),
        ],
        params: { transA, transB },
      }
    },
    // zeros of both signs, not ±∞ or NaN: matmul is linear and keeps IEEE arithmetic, so a
    // basis direction's zeros meet an infinite entry as 0·∞ = NaN, in each mode differently
    special: () => [
      {
        args: [
          tensor([
            [0, -0, 1],
            [-2, 0, 0.5],
          ]),
          tensor([
            [-0, 3],
            [0, 0],
            [1, -0],
          ]),
        ],
        params: { transA: false, transB: false },
      },
      {
        args: [
          tensor([
            [0, 0],
            [0, 0],
          ]),
          tensor([
            [-0, 1],
            [2, -0],
          ]),
        ],
        params: { transA: true, transB: false },
      },
    ],
  },
})

/**
 * Matrix product with NumPy semantics: the last two axes multiply, leading axes broadcast; a
 * rank-1 operand is a row (left) or column (right) vector whose axis is dropped afterwards.
 *
 * Derivative: d(A·B) = dA·B + A·dB; pullbacks Ā = ȳ·Bᵀ, B̄ = Aᵀ·ȳ, summed over broadcast axes.
 * Throws `ShapeError` when inner sizes differ.
 * @example
 * matmul(tensor([[1, 2], [3, 4]]), tensor([1, 1])).toArray() // => [3, 7]
 * @category linalg
 */
export function matmul(a: Value, b: Value): Tensor {
  const ra = shapeOf(a).length
  const rb = shapeOf(b).length
  if (ra === 0 || rb === 0) {
    throw new InvalidArgumentError('matmul needs operands of rank ≥ 1', {
      primitive: 'matmul',
      shapes: [shapeOf(a), shapeOf(b)],
      hint: 'use mul for scalar products',
    })
  }
  const a2 = ra === 1 ? reshape(a, [1, shapeOf(a)[0]!]) : a
  const b2 = rb === 1 ? reshape(b, [shapeOf(b)[0]!, 1]) : b
  const y = mm(a2, b2, false, false)
  if (ra > 1 && rb > 1) return y as Tensor
  const s = shapeOf(y)
  const keep = s.filter(
    (_, i) => !((ra === 1 && i === s.length - 2) || (rb === 1 && i === s.length - 1)),
  )
  return reshape(y, keep)
}

/**
 * Outer product, NumPy's `outer`: both operands are flattened first (row-major), so the result
 * is `[a.size, b.size]` with entries aᵢ·bⱼ whatever their ranks.
 *
 * Derivative: bilinear, d(a⊗b) = da⊗b + a⊗db; ā = ȳ·b (as a's shape), b̄ = ȳᵀ·a.
 * @example
 * outer(tensor([1, 2]), tensor([3, 4])).toArray() // => [[3, 4], [6, 8]]
 * outer(tensor([[1, 2]]), 3).toArray() // => [[3], [6]]
 * @category linalg
 */
export function outer(a: Value, b: Value): Tensor {
  const n = shapeOf(a).length === 0 ? 1 : shapeOf(a).reduce((x, y) => x * y, 1)
  const m = shapeOf(b).length === 0 ? 1 : shapeOf(b).reduce((x, y) => x * y, 1)
  return mul(reshape(a, [n, 1]), reshape(b, [1, m]))
}
