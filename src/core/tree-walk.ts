/**
 * Walks of a tree def in flatten order without recursion, so a tree nested 10⁵ levels deep
 * costs heap, not JS stack (issue #12): leaf paths (for error messages, tensor names in saved
 * files) and the structure as text.
 * @module
 */
import type { LeafDef, TreeDef } from './tree.ts'

/** One index or key on the way from the root to a node. */
export type PathSegment = string | number

/** A node def: an array or an object. */
type NodeDef = Extract<TreeDef, { readonly children: readonly TreeDef[] }>

/** A step of a depth-first walk: a leaf, an empty subtree, or entering or leaving a node. */
export type DefEvent =
  | { readonly type: 'leaf'; readonly def: LeafDef; readonly key: PathSegment | undefined }
  | {
      readonly type: 'empty'
      readonly value: null | undefined
      readonly key: PathSegment | undefined
    }
  | { readonly type: 'open'; readonly def: NodeDef; readonly key: PathSegment | undefined }
  | { readonly type: 'close'; readonly def: NodeDef }

/** The events of a depth-first walk of `def` in flatten order; `key` is the child's key. */
export function* walkDef(def: TreeDef): Generator<DefEvent, void, undefined> {
  const stack: { readonly d: NodeDef; i: number }[] = []
  const enter = (d: TreeDef, key: PathSegment | undefined): DefEvent => {
    if (d.kind === 'leaf') return { type: 'leaf', def: d, key }
    if (d.kind === 'empty') return { type: 'empty', value: d.value, key }
    stack.push({ d, i: 0 })
    return { type: 'open', def: d, key }
  }
  yield enter(def, undefined)
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    const { d } = frame
    if (frame.i === d.children.length) {
      stack.pop()
      yield { type: 'close', def: d }
      continue
    }
    const i = frame.i++
    yield enter(d.children[i]!, d.kind === 'object' ? d.keys[i]! : i)
  }
}

/** The path of every leaf of `def`, in flatten order. */
export function leafPaths(def: TreeDef): PathSegment[][] {
  const path: PathSegment[] = []
  const out: PathSegment[][] = []
  let depth = 0
  for (const e of walkDef(def)) {
    if (e.type === 'close') {
      depth--
      continue
    }
    // the root has no key; every other event's key extends its parent's path (depth − 1 long)
    if (e.key !== undefined) {
      path.length = depth - 1
      path.push(e.key)
    }
    if (e.type === 'leaf') out.push(path.slice())
    else if (e.type === 'open') depth++
  }
  return out
}

/** `where` followed by `[i]` for each index and `.key` for each key: `argument 0.w[2]`. */
export const formatPath = (where: string, path: readonly PathSegment[]): string => {
  let s = where
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : `.${k}`
  return s
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/** The structure as text: `{ w: Tensor[2], b: number, layers: [number, null] }`. */
export function describeDef(def: TreeDef): string {
  const parts: string[] = []
  // per open node: whether a child has been written (for the separators)
  const started: boolean[] = []
  for (const e of walkDef(def)) {
    if (e.type === 'close') {
      started.pop()
      const empty = e.def.children.length === 0
      parts.push(e.def.kind === 'array' ? ']' : empty ? '}' : ' }')
      continue
    }
    const n = started.length
    if (n > 0) {
      if (started[n - 1]) parts.push(', ')
      started[n - 1] = true
    }
    if (typeof e.key === 'string') {
      parts.push(`${IDENTIFIER.test(e.key) ? e.key : JSON.stringify(e.key)}: `)
    }
    if (e.type === 'leaf') {
      parts.push(e.def.number ? 'number' : `Tensor[${e.def.shape.join(', ')}]`)
    } else if (e.type === 'empty') {
      parts.push(String(e.value))
    } else {
      parts.push(e.def.kind === 'array' ? '[' : e.def.children.length === 0 ? '{' : '{ ')
      started.push(false)
    }
  }
  return parts.join('')
}
