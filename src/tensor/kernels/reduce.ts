/**
 * Reductions over a set of axes. The caller passes sorted, distinct, valid axes; the output is
 * row-major over the kept axes (the input shape with the reduced axes removed).
 * @module
 */

import { Odometer, type Shape } from '../shape.ts'
import type { Floats } from '../tensor.ts'
import { PAIRWISE_BLOCK, pairwiseTree, runSums } from './pairwise.ts'
import { reduceWasm } from './wasm/reduce-wasm.ts'

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

let scratch = new Float64Array(0)

/** A scratch array of at least `n` doubles (reused: the kernels never nest). */
function leafScratch(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length))
  return scratch
}

/**
 * Pairwise sums of `outer` rows of `r` elements (row o at `o·r`) into `out`. Leaves of
 * different rows, or of one row, are summed four at a time (`runSums`), then each row's tree.
 */
function rowSums(x: Floats, outer: number, r: number, out: Float64Array): void {
  if (r <= PAIRWISE_BLOCK) {
    runSums(x, 0, r, r, outer, out, 0, 1)
    return
  }
  const full = Math.floor(r / PAIRWISE_BLOCK)
  const rem = r - full * PAIRWISE_BLOCK
  const leaves = full + (rem > 0 ? 1 : 0)
  const s = leafScratch(outer * leaves)
  // leaf k of row o goes to s[o·leaves + k]; interleave along whichever there are more of
  if (outer >= full) {
    for (let k = 0; k < full; k++) {
      runSums(x, k * PAIRWISE_BLOCK, r, PAIRWISE_BLOCK, outer, s, k, leaves)
    }
  } else {
    for (let o = 0; o < outer; o++) {
      runSums(x, o * r, PAIRWISE_BLOCK, PAIRWISE_BLOCK, full, s, o * leaves, 1)
    }
  }
  if (rem > 0) runSums(x, full * PAIRWISE_BLOCK, r, rem, outer, s, full, leaves)
  for (let o = 0; o < outer; o++) out[o] = pairwiseTree(s, o * leaves, 1, leaves)
}

/**
 * `out[o, i] = Σ_j x[o, j, i]`, j in order from +0: whole rows of `inner` added at a time, four
 * columns a step (each column still adds its rows in order).
 */
function columnSums(x: Floats, outer: number, r: number, inner: number, out: Float64Array): void {
  for (let o = 0, xi = 0; o < outer; o++) {
    const ob = o * inner
    const end4 = ob + inner - 3
    const end = ob + inner
    for (let j = 0; j < r; j++) {
      let p = ob
      for (; p < end4; p += 4, xi += 4) {
        out[p] = out[p]! + x[xi]!
        out[p + 1] = out[p + 1]! + x[xi + 1]!
        out[p + 2] = out[p + 2]! + x[xi + 2]!
        out[p + 3] = out[p + 3]! + x[xi + 3]!
      }
      for (; p < end; p++, xi++) out[p] = out[p]! + x[xi]!
    }
  }
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

/** `out[o] = max_j x[o, j]`: max is order-free (NaN wins, +0 > −0), so four running maxima. */
function rowMaxima(x: Floats, outer: number, r: number, out: Float64Array): void {
  for (let o = 0; o < outer; o++) {
    let m0 = Number.NEGATIVE_INFINITY
    let m1 = m0
    let m2 = m0
    let m3 = m0
    let xi = o * r
    for (const end4 = xi + r - 3; xi < end4; xi += 4) {
      m0 = Math.max(m0, x[xi]!)
      m1 = Math.max(m1, x[xi + 1]!)
      m2 = Math.max(m2, x[xi + 2]!)
      m3 = Math.max(m3, x[xi + 3]!)
    }
    for (const end = o * r + r; xi < end; xi++) m0 = Math.max(m0, x[xi]!)
    out[o] = Math.max(Math.max(m0, m1), Math.max(m2, m3))
  }
}

/** `out[o, i] = max_j x[o, j, i]` from −∞ (`out`'s fill), whole rows four columns a step. */
function columnMaxima(x: Floats, outer: number, r: number, inner: number, out: Float64Array): void {
  for (let o = 0, xi = 0; o < outer; o++) {
    const ob = o * inner
    const end4 = ob + inner - 3
    const end = ob + inner
    for (let j = 0; j < r; j++) {
      let p = ob
      for (; p < end4; p += 4, xi += 4) {
        out[p] = Math.max(out[p]!, x[xi]!)
        out[p + 1] = Math.max(out[p + 1]!, x[xi + 1]!)
        out[p + 2] = Math.max(out[p + 2]!, x[xi + 2]!)
        out[p + 3] = Math.max(out[p + 3]!, x[xi + 3]!)
      }
      for (; p < end; p++, xi++) out[p] = Math.max(out[p]!, x[xi]!)
    }
  }
}

/**
 * Sum of `x` (of shape `shape`) over `axes`. Summing every element, or a contiguous last run of
 * axes, uses pairwise summation; other layouts add rows into the output in input order. One
 * reduced run of at least `WASM_MIN_REDUCE` elements runs in WebAssembly, with the same bits.
 */
export function sumK(x: Floats, shape: Shape, axes: readonly number[]): Float64Array {
  const out = new Float64Array(keptSize(shape, axes))
  if (x.length === 0 || out.length === 0) return out
  const plan = planOf(shape, axes)
  if (plan.kind === 'blocks') {
    const { outer, r, inner } = plan
    const wasm = reduceWasm(x.length)
    if (inner === 1) {
      if (!wasm?.rowSums(x, outer, r, out)) rowSums(x, outer, r, out)
    } else if (!wasm?.columns(x, outer, r, inner, out, false)) {
      columnSums(x, outer, r, inner, out)
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
    const wasm = reduceWasm(x.length)
    if (inner === 1) {
      if (!wasm?.maxRows(x, outer, r, out)) rowMaxima(x, outer, r, out)
    } else if (!wasm?.columns(x, outer, r, inner, out, true)) {
      columnMaxima(x, outer, r, inner, out)
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
