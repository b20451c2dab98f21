/**
 * Running extremes and running log-sum-exp: the primitives `cummax` and `logcumsumexp`, and
 * `cummin` (−cummax(−x), exactly). Their derivatives follow the `max` reduction: a running
 * maximum's derivative goes to the entries equal to it, split evenly among ties; where a
 * running log-sum-exp is infinite its derivative is that limit too, as `logSumExp` has it.
 * A NaN output has a NaN derivative in every input, in every mode, as `max`'s does.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint.
 * @module
 */
import { bind1 } from '../core/bind.ts'
import { define, type Primitive } from '../core/primitive.ts'
import type { Val } from '../core/tracer.ts'
import { tensor } from '../tensor/create.ts'
import { cummaxK, logcumsumexpK } from '../tensor/kernels/scan.ts'
import { Tensor } from '../tensor/tensor.ts'
import { add, div, neg, safeMul, sub } from './arithmetic.ts'
import { equal, less, notEqual, stopGradient, where } from './comparison.ts'
import { anyReal } from './domain.ts'
import { abs, exp } from './elementwise.ts'
import { asTensor } from './families.ts'
import {
  previous,
  recur,
  recurTransposed,
  type ScanOptions,
  type ScanParams,
  scanDomain,
  scanShape,
  scanWith,
  shifted,
} from './recurrence.ts'
import { sum } from './reduction.ts'
import { seriesByNestedJvp } from './taylor.ts'

type Value = number | Tensor

/**
 * Where a running maximum `y` of `x` sends its derivative (all constants): `link` is 1 where
 * yᵢ = yᵢ₋₁ (the same winner may carry on), `mask` 1 where xᵢ = yᵢ (xᵢ is a winner), `count`
 * the number of winners so far (1 at a NaN, whose derivative is set apart), `nan` 1 at NaN.
 */
interface Winners {
  readonly link: Val
  readonly mask: Val
  readonly count: Val
  readonly nan: Val
}

const winnersOf = (x: Val, y: Val, params: ScanParams): Winners => {
  const link = equal(y, previous(y, params, Number.NaN))
  const mask = equal(x, y)
  const count = recur(link, mask, params)
  return { link, mask, count: where(equal(count, 0), 1, count), nan: notEqual(y, y) }
}

/** ẏᵢ = (Σ of ẋ over the winners of yᵢ) / their count (0 where yᵢ is NaN: no winners). */
const extremeTangent = (xDot: Val, w: Winners, params: ScanParams): Val =>
  div(recur(w.link, safeMul(w.mask, xDot), params), w.count)

/** The transpose of `extremeTangent`. */
const extremeCotangent = (yBar: Val, w: Winners, params: ScanParams): Val =>
  safeMul(w.mask, recurTransposed(w.link, div(yBar, w.count), params))

/**
 * The derivative of the NaN outputs: NaN in every input of their scan, as `max`'s is. As a
 * linear map, ẋ ↦ P·Σ ẋ with P NaN at NaN outputs and 0 elsewhere, so zero annihilates: a
 * direction that is 0 along a scan leaves its outputs' tangents alone. Its transpose sums P·ȳ.
 */
const nanTangent = (xDot: Val, nan: Val, { axis }: ScanParams): Val =>
  safeMul(where(nan, Number.NaN, 0), sum(xDot as Tensor, axis, { keepdims: true }))

const nanCotangent = (yBar: Val, nan: Val, { axis }: ScanParams): Val =>
  sum(safeMul(yBar as Tensor, where(nan, Number.NaN, 0)), axis, { keepdims: true })

// ---- cummax -----------------------------------------------------------------------------------

/** Primitive record of {@link cummax}: running maxima along the scan. */
export const cummaxP: Primitive<ScanParams> = define<ScanParams>({
  name: 'cummax',
  arity: 1,
  zeroDerivative: false,
  impl: ([x], { axis, reverse }) => {
    const t = asTensor(x!)
    return new Tensor(cummaxK(t.data, t.shape, axis, reverse), t.shape)
  },
  shape: ([s], params) => scanShape(s!, params, 'cummax'),
  jvp: ([x], [xDot], y, params) => {
    if (xDot == null) return null
    const w = winnersOf(x!, y, params)
    return add(extremeTangent(xDot, w, params), nanTangent(xDot, w.nan, params))
  },
  vjp: (yBar, [x], y, params) => {
    const w = winnersOf(x!, y, params)
    return [add(extremeCotangent(yBar, w, params), nanCotangent(yBar, w.nan, params))]
  },
  batch: ([x], _batched, params) => bind1(cummaxP, x!, shifted(params)),
  // the winners are chosen at t = 0, as `max` chooses its maxima (ties split evenly)
  taylor: ([x], params) => {
    const y0 = bind1(cummaxP, x![0]!, params)
    const w = winnersOf(x![0]!, y0, params)
    return x!.map((xk, k) =>
      k === 0 ? y0 : add(extremeTangent(xk, w, params), nanTangent(xk, w.nan, params)),
    )
  },
  // entries kept apart: a tie with the running maximum is a kink
  domain: scanDomain(
    anyReal,
    () => [
      {
        args: [
          tensor([
            [1, 1, 0, 2, 2, -0, 3],
            [0, -0, Infinity, 1, Infinity, Number.NaN, 2],
            [-Infinity, -Infinity, 0, 0, Number.NaN, 1, -1],
          ]),
        ],
        params: { axis: 1, reverse: false },
      },
      { args: [tensor([[2], [2], [1], [2], [-Infinity]])], params: { axis: 0, reverse: true } },
    ],
    true,
  ),
})

// ---- logcumsumexp -----------------------------------------------------------------------------

/** Primitive record of {@link logcumsumexp}: running log Σ exp along the scan. */
export const logcumsumexpP: Primitive<ScanParams> = define<ScanParams>({
  name: 'logcumsumexp',
  arity: 1,
  zeroDerivative: false,
  impl: ([x], { axis, reverse }) => {
    const t = asTensor(x!)
    return new Tensor(logcumsumexpK(t.data, t.shape, axis, reverse), t.shape)
  },
  shape: ([s], params) => scanShape(s!, params, 'logcumsumexp'),
  jvp: ([x], [xDot], y, params) => {
    if (xDot == null) return null
    const r = softmaxRecurrence(x!, y, params)
    const regular = recur(r.decay, safeMul(r.weight, xDot), params)
    const limit = extremeTangent(xDot, r.winners, params)
    return add(where(r.infinite, limit, regular), nanTangent(xDot, r.winners.nan, params))
  },
  vjp: (yBar, [x], y, params) => {
    const r = softmaxRecurrence(x!, y, params)
    const regular = safeMul(r.weight, recurTransposed(r.decay, yBar, params))
    const limit = extremeCotangent(where(r.infinite, yBar, 0), r.winners, params)
    return [add(add(regular, limit), nanCotangent(yBar, r.winners.nan, params))]
  },
  batch: ([x], _batched, params) => bind1(logcumsumexpP, x!, shifted(params)),
  // no cheap recurrence of its own: K nested forward passes (see seriesByNestedJvp)
  taylor: (series, params) => seriesByNestedJvp(logcumsumexpP, series, params),
  domain: scanDomain(anyReal, () => [
    {
      args: [
        tensor([
          [-Infinity, -Infinity, 0, Infinity, 1, Number.NaN],
          [1000, -1000, 0, -0, Infinity, Infinity],
          [-Infinity, 2, -Infinity, 2, Number.NaN, 1],
        ]),
      ],
      params: { axis: 1, reverse: false },
    },
    { args: [tensor([[-Infinity], [0], [-Infinity], [1]])], params: { axis: 0, reverse: true } },
  ]),
})

/**
 * The derivative of y = logcumsumexp(x) as a recurrence: where yᵢ is finite,
 * ẏᵢ = Σ_{k≤i} e^{xₖ−yᵢ}·ẋₖ = decayᵢ·ẏᵢ₋₁ + weightᵢ·ẋᵢ with decayᵢ = e^{yᵢ₋₁−yᵢ} ≤ 1 and
 * weightᵢ = e^{xᵢ−yᵢ} ≤ 1, so nothing overflows. Where yᵢ is ±∞ (decay and weight are 0
 * there), the limit: the derivative of the running maximum, even among the entries equal to it.
 */
const softmaxRecurrence = (x: Val, y: Val, params: ScanParams) => {
  const finite = less(abs(y), Number.POSITIVE_INFINITY)
  const y0 = where(finite, y, 0)
  const decay = where(finite, exp(sub(previous(y, params, Number.NEGATIVE_INFINITY), y0)), 0)
  const weight = where(finite, exp(sub(x, y0)), 0)
  const xs = stopGradient(x)
  const winners = winnersOf(xs, bind1(cummaxP, xs, params), params)
  return { decay, weight, winners, infinite: equal(abs(y), Number.POSITIVE_INFINITY) }
}

// ---- public functions -------------------------------------------------------------------------

/**
 * Running maxima along `axis` (default: over the flattened values): yᵢ = max_{k≤i} xₖ, or from
 * the end with `{ reverse: true }` (`jax.lax.cummax`). NaN propagates from where it appears.
 *
 * Derivative: ẏᵢ goes to the entries equal to yᵢ among those scanned so far, split evenly
 * among ties, as `max`'s does (cummax([1, 1]) has ∂y₁/∂x = [½, ½]); from a NaN on, the
 * derivative is NaN. Throws `InvalidArgumentError` for a bad axis.
 * @example
 * cummax(tensor([1, 3, 2, 5])).toArray() // => [1, 3, 3, 5]
 * grad((x: Tensor) => sum(cummax(x)))(tensor([1, 3, 2, 3])).toArray() // => [1, 2.5, 0, 0.5]
 * @category reduction
 */
export function cummax(x: Value, axis?: number | null, options?: ScanOptions): Tensor {
  return scanWith(cummaxP, x, axis, options, 'cummax')
}

/**
 * Running minima along `axis` (default: over the flattened values): −cummax(−x), exactly.
 *
 * Derivative: to the entries equal to the running minimum, split evenly among ties.
 * @example
 * cummin(tensor([3, 1, 2, 0])).toArray() // => [3, 1, 1, 0]
 * @category reduction
 */
export function cummin(x: Value, axis?: number | null, options?: ScanOptions): Tensor {
  return neg(scanWith(cummaxP, neg(x), axis, options, 'cummin'))
}

/**
 * Running log Σ exp along `axis` (default: over the flattened values):
 * yᵢ = log Σ_{k≤i} exp(xₖ), each step a stable log-add-exp, so ±1000 and ±∞ give exact,
 * finite-where-possible values (−∞ entries add nothing).
 *
 * Derivative: ∂yᵢ/∂xₖ = exp(xₖ − yᵢ), a running softmax, computed as a recurrence whose factors
 * are all ≤ 1. Where yᵢ = ±∞, its limit: even among the entries equal to yᵢ (as `logSumExp`);
 * NaN from a NaN on. Throws `InvalidArgumentError` for a bad axis.
 * @example
 * logcumsumexp(tensor([0, 0])).toArray() // ≈ [0, Math.LN2]
 * logcumsumexp(tensor([-Infinity, 1000, 1000])).toArray() // => [-Infinity, 1000, 1000 + Math.LN2]
 * @category reduction
 */
export function logcumsumexp(x: Value, axis?: number | null, options?: ScanOptions): Tensor {
  return scanWith(logcumsumexpP, x, axis, options, 'logcumsumexp')
}
