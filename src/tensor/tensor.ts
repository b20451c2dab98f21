/**
 * The concrete tensor: an immutable, row-major array of float64 or float32 values with a shape.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { formatTensor } from './format.ts'
import { encodeNumbers, type TensorJSON } from './json.ts'
import { type Shape, sizeOf } from './shape.ts'

/**
 * The element type of a tensor: `'float64'` (the default, `Float64Array` storage) or
 * `'float32'` (`Float32Array` storage, half the memory and twice the SIMD lanes).
 */
export type DType = 'float64' | 'float32'

/** Storage of a tensor of either dtype. Kernels read both and write `Float64Array`. */
export type Floats = Float64Array | Float32Array

/** Nested JavaScript arrays of numbers, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | readonly NestedArray[]

/**
 * An immutable n-dimensional array of float64 (default) or float32 values, stored row-major in
 * a `Float64Array` or `Float32Array`. Rank 0 is a scalar. Every op returns a new tensor; none
 * mutates its inputs. The dtype follows the storage: `tensor(x, { dtype: 'float32' })`,
 * `astype(t, 'float32')`.
 *
 * Build tensors with `tensor`, `scalar`, `zeros`, `ones`, `full`, `eye`, `arange`, `linspace`
 * or the seeded `random` helpers; read them with `toArray()`, `item()` and `shape`.
 *
 * @example
 * const t = tensor([[1, 2], [3, 4]])
 * t.shape // => [2, 2]
 * @category values
 */
export class Tensor {
  /** Size of each axis, outermost first. */
  readonly shape: Shape
  /**
   * The values in row-major order. Treat as read-only: fluxion never copies on read, and
   * writing into it would change every value that shares it.
   */
  readonly data: Floats
  /** Number of elements. */
  readonly size: number
  /** `'float32'` for `Float32Array` storage, else `'float64'`. */
  readonly dtype: DType
  /**
   * Whether the tensor is weakly typed: computed from JS numbers alone (`broadcastTo(0, s)`,
   * `where(mask, 1, 0)`), it takes the dtype of the tensors it meets, as the numbers would — so
   * `mul(x32, broadcastTo(2, x32.shape))` is float32. As JAX's `weak_type`.
   */
  readonly weak: boolean

  /**
   * Wraps `data` (not copied) with `shape`. Prefer `tensor(…)`, which validates; this
   * constructor trusts that `data.length` equals the product of `shape`.
   */
  constructor(data: Floats, shape: Shape, weak = false) {
    this.data = data
    this.shape = shape
    this.size = data.length
    this.dtype = data instanceof Float32Array ? 'float32' : 'float64'
    this.weak = weak
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length
  }

  /** The single value of a one-element tensor; throws `InvalidArgumentError` otherwise. */
  item(): number {
    if (this.size !== 1) {
      throw new InvalidArgumentError(`item() needs exactly one element, got ${this.size}`, {
        primitive: 'item',
        shapes: [this.shape],
        hint: 'index or reduce the tensor first, or use toArray()',
      })
    }
    return this.data[0]!
  }

  /** The values as nested JavaScript arrays (a plain number for rank 0). */
  toArray(): NestedArray {
    return nest(this.data, this.shape, 0, 0)
  }

  /**
   * NumPy-style text: the values, aligned, then the shape, and `dtype=float32` for float32
   * (whose values print from their shortest round-tripping decimals). Large tensors are
   * summarized.
   */
  toString(): string {
    return formatTensor(this.data, this.shape)
  }

  /**
   * The tensor as JSON data, `{ shape, data }` with `data` row-major and NaN, ±Infinity and −0
   * written as the strings "NaN", "Infinity", "-Infinity" and "-0", which JSON cannot hold as
   * numbers. A float32 tensor adds `dtype: 'float32'` (after `shape`) and writes each value as
   * the shortest decimal that reads back to the same float32; float64 has no `dtype` field.
   * `JSON.stringify` calls it; `tensorFromJSON` (or `JSON.parse` with `tensorReviver`) reads
   * it back bit for bit, dtype included.
   */
  toJSON(): TensorJSON {
    const shape = this.shape.slice()
    const data = encodeNumbers(this.data)
    return this.dtype === 'float32' ? { shape, dtype: 'float32', data } : { shape, data }
  }

  /** JS operators on tensors are refused: use fluxion ops (`add`, `mul`, `less`, …). */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === 'string') return this.toString()
    throw new InvalidArgumentError('a JavaScript operator was applied to a Tensor', {
      hint: 'use fluxion ops (add, sub, mul, div, less, …) or read a value with item()',
    })
  }
}

const nest = (data: Floats, shape: Shape, axis: number, offset: number): NestedArray => {
  if (axis === shape.length) return data[offset]!
  const n = shape[axis]!
  const stride = sizeOf(shape.slice(axis + 1))
  const out = new Array<NestedArray>(n)
  for (let i = 0; i < n; i++) out[i] = nest(data, shape, axis + 1, offset + i * stride)
  return out
}
