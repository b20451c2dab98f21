/**
 * Numbers in JSON. JSON has no NaN, no infinities and no −0 (`JSON.stringify` writes `null`
 * for the first two and `0` for the last), so fluxion writes those four as the strings "NaN",
 * "Infinity", "-Infinity" and "-0", and every other number as itself: a float64 survives the
 * round trip bit for bit (NaN payloads aside), since `JSON.stringify` prints the shortest
 * decimal that parses back to the same double.
 * @module
 */

import { InvalidArgumentError } from '../core/errors.ts'
import type { Floats } from './tensor.ts'

/** A float64 as JSON: a finite number, or one of the four strings JSON cannot hold otherwise. */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity' | '-0'

/** A tensor as JSON data: its shape and its values in row-major order. */
export interface TensorJSON {
  /** Size of each axis, outermost first. */
  readonly shape: readonly number[]
  /** The values in row-major order; non-finite values and −0 as strings. */
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

/** Every value of `data` encoded by `encodeNumber`. */
export const encodeNumbers = (data: Floats): JsonNumber[] => {
  const out = new Array<JsonNumber>(data.length)
  for (let i = 0; i < data.length; i++) out[i] = encodeNumber(data[i]!)
  return out
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
