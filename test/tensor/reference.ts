/**
 * Slow, obviously-correct reference implementations of the tensor kernels (index by index), and
 * the fast-check arbitraries the kernel tests share. Values are dyadic (k/4 with small k) so
 * sums and products are exact in float64 and kernels can be compared with `toEqual`
 * regardless of summation order.
 */
import { fc } from '@fast-check/vitest'
import type { Shape } from '../../src/tensor/shape.ts'

export const sizeOf = (shape: Shape): number => shape.reduce((n, d) => n * d, 1)

/** Row-major multi-index of flat position `flat`. */
export const unravel = (flat: number, shape: Shape): number[] => {
  const idx = new Array<number>(shape.length).fill(0)
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    const d = shape[ax]!
    idx[ax] = flat % d
    flat = Math.floor(flat / d)
  }
  return idx
}

/** Flat position of a multi-index. */
export const ravel = (idx: readonly number[], shape: Shape): number => {
  let flat = 0
  for (let ax = 0; ax < shape.length; ax++) flat = flat * shape[ax]! + idx[ax]!
  return flat
}

/** The element of `data` (shape `shape`) seen at `outIdx` after broadcasting to a larger rank. */
export const broadcastGet = (data: Float64Array, shape: Shape, outIdx: readonly number[]) => {
  const offset = outIdx.length - shape.length
  const idx = shape.map((d, ax) => (d === 1 ? 0 : outIdx[offset + ax]!))
  return data[ravel(idx, shape)]!
}

export const refBroadcastShape = (a: Shape, b: Shape): number[] => {
  const rank = Math.max(a.length, b.length)
  return Array.from({ length: rank }, (_, i) => {
    const da = a[a.length - rank + i] ?? 1
    const db = b[b.length - rank + i] ?? 1
    return da === 1 ? db : da
  })
}

export const refBinary = (
  f: (x: number, y: number) => number,
  a: Float64Array,
  aShape: Shape,
  b: Float64Array,
  bShape: Shape,
  outShape: Shape,
): Float64Array => {
  const out = new Float64Array(sizeOf(outShape))
  for (let o = 0; o < out.length; o++) {
    const idx = unravel(o, outShape)
    out[o] = f(broadcastGet(a, aShape, idx), broadcastGet(b, bShape, idx))
  }
  return out
}

/** Reduces over `axes` with `f` from `init`, visiting inputs in row-major order. */
export const refReduce = (
  f: (acc: number, x: number) => number,
  init: number,
  x: Float64Array,
  shape: Shape,
  axes: readonly number[],
): Float64Array => {
  const outShape = shape.filter((_, ax) => !axes.includes(ax))
  const out = new Float64Array(sizeOf(outShape)).fill(init)
  for (let i = 0; i < x.length; i++) {
    const idx = unravel(i, shape).filter((_, ax) => !axes.includes(ax))
    const o = ravel(idx, outShape)
    out[o] = f(out[o]!, x[i]!)
  }
  return out
}

export const refTranspose = (x: Float64Array, shape: Shape, perm: readonly number[]) => {
  const outShape = perm.map((p) => shape[p]!)
  const out = new Float64Array(x.length)
  for (let o = 0; o < out.length; o++) {
    const outIdx = unravel(o, outShape)
    const inIdx = new Array<number>(shape.length)
    perm.forEach((p, i) => {
      inIdx[p] = outIdx[i]!
    })
    out[o] = x[ravel(inIdx, shape)]!
  }
  return out
}

export const sliceLength = (start: number, end: number, step: number): number =>
  Math.max(0, Math.ceil((end - start) / step))

export const refSlice = (
  x: Float64Array,
  shape: Shape,
  starts: readonly number[],
  ends: readonly number[],
  steps: readonly number[],
): Float64Array => {
  const outShape = shape.map((_, ax) => sliceLength(starts[ax]!, ends[ax]!, steps[ax]!))
  const out = new Float64Array(sizeOf(outShape))
  for (let o = 0; o < out.length; o++) {
    const idx = unravel(o, outShape).map((i, ax) => starts[ax]! + i * steps[ax]!)
    out[o] = x[ravel(idx, shape)]!
  }
  return out
}

export const padShape = (
  shape: Shape,
  lo: readonly number[],
  hi: readonly number[],
  interior: readonly number[],
) => shape.map((n, ax) => lo[ax]! + hi[ax]! + n + Math.max(n - 1, 0) * interior[ax]!)

export const refPad = (
  x: Float64Array,
  shape: Shape,
  lo: readonly number[],
  hi: readonly number[],
  interior: readonly number[],
  value: number,
): Float64Array => {
  const outShape = padShape(shape, lo, hi, interior)
  const out = new Float64Array(sizeOf(outShape))
  for (let o = 0; o < out.length; o++) {
    const idx = unravel(o, outShape)
    let v = value
    const inIdx: number[] = []
    let inside = true
    for (let ax = 0; ax < shape.length; ax++) {
      const rel = idx[ax]! - lo[ax]!
      const stride = interior[ax]! + 1
      const i = rel / stride
      if (rel < 0 || rel % stride !== 0 || i >= shape[ax]!) inside = false
      inIdx.push(i)
    }
    if (inside) v = x[ravel(inIdx, shape)]!
    out[o] = v
  }
  return out
}

export const refConcat = (
  parts: readonly Float64Array[],
  shapes: readonly Shape[],
  axis: number,
) => {
  const outShape = shapes[0]!.slice()
  outShape[axis] = shapes.reduce((n, s) => n + s[axis]!, 0)
  const out = new Float64Array(sizeOf(outShape))
  for (let o = 0; o < out.length; o++) {
    const idx = unravel(o, outShape)
    let k = 0
    while (idx[axis]! >= shapes[k]![axis]!) idx[axis] = idx[axis]! - shapes[k++]![axis]!
    out[o] = parts[k]![ravel(idx, shapes[k]!)]!
  }
  return out
}

/** Naive batched matmul: a triple loop per batch element, batch indices broadcast by hand. */
export const refMatmul = (
  a: Float64Array,
  aShape: Shape,
  b: Float64Array,
  bShape: Shape,
  transA: boolean,
  transB: boolean,
): { data: Float64Array; shape: number[] } => {
  const ra = aShape.length
  const rb = bShape.length
  const m = transA ? aShape[ra - 1]! : aShape[ra - 2]!
  const k = transA ? aShape[ra - 2]! : aShape[ra - 1]!
  const n = transB ? bShape[rb - 2]! : bShape[rb - 1]!
  const batch = refBroadcastShape(aShape.slice(0, -2), bShape.slice(0, -2))
  const shape = [...batch, m, n]
  const data = new Float64Array(sizeOf(shape))
  for (let o = 0; o < data.length; o++) {
    const idx = unravel(o, shape)
    const bi = idx.slice(0, -2)
    const i = idx[idx.length - 2]!
    const j = idx[idx.length - 1]!
    let s = 0
    for (let p = 0; p < k; p++) {
      const av = broadcastGet(a, aShape, [...bi, transA ? p : i, transA ? i : p])
      const bv = broadcastGet(b, bShape, [...bi, transB ? j : p, transB ? p : j])
      s += av * bv
    }
    data[o] = s
  }
  return { data, shape }
}

/** Dyadic values k/4, |k| ≤ 32: every sum and product below stays exact. */
export const dyadic = fc.integer({ min: -32, max: 32 }).map((k) => k / 4)

/** Shapes of rank 0–4 with axes of size 0–5. */
export const shapeArb = (maxRank = 4, maxDim = 5) =>
  fc.array(fc.integer({ min: 0, max: maxDim }), { maxLength: maxRank })

/** Dyadic data of exactly `size` elements. */
export const dataOf = (size: number, values = dyadic) =>
  fc.array(values, { minLength: size, maxLength: size }).map((v) => Float64Array.from(v))

/** A shape with matching dyadic data. */
export const tensorArb = (maxRank = 4, maxDim = 5) =>
  shapeArb(maxRank, maxDim).chain((shape) => dataOf(sizeOf(shape)).map((data) => ({ shape, data })))

/**
 * A shape that broadcasts to `out`: some axes set to 1, some leading axes dropped. Applied to
 * both operands, broadcasting happens in both directions.
 */
export const broadcastableTo = (out: Shape) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    )
    .map(([drop, ones]) => out.map((d, ax) => (ones[ax] ? 1 : d)).slice(drop))

/** Two operand shapes with their broadcast output shape. */
export const broadcastPairArb = shapeArb().chain((out) =>
  fc.tuple(broadcastableTo(out), broadcastableTo(out)).map(([a, b]) => ({
    a,
    b,
    out: refBroadcastShape(a, b),
  })),
)

/** Dot product of two equally long arrays. */
export const dot = (x: ArrayLike<number>, y: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!
  return s
}

/**
 * `refMatmul` for float32 operands with the accumulation as a parameter: entry by entry,
 * `acc = step(acc, a, b)` for p = 0 … k−1 from +0, on float64 copies of the operands (exact)
 * — float32 arithmetic, float64's, or a sum of |a·b| for error bounds.
 */
export const refMatmulWith = (
  a: Float32Array,
  aShape: Shape,
  b: Float32Array,
  bShape: Shape,
  transA: boolean,
  transB: boolean,
  step: (acc: number, x: number, y: number) => number,
): Float64Array => {
  const [a64, b64] = [Float64Array.from(a), Float64Array.from(b)]
  const ra = aShape.length
  const rb = bShape.length
  const m = aShape[transA ? ra - 1 : ra - 2]!
  const k = aShape[transA ? ra - 2 : ra - 1]!
  const n = bShape[transB ? rb - 2 : rb - 1]!
  const shape = [...refBroadcastShape(aShape.slice(0, -2), bShape.slice(0, -2)), m, n]
  const out = new Float64Array(sizeOf(shape))
  for (let o = 0; o < out.length; o++) {
    const idx = unravel(o, shape)
    const bi = idx.slice(0, -2)
    const i = idx[idx.length - 2]!
    const j = idx[idx.length - 1]!
    let acc = 0
    for (let p = 0; p < k; p++) {
      const x = broadcastGet(a64, aShape, [...bi, transA ? p : i, transA ? i : p])
      const y = broadcastGet(b64, bShape, [...bi, transB ? j : p, transB ? p : j])
      acc = step(acc, x, y)
    }
    out[o] = acc
  }
  return out
}
