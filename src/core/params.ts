/**
 * Saving and loading parameter trees as JSON text. In the `fluxion` root, not `fluxion/nn`:
 * any tree of numbers and tensors can be saved — a model's parameters, an optimizer's state,
 * a solver's iterate — and nothing here knows a layer. The library only makes and reads text
 * (and bytes, in safetensors.ts); writing it to a file or to `localStorage` is yours, so the
 * same code runs in Node and in browsers.
 *
 * Format: `{"fluxion":"params","version":1,"tree":…}`, the tree written as itself — arrays as
 * arrays, objects as objects, numbers as numbers (NaN, ±Infinity and −0 as the strings "NaN",
 * "Infinity", "-Infinity", "-0"), a tensor as `{"shape":[…],"data":[…]}`, `null` as null and
 * `undefined` as the string "undefined"; a float32 tensor as `{"shape":[…],"dtype":"float32",
 * "data":[…]}`, its values the shortest decimals that read back to the same float32. An object
 * of yours whose keys are exactly `shape` and `data` (or those and `dtype`), or one key starting
 * with `$`, is written as `{"$object":{…}}` so it is never taken for a tensor.
 *
 * Laws: tree-roundtrip (`loadParams(saveParams(t))` rebuilds `t`, kinds and values bit for bit).
 * @module
 */

import { looksLikeTensor, tensorFromJSON, tensorKeys } from '../tensor/from-json.ts'
import { decodeNumber, encodeNumber, notANumber } from '../tensor/json.ts'
import { Tensor } from '../tensor/tensor.ts'
import { withDtype } from './dtype.ts'
import { InvalidArgumentError, TreeMismatchError } from './errors.ts'
import { isNumberKind, type Val } from './tracer.ts'
import { flatten, flattenAs, type LeafDef, type Tree, type TreeDef, unflatten } from './tree.ts'
import { formatPath, leafPaths, walkDef } from './tree-walk.ts'

const FORMAT = 'params'
const VERSION = 1

/** Whether an object node must be wrapped in `{"$object": …}` to keep it apart from a tensor. */
const needsWrap = (keys: readonly string[]): boolean =>
  tensorKeys(keys) || (keys.length === 1 && keys[0]!.startsWith('$'))

/**
 * `tree` as JSON text that `loadParams` reads back exactly: structure, leaf kinds (number or
 * tensor), shapes, dtypes and every value bit for bit (NaN payloads aside), ±0 and ±∞
 * included.
 * Deep trees cost heap, not stack. It lives in the `fluxion` root, not `fluxion/nn`, because
 * every kind of tree saves — parameters, an optimizer's state, a solver's iterate.
 *
 * Throws `InvalidArgumentError` for a leaf that is not a number or tensor, and
 * `ConcretizationError` for a traced value (save outside the transformation, or `value(x)`).
 * @example
 * const text = saveParams({ w: tensor([1, -0]), b: NaN })
 * text // => '{"fluxion":"params","version":1,"tree":{"w":{"shape":[2],"data":[1,"-0"]},"b":"NaN"}}'
 * loadParams(text).b // => NaN
 * @category trees
 */
export function saveParams(tree: unknown): string {
  const { leaves, def } = flatten(tree, 'params')
  const parts: string[] = [`{"fluxion":"${FORMAT}","version":${VERSION},"tree":`]
  // per open node: whether a child has been written, and whether it was wrapped
  const started: boolean[] = []
  const wrapped: boolean[] = []
  let next = 0
  for (const e of walkDef(def)) {
    if (e.type === 'close') {
      started.pop()
      parts.push(e.def.kind === 'array' ? ']' : wrapped.pop() ? '}}' : '}')
      continue
    }
    const n = started.length
    if (n > 0) {
      if (started[n - 1]) parts.push(',')
      started[n - 1] = true
    }
    if (typeof e.key === 'string') parts.push(`${JSON.stringify(e.key)}:`)
    if (e.type === 'leaf') parts.push(leafJSON(leaves[next++]!))
    else if (e.type === 'empty') parts.push(e.value === null ? 'null' : '"undefined"')
    else if (e.def.kind === 'array') {
      parts.push('[')
      started.push(false)
    } else {
      const wrap = needsWrap(e.def.keys)
      parts.push(wrap ? '{"$object":{' : '{')
      started.push(false)
      wrapped.push(wrap)
    }
  }
  parts.push('}')
  return parts.join('')
}

/** A leaf as JSON; a traced leaf's own `toJSON` refuses with `ConcretizationError`. */
const leafJSON = (leaf: Val): string =>
  typeof leaf === 'number' ? JSON.stringify(encodeNumber(leaf)) : JSON.stringify(leaf.toJSON())

/**
 * The tree `saveParams` wrote into `text`, each tensor of the dtype it was saved with. With
 * `expected` (a tree of the structure and leaf shapes you expect, e.g. freshly initialised
 * parameters), the loaded tree must match it — structure, shapes, and kinds (number or
 * tensor) — and comes back with its key order and type, and with the dtype of each expected
 * leaf: a float64 value loaded into a float32 leaf is rounded to the nearest float32, a
 * float32 one into a float64 leaf widened exactly (as a restore into a target casts, in
 * Orbax and flax), so loading a checkpoint never changes the dtype of the model it fills.
 *
 * Throws `InvalidArgumentError` for text that is not a fluxion params file (bad JSON, another
 * format or version, a value that is no number, tensor, array, object or empty subtree), and
 * `TreeMismatchError` naming the path and both shapes when it does not match `expected`.
 * @example
 * const params = { w: tensor([1, 2]), b: 0.5 }
 * loadParams(saveParams(params), params).w.toArray() // => [1, 2]
 * const small = { w: tensor([0, 0], { dtype: 'float32' }), b: 0 }
 * loadParams(saveParams(params), small).w.dtype // => 'float32'
 * @category trees
 */
export function loadParams(text: string): Tree
export function loadParams<T>(text: string, expected: T): T
export function loadParams(text: string, expected?: unknown): unknown {
  const tree = decodeTree(parseParamsText(text))
  return expected === undefined ? tree : matchExpected(tree, expected, 'loadParams')
}

const invalid = (message: string, hint: string): InvalidArgumentError =>
  new InvalidArgumentError(message, { primitive: 'loadParams', hint })

/** The encoded tree inside the text of a params file. */
const parseParamsText = (text: unknown): unknown => {
  if (typeof text !== 'string') {
    throw invalid('loadParams takes the text saveParams wrote', 'pass a string, not the object')
  }
  let file: unknown
  try {
    file = JSON.parse(text)
  } catch (e) {
    throw invalid(
      `the params text is not JSON: ${(e as Error).message}`,
      'pass the text saveParams wrote, unchanged',
    )
  }
  if (
    typeof file !== 'object' ||
    file === null ||
    (file as { fluxion?: unknown }).fluxion !== FORMAT ||
    !Object.hasOwn(file, 'tree')
  ) {
    throw invalid(
      'the text is not a fluxion params file',
      'loadParams reads what saveParams wrote: {"fluxion":"params","version":1,"tree":…}',
    )
  }
  const version = (file as { version?: unknown }).version
  if (version !== VERSION) {
    throw invalid(
      `params version ${JSON.stringify(version)} is not ${VERSION}`,
      'save the parameters again with this version of fluxion',
    )
  }
  return (file as { tree: unknown }).tree
}

/** A node of the encoded tree being decoded: its value, keys, and child defs so far. */
interface DecodeFrame {
  readonly node: object
  readonly keys: readonly string[] | undefined
  readonly children: TreeDef[]
  readonly path: string
  i: number
}

const NUMBER_LEAF: LeafDef = { kind: 'leaf', number: true, shape: [] }

/** The tree an encoded tree describes, walked with a stack of frames (deep trees are fine). */
function decodeTree(encoded: unknown): unknown {
  const leaves: Val[] = []
  const stack: DecodeFrame[] = []
  const open = (x: unknown, path: string): TreeDef => {
    if (x === null) return { kind: 'empty', value: null }
    if (x === 'undefined') return { kind: 'empty', value: undefined }
    if (typeof x !== 'object') {
      const v = decodeNumber(x)
      if (v === undefined) throw notANumber(x, path, 'loadParams')
      leaves.push(v)
      return NUMBER_LEAF
    }
    if (looksLikeTensor(x)) {
      const t = tensorFromJSON(x, path)
      leaves.push(t)
      return { kind: 'leaf', number: false, shape: t.shape }
    }
    let node: object = x
    if (!Array.isArray(x)) {
      const keys = Object.keys(x)
      if (keys.length === 1 && keys[0] === '$object') {
        node = (x as { $object: unknown }).$object as object
        if (typeof node !== 'object' || node === null || Array.isArray(node)) {
          throw invalid(`${path}.$object is not an object`, 'saveParams writes {"$object":{…}}')
        }
      } else if (keys.length === 1 && keys[0]!.startsWith('$')) {
        throw invalid(`${path} has the unknown key ${keys[0]}`, 'saveParams writes $object only')
      }
    }
    const keys = Array.isArray(node) ? undefined : Object.keys(node)
    const children = new Array<TreeDef>(
      keys === undefined ? (node as unknown[]).length : keys.length,
    )
    stack.push({ node, keys, children, path, i: 0 })
    return keys === undefined ? { kind: 'array', children } : { kind: 'object', keys, children }
  }
  const def = open(encoded, 'tree')
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    const { node, keys, children, path } = frame
    if (frame.i === children.length) {
      stack.pop()
      continue
    }
    const i = frame.i++
    const key = keys === undefined ? i : keys[i]!
    children[i] = open((node as Record<string | number, unknown>)[key], formatPath(path, [key]))
  }
  return unflatten(def, leaves)
}

/**
 * `tree` checked against `expected` — structure, leaf shapes and kinds — and rebuilt with the
 * expected tree's key order, each tensor converted to the dtype of the expected leaf (rounded
 * to nearest when narrowing to float32). Throws `TreeMismatchError` naming the path and both
 * shapes.
 */
export function matchExpected(tree: unknown, expected: unknown, op: string): unknown {
  const { def, leafDefs } = flatten(expected, 'the expected tree')
  const leaves = flattenAs(def, tree, 'loaded', undefined, {
    against: 'the expected tree',
    primitive: op,
    hint: 'load into a tree of the structure and shapes that were saved',
  })
  leafDefs.forEach((leaf, j) => {
    const loaded = leaves[j]!
    if (leaf.number === isNumberKind(loaded)) {
      // the template's dtype wins, as a restore into a target does in Orbax/flax
      if (loaded instanceof Tensor) leaves[j] = withDtype(loaded, leaf.dtype ?? 'float64')
      return
    }
    const path = formatPath('loaded', leafPaths(def)[j]!)
    throw new TreeMismatchError(
      `loaded does not match the expected tree at ${path}: ${loaded instanceof Tensor ? 'a tensor of shape []' : 'a number'} instead of ${leaf.number ? 'a number' : 'a tensor of shape []'}`,
      {
        primitive: op,
        hint: 'load into a tree of the structure and shapes that were saved',
      },
    )
  })
  return unflatten(def, leaves)
}
