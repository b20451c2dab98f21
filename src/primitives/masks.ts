/**
 * Ops that select by a constant mask: `tril` and `triu` (a `where` against a triangular mask,
 * batched over leading axes) and `oneHot` (a comparison with the class positions, or for traced
 * indices a gather of identity rows, whose kernel checks every index).
 *
 * Laws: fd-agreement and vjp-jvp-adjoint for `tril` and `triu` (through `where`).
 * @module
 */

import { IndexError, ShapeError } from '../core/errors.ts'
import { shapeOf } from '../core/tracer.ts'
import { arange } from '../tensor/create.ts'
import { show } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { equal, stopGradient, where } from './comparison.ts'
import { takeV } from './gather.ts'
import { identity } from './linalg/helpers.ts'
import { checkValue, integers } from './shape-extra.ts'
import { expandDims } from './structural.ts'

type Value = number | Tensor

/** The n × m mask of entries (i, j) with j − i ≤ k (`below`) or j − i ≥ k. */
const triangle = (n: number, m: number, k: number, below: boolean): Tensor => {
  const data = new Float64Array(n * m)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) data[i * m + j] = +(below ? j - i <= k : j - i >= k)
  }
  return new Tensor(data, [n, m])
}

const triangular = (x: Value, k: number, below: boolean, op: string): Tensor => {
  checkValue(x, op)
  const s = shapeOf(x)
  if (s.length < 2) {
    throw new ShapeError(`${op} needs a matrix or a batch of them, got rank ${s.length}`, {
      primitive: op,
      shapes: [s],
      hint: 'the last two axes are the rows and columns',
    })
  }
  const [offset] = integers(k, 'the diagonal offset k', op)
  const mask = triangle(s[s.length - 2]!, s[s.length - 1]!, offset!, below)
  return where(mask, x, 0) as Tensor
}

/**
 * The lower triangle of each matrix in `x` (its last two axes): entries (i, j) with j − i ≤ k
 * kept, the others 0 (`numpy.tril`; k > 0 keeps diagonals above the main one, k < 0 drops some
 * below).
 *
 * Derivative: linear; the pullback is the lower triangle of the cotangent. A non-finite entry
 * outside the triangle becomes 0 and gets a zero derivative (no NaN). Throws `ShapeError` for
 * rank < 2, `InvalidArgumentError` for a non-integer k.
 * @example
 * tril(tensor([[1, 2], [3, 4]])).toArray() // => [[1, 0], [3, 4]]
 * @category shape
 */
export function tril(x: Value, k = 0): Tensor {
  return triangular(x, k, true, 'tril')
}

/**
 * The upper triangle of each matrix in `x` (its last two axes): entries (i, j) with j − i ≥ k
 * kept, the others 0 (`numpy.triu`).
 *
 * Derivative: linear; the pullback is the upper triangle of the cotangent. Throws as
 * {@link tril}.
 * @example
 * triu(tensor([[1, 2], [3, 4]]), 1).toArray() // => [[0, 2], [0, 0]]
 * @category shape
 */
export function triu(x: Value, k = 0): Tensor {
  return triangular(x, k, false, 'triu')
}

/**
 * One-hot rows: for integer class indices of any shape, a tensor of shape
 * `[...indices.shape, classes]` with 1 at each index's class and 0 elsewhere
 * (`jax.nn.one_hot`).
 *
 * Indices are float64 numbers holding integers. A non-integer or one outside [0, classes)
 * throws `IndexError` naming it: concrete indices are checked here, traced ones (under `jit` or
 * `vmap`) are rows gathered from the identity, so the gather's kernel checks them on every call
 * (JAX gives such an index a row of zeros: a silently wrong label).
 *
 * Derivative: zero. Throws `InvalidArgumentError` for `classes` not an integer ≥ 0.
 * @example
 * oneHot(tensor([2, 0]), 3).toArray() // => [[0, 0, 1], [1, 0, 0]]
 * @category shape
 */
export function oneHot(indices: Value, classes: number): Tensor {
  checkValue(indices, 'oneHot')
  const [c] = integers(classes, 'classes', 'oneHot', 0)
  const concrete = typeof indices === 'number' || indices instanceof Tensor
  if (concrete) {
    const data = typeof indices === 'number' ? [indices] : indices.data
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!
      if (!Number.isInteger(v) || v < 0 || v >= c!) {
        throw new IndexError(`index ${show(v)} at position ${i} is not a class in [0, ${c! - 1}]`, {
          primitive: 'oneHot',
          shapes: [shapeOf(indices)],
          hint: `indices are whole numbers from 0 to classes − 1 = ${c! - 1}`,
        })
      }
    }
  }
  return concrete
    ? (equal(expandDims(indices, -1), arange(c!)) as Tensor)
    : (takeV(identity(c!), stopGradient(indices), {
        axis: 0,
        batchDims: 0,
        wrap: false,
        op: 'oneHot',
      }) as Tensor)
}
