/**
 * Reading tensors back from the JSON that `Tensor.toJSON` writes.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { decodeNumber, notANumber } from './json.ts'
import { checkShape, sizeOf } from './shape.ts'
import { type DType, Tensor } from './tensor.ts'

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x)

/** Whether `keys` are those of a tensor in JSON: `shape` and `data`, and maybe `dtype`. */
export const tensorKeys = (keys: readonly string[]): boolean =>
  (keys.length === 2 || (keys.length === 3 && keys.includes('dtype'))) &&
  keys.includes('shape') &&
  keys.includes('data')

/**
 * Whether `x` has exactly the keys `shape` and `data`, or those and `dtype`: how a tensor looks
 * in JSON. (With a `dtype` that is not a dtype, `tensorFromJSON` then refuses it.)
 */
export const looksLikeTensor = (x: unknown): x is Record<string, unknown> =>
  isRecord(x) && tensorKeys(Object.keys(x))

/** The dtype a tensor's JSON names: float64 when it names none (as float64 JSON is written). */
const dtypeOfJSON = (x: Record<string, unknown>, where: string): DType => {
  if (!Object.hasOwn(x, 'dtype')) return 'float64'
  const d = x.dtype
  if (d === 'float32' || d === 'float64') return d
  throw new InvalidArgumentError(
    `${where}.dtype is ${typeof d === 'string' ? JSON.stringify(d.slice(0, 40)) : d === null ? 'null' : typeof d}, not "float32" or "float64"`,
    {
      primitive: 'tensorFromJSON',
      hint: 'fluxion writes "dtype": "float32" for float32 tensors and no dtype for float64',
    },
  )
}

/**
 * The tensor `json` describes: `{ shape, data }` as `Tensor.toJSON` writes it (or its text),
 * with `data` row-major and the strings "NaN", "Infinity", "-Infinity" and "-0" for those
 * values, and `dtype: "float32"` for a float32 tensor (no dtype, or "float64", is float64;
 * float32 values are rounded to the nearest float32). `JSON.parse(JSON.stringify(t))` read by
 * it equals `t` bit for bit, dtype included (NaN payloads aside). `where` names the value in
 * errors.
 *
 * Throws `InvalidArgumentError` for text that is not JSON, a shape that is not a list of sizes,
 * a data list whose length is not the shape's size, a value that encodes no number, and a
 * dtype other than "float32" or "float64".
 * @example
 * const t = tensor([[1, -0], [Infinity, NaN]])
 * JSON.stringify(t) // => '{"shape":[2,2],"data":[1,"-0","Infinity","NaN"]}'
 * Object.is(tensorFromJSON(JSON.stringify(t)).data[1], -0) // => true
 * const t32 = tensor([0.1, 1], { dtype: 'float32' })
 * JSON.stringify(t32) // => '{"shape":[2],"dtype":"float32","data":[0.1,1]}'
 * tensorFromJSON(JSON.stringify(t32)).dtype // => 'float32'
 * @category values
 */
export function tensorFromJSON(json: unknown, where = 'the tensor'): Tensor {
  let x = json
  if (typeof json === 'string') {
    try {
      x = JSON.parse(json)
    } catch (e) {
      throw new InvalidArgumentError(`${where} is not JSON: ${(e as Error).message}`, {
        primitive: 'tensorFromJSON',
        hint: 'pass the text JSON.stringify(tensor) wrote, or the object JSON.parse made of it',
      })
    }
  }
  if (!isRecord(x) || !Array.isArray(x.shape) || !Array.isArray(x.data)) {
    throw new InvalidArgumentError(`${where} is not a { shape, data } object`, {
      primitive: 'tensorFromJSON',
      hint: 'a tensor in JSON is { "shape": [2, 3], "data": [...6 numbers] }',
    })
  }
  const shape = checkShape(x.shape, 'tensorFromJSON')
  const values: readonly unknown[] = x.data
  if (sizeOf(shape) !== values.length) {
    throw new InvalidArgumentError(
      `${where} has shape [${shape.join(', ')}] but ${values.length} values`,
      {
        primitive: 'tensorFromJSON',
        shapes: [shape],
        hint: 'data lists every value in row-major order: as many as the shape has elements',
      },
    )
  }
  // a float32 value written as its shortest decimal reads back to itself by rounding here
  const data =
    dtypeOfJSON(x, where) === 'float32'
      ? new Float32Array(values.length)
      : new Float64Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = decodeNumber(values[i])
    if (v === undefined) throw notANumber(values[i], `${where}.data[${i}]`, 'tensorFromJSON')
    data[i] = v
  }
  return new Tensor(data, shape)
}

/**
 * A reviver for `JSON.parse` that turns every object with exactly the keys `shape` and `data`
 * (and maybe `dtype`) back into a `Tensor` (see `tensorFromJSON`), so JSON of a tree of tensors
 * parses to the tree. An object of yours with just those keys would be read as a tensor too: `saveParams` and
 * `loadParams` keep the two apart. (`JSON.parse` revives recursively: for trees nested
 * thousands of levels deep, use `loadParams`.)
 * @example
 * const text = JSON.stringify({ w: tensor([1, 2]), b: 3 })
 * JSON.parse(text, tensorReviver).w.toArray() // => [1, 2]
 * @category values
 */
export function tensorReviver(this: unknown, key: string, value: unknown): unknown {
  return looksLikeTensor(value) ? tensorFromJSON(value, key === '' ? 'the tensor' : key) : value
}
