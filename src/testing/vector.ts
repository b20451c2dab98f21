/**
 * Plain-loop arithmetic on numbers and tensors seen as vectors: what the laws compute their
 * reference sides with. It shares no code with fluxion's ops, so a wrong kernel cannot agree
 * with itself; results keep the kind (number or tensor) and shape of their first operand.
 * @module
 */
import { Tensor } from '../index.ts'
import { type Numeric, shapeOfNumeric, valuesOf } from './approx.ts'

/** The value of `template`'s kind and shape holding `data`. */
export const like = (template: Numeric, data: Float64Array): Numeric =>
  typeof template === 'number'
    ? data[0]!
    : new Tensor(template.dtype === 'float32' ? new Float32Array(data) : data, template.shape)

const checkShapes = (x: Numeric, y: Numeric): void => {
  const sx = shapeOfNumeric(x)
  const sy = shapeOfNumeric(y)
  if (sx.length !== sy.length || sx.some((d, i) => d !== sy[i])) {
    throw new RangeError(`shapes differ: [${sx.join(', ')}] vs [${sy.join(', ')}]`)
  }
}

/** `fn` applied elementwise to values of equal shape. */
export const zipWith = (
  x: Numeric,
  y: Numeric,
  fn: (xi: number, yi: number) => number,
): Numeric => {
  checkShapes(x, y)
  const a = valuesOf(x)
  const b = valuesOf(y)
  const out = new Float64Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = fn(a[i]!, b[i]!)
  return like(x, out)
}

/** a·x + b·y. */
export const combine = (a: number, x: Numeric, b: number, y: Numeric): Numeric =>
  zipWith(x, y, (xi, yi) => a * xi + b * yi)

/** a·xsᵢ + b·ysᵢ for each pair of leaves. */
export const combineAll = (
  a: number,
  xs: readonly Numeric[],
  b: number,
  ys: readonly Numeric[],
): Numeric[] => xs.map((x, i) => combine(a, x, b, ys[i]!))

/** Zeros of `template`'s kind and shape. */
export const zerosLike = (template: Numeric): Numeric =>
  like(template, new Float64Array(valuesOf(template).length))

/** Σ xᵢ·yᵢ over values of equal shape. */
export const vdot = (x: Numeric, y: Numeric): number => {
  checkShapes(x, y)
  const a = valuesOf(x)
  const b = valuesOf(y)
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!
  return s
}

/**
 * Σ |xᵢ·yᵢ|: the scale of the rounding error of `vdot(x, y)`, which is at most about
 * n·ε·Σ|xᵢ·yᵢ| (ε the float64 unit roundoff), however much the sum itself cancels.
 */
export const vdotAbs = (x: Numeric, y: Numeric): number => {
  checkShapes(x, y)
  const a = valuesOf(x)
  const b = valuesOf(y)
  let s = 0
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! * b[i]!)
  return s
}

/** Σᵢ ⟨xsᵢ, ysᵢ⟩ over lists of equal length. */
export const vdotAll = (xs: readonly Numeric[], ys: readonly Numeric[]): number =>
  xs.reduce<number>((s, x, i) => s + vdot(x, ys[i]!), 0)

/** Σᵢ Σ |xsᵢ·ysᵢ| over lists of equal length. */
export const vdotAbsAll = (xs: readonly Numeric[], ys: readonly Numeric[]): number =>
  xs.reduce<number>((s, x, i) => s + vdotAbs(x, ys[i]!), 0)

/** max |xᵢ| (0 for no values). */
export const maxAbs = (x: Numeric): number =>
  Array.from(valuesOf(x)).reduce((m, v) => Math.max(m, Math.abs(v)), 0)

/** max |xᵢ| over every value of every leaf. */
export const maxAbsAll = (xs: readonly Numeric[]): number =>
  xs.reduce<number>((m, x) => Math.max(m, maxAbs(x)), 0)

/**
 * `v` as a concrete number or tensor. Laws compute reference sides only on concrete values; a
 * traced value here would mean a law leaked one out of a transformation.
 */
export const concrete = (v: unknown): Numeric => {
  if (typeof v === 'number' || v instanceof Tensor) return v
  throw new TypeError(`expected a concrete number or Tensor, got ${String(v)}`)
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1)

/**
 * For each index of `to`, the index of `from` it reads under NumPy broadcasting (`from` must
 * broadcast to `to`).
 */
const broadcastIndex = (from: readonly number[], to: readonly number[]): Int32Array => {
  const out = new Int32Array(sizeOf(to))
  const offset = to.length - from.length
  const strides = from.map((_, i) => sizeOf(from.slice(i + 1)))
  for (let flat = 0; flat < out.length; flat++) {
    let rest = flat
    let source = 0
    for (let axis = to.length - 1; axis >= 0; axis--) {
      const d = to[axis]!
      const coord = rest % d
      rest = (rest - coord) / d
      const k = axis - offset
      if (k >= 0 && from[k]! !== 1) source += coord * strides[k]!
    }
    out[flat] = source
  }
  return out
}

/** `x` repeated NumPy-style to `shape`: a tensor, or `x` itself when `shape` is `x`'s. */
export const broadcastValues = (x: Numeric, shape: readonly number[]): Numeric => {
  const from = shapeOfNumeric(x)
  if (from.length === shape.length && from.every((d, i) => d === shape[i])) return x
  const index = broadcastIndex(from, shape)
  const source = valuesOf(x)
  const out = new Float64Array(index.length)
  for (let i = 0; i < out.length; i++) out[i] = source[index[i]!]!
  return new Tensor(out, shape)
}

/**
 * The transpose of `broadcastValues`: `y` (of a shape that `template` broadcasts to) summed
 * over the broadcast axes, as a value of `template`'s kind and shape.
 */
export const sumToShape = (y: Numeric, template: Numeric): Numeric => {
  const index = broadcastIndex(shapeOfNumeric(template), shapeOfNumeric(y))
  const source = valuesOf(y)
  const out = new Float64Array(valuesOf(template).length)
  for (let i = 0; i < index.length; i++) {
    const k = index[i]!
    out[k] = out[k]! + source[i]!
  }
  return like(template, out)
}

/** Σ |yᵢ| summed into `template`'s shape: the scale of the rounding error of `sumToShape`. */
export const sumAbsToShape = (y: Numeric, template: Numeric): Numeric =>
  sumToShape(
    like(
      y,
      Float64Array.from(valuesOf(y), (v) => Math.abs(v)),
    ),
    template,
  )
