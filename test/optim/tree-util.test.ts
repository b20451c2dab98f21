/**
 * Tree utilities (src/core/tree-util.ts), which the optimizers are built on: `treeMap` over one
 * or several trees of the same structure, `treeLeaves` in flatten order, tree-roundtrip,
 * errors for mismatched trees and bad leaves, and use under `grad`.
 */
import {
  add,
  grad,
  InvalidArgumentError,
  mul,
  square,
  sum,
  type Tensor,
  TreeMismatchError,
  tensor,
  treeLeaves,
  treeMap,
} from 'fluxion'
import { describe, expect, expectTypeOf, it } from 'vitest'

const tree = { w: tensor([1, 2]), layers: [{ b: 3 }, { b: 4 }], s: 5 }

describe('treeMap', () => {
  it('maps every leaf and keeps the structure, kinds and type', () => {
    const doubled = treeMap((x) => mul(2, x), tree)
    expectTypeOf(doubled).toEqualTypeOf(tree)
    expect(doubled.w.toArray()).toEqual([2, 4])
    expect(doubled.layers.map((l) => l.b)).toEqual([6, 8])
    expect(doubled.s).toBe(10)
  })

  it('maps several trees leaf by leaf', () => {
    const other = { w: tensor([10, 20]), layers: [{ b: 30 }, { b: 40 }], s: 50 }
    const summed = treeMap((a, b) => add(a, b!), tree, other)
    expect(summed.w.toArray()).toEqual([11, 22])
    expect(summed.layers[1]!.b).toBe(44)
    expect(treeMap(add, [1, 2], [10, 20])).toEqual([11, 22])
  })

  it('tree-roundtrip: the identity map rebuilds the tree', () => {
    expect(treeMap((x) => x, tree)).toEqual(tree)
    expect(treeMap((x) => x, 7)).toBe(7)
  })

  it('refuses trees of another structure or leaf shape', () => {
    expect(() => treeMap(add, { a: 1 }, { b: 1 })).toThrow(TreeMismatchError)
    expect(() => treeMap(add, [1, 2], [1])).toThrow(TreeMismatchError)
    expect(() => treeMap(add, tensor([1, 2]), tensor([1, 2, 3]))).toThrow(TreeMismatchError)
    expect(() => treeMap((x) => x, { a: 'no' })).toThrow(InvalidArgumentError)
  })
})

describe('treeLeaves', () => {
  it('lists leaves in flatten order: arrays by index, objects by key order', () => {
    const leaves = treeLeaves(tree)
    expect(leaves).toHaveLength(4)
    expect((leaves[0] as Tensor).toArray()).toEqual([1, 2])
    expect(leaves.slice(1)).toEqual([3, 4, 5])
    expect(treeLeaves(3)).toEqual([3])
    expect(treeLeaves([])).toEqual([])
  })

  it('works on traced trees, so penalties over parameters differentiate', () => {
    const penalty = (p: typeof tree) =>
      treeLeaves(p).reduce<number | Tensor>((acc, leaf) => add(acc, sum(square(leaf))), 0)
    const g = grad(penalty)(tree)
    expect(g.w.toArray()).toEqual([2, 4])
    expect(g.layers[0]!.b).toBe(6)
    expect(g.s).toBe(10)
  })
})
