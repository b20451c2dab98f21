/**
 * `jit(f, { staticArgnums })`: static arguments are passed as they are, untraced, and key the
 * cache by value (numbers, strings, booleans) or identity (functions, objects); and the
 * closure contract: concrete values `f` closes over are constants of the program (a replay
 * keeps the traced ones; pass a changing value as an argument), while a value of a running
 * transformation is never replayed, as `jit` runs `f` itself under any transformation.
 */
import {
  add,
  exp,
  grad,
  InvalidArgumentError,
  jit,
  mul,
  pow,
  sin,
  type Tensor,
  tensor,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'

/** `f`, jitted, counting the calls that trace it (or run it eagerly). */
const counted = <A extends unknown[], R>(f: (...args: A) => R, staticArgnums?: number[]) => {
  const calls = { n: 0 }
  const jitted = jit(
    (...args: A) => {
      calls.n++
      return f(...args)
    },
    staticArgnums === undefined ? undefined : { staticArgnums },
  )
  return { jitted, calls }
}

describe('staticArgnums', () => {
  it('a static number is a constant of the program: one program per value, replayed', () => {
    const { jitted, calls } = counted((x: Tensor, n: number) => mul(x, n), [1])
    const x = tensor([1, 2])
    expect(jitted(x, 2).data).toEqual(new Float64Array([2, 4]))
    expect(jitted(x, 3).data).toEqual(new Float64Array([3, 6]))
    expect(calls.n).toBe(2)
    expect(jitted(x, 2).data).toEqual(new Float64Array([2, 4]))
    expect(jitted(tensor([5, 6]), 3).data).toEqual(new Float64Array([15, 18]))
    expect(calls.n).toBe(2) // both replayed
    expect(String(jitted.trace(x, 2))).toContain('mul a 2')
    expect(String(jitted.trace(x, 3))).toContain('mul a 3')
    // without it, n is an input of the program
    expect(String(jit((y: Tensor, n: number) => mul(y, n)).trace(x, 2))).toContain('b:num')
  })

  it('a static number may steer JS control flow', () => {
    const power = jit(
      (x: Tensor, n: number) => {
        let y = x
        for (let i = 1; i < n; i++) y = mul(y, x)
        return y
      },
      { staticArgnums: [1] },
    )
    expect(power(tensor([2]), 3).data[0]).toBe(8)
    expect(power(tensor([2]), 4).data[0]).toBe(16)
  })

  it('−0 and 0 are distinct static values, NaN is one', () => {
    const { jitted, calls } = counted((x: number, s: number) => add(x, s), [1])
    expect(Object.is(jitted(-0, -0), -0)).toBe(true)
    expect(Object.is(jitted(-0, 0), 0)).toBe(true)
    jitted(1, Number.NaN)
    jitted(1, Number.NaN)
    expect(calls.n).toBe(3)
  })

  it('a function as a static argument, keyed by identity; the second call replays', () => {
    const { jitted, calls } = counted((x: Tensor, g: (t: Tensor) => Tensor) => mul(g(x), 2), [1])
    const x = tensor([0.5, 1])
    const e = jitted(x, exp)
    const s = jitted(x, sin)
    expect(e.data).toEqual(mul(exp(x), 2).data)
    expect(s.data).toEqual(mul(sin(x), 2).data)
    expect(jitted(x, exp).data).toEqual(e.data)
    expect(calls.n).toBe(2)
    expect(String(jitted.trace(x, exp))).toContain('exp a')
  })

  it('strings and booleans by value, objects by identity', () => {
    const { jitted, calls } = counted(
      (x: number, mode: string, o: { k: number }) => (mode === 'double' ? mul(x, 2 * o.k) : x),
      [1, 2],
    )
    const o = { k: 1 }
    expect(jitted(3, 'double', o)).toBe(6)
    expect(jitted(4, 'double', o)).toBe(8)
    expect(jitted(4, 'same', o)).toBe(4)
    expect(calls.n).toBe(2)
    expect(jitted(4, 'double', { k: 1 })).toBe(8) // an equal object is another key
    expect(calls.n).toBe(3)
  })

  it('static arguments anywhere among tensor arguments', () => {
    const f = jit((a: Tensor, n: number, b: Tensor) => add(mul(a, n), b), { staticArgnums: 1 })
    for (let k = 0; k < 2; k++) {
      expect(f(tensor([1, 2]), 10, tensor([3, 4])).data).toEqual(new Float64Array([13, 24]))
    }
  })

  it('grad through the non-static arguments', () => {
    const f = jit((x: number, n: number) => pow(x, n), { staticArgnums: [1] })
    expect(grad((x: number) => f(x, 3))(2)).toBe(12)
    // and jit of a gradient with a static argument, replayed
    const g = jit((x: number, n: number) => grad((y: number) => pow(y, n))(x), {
      staticArgnums: [1],
    })
    for (let k = 0; k < 2; k++) expect(g(2, 3)).toBe(12)
    expect(g(2, 2)).toBe(4)
  })

  it('bad staticArgnums throw InvalidArgumentError', () => {
    const f = (x: number) => x
    for (const bad of [-1, 1.5, '1', [0, 0], [Number.NaN]]) {
      expect(() => jit(f, { staticArgnums: bad as number[] })).toThrow(InvalidArgumentError)
    }
    // out of range for a call
    const g = jit(f, { staticArgnums: [1] })
    expect(() => g(1)).toThrow(InvalidArgumentError)
    expect(() => g(1)).toThrow(/out of range/)
  })
})

describe('closures', () => {
  it('a closed-over concrete value is a constant: replays keep the traced one', () => {
    let scale = 2
    const f = jit((x: number) => mul(x, scale))
    expect(f(1)).toBe(2)
    scale = 3
    expect(f(1)).toBe(2) // replayed, as documented
    expect(f(5)).toBe(10)
    // passed as an argument, it is read on every call
    const g = jit((x: number, s: number) => mul(x, s))
    expect(g(1, 2)).toBe(2)
    expect(g(1, 3)).toBe(3)
  })

  it('a traced value of an outer transformation is never replayed stale', () => {
    expect(grad((w: number) => jit((x: number) => mul(x, w))(3))(2)).toBe(3)
    // the same jitted function, traced at top level first, then closing over grad's value
    let w: number = 1
    const h = jit((x: number) => mul(x, w))
    expect(h(3)).toBe(3)
    const dh = (v: number) => {
      w = v
      return h(3)
    }
    expect(grad(dh)(2)).toBe(3)
    expect(grad(grad((v: number) => mul(dh(v), v)))(2)).toBe(6)
    // and vmap's
    const scaled = vmap((v: Tensor) => jit((x: number) => mul(x, v))(3))
    expect(scaled(tensor([1, 2])).data).toEqual(new Float64Array([3, 6]))
  })
})
