/**
 * Public constructors of concrete tensors. Each validates its input where it enters and throws
 * `InvalidArgumentError` or `ShapeError` with a fix hint; each copies its input, so a tensor
 * never aliases a caller's array.
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { toDtypeK } from './kernels/dtype.ts'
import { checkShape, MAX_SIZE, type Shape, sizeOf } from './shape.ts'
import { type DType, type NestedArray, Tensor } from './tensor.ts'

/** The dtype option of the creation functions. */
export interface DtypeOptions {
  /** `'float64'` (the default) or `'float32'`. */
  readonly dtype?: DType
}

/**
 * The dtype an options object asks for (float64 when absent); throws `InvalidArgumentError`
 * for anything else, naming `op`.
 * @internal
 */
export function dtypeOption(
  options: DtypeOptions | undefined,
  op: string,
  fallback: DType = 'float64',
): DType {
  if (options === undefined || options === null) return fallback
  if (typeof options !== 'object') {
    throw new InvalidArgumentError(`options must be an object, got ${describe(options)}`, {
      primitive: op,
      hint: "pass { dtype: 'float32' } or leave the options out",
    })
  }
  const d = options.dtype
  if (d === undefined) return fallback
  if (d !== 'float64' && d !== 'float32') {
    throw new InvalidArgumentError(`unknown dtype ${describe(d)}`, {
      primitive: op,
      hint: "fluxion has two dtypes: 'float64' (the default) and 'float32'",
    })
  }
  return d
}

/** Refuses an options object with keys other than `dtype` (a misspelt one, or a non-shape). */
const onlyDtype = (options: object, op: string): void => {
  const unknown = Object.keys(options).filter((k) => k !== 'dtype')
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`unknown option ${describe(unknown[0])} of ${op}`, {
      primitive: op,
      hint: "the options are { dtype: 'float32' | 'float64' }; a shape is an array of sizes",
    })
  }
}

/** `t` stored as `dtype` (itself when it already is). */
const stored = (t: Tensor, dtype: DType): Tensor =>
  t.dtype === dtype ? t : new Tensor(toDtypeK(t.data, dtype), t.shape)

/** Deeper nesting than any sensible tensor rank; guards against cyclic arrays. */
const MAX_NESTING = 64

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`
  if (Array.isArray(v)) return 'an array'
  // The built-in tag ("a Float32Array"), never the object's own, possibly throwing, toString.
  if (typeof v === 'object' && v !== null)
    return `a ${Object.prototype.toString.call(v).slice(8, -1)}`
  return String(v)
}

function checkNumber(v: unknown, what: string, op: string): number {
  if (typeof v !== 'number') {
    throw new InvalidArgumentError(`${what} must be a number, got ${describe(v)}`, {
      primitive: op,
      hint: 'pass numbers, nested arrays of numbers, or a Float64Array or Float32Array (NaN and ±Infinity are allowed)',
    })
  }
  return v
}

function checkFinite(v: unknown, what: string, op: string): number {
  const x = checkNumber(v, what, op)
  if (!Number.isFinite(x)) {
    throw new InvalidArgumentError(`${what} must be finite, got ${x}`, {
      primitive: op,
      hint: `give ${op} finite bounds`,
    })
  }
  return x
}

/**
 * A zeroed buffer of `n` float64 values. `n` is already at most `MAX_SIZE`, but the machine may
 * still refuse that much memory: that is a named error too, not a `RangeError`.
 */
function allocate(n: number, op: string): Float64Array
function allocate(n: number, op: string, dtype: DType): Float64Array | Float32Array
function allocate(n: number, op: string, dtype: DType = 'float64'): Float64Array | Float32Array {
  try {
    return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n)
  } catch (e) {
    if (!(e instanceof RangeError)) throw e
    const bytes = dtype === 'float32' ? 4 : 8
    throw new InvalidArgumentError(
      `cannot allocate ${n} ${dtype} values (${((n * bytes) / 2 ** 30).toFixed(1)} GiB)`,
      { primitive: op, hint: 'request a smaller shape: the machine could not provide the memory' },
    )
  }
}

/** Shape of a nested array, read along its first elements; `fill` then checks the rest. */
function inferShape(values: readonly NestedArray[]): number[] {
  const shape: number[] = []
  let v: NestedArray | undefined = values
  while (Array.isArray(v)) {
    // A cyclic array (a = [a]) would otherwise nest forever.
    if (shape.length === MAX_NESTING) {
      throw new InvalidArgumentError(`arrays nested deeper than ${MAX_NESTING} levels`, {
        primitive: 'tensor',
        hint: 'pass a finite nesting of arrays of numbers, not a cyclic structure',
      })
    }
    shape.push(v.length)
    v = v[0]
  }
  return shape
}

/** Copies nested `v` into `out` row-major, checking every level against `shape`. */
function fill(v: unknown, shape: Shape, axis: number, out: Float64Array, at: number): number {
  if (axis === shape.length) {
    if (Array.isArray(v)) {
      throw new ShapeError('ragged nested array: found an array where a number was expected', {
        primitive: 'tensor',
        shapes: [shape],
        hint: 'every row at the same depth must have the same length',
      })
    }
    out[at] = checkNumber(v, 'every element', 'tensor')
    return at + 1
  }
  if (!Array.isArray(v) || v.length !== shape[axis]) {
    const got = Array.isArray(v) ? `length ${v.length}` : describe(v)
    throw new ShapeError(
      `ragged nested array: expected length ${shape[axis]} at depth ${axis}, got ${got}`,
      {
        primitive: 'tensor',
        shapes: [shape],
        hint: 'every row at the same depth must have the same length',
      },
    )
  }
  for (const item of v) at = fill(item, shape, axis + 1, out, at)
  return at
}

/**
 * A tensor holding `values`: a number (rank 0), a nested array (shape inferred), or a flat array,
 * `Float64Array` or `Float32Array` (rank 1). With `shape`, the values are laid out row-major in
 * that shape. `{ dtype: 'float32' }` (as the second or third argument) stores them as float32,
 * each rounded to nearest; a `Float32Array` gives float32 unless a dtype says otherwise.
 *
 * The input is copied. Throws `ShapeError` for ragged nested arrays or a `shape` whose size
 * differs from the number of values, `InvalidArgumentError` for non-number elements or a bad
 * `shape`. NaN and ±Infinity are allowed values.
 *
 * @example
 * tensor([[1, 2], [3, 4]]).shape // => [2, 2]
 * tensor([1, 2, 3, 4], [2, 2]).toArray() // => [[1, 2], [3, 4]]
 * tensor([0.5, 1], { dtype: 'float32' }).dtype // => 'float32'
 * @category values
 */
export function tensor(
  values: NestedArray | Float64Array | Float32Array | readonly number[] | number,
  shapeOrOptions?: readonly number[] | DtypeOptions,
  options?: DtypeOptions,
): Tensor {
  // an object that is not an array is the options; anything else is the shape (and checked)
  const shaped =
    typeof shapeOrOptions !== 'object' || shapeOrOptions === null || Array.isArray(shapeOrOptions)
  const shape = shaped ? (shapeOrOptions as readonly number[] | undefined) : undefined
  const given = shaped ? options : shapeOrOptions
  if (typeof given === 'object' && given !== null) onlyDtype(given, 'tensor')
  const dtype = dtypeOption(
    shaped ? options : (shapeOrOptions as DtypeOptions),
    'tensor',
    values instanceof Float32Array ? 'float32' : 'float64',
  )
  return stored(build(values, shape), dtype)
}

const build = (
  values: NestedArray | Float64Array | Float32Array | readonly number[] | number,
  shape: readonly number[] | undefined,
): Tensor => {
  let data: Float64Array | Float32Array
  let inferred: Shape
  if (values instanceof Float64Array || values instanceof Float32Array) {
    data = values.slice()
    inferred = [values.length]
  } else if (Array.isArray(values)) {
    inferred = inferShape(values)
    checkShape(inferred, 'tensor')
    data = allocate(sizeOf(inferred), 'tensor')
    fill(values, inferred, 0, data, 0)
  } else {
    data = new Float64Array([checkNumber(values, 'a tensor value', 'tensor')])
    inferred = []
  }
  if (shape === undefined) return new Tensor(data, inferred)
  const target = checkShape(shape, 'tensor')
  if (sizeOf(target) !== data.length) {
    throw new ShapeError(`cannot lay out ${data.length} values as shape [${target.join(', ')}]`, {
      primitive: 'tensor',
      shapes: [inferred, target],
      hint: 'the product of the shape must equal the number of values',
    })
  }
  return new Tensor(data, target)
}

/**
 * A rank-0 tensor holding `x`. Throws `InvalidArgumentError` if `x` is not a number.
 *
 * @example
 * scalar(3.5).item() // => 3.5
 * scalar(0.1, { dtype: 'float32' }).item() // => 0.10000000149011612
 * @category values
 */
export function scalar(x: number, options?: DtypeOptions): Tensor {
  const dtype = dtypeOption(options, 'scalar')
  return stored(new Tensor(new Float64Array([checkNumber(x, 'the value', 'scalar')]), []), dtype)
}

/**
 * A tensor of the given shape filled with `value` (float32 with `{ dtype: 'float32' }`).
 * Throws `InvalidArgumentError` for a bad shape (negative, fractional, or too many elements;
 * checked before allocating), a non-number value or an unknown dtype.
 *
 * @example
 * full([2], 7).toArray() // => [7, 7]
 * @category values
 */
export function full(shape: readonly number[], value: number, options?: DtypeOptions): Tensor {
  const s = checkShape(shape, 'full')
  const v = checkNumber(value, 'the fill value', 'full')
  const dtype = dtypeOption(options, 'full')
  return new Tensor(allocate(sizeOf(s), 'full', dtype).fill(v), s)
}

/**
 * A tensor of the given shape filled with 0 (float32 with `{ dtype: 'float32' }`). Throws
 * `InvalidArgumentError` for a bad shape or an unknown dtype.
 *
 * @example
 * zeros([2]).toArray() // => [0, 0]
 * @category values
 */
export function zeros(shape: readonly number[], options?: DtypeOptions): Tensor {
  const s = checkShape(shape, 'zeros')
  return new Tensor(allocate(sizeOf(s), 'zeros', dtypeOption(options, 'zeros')), s)
}

/**
 * A tensor of the given shape filled with 1 (float32 with `{ dtype: 'float32' }`). Throws
 * `InvalidArgumentError` for a bad shape or an unknown dtype.
 *
 * @example
 * ones([2]).toArray() // => [1, 1]
 * @category values
 */
export function ones(shape: readonly number[], options?: DtypeOptions): Tensor {
  const s = checkShape(shape, 'ones')
  return new Tensor(allocate(sizeOf(s), 'ones', dtypeOption(options, 'ones')).fill(1), s)
}

/**
 * The n × m matrix with ones on diagonal `k` and zeros elsewhere (m defaults to n; k = 0 is the
 * main diagonal, k > 0 above it, k < 0 below it, as `numpy.eye`). Throws
 * `InvalidArgumentError` unless n and m are non-negative integers and k an integer.
 *
 * @example
 * eye(2).toArray() // => [[1, 0], [0, 1]]
 * eye(2, 3, 1).toArray() // => [[0, 1, 0], [0, 0, 1]]
 * @category values
 */
export function eye(n: number, m: number = n, k = 0, options?: DtypeOptions): Tensor {
  const s = checkShape([n, m], 'eye')
  if (typeof k !== 'number' || !Number.isInteger(k)) {
    throw new InvalidArgumentError(`the diagonal offset k must be an integer, got ${describe(k)}`, {
      primitive: 'eye',
      hint: 'k = 0 is the main diagonal, k > 0 above it, k < 0 below it',
    })
  }
  const data = allocate(n * m, 'eye', dtypeOption(options, 'eye'))
  for (let i = Math.max(0, -k), end = Math.min(n, m - k); i < end; i++) data[i * m + i + k] = 1
  return new Tensor(data, s)
}

/**
 * The rank-1 tensor start, start + step, … stopping before `stop` (NumPy `arange`): it has
 * max(0, ⌈(stop − start)/step⌉) elements. `arange(stop)` counts from 0 by 1. Throws
 * `InvalidArgumentError` for a zero or non-finite step, non-finite bounds, or too many elements.
 *
 * @example
 * arange(3).toArray() // => [0, 1, 2]
 * arange(1, 2, 0.25).toArray() // => [1, 1.25, 1.5, 1.75]
 * @category values
 */
export function arange(stop: number, options?: DtypeOptions): Tensor
export function arange(start: number, stop: number, step?: number, options?: DtypeOptions): Tensor
export function arange(
  first: number,
  second?: number | DtypeOptions,
  third: number = 1,
  fourth?: DtypeOptions,
): Tensor {
  if (typeof second === 'object') return stored(arange(first), dtypeOption(second, 'arange'))
  return stored(counted(first, second, third), dtypeOption(fourth, 'arange'))
}

const counted = (first: number, second: number | undefined, third: number): Tensor => {
  const start = second === undefined ? 0 : checkFinite(first, 'start', 'arange')
  const stop = checkFinite(second ?? first, 'stop', 'arange')
  const step = checkFinite(third, 'step', 'arange')
  if (step === 0) {
    throw new InvalidArgumentError('step must not be 0', {
      primitive: 'arange',
      hint: 'use a positive step to count up or a negative one to count down',
    })
  }
  const n = Math.max(0, Math.ceil((stop - start) / step))
  if (n > MAX_SIZE) {
    throw new InvalidArgumentError(`arange would have ${n} elements`, {
      primitive: 'arange',
      hint: `a tensor holds at most ${MAX_SIZE} elements; use a larger step`,
    })
  }
  const data = allocate(n, 'arange')
  for (let i = 0; i < n; i++) data[i] = start + i * step
  return new Tensor(data, [n])
}

/** Options of {@link linspace} and {@link logspace}. */
export interface SpaceOptions {
  /** Whether `stop` is the last value (default true); if not, `num` steps stop before it. */
  readonly endpoint?: boolean
  /** `'float64'` (the default) or `'float32'`: the values are computed in float64 and rounded. */
  readonly dtype?: DType
}

const endpointOf = (options: SpaceOptions | undefined, op: string): boolean => {
  const endpoint = options?.endpoint === undefined ? true : options.endpoint
  if (typeof endpoint !== 'boolean') {
    throw new InvalidArgumentError(`endpoint must be a boolean, got ${describe(endpoint)}`, {
      primitive: op,
      hint: 'pass { endpoint: false } to leave stop out',
    })
  }
  return endpoint
}

/**
 * `num` evenly spaced values from `start` to `stop`, both included exactly (NumPy `linspace`);
 * with `{ endpoint: false }`, the `num` values start, start + (stop − start)/num, … before
 * `stop`. Throws `InvalidArgumentError` for non-finite bounds, a `num` that is not a
 * non-negative integer, or a non-boolean `endpoint`.
 *
 * @example
 * linspace(0, 1, 5).toArray() // => [0, 0.25, 0.5, 0.75, 1]
 * linspace(0, 1, 4, { endpoint: false }).toArray() // => [0, 0.25, 0.5, 0.75]
 * @category values
 */
export function linspace(start: number, stop: number, num = 50, options?: SpaceOptions): Tensor {
  return stored(spaced(start, stop, num, options), dtypeOption(options, 'linspace'))
}

const spaced = (start: number, stop: number, num: number, options?: SpaceOptions): Tensor => {
  checkFinite(start, 'start', 'linspace')
  checkFinite(stop, 'stop', 'linspace')
  checkShape([num], 'linspace')
  const endpoint = endpointOf(options, 'linspace')
  const data = allocate(num, 'linspace')
  if (num === 0) return new Tensor(data, [0])
  if (!endpoint) {
    const step = (stop - start) / num
    for (let i = 0; i < num; i++) data[i] = start + i * step
    return new Tensor(data, [num])
  }
  const step = (stop - start) / (num - 1)
  // start + i·step is monotone in i (rounding is monotone), as in NumPy; the ends are exact.
  // A rounded step can overshoot `stop` (tiny or subnormal gaps), so clamp to keep order.
  const up = stop >= start
  for (let i = 1; i < num - 1; i++) {
    const v = start + i * step
    data[i] = up ? Math.min(v, stop) : Math.max(v, stop)
  }
  data[0] = start
  if (num > 1) data[num - 1] = stop
  return new Tensor(data, [num])
}

/**
 * `num` values spaced evenly on a log scale: base ** linspace(start, stop, num, options), so
 * from base^start to base^stop (NumPy `logspace`; `base` defaults to 10). Throws as
 * {@link linspace}, and for a `base` that is not a finite number.
 *
 * @example
 * logspace(0, 3, 4).toArray() // => [1, 10, 100, 1000]
 * logspace(0, 3, 3, { base: 2, endpoint: false }).toArray() // => [1, 2, 4]
 * @category values
 */
export function logspace(
  start: number,
  stop: number,
  num = 50,
  options?: SpaceOptions & { readonly base?: number },
): Tensor {
  const base = checkFinite(options?.base === undefined ? 10 : options.base, 'base', 'logspace')
  checkFinite(start, 'start', 'logspace')
  checkFinite(stop, 'stop', 'logspace')
  endpointOf(options, 'logspace')
  const dtype = dtypeOption(options, 'logspace')
  const exponents = spaced(start, stop, num, options)
  const data = exponents.data
  for (let i = 0; i < data.length; i++) data[i] = base ** data[i]!
  return stored(exponents, dtype)
}
