/**
 * Loops of plain numbers under `jit` run their compiled bodies in place (`NumberProgram`,
 * src/jit/compile.ts): a `scan` or `whileLoop` whose values are all numbers — a reverse scan's
 * slices of stacked numbers given as numbers, their casts dropped — with no arrays per step. The
 * results must be eager's, bit for bit, whatever slot the compiler gave each input.
 */
import {
  add,
  cos,
  div,
  grad,
  greater,
  jit,
  jvp,
  less,
  mul,
  scan,
  sin,
  sub,
  sum,
  Tensor,
  tensor,
  where,
  whileLoop,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { bind1, bind2, bindN } from '../../src/core/bind.ts'
import type { Val } from '../../src/core/tracer.ts'
import { compile } from '../../src/jit/compile.ts'
import type { Trace } from '../../src/jit/ir.ts'
import { compileNumbers } from '../../src/jit/numbers.ts'
import { primitives } from '../../src/primitives/registry.ts'
import { castP } from '../../src/primitives/structural.ts'
import { traceOf } from './helpers.ts'

/** A rank-0 float64 tensor. */
const r0 = (x: number): Tensor => new Tensor(Float64Array.of(x), [])

const toNumber = (v: Val): Val => bind1(castP, v, { to: 'number' })

/** The structured equations named `name` in a trace, nested ones included. */
const loops = (t: Trace, name: string): { numbers?: { loop?: unknown }; loop?: unknown }[] =>
  t.equations.flatMap((e) => {
    if (e.kind !== 'structured') return []
    const params = e.params as {
      numbers?: { loop?: unknown }
      loop?: unknown
      body?: { trace: Trace }
    }
    const inner = params.body === undefined ? [] : loops(params.body.trace, name)
    return e.op.name === name ? [params, ...inner] : inner
  })

/** A masked trajectory: steps after `y` crosses 0 keep the state (particle's shape of loop). */
const masked = (w: number): number => {
  type Carry = readonly [number, number, number]
  const [[y, v, on], ys] = scan(
    ([p, q, go]: Carry): [Carry, number] => {
      // `w` is read first and then dead: its slot is reused by later values within a step
      const k = mul(w, 0.5)
      const step = mul(greater(p, 0), go)
      const p2 = add(p, mul(0.1, q))
      const q2 = sub(q, mul(0.1, add(sin(p), k)))
      return [[where(step, p2, p), where(step, q2, q), step], mul(p2, cos(q))]
    },
    [1, 0.5, 1] as Carry,
    null,
    { length: 40 },
  )
  return add(mul(y, v), add(on, toNumber(sum(ys)) as number))
}

describe('loops of plain numbers', () => {
  it('compileNumbers gives a cast rank-0 input as its number, and skips one never read', () => {
    const t = traceOf((a, b, _c) => [mul(add(a, toNumber(b)), 2)], 3, r0(0.25), r0(7))
    const p = compileNumbers(t, [false, true, true])!
    expect(p).toBeDefined()
    expect(p.inputs[2]).toBe(-1)
    p.N[p.inputs[0]!] = 3
    p.N[p.inputs[1]!] = 0.25
    p.run()
    expect(p.N[p.outputs[0]!]).toBe(6.5)
    // the program itself still takes the tensors
    expect(compile(t).numbers).toBeUndefined()
  })

  it('compileNumbers refuses a rank-0 input read other than by a cast to a number', () => {
    const b = r0(0.25)
    expect(
      compileNumbers(
        traceOf((a, x) => [add(x, a)], 3, b),
        [false, true],
      ),
    ).toBeUndefined()
    expect(
      compileNumbers(
        traceOf((_a, x) => [add(toNumber(x), toNumber(x))], 3, b),
        [false, true],
      ),
    ).toBeUndefined()
    const f32 = new Tensor(Float32Array.of(0.25), [])
    expect(
      compileNumbers(
        traceOf((a, b) => [add(a, toNumber(b))], 3, f32),
        [false, true],
      ),
    ).toBeUndefined()
  })

  it('a masked scan and its gradient run in place, with eager’s bits', () => {
    const t = traceOf((w) => [grad(masked)(w as number)], 0.7)
    const scans = loops(t, 'scan')
    // the forward scan (ys: numbers) and the transpose (xs: stacked numbers) both run in place
    expect(scans.length).toBeGreaterThanOrEqual(2)
    // each as one generated loop (the body one straight-line chain)
    for (const s of scans) expect([s.numbers, s.loop]).not.toContain(undefined)
    for (const w of [0.7, -1.3, 2, 0]) {
      const f = jit(masked)
      const g = jit(grad(masked))
      expect(Object.is(f(w), masked(w))).toBe(true)
      expect(Object.is(g(w), grad(masked)(w))).toBe(true)
      expect(Object.is(g(w), grad(masked)(w))).toBe(true) // the second call replays
    }
  })

  it('a reverse scan of numbers visits the slices backwards', () => {
    const f = (c0: number): [number, Tensor] => {
      const [c, ys] = scan(
        (c: number, x: Tensor): [number, Tensor] => [
          add(mul(c, 2), toNumber(x) as number),
          // a number y, stacked (the annotation is scan's type for what it returns)
          sub(c, 1) as unknown as Tensor,
        ],
        c0,
        tensor([1, 2, 3, 4]),
        { reverse: true },
      )
      return [c, ys]
    }
    expect(
      loops(
        traceOf((c) => f(c as number), 0.5),
        'scan',
      )[0]!.numbers,
    ).toBeDefined()
    const [c, ys] = jit(f)(0.5)
    const [ce, yse] = f(0.5)
    expect(c).toBe(ce)
    expect(Array.from(ys.data)).toEqual(Array.from(yse.data))
  })

  it('a whileLoop of numbers with values captured by condition and body, and its jvp', () => {
    const f = (x: number, lim: number, k: number): number => {
      const [a, n] = whileLoop(
        ([a, n]: readonly [number, number]) => less(mul(a, n), lim),
        ([a, n]: readonly [number, number]): [number, number] => [
          add(div(mul(a, k), 1.5), sin(a)),
          add(n, 1),
        ],
        [x, 1] as [number, number],
      )
      return mul(a, n)
    }
    const t = traceOf(
      (x, lim, k) => [jvp((y: number) => f(y, lim as number, k as number), [x as number], [1])[1]],
      0.3,
      50,
      1.2,
    )
    const whiles = loops(t, 'whileLoop')
    expect(whiles.length).toBe(1)
    expect(whiles[0]!.numbers?.loop).toBeDefined()
    const g = jit((x: number, lim: number, k: number) => jvp((y: number) => f(y, lim, k), [x], [1]))
    for (const [x, lim, k] of [
      [0.3, 50, 1.2],
      [2, 1000, 0.9],
      [-1, 3, 2],
    ] as const) {
      expect(jit(f)(x, lim, k)).toBe(f(x, lim, k))
      const [y, yDot] = g(x, lim, k)
      const [ye, yeDot] = jvp((z: number) => f(z, lim, k), [x], [1])
      expect([Object.is(y, ye), Object.is(yDot, yeDot)]).toEqual([true, true])
    }
  })

  it('straight-line loop bodies give the scalar kernels’ bits, for every scalar primitive', () => {
    const values = [-2, -0.5, -0, 0, 0.25, 1, 3, Infinity, -Infinity, Number.NaN]
    const pairs = values.flatMap((a) => values.map((b) => [a, b] as const))
    /** ys of a one-step scan whose body applies `op` to each input: jit against eager. */
    const check = (name: string, op: (v: readonly number[]) => Val, inputs: number[][]) => {
      const f = (xs: number[][]) =>
        scan(
          (c: number[][]): [number[][], number[]] => [c, c.map((v) => op(v) as number)],
          xs,
          null,
          {
            length: 1,
          },
        )[1] as unknown as Tensor[]
      let eager: Tensor[]
      try {
        eager = f(inputs)
      } catch {
        return // a primitive that wants params
      }
      const staged = jit(f)(inputs)
      staged.forEach((y, i) => {
        if (!Object.is(y.data[0], eager[i]!.data[0])) {
          throw new Error(
            `${name}(${inputs[i]}): ${y.data[0]} under jit, ${eager[i]!.data[0]} eagerly`,
          )
        }
      })
    }
    let checked = 0
    for (const p of Object.values(primitives)) {
      if (p.scalar1 !== undefined) {
        check(
          p.name,
          ([x]) => bind1(p, x!, undefined as never),
          values.map((x) => [x]),
        )
        checked++
      } else if (p.scalar2 !== undefined) {
        check(
          p.name,
          ([x, y]) => bind2(p, x!, y!, undefined as never),
          pairs.map(([a, b]) => [a, b]),
        )
        checked++
      }
    }
    expect(checked).toBeGreaterThan(40)
    // where: NaN and −0 conditions
    check('where', ([c, a, b]) => bindN(primitives.where, [c!, a!, b!], undefined), [
      ...values.map((c) => [c, 1, 2]),
      ...values.map((c) => [c, -0, Number.NaN]),
    ])
  })

  it('a NaN condition of a generated while loop raises as eagerly, after the same passes', () => {
    // the condition is NaN (0/0) when y reaches 4.5: from 0.5 it does, from 0 it never does
    const g = (x: number): number =>
      whileLoop(
        (y: number) => mul(less(y, 100), div(sub(y, 4.5), sub(y, 4.5))),
        (y: number) => add(y, 1),
        x,
      )
    expect(() => g(0.5)).toThrow(/NaN/)
    expect(() => jit(g)(0.5)).toThrow(/NaN/)
    expect(jit(g)(0)).toBe(100)
  })

  it('a loop of numbers whose body holds another loop runs step by step, with eager’s bits', () => {
    // the outer body is not one straight-line chain (the inner scan is a step of its own)
    const f = (w: number): number =>
      // `w` (captured) is dead after the first product: its slot is reused within a step
      scan(
        (c: number): [number, null] => [add(mul(mul(c, w), 0.5), masked(sin(mul(c, 2)))), null],
        w,
        null,
        { length: 3 },
      )[0]
    const t = traceOf((w) => [grad(f)(w as number)], 0.7)
    const outer = t.equations.filter((e) => e.kind === 'structured' && e.op.name === 'scan')
    const params = outer.map((e) => (e as { params: { numbers?: unknown; loop?: unknown } }).params)
    expect(params.some((q) => q.numbers !== undefined && q.loop === undefined)).toBe(true)
    for (const w of [0.7, -0.4]) {
      expect(Object.is(jit(f)(w), f(w))).toBe(true)
      expect(Object.is(jit(grad(f))(w), grad(f)(w))).toBe(true)
    }
  })
})
