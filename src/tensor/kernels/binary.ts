/**
 * Broadcasting elementwise kernels of two operands (and `whereK` of three). Every op shares one
 * driver that walks the output row by row; the op itself is a small row function with its own
 * plain loop, so the per-element work is never an indirect call.
 * @module
 */

import { broadcastStridesOf, type Shape, sizeOf } from '../shape.ts'
import type { Floats } from '../tensor.ts'
import { uninitialized, uninitialized32 } from './alloc.ts'

/**
 * The common type of every binary kernel. `outShape` is the broadcast shape of `aShape` and
 * `bShape`, already validated by the caller.
 */
export type BinaryKernel = (
  a: Floats,
  aShape: Shape,
  b: Floats,
  bShape: Shape,
  outShape: Shape,
  /** Write a Float32Array (each value rounded once, by the store); else a Float64Array. */
  float32?: boolean,
) => Floats

/**
 * Fills `out[o .. o+n)` from `a` read at `ai, ai+sa, …` and `b` at `bi, bi+sb, …`. A stride of 0
 * repeats one element, which is how broadcasting reaches the inner loop. The hot arithmetic rows
 * spell out the contiguous and scalar-operand cases: indexed without running strides, they run
 * about twice as fast.
 */
export type Row = (
  out: Floats,
  o: number,
  a: Floats,
  ai: number,
  sa: number,
  b: Floats,
  bi: number,
  sb: number,
  n: number,
) => void

/**
 * Drops size-1 axes of the output and merges neighbouring axes that every operand walks
 * contiguously, so typical broadcasts (`[n, m] + [m]`, `[n, 1] + [n, 1]`) become one or two
 * long rows instead of many short ones.
 */
function coalesce(
  outShape: Shape,
  inStrides: readonly (readonly number[])[],
): { dims: number[]; strides: number[][] } {
  const dims: number[] = []
  const strides: number[][] = inStrides.map(() => [])
  for (let ax = 0; ax < outShape.length; ax++) {
    const d = outShape[ax]!
    if (d === 1) continue
    const last = dims.length - 1
    let mergeable = last >= 0
    for (let k = 0; k < inStrides.length && mergeable; k++) {
      mergeable = strides[k]![last] === inStrides[k]![ax]! * d
    }
    if (mergeable) dims[last] = dims[last]! * d
    else dims.push(d)
    for (let k = 0; k < inStrides.length; k++) strides[k]![dims.length - 1] = inStrides[k]![ax]!
  }
  if (dims.length === 0) {
    dims.push(1)
    for (const s of strides) s.push(0)
  }
  return { dims, strides }
}

/** Runs `row` over the broadcast of `a` and `b`: the driver every binary kernel shares. */
export function drive(
  row: Row,
  a: Floats,
  aShape: Shape,
  b: Floats,
  bShape: Shape,
  outShape: Shape,
  float32 = false,
): Floats {
  const size = sizeOf(outShape)
  const out = float32 ? uninitialized32(size) : uninitialized(size)
  if (size === 0) return out
  // An operand as large as the output has the output's layout; one of size 1 is a scalar. Both
  // cases are a single flat row.
  if ((a.length === size || a.length === 1) && (b.length === size || b.length === 1)) {
    row(out, 0, a, 0, a.length === size ? 1 : 0, b, 0, b.length === size ? 1 : 0, size)
    return out
  }
  const plan = coalesce(outShape, [
    broadcastStridesOf(aShape, outShape),
    broadcastStridesOf(bShape, outShape),
  ])
  const { dims } = plan
  const sa = plan.strides[0]!
  const sb = plan.strides[1]!
  const last = dims.length - 1
  const n = dims[last]!
  const idx = new Array<number>(dims.length).fill(0)
  let ai = 0
  let bi = 0
  for (let o = 0; o < size; o += n) {
    row(out, o, a, ai, sa[last]!, b, bi, sb[last]!, n)
    // Odometer over the outer axes: step the innermost, carry into the next when it wraps.
    for (let ax = last - 1; ax >= 0; ax--) {
      const next = idx[ax]! + 1
      ai += sa[ax]!
      bi += sb[ax]!
      if (next < dims[ax]!) {
        idx[ax] = next
        break
      }
      idx[ax] = 0
      ai -= sa[ax]! * next
      bi -= sb[ax]! * next
    }
  }
  return out
}

const addRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  if (sa === 1 && sb === 1) {
    for (let i = 0; i < n; i++) out[o + i] = a[ai + i]! + b[bi + i]!
  } else if (sb === 0) {
    const bv = b[bi]!
    for (let i = 0; i < n; i++, ai += sa) out[o + i] = a[ai]! + bv
  } else if (sa === 0) {
    const av = a[ai]!
    for (let i = 0; i < n; i++, bi += sb) out[o + i] = av + b[bi]!
  } else {
    for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = a[ai]! + b[bi]!
  }
}
/** Elementwise a + b, with broadcasting. */
export const addK: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(addRow, a, aShape, b, bShape, outShape, float32)

const subRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  if (sa === 1 && sb === 1) {
    for (let i = 0; i < n; i++) out[o + i] = a[ai + i]! - b[bi + i]!
  } else if (sb === 0) {
    const bv = b[bi]!
    for (let i = 0; i < n; i++, ai += sa) out[o + i] = a[ai]! - bv
  } else if (sa === 0) {
    const av = a[ai]!
    for (let i = 0; i < n; i++, bi += sb) out[o + i] = av - b[bi]!
  } else {
    for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = a[ai]! - b[bi]!
  }
}
/** Elementwise a − b, with broadcasting. */
export const subK: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(subRow, a, aShape, b, bShape, outShape, float32)

const mulRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  if (sa === 1 && sb === 1) {
    for (let i = 0; i < n; i++) out[o + i] = a[ai + i]! * b[bi + i]!
  } else if (sb === 0) {
    const bv = b[bi]!
    for (let i = 0; i < n; i++, ai += sa) out[o + i] = a[ai]! * bv
  } else if (sa === 0) {
    const av = a[ai]!
    for (let i = 0; i < n; i++, bi += sb) out[o + i] = av * b[bi]!
  } else {
    for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = a[ai]! * b[bi]!
  }
}
/** Elementwise a · b, with broadcasting. */
export const mulK: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(mulRow, a, aShape, b, bShape, outShape, float32)

const safeMulRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  if (sa === 1 && sb === 1) {
    for (let i = 0; i < n; i++) {
      const x = a[ai + i]!
      const y = b[bi + i]!
      out[o + i] = x === 0 || y === 0 ? 0 : x * y
    }
  } else if (sb === 0) {
    const bv = b[bi]!
    if (bv === 0) {
      for (let i = 0; i < n; i++) out[o + i] = 0
      return
    }
    for (let i = 0; i < n; i++, ai += sa) {
      const x = a[ai]!
      out[o + i] = x === 0 ? 0 : x * bv
    }
  } else if (sa === 0) {
    const av = a[ai]!
    if (av === 0) {
      for (let i = 0; i < n; i++) out[o + i] = 0
      return
    }
    for (let i = 0; i < n; i++, bi += sb) {
      const y = b[bi]!
      out[o + i] = y === 0 ? 0 : av * y
    }
  } else {
    for (let i = 0; i < n; i++, ai += sa, bi += sb) {
      const x = a[ai]!
      const y = b[bi]!
      out[o + i] = x === 0 || y === 0 ? 0 : x * y
    }
  }
}
/**
 * Elementwise zero-annihilating product: 0 where a = 0 or b = 0, else a · b, even when the other
 * factor is ±Infinity or NaN. The chain rule's product of a (co)tangent and a partial: an exact
 * zero in either factor contributes nothing, so 0 · ∞ never becomes NaN.
 */
export const safeMulK: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(safeMulRow, a, aShape, b, bShape, outShape, float32)

const divRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  if (sa === 1 && sb === 1) {
    for (let i = 0; i < n; i++) out[o + i] = a[ai + i]! / b[bi + i]!
  } else if (sb === 0) {
    const bv = b[bi]!
    for (let i = 0; i < n; i++, ai += sa) out[o + i] = a[ai]! / bv
  } else if (sa === 0) {
    const av = a[ai]!
    for (let i = 0; i < n; i++, bi += sb) out[o + i] = av / b[bi]!
  } else {
    for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = a[ai]! / b[bi]!
  }
}
/** Elementwise a / b, with broadcasting. */
export const divK: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(divRow, a, aShape, b, bShape, outShape, float32)

const powRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = a[ai]! ** b[bi]!
}
/** Elementwise aᵇ (as `Math.pow`), with broadcasting. */
export const powK: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(powRow, a, aShape, b, bShape, outShape, float32)

const atan2Row: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = Math.atan2(a[ai]!, b[bi]!)
}
/** Elementwise atan2(a, b), the angle of the point (b, a), with broadcasting. */
export const atan2K: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(atan2Row, a, aShape, b, bShape, outShape, float32)

const maximumRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = Math.max(a[ai]!, b[bi]!)
}
/** Elementwise max(a, b); NaN if either is NaN, like `Math.max`, with broadcasting. */
export const maximumK: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(maximumRow, a, aShape, b, bShape, outShape, float32)

const minimumRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = Math.min(a[ai]!, b[bi]!)
}
/** Elementwise min(a, b); NaN if either is NaN, like `Math.min`, with broadcasting. */
export const minimumK: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(minimumRow, a, aShape, b, bShape, outShape, float32)

const lessRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = a[ai]! < b[bi]! ? 1 : 0
}
/** Elementwise a < b as 1 or 0, with broadcasting. */
export const lessK: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(lessRow, a, aShape, b, bShape, outShape, float32)

const lessEqualRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = a[ai]! <= b[bi]! ? 1 : 0
}
/** Elementwise a ≤ b as 1 or 0, with broadcasting. */
export const lessEqualK: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(lessEqualRow, a, aShape, b, bShape, outShape, float32)

const greaterRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = a[ai]! > b[bi]! ? 1 : 0
}
/** Elementwise a > b as 1 or 0, with broadcasting. */
export const greaterK: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(greaterRow, a, aShape, b, bShape, outShape, float32)

const greaterEqualRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = a[ai]! >= b[bi]! ? 1 : 0
}
/** Elementwise a ≥ b as 1 or 0, with broadcasting. */
export const greaterEqualK: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(greaterEqualRow, a, aShape, b, bShape, outShape, float32)

const equalRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = a[ai]! === b[bi]! ? 1 : 0
}
/** Elementwise a = b as 1 or 0 (NaN equals nothing), with broadcasting. */
export const equalK: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(equalRow, a, aShape, b, bShape, outShape, float32)

const notEqualRow: Row = (out, o, a, ai, sa, b, bi, sb, n) => {
  for (let i = 0; i < n; i++, ai += sa, bi += sb) out[o + i] = a[ai]! !== b[bi]! ? 1 : 0
}
/** Elementwise a ≠ b as 1 or 0 (NaN differs from everything), with broadcasting. */
export const notEqualK: BinaryKernel = (a, aShape, b, bShape, outShape, float32) =>
  drive(notEqualRow, a, aShape, b, bShape, outShape, float32)

/**
 * Elementwise select `c ≠ 0 ? a : b` with three-way broadcasting to `outShape`. NaN in `c`
 * counts as true (it is not 0).
 */
export function whereK(
  c: Floats,
  cShape: Shape,
  a: Floats,
  aShape: Shape,
  b: Floats,
  bShape: Shape,
  outShape: Shape,
  float32 = false,
): Floats {
  const size = sizeOf(outShape)
  const out = float32 ? uninitialized32(size) : uninitialized(size)
  if (size === 0) return out
  const plan = coalesce(outShape, [
    broadcastStridesOf(cShape, outShape),
    broadcastStridesOf(aShape, outShape),
    broadcastStridesOf(bShape, outShape),
  ])
  const { dims } = plan
  const sc = plan.strides[0]!
  const sa = plan.strides[1]!
  const sb = plan.strides[2]!
  const last = dims.length - 1
  const n = dims[last]!
  const scn = sc[last]!
  const san = sa[last]!
  const sbn = sb[last]!
  const idx = new Array<number>(dims.length).fill(0)
  let ci = 0
  let ai = 0
  let bi = 0
  for (let o = 0; o < size; o += n) {
    for (let i = 0, cj = ci, aj = ai, bj = bi; i < n; i++, cj += scn, aj += san, bj += sbn) {
      out[o + i] = c[cj] !== 0 ? a[aj]! : b[bj]!
    }
    for (let ax = last - 1; ax >= 0; ax--) {
      const next = idx[ax]! + 1
      ci += sc[ax]!
      ai += sa[ax]!
      bi += sb[ax]!
      if (next < dims[ax]!) {
        idx[ax] = next
        break
      }
      idx[ax] = 0
      ci -= sc[ax]! * next
      ai -= sa[ax]! * next
      bi -= sb[ax]! * next
    }
  }
  return out
}
