/**
 * Reading tensors back from the JSON that `Tensor.toJSON` writes.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { decodeNumber, notANumber } from './json.ts'
import { checkShape, sizeOf } from './shape.ts'
import { Tensor } from './tensor.ts'

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x)

/** Whether `x` has exactly the keys `shape` and `data`: how a tensor looks in JSON. */
export const looksLikeTensor = (x: unknown): x is Record<string, unknown> => {
  if (!isRecord(x)) return false
  const keys = Object.keys(x)
  return keys.length === 2 && Object.hasOwn(x, 'shape') && Object.hasOwn(x, 'data')
}

/**
 * The tensor `json` describes: `{ shape, data }` as `Tensor.toJSON` writes it (or its text),
 * with `data` row-major and the strings "NaN", "Infinity", "-Infinity" and "-0" for those
 * values. `JSON.parse(JSON.stringify(t))` read by it equals `t` bit for bit (NaN payloads
 * aside). `where` names the value in errors.
 *
 * Throws `InvalidArgumentError` for text that is not JSON, a shape that is not a list of sizes,
 * a data list whose length is not the shape's size, and a value that encodes no number.
 * @example
 * const t = tensor([[1, -0], [Infinity, NaN]])
 * JSON.stringify(t) // => '{"shape":[2,2],"data":[1,"-0","Infinity","NaN"]}'
 * Object.is(tensorFromJSON(JSON.stringify(t)).data[1], -0) // => true
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
  const data = new Float64Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = decodeNumber(values[i])
    if (v === undefined) throw notANumber(values[i], `${where}.data[${i}]`, 'tensorFromJSON')
    data[i] = v
  }
  return new Tensor(data, shape)
}

/**
 * A reviver for `JSON.parse` that turns every object with exactly the keys `shape` and `data`
 * back into a `Tensor` (see `tensorFromJSON`), so JSON of a tree of tensors parses to the tree.
 * An object of yours with just those two keys would be read as a tensor too: `saveParams` and
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
