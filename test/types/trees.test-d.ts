/**
 * Types of the tree utilities (checked by `vitest --typecheck`, never run): `treeMap`
 * callbacks typed by the leaves of each tree — a callback annotated `(p: Tensor, g: Tensor)`
 * is accepted for trees of tensors and refused where a leaf is a number — results with the
 * tree's type, `treeFlatten`/`treeUnflatten` keeping it through the structure, `treeReduce`,
 * tree arithmetic, `ravel`, the loaders with an expected tree, and `vmap`'s axis options.
 */
import {
  add,
  loadParams,
  loadParamsBinary,
  mul,
  ravel,
  sub,
  sum,
  type Tensor,
  type Tree,
  type TreeLeaf,
  type TreeLeafOf,
  type TreeStructure,
  treeAdd,
  treeDot,
  treeFlatten,
  treeLeaves,
  treeMap,
  treeNorm,
  treeReduce,
  treeScale,
  treeUnflatten,
  vmap,
} from 'fluxion'
import { describe, expectTypeOf, it } from 'vitest'

interface Mlp {
  w: Tensor
  b: Tensor
}
interface Mixed {
  w: Tensor
  layers: { b: number }[]
  frozen: null
}
declare const mlp: Mlp
declare const mixed: Mixed
declare const t: Tensor

describe('TreeLeafOf', () => {
  it('is the union of the leaf types, or TreeLeaf when the type says nothing', () => {
    expectTypeOf<TreeLeafOf<Mlp>>().toEqualTypeOf<Tensor>()
    expectTypeOf<TreeLeafOf<Mixed>>().toEqualTypeOf<number | Tensor>()
    expectTypeOf<TreeLeafOf<number[][]>>().toEqualTypeOf<number>()
    expectTypeOf<TreeLeafOf<readonly [number, { a: Tensor }]>>().toEqualTypeOf<number | Tensor>()
    expectTypeOf<TreeLeafOf<unknown>>().toEqualTypeOf<TreeLeaf>()
    expectTypeOf<TreeLeafOf<Tree>>().toEqualTypeOf<TreeLeaf>()
    expectTypeOf<TreeLeafOf<{ w?: Tensor }>>().toEqualTypeOf<Tensor>()
  })
})

describe('treeMap', () => {
  it('accepts callbacks annotated with the leaf type, and keeps the tree type', () => {
    const step = treeMap((p: Tensor, g: Tensor) => sub(p, mul(0.1, g)), mlp, mlp)
    expectTypeOf(step).toEqualTypeOf<Mlp>()
    expectTypeOf(treeMap((x) => mul(2, x), mixed)).toEqualTypeOf<Mixed>()
    expectTypeOf(treeMap(add, [1, 2], [3, 4])).toEqualTypeOf<number[]>()
    treeMap((a: Tensor, b: Tensor, c: Tensor) => add(a, mul(b, c)), mlp, mlp, mlp)
  })

  it('infers the callback parameters from each tree', () => {
    treeMap(
      (p, n) => {
        expectTypeOf(p).toEqualTypeOf<Tensor>()
        expectTypeOf(n).toEqualTypeOf<number>()
        return p
      },
      mlp,
      [1, 2],
    )
  })

  it('refuses a Tensor-only callback where a leaf is a number', () => {
    // @ts-expect-error layers[].b is a number
    treeMap((p: Tensor) => p, mixed)
    // @ts-expect-error the second tree has number leaves
    treeMap((p: Tensor, g: Tensor) => add(p, g), mlp, [1, 2])
  })

  it('works in code generic over the tree', () => {
    const apply = <P>(params: P, updates: P): P => treeMap((p, u) => add(p, u), params, updates)
    expectTypeOf(apply(mlp, mlp)).toEqualTypeOf<Mlp>()
  })
})

describe('flatten, unflatten, reduce, leaves', () => {
  it('keeps the tree type through the structure', () => {
    const [leaves, structure] = treeFlatten(mlp)
    expectTypeOf(leaves).toEqualTypeOf<Tensor[]>()
    expectTypeOf(structure).toEqualTypeOf<TreeStructure<Mlp>>()
    expectTypeOf(treeUnflatten(structure, leaves)).toEqualTypeOf<Mlp>()
    expectTypeOf(treeLeaves(mixed)).toEqualTypeOf<(number | Tensor)[]>()
  })

  it('treeReduce returns the accumulator type', () => {
    expectTypeOf(treeReduce((n: number, _x) => n + 1, mixed, 0)).toEqualTypeOf<number>()
    const total = treeReduce((acc: number | Tensor, x) => add(acc, sum(x)), mlp, 0)
    expectTypeOf(total).toEqualTypeOf<number | Tensor>()
  })
})

describe('tree arithmetic, ravel and loading', () => {
  it('keep the tree type; dot and norm are numbers', () => {
    expectTypeOf(treeAdd(mlp, mlp)).toEqualTypeOf<Mlp>()
    expectTypeOf(treeScale(2, mixed)).toEqualTypeOf<Mixed>()
    expectTypeOf(treeDot(mlp, mlp)).toEqualTypeOf<number>()
    expectTypeOf(treeNorm(mixed)).toEqualTypeOf<number>()
    const [v, unravel] = ravel(mixed)
    expectTypeOf(v).toEqualTypeOf<Tensor>()
    expectTypeOf(unravel(v)).toEqualTypeOf<Mixed>()
  })

  it('loaders return the expected tree type, or Tree', () => {
    expectTypeOf(loadParams('', mlp)).toEqualTypeOf<Mlp>()
    expectTypeOf(loadParams('')).toEqualTypeOf<Tree>()
    expectTypeOf(loadParamsBinary(new Uint8Array(), mixed)).toEqualTypeOf<Mixed>()
  })
})

describe('vmap axes', () => {
  it('takes an axis, per-argument entries and tree prefixes', () => {
    const f = (p: Mlp, x: Tensor) => mul(p.w, x)
    expectTypeOf(vmap(f, { inAxes: [{ w: 1, b: null }, -1], outAxes: 1 })).toEqualTypeOf<
      (p: Mlp, x: Tensor) => Tensor
    >()
    vmap(f, { inAxes: 0, outAxes: [0] })
    vmap((x: Tensor) => ({ a: x, b: t }), { outAxes: { a: 0, b: null } })
    // @ts-expect-error an axis is a number, not a string
    vmap(f, { inAxes: ['0', 0] })
  })
})
