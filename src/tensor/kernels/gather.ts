/**
 * Gather and scatter kernels along one axis, with leading batch axes shared by the operand and
 * the indices (TensorFlow's `batch_dims`): for x of shape [B…, P…, n, Q…] and indices of shape
 * [B…, I…], `takeK` reads out[b, p, i, q] = x[b, p, idx[b, i], q]; the scatters write the other
 * way. Index tensors are float64 holding integers, validated here, so the check runs on every
 * eager call, every `jit` replay and inside `vmap` alike.
 * @module
 */

import { IndexError } from '../../core/errors.ts'
import { type Shape, sizeOf } from '../shape.ts'
import type { Floats } from '../tensor.ts'
import { uninitialized } from './alloc.ts'

/** Where a gather or scatter reads and writes: the operand's axis and the shared batch axes. */
export interface IndexLayout {
  /** The gathered axis of the operand. */
  readonly axis: number
  /** How many leading axes the operand and the indices share (≤ axis). */
  readonly batchDims: number
}

/** The position of flat element `k` of an array of `shape`, as text: `[1, 0]`. */
const positionOf = (k: number, shape: Shape): string => {
  const at = new Array<number>(shape.length)
  let rest = k
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    const d = shape[ax]!
    at[ax] = rest % d
    rest = Math.floor(rest / d)
  }
  return `[${at.join(', ')}]`
}

/**
 * The indices as non-negative integers below `n`: a negative index counts once from the end
 * when `wrap` is set. Throws `IndexError` naming `op`, the bad value, its position and `n`.
 */
export function normalizeIndices(
  idx: Floats,
  idxShape: Shape,
  n: number,
  wrap: boolean,
  op: string,
  axis: number,
): Int32Array {
  const out = new Int32Array(idx.length)
  const lo = wrap ? -n : 0
  for (let k = 0; k < idx.length; k++) {
    const v = idx[k]!
    // v | 0 equals v exactly for the integers in int32 range (axis sizes are below 2³¹)
    const i = v | 0
    if (i === v && i >= lo && i < n) {
      out[k] = i < 0 ? i + n : i
      continue
    }
    const what = Number.isInteger(v)
      ? `is out of range for axis ${axis} of size ${n}`
      : Number.isFinite(v)
        ? 'is not an integer'
        : 'is not finite'
    const valid =
      n === 0 ? 'an axis of size 0 has no index' : `indices are integers in [${lo}, ${n - 1}]`
    throw new IndexError(`index ${v} at position ${positionOf(k, idxShape)} ${what}`, {
      primitive: op,
      hint: wrap
        ? `${valid} (negative ones count once from the end)`
        : `${valid}; negative ones are not allowed here`,
    })
  }
  return out
}

/** Sizes of the layout's blocks: batch B, between batch and axis P, axis n, after Q, index I. */
const blocks = (xShape: Shape, idxShape: Shape, { axis, batchDims }: IndexLayout) => ({
  B: sizeOf(xShape.slice(0, batchDims)),
  P: sizeOf(xShape.slice(batchDims, axis)),
  n: xShape[axis]!,
  Q: sizeOf(xShape.slice(axis + 1)),
  I: sizeOf(idxShape.slice(batchDims)),
})

/** The gather's output shape: [B…, P…, I…, Q…]. */
export function takeShape(xShape: Shape, idxShape: Shape, { axis, batchDims }: IndexLayout): Shape {
  return [...xShape.slice(0, axis), ...idxShape.slice(batchDims), ...xShape.slice(axis + 1)]
}

/** out[b, p, i, q] = x[b, p, idx[b, i], q], with `idx` already normalized. */
export function takeK(
  x: Floats,
  xShape: Shape,
  idx: Int32Array,
  idxShape: Shape,
  layout: IndexLayout,
): Float64Array {
  const { B, P, n, Q, I } = blocks(xShape, idxShape, layout)
  const out = uninitialized(B * P * I * Q)
  if (Q === 1) {
    // a gather of single elements (the last axis, or a vector): no inner copy loop
    for (let b = 0; b < B; b++) {
      for (let p = 0, row = b * P; p < P; p++, row++) {
        const src = row * n
        const dst = row * I
        const at = b * I
        for (let j = 0; j < I; j++) out[dst + j] = x[src + idx[at + j]!]!
      }
    }
    return out
  }
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < P; p++) {
      const row = b * P + p
      for (let j = 0; j < I; j++) {
        const src = (row * n + idx[b * I + j]!) * Q
        const dst = (row * I + j) * Q
        for (let q = 0; q < Q; q++) out[dst + q] = x[src + q]!
      }
    }
  }
  return out
}

/** A copy of `x` with each update added at its index (duplicates accumulate, in order). */
export function scatterAddK(
  x: Floats,
  xShape: Shape,
  idx: Int32Array,
  idxShape: Shape,
  updates: Floats,
  layout: IndexLayout,
): Float64Array {
  const { B, P, n, Q, I } = blocks(xShape, idxShape, layout)
  const out = Float64Array.from(x)
  if (Q === 1) {
    for (let b = 0; b < B; b++) {
      for (let p = 0, row = b * P; p < P; p++, row++) {
        const dst = row * n
        const src = row * I
        const at = b * I
        for (let j = 0; j < I; j++) {
          const k = dst + idx[at + j]!
          out[k] = out[k]! + updates[src + j]!
        }
      }
    }
    return out
  }
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < P; p++) {
      const row = b * P + p
      for (let j = 0; j < I; j++) {
        const dst = (row * n + idx[b * I + j]!) * Q
        const src = (row * I + j) * Q
        for (let q = 0; q < Q; q++) out[dst + q] = out[dst + q]! + updates[src + q]!
      }
    }
  }
  return out
}

/** A copy of `x` with each entry the maximum of itself and the updates at its index (NaN wins). */
export function scatterMaxK(
  x: Floats,
  xShape: Shape,
  idx: Int32Array,
  idxShape: Shape,
  updates: Floats,
  layout: IndexLayout,
): Float64Array {
  const { B, P, n, Q, I } = blocks(xShape, idxShape, layout)
  const out = Float64Array.from(x)
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < P; p++) {
      const row = b * P + p
      for (let j = 0; j < I; j++) {
        const dst = (row * n + idx[b * I + j]!) * Q
        const src = (row * I + j) * Q
        // Math.max: NaN if either is NaN, and +0 above −0, as `maximum` and `max` have it
        for (let q = 0; q < Q; q++) out[dst + q] = Math.max(out[dst + q]!, updates[src + q]!)
      }
    }
  }
  return out
}
