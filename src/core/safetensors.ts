/**
 * Saving and loading parameter trees as bytes in the safetensors format
 * (https://github.com/huggingface/safetensors), which Python's `safetensors`, PyTorch, JAX and
 * NumPy read: an 8-byte little-endian header length N, N bytes of JSON header — for each tensor
 * its `dtype` ("F64" or "F32"), `shape` and `data_offsets` [begin, end) into the data — then the
 * raw little-endian data (8 or 4 bytes a value), with no holes. In the `fluxion` root for the reasons params.ts
 * gives; the library makes and reads a `Uint8Array`, and writing it is yours. Reading, with
 * every check a file from elsewhere needs, is in safetensors-read.ts.
 *
 * Tensor names are tree paths, `layers.0.w` (a `.` or `%` inside a key is written `%2E`, `%25`).
 * A number leaf is a rank-0 tensor; the header's `__metadata__` keeps the tree's structure, with
 * which leaves were numbers, under `fluxion.tree`, so the tree comes back exactly.
 *
 * Laws: tree-roundtrip (`loadParamsBinary(saveParamsBinary(t))` rebuilds `t` bit for bit).
 * @module
 */
import { InvalidArgumentError } from './errors.ts'
import { flatten, type TreeDef } from './tree.ts'
import { leafPaths, type PathSegment, walkDef } from './tree-walk.ts'

/**
 * The platform's UTF-8 codecs (in Node and every browser), typed here because the library
 * compiles without the DOM and Node type libraries.
 */
interface TextCodecs {
  readonly TextEncoder: new () => { encode(text: string): Uint8Array }
  readonly TextDecoder: new (
    label: 'utf-8',
    options: { readonly fatal: boolean },
  ) => { decode(bytes: Uint8Array): string }
}
export const codecs = (): TextCodecs => {
  const g = globalThis as typeof globalThis & Partial<TextCodecs>
  if (g.TextEncoder === undefined || g.TextDecoder === undefined) {
    throw new InvalidArgumentError('this JavaScript environment has no TextEncoder/TextDecoder', {
      hint: 'run in Node ≥ 20 or a browser, or install a TextEncoder polyfill',
    })
  }
  return { TextEncoder: g.TextEncoder, TextDecoder: g.TextDecoder }
}

/** The metadata key under which the tree's structure is kept. */
export const STRUCTURE_KEY = 'fluxion.tree'
/** The header limit of the reference implementation: a bigger one is refused before parsing. */
export const MAX_HEADER = 100_000_000

/** A tensor's name: its path, `.`-separated, with `%` and `.` in keys escaped. */
export const nameOf = (path: readonly PathSegment[]): string => {
  const name = path
    .map((k) => (typeof k === 'number' ? String(k) : k.replace(/%/g, '%25').replace(/\./g, '%2E')))
    .join('.')
  // the one name the format reserves; no escaped name starts with %5F, so this stays unique
  return name === '__metadata__' ? '%5F_metadata__' : name
}

/** The structure as JSON: "number" and "tensor" for leaves, null, "undefined", arrays, objects. */
const structureJSON = (def: TreeDef): string => {
  const parts: string[] = []
  const started: boolean[] = []
  for (const e of walkDef(def)) {
    if (e.type === 'close') {
      started.pop()
      parts.push(e.def.kind === 'array' ? ']' : '}')
      continue
    }
    const n = started.length
    if (n > 0) {
      if (started[n - 1]) parts.push(',')
      started[n - 1] = true
    }
    if (typeof e.key === 'string') parts.push(`${JSON.stringify(e.key)}:`)
    if (e.type === 'leaf') parts.push(e.def.number ? '"number"' : '"tensor"')
    else if (e.type === 'empty') parts.push(e.value === null ? 'null' : '"undefined"')
    else {
      parts.push(e.def.kind === 'array' ? '[' : '{')
      started.push(false)
    }
  }
  return parts.join('')
}

/**
 * `tree` as the bytes of a safetensors file: every leaf a tensor named by its path, "F32" (4
 * bytes a value) for a float32 tensor and "F64" for a float64 one or a number, the structure in
 * the metadata. `loadParamsBinary` reads it back bit for bit, dtypes included (NaN payloads
 * aside; ±0 and ±∞ exact), and so does Python's `safetensors.numpy.load_file`. The float64 data
 * comes first, then the float32, so every tensor starts at a multiple of its value size (as the
 * reference writer orders them) and a reader may view it in place.
 *
 * Throws `InvalidArgumentError` for a leaf that is not a number or tensor, and
 * `ConcretizationError` for a traced value (save outside the transformation).
 * @example
 * const bytes = saveParamsBinary({ w: tensor([1, 2]), b: 3 })
 * new DataView(bytes.buffer).getFloat64(bytes.length - 8, true) // => 3
 * loadParamsBinary(bytes).b // => 3
 * const half = saveParamsBinary({ w: tensor([1, 2], { dtype: 'float32' }) })
 * loadParamsBinary(half).w.dtype // => 'float32'
 * @category trees
 */
export function saveParamsBinary(tree: unknown): Uint8Array {
  const { leaves, def, leafDefs } = flatten(tree, 'params')
  const names = leafPaths(def).map(nameOf)
  // reading `data` of a traced leaf throws ConcretizationError before anything is written
  const datas = leaves.map((l) => (typeof l === 'number' ? Float64Array.of(l) : l.data))
  // float64 data first, then float32: each tensor aligned to its value size
  const order = datas.map((_, i) => i)
  const wide = order.filter((i) => !(datas[i] instanceof Float32Array))
  const narrow = order.filter((i) => datas[i] instanceof Float32Array)
  const header: Record<string, unknown> = {}
  const put = (key: string, value: unknown): void => {
    // defineProperty: a leaf named __proto__ stays a key of the header
    Object.defineProperty(header, key, { value, enumerable: true, writable: true })
  }
  put('__metadata__', { [STRUCTURE_KEY]: structureJSON(def) })
  const offsets = new Array<number>(datas.length)
  let offset = 0
  for (const i of [...wide, ...narrow]) {
    offsets[i] = offset
    offset += datas[i]!.length * datas[i]!.BYTES_PER_ELEMENT
  }
  names.forEach((name, i) => {
    const data = datas[i]!
    const begin = offsets[i]!
    const end = begin + data.length * data.BYTES_PER_ELEMENT
    const dtype = data instanceof Float32Array ? 'F32' : 'F64'
    put(name, { dtype, shape: leafDefs[i]!.shape, data_offsets: [begin, end] })
  })
  const json = new (codecs().TextEncoder)().encode(JSON.stringify(header))
  // padded with spaces to a multiple of 8, so the data starts aligned (as the reference does)
  const n = Math.ceil(json.length / 8) * 8
  const bytes = new Uint8Array(8 + n + offset)
  const view = new DataView(bytes.buffer)
  view.setBigUint64(0, BigInt(n), true)
  bytes.set(json, 8)
  bytes.fill(0x20, 8 + json.length, 8 + n)
  let at = 8 + n
  for (const i of wide) {
    const data = datas[i]!
    for (let k = 0; k < data.length; k++, at += 8) view.setFloat64(at, data[k]!, true)
  }
  for (const i of narrow) {
    const data = datas[i]!
    for (let k = 0; k < data.length; k++, at += 4) view.setFloat32(at, data[k]!, true)
  }
  return bytes
}
