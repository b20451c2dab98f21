/**
 * Reductions over a set of axes. The caller passes sorted, distinct, valid axes; the output is
 * row-major over the kept axes (the input shape with the reduced axes removed).
 * @module
 */

import { Odometer, type Shape } from '../shape.ts'
import type { Floats } from '../tensor.ts'

/** Leaves of the pairwise summation tree; summed plainly (fast) before combining in pairs. */
const PAIRWISE_BLOCK = 128

/**
 * How to walk a reduction. Size-1 axes are dropped and neighbouring axes of the same kind
 * (kept or reduced) merged, so the common cases collapse to `[outer, reduced, inner]`.
 */
type Plan =
  | { readonly kind: 'blocks'; readonly outer: number; readonly r: number; readonly inner: number }
  | { readonly kind: 'strided'; readonly dims: number[]; readonly outStrides: number[] }

function planOf(shape: Shape, axes: readonly number[]): Plan {
  const dims: number[] = []
  const reduced: boolean[] = []
  for (let ax = 0, k = 0; ax < shape.length; ax++) {
    const isReduced = axes[k] === ax
    if (isReduced) k++
    const d = shape[ax]!
    if (d === 1) continue
    const last = dims.length - 1
    if (last >= 0 && reduced[last] === isReduced) dims[last] = dims[last]! * d
    else {
      dims.push(d)
      reduced.push(isReduced)
    }
  }
  let runs = 0
  for (const r of reduced) if (r) runs++
  if (runs <= 1) {
    const at = reduced.indexOf(true)
    let outer = 1
    let inner = 1
    for (let g = 0; g < dims.length; g++) {
      if (g < at || at < 0) outer *= dims[g]!
      else if (g > at) inner *= dims[g]!
    }
    return { kind: 'blocks', outer, r: at < 0 ? 1 : dims[at]!, inner }
  }
  // Several reduced runs: strides into the output, 0 along reduced runs.
  const outStrides = new Array<number>(dims.length).fill(0)
  for (let g = dims.length - 1, s = 1; g >= 0; g--) {
    if (reduced[g]) continue
    outStrides[g] = s
    s *= dims[g]!
  }
  return { kind: 'strided', dims, outStrides }
}

/** Sum of `x[start .. start+n)` by pairwise summation: error O(log n · ε) instead of O(n · ε). */
function pairwiseSum(x: Floats, start: number, n: number): number {
  if (n <= PAIRWISE_BLOCK) {
    let s = 0
    for (let i = start, end = start + n; i < end; i++) s += x[i]!
    return s
  }
  // Split on a block boundary so every leaf but the last is a full block.
  const half = Math.ceil(n / PAIRWISE_BLOCK / 2) * PAIRWISE_BLOCK
  return pairwiseSum(x, start, half) + pairwiseSum(x, start + half, n - half)
}

/** Output size: the product of the kept axes. */
function keptSize(shape: Shape, axes: readonly number[]): number {
  let n = 1
  for (let ax = 0, k = 0; ax < shape.length; ax++) {
    if (axes[k] === ax) k++
    else n *= shape[ax]!
  }
  return n
}

/**
 * Sum of `x` (of shape `shape`) over `axes`. Summing every element, or a contiguous last run of
 * axes, uses pairwise summation; other layouts add rows into the output in input order.
 */
export function sumK(x: Floats, shape: Shape, axes: readonly number[]): Float64Array {
  const out = new Float64Array(keptSize(shape, axes))
  if (x.length === 0 || out.length === 0) return out
  const plan = planOf(shape, axes)
  if (plan.kind === 'blocks') {
    const { outer, r, inner } = plan
    if (inner === 1) {
      for (let o = 0; o < outer; o++) out[o] = pairwiseSum(x, o * r, r)
      return out
    }
    // Add whole contiguous rows of length `inner`: the inner loop streams through memory.
    for (let o = 0, xi = 0; o < outer; o++) {
      const ob = o * inner
      for (let j = 0; j < r; j++) {
        for (let i = 0; i < inner; i++, xi++) out[ob + i] = out[ob + i]! + x[xi]!
      }
    }
    return out
  }
  const { dims, outStrides } = plan
  const last = dims.length - 1
  const n = dims[last]!
  const s = outStrides[last]!
  const cursor = new Odometer(dims, outStrides)
  for (let xi = 0; xi < x.length; xi += n) {
    const oi = cursor.offset
    for (let i = 0; i < n; i++) out[oi + i * s] = out[oi + i * s]! + x[xi + i]!
    cursor.next()
  }
  return out
}

/**
 * Maximum of `x` (of shape `shape`) over `axes`. NaN propagates (like `Math.max`); an empty
 * reduction gives -Infinity, the identity of max.
 */
export function maxK(x: Floats, shape: Shape, axes: readonly number[]): Float64Array {
  const out = new Float64Array(keptSize(shape, axes)).fill(Number.NEGATIVE_INFINITY)
  if (x.length === 0 || out.length === 0) return out
  const plan = planOf(shape, axes)
  if (plan.kind === 'blocks') {
    const { outer, r, inner } = plan
    if (inner === 1) {
      for (let o = 0, xi = 0; o < outer; o++) {
        let m = Number.NEGATIVE_INFINITY
        for (let j = 0; j < r; j++, xi++) m = Math.max(m, x[xi]!)
        out[o] = m
      }
      return out
    }
    for (let o = 0, xi = 0; o < outer; o++) {
      const ob = o * inner
      for (let j = 0; j < r; j++) {
        for (let i = 0; i < inner; i++, xi++) out[ob + i] = Math.max(out[ob + i]!, x[xi]!)
      }
    }
    return out
  }
  const { dims, outStrides } = plan
  const last = dims.length - 1
  const n = dims[last]!
  const s = outStrides[last]!
  const cursor = new Odometer(dims, outStrides)
  for (let xi = 0; xi < x.length; xi += n) {
    const oi = cursor.offset
    for (let i = 0; i < n; i++) out[oi + i * s] = Math.max(out[oi + i * s]!, x[xi + i]!)
    cursor.next()
  }
  return out
}
