/**
 * Storage for kernels that write every element of their output. A fresh `Float64Array` is
 * zero-filled: a pass over memory that such a kernel overwrites at once. On Node,
 * `Buffer.allocUnsafeSlow` skips it (an elementwise kernel over 10⁴–10⁵ doubles runs 25–50%
 * faster; bench/NOTES.md). Elsewhere, and for small arrays, where V8's own
 * allocation is faster, it is a plain zeroed `Float64Array`.
 *
 * Only a kernel that provably writes every index may use it: anything else would expose stale
 * memory.
 * @module
 */
import type { Floats } from '../tensor.ts'

/** The one member of Node's `Buffer` used here, typed so the package needs no Node types. */
interface UnsafeAllocator {
  allocUnsafeSlow(size: number): { readonly buffer: ArrayBufferLike; readonly byteOffset: number }
}

const nodeBuffer = (globalThis as { Buffer?: Partial<UnsafeAllocator> }).Buffer
const allocator: UnsafeAllocator | undefined =
  typeof nodeBuffer?.allocUnsafeSlow === 'function' ? (nodeBuffer as UnsafeAllocator) : undefined

/** Below this many elements a zeroed on-heap array is as fast (measured crossover: 64–128). */
const MIN_UNINITIALIZED = 128

/** A Float64Array of length n whose contents are unspecified: the caller writes every element. */
export function uninitialized(n: number): Float64Array {
  if (allocator === undefined || n < MIN_UNINITIALIZED) return new Float64Array(n)
  const bytes = allocator.allocUnsafeSlow(n * 8)
  return new Float64Array(bytes.buffer, bytes.byteOffset, n)
}

/** A Float32Array of length n whose contents are unspecified: the caller writes every element. */
export function uninitialized32(n: number): Float32Array {
  if (allocator === undefined || n < MIN_UNINITIALIZED) return new Float32Array(n)
  const bytes = allocator.allocUnsafeSlow(n * 4)
  return new Float32Array(bytes.buffer, bytes.byteOffset, n)
}

/** Uninitialized storage of n elements of `like`'s type (float32 for a Float32Array). */
export function uninitializedLike(like: Floats, n: number): Floats {
  return like instanceof Float32Array ? uninitialized32(n) : uninitialized(n)
}
