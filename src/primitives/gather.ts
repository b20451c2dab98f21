/**
 * Gather and scatter-add along one axis: the primitives `take` and `scatterAdd`, each the
 * other's transpose, linear in their values and constant in their indices. Index tensors are
 * ordinary float64 tensors holding integers; the kernels validate them (`IndexError`), so the
 * check runs eagerly, on every `jit` replay and under `vmap` — an index is data, never a
 * constant baked into a trace. A negative index counts once from the end (NumPy) unless the
 * params' `wrap` is off; out of range raises (NumPy) rather than clamps (JAX), because a
 * clamped index is a silently wrong number.
 *
 * Both take a number of leading batch axes shared by the operand and the indices
 * (TensorFlow's `batch_dims`), which makes `takeAlongAxis`, `sort` and the batching rules one
 * call each.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, transpose-involution (in the values; indices fixed).
 * @module
 */
import { bind1, bindN } from '../core/bind.ts'
import { ShapeError } from '../core/errors.ts'
import { type Draw, define, type Primitive } from '../core/primitive.ts'
import { type Concrete, shapeOf, type Val } from '../core/tracer.ts'
import {
  type IndexLayout,
  normalizeIndices,
  scatterAddK,
  takeK,
  takeShape,
} from '../tensor/kernels/gather.ts'
import { type Shape, shapesEqual, sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { anyReal, drawShape, drawValue, specialTensor } from './domain.ts'
import { asTensor, broadcastToV, withBatch } from './families.ts'
import { transposeP } from './structural.ts'

/** Params of `take` and the scatters: the layout, and whether negative indices count back. */
export interface IndexParams extends IndexLayout {
  /** Whether an index in [−n, 0) counts from the end; otherwise it raises `IndexError`. */
  readonly wrap: boolean
  /**
   * The op a bad index's `IndexError` names, where this primitive is part of a composite
   * (`at(...).set`, `oneHot`): the user called that, not `take` or a scatter. Carried in the
   * params, so `jit` replays and `vmap` name it too.
   */
  readonly op?: string | undefined
}

/** Checks the operand, index and (for scatters) update shapes of a gather or scatter. */
export const checkIndexShapes = (
  op: string,
  x: Shape,
  idx: Shape,
  { axis, batchDims }: IndexParams,
): Shape => {
  const fail = (why: string): never => {
    throw new ShapeError(why, {
      primitive: op,
      shapes: [x, idx],
      hint: 'the indices start with the batch axes they share with the operand',
    })
  }
  if (!(batchDims >= 0 && batchDims <= axis && axis < x.length)) {
    fail(`axis ${axis} with ${batchDims} batch axes does not fit rank ${x.length}`)
  }
  if (idx.length < batchDims || !shapesEqual(idx.slice(0, batchDims), x.slice(0, batchDims))) {
    fail(`the indices' first ${batchDims} axes differ from the operand's`)
  }
  return takeShape(x, idx, { axis, batchDims })
}

/**
 * The indices of a call as validated, non-negative integers (`IndexError` naming the params'
 * op, else the primitive `name`, otherwise).
 */
export const indicesOf = (name: string, idx: Concrete, x: Tensor, params: IndexParams) => {
  const t = asTensor(idx)
  const { axis, wrap, op = name } = params
  return normalizeIndices(t.data, t.shape, x.shape[axis]!, wrap, op, axis)
}

/** `v` with axis `from` moved to position `to` (the others keep their order). */
export const moveAxisV = (v: Val, from: number, to: number): Val => {
  if (from === to) return v
  const axes = shapeOf(v).map((_, i) => i)
  axes.splice(from, 1)
  axes.splice(to, 0, from)
  return bind1(transposeP, v, { perm: axes })
}

/** Zeros of a shape, concrete: what a scatter adds its updates into for a pullback. */
const zerosV = (shape: Shape): Val => broadcastToV(0, shape)

/** `take` applied through `bind`, so every transformation sees it. */
export const takeV = (x: Val, idx: Val, params: IndexParams): Val => bindN(takeP, [x, idx], params)

/** `scatterAdd` applied through `bind`. */
export const scatterAddV = (x: Val, idx: Val, updates: Val, params: IndexParams): Val =>
  bindN(scatterAddP, [x, idx, updates], params)

/** `n` integers of an index tensor for an axis of size `size`, negative ones too if `wrap`. */
export const drawIndices = (draw: Draw, shape: Shape, size: number, wrap: boolean): Concrete => {
  const data = new Float64Array(sizeOf(shape))
  // drawn as reals, so vmap-agreement's examples (fresh reals each) index differently
  const lo = wrap ? -size : 0
  for (let i = 0; i < data.length; i++)
    data[i] = Math.min(size - 1, Math.floor(draw.real(lo, size)))
  if (shape.length === 0 && draw.integer(0, 1) === 0) return data[0]!
  return new Tensor(data, shape)
}

/** A gather or scatter call's layout and shapes: operand, indices, and updates (= output). */
export const drawIndexCall = (draw: Draw) => {
  const batchDims = draw.integer(0, 1)
  const x = Array.from({ length: draw.integer(batchDims + 1, 3) }, () => draw.integer(1, 4))
  const axis = draw.integer(batchDims, x.length - 1)
  const idx = [...x.slice(0, batchDims), ...drawShape(draw, 2, 3)]
  const params: IndexParams = { axis, batchDims, wrap: draw.integer(0, 3) !== 0 }
  return { x, idx, updates: takeShape(x, idx, params), params }
}

/** Primitive record of `take`: out[b, p, i, q] = x[b, p, idx[b, i], q]. */
export const takeP: Primitive<IndexParams> = define<IndexParams>({
  name: 'take',
  arity: 2,
  zeroDerivative: false,
  impl: ([x, idx], params) => {
    const t = asTensor(x!)
    const i = asTensor(idx!)
    const data = takeK(t.data, t.shape, indicesOf('take', i, t, params), i.shape, params)
    return new Tensor(data, takeShape(t.shape, i.shape, params))
  },
  shape: ([x, idx], params) => checkIndexShapes('take', x!, idx!, params),
  // linear in x: the same gather of the tangent
  jvp: ([, idx], [xDot], _y, params) => (xDot == null ? null : takeV(xDot, idx!, params)),
  // its transpose: the cotangent added back at the indices, duplicates accumulating
  vjp: (yBar, [x, idx], _y, params, needs) => [
    needs[0] ? scatterAddV(zerosV(shapeOf(x!)), idx!, yBar, params) : null,
    null,
  ],
  batch: ([x, idx], [bx = false, bi = false], params, size) => {
    const { axis, batchDims } = params
    // unbatched indices pick along the axis of every example: the batch axis leads the rest
    if (!bi && batchDims === 0) return takeV(x!, idx!, { ...params, axis: axis + 1 })
    // batched indices into one operand: their batch axis is one more index axis, which lands
    // at `axis` in the output
    if (!bx) {
      const out = takeV(x!, moveAxisV(idx!, 0, batchDims), params)
      return moveAxisV(out, axis, 0)
    }
    const shared = { ...params, axis: axis + 1, batchDims: batchDims + 1 }
    return takeV(withBatch(x!, bx, size), withBatch(idx!, bi, size), shared)
  },
  // linear: each coefficient is gathered on its own (the indices are the same at every order)
  taylor: ([x, idx], params) => x!.map((xk) => takeV(xk, idx![0]!, params)),
  domain: {
    sample: (draw) => {
      const { x, idx, params } = drawIndexCall(draw)
      return {
        args: [drawValue(draw, x, anyReal), drawIndices(draw, idx, x[params.axis]!, params.wrap)],
        params,
      }
    },
    // signed zeros, ±∞ and NaN gathered, twice and from the end: derivatives ignore them
    special: () => [
      {
        args: [specialTensor([6]), new Tensor(Float64Array.of(0, -1, 4, 2, 0, 3, -3), [7])],
        params: { axis: 0, batchDims: 0, wrap: true },
      },
      {
        args: [specialTensor([2, 3]), new Tensor(Float64Array.of(2, 2, 0, 1), [2, 2])],
        params: { axis: 1, batchDims: 1, wrap: false },
      },
    ],
    linear: true,
    fixed: [1],
  },
})

/**
 * The shape rule of a scatter (`scatterAdd`, `scatterMax`): the operand's shape, once the
 * updates are checked to have the gathered shape.
 */
export const scatterShape =
  (name: string) =>
  ([x, idx, updates]: readonly Shape[], params: IndexParams): Shape => {
    const expected = checkIndexShapes(name, x!, idx!, params)
    if (!shapesEqual(updates!, expected)) {
      throw new ShapeError(`updates of shape [${updates}] where [${expected}] is gathered`, {
        primitive: name,
        shapes: [x!, idx!, updates!],
        hint: 'updates have the shape take(x, indices) has',
      })
    }
    return x!
  }

/** Primitive record of `scatterAdd`: x with each update added at its index. */
export const scatterAddP: Primitive<IndexParams> = define<IndexParams>({
  name: 'scatterAdd',
  arity: 3,
  zeroDerivative: false,
  impl: ([x, idx, updates], params) => {
    const t = asTensor(x!)
    const i = asTensor(idx!)
    const u = asTensor(updates!)
    const norm = indicesOf('scatterAdd', i, t, params)
    return new Tensor(scatterAddK(t.data, t.shape, norm, i.shape, u.data, params), t.shape)
  },
  shape: scatterShape('scatterAdd'),
  // linear in x and the updates together
  jvp: ([x, idx], [xDot, , uDot], _y, params) => {
    if (uDot == null) return xDot ?? null
    return scatterAddV(xDot ?? zerosV(shapeOf(x!)), idx!, uDot, params)
  },
  // x̄ = ȳ; ū = ȳ gathered at the indices
  vjp: (yBar, [, idx], _y, params, needs) => [
    needs[0] ? yBar : null,
    null,
    needs[2] ? takeV(yBar, idx!, params) : null,
  ],
  batch: ([x, idx, updates], [bx = false, bi = false, bu = false], params, size) => {
    const { axis, batchDims } = params
    const xb = withBatch(x!, bx, size)
    const ub = withBatch(updates!, bu, size)
    // unbatched indices scatter along the axis of every example
    if (!bi && batchDims === 0) return scatterAddV(xb, idx!, ub, { ...params, axis: axis + 1 })
    const shared = { ...params, axis: axis + 1, batchDims: batchDims + 1 }
    return scatterAddV(xb, withBatch(idx!, bi, size), ub, shared)
  },
  // linear: coefficientwise (a constant's higher coefficients are zeros of its shape)
  taylor: ([x, idx, updates], params) =>
    x!.map((xk, k) => scatterAddV(xk, idx![0]!, updates![k]!, params)),
  domain: {
    sample: (draw) => {
      const { x, idx, updates, params } = drawIndexCall(draw)
      return {
        args: [
          drawValue(draw, x, anyReal),
          drawIndices(draw, idx, x[params.axis]!, params.wrap),
          drawValue(draw, updates, anyReal),
        ],
        params,
      }
    },
    // special entries added at a repeated index and from the end
    special: () => [
      {
        args: [
          specialTensor([4]),
          new Tensor(Float64Array.of(1, -3, 3, 0, -1), [5]),
          specialTensor([5]),
        ],
        params: { axis: 0, batchDims: 0, wrap: true },
      },
      {
        args: [
          specialTensor([2, 3]),
          new Tensor(Float64Array.of(0, 0, 2, 1), [2, 2]),
          specialTensor([2, 2]),
        ],
        params: { axis: 1, batchDims: 1, wrap: false },
      },
    ],
    linear: true,
    fixed: [1],
  },
})
