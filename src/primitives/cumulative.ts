/**
 * Running sums and products along an axis: the primitives `cumsum` (linear; its transpose is
 * the cumsum the other way) and `cumprod`. `cumprod`'s derivative never divides by x: with the
 * exclusive products E_i = Π_{k<i} x_k, its tangent is the recurrence T_i = x_i·T_{i−1} +
 * E_i·ẋ_i (./recurrence.ts), exact where entries are 0. Every scan runs from the first element,
 * or with `reverse` from the last (as `jax.lax.cumsum`).
 *
 * Laws: fd-agreement, vjp-jvp-adjoint (and transpose-involution for `cumsum`).
 * @module
 */
import { bind1 } from '../core/bind.ts'
import { define, type Primitive } from '../core/primitive.ts'
import type { Val } from '../core/tracer.ts'
import { tensor } from '../tensor/create.ts'
import { cumprodK, cumsumK } from '../tensor/kernels/scan.ts'
import { Tensor } from '../tensor/tensor.ts'
import { anyReal, specialTensor } from './domain.ts'
import { addV, asTensor, linear, safeMulV } from './families.ts'
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

type Value = number | Tensor

// ---- cumsum -----------------------------------------------------------------------------------

/** Primitive record of {@link cumsum}: running sums along the scan. */
export const cumsumP: Primitive<ScanParams> = linear<ScanParams>({
  name: 'cumsum',
  impl: (x, { axis, reverse }) => {
    const t = asTensor(x)
    return new Tensor(cumsumK(t.data, t.shape, axis, reverse), t.shape)
  },
  shape: (s, params) => scanShape(s, params, 'cumsum'),
  apply: (x, params) => bind1(cumsumP, x, params),
  batch: (x, params) => bind1(cumsumP, x, shifted(params)),
  // ⟨ȳ, cumsum(x)⟩ = Σ_{k≤i} ȳ_i x_k = ⟨cumsum of ȳ the other way, x⟩
  transpose: (yBar, { axis, reverse }) => bind1(cumsumP, yBar, { axis, reverse: !reverse }),
  domain: scanDomain(anyReal, () => [
    { args: [specialTensor([2, 6])], params: { axis: 1, reverse: false } },
    { args: [specialTensor([4, 3])], params: { axis: 0, reverse: true } },
  ]),
})

// ---- cumprod ----------------------------------------------------------------------------------

/** Primitive record of {@link cumprod}: running products along the scan. */
export const cumprodP: Primitive<ScanParams> = define<ScanParams>({
  name: 'cumprod',
  arity: 1,
  zeroDerivative: false,
  impl: ([x], { axis, reverse }) => {
    const t = asTensor(x!)
    return new Tensor(cumprodK(t.data, t.shape, axis, reverse), t.shape)
  },
  shape: ([s], params) => scanShape(s!, params, 'cumprod'),
  // T_i = x_i·T_{i−1} + E_i·ẋ_i with E the exclusive products (E_0 = 1): no division by x
  jvp: ([x], [xDot], y, params) =>
    xDot == null ? null : recur(x!, safeMulV(xDot, previous(y, params, 1)), params),
  vjp: (yBar, [x], y, params) => [
    safeMulV(previous(y, params, 1), recurTransposed(x!, yBar, params)),
  ],
  batch: ([x], _batched, params) => bind1(cumprodP, x!, shifted(params)),
  // y_i = x_i·y_{i−1} coefficientwise: y_k = recur(x₀, Σ_{j=1..k} x_j·y_{k−j, i−1}), where
  // y_{−1} is the constant 1 (coefficient 0 is 1, the others 0)
  taylor: ([x], params) => {
    const y: Val[] = [bind1(cumprodP, x![0]!, params)]
    for (let k = 1; k < x!.length; k++) {
      let drive: Val | null = null
      for (let j = 1; j <= k; j++) {
        const term = safeMulV(x![j]!, previous(y[k - j]!, params, k === j ? 1 : 0))
        drive = drive === null ? term : addV(drive, term)
      }
      y.push(recur(x![0]!, drive!, params))
    }
    return y
  },
  // Zeros, ±∞ and NaN. A line with two zeros ends (in scan order) with a NaN or a negative
  // entry: under the laws' log neighbour, two zeros are two −∞ factors, which put +∞ and −∞ in
  // one Jacobian column (see linearRecurrence's special points); log of the end makes it NaN.
  domain: scanDomain(anyReal, () => [
    {
      args: [
        tensor([
          [2, 0, 3, 0, -1],
          [0, -0, 2, Infinity, Number.NaN],
          [Number.NaN, 1, -Infinity, 0, 2],
        ]),
      ],
      params: { axis: 1, reverse: false },
    },
    { args: [tensor([[-3], [0], [2], [0]])], params: { axis: 0, reverse: true } },
    { args: [specialTensor([3, 2])], params: { axis: 0, reverse: true } },
  ]),
})

// ---- public functions -------------------------------------------------------------------------

/**
 * Running sums along `axis` (default: over the flattened values, as `numpy.cumsum`):
 * yᵢ = Σ_{k≤i} xₖ, or with `{ reverse: true }` yᵢ = Σ_{k≥i} xₖ (`jax.lax.cumsum`).
 *
 * Derivative: linear; the pullback is the running sum of ȳ in the other direction.
 * Throws `InvalidArgumentError` for an axis out of range or a non-boolean `reverse`.
 * @example
 * cumsum(tensor([1, 2, 3])).toArray() // => [1, 3, 6]
 * cumsum(tensor([[1, 2], [3, 4]]), 1, { reverse: true }).toArray() // => [[3, 2], [7, 4]]
 * grad((x: Tensor) => sum(cumsum(x)))(tensor([1, 1, 1])).toArray() // => [3, 2, 1]
 * @category reduction
 */
export function cumsum(x: Value, axis?: number | null, options?: ScanOptions): Tensor {
  return scanWith(cumsumP, x, axis, options, 'cumsum')
}

/**
 * Running products along `axis` (default: over the flattened values): yᵢ = Π_{k≤i} xₖ, or from
 * the end with `{ reverse: true }`. IEEE products, as NumPy: a 0 after an ∞ gives NaN.
 *
 * Derivative: ∂yᵢ/∂xⱼ = Π_{k≤i, k≠j} xₖ, computed without dividing by x (as exclusive products
 * and a linear recurrence), so it is exact where entries are 0: the derivative of
 * cumprod([2, 0, 3]) in x₁ is [0, 2, 6]. Throws `InvalidArgumentError` for a bad axis.
 * @example
 * cumprod(tensor([1, 2, 3, 4])).toArray() // => [1, 2, 6, 24]
 * grad((x: Tensor) => sum(cumprod(x)))(tensor([2, 0, 3])).toArray() // => [1, 8, 0]
 * @category reduction
 */
export function cumprod(x: Value, axis?: number | null, options?: ScanOptions): Tensor {
  return scanWith(cumprodP, x, axis, options, 'cumprod')
}
