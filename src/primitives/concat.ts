/**
 * Joining tensors: the `concat` primitive (linear; its transpose slices the cotangent back into
 * pieces) and `stack`, a composition.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, transpose-involution.
 * @module
 */
import { bindN } from '../core/bind.ts'
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { define, type Primitive } from '../core/primitive.ts'
import { shapeOf, type Val } from '../core/tracer.ts'
import { concatK } from '../tensor/kernels/layout.ts'
import { normalizeAxis, type Shape, show, sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { anyReal, drawShape, drawValue, specialTensor } from './domain.ts'
import { asTensor, withBatch } from './families.ts'
import { expandDims, slice } from './structural.ts'

type Value = number | Tensor

// ---- concat -----------------------------------------------------------------------------------

/** Params of `concat`: the axis to join along. */
export interface ConcatParams {
  /** The axis, already normalized to 0 ≤ axis < rank. */
  readonly axis: number
}

/** Primitive record of {@link concat}: joins its arguments (any number of them) along `axis`. */
export const concatP: Primitive<ConcatParams> = define({
  name: 'concat',
  arity: -1,
  zeroDerivative: false,
  impl: (args, { axis }) => {
    const ts = args.map(asTensor)
    const shape = concatShape(
      ts.map((t) => t.shape),
      axis,
    )
    return new Tensor(
      concatK(
        ts.map((t) => t.data),
        ts.map((t) => t.shape),
        axis,
      ),
      shape,
    )
  },
  shape: (shapes, { axis }) => concatShape(shapes, axis),
  jvp: (primals, tangents, _y, params) =>
    tangents.every((t) => t === null)
      ? null
      : bindN(
          concatP,
          tangents.map((t, i) => t ?? zerosLike(primals[i]!)),
          params,
        ),
  taylor: (series, params) =>
    series[0]!.map((_, k) =>
      bindN(
        concatP,
        series.map((s) => s[k]!),
        params,
      ),
    ),
  batch: (args, batched, { axis }, size) =>
    bindN(
      concatP,
      args.map((a, i) => withBatch(a, batched[i]!, size)),
      { axis: axis + 1 },
    ),
  vjp: (yBar, primals, _y, { axis }, needs) => {
    let offset = 0
    return primals.map((x, i) => {
      const s = shapeOf(x)
      const start = offset
      offset += s[axis]!
      if (!needs[i]) return null
      return slice(
        yBar,
        s.map((_, j) => (j === axis ? start : 0)),
        s.map((n, j) => (j === axis ? start + n : n)),
      )
    })
  },
  domain: {
    sample: (draw) => {
      const shape = drawShape(draw, 3)
      if (shape.length === 0) shape.push(2)
      const axis = draw.integer(0, shape.length - 1)
      const parts = draw.integer(1, 3)
      return {
        args: Array.from({ length: parts }, () =>
          drawValue(
            draw,
            shape.map((d, i) => (i === axis ? draw.integer(1, 3) : d)),
            anyReal,
          ),
        ),
        params: { axis },
      }
    },
    special: () => [
      { args: [specialTensor([2, 2]), specialTensor([2, 3])], params: { axis: 1 } },
      { args: [specialTensor([1, 3]), specialTensor([2, 3])], params: { axis: 0 } },
    ],
    linear: true,
  },
})

/**
 * `concat` and `stack` take an array of values, not a single value or a tree, and without
 * holes: `[a, , b]` would otherwise reach the shape rule as a missing operand (issue #12).
 */
const checkList = (xs: unknown, op: string): void => {
  if (!Array.isArray(xs)) {
    throw new InvalidArgumentError(`${op} takes an array of tensors, got ${show(xs)}`, {
      primitive: op,
      hint: `wrap the values in an array: ${op}([a, b])`,
    })
  }
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] === undefined && !Object.hasOwn(xs, i)) {
      throw new InvalidArgumentError(`argument 0[${i}] is a hole in a sparse array`, {
        primitive: op,
        hint: `pass a dense array of tensors: ${op}([a, b])`,
      })
    }
  }
}

const zerosLike = (v: Val): Tensor => {
  const s = shapeOf(v)
  return new Tensor(new Float64Array(sizeOf(s)), s)
}

const concatShape = (shapes: readonly Shape[], axis: number): Shape => {
  const first = shapes[0]
  if (first === undefined) {
    throw new InvalidArgumentError('concat needs at least one tensor', {
      primitive: 'concat',
      hint: 'pass a non-empty array: concat([a, b], axis)',
    })
  }
  let total = 0
  for (const s of shapes) {
    if (s.length !== first.length || s.some((d, i) => i !== axis && d !== first[i])) {
      throw new ShapeError('shapes differ off the concatenation axis', {
        primitive: 'concat',
        shapes,
        hint: `all sizes except axis ${axis} must match`,
      })
    }
    total += s[axis]!
  }
  return first.map((d, i) => (i === axis ? total : d))
}

/**
 * Joins tensors along an existing axis.
 *
 * Derivative: linear; its transpose slices the cotangent back into pieces.
 * @example
 * concat([tensor([1]), tensor([2, 3])]).toArray() // => [1, 2, 3]
 * @category shape
 */
export function concat(xs: readonly Value[], axis = 0): Tensor {
  checkList(xs, 'concat')
  const first = xs[0]
  if (first === undefined) {
    throw new InvalidArgumentError('concat needs at least one tensor', {
      primitive: 'concat',
      hint: 'pass a non-empty array: concat([a, b], axis)',
    })
  }
  const ax = normalizeAxis(axis, shapeOf(first).length, 'concat')
  return bindN(concatP, xs, { axis: ax }) as Tensor
}

/**
 * Joins tensors of equal shape along a new axis.
 * @example
 * stack([tensor([1, 2]), tensor([3, 4])]).shape // => [2, 2]
 * @category shape
 */
export function stack(xs: readonly Value[], axis = 0): Tensor {
  checkList(xs, 'stack')
  const first = xs[0]
  if (first === undefined) {
    throw new InvalidArgumentError('stack needs at least one tensor', {
      primitive: 'stack',
      hint: 'pass a non-empty array: stack([a, b], axis)',
    })
  }
  const ax = normalizeAxis(axis, shapeOf(first).length + 1, 'stack')
  return concat(
    xs.map((x) => (x instanceof Tensor ? expandedView(x, ax) : expandDims(x, ax))),
    ax,
  )
}

/**
 * A concrete tensor with a unit axis inserted, sharing `x`'s data: `reshape` copies (its output
 * may outlive the call), but this view only feeds `concat`, whose kernel writes a fresh array.
 * It keeps `x`'s weak type, which decides the dtype `concat` gives.
 */
const expandedView = (x: Tensor, axis: number): Tensor =>
  new Tensor(x.data, [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)], x.weak)
