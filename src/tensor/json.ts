/**
 * Numbers in JSON. JSON has no NaN, no infinities and no −0 (`JSON.stringify` writes `null`
 * for the first two and `0` for the last), so fluxion writes those four as the strings "NaN",
 * "Infinity", "-Infinity" and "-0", and every other number as itself: a float64 survives the
 * round trip bit for bit (NaN payloads aside), since `JSON.stringify` prints the shortest
 * decimal that parses back to the same double.
 *
 * A float32 tensor's values are written with the shortest decimal that reads back to the same
 * float32 (`0.1`, not `0.10000000149011612`): at most 9 significant digits instead of 17, and
 * exact, since reading rounds to the nearest float32 (`Float32Array` does) and that decimal is
 * by construction closer to the value than to either neighbour.
 * @module
 */

import { InvalidArgumentError } from '../core/errors.ts'
import type { DType, Floats } from './tensor.ts'

/** A float64 as JSON: a finite number, or one of the four strings JSON cannot hold otherwise. */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity' | '-0'

/** A tensor as JSON data: its shape and its values in row-major order. */
export interface TensorJSON {
  /** Size of each axis, outermost first. */
  readonly shape: readonly number[]
  /** `'float32'` for a float32 tensor; absent for float64, the default (older JSON has none). */
  readonly dtype?: DType
  /**
   * The values in row-major order; non-finite values and −0 as strings. A float32 tensor's
   * are the shortest decimals that read back to the same float32.
   */
  readonly data: readonly JsonNumber[]
}

/** `x` as a JSON value that reads back to exactly `x`. */
export const encodeNumber = (x: number): JsonNumber =>
  Number.isFinite(x)
    ? Object.is(x, -0)
      ? '-0'
      : x
    : Number.isNaN(x)
      ? 'NaN'
      : x > 0
        ? 'Infinity'
        : '-Infinity'

/**
 * Every value of `data` encoded by `encodeNumber`; a `Float32Array`'s values first shortened by
 * `shortestFloat32`.
 */
export const encodeNumbers = (data: Floats): JsonNumber[] => {
  const out = new Array<JsonNumber>(data.length)
  if (data instanceof Float32Array) {
    for (let i = 0; i < data.length; i++) out[i] = encodeNumber(shortestFloat32(data[i]!))
  } else {
    for (let i = 0; i < data.length; i++) out[i] = encodeNumber(data[i]!)
  }
  return out
}

/** The exact powers of ten in float64: 10²² is the last. */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i)

/**
 * The double nearest to the shortest decimal that rounds back to the float32 `x` (`x` itself
 * for 0, NaN and ±Infinity): `String` of it prints that decimal. For each grid `10^k`, coarsest
 * first, it tries the two multiples of `10^k` around `x`: the rounding interval of `x` is convex
 * and contains `x`, so if any multiple of `10^k` reads back to `x`, one of those two does —
 * whatever the rounding of `|x| / 10^k`. `m / 10^j` and `m · 10^k` with exact powers are
 * correctly rounded, so the candidate is the decimal's own double. Beyond 10^±22, where powers
 * of ten are inexact, `toPrecision` with 1, 2, … 9 digits (slower) takes the first that reads
 * back; 9 always does.
 */
export const shortestFloat32 = (x: number): number => {
  if (x === 0 || !Number.isFinite(x)) return x
  const a = Math.abs(x)
  // one grid coarser than the leading digit, in case log10 rounds up across a power of ten
  const top = Math.floor(Math.log10(a)) + 1
  // 9 significant digits always suffice for a float32, so the search ends by top − 9
  for (let k = top; k >= top - 10 && k <= 22 && k >= -22; k--) {
    const m = k >= 0 ? a / POW10[k]! : a * POW10[-k]!
    const lo = Math.floor(m)
    const hi = lo + 1
    const yLo = k >= 0 ? lo * POW10[k]! : lo / POW10[-k]!
    const yHi = k >= 0 ? hi * POW10[k]! : hi / POW10[-k]!
    const okLo = lo !== 0 && Math.fround(yLo) === a
    const okHi = Math.fround(yHi) === a
    if (okLo || okHi) {
      const y = okLo && (!okHi || a - yLo <= yHi - a) ? yLo : yHi
      return x < 0 ? -y : y
    }
  }
  for (let p = 1; p < 9; p++) {
    const y = Number(x.toPrecision(p))
    if (Math.fround(y) === x) return y
  }
  return Number(x.toPrecision(9))
}

const CODES: ReadonlyMap<string, number> = new Map([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['-0', -0],
])

/** The number a JSON value encodes, or `undefined` when it encodes none. */
export const decodeNumber = (x: unknown): number | undefined => {
  if (typeof x === 'number') return x
  if (typeof x === 'string') return CODES.get(x)
  return undefined
}

/** The error for a value that encodes no number, at `path` of what `op` reads. */
export const notANumber = (x: unknown, path: string, op: string): InvalidArgumentError =>
  new InvalidArgumentError(
    `${path} is ${typeof x === 'string' ? JSON.stringify(x.slice(0, 40)) : x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}, not a number`,
    {
      primitive: op,
      hint: 'numbers are JSON numbers or one of the strings "NaN", "Infinity", "-Infinity", "-0"',
    },
  )
