/**
 * Scan kernels: running sums, products, maxima and log-sum-exps along one axis, and the
 * first-order linear recurrence h_i = a_i·h_{i−1} + b_i. Each views the input as
 * `[outer, n, inner]` around the scanned axis and walks it from the first element (or, with
 * `reverse`, from the last), so a batch of scans runs the same sequence of operations as each
 * scan alone and the results agree bit for bit.
 * @module
 */

import type { Shape } from '../shape.ts'
import type { Floats } from '../tensor.ts'
import { uninitialized } from './alloc.ts'

/** Sizes before, along and after `axis`. */
function around(shape: Shape, axis: number): [number, number, number] {
  let outer = 1
  let inner = 1
  for (let ax = 0; ax < axis; ax++) outer *= shape[ax]!
  for (let ax = axis + 1; ax < shape.length; ax++) inner *= shape[ax]!
  return [outer, shape[axis]!, inner]
}

/** Where scan `o` starts, and the step from one element of it to the next. */
function start(o: number, n: number, inner: number, reverse: boolean): [number, number] {
  const base = o * n * inner
  return reverse ? [base + (n - 1) * inner, -inner] : [base, inner]
}

/** Running sum: out_i = out_{i−1} + x_i, out_0 = x_0 (in scan order). */
export function cumsumK(x: Floats, shape: Shape, axis: number, reverse: boolean) {
  const [outer, n, inner] = around(shape, axis)
  const out = uninitialized(x.length)
  if (x.length === 0) return out
  for (let o = 0; o < outer; o++) {
    const [first, step] = start(o, n, inner, reverse)
    for (let r = 0; r < inner; r++) out[first + r] = x[first + r]!
    for (let i = 1, at = first + step; i < n; i++, at += step) {
      for (let r = 0; r < inner; r++) out[at + r] = out[at - step + r]! + x[at + r]!
    }
  }
  return out
}

/** Running product: out_i = out_{i−1}·x_i (IEEE: 0·∞ is NaN, as in NumPy). */
export function cumprodK(x: Floats, shape: Shape, axis: number, reverse: boolean) {
  const [outer, n, inner] = around(shape, axis)
  const out = uninitialized(x.length)
  if (x.length === 0) return out
  for (let o = 0; o < outer; o++) {
    const [first, step] = start(o, n, inner, reverse)
    for (let r = 0; r < inner; r++) out[first + r] = x[first + r]!
    for (let i = 1, at = first + step; i < n; i++, at += step) {
      for (let r = 0; r < inner; r++) out[at + r] = out[at - step + r]! * x[at + r]!
    }
  }
  return out
}

/** Running maximum with `Math.max`, as the `max` reduction: NaN propagates, max(−0, 0) = 0. */
export function cummaxK(x: Floats, shape: Shape, axis: number, reverse: boolean) {
  const [outer, n, inner] = around(shape, axis)
  const out = uninitialized(x.length)
  if (x.length === 0) return out
  for (let o = 0; o < outer; o++) {
    const [first, step] = start(o, n, inner, reverse)
    for (let r = 0; r < inner; r++) out[first + r] = x[first + r]!
    for (let i = 1, at = first + step; i < n; i++, at += step) {
      for (let r = 0; r < inner; r++) out[at + r] = Math.max(out[at - step + r]!, x[at + r]!)
    }
  }
  return out
}

/**
 * log(eᵃ + eᵇ) without overflow: max + log1p(e^−|a−b|). An operand of −∞ leaves the other
 * (so −∞ with −∞ is −∞, not NaN), +∞ wins over anything but NaN, NaN propagates.
 */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b
  if (b === Number.NEGATIVE_INFINITY) return a
  const m = Math.max(a, b)
  if (m === Number.POSITIVE_INFINITY) return m
  return m + Math.log1p(Math.exp(-Math.abs(a - b)))
}

/** Running log-sum-exp: out_i = logAddExp(out_{i−1}, x_i). */
export function logcumsumexpK(x: Floats, shape: Shape, axis: number, reverse: boolean) {
  const [outer, n, inner] = around(shape, axis)
  const out = uninitialized(x.length)
  if (x.length === 0) return out
  for (let o = 0; o < outer; o++) {
    const [first, step] = start(o, n, inner, reverse)
    for (let r = 0; r < inner; r++) out[first + r] = x[first + r]!
    for (let i = 1, at = first + step; i < n; i++, at += step) {
      for (let r = 0; r < inner; r++) out[at + r] = logAddExp(out[at - step + r]!, x[at + r]!)
    }
  }
  return out
}

/**
 * The linear recurrence h_i = a_i·h_{i−1} + b_i from h_0 = b_0 (a_0 is not read), with a
 * zero-annihilating product: a 0 on either side gives 0, even against ±∞ or NaN. `a` and `b`
 * have the same shape. Reversed, h_i = a_i·h_{i+1} + b_i from the last element.
 */
export function linearRecurrenceK(
  a: Floats,
  b: Floats,
  shape: Shape,
  axis: number,
  reverse: boolean,
) {
  const [outer, n, inner] = around(shape, axis)
  const out = uninitialized(b.length)
  if (b.length === 0) return out
  for (let o = 0; o < outer; o++) {
    const [first, step] = start(o, n, inner, reverse)
    for (let r = 0; r < inner; r++) out[first + r] = b[first + r]!
    for (let i = 1, at = first + step; i < n; i++, at += step) {
      for (let r = 0; r < inner; r++) {
        const ai = a[at + r]!
        const h = out[at - step + r]!
        out[at + r] = (ai === 0 || h === 0 ? 0 : ai * h) + b[at + r]!
      }
    }
  }
  return out
}
