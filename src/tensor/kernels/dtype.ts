/**
 * Conversion between storage types. Narrowing to float32 rounds to nearest (ties to even), as
 * `Float32Array` does; widening to float64 is exact.
 * @module
 */
import type { DType, Floats } from '../tensor.ts'

/** A copy of `x` stored as `dtype`. */
export function toDtypeK(x: Floats, dtype: DType): Floats {
  return dtype === 'float32' ? new Float32Array(x) : new Float64Array(x)
}

/** Fresh zero-filled storage of `n` elements of `dtype`. */
export function zerosK(n: number, dtype: DType): Floats {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n)
}
