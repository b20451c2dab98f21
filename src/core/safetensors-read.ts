/**
 * Reading safetensors files (the format is described in safetensors.ts): every length, offset,
 * dtype and shape of the header checked against the bytes before anything is read, so
 * malformed input is an `InvalidArgumentError` — never a bare error, a hang or an allocation
 * beyond the size of the input.
 * @module
 */
import { Tensor } from '../tensor/tensor.ts'
import { InvalidArgumentError } from './errors.ts'
import { matchExpected } from './params.ts'
import { codecs, MAX_HEADER, nameOf, STRUCTURE_KEY } from './safetensors.ts'
import type { Val } from './tracer.ts'
import { flatten, type LeafDef, type Tree, type TreeDef, unflatten } from './tree.ts'
import { leafPaths, walkDef } from './tree-walk.ts'

const malformed = (message: string, hint = 'pass the bytes of a safetensors file, unchanged') =>
  new InvalidArgumentError(message, { primitive: 'loadParamsBinary', hint })

/** The dtypes fluxion reads, and the bytes of one value of each. */
const BYTES: ReadonlyMap<unknown, 4 | 8> = new Map([
  ['F64', 8],
  ['F32', 4],
])

/** One tensor entry of a header, validated. */
interface Entry {
  readonly name: string
  /** Bytes a value: 8 for "F64", 4 for "F32". */
  readonly bytes: 4 | 8
  readonly shape: readonly number[]
  readonly begin: number
  readonly end: number
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x)

const isOffset = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0

/**
 * The tree in `bytes`, a safetensors file of float64 ("F64") and float32 ("F32") tensors, each
 * read as a tensor of its own dtype. A file `saveParamsBinary` wrote comes back as the tree it
 * saved. A file from elsewhere (no fluxion structure in its metadata) comes back as an object
 * of tensors by name — or, with `expected`, as a tree of that structure whose tensors are
 * looked up by path (`layers.0.w`). With `expected` the result must match it — structure, leaf
 * shapes and kinds — and each tensor takes the dtype of its expected leaf: "F64" data loaded
 * into a float32 leaf is rounded to the nearest float32, "F32" data into a float64 leaf widened
 * exactly (as a restore into a target casts, in Orbax and flax). Without `expected` the file's
 * dtypes are kept. Values may start at any byte offset (they are copied, not viewed).
 *
 * Throws `InvalidArgumentError` for malformed bytes — truncated, a header length beyond the
 * buffer, a header that is not JSON, a dtype other than "F64" or "F32" (the message names it:
 * "F16", "BF16", "I64" … are refused, not converted), offsets out of range,
 * overlapping or leaving holes, a shape that does not fit its bytes — and `TreeMismatchError`
 * naming the path and both shapes when the tree does not match `expected`. Never allocates more
 * than the size of `bytes`.
 * @example
 * const params = { w: tensor([[1, 2], [3, 4]]), b: -0 }
 * const loaded = loadParamsBinary(saveParamsBinary(params), params)
 * loaded.w.toArray() // => [[1, 2], [3, 4]]
 * Object.is(loaded.b, -0) // => true
 * @category trees
 */
export function loadParamsBinary(bytes: Uint8Array): Tree
export function loadParamsBinary<T>(bytes: Uint8Array, expected: T): T
export function loadParamsBinary(bytes: Uint8Array, expected?: unknown): unknown {
  const input: unknown = bytes
  const buf =
    input instanceof Uint8Array
      ? input
      : input instanceof ArrayBuffer
        ? new Uint8Array(input)
        : undefined
  if (buf === undefined) {
    throw malformed('loadParamsBinary takes a Uint8Array', 'pass the bytes (a Buffer works)')
  }
  const { entries, metadata, dataStart } = readHeader(buf)
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const tensors = new Map<string, Tensor>()
  // DataView reads little-endian values at any offset: no alignment needed, on any host
  for (const e of entries) {
    const n = (e.end - e.begin) / e.bytes
    const start = dataStart + e.begin
    let data: Float64Array | Float32Array
    if (e.bytes === 8) {
      data = new Float64Array(n)
      for (let k = 0, at = start; k < n; k++, at += 8) data[k] = view.getFloat64(at, true)
    } else {
      data = new Float32Array(n)
      for (let k = 0, at = start; k < n; k++, at += 4) data[k] = view.getFloat32(at, true)
    }
    tensors.set(e.name, new Tensor(data, e.shape))
  }
  const structure = metadata?.[STRUCTURE_KEY]
  const tree =
    structure !== undefined
      ? fromStructure(structure, tensors)
      : expected !== undefined
        ? byPaths(expected, tensors)
        : byName(entries, tensors)
  return expected === undefined ? tree : matchExpected(tree, expected, 'loadParamsBinary')
}

/** The validated header: entries sorted by offset, the metadata, where the data starts. */
const readHeader = (
  buf: Uint8Array,
): {
  readonly entries: Entry[]
  readonly metadata: Record<string, string> | undefined
  readonly dataStart: number
} => {
  if (buf.length < 8) malformedThrow(`${buf.length} bytes: too short for the header length`)
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const n = view.getBigUint64(0, true)
  if (n > BigInt(buf.length - 8)) {
    malformedThrow(`the header length ${n} is beyond the buffer of ${buf.length} bytes`)
  }
  if (n > BigInt(MAX_HEADER)) malformedThrow(`the header length ${n} is over ${MAX_HEADER}`)
  const dataStart = 8 + Number(n)
  const { TextDecoder } = codecs()
  let header: unknown
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, dataStart))
    header = JSON.parse(text)
  } catch (e) {
    malformedThrow(`the header is not JSON text: ${(e as Error).message}`)
  }
  if (!isRecord(header)) malformedThrow('the header is not a JSON object')
  const dataLength = buf.length - dataStart
  let metadata: Record<string, string> | undefined
  const entries: Entry[] = []
  for (const name of Object.keys(header)) {
    const info = header[name]
    if (name === '__metadata__') {
      if (!isRecord(info) || Object.values(info).some((v) => typeof v !== 'string')) {
        malformedThrow('__metadata__ is not an object of strings')
      }
      metadata = info as Record<string, string>
      continue
    }
    entries.push(entryOf(name, info, dataLength))
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end)
  let covered = 0
  for (const e of entries) {
    if (e.begin !== covered) {
      malformedThrow(
        e.begin < covered
          ? `tensor ${JSON.stringify(e.name)} overlaps another at byte ${e.begin}`
          : `bytes ${covered}–${e.begin} of the data belong to no tensor`,
      )
    }
    covered = e.end
  }
  if (covered !== dataLength) {
    malformedThrow(`bytes ${covered}–${dataLength} of the data belong to no tensor`)
  }
  return { entries, metadata, dataStart }
}

function malformedThrow(message: string): never {
  throw malformed(message)
}

/** A header entry, checked: F64 or F32, a shape of sizes, offsets in range fitting the shape. */
const entryOf = (name: string, info: unknown, dataLength: number): Entry => {
  const what = `tensor ${JSON.stringify(name.slice(0, 80))}`
  if (!isRecord(info)) malformedThrow(`${what} is not described by an object`)
  const { dtype, shape, data_offsets: offsets } = info
  const bytes = BYTES.get(dtype)
  if (bytes === undefined) {
    throw malformed(
      `${what} has dtype ${typeof dtype === 'string' ? JSON.stringify(dtype.slice(0, 20)) : String(dtype)}, which fluxion does not read`,
      'fluxion reads float64 ("F64") and float32 ("F32") tensors; convert others before saving, e.g. x.astype(np.float32)',
    )
  }
  if (!Array.isArray(shape) || !shape.every(isOffset)) {
    malformedThrow(`${what} has a shape that is not a list of sizes`)
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isOffset)) {
    malformedThrow(`${what} has data_offsets that are not [begin, end]`)
  }
  const [begin, end] = offsets as [number, number]
  if (begin > end || end > dataLength) {
    malformedThrow(
      `${what} has data_offsets [${begin}, ${end}] outside the ${dataLength} data bytes`,
    )
  }
  // the element count, stopping once it exceeds what the bytes can hold (a size 0 anywhere
  // makes it 0, however large the others)
  let size = (shape as number[]).includes(0) ? 0 : 1
  for (const d of shape as number[]) {
    if (size === 0 || size > dataLength) break
    size *= d
  }
  if (size * bytes !== end - begin) {
    malformedThrow(`${what} has shape [${(shape as number[]).join(', ')}] but ${end - begin} bytes`)
  }
  return { name, bytes, shape: (shape as number[]).slice(), begin, end }
}

/** A plain object of the tensors by name, in data order. */
const byName = (entries: readonly Entry[], tensors: ReadonlyMap<string, Tensor>): Tree => {
  const out: Record<string, Tensor> = {}
  for (const e of entries) {
    Object.defineProperty(out, e.name, {
      value: tensors.get(e.name),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

/** The tree of `expected`'s structure, its tensors looked up by path name. */
const byPaths = (expected: unknown, tensors: ReadonlyMap<string, Tensor>): unknown => {
  const { def, leafDefs } = flatten(expected, 'the expected tree')
  return assemble(def, leafDefs, tensors)
}

/** The leaves of `def`, from `tensors` by path name; numbers where the def has number leaves. */
const assemble = (
  def: TreeDef,
  leafDefs: readonly LeafDef[],
  tensors: ReadonlyMap<string, Tensor>,
): unknown => {
  const names = leafPaths(def).map(nameOf)
  const unused = new Set(tensors.keys())
  const leaves: Val[] = names.map((name, j) => {
    const t = tensors.get(name)
    if (t === undefined) malformedThrow(`the file has no tensor named ${JSON.stringify(name)}`)
    unused.delete(name)
    if (!leafDefs[j]!.number) return t
    if (t.rank !== 0) malformedThrow(`the number ${JSON.stringify(name)} is not a rank-0 tensor`)
    return t.data[0]!
  })
  const [extra] = unused
  if (extra !== undefined) malformedThrow(`tensor ${JSON.stringify(extra)} is not in the tree`)
  return unflatten(def, leaves)
}

/** The tree a `fluxion.tree` structure describes, holding the tensors of the file. */
const fromStructure = (text: string, tensors: ReadonlyMap<string, Tensor>): unknown => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    malformedThrow(`the ${STRUCTURE_KEY} metadata is not JSON: ${(e as Error).message}`)
  }
  const def = structureDef(json)
  const leafDefs: LeafDef[] = []
  for (const e of walkDef(def)) if (e.type === 'leaf') leafDefs.push(e.def)
  return assemble(def, leafDefs, tensors)
}

const NUMBER: LeafDef = { kind: 'leaf', number: true, shape: [] }
// a tensor leaf's shape comes from the file, not from the structure
const TENSOR: LeafDef = { kind: 'leaf', number: false, shape: [] }

/** The def a structure JSON describes, built with a stack of frames (deep trees are fine). */
const structureDef = (json: unknown): TreeDef => {
  const stack: {
    readonly node: object
    readonly keys?: string[]
    readonly children: TreeDef[]
    i: number
  }[] = []
  const open = (x: unknown): TreeDef => {
    if (x === 'number') return NUMBER
    if (x === 'tensor') return TENSOR
    if (x === null) return { kind: 'empty', value: null }
    if (x === 'undefined') return { kind: 'empty', value: undefined }
    if (typeof x !== 'object') malformedThrow(`the ${STRUCTURE_KEY} metadata holds ${typeof x}`)
    const node = x as object
    if (Array.isArray(node)) {
      const children = new Array<TreeDef>(node.length)
      stack.push({ node, children, i: 0 })
      return { kind: 'array', children }
    }
    const keys = Object.keys(node)
    const children = new Array<TreeDef>(keys.length)
    stack.push({ node, keys, children, i: 0 })
    return { kind: 'object', keys, children }
  }
  const def = open(json)
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    if (frame.i === frame.children.length) {
      stack.pop()
      continue
    }
    const i = frame.i++
    const child =
      frame.keys === undefined
        ? (frame.node as unknown[])[i]
        : (frame.node as Record<string, unknown>)[frame.keys[i]!]
    frame.children[i] = open(child)
  }
  return def
}
