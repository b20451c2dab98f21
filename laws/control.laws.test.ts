/**
 * Laws of the control-flow constructs: each agrees with the same computation written as a plain
 * JS loop or branch — values bit for bit, and derivatives under grad, jvp, jacfwd, jacrev,
 * hessian, vmap and jit (second call included) — on random loop bodies, random trip counts
 * (0 included) and random branches. The plain loop is the reference: fluxion differentiates it
 * by tracing every step, so the laws check that the constructs' own rules (a scan of the body's
 * JVP, a reverse scan of its VJP, a switch over the branches' rules) compute the same thing.
 *
 * Runs per property come from `FC_NUM_RUNS` (test/setup.ts); seeds are never pinned.
 */
import { fc, test } from '@fast-check/vitest'
import {
  add,
  cond,
  cos,
  exp,
  foriLoop,
  grad,
  greater,
  hessian,
  index,
  jacfwd,
  jacrev,
  jit,
  jvp,
  less,
  mul,
  neg,
  reshape,
  scan,
  sin,
  square,
  sum,
  switchCase,
  type Tensor,
  tanh,
  tensor,
  vmap,
  whileLoop,
} from 'fluxion'
import { describe, expect } from 'vitest'
import { expectClose } from '../test/helpers.ts'
import { sameBits } from './runners/jit.ts'

/** Smooth elementwise maps a body is built from (bounded, so long loops stay finite). */
const unary = [sin, cos, tanh, (x: Tensor) => exp(neg(square(x))), (x: Tensor) => mul(x, 0.5)]

/** A random body: c' = u(c)·x + v(w·c), y = u(x + c) — a choice of u and v. */
const bodyArb = fc.record({ u: fc.nat(unary.length - 1), v: fc.nat(unary.length - 1) })
type Body = { readonly u: number; readonly v: number }

const step = (b: Body, w: Tensor | number, c: Tensor, x: Tensor): [Tensor, Tensor] => {
  const u = unary[b.u]!
  const v = unary[b.v]!
  return [add(mul(u(c), x), v(mul(c, w) as Tensor)), u(add(x, c))]
}

const caseArb = fc.record({
  body: bodyArb,
  n: fc.nat(5),
  m: fc.integer({ min: 1, max: 3 }),
  seed: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 24, maxLength: 24 }),
  w: fc.double({ min: -1.5, max: 1.5, noNaN: true }),
  reverse: fc.boolean(),
})
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never

const inputs = (k: Case) => {
  const xs = reshape(tensor(Array.from({ length: k.n * k.m }, (_, i) => k.seed[i % 24]! * 1.3)), [
    k.n,
    k.m,
  ])
  const c0 = tensor(Array.from({ length: k.m }, (_, i) => k.seed[(i + 7) % 24]!))
  return { xs, c0 }
}

/** The loss through `scan`, and through a plain JS loop over the same steps. */
const losses = (k: Case, xs: Tensor) => {
  const viaScan = (w: number, c0: Tensor): number => {
    const [c, ys] = scan((c: Tensor, x: Tensor) => step(k.body, w, c, x), c0, xs, {
      reverse: k.reverse,
    })
    return add(sum(c), sum(mul(ys, ys))) as unknown as number
  }
  const viaLoop = (w: number, c0: Tensor): number => {
    let c = c0
    let total: Tensor | number = 0
    for (let j = 0; j < k.n; j++) {
      const i = k.reverse ? k.n - 1 - j : j
      const [next, y] = step(k.body, w, c, index(xs, i))
      c = next
      total = add(total, sum(mul(y, y)))
    }
    return add(sum(c), total) as unknown as number
  }
  return { viaScan, viaLoop }
}

const tol = 1e-11

describe('scan', () => {
  test.prop([caseArb])('agrees with a JS loop: value', (k) => {
    const { xs, c0 } = inputs(k)
    const [c, ys] = scan((c: Tensor, x: Tensor) => step(k.body, k.w, c, x), c0, xs, {
      reverse: k.reverse,
    })
    let ref = c0
    const refYs: Tensor[] = []
    for (let j = 0; j < k.n; j++) {
      const i = k.reverse ? k.n - 1 - j : j
      const [next, y] = step(k.body, k.w, ref, index(xs, i))
      ref = next
      refYs[i] = y
    }
    expect(sameBits(c, ref)).toBe(true)
    expect(ys.shape).toEqual([k.n, k.m])
    if (k.n > 0) expect(sameBits(ys, refYs)).toBe(true)
  })

  test.prop([caseArb])('agrees with a JS loop: grad, jvp, jacfwd, jacrev, hessian', (k) => {
    const { xs, c0 } = inputs(k)
    const { viaScan, viaLoop } = losses(k, xs)
    expectClose(
      grad(viaScan, { argnums: [0, 1] })(k.w, c0),
      grad(viaLoop, { argnums: [0, 1] })(k.w, c0),
      tol,
      tol,
    )
    const dir = add(mul(c0, 0.5), 0.25)
    expectClose(jvp(viaScan, [k.w, c0], [1, dir]), jvp(viaLoop, [k.w, c0], [1, dir]), tol, tol)
    expectClose(
      jacfwd(viaScan, { argnums: 1 })(k.w, c0),
      jacrev(viaLoop, { argnums: 1 })(k.w, c0),
      tol,
      tol,
    )
    expectClose(
      jacrev(viaScan, { argnums: 1 })(k.w, c0),
      jacfwd(viaLoop, { argnums: 1 })(k.w, c0),
      tol,
      tol,
    )
    expectClose(
      hessian((w: number) => viaScan(w, c0))(k.w),
      hessian((w: number) => viaLoop(w, c0))(k.w),
      1e-9,
      1e-9,
    )
  })

  test.prop([caseArb])('agrees with a JS loop: vmap and jit', (k) => {
    const { xs, c0 } = inputs(k)
    const { viaScan, viaLoop } = losses(k, xs)
    const ws = tensor([k.w, k.w * 0.5, -0.25])
    expectClose(
      vmap((w: number) => viaScan(w, c0))(ws as never),
      vmap((w: number) => viaLoop(w, c0))(ws as never),
      tol,
      tol,
    )
    expectClose(
      vmap(grad((w: number) => viaScan(w, c0)))(ws as never),
      vmap(grad((w: number) => viaLoop(w, c0)))(ws as never),
      tol,
      tol,
    )
    const [jf, jg] = [jit(viaScan), jit(grad(viaScan, { argnums: [0, 1] }))]
    for (const _ of [0, 1]) {
      expect(sameBits(jf(k.w, c0), viaScan(k.w, c0))).toBe(true)
      expect(sameBits(jg(k.w, c0), grad(viaScan, { argnums: [0, 1] })(k.w, c0))).toBe(true)
    }
  })

  test.prop([caseArb, fc.integer({ min: 1, max: 4 })])('checkpoint changes no value', (k, seg) => {
    const { xs, c0 } = inputs(k)
    const loss = (w: number, checkpoint?: number) => {
      const [c, ys] = scan((c: Tensor, x: Tensor) => step(k.body, w, c, x), c0, xs, {
        reverse: k.reverse,
        ...(checkpoint === undefined ? {} : { checkpoint }),
      })
      return add(sum(c), sum(mul(ys, ys))) as unknown as number
    }
    expect(sameBits(loss(k.w, seg), loss(k.w))).toBe(true)
    expectClose(grad((w: number) => loss(w, seg))(k.w), grad((w: number) => loss(w))(k.w), tol, tol)
  })
})

describe('foriLoop and whileLoop', () => {
  test.prop([caseArb])('foriLoop agrees with a JS loop (i a number)', (k) => {
    const { xs, c0 } = inputs(k)
    const viaFori = (w: number) =>
      sum(
        foriLoop(
          0,
          k.n,
          (i: number, c: Tensor) => step(k.body, mul(w, add(i, 1)), c, index(xs, 0))[0],
          c0,
        ),
      )
    const viaLoop = (w: number) => {
      let c = c0
      for (let i = 0; i < k.n; i++) c = step(k.body, mul(w, i + 1), c, index(xs, 0))[0]
      return sum(c)
    }
    if (k.n === 0) {
      expect(sameBits(viaFori(k.w), sum(c0))).toBe(true)
      return
    }
    expect(sameBits(viaFori(k.w), viaLoop(k.w))).toBe(true)
    expectClose(grad(viaFori)(k.w), grad(viaLoop)(k.w), tol, tol)
    expectClose(hessian(viaFori)(k.w), hessian(viaLoop)(k.w), 1e-9, 1e-9)
  })

  test.prop([caseArb])('whileLoop agrees with a JS loop: value, jvp, jacfwd, vmap, jit', (k) => {
    const { c0 } = inputs(k)
    // a counter in the carry bounds the loop: n steps of c' = u(c)·w + 0.1
    const viaWhile = (w: number) =>
      whileLoop(
        ([i]: readonly [number, Tensor]) => less(i, k.n),
        ([i, c]: readonly [number, Tensor]) =>
          [add(i, 1), add(mul(unary[k.body.u]!(c), w), 0.1)] as const,
        [0, c0] as const,
      )[1]
    const viaLoop = (w: number) => {
      let c = c0
      for (let i = 0; i < k.n; i++) c = add(mul(unary[k.body.u]!(c), w), 0.1)
      return c
    }
    expect(sameBits(viaWhile(k.w), viaLoop(k.w))).toBe(true)
    expectClose(jvp(viaWhile, [k.w], [1]), jvp(viaLoop, [k.w], [1]), tol, tol)
    expectClose(jacfwd(viaWhile)(k.w), jacfwd(viaLoop)(k.w), tol, tol)
    const ws = tensor([k.w, 0.3])
    expectClose(vmap(viaWhile)(ws as never), vmap(viaLoop)(ws as never), tol, tol)
    const jw = jit(viaWhile)
    for (const _ of [0, 1]) expect(sameBits(jw(k.w), viaLoop(k.w))).toBe(true)
  })
})

describe('cond and switchCase', () => {
  const branchArb = fc.record({ k: fc.nat(2), a: bodyArb, b: bodyArb, c: bodyArb })
  test.prop([
    branchArb,
    fc.double({ min: -2, max: 2, noNaN: true }),
    fc.double({ min: -1, max: 1, noNaN: true }),
  ])('agrees with a JS branch under every transformation', (br, x, p) => {
    const fns = [br.a, br.b, br.c].map((b) => (y: Tensor) => unary[b.u]!(mul(unary[b.v]!(y), y)))
    const viaSwitch = (v: number) =>
      sum(switchCase(br.k, fns, mul(tensor([1, 2]), v) as Tensor)) as unknown as number
    const viaBranch = (v: number) =>
      sum(fns[br.k]!(mul(tensor([1, 2]), v) as Tensor)) as unknown as number
    const viaCond = (v: number) =>
      sum(
        cond(greater(p, 0), fns[0]!, fns[1]!, mul(tensor([1, 2]), v) as Tensor),
      ) as unknown as number
    const viaIf = (v: number) =>
      sum((p > 0 ? fns[0]! : fns[1]!)(mul(tensor([1, 2]), v) as Tensor)) as unknown as number
    for (const [f, g] of [
      [viaSwitch, viaBranch],
      [viaCond, viaIf],
    ] as const) {
      expect(sameBits(f(x), g(x))).toBe(true)
      expectClose(grad(f)(x), grad(g)(x), tol, tol)
      expectClose(jvp(f, [x], [1]), jvp(g, [x], [1]), tol, tol)
      expectClose(hessian(f)(x), hessian(g)(x), 1e-9, 1e-9)
      expectClose(vmap(f)(tensor([x, -x]) as never), vmap(g)(tensor([x, -x]) as never), tol, tol)
      const [jf, jg] = [jit(f), jit(grad(f))]
      for (const _ of [0, 1]) {
        expect(sameBits(jf(x), f(x))).toBe(true)
        expect(sameBits(jg(x), grad(f)(x))).toBe(true)
      }
    }
    // a batched predicate: each example takes its own branch
    const arg = (v: number) => mul(tensor([1, 2]), v) as Tensor
    const batched = vmap((q: number, v: number) =>
      sum(cond(greater(q, 0), fns[0]!, fns[1]!, arg(v))),
    )(tensor([1, 0, -1]) as never, tensor([x, x, x]) as never)
    const [t, f] = [sum(fns[0]!(arg(x))), sum(fns[1]!(arg(x)))]
    expectClose(batched, tensor([t.item(), f.item(), f.item()]), tol, tol)
  })
})

describe('scan unrolled under jit', () => {
  test.prop([caseArb, fc.integer({ min: 2, max: 4 })])('unroll changes no bit', (k, unroll) => {
    const { xs, c0 } = inputs(k)
    const loss = (w: number, u: number) => {
      const [c, ys] = scan((c: Tensor, x: Tensor) => step(k.body, w, c, x), c0, xs, {
        reverse: k.reverse,
        unroll: u,
      })
      return add(sum(c), sum(mul(ys, ys))) as unknown as number
    }
    const [jf, jg] = [
      jit((w: number) => loss(w, unroll)),
      jit(grad((w: number) => loss(w, unroll))),
    ]
    for (const _ of [0, 1]) {
      expect(sameBits(jf(k.w), loss(k.w, 1))).toBe(true)
      expect(sameBits(jg(k.w), grad((w: number) => loss(w, 1))(k.w))).toBe(true)
    }
  })
})
