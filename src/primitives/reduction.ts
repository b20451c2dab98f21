/**
 * Reductions over axes. Two primitives — `sum` (linear; transpose: broadcast) and `max` (whose
 * derivative splits evenly between tied maxima) — and the compositions `mean min prod
 * logSumExp`. `axis` is a number, a list, or omitted for all axes; `keepdims` keeps reduced
 * axes with size 1.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint (and transpose-involution for `sum`).
 * @module
 */
import { bind1 } from '../core/bind.ts'
import { debugState } from '../core/debug.ts'
import { ShapeError } from '../core/errors.ts'
import { define, type Primitive } from '../core/primitive.ts'
import { shapeOf, type Val } from '../core/tracer.ts'
import { tensor } from '../tensor/create.ts'
import { maxK } from '../tensor/kernels/reduce.ts'
import { normalizeAxes, sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { div, mul, neg, safeMul } from './arithmetic.ts'
import { equal } from './comparison.ts'
import { anyReal, drawSeparated, drawShape } from './domain.ts'
import { asTensor, keptShape, type ReduceParams, reducedShape, sumP } from './families.ts'
import { checkValue } from './shape-extra.ts'
import { broadcastTo, pad, reshape, slice, transpose } from './structural.ts'

type Value = number | Tensor

const reduceDomain = {
  sample: (draw: Parameters<Primitive['domain']['sample']>[0]) => {
    const shape = drawShape(draw, 3)
    const axes = shape.flatMap((_, i) => (draw.integer(0, 1) === 1 ? [i] : []))
    // entries kept apart: a tie for the maximum is a kink
    return { args: drawSeparated(draw, [shape], anyReal), params: { axes } }
  },
  // ties (of ±∞ and of ±0 too), an infinite maximum, NaN: the derivative splits among ties
  special: () => [
    {
      args: [
        tensor([
          [Infinity, 0, Infinity],
          [1, 1, 0],
        ]),
      ],
      params: { axes: [1] },
    },
    {
      args: [
        tensor([
          [-Infinity, -Infinity],
          [0, -0],
        ]),
      ],
      params: { axes: [1] },
    },
    {
      args: [
        tensor([
          [Number.NaN, 1],
          [2, -Infinity],
        ]),
      ],
      params: { axes: [0, 1] },
    },
    {
      args: [
        tensor([
          [Number.NaN, 1],
          [2, -Infinity],
        ]),
      ],
      params: { axes: [0] },
    },
  ],
}

/** Weights that split a max's derivative evenly among the entries equal to it (constants). */
const maxWeights = (x: Val, y: Val, axes: readonly number[]): Val => {
  const kept = keptShape(shapeOf(x), axes)
  const mask = equal(x, reshape(y, kept))
  return div(mask, reshape(sum(mask, axes), kept))
}

/** Whether `v` is a concrete number or tensor of zeros (traced values never are). */
const isZero = (v: Val): boolean => {
  if (typeof v === 'number') return v === 0
  if (!(v instanceof Tensor)) return false
  const d = v.data
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) return false
  return true
}

/** Primitive record of {@link max}: largest element over `axes`; ties share the derivative. */
export const maxP: Primitive<ReduceParams> = define({
  name: 'max',
  arity: 1,
  zeroDerivative: false,
  impl: ([x], { axes }) => {
    const t = asTensor(x!)
    const out = new Tensor(maxK(t.data, t.shape, axes), reducedShape(t.shape, axes))
    return typeof x === 'number' ? out.item() : out
  },
  shape: ([s], { axes }) => reducedShape(s!, axes),
  jvp: ([x], [xDot], y, { axes }) =>
    xDot === null || xDot === undefined ? null : sum(safeMul(xDot, maxWeights(x!, y, axes)), axes),
  batch: ([x], _batched, { axes }) => bind1(maxP, x!, { axes: axes.map((a) => a + 1) }),
  // the maximal entries are chosen at t = 0; ties split evenly, as for the derivative
  taylor: ([x], { axes }) => {
    const y0 = bind1(maxP, x![0]!, { axes })
    const w = maxWeights(x![0]!, y0, axes)
    return x!.map((xk, k) => (k === 0 ? y0 : sum(safeMul(xk, w), axes)))
  },
  vjp: (yBar, [x], y, { axes }) => {
    // a concrete zero cotangent (logSumExp's unselected branch) gives zero, whatever the weights
    if (!debugState.on && isZero(yBar)) return [null]
    const s = shapeOf(x!)
    return [safeMul(broadcastTo(reshape(yBar, keptShape(s, axes)), s), maxWeights(x!, y, axes))]
  },
  domain: reduceDomain,
})

/** Options of a reduction. */
export interface ReduceOptions {
  /** Keep each reduced axis with size 1 (default false). */
  readonly keepdims?: boolean
}

/** The axes of a reduction: one, several, or `null`/omitted for all. */
export type Axis = number | readonly number[] | null

/** Reduces `x` with `p` over `axis` (normalized, checked), keeping the axes if asked. */
export const reduceWith = (
  p: Primitive<ReduceParams>,
  x: Val,
  axis: Axis | undefined,
  options: ReduceOptions | undefined,
  name: string,
  needsElements = false,
): Val => {
  const s = shapeOf(x)
  const axes = normalizeAxes(axis, s.length, name)
  // the extremum of no elements has no value: NumPy, JAX and PyTorch raise (issue #12)
  if (needsElements && axes.some((a) => s[a] === 0)) {
    throw new ShapeError(`${name} over an axis of size 0: an empty set has no ${name}imum`, {
      primitive: name,
      shapes: [s],
      hint: `reduce axes that have elements, or check the size first (sum, prod and mean of nothing are 0, 1 and NaN)`,
    })
  }
  // reducing no axes returns x itself, so x is checked here (bind checks it otherwise)
  if (axes.length === 0) checkValue(x, name)
  const y = axes.length === 0 ? x : bind1(p, x, { axes })
  return options?.keepdims === true && axes.length > 0 ? reshape(y, keptShape(s, axes)) : y
}

/**
 * Sum of the elements over `axis` (all axes by default).
 *
 * Derivative: linear; the cotangent is broadcast back over the reduced axes.
 * @example
 * sum(tensor([[1, 2], [3, 4]])).item() // => 10
 * sum(tensor([[1, 2], [3, 4]]), 0).toArray() // => [4, 6]
 * @category reduction
 */
export function sum(x: number, axis?: Axis, options?: ReduceOptions): number
export function sum(x: Tensor, axis?: Axis, options?: ReduceOptions): Tensor
export function sum(x: Value, axis?: Axis, options?: ReduceOptions): Value
export function sum(x: Value, axis?: Axis, options?: ReduceOptions): Value {
  return reduceWith(sumP, x, axis, options, 'sum')
}

/**
 * Arithmetic mean over `axis` (all axes by default); NaN (0/0) over an axis of size 0, as in
 * NumPy.
 *
 * Derivative: the cotangent divided by the count, broadcast back.
 * @example
 * mean(tensor([1, 2, 3, 4])).item() // => 2.5
 * @category reduction
 */
export function mean(x: number, axis?: Axis, options?: ReduceOptions): number
export function mean(x: Tensor, axis?: Axis, options?: ReduceOptions): Tensor
export function mean(x: Value, axis?: Axis, options?: ReduceOptions): Value
export function mean(x: Value, axis?: Axis, options?: ReduceOptions): Value {
  const s = shapeOf(x)
  const count = sizeOf(normalizeAxes(axis, s.length, 'mean').map((a) => s[a]!))
  return div(sum(x, axis, options), count)
}

/**
 * Largest element over `axis` (all axes by default); NaN if any is NaN. Throws `ShapeError`
 * when an axis it reduces has size 0: nothing has no maximum (NumPy, JAX, PyTorch agree).
 *
 * Derivative: the cotangent goes to the maximal entries, split evenly among ties.
 * @example
 * max(tensor([1, 5, 3])).item() // => 5
 * @category reduction
 */
export function max(x: number, axis?: Axis, options?: ReduceOptions): number
export function max(x: Tensor, axis?: Axis, options?: ReduceOptions): Tensor
export function max(x: Value, axis?: Axis, options?: ReduceOptions): Value
export function max(x: Value, axis?: Axis, options?: ReduceOptions): Value {
  return reduceWith(maxP, x, axis, options, 'max', true)
}

/**
 * Smallest element over `axis` (all axes by default): −max(−x), exactly. Throws `ShapeError`
 * when an axis it reduces has size 0.
 *
 * Derivative: the cotangent goes to the minimal entries, split evenly among ties.
 * @example
 * min(tensor([4, 1, 3])).item() // => 1
 * @category reduction
 */
export function min(x: number, axis?: Axis, options?: ReduceOptions): number
export function min(x: Tensor, axis?: Axis, options?: ReduceOptions): Tensor
export function min(x: Value, axis?: Axis, options?: ReduceOptions): Value
export function min(x: Value, axis?: Axis, options?: ReduceOptions): Value {
  return neg(reduceWith(maxP, neg(x), axis, options, 'min', true))
}

/**
 * Product of the elements over `axis` (all axes by default).
 *
 * Computed as a balanced tree of pairwise products, so the derivative is exact even where
 * elements are zero (∂/∂xᵢ = Π_{j≠i} xⱼ, never a division by xᵢ).
 * @example
 * prod(tensor([1, 2, 3, 4])).item() // => 24
 * @category reduction
 */
export function prod(x: number, axis?: Axis, options?: ReduceOptions): number
export function prod(x: Tensor, axis?: Axis, options?: ReduceOptions): Tensor
export function prod(x: Value, axis?: Axis, options?: ReduceOptions): Value
export function prod(x: Value, axis?: Axis, options?: ReduceOptions): Value {
  // checked here: with no axis to reduce, no primitive would see x
  checkValue(x, 'prod')
  const s = shapeOf(x)
  const axes = normalizeAxes(axis, s.length, 'prod')
  if (axes.length === 0) return x
  const rest = s.map((_, i) => i).filter((i) => !axes.includes(i))
  // move reduced axes last, flatten them, then halve the last axis until one entry is left
  const moved = transpose(x, [...rest, ...axes])
  const outer = rest.map((i) => s[i]!)
  let acc: Val = reshape(moved, [...outer, sizeOf(axes.map((a) => s[a]!))])
  let n = shapeOf(acc)[outer.length]!
  if (n === 0) acc = pad(acc, [...outer.map(() => [0, 0] as const), [0, 1]], 1)
  while (n > 1) {
    if (n % 2 === 1) {
      acc = pad(acc, [...outer.map(() => [0, 0] as const), [0, 1]], 1)
      n += 1
    }
    const half = n / 2
    const lo = slice(acc, [...outer.map(() => 0), 0], [...outer, half])
    const hi = slice(acc, [...outer.map(() => 0), half], [...outer, n])
    acc = mul(lo, hi)
    n = half
  }
  const y = reshape(acc, outer)
  const result = options?.keepdims === true ? reshape(y, keptShape(s, axes)) : y
  return typeof x === 'number' ? (result as Tensor).item() : result
}

export { type LogSumExpOptions, logSumExp } from './logsumexp.ts'
