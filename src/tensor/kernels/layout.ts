/**
 * Structural kernels: transpose, broadcast, strided slice, interior/edge padding, concatenation.
 * They only move values. Slice and pad are each other's transpose (⟨slice(x), y⟩ = ⟨x, pad(y)⟩),
 * as are transpose and the inverse permutation, and broadcast and sum.
 * @module
 */

import { broadcastStridesOf, coalesceStrides, Odometer, type Shape, stridesOf } from '../shape.ts'
import type { Floats } from '../tensor.ts'
import { uninitialized, uninitialized32, uninitializedLike } from './alloc.ts'

/** Tile edge of the blocked 2-D transpose: 32×32 doubles (8 KiB) per tile stay in L1. */
const TILE = 32

/**
 * Reads `x` at `base + Σ iₐ·stridesₐ` for every index of `dims` in row-major order into a fresh
 * array: the common core of transpose, broadcast and slice.
 */
function gather(
  x: Floats,
  base: number,
  dims: readonly number[],
  strides: readonly number[],
): Floats {
  let size = 1
  for (const d of dims) size *= d
  // the input's storage type: layout moves values, it never rounds them
  const out = uninitializedLike(x, size)
  if (size === 0) return out
  const c = coalesceStrides(dims, strides)
  const last = c.dims.length - 1
  const n = c.dims[last]!
  const s = c.strides[last]!
  if (last === 1 && s !== 1 && c.strides[0] === 1) {
    transpose2d(x, base, s, out, c.dims[0]!, n)
    return out
  }
  const cursor = new Odometer(c.dims, c.strides, base)
  for (let o = 0; o < size; o += n) {
    const xi = cursor.offset
    if (s === 1) for (let i = 0; i < n; i++) out[o + i] = x[xi + i]!
    else for (let i = 0; i < n; i++) out[o + i] = x[xi + i * s]!
    cursor.next()
  }
  return out
}

/**
 * out[i, j] = x[base + i + j·colStride] for an output of `rows × cols`, tile by tile so that
 * both the reads and the writes stay in cache.
 */
function transpose2d(
  x: Floats,
  base: number,
  colStride: number,
  out: Floats,
  rows: number,
  cols: number,
): void {
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(i0 + TILE, rows)
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(j0 + TILE, cols)
      for (let i = i0; i < i1; i++) {
        for (let j = j0, o = i * cols + j0; j < j1; j++, o++) out[o] = x[base + i + j * colStride]!
      }
    }
  }
}

/**
 * Permutes the axes of `x`: output axis i is input axis `perm[i]`, so the output shape is
 * `perm.map((p) => shape[p])`. `perm` must be a permutation of 0..rank−1.
 */
export function transposeK(x: Floats, shape: Shape, perm: readonly number[]): Floats {
  const inStrides = stridesOf(shape)
  const dims = perm.map((p) => shape[p]!)
  const strides = perm.map((p) => inStrides[p]!)
  return gather(x, 0, dims, strides)
}

/** Repeats `x` along the axes where `shape` has size 1 or is missing. Requires broadcastsTo. */
export function broadcastToK(x: Floats, shape: Shape, target: Shape): Floats {
  let size = 1
  for (const d of target) size *= d
  if (x.length === size) return x.slice()
  if (x.length === 1) return uninitializedLike(x, size).fill(x[0]!)
  return gather(x, 0, target, broadcastStridesOf(shape, target))
}

/**
 * The strided slice `x[start:end:step]` on every axis. Requires steps ≥ 1 and
 * 0 ≤ start ≤ end ≤ size per axis (the caller clamps); axis i has ⌈(end − start)/step⌉ elements.
 */
export function sliceK(
  x: Floats,
  shape: Shape,
  starts: readonly number[],
  ends: readonly number[],
  steps: readonly number[],
): Floats {
  const inStrides = stridesOf(shape)
  const dims = new Array<number>(shape.length)
  const strides = new Array<number>(shape.length)
  let base = 0
  for (let ax = 0; ax < shape.length; ax++) {
    const start = starts[ax]!
    const step = steps[ax]!
    dims[ax] = Math.max(0, Math.ceil((ends[ax]! - start) / step))
    strides[ax] = inStrides[ax]! * step
    base += start * inStrides[ax]!
  }
  return gather(x, base, dims, strides)
}

/**
 * Pads `x` with `value`: `lo[i]` before and `hi[i]` after axis i, and `interior[i]` ≥ 0 copies
 * between neighbouring elements, so axis i grows to lo + hi + n + max(n − 1, 0)·interior. A
 * negative `lo` or `hi` removes that many elements from that end of the interior-padded axis
 * (as XLA's pad; the caller checks that no axis becomes negative). With value 0 and widths
 * ≥ 0 this is the transpose of `sliceK` with step interior + 1.
 */
export function padK(
  x: Floats,
  shape: Shape,
  lo: readonly number[],
  hi: readonly number[],
  interior: readonly number[],
  value: number,
): Floats {
  if (lo.some((w) => w < 0) || hi.some((w) => w < 0)) {
    // padded by the positive widths, then cropped by the negative ones
    const loPos = lo.map((w) => Math.max(w, 0))
    const hiPos = hi.map((w) => Math.max(w, 0))
    const padded = padK(x, shape, loPos, hiPos, interior, value)
    const paddedShape = shape.map(
      (n, i) => loPos[i]! + hiPos[i]! + n + Math.max(n - 1, 0) * interior[i]!,
    )
    const starts = lo.map((w) => Math.max(-w, 0))
    const ends = paddedShape.map((n, i) => n - Math.max(-hi[i]!, 0))
    return sliceK(
      padded,
      paddedShape,
      starts,
      ends,
      starts.map(() => 1),
    )
  }
  const rank = shape.length
  const outShape = new Array<number>(rank)
  for (let ax = 0; ax < rank; ax++) {
    const n = shape[ax]!
    outShape[ax] = lo[ax]! + hi[ax]! + n + Math.max(n - 1, 0) * interior[ax]!
  }
  const outStrides = stridesOf(outShape)
  let size = 1
  for (const d of outShape) size *= d
  const out = x instanceof Float32Array ? new Float32Array(size) : new Float64Array(size)
  // fresh arrays hold +0; any other value, −0 included, is written
  if (!Object.is(value, 0)) out.fill(value)
  if (x.length === 0) return out
  // Scatter: input element (i₀, i₁, …) lands at Σ (lo + i·(interior + 1))·outStride.
  const strides = new Array<number>(rank)
  let base = 0
  for (let ax = 0; ax < rank; ax++) {
    strides[ax] = outStrides[ax]! * (interior[ax]! + 1)
    base += lo[ax]! * outStrides[ax]!
  }
  const c = coalesceStrides(shape, strides)
  const last = c.dims.length - 1
  const n = c.dims[last]!
  const s = c.strides[last]!
  const cursor = new Odometer(c.dims, c.strides, base)
  for (let xi = 0; xi < x.length; xi += n) {
    const oi = cursor.offset
    // a contiguous run (no interior padding on the last axis) is one block copy
    if (s === 1) out.set(x.subarray(xi, xi + n), oi)
    else for (let i = 0; i < n; i++) out[oi + i * s] = x[xi + i]!
    cursor.next()
  }
  return out
}

/** Rows per block of a stack on the last axis (`concatK`): 512 rows of 30 values are 120 KB. */
const STACK_BLOCK = 512

/**
 * Joins `parts` along `axis`. The shapes must agree on every other axis (the caller checks);
 * the output's axis size is the sum of the parts'.
 */

export function concatK(parts: readonly Floats[], shapes: readonly Shape[], axis: number): Floats {
  const first = shapes[0]
  if (first === undefined) return new Float64Array(0)
  // Each part is `outer` chunks of `shape[axis] · inner` values, interleaved in the output.
  let outer = 1
  for (let ax = 0; ax < axis; ax++) outer *= first[ax]!
  let total = 0
  for (const p of parts) total += p.length
  // float32 when every part is: a float64 part promotes the result
  const float32 = parts.every((p) => p instanceof Float32Array)
  const out = float32 ? uninitialized32(total) : uninitialized(total)
  if (outer === 0) return out
  const row = total / outer
  if (row === 0) return out
  if (outer === 1) {
    // axis 0 (or everything before it of size 1): the parts one after another
    let o = 0
    for (const p of parts) {
      out.set(p, o)
      o += p.length
    }
    return out
  }
  // Row by row, each part's chunk of that row in turn: the output is written in order and each
  // part read in order. Chunk sizes are taken once (a division per part per row cost more than
  // a copy of one value), and parts of one value per row (stack on the last axis) get a loop
  // without the inner one.
  const chunks = new Int32Array(parts.length)
  let ones = true
  for (let k = 0; k < parts.length; k++) {
    chunks[k] = parts[k]!.length / outer
    if (chunks[k] !== 1) ones = false
  }
  if (ones) {
    // a transpose of the parts: four at a time, each held in a local (no array load per value),
    // by blocks of rows whose output stays in cache while every part writes into it (one pass
    // over the whole output per four parts cost 3× more with 30 parts of 10⁵ values)
    for (let r0 = 0; r0 < outer; r0 += STACK_BLOCK) {
      const r1 = Math.min(outer, r0 + STACK_BLOCK)
      let k = 0
      for (; k + 4 <= parts.length; k += 4) {
        const p0 = parts[k]!
        const p1 = parts[k + 1]!
        const p2 = parts[k + 2]!
        const p3 = parts[k + 3]!
        for (let r = r0, o = r0 * row + k; r < r1; r++, o += row) {
          out[o] = p0[r]!
          out[o + 1] = p1[r]!
          out[o + 2] = p2[r]!
          out[o + 3] = p3[r]!
        }
      }
      for (; k < parts.length; k++) {
        const p = parts[k]!
        for (let r = r0, o = r0 * row + k; r < r1; r++, o += row) out[o] = p[r]!
      }
    }
    return out
  }
  let o = 0
  for (let r = 0; r < outer; r++) {
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!
      const chunk = chunks[k]!
      const pi = r * chunk
      if (chunk >= 64) {
        // a copy as fast as axis 0's, for the cost of one view object
        out.set(p.subarray(pi, pi + chunk), o)
        o += chunk
      } else {
        for (let i = 0; i < chunk; i++, o++) out[o] = p[pi + i]!
      }
    }
  }
  return out
}
