/**
 * Trees (JAX's pytrees): numbers and tensors nested in arrays and plain objects. Every
 * transformation flattens its arguments to leaves, works on the leaves, and rebuilds trees of
 * the same structure. Objects are treated as plain data: keys such as `__proto__` or
 * `constructor` are ordinary keys, never prototypes.
 *
 * Laws: tree-roundtrip (`unflatten(def, flatten(t).leaves)` rebuilds `t`).
 * @module
 */
import { Tensor } from '../tensor/tensor.ts'
import { InvalidArgumentError, TreeMismatchError } from './errors.ts'
import { isNumberKind, shapeOf, Tracer, type Val } from './tracer.ts'

/** A tree of numbers and tensors in arrays and plain objects. */
export type Tree =
  | number
  | Tensor
  | null
  | undefined
  | readonly Tree[]
  | { readonly [key: string]: Tree }

/** A leaf's place in a tree: its kind (JS number or tensor) and shape. */
export type LeafDef = {
  readonly kind: 'leaf'
  readonly number: boolean
  readonly shape: readonly number[]
}

/** A flattened tree: its leaves in order, its structure, and each leaf's def. */
export interface Flat {
  readonly leaves: Val[]
  readonly def: TreeDef
  readonly leafDefs: readonly LeafDef[]
}

/** The structure of a tree with its leaves taken out. */
export type TreeDef =
  | LeafDef
  | { readonly kind: 'array'; readonly children: readonly TreeDef[] }
  | { readonly kind: 'empty'; readonly value: null | undefined }
  | {
      readonly kind: 'object'
      readonly keys: readonly string[]
      readonly children: readonly TreeDef[]
    }

const isPlainObject = (x: object): boolean => {
  const proto = Object.getPrototypeOf(x)
  return proto === Object.prototype || proto === null
}

const describe = (x: unknown): string =>
  x === null
    ? 'null'
    : Array.isArray(x)
      ? 'array'
      : typeof x === 'object'
        ? (x.constructor?.name ?? 'object')
        : typeof x

/**
 * Leaves (in order: arrays by index, objects by key order) and structure of `tree`. `where`
 * names the tree in errors (`"argument 0"`). Throws `InvalidArgumentError` on a leaf that is not
 * a number or tensor, on a cycle, and on a Promise.
 */
export function flatten(tree: unknown, where: string): Flat {
  if (Array.isArray(tree) && tree.every((x) => typeof x === 'number')) {
    // the common case of scalar code over many parameters, without per-leaf pushes
    const defs = new Array<LeafDef>(tree.length).fill(NUMBER_LEAF)
    return { leaves: tree.slice(), def: { kind: 'array', children: defs }, leafDefs: defs }
  }
  const leaves: Val[] = []
  const leafDefs: LeafDef[] = []
  const onPath = new Set<object>()
  // path segments (indices and keys), formatted only when an error needs them
  const segments: (string | number)[] = []
  const path = (): string =>
    where + segments.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')
  const walk = (x: unknown): TreeDef => {
    if (typeof x === 'number') {
      leaves.push(x)
      leafDefs.push(NUMBER_LEAF)
      return NUMBER_LEAF
    }
    // null and undefined are empty subtrees, as None is in JAX: structure without leaves
    if (x === null || x === undefined) return { kind: 'empty', value: x }
    if (x instanceof Tensor || x instanceof Tracer) {
      const leaf: LeafDef = { kind: 'leaf', number: isNumberKind(x), shape: shapeOf(x) }
      leaves.push(x)
      leafDefs.push(leaf)
      return leaf
    }
    if (typeof x !== 'object' || x === null) throw invalidLeaf(x, path())
    if (typeof (x as { then?: unknown }).then === 'function') {
      throw new InvalidArgumentError(`${path()} is a Promise`, {
        hint: 'transformations are synchronous: await before differentiating, not inside',
      })
    }
    if (onPath.has(x)) {
      throw new InvalidArgumentError(`${path()} contains itself`, {
        hint: 'trees cannot be cyclic',
      })
    }
    onPath.add(x)
    let def: TreeDef
    if (Array.isArray(x)) {
      const children = new Array<TreeDef>(x.length)
      let i = 0
      // fast path for the common array of numbers (scalar code over many parameters)
      for (; i < x.length && typeof x[i] === 'number'; i++) {
        leaves.push(x[i] as number)
        leafDefs.push(NUMBER_LEAF)
        children[i] = NUMBER_LEAF
      }
      for (; i < x.length; i++) {
        segments.push(i)
        children[i] = walk(x[i])
        segments.pop()
      }
      def = { kind: 'array', children }
    } else if (isPlainObject(x)) {
      const keys = Object.keys(x)
      const record = x as Record<string, unknown>
      const children = keys.map((k) => {
        segments.push(k)
        const c = walk(record[k])
        segments.pop()
        return c
      })
      def = { kind: 'object', keys, children }
    } else {
      throw invalidLeaf(x, path())
    }
    onPath.delete(x)
    return def
  }
  const def = walk(tree)
  return { leaves, def, leafDefs }
}

/** The def of every number leaf (shared: number leaves are the common case in scalar code). */
const NUMBER_LEAF: LeafDef = Object.freeze({ kind: 'leaf', number: true, shape: [] })

const invalidLeaf = (x: unknown, path: string): InvalidArgumentError =>
  new InvalidArgumentError(
    `${path} is a ${describe(x)}, not a number, Tensor, array or plain object`,
    {
      hint: 'trees hold numbers and tensors in arrays and plain objects',
    },
  )

/**
 * Leaves of `tree`, which must have the structure `def` (same array lengths, same keys in any
 * order, leaf shapes equal). `what` names the tree in errors. Throws `TreeMismatchError`.
 */
export function flattenAs(
  def: TreeDef,
  tree: unknown,
  what: string,
  transformation: string,
): Val[] {
  const leaves: Val[] = []
  const mismatch = (path: string, detail: string): TreeMismatchError =>
    new TreeMismatchError(`${what} does not match the primal tree at ${path}: ${detail}`, {
      transformation,
      hint: `give ${what} exactly the structure and leaf shapes of the primal values`,
    })
  const walk = (d: TreeDef, x: unknown, path: string): void => {
    if (d.kind === 'empty') {
      if (x !== null && x !== undefined)
        throw mismatch(path, `expected ${String(d.value)}, got ${describe(x)}`)
      return
    }
    if (d.kind === 'leaf') {
      if (typeof x !== 'number' && !(x instanceof Tensor) && !(x instanceof Tracer)) {
        throw mismatch(path, `expected a leaf, got ${describe(x)}`)
      }
      const s = shapeOf(x)
      if (s.length !== d.shape.length || s.some((n, i) => n !== d.shape[i])) {
        throw mismatch(path, `shape [${s.join(', ')}] instead of [${d.shape.join(', ')}]`)
      }
      leaves.push(x)
      return
    }
    if (d.kind === 'array') {
      if (!Array.isArray(x) || x.length !== d.children.length) {
        throw mismatch(path, `expected an array of ${d.children.length}, got ${describe(x)}`)
      }
      d.children.forEach((c, i) => {
        walk(c, x[i], `${path}[${i}]`)
      })
      return
    }
    if (typeof x !== 'object' || x === null || Array.isArray(x)) {
      throw mismatch(path, `expected an object, got ${describe(x)}`)
    }
    const record = x as Record<string, unknown>
    const keys = Object.keys(record)
    if (keys.length !== d.keys.length || d.keys.some((k) => !Object.hasOwn(record, k))) {
      throw mismatch(path, `keys {${keys.join(', ')}} instead of {${d.keys.join(', ')}}`)
    }
    d.keys.forEach((k, i) => {
      walk(d.children[i]!, record[k], `${path}.${k}`)
    })
  }
  walk(def, tree, what)
  return leaves
}

/** Rebuilds a tree of structure `def` from leaves in flatten order. */
export function unflatten(def: TreeDef, leaves: readonly Val[]): unknown {
  let next = 0
  const build = (d: TreeDef): unknown => {
    if (d.kind === 'leaf') return leaves[next++]
    if (d.kind === 'empty') return d.value
    if (d.kind === 'array') {
      const out = new Array<unknown>(d.children.length)
      for (let i = 0; i < out.length; i++) {
        const c = d.children[i]!
        out[i] = c.kind === 'leaf' ? leaves[next++] : build(c)
      }
      return out
    }
    const out: Record<string, unknown> = {}
    d.keys.forEach((k, i) => {
      // defineProperty: a key named __proto__ stays a key, never a prototype
      Object.defineProperty(out, k, {
        value: build(d.children[i]!),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    })
    return out
  }
  return build(def)
}

/** Leaves of a tree def, in order. */
export const leafDefs = (def: TreeDef): LeafDef[] => {
  const out: LeafDef[] = []
  const walk = (d: TreeDef): void => {
    if (d.kind === 'leaf') out.push(d)
    else if (d.kind !== 'empty') d.children.forEach(walk)
  }
  walk(def)
  return out
}
