/**
 * `jit`'s abstract first trace (src/jit/abstract.ts): large tensor inputs, and what is computed
 * from them, are placeholders; the first result is the compiled program's. Every case checks
 * eager's bits on the first call and on a replay, and whether the trace stayed abstract or was
 * redone on values — never a number taken from a placeholder.
 */
import {
  add,
  astype,
  broadcastTo,
  exp,
  foriLoop,
  grad,
  InvalidArgumentError,
  jit,
  less,
  mul,
  notEqual,
  ShapeError,
  sin,
  sum,
  type Tensor,
  tensor,
  vjp,
  where,
  whileLoop,
} from 'fluxion'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bind1 } from '../../src/core/bind.ts'
import {
  ABSTRACT_MIN_ELEMENTS,
  AbstractValueRead,
  abstractMinElements,
  abstractStats,
  isPlaceholder,
  setAbstractMinElements,
} from '../../src/jit/abstract.ts'
import { Staged, StagingInterpreter } from '../../src/jit/trace.ts'
import { expP } from '../../src/primitives/elementwise.ts'
import { sameBits } from './wasm-helpers.ts'

// the default threshold, whatever FLUXION_ABSTRACT_MIN_ELEMENTS says (npm run test:abstract)
let threshold = 0
beforeEach(() => {
  threshold = setAbstractMinElements(ABSTRACT_MIN_ELEMENTS)
})
afterEach(() => {
  setAbstractMinElements(threshold)
})

const big = (n: number, scale = 1): Tensor =>
  tensor(Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * scale))

/** The counts of abstract traces and of traces redone on values since `before`. */
const since = (before: { traces: number; onValues: number }) => ({
  traces: abstractStats.traces - before.traces,
  onValues: abstractStats.onValues - before.onValues,
})

/** f jitted, called twice on `args`: both calls with eager's bits; the abstract counts. */
const twice = <A extends unknown[]>(f: (...args: A) => Tensor, ...args: A) => {
  const before = { ...abstractStats }
  const expected = f(...args)
  const jf = jit(f)
  for (const call of ['first', 'replay']) {
    const y = jf(...args)
    expect(y.shape).toEqual(expected.shape)
    expect(y.dtype).toBe(expected.dtype)
    expect(y.weak).toBe(expected.weak)
    sameBits(y.data, expected.data, call)
  }
  return since(before)
}

describe('a large input is traced abstractly', () => {
  it('its ops record placeholders, and a read of one is refused and remembered', () => {
    const interp = new StagingInterpreter(false, true)
    try {
      const x = interp.input(big(2000))
      const y = bind1(expP, x, undefined) as Staged
      expect(y).toBeInstanceOf(Staged)
      expect(isPlaceholder(y.concrete)).toBe(true)
      expect(y.shape).toEqual([2000])
      expect(interp.abstractFailed).toBe(false)
      const data = (y.concrete as Tensor).data
      expect(() => data[0]).toThrow(AbstractValueRead)
      expect(interp.abstractFailed).toBe(true)
    } finally {
      interp.close()
    }
  })

  it('a gradient: the first call is the program’s, with eager’s bits', () => {
    const f = grad((x: Tensor) => sum(mul(exp(sin(x)), add(x, 0.5))))
    expect(twice(f, big(5000))).toEqual({ traces: 1, onValues: 0 })
  })

  it('a small input stays concrete, and mixes with a large one', () => {
    const f = (x: Tensor, s: Tensor) => add(mul(x, s), sin(s))
    expect(twice(f, big(3000), big(1, 2))).toEqual({ traces: 1, onValues: 0 })
    expect(twice((s: Tensor) => exp(s), big(10))).toEqual({ traces: 0, onValues: 0 })
  })

  it('dtype and weak type as eager gives them: float32, weakly typed numbers, an output dtype', () => {
    const x32 = astype(big(2048, 3), 'float32')
    const f = (x: Tensor) => add(mul(x, broadcastTo(2, x.shape)), 0.1)
    expect(twice(f, x32)).toEqual({ traces: 1, onValues: 0 })
    expect(twice((x: Tensor) => astype(exp(x), 'float64'), x32)).toEqual({
      traces: 1,
      onValues: 0,
    })
    // a weakly typed input (JS numbers broadcast) takes the float32 input's dtype, as eagerly
    const w = broadcastTo(2, [2048])
    expect(twice((v: Tensor, x: Tensor) => mul(exp(v), x), w, x32)).toEqual({
      traces: 1,
      onValues: 0,
    })
    expect(twice((x: Tensor) => astype(sin(x), 'float32'), big(2048))).toEqual({
      traces: 1,
      onValues: 0,
    })
  })

  it('an input returned as it is, and an empty one', () => {
    expect(twice((x: Tensor) => x, big(4096))).toEqual({ traces: 1, onValues: 0 })
    const was = setAbstractMinElements(0)
    try {
      expect(twice((x: Tensor) => exp(x), tensor([]))).toEqual({ traces: 1, onValues: 0 })
    } finally {
      setAbstractMinElements(was)
    }
  })

  it('a plain number made of a large input’s elements is abstract too (a gradient for a number)', () => {
    const f = (x: Tensor, a: number): Tensor => {
      const d = grad((s: number) => sum(mul(x, s)))(a)
      return add(mul(x, d), mul(d, d))
    }
    expect(twice(f, big(2000), 0.5)).toEqual({ traces: 1, onValues: 0 })
  })

  it('a pullback', () => {
    const f = (x: Tensor): Tensor => vjp((v: Tensor) => exp(v), x)[1](x)[0] as Tensor
    expect(twice(f, big(2000))).toEqual({ traces: 1, onValues: 0 })
  })

  it('a shape error, and an argument that is no value, are eager’s named errors', () => {
    const f = jit((x: Tensor) => add(x, tensor([1, 2, 3])))
    expect(() => f(big(2000))).toThrow(ShapeError)
    const g = jit((x: Tensor) => where(x, 'x' as unknown as Tensor, 0))
    expect(() => g(big(2000))).toThrow(InvalidArgumentError)
  })
})

describe('a read of a placeholder: the trace is redone on values', () => {
  it('a loop staged on values (foriLoop) on a large carry', () => {
    const f = (x: Tensor) => foriLoop(0, 3, (_i, c: Tensor) => sin(add(c, 1)), x)
    expect(twice(f, big(2000))).toEqual({ traces: 0, onValues: 1 })
  })

  it('and later shapes of that function trace on values from the start', () => {
    const f = jit((x: Tensor) => foriLoop(0, 2, (_i, c: Tensor) => exp(c), x))
    const before = { ...abstractStats }
    for (const n of [2000, 3000]) sameBits(f(big(n)).data, exp(exp(big(n))).data, `n = ${n}`)
    expect(since(before)).toEqual({ traces: 0, onValues: 1 })
  })

  it('even where f catches the error the read raised', () => {
    const f = (x: Tensor): Tensor => {
      try {
        return foriLoop(0, 2, (_i, c: Tensor) => mul(c, 3), x)
      } catch {
        return x
      }
    }
    expect(twice(f, big(2000))).toEqual({ traces: 0, onValues: 1 })
  })

  it('a loop on a plain number made of a large input’s elements', () => {
    const f = (x: Tensor, a: number): Tensor => {
      const d = grad((s: number) => sum(mul(x, s)))(a)
      return mul(
        x,
        foriLoop(0, 3, (_i, c: number) => mul(c, 0.5), d),
      )
    }
    expect(twice(f, big(2000), 0.5)).toEqual({ traces: 0, onValues: 1 })
  })

  it('a loop that would not end on an abstract number’s NaN ends at once on its value', () => {
    // NaN ≠ NaN: run on an abstract number's NaN, this loop would stop only at its bound (without
    // one it would never stop); on the value, at once
    const f = (x: Tensor): Tensor => {
      const d = grad((s: number) => sum(mul(x, s)))(1)
      const [c] = whileLoop(
        ([c, k]: [number, number]) => mul(notEqual(c, c), less(k, 1000)),
        ([c, k]: [number, number]): [number, number] => [add(c, 1), add(k, 1)],
        [d, 0] as [number, number],
      )
      return mul(x, c)
    }
    expect(twice(f, big(2000))).toEqual({ traces: 0, onValues: 1 })
  })

  it('a jitted function inside, called on an abstract number', () => {
    const loop = jit((d: number): number => {
      const [c] = whileLoop(
        ([c, k]: [number, number]) => mul(notEqual(c, c), less(k, 1000)),
        ([c, k]: [number, number]): [number, number] => [add(c, 1), add(k, 1)],
        [d, 0] as [number, number],
      )
      return c
    })
    const f = (x: Tensor): Tensor => mul(x, loop(grad((s: number) => sum(mul(x, s)))(1)))
    expect(twice(f, big(2000))).toEqual({ traces: 0, onValues: 1 })
  })

  it('a jitted function inside', () => {
    const inner = jit((x: Tensor) => exp(sin(x)))
    // (the eager call of the outer function traces inner abstractly, at top level)
    expect(twice((x: Tensor) => add(inner(x), x), big(2000))).toEqual({ traces: 1, onValues: 1 })
  })
})

describe('the threshold', () => {
  it('inputs below it trace on values', () => {
    expect(abstractMinElements()).toBe(ABSTRACT_MIN_ELEMENTS)
    setAbstractMinElements(Number.POSITIVE_INFINITY)
    expect(twice((x: Tensor) => exp(x), big(5000))).toEqual({ traces: 0, onValues: 0 })
  })
})
