/**
 * Tree arithmetic (src/primitives/tree-math.ts) and `ravel` (src/primitives/ravel.ts): values
 * against plain-JS sums over the leaves, kinds kept (numbers stay numbers), empty and nested
 * trees, mismatches named, and derivatives under `grad`, `jvp`, `jit` and `vmap` — including
 * the gradient 0 of `treeNorm` at 0 and `grad` through `ravel` and `unravel`.
 */
import fc from 'fast-check'
import {
  grad,
  InvalidArgumentError,
  jit,
  jvp,
  mul,
  random,
  ravel,
  ShapeError,
  sin,
  sum,
  type Tensor,
  TreeMismatchError,
  tensor,
  treeAdd,
  treeDot,
  treeLeaves,
  treeMap,
  treeNorm,
  treeScale,
  treeSub,
  vmap,
  zeros,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

const [k1, k2] = random.split(random.key(5), 2) as [random.Key, random.Key]
const a = { w: random.normal(k1, [2, 3]), layers: [{ b: 0.5 }, { b: tensor([1, -2]) }], s: null }
const b = { w: random.normal(k2, [2, 3]), layers: [{ b: -1.5 }, { b: tensor([3, 4]) }], s: null }

/** Every number of a tree, in flatten order, read in plain JS. */
const numbers = (t: unknown): number[] =>
  treeLeaves(t).flatMap((l) => (typeof l === 'number' ? [l] : [...l.data]))

describe('treeAdd, treeSub, treeScale', () => {
  it('combine leaf by leaf and keep kinds', () => {
    const s = treeAdd(a, b)
    expect(numbers(s)).toEqual(numbers(a).map((x, i) => x + numbers(b)[i]!))
    expect(typeof s.layers[0]!.b).toBe('number')
    expect(s.s).toBeNull()
    const d = treeSub(a, b)
    expect(numbers(d)).toEqual(numbers(a).map((x, i) => x - numbers(b)[i]!))
    const c = treeScale(-2, a)
    expect(numbers(c)).toEqual(numbers(a).map((x) => -2 * x))
    expect(typeof c.layers[0]!.b).toBe('number')
  })

  it('a rank-0 tensor factor keeps number leaves numbers', () => {
    const c = treeScale(tensor(3) as unknown as number, { n: 2, t: tensor([1]) })
    expect(c.n).toBe(6)
    expect(c.t.toArray()).toEqual([3])
  })

  it('sub undoes add exactly on dyadic rationals', () => {
    const dyadic = fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((n) => n / 1024)
    fc.assert(
      fc.property(
        fc.array(dyadic, { minLength: 4, maxLength: 4 }),
        fc.array(dyadic, { minLength: 4, maxLength: 4 }),
        (xs, ys) => {
          const x = { v: tensor(xs.slice(0, 3)), n: xs[3]! }
          const y = { v: tensor(ys.slice(0, 3)), n: ys[3]! }
          return numbers(treeSub(treeAdd(x, y), y)).every((v, i) => v === numbers(x)[i])
        },
      ),
    )
  })

  it('name the mismatch: path and both shapes', () => {
    expect(() => treeAdd({ w: tensor([1, 2]) }, { w: tensor([1, 2, 3]) })).toThrow(
      TreeMismatchError,
    )
    expect(() => treeSub([1, 2], [1])).toThrow(/b does not match a at b: expected an array of 2/)
    expect(() => treeAdd({ w: tensor([1, 2]) }, { w: tensor([1]) })).toThrow(
      /at b\.w: shape \[1\] instead of \[2\]/,
    )
    expect(() => treeScale(tensor([1, 2]) as unknown as number, a)).toThrow(InvalidArgumentError)
    expect(() => treeScale('2' as unknown as number, a)).toThrow(InvalidArgumentError)
  })

  it('empty trees stay empty', () => {
    expect(treeAdd([], [])).toEqual([])
    expect(treeScale(3, { a: null })).toEqual({ a: null })
  })
})

describe('treeDot and treeNorm', () => {
  it('are Σ x·y and √(Σ x²) over all leaves, as numbers', () => {
    const dot = numbers(a).reduce((s, x, i) => s + x * numbers(b)[i]!, 0)
    expectClose(treeDot(a, b), dot, 1e-15)
    expect(typeof treeDot(a, b)).toBe('number')
    expectClose(treeNorm(a), Math.hypot(...numbers(a)), 1e-15)
    expect(treeNorm({ a: 3, b: tensor([4]) })).toBe(5)
    expect(treeDot([], [])).toBe(0)
    expect(treeNorm({})).toBe(0)
    expectClose(treeDot(a, a), treeNorm(a) ** 2, 1e-14)
  })

  it('treeDot refuses trees of different shapes', () => {
    expect(() => treeDot({ w: tensor([1, 2]) }, { w: tensor([[1, 2]]) })).toThrow(TreeMismatchError)
  })

  it('differentiate: ∇⟨a, b⟩ = b, ∇‖a‖ = a/‖a‖', () => {
    const [ga, gb] = grad((x: typeof a, y: typeof b) => treeDot(x, y), { argnums: [0, 1] })(a, b)
    expect(numbers(ga)).toEqual(numbers(b))
    expect(numbers(gb)).toEqual(numbers(a))
    const gn = grad((x: typeof a) => treeNorm(x))(a)
    const norm = treeNorm(a)
    expectClose(
      numbers(gn),
      numbers(a).map((x) => x / norm),
      1e-14,
    )
    expect(typeof gn.layers[0]!.b).toBe('number')
  })

  it('the norm has gradient 0 at 0, never NaN, also to second order', () => {
    const z = { w: zeros([3]), n: 0 }
    const g = grad((x: typeof z) => treeNorm(x))(z)
    expect(numbers(g)).toEqual([0, 0, 0, 0])
    expect(grad(grad((x: number) => treeNorm([x])))(0)).toBe(0)
    expect(grad((x: number) => treeNorm([x]))(-2)).toBe(-1)
  })

  it('jvp: d‖t‖ = ⟨t, dt⟩/‖t‖', () => {
    const [n, dn] = jvp((x: number[]) => treeNorm(x), [[3, 4]], [[1, 2]])
    expect(n).toBe(5)
    expectClose(dn, (3 + 8) / 5, 1e-15)
  })

  it('compile under jit and batch under vmap', () => {
    const f = (x: typeof a) => mul(treeNorm(x), treeDot(x, b))
    expect(jit(f)(a)).toBe(f(a))
    expect(jit(grad(f))(a)).toEqual(grad(f)(a))
    const rows = random.normal(random.key(9), [4, 3])
    const norms = vmap((r: Tensor) => treeNorm({ r, c: 1 }))(rows)
    const expected = [0, 1, 2, 3].map((i) => Math.hypot(...rows.data.slice(3 * i, 3 * i + 3), 1))
    expectClose(norms, expected, 1e-15)
    const zeroRow = vmap(grad((r: Tensor) => treeNorm([r])))(zeros([2, 3]))
    expect([...zeroRow.data]).toEqual([0, 0, 0, 0, 0, 0])
  })
})

describe('ravel', () => {
  it('concatenates the raveled leaves in flatten order; unravel cuts them back', () => {
    const [v, unravel] = ravel(a)
    expect(v.shape).toEqual([6 + 1 + 2])
    expect([...v.data]).toEqual(numbers(a))
    const back = unravel(v)
    expect(back).toEqual(a)
    expect(typeof back.layers[0]!.b).toBe('number')
    expect(back.w).not.toBe(a.w)
    const moved = unravel(mul(2, v))
    expect(numbers(moved)).toEqual(numbers(a).map((x) => 2 * x))
  })

  it('never shares storage with its inputs', () => {
    const t = { w: tensor([1, 2]) }
    const [v, unravel] = ravel(t)
    expect(v.data.buffer).not.toBe(t.w.data.buffer)
    expect(unravel(v).w.data.buffer).not.toBe(v.data.buffer)
  })

  it('empty trees ravel to a vector of length 0, a leaf alone to its entries', () => {
    const [v, unravel] = ravel({ a: [], b: null })
    expect(v.shape).toEqual([0])
    expect(unravel(v)).toEqual({ a: [], b: null })
    const [s, un] = ravel(4)
    expect(s.toArray()).toEqual([4])
    expect(un(tensor([5]))).toBe(5)
    const [e] = ravel(zeros([0, 3]))
    expect(e.shape).toEqual([0])
  })

  it('unravel refuses vectors of another shape with ShapeError', () => {
    const [, unravel] = ravel(a)
    expect(() => unravel(tensor([1, 2]))).toThrow(ShapeError)
    expect(() => unravel(zeros([3, 3]))).toThrow(/vector of length 9, got shape \[3, 3\]/)
    expect(() => unravel(3 as unknown as Tensor)).toThrow(ShapeError)
  })

  it('grad flows through ravel and through unravel', () => {
    const g = grad((t: typeof a) => sum(sin(ravel(t)[0])))(a)
    expectClose(numbers(g), numbers(a).map(Math.cos), 1e-15)
    expect(typeof g.layers[0]!.b).toBe('number')
    const [v, unravel] = ravel(a)
    const loss = (x: Tensor) => {
      const t = unravel(x)
      return mul(sum(mul(t.w, t.w)), t.layers[0]!.b)
    }
    const gv = grad(loss)(v)
    const w = numbers(a).slice(0, 6)
    const b0 = numbers(a)[6]!
    const sq = w.reduce((s, x) => s + x * x, 0)
    expectClose(gv, [...w.map((x) => 2 * x * b0), sq, 0, 0], 1e-14)
  })

  it('works traced: inside jit and vmap, and as a solver would use it (a Newton step)', () => {
    const f = (t: typeof a) => {
      const [v, unravel] = ravel(t)
      return unravel(mul(v, v))
    }
    expect(jit(f)(a)).toEqual(f(a))
    const rows = random.normal(random.key(3), [5, 2])
    const out = vmap((r: Tensor) => {
      const [v, unravel] = ravel({ r, n: 2 })
      const back = unravel(mul(v, 3))
      return mul(back.r, back.n)
    })(rows)
    expectClose(
      out,
      treeMap((x) => mul(18, x), rows),
      1e-15,
    )
  })
})
