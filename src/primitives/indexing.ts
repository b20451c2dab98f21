/**
 * Integer-array indexing along one axis: `take` and `takeAlongAxis`, composed from the gather
 * primitive (`gather` and `at`, NumPy's `x[i, :, j]` and JAX's `x.at[…]`, are in ./at.ts).
 *
 * Index arrays are ordinary float64 tensors (or numbers, or arrays of numbers) holding
 * integers, checked when the kernel runs — eagerly, on every call of a `jit`-compiled function
 * and inside `vmap` alike, since indices are data: a second call of a compiled function with
 * other index values gives the new answer. A negative index counts once from the end (NumPy);
 * a non-integer, non-finite or still out-of-range one throws `IndexError` (NumPy raises, JAX
 * clamps; a clamped index is a silently wrong number). Indices are never differentiated.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, transpose-involution (of the primitives `take` and
 * `scatterAdd`, in the registry).
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { notAValue, shapeOf, Tracer, type Val } from '../core/tracer.ts'
import { tensor } from '../tensor/create.ts'
import { broadcastShapes, normalizeAxis, type Shape, show, sizeOf } from '../tensor/shape.ts'
import { type NestedArray, Tensor } from '../tensor/tensor.ts'
import { broadcastToV, reshapeV } from './families.ts'
import { moveAxisV, takeV } from './gather.ts'

type Value = number | Tensor

/**
 * Integer indices: a number, a (nested) array of numbers, or a tensor of whole numbers
 * (float64, like every tensor).
 */
export type Indices = number | readonly NestedArray[] | Tensor

/** `v` as a value the primitives accept; arrays become tensors. Throws `InvalidArgumentError`. */
export const indicesValue = (v: unknown, op: string): Val => {
  if (typeof v === 'number' || v instanceof Tensor || v instanceof Tracer) return v
  if (Array.isArray(v)) return tensor(v as NestedArray[])
  throw new InvalidArgumentError(`indices must be integers, got ${show(v)}`, {
    primitive: op,
    hint: 'give a number, an array of numbers or a tensor of whole numbers',
  })
}

/** The operand's shape, checked to be a value with at least one axis. */
export const operand = (x: Value, op: string): Shape => {
  // checked before anything reads it: `at` reads nothing until an update is applied
  const v: unknown = x
  if (typeof v !== 'number' && !(v instanceof Tensor || v instanceof Tracer)) throw notAValue(v, op)
  const s = shapeOf(x)
  if (s.length === 0) {
    throw new InvalidArgumentError(`cannot index a scalar`, {
      primitive: op,
      shapes: [s],
      hint: 'index a tensor of rank ≥ 1',
    })
  }
  return s
}

/**
 * Elements of `x` at `indices` along `axis` (NumPy's `take`): the result's shape is x's with
 * that axis replaced by the indices' shape. Without an axis, `x` is read flat. A negative index
 * counts from the end.
 *
 * Derivative: linear in `x`; its transpose adds the cotangent back at the indices (duplicates
 * accumulate). Throws `IndexError` for an index that is not an integer in [−n, n), and
 * `InvalidArgumentError` for a bad axis.
 * @example
 * take(tensor([10, 20, 30]), [2, -3, 2]).toArray() // => [30, 10, 30]
 * take(tensor([[1, 2], [3, 4]]), [1], 1).toArray() // => [[2], [4]]
 * @category indexing
 */
export function take(x: Value, indices: Indices, axis?: number): Tensor {
  const s = operand(x, 'take')
  const idx = indicesValue(indices, 'take')
  if (axis === undefined) {
    return takeV(reshapeV(x, [sizeOf(s)]), idx, { axis: 0, batchDims: 0, wrap: true }) as Tensor
  }
  const ax = normalizeAxis(axis, s.length, 'take')
  return takeV(x, idx, { axis: ax, batchDims: 0, wrap: true }) as Tensor
}

/**
 * Elements of `x` picked along `axis` by `indices` of the same rank (NumPy's
 * `take_along_axis`): out[…, j, …] = x[…, indices[…, j, …], …], the other axes broadcast
 * against each other. `argsort` and `topK` give such indices.
 *
 * Derivative: linear in `x`; the cotangent is added back at the picked positions. Throws
 * `IndexError` for a bad index, `InvalidArgumentError` when the ranks differ or the axis is
 * bad, `ShapeError` when the other axes do not broadcast.
 * @example
 * takeAlongAxis(tensor([[3, 1], [5, 7]]), tensor([[1], [0]]), 1).toArray() // => [[1], [5]]
 * @category indexing
 */
export function takeAlongAxis(x: Value, indices: Indices, axis: number): Tensor {
  const s = operand(x, 'takeAlongAxis')
  const idx = indicesValue(indices, 'takeAlongAxis')
  const is = shapeOf(idx)
  if (is.length !== s.length) {
    throw new InvalidArgumentError(
      `indices of rank ${is.length} for an operand of rank ${s.length}`,
      {
        primitive: 'takeAlongAxis',
        shapes: [s, is],
        hint: 'give indices of the same rank as x (size 1 on axes to broadcast)',
      },
    )
  }
  const ax = normalizeAxis(axis, s.length, 'takeAlongAxis')
  const last = s.length - 1
  const xl = moveAxisV(x, ax, last)
  const il = moveAxisV(idx, ax, last)
  const lead = broadcastShapes(
    shapeOf(xl).slice(0, last),
    shapeOf(il).slice(0, last),
    'takeAlongAxis',
  )
  const out = takeV(broadcastToV(xl, [...lead, s[ax]!]), broadcastToV(il, [...lead, is[ax]!]), {
    axis: last,
    batchDims: last,
    wrap: true,
    op: 'takeAlongAxis',
  })
  return moveAxisV(out, last, ax) as Tensor
}
