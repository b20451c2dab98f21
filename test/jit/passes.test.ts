/**
 * The compiler's passes alone: dead-code elimination keeps what the outputs need, in order;
 * slot allocation reuses a slot once its value's last use has passed, but never the slot of a
 * constant or an output, and gives two values live at once two slots.
 */
import { add, exp, matmul, mul, sin, sum, tanh, tensor } from 'fluxion'
import { describe, expect, it } from 'vitest'
import type { Val } from '../../src/core/tracer.ts'
import { nameOf, outsOf, type Trace } from '../../src/jit/ir.ts'
import { dce } from '../../src/jit/passes/dce.ts'
import { connect, fuse, planSteps, uniformConstants } from '../../src/jit/passes/fuse.ts'
import { allocate } from '../../src/jit/passes/slots.ts'
import { traceOf } from './helpers.ts'

/** Every variable of a trace that is defined or read, in order of definition. */
const variables = (t: Trace): number[] => [
  ...t.constants.vars,
  ...t.inputs,
  ...t.equations.flatMap((e) => [...outsOf(e)]),
]

describe('dce', () => {
  it('drops the equations no output needs, keeping the order of the others', () => {
    const t = traceOf(
      (x) => {
        exp(x) // dead
        const s = sin(x)
        tanh(s) // dead, though it reads a live value
        return mul(s, x)
      },
      tensor([1, 2]),
    )
    expect(t.equations.map(nameOf)).toEqual(['exp', 'sin', 'tanh', 'mul'])
    expect(dce(t).equations.map(nameOf)).toEqual(['sin', 'mul'])
  })

  it('returns the trace itself when nothing is dead', () => {
    const t = traceOf((x) => sin(x), 1)
    expect(dce(t)).toBe(t)
  })

  it('an output that is an input needs no equation', () => {
    const t = traceOf((x) => [x, 2], tensor([1]))
    expect(dce(t).equations).toEqual([])
  })
})

describe('slots', () => {
  it('a long chain of kernels needs a few tensor slots, not one per value', () => {
    const m = tensor([
      [0.5, 0],
      [0, 0.5],
    ])
    const t = traceOf(
      (x) => {
        let y = x
        for (let k = 0; k < 50; k++) y = matmul(m, y)
        return y
      },
      tensor([[1], [1]]),
    )
    const plan = fuse(dce(t))
    const slots = allocate(plan)
    expect(plan.items.length).toBe(50)
    // the constant, the input and the two values live across one matmul
    expect(slots.tensorCount).toBeLessThanOrEqual(4)
  })

  it('a long scalar chain lives in a few number slots', () => {
    const t = traceOf((x) => {
      let y = x
      for (let k = 0; k < 1000; k++) y = sin(add(y, 1))
      return y
    }, 0.5)
    const slots = allocate(fuse(dce(t)))
    expect(slots.numberCount).toBeLessThanOrEqual(4)
  })

  it('constants and outputs keep their slots; values live at once have distinct slots', () => {
    const c = tensor([
      [1, 2],
      [3, 4],
    ])
    const t = traceOf(
      (x) => {
        const a = matmul(c, x)
        const b = matmul(c, a)
        const d = sum(b, 0)
        return [a, mul(d, 2), matmul(c, b)]
      },
      tensor([[1], [1]]),
    )
    const plan = fuse(dce(t))
    const slots = allocate(plan)
    const [constant] = t.constants.vars.filter((_, k) => typeof t.constants.values[k] !== 'number')
    // the constant's slot is never taken; an output's, by no value defined after it
    for (const v of variables(t)) {
      if (t.vars[v]!.number || v === constant) continue
      expect(slots.of(v)).not.toBe(slots.of(constant!))
      for (const o of t.outputs) if (v > o) expect(slots.of(v)).not.toBe(slots.of(o))
    }
    // the outputs, all live at the end, in distinct slots
    expect(new Set(t.outputs.map((v) => slots.of(v))).size).toBe(t.outputs.length)
  })
})

describe('fuse', () => {
  // a scalar program's one chain is made without planSteps' pass (scalarPlan): the same plan
  const steps = (t: Trace) => {
    const producer = new Int32Array(t.table.varCount).fill(-1)
    const items = planSteps(t, uniformConstants(t), producer, [])
    connect(items, t, producer)
    return items.map((item) =>
      'kernel' in item ? item : { ...item.chain, equations: item.chain.equations.toArray() },
    )
  }
  const planned = (t: Trace) =>
    fuse(t).items.map((item) =>
      'kernel' in item ? item : { ...item.chain, equations: item.chain.equations.toArray() },
    )

  it('plans a program of plain numbers as planSteps does: one chain, in order', () => {
    const f = (x: Val) => add(mul(sin(x), 0.5), exp(mul(x, x)))
    // with a dead equation, so the trace is a subset of its table (`order`)
    const dead = (x: Val) => {
      exp(x)
      return f(x)
    }
    for (const t of [traceOf(f, 0.3), dce(traceOf(dead, 0.3))]) {
      expect(planned(t)).toEqual(steps(t))
      expect(planned(t)).toHaveLength(1)
    }
  })

  it('plans a program with a tensor or a non-elementwise op step by step', () => {
    const t = traceOf((x) => sum(mul(sin(x), 2)), tensor([1, 2]))
    expect(planned(t)).toEqual(steps(t))
    expect(planned(t).some((item) => 'kernel' in item)).toBe(true)
  })
})
