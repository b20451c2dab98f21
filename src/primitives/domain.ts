/**
 * Input domains: how the law suites sample each primitive (JAX's `rng_factory`). A domain draws
 * shapes and values through a `Draw`, so fast-check can shrink what it finds.
 * @module
 */
import type { Domain, Draw, Sample } from '../core/primitive.ts'
import type { Concrete } from '../core/tracer.ts'
import type { Shape } from '../tensor/shape.ts'
import { sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'

/** A closed interval of reals, with points to keep away from (kinks, poles). */
export interface Interval {
  readonly min: number
  readonly max: number
  /** Points the sampler keeps at least `margin` away from. */
  readonly avoid?: readonly number[]
  readonly margin?: number
}

/** The interval [min, max]. */
export const real = (min: number, max: number, avoid: readonly number[] = []): Interval => ({
  min,
  max,
  avoid,
  margin: 0.05,
})

/** A shape of rank 0–`maxRank` with sizes 1–`maxSize`. */
export const drawShape = (draw: Draw, maxRank = 3, maxSize = 4): number[] => {
  const rank = draw.integer(0, maxRank)
  return Array.from({ length: rank }, () => draw.integer(1, maxSize))
}

/** Two shapes that broadcast against each other (some axes 1, some leading axes dropped). */
export const drawBroadcastPair = (draw: Draw): [number[], number[]] => {
  const full = drawShape(draw)
  const thin = (): number[] => {
    const drop = draw.integer(0, full.length)
    return full.slice(drop).map((d) => (draw.integer(0, 3) === 0 ? 1 : d))
  }
  return draw.integer(0, 2) === 0 ? [full, full.slice()] : [thin(), thin()]
}

/** One real from an interval, nudged away from the points it must avoid. */
export const drawReal = (draw: Draw, iv: Interval): number => {
  let x = draw.real(iv.min, iv.max)
  for (const p of iv.avoid ?? []) {
    const m = iv.margin ?? 0.05
    if (Math.abs(x - p) < m) x = x < p ? p - m : p + m
  }
  return x
}

/** A value of the given shape; rank 0 comes out as a plain number half the time. */
export const drawValue = (draw: Draw, shape: Shape, iv: Interval): Concrete => {
  const data = new Float64Array(sizeOf(shape))
  for (let i = 0; i < data.length; i++) data[i] = drawReal(draw, iv)
  if (shape.length === 0 && draw.integer(0, 1) === 0) return data[0]!
  return new Tensor(data, shape)
}

/** A 0/1 mask of the given shape (a condition for `where`); rank 0 is a number half the time. */
export const drawMask = (draw: Draw, shape: Shape): Concrete => {
  const data = new Float64Array(sizeOf(shape))
  for (let i = 0; i < data.length; i++) data[i] = draw.integer(0, 1)
  if (shape.length === 0 && draw.integer(0, 1) === 0) return data[0]!
  return new Tensor(data, shape)
}

/**
 * Values of the given shapes whose entries, all together, are pairwise at least `gap` apart:
 * for primitives whose kinks are ties between entries (`maximum`, `minimum`, `max`). Entries are
 * drawn from `iv`, then squeezed and spread in sorted order, so each keeps its rank (and
 * shrinking still simplifies them) and all stay inside `iv`; `iv.avoid` is not used.
 */
export const drawSeparated = (
  draw: Draw,
  shapes: readonly Shape[],
  iv: Interval,
  gap = 1e-3,
): Concrete[] => {
  const xs = Array.from({ length: shapes.reduce((n, s) => n + sizeOf(s), 0) }, () =>
    draw.real(iv.min, iv.max),
  )
  const squeeze = 1 - (Math.max(xs.length - 1, 0) * gap) / (iv.max - iv.min)
  const ranks = xs.map((_, i) => i).sort((i, j) => xs[i]! - xs[j]!)
  ranks.forEach((i, rank) => {
    xs[i] = iv.min + (xs[i]! - iv.min) * squeeze + rank * gap
  })
  let offset = 0
  return shapes.map((shape) => {
    const data = Float64Array.from(xs.slice(offset, offset + sizeOf(shape)))
    offset += data.length
    return shape.length === 0 && draw.integer(0, 1) === 0 ? data[0]! : new Tensor(data, shape)
  })
}

/**
 * The special reals of every elementwise domain: signed zeros (kinks of `abs`, `relu`, poles of
 * `log` and `div`), ±1 (edges of `asin`, `acos`, `log1p`), ±½ and ±2, ±∞ and NaN.
 */
export const specialReals: readonly number[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  2,
  -2,
  Infinity,
  -Infinity,
  NaN,
]

/** The reals paired with each other for binary primitives (ties on the diagonal). */
const specialGrid: readonly number[] = [0, -0, 1, -1, 2, 0.5, Infinity, -Infinity, NaN]

/**
 * Special calls of an elementwise primitive, one tuple of arguments per point: every point as
 * plain numbers (the scalar paths: reverse mode's numeric tape), and all points at once as
 * vectors (the tensor kernels, fused pullbacks included).
 */
export const elementwiseSpecial =
  (points: readonly (readonly number[])[]) => (): Sample<void>[] => {
    const arity = points[0]?.length ?? 0
    const vectors = Array.from(
      { length: arity },
      (_, i) =>
        new Tensor(
          Float64Array.from(points, (p) => p[i]!),
          [points.length],
        ),
    )
    return [
      { args: vectors, params: undefined },
      ...points.map((p) => ({ args: p, params: undefined })),
    ]
  }

/**
 * A tensor of `shape` cycling through signed zeros, ±∞, NaN and 1: the special entries of the
 * structural primitives, whose derivatives must not depend on them.
 */
export const specialTensor = (shape: Shape): Tensor => {
  const cycle = [0, -0, Infinity, -Infinity, Number.NaN, 1]
  return new Tensor(
    Float64Array.from({ length: sizeOf(shape) }, (_, i) => cycle[i % cycle.length]!),
    shape,
  )
}

/** Every pair of the special grid, then `extra` pairs. */
const specialPairs = (extra: readonly (readonly [number, number])[]): (readonly number[])[] => [
  ...specialGrid.flatMap((a) => specialGrid.map((b) => [a, b])),
  ...extra,
]

/** Domain of a unary elementwise primitive over an interval; special points `specialReals`. */
export const unaryDomain = (iv: Interval, rtol?: number): Domain<void> => ({
  sample: (draw): Sample<void> => ({
    args: [drawValue(draw, drawShape(draw), iv)],
    params: undefined,
  }),
  special: elementwiseSpecial(specialReals.map((x) => [x])),
  ...(rtol === undefined ? {} : { rtol }),
})

/**
 * Domain of a binary elementwise primitive: broadcast-compatible shapes, one interval each;
 * special points every pair of special reals, and `extra` pairs (a primitive's own kinks).
 */
export const binaryDomain = (
  a: Interval,
  b: Interval = a,
  rtol?: number,
  extra: readonly (readonly [number, number])[] = [],
): Domain<void> => ({
  sample: (draw): Sample<void> => {
    const [sa, sb] = drawBroadcastPair(draw)
    return { args: [drawValue(draw, sa, a), drawValue(draw, sb, b)], params: undefined }
  },
  special: elementwiseSpecial(specialPairs(extra)),
  ...(rtol === undefined ? {} : { rtol }),
})

/**
 * Domain of a binary elementwise primitive whose kink is a tie (`maximum`, `minimum`):
 * broadcast-compatible shapes, every entry of either argument at least `gap` from every other;
 * special points every pair of special reals, ties included.
 */
export const separatedBinaryDomain = (iv: Interval): Domain<void> => ({
  sample: (draw): Sample<void> => ({
    args: drawSeparated(draw, drawBroadcastPair(draw), iv),
    params: undefined,
  }),
  special: elementwiseSpecial(specialPairs([])),
})

/** The usual interval for smooth functions on all of ℝ. */
export const anyReal: Interval = real(-3, 3)

/**
 * Rows along a last axis of 1–5 elements, under up to two leading axes; whole numbers in
 * [−2, 2] half the time, so that rows have ties — for ops whose result depends on which of
 * equal elements comes first (sorting, arg-extrema).
 */
export const drawRowsWithTies = (draw: Draw): Tensor => {
  const shape = [...drawShape(draw, 2), draw.integer(1, 5)]
  const whole = draw.integer(0, 1) === 1
  const x = drawValue(draw, shape, whole ? { min: -2, max: 2 } : anyReal) as Tensor
  return whole ? new Tensor(x.data.map(Math.round), shape) : x
}
