/**
 * The extension point for structured equations (loops, branches), with a test-only op `repeat`
 * that applies a sub-program k times: its body is traced into a nested program while the outer
 * trace runs (`traceSubprogram`), values of enclosing traces it closes over become trailing
 * inputs (closure conversion), the outer program records one multi-output structured equation
 * (`stageStructured`), prints its body nested, survives dce, slots and fusion (never fused), and
 * replays with new inputs; the body is compiled once and run per iteration with `runFlat`.
 */
import { add, exp, grad, jit, mul, sin, sub, sum, type Tensor, tensor } from 'fluxion'
import { describe, expect, it } from 'vitest'
import { type Concrete, concreteOf, type Val } from '../../src/core/tracer.ts'
import { compile, compileOnce } from '../../src/jit/compile.ts'
import { nameOf, printTrace, type StructuredOp, type Trace } from '../../src/jit/ir.ts'
import { dce } from '../../src/jit/passes/dce.ts'
import { stagingOf, traceSubprogram } from '../../src/jit/subprogram.ts'
import { StagingInterpreter, Unstageable } from '../../src/jit/trace.ts'

interface RepeatParams {
  readonly k: number
  /** Inputs: the carried values, then the captured ones; outputs: the carried values. */
  readonly body: Trace
}

let runs = 0
const repeatOp: StructuredOp = {
  name: 'repeat',
  run(args, params) {
    runs++
    const { k, body } = params as RepeatParams
    const program = compileOnce(body)
    const carried = body.outputs.length
    const captured = args.slice(carried)
    let carry: Concrete[] = args.slice(0, carried)
    for (let i = 0; i < k; i++) carry = program.runFlat([...carry, ...captured])
    return carry
  },
}

/** The same op printing its params itself (`print`), the body after a `|`. */
const repeatPrinted: StructuredOp = {
  name: 'repeat2',
  run: repeatOp.run,
  print: (params, indent) => {
    const { k, body } = params as RepeatParams
    return `k=${k} | ${printTrace(body, `${indent}  `)}`
  },
}

/** `body` applied `k` times to `xs`, as one structured equation when staged. */
const repeat = (
  k: number,
  body: (...xs: Val[]) => Val[],
  xs: readonly Val[],
  op: StructuredOp = repeatOp,
): Val[] => {
  const sub = traceSubprogram(body, xs.map(concreteOf))
  const params: RepeatParams = { k, body: sub.trace }
  const args = [...xs, ...sub.captured]
  const outs = op.run(args.map(concreteOf), params)
  const interp = stagingOf(args)
  return interp === undefined ? outs : interp.stageStructured(op, params, args, outs)
}

const eagerRepeat = (k: number, body: (...xs: Val[]) => Val[], xs: Val[]): Val[] => {
  let carry = xs
  for (let i = 0; i < k; i++) carry = body(...carry)
  return carry
}

describe('structured equations', () => {
  it('a sub-program prints nested, with captured values as trailing inputs', () => {
    const f = jit((x: Tensor, w: Tensor) => {
      const [y] = repeat(3, (c) => [add(mul(c, w), 1)], [exp(x)])
      return sin(y!)
    })
    expect(String(f.trace(tensor([1, 2]), tensor([0.5, 0.25])))).toMatchInlineSnapshot(`
      "{ lambda ; a:f64[2] b:f64[2] .
        let c:f64[2] = exp a
            d:f64[2] = repeat[k=3, body={ lambda ; a:f64[2] b:f64[2] .
                let c:f64[2] = mul a b
                    d:f64[2] = add c 1
                in (d) }] c b
            e:f64[2] = sin d
        in (e) }"
    `)
  })

  it('replays with new inputs, equal to the eager loop; the body runs compiled', () => {
    const body = (w: Tensor) => (c: Val, s: Val) => [add(mul(c, w), 1), add(s, sum(c))]
    // the carried values keep their kinds and shapes (s is a rank-0 tensor from the start)
    const f = (x: Tensor, w: Tensor) => repeat(4, body(w), [x, tensor(0)])
    const g = (x: Tensor, w: Tensor) => eagerRepeat(4, body(w), [x, tensor(0)])
    const jitted = jit(f)
    for (const [x, w] of [
      [tensor([1, 2]), tensor([0.5, 0.25])],
      [tensor([3, -1]), tensor([2, 1])],
      [tensor([0, 7]), tensor([-1, 0.5])],
    ] as const) {
      const [y, s] = jitted(x, w)
      const [ey, es] = g(x, w)
      expect((y as Tensor).data).toEqual((ey as Tensor).data)
      expect((s as Tensor).data).toEqual((es as Tensor).data)
    }
    // the replays ran the structured step, not f
    const before = runs
    jitted(tensor([1, 1]), tensor([1, 1]))
    expect(runs).toBe(before + 1)
  })

  it('several outputs; a dead structured equation is dropped, a half-live one kept', () => {
    const f = jit((x: number) => {
      repeat(2, (a) => [mul(a, 2)], [x]) // dead
      const [a] = repeat(2, (p, q) => [add(p, q), q], [x, 1]) // the second output unused
      return a!
    })
    const t = f.trace(1)
    expect(t.stats.equations).toBe(1)
    expect(t.fused).toContain('kernel')
    expect(f(1)).toBe(3)
    expect(f(5)).toBe(7)
  })

  it('structured steps are never fused; chains around them are', () => {
    const f = jit((x: Tensor) => {
      const [y] = repeat(2, (c) => [exp(c)], [mul(sin(x), 0.5)])
      return add(mul(y!, 2), 1)
    })
    const t = f.trace(tensor([0.1, 0.2]))
    expect(t.fused).toMatchInlineSnapshot(`
      "{ lambda ; a:f64[2] .
        loop f64[2] → (c)
          b:f64[2] = sin a
          c:f64[2] = mul b 0.5
        kernel d:f64[2] = repeat[k=2, body={ lambda ; a:f64[2] .
              let b:f64[2] = exp a
              in (b) }] c
        loop f64[2] → (f)
          e:f64[2] = mul d 2
          f:f64[2] = add e 1
        in (f) }"
    `)
    expect(t.stats).toEqual({ equations: 5, kernels: 1, loops: 2, fused: 4 })
  })

  it('nested sub-programs capture values of every enclosing trace', () => {
    const inner = (w: Val) => (z: Val) => [add(mul(z, w), 1)]
    const outer = (w: Val) => (y: Val) => repeat(3, inner(w), [y])
    const f = (x: number, w: number) => repeat(2, outer(w), [x])[0]!
    const eager = (x: number, w: number) =>
      eagerRepeat(2, (y) => eagerRepeat(3, inner(w), [y]), [x])[0]!
    const jitted = jit(f)
    expect(jitted(1, 2)).toBe(eager(1, 2))
    expect(jitted(3, 0.5)).toBe(eager(3, 0.5))
    expect(String(jitted.trace(1, 2))).toMatchInlineSnapshot(`
      "{ lambda ; a:num b:num .
        let c:num = repeat[k=2, body={ lambda ; a:num b:num .
                let c:num = repeat[k=3, body={ lambda ; a:num b:num .
                        let c:num = mul a b
                            d:num = add c 1
                        in (d) }] a b
                in (c) }] a b
        in (c) }"
    `)
  })

  it('a body may return a captured value or a constant as it is', () => {
    const f = jit((x: number, w: number) => repeat(2, (a) => [w, 7, a], [x, 0, 1]))
    // [x, 0, 1] → [w, 7, x] → [w, 7, w]
    expect(f(1, 5)).toEqual([5, 7, 5])
    expect(f(2, 6)).toEqual([6, 7, 6])
  })

  it('an op may print its params itself', () => {
    const f = jit((x: number) => repeat(2, (a) => [sub(a, 1)], [x], repeatPrinted)[0]!)
    expect(String(f.trace(1))).toMatchInlineSnapshot(`
      "{ lambda ; a:num .
        let b:num = repeat2[k=2 | { lambda ; a:num .
                let b:num = sub a 1
                in (b) }] a
        in (b) }"
    `)
    expect(f(1)).toBe(-1)
    expect(f(5)).toBe(3)
  })

  it('runs eagerly outside a trace; a value of another transformation in a body is Unstageable', () => {
    expect(repeat(3, (a) => [mul(a, 2)], [1])).toEqual([8])
    // under grad, jit runs f itself, and the sub-trace meets grad's value: Unstageable
    expect(() => grad((w: number) => repeat(2, (a) => [mul(a, w)], [1])[0]!)(2)).toThrow(
      Unstageable,
    )
  })

  it('traceSubprogram: each captured value once, a trailing input; compile + runFlat', () => {
    const outer = new StagingInterpreter()
    try {
      const w = outer.input(tensor([2]))
      const sub = traceSubprogram((x) => [mul(x, w), add(mul(x, w), w)], [tensor([3])])
      expect(sub.captured).toHaveLength(1)
      expect(sub.captured[0] === w).toBe(true)
      expect(sub.trace.inputs).toHaveLength(2)
      expect(sub.outputs.map((o) => (o as Tensor).data[0])).toEqual([6, 8])
      const out = compile(sub.trace).runFlat([tensor([1]), tensor([5])])
      expect(compileOnce(sub.trace)).toBe(compileOnce(sub.trace))
      expect(out.map((o) => (o as Tensor).data[0])).toEqual([5, 10])
    } finally {
      outer.close()
    }
  })

  it('dce keeps a structured equation whose any output is live', () => {
    const t = traceSub()
    expect(dce(t).equations.map(nameOf)).toEqual(['repeat'])
  })
})

/** A sub-program with one structured equation whose second output alone is used. */
const traceSub = (): Trace =>
  traceSubprogram(
    (x) => {
      const [, b] = repeat(1, (p, q) => [p, add(q, 1)], [x, x])
      return [b!]
    },
    [1],
  ).trace
