/**
 * `inAxes` and `outAxes` of `vmap`, as `jax.vmap`'s `in_axes` and `out_axes`: an axis (or
 * `null`) for a whole tree, or a tree prefix giving one to each subtree. Here they are spread to
 * one axis per leaf and checked against each leaf's rank; vmap.ts moves the axes.
 * @module
 */
import { InvalidArgumentError, TreeMismatchError } from '../core/errors.ts'
import { type LeafDef, leafDefs, type TreeDef } from '../core/tree.ts'
import { formatPath, leafPaths, type PathSegment } from '../core/tree-walk.ts'
import { show } from '../tensor/shape.ts'

/**
 * Where the batch axis of a tree is: an axis (negative counts from the end) for every leaf of
 * the tree, `null` for none (passed whole to every example), or a tree prefix — an array or
 * object of the tree's structure, down to any depth — with one of these for each subtree.
 */
export type AxisSpec = number | null | readonly AxisSpec[] | { readonly [key: string]: AxisSpec }

/** Which option is spread, and how much higher a leaf's batched rank is than its own. */
export interface AxesContext {
  /** `inAxes` or `outAxes`, for messages. */
  readonly option: 'inAxes' | 'outAxes'
  /** The tree in messages: `argument 0`, `output`. */
  readonly where: string
  /** 0 for inputs (the leaf carries the batch), 1 for outputs (the batch is added). */
  readonly extraRank: 0 | 1
}

const isPlainObject = (x: object): boolean => {
  const proto = Object.getPrototypeOf(x)
  return proto === Object.prototype || proto === null
}

/** A spec entry for a subtree, with the path of that subtree. */
interface Pending {
  readonly spec: unknown
  readonly def: TreeDef
  readonly path: readonly PathSegment[]
}

/**
 * One axis per leaf of `def` (in flatten order), normalized to be ≥ 0, or `null`: `spec`
 * spread over the tree as a prefix. Throws `TreeMismatchError` when `spec` is not a prefix of
 * the tree, and `InvalidArgumentError` for an entry that is not an integer or `null` and for an
 * axis out of range for its leaf.
 */
export function axesPerLeaf(spec: unknown, def: TreeDef, ctx: AxesContext): (number | null)[] {
  const out: (number | null)[] = []
  // last in, first out: children are pushed in reverse so leaves come out in flatten order
  const stack: Pending[] = [{ spec, def, path: [] }]
  while (stack.length > 0) {
    const { spec: s, def: d, path } = stack.pop()!
    if (s === null || typeof s === 'number') {
      const leaves = leafDefs(d)
      leaves.forEach((leaf, j) => {
        out.push(s === null ? null : normalize(s, leaf, () => leafPath(d, path, j), ctx))
      })
      continue
    }
    const at = formatPath(`${ctx.option} of ${ctx.where}`, path)
    if (typeof s !== 'object' || s === undefined || (!Array.isArray(s) && !isPlainObject(s))) {
      throw new InvalidArgumentError(`${at} is ${show(s)}, not an axis, null or a tree of them`, {
        primitive: 'vmap',
        hint: 'give an integer axis, null for unbatched, or an array or object of them',
      })
    }
    const mismatch = (detail: string) =>
      new TreeMismatchError(`${at} is not a prefix of ${formatPath(ctx.where, path)}: ${detail}`, {
        transformation: 'vmap',
        hint: `give ${ctx.option} the structure of the tree down to where one axis applies`,
      })
    if (Array.isArray(s)) {
      if (d.kind !== 'array' || d.children.length !== s.length) {
        throw mismatch(`an array of ${s.length} where the tree has ${describe(d)}`)
      }
      for (let i = s.length - 1; i >= 0; i--) {
        stack.push({ spec: s[i], def: d.children[i]!, path: [...path, i] })
      }
      continue
    }
    const keys = Object.keys(s)
    if (
      d.kind !== 'object' ||
      keys.length !== d.keys.length ||
      d.keys.some((k) => !Object.hasOwn(s, k))
    ) {
      throw mismatch(`keys {${keys.join(', ')}} where the tree has ${describe(d)}`)
    }
    for (let i = d.keys.length - 1; i >= 0; i--) {
      const k = d.keys[i]!
      stack.push({
        spec: (s as Record<string, unknown>)[k],
        def: d.children[i]!,
        path: [...path, k],
      })
    }
  }
  return out
}

const describe = (d: TreeDef): string =>
  d.kind === 'leaf'
    ? 'a leaf'
    : d.kind === 'empty'
      ? String(d.value)
      : d.kind === 'array'
        ? `an array of ${d.children.length}`
        : `keys {${d.keys.join(', ')}}`

/** The path of leaf `j` of the subtree `d` at `path`, for messages. */
const leafPath = (d: TreeDef, path: readonly PathSegment[], j: number): readonly PathSegment[] => [
  ...path,
  ...(leafPaths(d)[j] ?? []),
]

/** `axis` as an axis ≥ 0 of `leaf` (with `extraRank` more axes), or a named error. */
const normalize = (
  axis: number,
  leaf: LeafDef,
  path: () => readonly PathSegment[],
  ctx: AxesContext,
): number => {
  const rank = leaf.shape.length + ctx.extraRank
  if (!Number.isInteger(axis)) {
    throw new InvalidArgumentError(
      `${ctx.option} for ${formatPath(ctx.where, path())} is ${show(axis)}, not an integer axis`,
      { transformation: 'vmap', hint: 'axes are integers; negative ones count from the end' },
    )
  }
  if (rank === 0) {
    throw new InvalidArgumentError(
      `${formatPath(ctx.where, path())} is a scalar leaf, which has no axis to batch along`,
      {
        transformation: 'vmap',
        hint: 'batched leaves need a batch axis; pass unbatched arguments with inAxes null',
      },
    )
  }
  if (axis < -rank || axis >= rank) {
    throw new InvalidArgumentError(
      `${ctx.option} ${axis} is out of range for ${formatPath(ctx.where, path())}, of rank ${rank}`,
      {
        transformation: 'vmap',
        shapes: [leaf.shape],
        hint: `use an axis in [${-rank}, ${rank - 1}]`,
      },
    )
  }
  return axis < 0 ? axis + rank : axis
}

/** The permutation that moves axis `from` of a rank-`rank` value to position `to`. */
export const movePermutation = (rank: number, from: number, to: number): number[] => {
  const perm = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== from)
  perm.splice(to, 0, from)
  return perm
}
