/**
 * The control-flow constructs (scan, foriLoop, whileLoop, cond, switchCase): known values,
 * trees, empty loops, nesting, closures over traced values, Taylor mode, and every named error.
 * The laws (laws/control.laws.test.ts) compare them with plain JS loops on random bodies.
 */
import {
  add,
  ControlFlowError,
  cond,
  derivative,
  dot,
  exp,
  foriLoop,
  grad,
  greater,
  hessian,
  IndexError,
  InvalidArgumentError,
  jacfwd,
  jit,
  jvp,
  less,
  matmul,
  mul,
  neg,
  ShapeError,
  scan,
  sin,
  sum,
  switchCase,
  Tensor,
  TreeMismatchError,
  tensor,
  vjp,
  vmap,
  where,
  whileLoop,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

describe('scan', () => {
  it('threads a tree carry and stacks a tree of ys', () => {
    const [carry, ys] = scan(
      (c: { s: number; p: Tensor }, x: Tensor) =>
        [
          { s: add(c.s, sum(x)), p: mul(c.p, x) },
          { total: add(c.s, sum(x)), x },
        ] as const,
      { s: 0, p: tensor([1, 1]) },
      tensor([
        [1, 2],
        [3, 4],
      ]),
    )
    expect(carry.s).toBe(10)
    expect(carry.p.toArray()).toEqual([3, 8])
    expect(ys.total.toArray()).toEqual([3, 10])
    expect(ys.x.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ])
  })

  it('runs zero steps: the carry unchanged, ys with a leading 0', () => {
    const [c, ys] = scan(
      (c: Tensor, x: Tensor) => [add(c, x), mul(x, 2)],
      tensor([1, 2]),
      emptyRows(2),
    )
    expect(c.toArray()).toEqual([1, 2])
    expect(ys.shape).toEqual([0, 2])
    expect(
      grad((w: Tensor) =>
        sum(scan((c: Tensor, x: Tensor) => [add(c, x), null], w, emptyRows(2))[0]),
      )(tensor([1, 2])).toArray(),
    ).toEqual([1, 1])
  })

  it('scans with no xs given a length, and in reverse', () => {
    const [c, ys] = scan((c: number) => [mul(c, 2), c], 1, null, { length: 4 })
    expect(c).toBe(16)
    expect((ys as unknown as Tensor).toArray()).toEqual([1, 2, 4, 8])
    const [, rev] = scan((c: number, x: Tensor) => [add(c, x), add(c, x)], 0, tensor([1, 2, 3]), {
      reverse: true,
    })
    expect(rev.toArray()).toEqual([6, 5, 3])
  })

  it('nests, and differentiates through a closure over the outer carry', () => {
    const f = (w: number) =>
      scan(
        (c: number, x: Tensor) => {
          const [inner] = scan((d: number, z: Tensor) => [add(mul(d, w), z), null], c, x)
          return [inner, null]
        },
        1,
        tensor([
          [1, 2],
          [3, 4],
        ]),
      )[0]
    // ((((1·w + 1)·w + 2)·w + 3)·w + 4)
    const poly = (w: number) => w ** 4 + w ** 3 + 2 * w ** 2 + 3 * w + 4
    expect(f(0.5)).toBeCloseTo(poly(0.5), 14)
    expect(grad(f)(0.5)).toBeCloseTo(4 * 0.125 + 3 * 0.25 + 4 * 0.5 + 3, 13)
    expect(derivative(f, 2)(0.5)).toBeCloseTo(12 * 0.25 + 6 * 0.5 + 4, 12)
  })

  it('vjp gives cotangents of init, xs and captured values', () => {
    const w = 3
    const [out, pullback] = vjp(
      (c0: number, xs: Tensor, v: number) =>
        scan((c: number, x: Tensor) => [add(mul(c, v), x), mul(x, c)], c0, xs),
      2,
      tensor([1, 2]),
      w,
    )
    // c1 = 2v + 1 = 7, c2 = 7v + 2 = 23; ys = [1·2, 2·7]
    expect(out[0]).toBe(23)
    expect(out[1].toArray()).toEqual([2, 14])
    const [c0Bar, xsBar, vBar] = pullback([1, tensor([0, 0])] as never)
    expect(c0Bar).toBe(9) // v²
    expect((xsBar as Tensor).toArray()).toEqual([3, 1])
    expect(vBar).toBe(2 * 3 + 7) // d(c1·v + 2)/dv with c1 = 2v + 1
  })

  it('raises named errors', () => {
    expect(() =>
      scan((_c: number, x: Tensor) => [tensor([1, 2]), x] as never, 0, tensor([1])),
    ).toThrow(TreeMismatchError)
    expect(() =>
      scan((c: number, x: Tensor) => [c, x] as never, 0, [
        tensor([1, 2]),
        tensor([1, 2, 3]),
      ] as never),
    ).toThrow(ShapeError)
    expect(() => scan((c: number) => [c, null], 0, null)).toThrow(InvalidArgumentError)
    expect(() => scan((c: number) => c as never, 0, null, { length: 2 })).toThrow(
      /must return \[carry, y\]/,
    )
    expect(() => scan((c: number) => [c, null], 0, tensor([1, 2]), { length: 3 })).toThrow(
      ShapeError,
    )
    expect(() => scan((c: number) => [c, null], 0, 5 as never)).toThrow(ShapeError)
    expect(() => scan((c: number) => [c, null], 0, null, { length: 2, checkpoint: 0 })).toThrow(
      InvalidArgumentError,
    )
    expect(() => scan(3 as never, 0, null, { length: 1 })).toThrow(InvalidArgumentError)
    // ys that change shape between steps
    let k = 0
    expect(() =>
      scan((c: number) => [c, tensor(new Array(++k).fill(0))], 0, null, { length: 2 }),
    ).toThrow(TreeMismatchError)
  })
})

/** A [0, n] tensor. */
const emptyRows = (n: number): Tensor => new Tensor(new Float64Array(0), [0, n])

describe('foriLoop', () => {
  it('gives i as a number and returns init for an empty range', () => {
    const seen: unknown[] = []
    foriLoop(
      2,
      4,
      (i: number, c: number) => {
        seen.push(typeof i)
        return add(c, i)
      },
      0,
    )
    expect(seen).toEqual(['number', 'number'])
    expect(foriLoop(3, 3, (_i: number, c: number) => add(c, 1), 7)).toBe(7)
    expect(foriLoop(3, 1, (_i: number, c: number) => add(c, 1), 7)).toBe(7)
    expect(() => foriLoop(0.5, 2, (_i: number, c: number) => c, 0)).toThrow(InvalidArgumentError)
  })
})

describe('whileLoop', () => {
  it('differentiates forward, refuses reverse mode with ControlFlowError', () => {
    const f = (x: number) =>
      whileLoop(
        (y: number) => less(y, 10),
        (y: number) => mul(y, 1.5),
        x,
      )
    expect(f(1)).toBeCloseTo(11.390625, 14)
    expect(jvp(f, [1], [1])[1]).toBeCloseTo(11.390625, 14)
    expect(jacfwd(f)(1)).toBeCloseTo(11.390625, 14)
    expect(() => grad(f)(1)).toThrow(ControlFlowError)
    expect(() => grad(f)(1)).toThrow(/foriLoop|scan/)
  })

  it('raises for a bad condition or carry', () => {
    expect(() =>
      whileLoop(
        () => tensor([1, 0]),
        (y: number) => y,
        1,
      ),
    ).toThrow(InvalidArgumentError)
    expect(() =>
      whileLoop(
        () => Number.NaN,
        (y: number) => y,
        1,
      ),
    ).toThrow(/NaN/)
    expect(() =>
      whileLoop(
        (y: number) => less(y, 2),
        () => tensor([1, 2]) as never,
        1,
      ),
    ).toThrow(TreeMismatchError)
  })

  it('vmaps with a per-example trip count', () => {
    const f = (x: number) =>
      whileLoop(
        (y: number) => less(y, 10),
        (y: number) => mul(y, 3),
        x,
      )
    expect(vmap(f)(tensor([1, 4, 12]) as never)).toEqual(tensor([27, 12, 12]))
  })
})

describe('cond and switchCase', () => {
  it('run only the chosen branch eagerly', () => {
    let ran = 0
    const out = cond(
      1,
      (x: number) => mul(x, 2),
      () => {
        ran++
        return 0
      },
      5,
    )
    expect(out).toBe(10)
    expect(ran).toBe(0)
  })

  it('take several operands and return trees', () => {
    const out = cond(
      0,
      (a: number, b: Tensor) => ({ s: add(a, sum(b)) }),
      (a: number, b: Tensor) => ({ s: mul(a, sum(b)) }),
      2,
      tensor([1, 2]),
    )
    expect((out.s as Tensor).item()).toBe(6)
  })

  it('differentiate the chosen branch; the predicate has no derivative', () => {
    const f = (x: number) =>
      cond(
        greater(x, 0),
        (y: number) => exp(y),
        (y: number) => sin(y),
        x,
      )
    expect(grad(f)(1)).toBeCloseTo(Math.E, 15)
    expect(grad(f)(-1)).toBeCloseTo(Math.cos(-1), 15)
    expect(derivative(f, 3)(-1)).toBeCloseTo(-Math.cos(-1), 14)
  })

  it('raise named errors', () => {
    expect(() =>
      cond(
        tensor([1, 0]),
        (x: number) => x,
        (x: number) => x,
        1,
      ),
    ).toThrow(InvalidArgumentError)
    expect(() =>
      cond(
        Number.NaN,
        (x: number) => x,
        (x: number) => x,
        1,
      ),
    ).toThrow(/NaN/)
    expect(() => switchCase(3, [(x: number) => x, neg], 1)).toThrow(IndexError)
    expect(() => switchCase(0.5, [(x: number) => x, neg], 1)).toThrow(IndexError)
    expect(() => switchCase(0, [], 1)).toThrow(IndexError)
    expect(() => cond(1, 5 as never, (x: number) => x, 1)).toThrow(InvalidArgumentError)
    // branches that disagree are found when both are traced: vmap with a batched predicate
    const bad = (p: number) =>
      cond(
        p,
        (x: number) => x,
        () => tensor([1, 2]) as never,
        1,
      )
    expect(() => vmap(bad)(tensor([1, 0]) as never)).toThrow(TreeMismatchError)
  })

  it('jit replays both branches', () => {
    const f = jit((p: number, x: number) =>
      cond(
        greater(p, 0),
        (y: number) => mul(y, 2),
        (y: number) => neg(y),
        x,
      ),
    )
    expect(f(1, 3)).toBe(6)
    expect(f(-1, 3)).toBe(-3)
    expect(f(1, 4)).toBe(8)
    expectClose(jit(grad((x: number) => f(-1, x)))(2), -1)
  })
})

describe('vmap outAxes', () => {
  it('a top-level null returns the output unbatched (it was read as 0)', () => {
    expect(vmap((_x: number) => 3, { outAxes: null })(tensor([1, 2]) as never)).toBe(3)
    expect(() =>
      vmap((x: number) => mul(x, 2), { outAxes: null })(tensor([1, 2]) as never),
    ).toThrow(/outAxes is null/)
  })
})

describe('foriLoop bounds and options', () => {
  it('a bound that grad traces is read as a number: reverse mode still works', () => {
    // the bound carries no derivative; the loop is a scan, so grad goes through it
    const f = (n: number, x: number) => foriLoop(0, n, (_i: number, y: number) => mul(y, x), 1)
    expect(grad(f, { argnums: 1 })(3, 2)).toBe(12)
    expect(grad((n: number) => f(n, 2))(3)).toBe(0)
  })

  it('takes scan options: unroll and checkpoint change no value', () => {
    const f = (x: number, options?: { unroll?: number; checkpoint?: number }) =>
      foriLoop(0, 7, (i: number, y: number) => add(mul(y, sin(x)), i), 1, options)
    const base = grad(f)(0.3)
    expect(grad((x: number) => f(x, { checkpoint: 3 }))(0.3)).toBe(base)
    expect(jit(grad((x: number) => f(x, { unroll: 4 })))(0.3)).toBe(jit(grad(f))(0.3))
  })

  it('a bound batched by vmap gives each example its own trip count', () => {
    const f = (n: number) => foriLoop(0, n, (_i: number, y: number) => mul(y, 2), 1)
    // made of the number 1 alone (the bounds only select): weakly typed, as in JAX
    expect((vmap(f)(tensor([1, 3, 0]) as never) as unknown as Tensor).toArray()).toEqual([2, 8, 1])
  })
})

describe('QA regressions: a batched index or predicate', () => {
  const c = tensor([1, 2])
  const double = (t: Tensor) => mul(t, 2)
  const same = (t: Tensor) => t
  const rows = (v: unknown) => (v as Tensor).toArray()

  it('lines up with the batch axis where the branch outputs are not batched', () => {
    const byCond = (x: Tensor) => cond(greater(x, 0), double, same, c)
    const bySwitch = (k: Tensor) => switchCase(k, [double, same], c)
    const expected = [
      [2, 4],
      [1, 2],
    ]
    expect(rows(vmap(byCond)(tensor([1, -1]) as never))).toEqual(expected)
    expect(rows(vmap(bySwitch)(tensor([0, 1]) as never))).toEqual(expected)
    expect(rows(jit(vmap(byCond))(tensor([1, -1]) as never))).toEqual(expected)
    // as where() on the same outputs
    const viaWhere = (x: Tensor) => where(greater(x, 0), mul(c, 2), c)
    expect(rows(vmap(viaWhere)(tensor([1, -1]) as never))).toEqual(expected)
    // number outputs of no operand
    const constant = (x: Tensor) =>
      cond(
        greater(x, 0),
        () => 1,
        () => 2,
      )
    expect(rows(vmap(constant)(tensor([1, -1, 3]) as never))).toEqual([1, 2, 1])
  })

  it('differentiates the unbatched operand through the per-example select', () => {
    const f = (w: Tensor) =>
      sum(vmap((x: Tensor) => cond(greater(x, 0), double, sin, w))(tensor([1, -1, 2]) as never))
    const ref = (w: Tensor) =>
      sum(vmap((x: Tensor) => where(greater(x, 0), mul(w, 2), sin(w)))(tensor([1, -1, 2]) as never))
    expectClose(grad(f)(c), grad(ref)(c) as Tensor)
    expectClose(jacfwd(f)(c), grad(ref)(c) as Tensor)
    expectClose(jit(grad(f))(c), grad(ref)(c) as Tensor)
    expectClose(jvp(f, [c], [tensor([1, 0.5])])[1], jvp(ref, [c], [tensor([1, 0.5])])[1])
  })

  it('refuses a bad index or a NaN predicate, eagerly and on every jit replay', () => {
    const branches = [same, double, neg]
    const pick = (k: Tensor, x: Tensor) => switchCase(k, branches, x)
    const ones = tensor([1, 1])
    for (const k of [-1, 3, 1.5, 0.4, Number.NaN]) {
      expect(() => vmap(pick)(tensor([0, k]) as never, ones as never)).toThrow(IndexError)
    }
    const choose = (p: Tensor, x: Tensor) => cond(p, same, neg, x)
    expect(() => vmap(choose)(tensor([Number.NaN]) as never, tensor([2]) as never)).toThrow(
      InvalidArgumentError,
    )
    // a predicate read through a tangent, and a nested vmap, are checked too
    expect(() =>
      jvp(
        (p: Tensor) => sum(vmap((q: Tensor) => cond(q, double, same, c))(p as never)),
        [tensor([1, Number.NaN])],
        [tensor([1, 1])],
      ),
    ).toThrow(/NaN/)
    expect(() =>
      vmap(vmap((k: Tensor) => switchCase(k, [double, same], c)))(
        tensor([
          [0, 1],
          [1, 2],
        ]) as never,
      ),
    ).toThrow(IndexError)
    // jit: the first call stages the select, the next replays it on a bad index
    const staged = jit(vmap(pick))
    expect(rows(staged(tensor([0, 2]) as never, ones as never))).toEqual([1, -1])
    expect(() => staged(tensor([0, 3]) as never, ones as never)).toThrow(IndexError)
    const stagedCond = jit(vmap(choose))
    expect(rows(stagedCond(tensor([1, 0]) as never, tensor([2, 3]) as never))).toEqual([2, -3])
    expect(() => stagedCond(tensor([Number.NaN, 0]) as never, tensor([2, 3]) as never)).toThrow(
      InvalidArgumentError,
    )
  })
})

describe('QA regressions: forward-mode Jacobians of a checkpointed scan', () => {
  // several tangents at once (a chunk of 2 for 3 inputs) pass through the checkpoint segments
  it('equal the plain scan’s when a chunk is narrower than the carry', () => {
    const f = (checkpoint?: number) => (w: Tensor) =>
      sum(
        scan((c: Tensor, _x: null) => [mul(w, dot(w, c)), 0] as const, tensor([1, 2, 3]), null, {
          length: 2,
          ...(checkpoint === undefined ? {} : { checkpoint }),
        })[0],
      )
    const w = tensor([0.5, 0.7, -0.2])
    const plain = jacfwd(f(), { chunkSize: 2 })(w) as Tensor
    expectClose(plain, [3.094, 4.394, 2.834], 1e-12, 1e-12)
    expectClose(jacfwd(f(1), { chunkSize: 2 })(w), plain)
  })

  it('give the plain Hessian through matmul', () => {
    const loss = (checkpoint?: number) => (p: Tensor) =>
      sum(
        scan((c: Tensor, _x: null) => [sin(matmul(p, c)), 0] as const, tensor([1, 2]), null, {
          length: 2,
          ...(checkpoint === undefined ? {} : { checkpoint }),
        })[0],
      )
    const W = tensor([
      [0.5, -0.3],
      [0.2, 0.4],
    ])
    expectClose(hessian(loss(1))(W), hessian(loss())(W) as Tensor)
  })
})

describe('QA regressions: jit raises what an eager run raises', () => {
  it('a fractional, NaN or infinite traced foriLoop bound', () => {
    const f = (r: number, n: number) =>
      foriLoop(0, n, (i: number, a: number) => mul(a, add(1, mul(r, i))), 1)
    const staged = jit(f)
    expectClose(staged(0.1, 3), 1.32)
    for (const n of [2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => f(0.1, n)).toThrow(/hi must be an integer/)
      expect(() => staged(0.1, n)).toThrow(InvalidArgumentError)
      expect(() => staged(0.1, n)).toThrow(/hi must be an integer/)
    }
    const fromLo = jit((lo: number) => foriLoop(lo, 3, (i: number, a: number) => add(a, i), 0))
    expect(fromLo(1)).toBe(3)
    expect(() => fromLo(0.5)).toThrow(/lo must be an integer/)
    // a batched bound
    const batched = (n: Tensor) => f(0.1, n as never)
    expect(() => vmap(batched)(tensor([1, 2.5]) as never)).toThrow(/hi must be an integer/)
  })

  it('branches of different output shapes, whichever the predicate picks', () => {
    const g = (x: number) =>
      cond(
        greater(x, 0),
        (y: number) => y,
        (y: number) => mul(y, tensor([1, 1])) as never,
        x,
      )
    // under jit both branches are traced, whichever the first call takes (it used to fall back
    // to eager and return a number or a tensor by the data)
    expect(() => jit(g)(1)).toThrow(TreeMismatchError)
    expect(() => jit(g)(-1)).toThrow(TreeMismatchError)
    expect(() => jit(grad(g))(1)).toThrow(TreeMismatchError)
    expect(() => vmap(g)(tensor([1, -1]) as never)).toThrow(TreeMismatchError)
    // eagerly only the chosen branch runs (documented)
    expect(g(1)).toBe(1)
    const h = jit((k: number) => switchCase(k, [() => 1, () => tensor([1, 2]) as never, () => 3]))
    expect(() => h(0)).toThrow(TreeMismatchError)
  })
})

describe('QA regressions: error messages print shapes and lengths', () => {
  it('a non-scalar whileLoop condition and xs leaves of different lengths', () => {
    expect(() =>
      whileLoop(
        (x: number) => less(x, tensor([1, 2])),
        (x: number) => x,
        0,
      ),
    ).toThrow(/got shape \[2\]/)
    expect(() =>
      scan((c: number) => [c, 0] as const, 0, [tensor([1, 2]), tensor([1, 2, 3])]),
    ).toThrow(/\[2, 3\]/)
  })
})
