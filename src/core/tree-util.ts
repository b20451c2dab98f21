/**
 * Leafwise maps over trees: what optimizers need to treat a whole parameter tree (an object of
 * weights, an array of layers) as one value. A tree is numbers and tensors in arrays and plain
 * objects, as everywhere in fluxion; leaves are visited in `flatten` order (arrays by index,
 * objects by key order).
 *
 * Laws: tree-roundtrip (`treeMap(x => x, t)` rebuilds `t`).
 * @module
 */
import type { Tensor } from '../tensor/tensor.ts'
import { InvalidArgumentError } from './errors.ts'
import { flatten, flattenAs, unflatten } from './tree.ts'

/** A leaf of a tree: a number or a tensor. */
export type TreeLeaf = number | Tensor

/**
 * The tree of `f(leaf, ...restLeaves)` over the leaves of `tree` and, in step, of every tree in
 * `rest`, which must have the structure and leaf shapes of `tree`. The result has the structure
 * of `tree`, so its type is `tree`'s type when `f` keeps each leaf's kind (a number for a
 * number, a tensor for a tensor) — the fluxion ops do.
 *
 * Derivative: applies to the leaves as `f` does (the map itself is structure only). Throws
 * `TreeMismatchError` when a tree in `rest` differs in structure or leaf shapes, and
 * `InvalidArgumentError` when a leaf is not a number or tensor.
 * @example
 * treeMap((x) => mul(2, x), { w: tensor([1, 2]), b: 3 }).b // => 6
 * treeMap(add, [1, 2], [10, 20]) // => [11, 22]
 * @category trees
 */
export function treeMap<T>(
  f: (leaf: TreeLeaf, ...rest: TreeLeaf[]) => TreeLeaf,
  tree: T,
  ...rest: readonly unknown[]
): T {
  if (typeof f !== 'function') {
    throw new InvalidArgumentError('treeMap takes the function first: treeMap(f, tree)', {
      primitive: 'treeMap',
      hint: 'pass a function of the leaves, e.g. treeMap((x) => mul(2, x), tree)',
    })
  }
  const { leaves, def } = flatten(tree, 'tree')
  const others = rest.map((other, i) => flattenAs(def, other, `tree ${i + 1}`, 'treeMap'))
  const mapped = leaves.map((leaf, j) =>
    f(leaf as TreeLeaf, ...others.map((o) => o[j] as TreeLeaf)),
  )
  return unflatten(def, mapped) as T
}

/**
 * The leaves of `tree` in `flatten` order: arrays by index, objects by key order. Throws
 * `InvalidArgumentError` when a leaf is not a number or tensor.
 * @example
 * treeLeaves({ w: [1, 2], b: 3 }) // => [1, 2, 3]
 * @category trees
 */
export function treeLeaves(tree: unknown): TreeLeaf[] {
  return flatten(tree, 'tree').leaves as TreeLeaf[]
}
