/**
 * `pad` with negative widths (XLA's and `jax.lax.pad`'s cropping): values against a direct
 * construction, derivatives through every transformation (the cropped entries get cotangent 0),
 * the empty results, and under `jit` one fused loop that reads the input in place — the shift
 * `pad(y, [[1, -1]], c)` that an ODE's right-hand side uses — with eager's bits on the first call
 * and on replays, the wasm loops included.
 */
import { fc, test } from '@fast-check/vitest'
import {
  add,
  grad,
  hessian,
  jacfwd,
  jacrev,
  jit,
  jvp,
  mul,
  pad,
  sin,
  slice,
  sum,
  type Tensor,
  tensor,
  vjp,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'

const specials = [0, -0, 1.5, -2, Number.NaN, Number.POSITIVE_INFINITY, -1e-310, 3e300]

/** `pad` along one axis of a vector, built entry by entry: the reference. */
const byHand = (x: readonly number[], lo: number, hi: number, value: number): number[] => {
  const out: number[] = []
  for (let j = 0; j < x.length + lo + hi; j++) {
    const i = j - lo
    out.push(i >= 0 && i < x.length ? x[i]! : value)
  }
  return out
}

describe('pad with negative widths', () => {
  it('crops: shifts, crops on both ends, and down to an empty axis', () => {
    expect(pad(tensor([1, 2, 3]), [[1, -1]], 9).toArray()).toEqual([9, 1, 2])
    expect(pad(tensor([1, 2, 3]), [[-1, 1]], 9).toArray()).toEqual([2, 3, 9])
    expect(pad(tensor([1, 2, 3]), [[-1, -1]]).toArray()).toEqual([2])
    expect(pad(tensor([1, 2, 3]), [[-2, -1]]).shape).toEqual([0])
    expect(pad(tensor([1, 2, 3]), [[-5, 4]], 7).toArray()).toEqual([7, 7])
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expect(
      pad(m, [
        [-1, 0],
        [1, -2],
      ]).toArray(),
    ).toEqual([[0, 4]])
  })

  test.prop([
    fc.array(fc.double(), { minLength: 0, maxLength: 9 }),
    fc.integer({ min: -4, max: 4 }),
    fc.integer({ min: -4, max: 4 }),
  ])('equals the entry-by-entry construction', (x, lo, hi) => {
    fc.pre(x.length + lo + hi >= 0)
    expect(Array.from(pad(tensor(x), [[lo, hi]], -3).data)).toEqual(byHand(x, lo, hi, -3))
  })

  it('derivatives: cropped entries get 0, through every transformation', () => {
    const w = tensor([2, 3, 5])
    // y = [c, x₀, x₁]: ∂/∂x = [w₁, w₂, 0]
    const f = (x: Tensor) => sum(mul(w, pad(x, [[1, -1]], 4)))
    const x = tensor([0.5, -1, 7])
    expect(grad(f)(x).toArray()).toEqual([3, 5, 0])
    expect(jvp(f, [x], [tensor([1, 1, 1])])[1].item()).toBe(8)
    expect(vjp((v: Tensor) => pad(v, [[-1, 2]]), x)[1](tensor([1, 2, 3, 4]))[0].toArray()).toEqual([
      0, 1, 2,
    ])
    expect(jacrev((v: Tensor) => pad(v, [[1, -2]]))(x).toArray()).toEqual(
      jacfwd((v: Tensor) => pad(v, [[1, -2]]))(x).toArray(),
    )
    const g = (v: Tensor) => sum(mul(sin(pad(v, [[-1, 1]], 2)), pad(v, [[1, -1]])))
    expect(hessian(g)(x).toArray()).toEqual(jacfwd(jacrev(g))(x).toArray())
    const batch = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expect(vmap((v: Tensor) => pad(v, [[1, -1]], 9))(batch).toArray()).toEqual([
      [9, 1, 2],
      [9, 4, 5],
    ])
    // an empty result: its gradient is all zeros
    expect(grad((v: Tensor) => sum(pad(v, [[-2, -1]])))(x).toArray()).toEqual([0, 0, 0])
  })

  it('under jit: one fused loop reads the shift in place, eager bits on every call', () => {
    const n = 2051 // above the wasm threshold, odd
    const xs = tensor(Float64Array.from({ length: n }, (_, i) => specials[i % specials.length]!))
    const ys = tensor(Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 3))
    // an ODE right-hand side: z = x ⊙ [1, y₀, …, yₙ₋₂], and its gradient
    const rhs = (x: Tensor, y: Tensor) => add(y, mul(x, pad(y, [[1, -1]], 1)))
    const t = jit(rhs).trace(xs, ys)
    expect(t.stats.loops).toBe(1)
    expect(t.stats.kernels).toBe(0)
    // the same with the slice spelled out takes a copy of the slice first
    const sliced = (x: Tensor, y: Tensor) =>
      add(y, mul(x, pad(slice(y, [0], [n - 1]), [[1, 0]], 1)))
    expect(Array.from(rhs(xs, ys).data)).toEqual(Array.from(sliced(xs, ys).data))
    // two RK stages: the second shift reads the first stage's result, which its loop writes
    // out; the shift then starts the next loop (not a kernel call of its own)
    const twoStages = (x: Tensor, y: Tensor) => {
      const h = add(y, mul(x, pad(y, [[1, -1]], 1)))
      return add(h, mul(x, pad(h, [[1, -1]], 1)))
    }
    const t2 = jit(twoStages).trace(xs, ys)
    expect(t2.stats.loops).toBe(2)
    expect(t2.stats.kernels).toBe(0)
    expect(Array.from(jit(twoStages)(xs, ys).data)).toEqual(Array.from(twoStages(xs, ys).data))
    const f = jit(rhs)
    const eager = Array.from(rhs(xs, ys).data)
    expect(Array.from(f(xs, ys).data)).toEqual(eager)
    expect(Array.from(f(xs, ys).data)).toEqual(eager)
    const loss = (y: Tensor) => sum(mul(rhs(ys, y), ys))
    const gEager = Array.from(grad(loss)(ys).data)
    const gJit = jit(grad(loss))
    expect(Array.from(gJit(ys).data)).toEqual(gEager)
    expect(Array.from(gJit(ys).data)).toEqual(gEager)
  })
})
