/**
 * Statistics and logical reductions, composed from the primitives: `variance` and `std` (with
 * `ddof`), `argmax` and `argmin` (the first maximal or minimal entry, as NumPy; indices as
 * float64 numbers), and `any`, `all`, `countNonzero`. The arg-ops and the logical reductions
 * read values through comparisons only, so their derivative is zero in every mode.
 *
 * Laws: fd-agreement and vjp-jvp-adjoint for `variance` and `std` (through their parts).
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { dtypeOf, shapeOf, Tracer, type Val } from '../core/tracer.ts'
import { normalizeAxes, normalizeAxis, show, sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { argExtremeV } from './arg-extreme.ts'
import { div, sub } from './arithmetic.ts'
import { astype } from './astype.ts'
import { equal, greater, notEqual, stopGradient } from './comparison.ts'
import { sqrt, square } from './elementwise.ts'
import { moveAxisV } from './gather.ts'
import { mean, type ReduceOptions, sum } from './reduction.ts'
import { scaled } from './scaled.ts'
import { expandDims, reshape, slice } from './structural.ts'

type Value = number | Tensor
type Axis = number | readonly number[] | null

/** Options of `variance` and `std`. */
export interface VarianceOptions extends ReduceOptions {
  /**
   * Delta degrees of freedom: the sum of squared deviations is divided by N − ddof (default 0;
   * 1 gives the unbiased sample variance). A finite number ≥ 0, less than N.
   */
  readonly ddof?: number
}

const checkValue = (x: unknown, op: string): void => {
  if (typeof x !== 'number' && !(x instanceof Tensor) && !(x instanceof Tracer)) {
    throw new InvalidArgumentError(`${op} takes a number or a Tensor, got ${show(x)}`, {
      primitive: op,
      hint: 'wrap arrays with tensor(...)',
    })
  }
}

/**
 * Variance over `axis` (all axes by default): Σ (x − mean)² / (N − ddof), as `numpy.var`.
 * Computed in two passes after shifting by one of the entries (a constant), so equal entries
 * have exactly zero deviations and a variance of exactly 0.
 *
 * Derivative: 2(x − mean)/(N − ddof). Throws `InvalidArgumentError` for a bad axis or a `ddof`
 * that is negative, not finite, or leaves no degrees of freedom (N − ddof ≤ 0, an empty axis
 * included: NumPy returns ∞ or NaN with a warning there). Named `variance` because `var` is a
 * reserved word in JavaScript, which no named import could bind.
 * @example
 * variance(tensor([1, 2, 3, 4])).item() // => 1.25
 * variance(tensor([1, 2, 3, 4]), null, { ddof: 1 }).item() // ≈ 5 / 3
 * grad((x: Tensor) => variance(x))(tensor([1, 3])).toArray() // => [-1, 1]
 * @category reduction
 */
export function variance(x: number, axis?: Axis, options?: VarianceOptions): number
export function variance(x: Tensor, axis?: Axis, options?: VarianceOptions): Tensor
export function variance(x: Value, axis?: Axis, options?: VarianceOptions): Value
export function variance(x: Value, axis?: Axis, options?: VarianceOptions): Value {
  return varianceOf(x, axis, options, 'variance')
}

/** The variance of x over `axis`, or with `root` its square root, the standard deviation. */
const varianceOf = (
  x: Value,
  axis: Axis | undefined,
  options: VarianceOptions | undefined,
  op: string,
  root = false,
): Value => {
  checkValue(x, op)
  const s = shapeOf(x)
  const axes = normalizeAxes(axis, s.length, op)
  const n = sizeOf(axes.map((a) => s[a]!))
  const ddof = options?.ddof === undefined ? 0 : options.ddof
  if (typeof ddof !== 'number' || !Number.isFinite(ddof) || ddof < 0) {
    throw new InvalidArgumentError(`ddof must be a finite number ≥ 0, got ${show(ddof)}`, {
      primitive: op,
      hint: 'use ddof: 0 for the population variance, ddof: 1 for the sample variance',
    })
  }
  if (n - ddof <= 0) {
    throw new InvalidArgumentError(
      `${op} of ${n} value${n === 1 ? '' : 's'} with ddof ${ddof} has no degrees of freedom`,
      {
        primitive: op,
        shapes: [s],
        hint: 'reduce over more values, or lower ddof below their number',
      },
    )
  }
  const keepdims = { keepdims: true }
  // one entry per reduced set, a constant: x − shift is exactly 0 where entries are equal
  const shift = stopGradient(
    axes.length === 0
      ? x
      : slice(
          x,
          s.map(() => 0),
          s.map((d, i) => (axes.includes(i) ? 1 : d)),
        ),
  )
  const d = sub(x, shift)
  const deviations = sub(d, mean(d, axes, keepdims))
  const meanSquare = (z: Value): Value => div(sum(square(z), axes, options), n - ddof)
  if (!root) return meanSquare(deviations)
  // std at the deviations' own scale: their squares under- or overflow long before std does
  // (std of ±1e-200 is 1e-200, not 0 with a NaN gradient); the bits are those of √variance
  // wherever the squares do neither
  if (typeof deviations === 'number') return sqrt(meanSquare(deviations))
  return scaled(deviations, axes, true, (z) => sqrt(meanSquare(z)) as Tensor)
}

/**
 * Standard deviation over `axis` (all axes by default): √variance, with the same `ddof` and
 * `keepdims` options and errors as {@link variance}. Computed at the deviations' own scale (a
 * power of two), so it is right where their squares under- or overflow: std of ±1e-200 is
 * 1e-200 (√variance would be 0), of ±1e200 is 1e200 — the bits of √variance elsewhere.
 *
 * Derivative: (x − mean)/((N − ddof)·std). Where the variance is 0 (all entries equal) the
 * deviations are exactly 0 and zero annihilates sqrt's infinite slope, so the derivative is 0,
 * as `abs` has at 0 — finite, never NaN (std is not differentiable there; 0 is a subgradient).
 * The second derivative there is infinite: `derivative` along a line gives +∞, and `hessian`
 * NaN (its entries are ±∞ and their sums ∞ − ∞).
 * @example
 * std(tensor([1, 3])).item() // => 1
 * grad((x: Tensor) => std(x))(tensor([2, 2, 2])).toArray() // => [0, 0, 0]
 * @category reduction
 */
export function std(x: number, axis?: Axis, options?: VarianceOptions): number
export function std(x: Tensor, axis?: Axis, options?: VarianceOptions): Tensor
export function std(x: Value, axis?: Axis, options?: VarianceOptions): Value
export function std(x: Value, axis?: Axis, options?: VarianceOptions): Value {
  return varianceOf(x, axis, options, 'std', true)
}

// ---- arg-ops ----------------------------------------------------------------------------------

const argExtreme = (
  x: Value,
  axis: number | null | undefined,
  options: ReduceOptions | undefined,
  op: string,
  smallest: boolean,
): Value => {
  checkValue(x, op)
  const flat = axis === undefined || axis === null
  const rank = shapeOf(x).length
  const v: Val = flat ? reshape(x, [-1]) : x
  const s = shapeOf(v)
  const ax = flat ? 0 : normalizeAxis(axis, s.length, op)
  if (s[ax] === 0) {
    throw new ShapeError(`${op} of an empty axis: nothing has no position`, {
      primitive: op,
      shapes: [shapeOf(x)],
      hint: 'reduce an axis that has elements',
    })
  }
  // one pass over the values along the last axis (another axis is moved there first)
  const last = s.length - 1
  const first = argExtremeV(ax === last ? v : moveAxisV(v, ax, last), smallest) as Tensor
  if (typeof x === 'number') return first.item()
  if (options?.keepdims !== true) return first
  return flat ? reshape(first, new Array(rank).fill(1)) : expandDims(first, ax)
}

/**
 * Position of the largest entry along `axis` (default: of the flattened values), the first one
 * among ties; NaN counts as the largest, as in NumPy. The positions are float64 numbers (0, 1,
 * …), like every value in fluxion.
 *
 * Derivative: zero (the result is a constant to every transformation). Throws `ShapeError` for
 * an empty axis and `InvalidArgumentError` for a bad axis.
 * @example
 * argmax(tensor([1, 5, 2, 5])).item() // => 1
 * argmax(tensor([[1, 9], [8, 2]]), 1).toArray() // => [1, 0]
 * @category reduction
 */
export function argmax(x: number, axis?: number | null, options?: ReduceOptions): number
export function argmax(x: Tensor, axis?: number | null, options?: ReduceOptions): Tensor
export function argmax(x: Value, axis?: number | null, options?: ReduceOptions): Value
export function argmax(x: Value, axis?: number | null, options?: ReduceOptions): Value {
  return argExtreme(x, axis, options, 'argmax', false)
}

/**
 * Position of the smallest entry along `axis` (default: of the flattened values), the first one
 * among ties; NaN counts as the smallest, as in NumPy. Float64 positions; zero derivative.
 * Throws as {@link argmax}.
 * @example
 * argmin(tensor([3, 1, 2, 1])).item() // => 1
 * @category reduction
 */
export function argmin(x: number, axis?: number | null, options?: ReduceOptions): number
export function argmin(x: Tensor, axis?: number | null, options?: ReduceOptions): Tensor
export function argmin(x: Value, axis?: number | null, options?: ReduceOptions): Value
export function argmin(x: Value, axis?: number | null, options?: ReduceOptions): Value {
  return argExtreme(x, axis, options, 'argmin', true)
}

// ---- logical reductions -----------------------------------------------------------------------

/**
 * Number of nonzero entries over `axis` (all axes by default); NaN counts as nonzero. The
 * count is float64 whatever `x`'s dtype (exact up to 2⁵³; float32 would be only to 2²⁴).
 *
 * Derivative: zero.
 * @example
 * countNonzero(tensor([[0, 1], [2, 0]])).item() // => 2
 * @category reduction
 */
export function countNonzero(x: number, axis?: Axis, options?: ReduceOptions): number
export function countNonzero(x: Tensor, axis?: Axis, options?: ReduceOptions): Tensor
export function countNonzero(x: Value, axis?: Axis, options?: ReduceOptions): Value
export function countNonzero(x: Value, axis?: Axis, options?: ReduceOptions): Value {
  checkValue(x, 'countNonzero')
  const nonzero = notEqual(stopGradient(x), 0)
  // a count, float64 whatever x's dtype: float32 holds integers only up to 2²⁴
  return sum(dtypeOf(nonzero) === 'float32' ? astype(nonzero, 'float64') : nonzero, axis, options)
}

/**
 * 1 where some entry over `axis` (all axes by default) is nonzero (NaN included), else 0; 0
 * over nothing.
 *
 * Derivative: zero.
 * @example
 * any(tensor([[0, 0], [0, 3]]), 1).toArray() // => [0, 1]
 * @category reduction
 */
export function any(x: number, axis?: Axis, options?: ReduceOptions): number
export function any(x: Tensor, axis?: Axis, options?: ReduceOptions): Tensor
export function any(x: Value, axis?: Axis, options?: ReduceOptions): Value
export function any(x: Value, axis?: Axis, options?: ReduceOptions): Value {
  checkValue(x, 'any')
  return greater(sum(notEqual(stopGradient(x), 0), axis, options), 0)
}

/**
 * 1 where every entry over `axis` (all axes by default) is nonzero (NaN included), else 0; 1
 * over nothing.
 *
 * Derivative: zero.
 * @example
 * all(tensor([[1, 2], [0, 3]]), 1).toArray() // => [1, 0]
 * @category reduction
 */
export function all(x: number, axis?: Axis, options?: ReduceOptions): number
export function all(x: Tensor, axis?: Axis, options?: ReduceOptions): Tensor
export function all(x: Value, axis?: Axis, options?: ReduceOptions): Value
export function all(x: Value, axis?: Axis, options?: ReduceOptions): Value {
  checkValue(x, 'all')
  return equal(sum(equal(stopGradient(x), 0), axis, options), 0)
}
