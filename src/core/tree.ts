/**
 * Trees (JAX's pytrees): numbers and tensors nested in arrays and plain objects. Every
 * transformation flattens its arguments to leaves, works on the leaves, and rebuilds trees of
 * the same structure. Objects are treated as plain data: keys such as `__proto__` or
 * `constructor` are ordinary keys, never prototypes.
 *
 * Every walk here keeps its own stack of frames instead of recursing, so a tree nested 10⁵
 * levels deep costs heap, not JS stack (issue #12). A hole in a sparse array (`[1, , 2]`) is
 * neither a leaf nor an empty subtree: it is refused, naming its path.
 *
 * Laws: tree-roundtrip (`unflatten(def, flatten(t).leaves)` rebuilds `t`).
 * @module
 */
import { Tensor } from '../tensor/tensor.ts'
import { FluxionError, InvalidArgumentError, TreeMismatchError } from './errors.ts'
import { dtypeOf, isNumberKind, shapeOf, Tracer, type Val } from './tracer.ts'

/** A tree of numbers and tensors in arrays and plain objects. */
export type Tree =
  | number
  | Tensor
  | null
  | undefined
  | readonly Tree[]
  | { readonly [key: string]: Tree }

/** A leaf's place in a tree: its kind (JS number or tensor), shape and dtype. */
export type LeafDef = {
  readonly kind: 'leaf'
  readonly number: boolean
  readonly shape: readonly number[]
  /** Absent for float64, the default (and for a JS number, weakly typed). */
  readonly dtype?: 'float32'
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

/** An array or object def: a node with children. */
type NodeDef = Extract<TreeDef, { readonly children: readonly TreeDef[] }>

/** The def of every number leaf (shared: number leaves are the common case in scalar code). */
const NUMBER_LEAF: LeafDef = Object.freeze({ kind: 'leaf', number: true, shape: [] })
const NUMBER_LEAVES: readonly LeafDef[] = Object.freeze([NUMBER_LEAF])
const EMPTY_NULL: TreeDef = Object.freeze({ kind: 'empty', value: null })
const EMPTY_UNDEFINED: TreeDef = Object.freeze({ kind: 'empty', value: undefined })

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

/** `where` followed by the index or key each frame of `stack` is at: `argument 0.w[2]`. */
const pathOf = (
  where: string,
  stack: readonly { readonly keys: readonly string[] | undefined; readonly i: number }[],
): string => {
  let path = where
  for (const { keys, i } of stack) path += keys === undefined ? `[${i}]` : `.${keys[i]}`
  return path
}

/** Whether index `i` of `xs`, read as undefined, is a hole rather than a stored undefined. */
const isHole = (xs: readonly unknown[], i: number): boolean => !Object.hasOwn(xs, i)

const holeError = (path: string): InvalidArgumentError =>
  new InvalidArgumentError(`${path} is a hole in a sparse array`, {
    hint: 'write null or undefined for an empty subtree, or fill the array: holes are not values',
  })

/**
 * `e` when fluxion raised it; otherwise — a getter or a Proxy trap of the data threw, or it is a
 * revoked Proxy — an `InvalidArgumentError` naming the path, with `e` as its `cause`.
 */
export const readError = (
  e: unknown,
  path: string,
  hint = 'trees are plain data: pass numbers and tensors, not getters or Proxies that throw',
): FluxionError => {
  if (e instanceof FluxionError) return e
  const what = e instanceof Error ? `${e.name}: ${e.message}` : typeof e
  const error = new InvalidArgumentError(`reading ${path} threw ${what}`, { hint })
  Object.defineProperty(error, 'cause', { value: e, configurable: true, writable: true })
  return error
}

/** A node of the tree being flattened, with the def of its children filled in as they go. */
interface FlattenFrame {
  readonly node: object
  readonly keys: readonly string[] | undefined
  readonly children: TreeDef[]
  i: number
}

/**
 * Whether `x` is a single leaf (a number, tensor or tracer), for fast paths. False, not a
 * throw, for what `instanceof` cannot read (a revoked Proxy): `flatten` names that error.
 */
export const isLeaf = (x: unknown): x is Val => {
  if (typeof x === 'number') return true
  try {
    return x instanceof Tensor || x instanceof Tracer
  } catch {
    return false
  }
}

/** The def of a single leaf (a shared one for a number). */
export const leafOf = (x: Val): LeafDef => {
  if (typeof x === 'number') return NUMBER_LEAF
  const number = isNumberKind(x)
  return number || dtypeOf(x) !== 'float32'
    ? { kind: 'leaf', number, shape: shapeOf(x) }
    : { kind: 'leaf', number, shape: shapeOf(x), dtype: 'float32' }
}

/**
 * Leaves (in order: arrays by index, objects by key order) and structure of `tree`. `where`
 * names the tree in errors (`"argument 0"`). Throws `InvalidArgumentError` on a leaf that is not
 * a number or tensor, on a hole, on a cycle, on a Promise, and when reading the tree throws.
 */
export function flatten(tree: unknown, where: string): Flat {
  // a plain number, the commonest argument of scalar code: no walk, shared defs
  if (typeof tree === 'number') return { leaves: [tree], def: NUMBER_LEAF, leafDefs: NUMBER_LEAVES }
  const stack: FlattenFrame[] = []
  try {
    // a single tensor (`instanceof` may throw: a revoked Proxy is caught below and named)
    if (tree instanceof Tensor || tree instanceof Tracer) {
      const leaf = leafOf(tree)
      return { leaves: [tree], def: leaf, leafDefs: [leaf] }
    }
    if (Array.isArray(tree)) {
      // the common case of scalar code over many parameters, without per-leaf pushes; a loop,
      // not `every`, which would skip the holes of a sparse array
      const n = tree.length
      let i = 0
      while (i < n && typeof tree[i] === 'number') i++
      if (i === n) {
        // a loop, not `fill`: a short array is built faster than the builtin is called
        const defs: LeafDef[] = []
        for (let k = 0; k < n; k++) defs.push(NUMBER_LEAF)
        return { leaves: tree.slice(), def: { kind: 'array', children: defs }, leafDefs: defs }
      }
    }
    return flattenWalk(tree, where, stack)
  } catch (e) {
    throw readError(e, pathOf(where, stack))
  }
}

function flattenWalk(tree: unknown, where: string, stack: FlattenFrame[]): Flat {
  const leaves: Val[] = []
  const leafDefs: LeafDef[] = []
  const onPath = new Set<object>()
  // the def of `x`; a node is pushed on `stack`, its children filled in by the loop below
  const open = (x: unknown): TreeDef => {
    if (typeof x === 'number') {
      leaves.push(x)
      leafDefs.push(NUMBER_LEAF)
      return NUMBER_LEAF
    }
    // null and undefined are empty subtrees, as None is in JAX: structure without leaves
    if (x === null) return EMPTY_NULL
    if (x === undefined) return EMPTY_UNDEFINED
    if (x instanceof Tensor || x instanceof Tracer) {
      const leaf = leafOf(x)
      leaves.push(x)
      leafDefs.push(leaf)
      return leaf
    }
    if (typeof x !== 'object') throw invalidLeaf(x, pathOf(where, stack))
    if (typeof (x as { then?: unknown }).then === 'function') {
      throw new InvalidArgumentError(`${pathOf(where, stack)} is a Promise`, {
        hint: 'transformations are synchronous: await before differentiating, not inside',
      })
    }
    if (onPath.has(x)) {
      throw new InvalidArgumentError(`${pathOf(where, stack)} contains itself`, {
        hint: 'trees cannot be cyclic',
      })
    }
    let keys: string[] | undefined
    let def: NodeDef
    const children: TreeDef[] = []
    if (Array.isArray(x)) {
      children.length = x.length
      def = { kind: 'array', children }
    } else if (isPlainObject(x)) {
      keys = Object.keys(x)
      children.length = keys.length
      def = { kind: 'object', keys, children }
    } else {
      throw invalidLeaf(x, pathOf(where, stack))
    }
    onPath.add(x)
    stack.push({ node: x, keys, children, i: 0 })
    return def
  }
  const def = open(tree)
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    const { node, keys, children } = frame
    let opened = false
    // a frame's `i` stays on a child while that child's own frame is open: paths name it
    for (; frame.i < children.length; frame.i++) {
      const i = frame.i
      let x: unknown
      if (keys === undefined) {
        x = (node as readonly unknown[])[i]
        if (typeof x === 'number') {
          leaves.push(x)
          leafDefs.push(NUMBER_LEAF)
          children[i] = NUMBER_LEAF
          continue
        }
        if (x === undefined && isHole(node as readonly unknown[], i)) {
          throw holeError(pathOf(where, stack))
        }
      } else {
        x = (node as Record<string, unknown>)[keys[i]!]
      }
      const depth = stack.length
      children[i] = open(x)
      if (stack.length > depth) {
        opened = true
        break
      }
    }
    if (!opened) {
      stack.pop()
      onPath.delete(node)
      const parent = stack[stack.length - 1]
      if (parent !== undefined) parent.i++
    }
  }
  return { leaves, def, leafDefs }
}

const invalidLeaf = (x: unknown, path: string): InvalidArgumentError =>
  new InvalidArgumentError(
    `${path} is a ${describe(x)}, not a number, Tensor, array or plain object`,
    {
      hint: 'trees hold numbers and tensors in arrays and plain objects',
    },
  )

/** How `flattenAs` names what a tree must match, and where it raises. */
export interface MatchContext {
  /** The tree it must match, in messages (default: "the primal tree"). */
  readonly against?: string
  /** The op that raised (an optimizer, `treeMap`). */
  readonly primitive?: string
  /** The fix hint (default: give it the structure and leaf shapes of the primal values). */
  readonly hint?: string
}

/** A node of `def` being matched against a node of the tree. */
interface MatchFrame {
  readonly d: NodeDef
  readonly x: object
  readonly keys: readonly string[] | undefined
  i: number
}

/**
 * Leaves of `tree`, which must have the structure `def` (same array lengths, same keys in any
 * order, leaf shapes equal). `what` names the tree in errors. Throws `TreeMismatchError`, and
 * `InvalidArgumentError` for a hole or when reading the tree throws.
 */
export function flattenAs(
  def: TreeDef,
  tree: unknown,
  what: string,
  transformation: string | undefined,
  context: MatchContext = {},
): Val[] {
  // a number for a number leaf, the commonest cotangent and tangent of scalar code
  if (typeof tree === 'number' && def.kind === 'leaf' && def.shape.length === 0) return [tree]
  if (def.kind === 'array' && Array.isArray(tree)) {
    const numbers = numbersAs(def.children, tree)
    if (numbers !== undefined) return numbers
  }
  const leaves: Val[] = []
  const stack: MatchFrame[] = []
  const against = context.against ?? 'the primal tree'
  const mismatch = (detail: string): TreeMismatchError =>
    new TreeMismatchError(
      `${what} does not match ${against} at ${pathOf(what, stack)}: ${detail}`,
      {
        ...(transformation === undefined ? {} : { transformation }),
        ...(context.primitive === undefined ? {} : { primitive: context.primitive }),
        hint:
          context.hint ?? `give ${what} exactly the structure and leaf shapes of the primal values`,
      },
    )
  // checks `x` against `d`: a leaf is taken, a node pushed on `stack`
  const open = (d: TreeDef, x: unknown): void => {
    if (d.kind === 'empty') {
      if (x !== null && x !== undefined)
        throw mismatch(`expected ${String(d.value)}, got ${describe(x)}`)
      return
    }
    if (d.kind === 'leaf') {
      if (typeof x === 'number') {
        if (d.shape.length !== 0) throw mismatch(`shape [] instead of [${d.shape.join(', ')}]`)
        leaves.push(x)
        return
      }
      if (!(x instanceof Tensor) && !(x instanceof Tracer)) {
        throw mismatch(`expected a leaf, got ${describe(x)}`)
      }
      const s = shapeOf(x)
      if (s.length !== d.shape.length || s.some((n, i) => n !== d.shape[i])) {
        throw mismatch(`shape [${s.join(', ')}] instead of [${d.shape.join(', ')}]`)
      }
      leaves.push(x)
      return
    }
    if (d.kind === 'array') {
      if (!Array.isArray(x) || x.length !== d.children.length) {
        throw mismatch(`expected an array of ${d.children.length}, got ${describe(x)}`)
      }
      stack.push({ d, x, keys: undefined, i: 0 })
      return
    }
    if (typeof x !== 'object' || x === null || Array.isArray(x)) {
      throw mismatch(`expected an object, got ${describe(x)}`)
    }
    const keys = Object.keys(x)
    if (keys.length !== d.keys.length || d.keys.some((k) => !Object.hasOwn(x, k))) {
      throw mismatch(`keys {${keys.join(', ')}} instead of {${d.keys.join(', ')}}`)
    }
    stack.push({ d, x, keys: d.keys, i: 0 })
  }
  try {
    open(def, tree)
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!
      const { d, x, keys } = frame
      let opened = false
      for (; frame.i < d.children.length; frame.i++) {
        const i = frame.i
        let child: unknown
        if (keys === undefined) {
          child = (x as readonly unknown[])[i]
          if (child === undefined && isHole(x as readonly unknown[], i)) {
            throw holeError(pathOf(what, stack))
          }
        } else {
          child = (x as Record<string, unknown>)[keys[i]!]
        }
        const depth = stack.length
        open(d.children[i]!, child)
        if (stack.length > depth) {
          opened = true
          break
        }
      }
      if (!opened) {
        stack.pop()
        const parent = stack[stack.length - 1]
        if (parent !== undefined) parent.i++
      }
    }
  } catch (e) {
    throw readError(e, pathOf(what, stack))
  }
  return leaves
}

/**
 * `tree` copied when it is an array of numbers matching `children`, all rank-0 leaves (the
 * tangents of scalar code); otherwise undefined, and the walk checks it and names what differs.
 */
const numbersAs = (children: readonly TreeDef[], tree: readonly unknown[]): Val[] | undefined => {
  try {
    const n = tree.length
    if (n !== children.length) return undefined
    for (let i = 0; i < n; i++) {
      const d = children[i]!
      if (typeof tree[i] !== 'number' || d.kind !== 'leaf' || d.shape.length !== 0) return
    }
    return tree.slice() as Val[]
  } catch {
    // a getter or Proxy trap threw: the walk reads it again and names its path
    return undefined
  }
}

/** A node being rebuilt: its def, the array or object under construction, the next child. */
interface BuildFrame {
  readonly d: NodeDef
  readonly out: unknown[] | Record<string, unknown>
  i: number
}

/** Whether every def is a leaf. */
const allLeaves = (defs: readonly TreeDef[]): boolean => {
  for (let i = 0; i < defs.length; i++) if (defs[i]!.kind !== 'leaf') return false
  return true
}

/** A fresh, empty array or object for a node def. */
const shell = (d: NodeDef): unknown[] | Record<string, unknown> =>
  d.kind === 'array' ? new Array<unknown>(d.children.length) : {}

/** Rebuilds a tree of structure `def` from leaves in flatten order. */
export function unflatten(def: TreeDef, leaves: readonly Val[]): unknown {
  if (def.kind === 'leaf') return leaves[0]
  if (def.kind === 'empty') return def.value
  // a tuple of numbers and tensors: nothing to rebuild
  if (def.kind === 'array' && allLeaves(def.children)) return leaves.slice(0, def.children.length)
  let next = 0
  const root = shell(def)
  const stack: BuildFrame[] = [{ d: def, out: root, i: 0 }]
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    const { d, out } = frame
    const { children } = d
    const keys = d.kind === 'object' ? d.keys : undefined
    let opened = false
    while (frame.i < children.length) {
      const i = frame.i++
      const c = children[i]!
      let v: unknown
      if (c.kind === 'leaf') v = leaves[next++]
      else if (c.kind === 'empty') v = c.value
      else {
        v = shell(c)
        stack.push({ d: c, out: v as unknown[] | Record<string, unknown>, i: 0 })
        opened = true
      }
      if (keys === undefined) (out as unknown[])[i] = v
      else {
        // defineProperty: a key named __proto__ stays a key, never a prototype
        Object.defineProperty(out, keys[i]!, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
      if (opened) break
    }
    if (!opened) stack.pop()
  }
  return root
}

/** Leaves of a tree def, in order. */
export const leafDefs = (def: TreeDef): LeafDef[] => {
  if (def.kind === 'leaf') return [def]
  if (def.kind === 'empty') return []
  const out: LeafDef[] = []
  const stack: { readonly d: NodeDef; i: number }[] = [{ d: def, i: 0 }]
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    const { children } = frame.d
    let opened = false
    while (frame.i < children.length) {
      const c = children[frame.i++]!
      if (c.kind === 'leaf') out.push(c)
      else if (c.kind !== 'empty') {
        stack.push({ d: c, i: 0 })
        opened = true
        break
      }
    }
    if (!opened) stack.pop()
  }
  return out
}
