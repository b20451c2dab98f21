/**
 * Regressions of the float32 QA pass (F1–F8): dtypes and weak types that eager mode, `jit` and
 * its replays must agree on, index and count dtypes, and float32 `uniform`'s bounds.
 */
import {
  argsort,
  broadcastTo,
  concat,
  cond,
  countNonzero,
  grad,
  heaviside,
  jit,
  mul,
  random,
  ravel,
  scalar,
  stack,
  sum,
  switchCase,
  type Tensor,
  TreeMismatchError,
  tensor,
  topK,
  vmap,
  zeros,
} from 'fluxion'
import { describe, expect, it } from 'vitest'

const x32 = tensor([-1, 0, 2], { dtype: 'float32' })
/** Weakly typed: made of a JS number alone. */
const w = broadcastTo(0.5, [3])

describe('F1: heaviside', () => {
  it("counts x1's dtype though x1 only selects", () => {
    expect(heaviside(x32, 0.5).dtype).toBe('float32')
    expect(heaviside(x32, 0.5).weak).toBe(false)
    expect(jit((t: Tensor) => heaviside(t, 0.5))(x32).dtype).toBe('float32')
    expect(Array.from(heaviside(x32, 0.5).data)).toEqual([0, 0.5, 1])
    // a float64 x1 with a float32 x2 promotes; a weak x1 leaves x2's dtype
    expect(heaviside(tensor([1, 0]), tensor(0.5, { dtype: 'float32' })).dtype).toBe('float64')
    expect(heaviside(broadcastTo(0, [2]), 0.5).weak).toBe(true)
    expect(grad((t: Tensor) => sum(heaviside(x32, t)))(scalar(0.5)).dtype).toBe('float64')
  })
})

describe('F2: stack', () => {
  it('gives the dtype and weak type concat gives, eagerly and under jit', () => {
    expect(stack([x32, w]).dtype).toBe(concat([x32, w]).dtype)
    expect(stack([x32, w]).dtype).toBe('float32')
    expect(stack([w, w]).weak).toBe(true)
    expect(jit((a: Tensor, c: Tensor) => stack([a, c]))(x32, w).dtype).toBe('float32')
  })
})

describe('F3: ravel', () => {
  it("gives concat's dtype, and unravel gives each leaf its own back", () => {
    const [v, unravel] = ravel({ w: x32 })
    expect(v.dtype).toBe('float32')
    expect(unravel(v).w.dtype).toBe('float32')
    expect(jit((t: Tensor) => ravel({ w: t })[0])(x32).dtype).toBe('float32')
    // mixed: float64 vector, each leaf back in its dtype (also from a traced vector)
    const tree = { a: x32, b: tensor([1, 2]), c: 3 }
    const [m, back] = ravel(tree)
    expect(m.dtype).toBe('float64')
    expect(back(m).a.dtype).toBe('float32')
    expect(back(m).b.dtype).toBe('float64')
    expect(back(m).c).toBe(3)
    expect(jit((u: Tensor) => back(u).a)(m).dtype).toBe('float32')
    expect(ravel([1, 2])[0].weak).toBe(true)
  })
})

describe('F4: branches agree in dtype', () => {
  const c = (p: Tensor, t: Tensor) =>
    cond(
      p,
      (u: Tensor) => mul(u, 2),
      (_u: Tensor) => zeros([3]),
      t,
    )

  it('a float32 and a float64 branch raise TreeMismatchError naming the leaf, under jit', () => {
    // eagerly only the chosen branch runs, as for shapes
    expect(c(scalar(0), x32).dtype).toBe('float64')
    expect(() => jit(c)(scalar(0), x32)).toThrow(TreeMismatchError)
    expect(() => jit(c)(scalar(1), x32)).toThrow(/float64 where branch 0's is float32/)
    const nested = (p: Tensor, t: Tensor) =>
      cond(
        p,
        (u: Tensor) => ({ a: u, b: [u, u] }),
        (u: Tensor) => ({ a: u, b: [u, zeros([3])] }),
        t,
      )
    expect(() => jit(nested)(scalar(0), x32)).toThrow(/output\.b\[1\] is float64/)
    const three = (i: Tensor, t: Tensor) =>
      switchCase(i, [(u: Tensor) => u, (u: Tensor) => mul(u, 0.5), () => zeros([3])], t)
    expect(() => jit(three)(scalar(1), x32)).toThrow(TreeMismatchError)
  })

  it('under vmap with a batched predicate', () => {
    const f = (p: Tensor) => c(p, x32)
    expect(() => vmap(f)(tensor([0, 1]))).toThrow(TreeMismatchError)
  })

  it("a weakly typed output takes the other branch's dtype, whichever comes first", () => {
    const first = (p: Tensor, t: Tensor) =>
      cond(
        p,
        (_u: Tensor) => broadcastTo(3, [3]),
        (u: Tensor) => mul(u, 2),
        t,
      )
    const second = (p: Tensor, t: Tensor) =>
      cond(
        p,
        (u: Tensor) => mul(u, 2),
        (_u: Tensor) => broadcastTo(3, [3]),
        t,
      )
    for (const f of [first, second]) {
      const jf = jit(f)
      for (const p of [0, 1, 0]) expect(jf(scalar(p), x32).dtype).toBe('float32')
      expect(vmap((p: Tensor) => f(p, x32))(tensor([0, 1])).dtype).toBe('float32')
      expect(jit(grad((t: Tensor) => sum(f(scalar(0), t))))(x32).dtype).toBe('float32')
    }
    // both weak: weak, eagerly and on every call of the program
    const both = jit((p: Tensor, t: Tensor) =>
      cond(
        p,
        (_u: Tensor) => broadcastTo(2, [3]),
        (_u: Tensor) => broadcastTo(3, [3]),
        t,
      ),
    )
    for (const p of [0, 1]) expect(both(scalar(p), x32).weak).toBe(true)
    expect(jit((p: Tensor, t: Tensor) => mul(t, both(p, t)))(scalar(0), x32).dtype).toBe('float32')
  })
})

describe('F5: jit keeps weak types on every call', () => {
  it('a weakly typed output stays weak on replays, and keys its own program', () => {
    const jf = jit((t: Tensor) => mul(t, 2))
    for (let call = 0; call < 3; call++) {
      const r = jf(w)
      expect(r.weak, `call ${call}`).toBe(true)
      expect(mul(x32, r).dtype).toBe('float32')
    }
    // a strongly typed float64 argument of the same shape is another program
    expect(jf(tensor([0.5, 0.5, 0.5])).weak).toBe(false)
    const jm = jit((a: Tensor, b: Tensor) => mul(a, b))
    expect(jm(x32, w).dtype).toBe('float32')
    expect(jm(x32, tensor([1, 2, 3])).dtype).toBe('float64')
    // numbers alone, a large (abstractly traced) argument, and under vmap
    const jn = jit((a: number) => broadcastTo(a, [3]))
    expect([jn(1).weak, jn(1).weak]).toEqual([true, true])
    const big = broadcastTo(0.5, [2000])
    expect([jf(big).weak, jf(big).weak]).toEqual([true, true])
    expect(vmap((t: Tensor) => mul(x32, jf(t)))(broadcastTo(0.5, [2, 3])).dtype).toBe('float32')
  })
})

describe('F7: indices and counts are float64', () => {
  // float32 holds whole numbers only up to 2²⁴: topK of 2²⁴ + 2 float32 entries gave two equal
  // indices, countNonzero of 2²⁴ + 1 ones 2²⁴. The dtype is what makes them exact; checking it
  // on a small tensor keeps the test fast (sorting 2²⁴ entries takes seconds)
  it('argsort, topK indices and countNonzero of float32 input', () => {
    const v = tensor([3, 1, 2], { dtype: 'float32' })
    expect(argsort(v).dtype).toBe('float64')
    expect(topK(v, 2).indices.dtype).toBe('float64')
    expect(topK(v, 2).values.dtype).toBe('float32')
    expect(Array.from(topK(v, 2).indices.data)).toEqual([0, 2])
    expect(countNonzero(v).dtype).toBe('float64')
    expect(jit((t: Tensor) => topK(t, 2).indices)(v).dtype).toBe('float64')
    expect(jit((t: Tensor) => countNonzero(t))(v).dtype).toBe('float64')
  })
})

describe('F8: float32 uniform', () => {
  it('stays in [low, high) where float32 rounds below low', () => {
    const u = random.uniform(random.key(7), [100000], 0.7, 0.7000001, { dtype: 'float32' })
    let min = Number.POSITIVE_INFINITY
    let max = Number.NEGATIVE_INFINITY
    for (const v of u.data) {
      min = Math.min(min, v)
      max = Math.max(max, v)
    }
    expect(min).toBeGreaterThanOrEqual(0.7)
    expect(max).toBeLessThan(0.7000001)
    expect(() => random.uniform(random.key(7), [2], 0.7, 0.70000001, { dtype: 'float32' })).toThrow(
      /no float32/,
    )
  })
})
