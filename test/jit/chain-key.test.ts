/**
 * Fused loops are shared by structural key (src/jit/emit/loop.ts): chains that differ only in
 * what the key must tell apart — the constants of a read in place, how an operand is read, which
 * scalar kernel is called, float32 or float64 buffers — each replay their own numbers, whichever
 * was compiled first. Each function is jitted after the others have filled the shared cache.
 */

import {
  add,
  broadcastTo,
  erf,
  jit,
  mul,
  pad,
  type Scalar,
  sin,
  slice,
  sub,
  type Tensor,
  tan,
  tensor,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { safeMul } from '../../src/primitives/arithmetic.ts'

/** The replay (second call) of `jit(f)` on `x`, beside `f`'s eager result. */
const replayed = (f: (x: Tensor) => Scalar, x: Tensor): [number[], number[]] => {
  const g = jit(f)
  g(x)
  return [Array.from((g(x) as Tensor).data), Array.from((f(x) as Tensor).data)]
}

describe('fused loops shared by structural key', () => {
  it('tells apart chains whose known constants differ (the specialized lowerings)', () => {
    // a broadcast constant is known when the loop is made, and safeMul by it is specialized:
    // the constant is written into the code, so it must be part of the key
    const x = tensor([1, -0, 2.5, Number.NaN, Number.POSITIVE_INFINITY, -1e-310])
    for (const c of [2, 0.5, 1, -3, 0, -0, 1e-300]) {
      const f = (v: Tensor) => safeMul(broadcastTo(c, [6]), mul(v, 1.5)) as Tensor
      const [jitted, eager] = replayed(f, x)
      expect(jitted.map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual(
        eager.map((v) => (Object.is(v, -0) ? '-0' : String(v))),
      )
    }
  })

  it('slices read in place at different starts are different loops', () => {
    const x = tensor([1, 2, 3, 4, 5])
    for (const start of [1, 0, 2]) {
      const f = (v: Tensor) => mul(sin(slice(v, [start], [start + 3])), 2)
      expect(jit(f).trace(x).stats.kernels).toBe(0)
      const [jitted, eager] = replayed(f, x)
      expect(jitted).toEqual(eager)
    }
  })

  it('pads of different values are different loops', () => {
    const x = tensor([1, 2, 3])
    for (const value of [0, 7, -0.5]) {
      const [jitted, eager] = replayed((v) => add(pad(v, [[1, 2]], value), 1), x)
      expect(jitted).toEqual(eager)
      expect(jitted[0]).toBe(value + 1)
    }
  })

  it('an operand read whole, as a repeated row, as one value, or as a number', () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [2, 3])
    const ys: (Tensor | number)[] = [
      tensor([0.5, 1, 2, 4, 8, 16], [2, 3]),
      tensor([0.25, 0.5, 0.75]),
      tensor([3]),
      1.5,
    ]
    for (const y of ys) {
      const [jitted, eager] = replayed((v) => sub(mul(sin(v), 2), y), x)
      expect(jitted).toEqual(eager)
    }
  })

  it('scalar kernels called at the same place of one structure', () => {
    const x = tensor([0.1, 0.2, 0.3])
    for (const op of [tan, erf]) {
      const [jitted, eager] = replayed((v) => mul(op(v), 2), x)
      expect(jitted).toEqual(eager)
    }
  })

  it('float32 and float64 chains of one structure', () => {
    const f = (v: Tensor) => add(mul(sin(v), 3), 0.25)
    const x64 = tensor([0.1, 0.2, 0.3])
    const x32 = tensor([0.1, 0.2, 0.3], { dtype: 'float32' })
    for (const x of [x64, x32, x64]) {
      const g = jit(f)
      g(x)
      const y = g(x) as Tensor
      expect(y.dtype).toBe(x.dtype)
      // a float32 chain computes in float64 and rounds once, where it is written
      const exact = Array.from((f(tensor(Array.from(x.data))) as Tensor).data)
      expect(Array.from(y.data)).toEqual(x === x32 ? exact.map(Math.fround) : exact)
    }
  })
})
