/**
 * Tree utilities (src/core/tree-util.ts) as `jax.tree_util`: `treeFlatten` and `treeUnflatten`
 * with an opaque `TreeStructure` (tree-roundtrip, leaf count checked, leaves of other shapes
 * allowed), `treeReduce`, and `treeMap` over one to four trees — on numbers and tensors, empty
 * and nested trees, deep trees, and under `grad`, `jit` and `vmap`.
 */
import {
  add,
  grad,
  InvalidArgumentError,
  jit,
  mul,
  square,
  sub,
  sum,
  type Tensor,
  TreeMismatchError,
  TreeStructure,
  tensor,
  treeFlatten,
  treeLeaves,
  treeMap,
  treeReduce,
  treeUnflatten,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'

const tree = {
  w: tensor([
    [1, 2],
    [3, 4],
  ]),
  layers: [{ b: 5 }, { b: tensor([6]) }],
  frozen: null,
  later: undefined,
}

describe('treeFlatten and treeUnflatten', () => {
  it('tree-roundtrip: leaves in flatten order, the structure rebuilds the tree', () => {
    const [leaves, structure] = treeFlatten(tree)
    expect(leaves).toHaveLength(3)
    expect(leaves[0]).toBe(tree.w)
    expect(leaves[1]).toBe(5)
    expect(structure.numLeaves).toBe(3)
    const rebuilt = treeUnflatten(structure, leaves)
    expect(rebuilt).toEqual(tree)
    expect(rebuilt).not.toBe(tree)
    expect(rebuilt.layers).not.toBe(tree.layers)
    expect(Object.hasOwn(rebuilt, 'later')).toBe(true)
  })

  it('the structure prints, and compares by structure, kinds and shapes', () => {
    const [, s] = treeFlatten(tree)
    expect(String(s)).toBe(
      '{ w: Tensor[2, 2], layers: [{ b: number }, { b: Tensor[1] }], frozen: null, later: undefined }',
    )
    expect(s).toBeInstanceOf(TreeStructure)
    expect(s.equals(treeFlatten(treeMap((x) => mul(2, x), tree))[1])).toBe(true)
    expect(s.equals(treeFlatten({ ...tree, w: tensor([1]) })[1])).toBe(false)
    expect(s.equals(treeFlatten({ ...tree, frozen: undefined })[1])).toBe(false)
    expect(String(treeFlatten({ 'a-b': [], c: {} })[1])).toBe('{ "a-b": [], c: {} }')
  })

  it('a leaf alone, and empty trees', () => {
    const [leaves, s] = treeFlatten(7)
    expect(leaves).toEqual([7])
    expect(treeUnflatten(s, [8])).toBe(8)
    for (const empty of [[], {}, null, undefined, [[], { a: null }]]) {
      const [ls, st] = treeFlatten(empty)
      expect(ls).toEqual([])
      expect(st.numLeaves).toBe(0)
      expect(treeUnflatten(st, [])).toEqual(empty)
    }
  })

  it('unflatten takes leaves of other shapes and kinds (a per-leaf summary), as JAX does', () => {
    const [leaves, s] = treeFlatten(tree)
    const sums = treeUnflatten(
      s,
      leaves.map((l) => sum(l)),
    )
    expect(sums.w.shape).toEqual([])
    expect(treeLeaves(sums).map((l) => (typeof l === 'number' ? l : l.item()))).toEqual([10, 5, 6])
  })

  it('refuses a wrong leaf count (TreeMismatchError) and non-leaves (InvalidArgumentError)', () => {
    const [leaves, s] = treeFlatten(tree)
    expect(() => treeUnflatten(s, leaves.slice(1))).toThrow(TreeMismatchError)
    expect(() => treeUnflatten(s, [...leaves, 1])).toThrow(/4 leaves for a structure of 3/)
    expect(() => treeUnflatten(s, [1, 2, 'x' as unknown as number])).toThrow(InvalidArgumentError)
    expect(() => treeUnflatten({} as TreeStructure, [])).toThrow(InvalidArgumentError)
    // holes: a sparse array of the right length is not a list of leaves
    expect(() => treeUnflatten(s, new Array<number>(3))).toThrow(/leaf 0 is not a number/)
    expect(() => treeFlatten({ a: 'no' })).toThrow(InvalidArgumentError)
  })

  it('a tree nested 10⁵ levels deep flattens, prints and rebuilds without recursion', () => {
    let deep: unknown = 1
    for (let i = 0; i < 100_000; i++) deep = [deep]
    const [leaves, s] = treeFlatten(deep)
    expect(leaves).toEqual([1])
    expect(String(s)).toHaveLength(200_006)
    let back = treeUnflatten(s, [2])
    for (let i = 0; i < 100_000; i++) back = (back as unknown[])[0]
    expect(back).toBe(2)
  })

  it('keeps __proto__ as a key, never a prototype', () => {
    const weird = JSON.parse('{"__proto__": 1, "constructor": 2}') as Record<string, number>
    const [leaves, s] = treeFlatten(weird)
    const back = treeUnflatten(
      s,
      leaves.map((x) => mul(10, x)),
    )
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.keys(back)).toEqual(['__proto__', 'constructor'])
    expect(back.constructor).toBe(20)
  })

  it('flattens and rebuilds traced trees inside grad, jit and vmap', () => {
    const loss = (p: typeof tree) => {
      const [leaves, s] = treeFlatten(p)
      const doubled = treeUnflatten(
        s,
        leaves.map((l) => mul(2, l)),
      )
      return sum(mul(doubled.w, doubled.layers[0]!.b))
    }
    const g = grad(loss)(tree)
    // ∂/∂w = 4b = 20, ∂/∂b = 4·Σw = 40
    expect(g.w.toArray()).toEqual([
      [20, 20],
      [20, 20],
    ])
    expect(g.layers[0]!.b).toBe(40)
    expect(jit(loss)(tree).item()).toBe(loss(tree).item())
    const perRow = vmap((row: Tensor) => {
      const [leaves, s] = treeFlatten({ r: row })
      return treeUnflatten(s, [square(leaves[0]!)]).r
    })(tree.w)
    expect(perRow.toArray()).toEqual([
      [1, 4],
      [9, 16],
    ])
  })
})

describe('treeReduce', () => {
  it('folds the leaves in flatten order from the initial value', () => {
    expect(
      treeReduce((order: number[], x) => [...order, x as number], [3, { a: 1, b: [2] }], []),
    ).toEqual([3, 1, 2])
    const total = treeReduce((acc: number | Tensor, x) => add(acc, sum(x)), tree, 0) as Tensor
    expect(total.item()).toBe(1 + 2 + 3 + 4 + 5 + 6)
    expect(treeReduce((n, _x) => n + 1, tree, 0)).toBe(3)
  })

  it('returns the initial value for an empty tree', () => {
    const initial = { untouched: true }
    expect(treeReduce(() => ({ untouched: false }), [null, {}], initial)).toBe(initial)
  })

  it('differentiates: the squared norm by reduce has gradient 2x', () => {
    const sq = (p: typeof tree) =>
      treeReduce((acc: number | Tensor, x) => add(acc, sum(square(x))), p, 0) as number
    const g = grad(sq)(tree)
    expect(g.w.toArray()).toEqual([
      [2, 4],
      [6, 8],
    ])
    expect((g.layers[1]!.b as Tensor).toArray()).toEqual([12])
  })

  it('refuses a missing function', () => {
    expect(() => treeReduce(3 as never, tree, 0)).toThrow(InvalidArgumentError)
  })
})

describe('treeMap over several trees', () => {
  it('maps two, three and four trees leaf by leaf', () => {
    const a = { w: tensor([1, 2]), b: 3 }
    const b = { w: tensor([10, 20]), b: 30 }
    expect(treeMap((x, y) => add(x, y), a, b).b).toBe(33)
    const three = treeMap((x, y, z) => add(x, mul(y, z)), a, b, b)
    expect(three.w.toArray()).toEqual([101, 402])
    const four = treeMap(
      (x, ...rest) => rest.reduce<number | Tensor>((s, r) => sub(s, r), x),
      a,
      a,
      a,
      a,
    )
    expect(four.b).toBe(-6)
  })

  it('names the mismatching tree and path', () => {
    const a = { w: tensor([1, 2]), b: 3 }
    expect(() => treeMap(add, a, { w: tensor([1, 2, 3]), b: 3 })).toThrow(
      /tree 1 does not match tree 0 at tree 1\.w: shape \[3\] instead of \[2\]/,
    )
  })
})
