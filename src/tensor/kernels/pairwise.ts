/**
 * The pairwise summation tree shared by the JavaScript and WebAssembly sums (reduce.ts,
 * wasm/reduce-wasm.ts): its leaves, and the tree over their sums. Both backends build the same
 * tree from the same leaves, so they give the same bits.
 * @module
 */
import type { Floats } from '../tensor.ts'

/** Leaves of the pairwise summation tree; summed plainly (fast) before combining in pairs. */
export const PAIRWISE_BLOCK = 128

/**
 * Sums of `count` runs of `len` elements, run k starting at `start + k·step`, each added left
 * to right from +0 (a pairwise tree's leaves), into `out[at + k·outStep]`. Four runs go at
 * once in separate accumulators: every run's own additions keep their order, so the bits are
 * those of summing one run after another, but the adder no longer waits on its last result
 * (a plain sum is bound by the add latency: 82 µs for 10⁵ doubles, 22 µs four at a time).
 */
export function runSums(
  x: Floats,
  start: number,
  step: number,
  len: number,
  count: number,
  out: Float64Array,
  at: number,
  outStep: number,
): void {
  if (x instanceof Float32Array) runSums32(x, start, step, len, count, out, at, outStep)
  else runSums64(x, start, step, len, count, out, at, outStep)
}

/**
 * `runSums` over float64 data. It and `runSums32` are one loop written twice on purpose: a loop
 * that has seen both array types reads elements through a polymorphic load, which measured
 * 1.15–1.2× faster than a sequential sum instead of 3.5× (bench/NOTES.md §21).
 */
function runSums64(
  x: Float64Array,
  start: number,
  step: number,
  len: number,
  count: number,
  out: Float64Array,
  at: number,
  outStep: number,
): void {
  let k = 0
  for (; k + 4 <= count; k += 4) {
    let s0 = 0
    let s1 = 0
    let s2 = 0
    let s3 = 0
    const a = start + k * step
    for (let i = a, end = a + len; i < end; i++) {
      s0 += x[i]!
      s1 += x[i + step]!
      s2 += x[i + 2 * step]!
      s3 += x[i + 3 * step]!
    }
    const o = at + k * outStep
    out[o] = s0
    out[o + outStep] = s1
    out[o + 2 * outStep] = s2
    out[o + 3 * outStep] = s3
  }
  for (; k < count; k++) {
    let s = 0
    for (let i = start + k * step, end = i + len; i < end; i++) s += x[i]!
    out[at + k * outStep] = s
  }
}

/** `runSums` over float32 data (see `runSums64`). */
function runSums32(
  x: Float32Array,
  start: number,
  step: number,
  len: number,
  count: number,
  out: Float64Array,
  at: number,
  outStep: number,
): void {
  let k = 0
  for (; k + 4 <= count; k += 4) {
    let s0 = 0
    let s1 = 0
    let s2 = 0
    let s3 = 0
    const a = start + k * step
    for (let i = a, end = a + len; i < end; i++) {
      s0 += x[i]!
      s1 += x[i + step]!
      s2 += x[i + 2 * step]!
      s3 += x[i + 3 * step]!
    }
    const o = at + k * outStep
    out[o] = s0
    out[o + outStep] = s1
    out[o + 2 * outStep] = s2
    out[o + 3 * outStep] = s3
  }
  for (; k < count; k++) {
    let s = 0
    for (let i = start + k * step, end = i + len; i < end; i++) s += x[i]!
    out[at + k * outStep] = s
  }
}

/**
 * The pairwise tree over `count` leaf sums `s[lo + t·stride]`: the first ⌈count/2⌉ leaves,
 * then the rest, added. Over the leaves of n elements (full blocks of `PAIRWISE_BLOCK`, the
 * last one partial) this is the tree that splits n at ⌈n/2 blocks⌉ blocks: error O(log n · ε)
 * instead of O(n · ε).
 */
export function pairwiseTree(s: Float64Array, lo: number, stride: number, count: number): number {
  if (count === 1) return s[lo]!
  if (count === 2) return s[lo]! + s[lo + stride]!
  const left = Math.ceil(count / 2)
  return (
    pairwiseTree(s, lo, stride, left) + pairwiseTree(s, lo + left * stride, stride, count - left)
  )
}
