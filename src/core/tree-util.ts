/**
 * Tree utilities, as `jax.tree_util`: what optimizers, solvers and serializers need to treat a
 * whole parameter tree (an object of weights, an array of layers) as one value. A tree is
 * numbers and tensors in arrays and plain objects, as everywhere in fluxion; leaves are visited
 * in `flatten` order (arrays by index, objects by key order).
 *
 * Laws: tree-roundtrip (`treeMap(x => x, t)` and `treeUnflatten(...treeFlatten(t))` rebuild
 * `t`).
 * @module
 */
import { Tensor } from '../tensor/tensor.ts'
import { InvalidArgumentError, TreeMismatchError } from './errors.ts'
import { Tracer } from './tracer.ts'
import { flatten, flattenAs, type Tree, type TreeDef, unflatten } from './tree.ts'
import { describeDef } from './tree-walk.ts'

/** A leaf of a tree: a number or a tensor. */
export type TreeLeaf = number | Tensor

/**
 * The leaf types of a tree type: `Tensor` for `{ w: Tensor; b: Tensor }`, `number | Tensor`
 * for `{ w: Tensor; b: number }`, and `number | Tensor` when the type says nothing more
 * (`unknown`, `Tree`). It types the callbacks of `treeMap` and `treeReduce`, so a callback
 * annotated `(p: Tensor, g: Tensor) => …` is accepted for a tree of tensors only.
 */
export type TreeLeafOf<T> = [Tree] extends [T]
  ? TreeLeaf
  : T extends number
    ? number
    : T extends Tensor
      ? Tensor
      : T extends readonly (infer E)[]
        ? TreeLeafOf<E>
        : T extends object
          ? TreeLeafOf<T[keyof T]>
          : never

const checkCallback = (f: unknown, op: string, call: string): void => {
  if (typeof f !== 'function') {
    throw new InvalidArgumentError(`${op} takes the function first: ${call}`, {
      primitive: op,
      hint: `pass a function of the leaves, e.g. ${op}((x) => mul(2, x), tree)`,
    })
  }
}

/**
 * The tree of `f(leaf, ...restLeaves)` over the leaves of `tree` and, in step, of every other
 * tree given, which must have the structure and leaf shapes of `tree`. The result has the
 * structure of `tree`, so its type is `tree`'s type when `f` keeps each leaf's kind (a number
 * for a number, a tensor for a tensor) — the fluxion ops do. The callback's parameters are
 * typed by the leaves of each tree (`TreeLeafOf`).
 *
 * Derivative: applies to the leaves as `f` does (the map itself is structure only). Throws
 * `TreeMismatchError` when another tree differs in structure or leaf shapes, and
 * `InvalidArgumentError` when a leaf is not a number or tensor.
 * @example
 * treeMap((x) => mul(2, x), { w: tensor([1, 2]), b: 3 }).b // => 6
 * treeMap(add, [1, 2], [10, 20]) // => [11, 22]
 * const params = { w: tensor([1, 2]) }
 * treeMap((p: Tensor, g: Tensor) => sub(p, mul(0.5, g)), params, params).w.toArray() // => [0.5, 1]
 * @category trees
 */
export function treeMap<T>(f: (leaf: TreeLeafOf<T>) => TreeLeaf, tree: T): T
export function treeMap<T, U>(
  f: (leaf: TreeLeafOf<T>, other: TreeLeafOf<U>) => TreeLeaf,
  tree: T,
  other: U,
): T
export function treeMap<T, U, V>(
  f: (leaf: TreeLeafOf<T>, other: TreeLeafOf<U>, third: TreeLeafOf<V>) => TreeLeaf,
  tree: T,
  other: U,
  third: V,
): T
export function treeMap<T>(
  f: (leaf: TreeLeafOf<T>, ...rest: TreeLeaf[]) => TreeLeaf,
  tree: T,
  ...rest: readonly unknown[]
): T
export function treeMap(
  f: (...leaves: TreeLeaf[]) => TreeLeaf,
  tree: unknown,
  ...rest: readonly unknown[]
): unknown {
  checkCallback(f, 'treeMap', 'treeMap(f, tree)')
  const { leaves, def } = flatten(tree, 'tree')
  const others = rest.map((other, i) =>
    flattenAs(def, other, `tree ${i + 1}`, undefined, {
      against: 'tree 0',
      primitive: 'treeMap',
      hint: 'map trees of one structure: same array lengths, object keys and leaf shapes',
    }),
  )
  const mapped = leaves.map((leaf, j) =>
    f(leaf as TreeLeaf, ...others.map((o) => o[j] as TreeLeaf)),
  )
  return unflatten(def, mapped)
}

/**
 * The leaves of `tree` in `flatten` order: arrays by index, objects by key order. Throws
 * `InvalidArgumentError` when a leaf is not a number or tensor.
 * @example
 * treeLeaves({ w: [1, 2], b: 3 }) // => [1, 2, 3]
 * @category trees
 */
export function treeLeaves<T>(tree: T): TreeLeafOf<T>[] {
  return flatten(tree, 'tree').leaves as TreeLeafOf<T>[]
}

/**
 * `f(…f(f(initial, leaf₀), leaf₁)…, leafₙ₋₁)` over the leaves of `tree` in `flatten` order
 * (`jax.tree_util.tree_reduce`). With fluxion ops in `f` the result differentiates.
 *
 * Throws `InvalidArgumentError` when a leaf is not a number or tensor.
 * @example
 * treeReduce((acc, x) => add(acc, sum(x)), { w: tensor([1, 2]), b: 3 }, 0).item() // => 6
 * treeReduce((n, _x) => n + 1, [1, [2, 3]], 0) // => 3
 * @category trees
 */
export function treeReduce<T, A>(f: (acc: A, leaf: TreeLeafOf<T>) => A, tree: T, initial: A): A {
  checkCallback(f, 'treeReduce', 'treeReduce(f, tree, initial)')
  let acc = initial
  for (const leaf of flatten(tree, 'tree').leaves) acc = f(acc, leaf as TreeLeafOf<T>)
  return acc
}

/**
 * The structure of a tree with its leaves taken out — arrays, objects and their keys, empty
 * subtrees, and each leaf's kind and shape — as `treeFlatten` returns it (JAX's `PyTreeDef`).
 * Opaque: build trees from it with `treeUnflatten`, compare with `equals`, print it.
 *
 * @example
 * const [, structure] = treeFlatten({ w: tensor([1, 2]), b: 3 })
 * structure.numLeaves // => 2
 * String(structure) // => '{ w: Tensor[2], b: number }'
 * @category trees
 */
export class TreeStructure<T = unknown> {
  /** Number of leaves. */
  readonly numLeaves: number
  /** The structure; fluxion's own modules read it through `defOfStructure`. */
  readonly #def: TreeDef
  /** @internal Phantom: the type of the trees this structure rebuilds. */
  declare readonly __tree?: T

  /** @internal Built by `treeFlatten`. */
  constructor(def: TreeDef, numLeaves: number) {
    this.#def = def
    this.numLeaves = numLeaves
  }

  /** Whether `other` has the same structure, leaf kinds and leaf shapes. */
  equals(other: TreeStructure): boolean {
    return other instanceof TreeStructure && String(this) === String(other)
  }

  /** The structure as text: `{ w: Tensor[2], b: number }`. */
  toString(): string {
    return describeDef(this.#def)
  }

  /** @internal */
  static defOf(structure: TreeStructure): TreeDef {
    return structure.#def
  }
}

/** The tree def inside a `TreeStructure` (for fluxion's own modules). */
export const defOfStructure = (structure: TreeStructure): TreeDef => TreeStructure.defOf(structure)

/**
 * The leaves of `tree` in `flatten` order and its structure, from which `treeUnflatten`
 * rebuilds a tree (`jax.tree_util.tree_flatten`).
 *
 * Laws: tree-roundtrip (`treeUnflatten(structure, leaves)` rebuilds `tree`). Throws
 * `InvalidArgumentError` when a leaf is not a number or tensor.
 * @example
 * const [leaves, structure] = treeFlatten({ w: [1, 2], b: 3 })
 * leaves // => [1, 2, 3]
 * treeUnflatten(structure, [10, 20, 30]) // => { w: [10, 20], b: 30 }
 * @category trees
 */
export function treeFlatten<T>(tree: T): [TreeLeafOf<T>[], TreeStructure<T>] {
  const { leaves, def } = flatten(tree, 'tree')
  return [leaves as TreeLeafOf<T>[], new TreeStructure<T>(def, leaves.length)]
}

/**
 * The tree of `structure` holding `leaves`, in `flatten` order
 * (`jax.tree_util.tree_unflatten`). The leaves may differ in shape and kind from the ones the
 * structure was taken from — a per-leaf norm, a batch — as in JAX; the count must match.
 *
 * Throws `TreeMismatchError` when the number of leaves differs from `structure.numLeaves`, and
 * `InvalidArgumentError` when a leaf is not a number or tensor.
 * @example
 * const [leaves, structure] = treeFlatten([tensor([1, 2]), { b: 3 }])
 * treeUnflatten(structure, leaves.map((x) => mul(10, x)))[1].b // => 30
 * @category trees
 */
export function treeUnflatten<T>(structure: TreeStructure<T>, leaves: readonly TreeLeaf[]): T {
  if (!(structure instanceof TreeStructure)) {
    throw new InvalidArgumentError('treeUnflatten takes the structure first', {
      primitive: 'treeUnflatten',
      hint: 'pass the structure treeFlatten returned: treeUnflatten(structure, leaves)',
    })
  }
  if (!Array.isArray(leaves)) {
    throw new InvalidArgumentError('treeUnflatten takes the leaves as an array', {
      primitive: 'treeUnflatten',
      hint: 'pass an array of numbers and tensors, in flatten order',
    })
  }
  if (leaves.length !== structure.numLeaves) {
    throw new TreeMismatchError(
      `${leaves.length} leaves for a structure of ${structure.numLeaves}: ${String(structure)}`,
      {
        primitive: 'treeUnflatten',
        hint: 'give exactly one leaf per leaf of the structure, in flatten order',
      },
    )
  }
  // a loop, not forEach, which would skip the holes of a sparse array
  for (let i = 0; i < leaves.length; i++) {
    const leaf: unknown = leaves[i]
    if (typeof leaf !== 'number' && !(leaf instanceof Tensor) && !(leaf instanceof Tracer)) {
      throw new InvalidArgumentError(`leaf ${i} is not a number or tensor`, {
        primitive: 'treeUnflatten',
        hint: 'leaves are numbers and tensors',
      })
    }
  }
  return unflatten(defOfStructure(structure), leaves) as T
}
