/**
 * `scan` under `jit` with its body's outputs in buffers reused by every step (`keptOutputs`):
 * each step's carry is copied into one of two sets of the scan's own, so a step never writes
 * what it reads. Checked against eager bits, first call and replays, on the carries where that
 * could go wrong: a loop reading its carry shifted (in place) while writing the next one,
 * carries swapped and passed through, a carry that is also a y, and float32 carries.
 */
import {
  add,
  astype,
  grad,
  jit,
  mul,
  pad,
  scan,
  slice,
  sum,
  type Tensor,
  tanh,
  tensor,
} from 'fluxion'
import { describe, expect, it } from 'vitest'

type Carry = [Tensor, Tensor, Tensor]

/** a, b swapped; h from itself shifted by one (read in place) and a; ys: h and 2h. */
const step = ([a, b, h]: Carry, x: Tensor): [Carry, [Tensor, Tensor]] => {
  const n = h.shape[0]!
  const shifted = pad(slice(h, [1], [n]), [[0, 1]])
  const next = tanh(add(add(mul(shifted, x), mul(h, 0.5)), a))
  return [
    [b, a, next],
    [next, mul(next, 2)],
  ]
}

const run = (a: Tensor, b: Tensor, h: Tensor, xs: Tensor) => {
  const [[a2, b2, h2], [ys, twice]] = scan(step, [a, b, h] as Carry, xs)
  return [a2, b2, h2, ys, twice]
}

const bits = (ts: readonly Tensor[]) => ts.map((t) => [...t.data].map(String).join())

describe('scan under jit with reused body buffers', () => {
  const n = 7
  const vec = (s: number) => tensor(Array.from({ length: n }, (_, i) => Math.sin(i * 1.3 + s)))
  const xs = (s: number) =>
    tensor(
      Array.from({ length: 9 }, (_, k) => Array.from({ length: n }, (_, i) => Math.cos(k + i + s))),
    )

  it('gives eager bits on the first call and on replays', () => {
    const f = jit(run)
    for (const s of [0, 1, 2]) {
      const args = [vec(s), vec(s + 5), vec(s + 9), xs(s)] as const
      expect(bits(f(...args))).toEqual(bits(run(...args)))
    }
  })

  it('returns carries that later calls do not overwrite', () => {
    const f = jit(run)
    const first = f(vec(0), vec(5), vec(9), xs(0))
    const kept = bits(first)
    f(vec(1), vec(6), vec(10), xs(1))
    expect(bits(first)).toEqual(kept)
  })

  it('differentiates through the loop as eager does (the reverse scan is a scan too)', () => {
    const loss = (h: Tensor, x: Tensor) => {
      const [, , h2, ys] = run(vec(3), vec(4), h, x) as [Tensor, Tensor, Tensor, Tensor]
      return add(sum(mul(h2, h2)), sum(ys))
    }
    const g = jit(grad(loss, { argnums: [0, 1] }))
    for (const s of [0, 1]) {
      expect(bits(g(vec(s), xs(s)))).toEqual(bits(grad(loss, { argnums: [0, 1] })(vec(s), xs(s))))
    }
  })

  it('carries a number (made a number again by scan) read after a kept buffer is written', () => {
    const g = (x0: number, xs2: Tensor) =>
      scan(
        (c: number | Tensor, x: Tensor): [number | Tensor, Tensor] => {
          // c is read again after next is written (in another loop, past a kernel)
          const next = tanh(add(mul(c, 0.9), 0.5) as Tensor)
          const s = sum(mul(x, next))
          return [next, add(mul(c, s), 1)]
        },
        x0 as number | Tensor,
        xs2,
      )
    const f = jit((xs2: Tensor) => g(0.25, xs2))
    for (const s of [0, 1, 2]) {
      const [c, ys] = f(xs(s))
      const [c0, ys0] = g(0.25, xs(s))
      const one = (v: number | Tensor) => (typeof v === 'number' ? String(v) : bits([v])[0])
      expect([one(c), one(ys)]).toEqual([one(c0), one(ys0)])
    }
  })

  it('keeps float32 carries float32', () => {
    const f = jit(run)
    const args = [vec(0), vec(1), vec(2), xs(0)].map((t) => astype(t, 'float32')) as [
      Tensor,
      Tensor,
      Tensor,
      Tensor,
    ]
    const out = f(...args)
    expect(out.map((t) => t.dtype)).toEqual(run(...args).map((t) => t.dtype))
    expect(out[2]!.dtype).toBe('float32')
  })
})
