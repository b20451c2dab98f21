/**
 * Stable argsort along the last axis: a bottom-up merge sort of positions, in plain loops.
 * NaN sorts after every number ascending and before every number descending (NumPy's
 * `argsort` puts NaN last; descending order is its mirror, so `topK` ranks NaN first, as
 * PyTorch's `topk` does). Equal values, −0 and +0 included, keep their order in both.
 * @module
 */

import type { Shape } from '../shape.ts'
import type { Floats } from '../tensor.ts'

/**
 * Whether x[a] goes strictly before x[b]: a < b ascending (NaN last), a > b descending (NaN
 * first). Never true for equal values, which is what makes the merge stable.
 */
const before = (x: Floats, a: number, b: number, descending: boolean): boolean => {
  const u = x[a]!
  const v = x[b]!
  if (descending) return u > v || (Number.isNaN(u) && !Number.isNaN(v))
  return u < v || (Number.isNaN(v) && !Number.isNaN(u))
}

/**
 * Sorts the positions `from[0 … n)` (offsets into x) into `from` or `to`; returns the buffer
 * that holds the result.
 */
const mergeSort = (
  x: Floats,
  from: Int32Array,
  to: Int32Array,
  n: number,
  descending: boolean,
): Int32Array => {
  let src = from
  let dst = to
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n)
      const hi = Math.min(lo + 2 * width, n)
      let i = lo
      let j = mid
      let k = lo
      // the right run's head goes first only if strictly before the left's: stable
      while (i < mid && j < hi) {
        if (before(x, src[j]!, src[i]!, descending)) dst[k++] = src[j++]!
        else dst[k++] = src[i++]!
      }
      while (i < mid) dst[k++] = src[i++]!
      while (j < hi) dst[k++] = src[j++]!
    }
    const t = src
    src = dst
    dst = t
  }
  return src
}

/** The stable sorting permutation of every row of the last axis, as float64 positions. */
export function argsortK(x: Floats, shape: Shape, descending: boolean): Float64Array {
  const n = shape.length === 0 ? 1 : shape[shape.length - 1]!
  const out = new Float64Array(x.length)
  if (n === 0) return out
  const a = new Int32Array(n)
  const b = new Int32Array(n)
  for (let row = 0; row < x.length; row += n) {
    for (let i = 0; i < n; i++) a[i] = row + i
    const sorted = mergeSort(x, a, b, n, descending)
    for (let i = 0; i < n; i++) out[row + i] = sorted[i]! - row
  }
  return out
}
