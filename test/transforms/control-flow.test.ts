/**
 * JS control flow on primal values inside every transformation: a branch on `value(x)` (and on
 * `item()` of a traced tensor), data-dependent `while` loops (doubling until a bound, Newton's
 * iteration for √a), and recursion (naive and by squaring, and over a tree). Each is
 * differentiated with `grad`, `jvp` and `vjp` and compared with the derivative of the branch,
 * loop count or recursion depth actually taken, worked out by hand.
 */
import {
  add,
  div,
  grad,
  jvp,
  mul,
  neg,
  sin,
  slice,
  square,
  sum,
  type Tensor,
  tensor,
  value,
  vjp,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

type Fn = (x: number) => number

/** f′(x) by grad, by jvp with tangent 1, and by vjp with cotangent 1. */
const derivatives = (f: Fn, x: number): readonly [number, number, number] => [
  grad(f)(x),
  jvp(f, [x], [1])[1],
  vjp(f, x)[1](1)[0],
]

const expectAllModes = (f: Fn, x: number, expected: number, rtol = 1e-12) => {
  for (const d of derivatives(f, x)) expectClose(d, expected, rtol)
}

describe('branches on primal values', () => {
  // f(x) = x² for x > 0, −x³ otherwise
  const f = (x: number) => (value(x) > 0 ? square(x) : neg(mul(x, square(x))))

  it('value(x) picks the branch; each branch has its own derivative', () => {
    expectAllModes(f, 2, 4)
    expectAllModes(f, -1, -3)
    expectAllModes(f, 0, 0)
  })

  it('value(x).item() on a traced tensor picks the branch', () => {
    const g = (x: Tensor) => (value(x).item() < 1 ? mul(x, 3) : sin(x))
    expectClose(grad(g)(tensor(0.5)), tensor(3), 0, 0)
    expectClose(grad(g)(tensor(2)), tensor(Math.cos(2)))
    expectClose(jvp(g, [tensor(2)], [tensor(2)])[1], tensor(2 * Math.cos(2)))
    expectClose(vjp(g, tensor(0.5))[1](tensor(-1))[0], tensor(-3), 0, 0)
  })

  it('value() of a nested-traced value reads the innermost primal', () => {
    // second derivative through the branch: (x²)″ = 2 and (−x³)″ = −6x
    expect(grad(grad(f))(3)).toBe(2)
    expect(jvp(grad(f), [-2], [1])[1]).toBe(12)
  })
})

describe('data-dependent loops', () => {
  // double until above 100: f(x) = x·2ᵏ with k the number of doublings taken
  const doubling = (x: number) => {
    let y = x
    while (value(y) <= 100) y = mul(y, 2)
    return y
  }

  it('doubling until > 100: the derivative is 2ᵏ for the k iterations taken', () => {
    // 3 → 6 → 12 → 24 → 48 → 96 → 192: six doublings
    expectAllModes(doubling, 3, 64)
    // 0.5 → 1 → … → 128: eight doublings
    expectAllModes(doubling, 0.5, 256)
    expectAllModes(doubling, 101, 1)
  })

  it("Newton's iteration for √a converges in value and in derivative", () => {
    const newtonSqrt = (a: number) => {
      let y = a
      let steps = 0
      while (Math.abs(value(y) * value(y) - value(a)) > 1e-15 * value(a) && steps++ < 100) {
        y = mul(0.5, add(y, div(a, y)))
      }
      return y
    }
    for (const a of [2, 10, 0.3]) {
      expectClose(newtonSqrt(a), Math.sqrt(a), 1e-15)
      expectAllModes(newtonSqrt, a, 0.5 / Math.sqrt(a), 1e-10)
    }
  })

  it('a for loop whose length is read from the primal', () => {
    // Σ_{i < ⌊x⌋} sin(i·x): at x = 3.5, i = 0, 1, 2
    const f = (x: number) => {
      let acc = 0
      for (let i = 0; i < Math.floor(value(x)); i++) acc = add(acc, sin(mul(i, x)))
      return acc
    }
    expectAllModes(f, 3.5, Math.cos(3.5) + 2 * Math.cos(7))
  })
})

describe('recursion', () => {
  const power = (x: number, n: number): number => (n === 0 ? 1 : mul(x, power(x, n - 1)))
  const fastPower = (x: number, n: number): number =>
    n === 0 ? 1 : n % 2 === 0 ? square(fastPower(x, n / 2)) : mul(x, fastPower(x, n - 1))

  it('a recursive power function: d/dx xⁿ = n·xⁿ⁻¹', () => {
    expectAllModes((x) => power(x, 5), 1.5, 5 * 1.5 ** 4)
    expectAllModes((x) => power(x, 1), -2, 1)
    expectAllModes((x) => power(x, 0), 3, 0)
  })

  it('exponentiation by squaring, recursing on the exponent', () => {
    expectAllModes((x) => fastPower(x, 7), 1.5, 7 * 1.5 ** 6)
    expectAllModes((x) => fastPower(x, 12), -0.75, 12 * (-0.75) ** 11)
  })

  it('recursion whose depth depends on the primal: halve until below 1', () => {
    // h(x) = h(x/2) + x for x ≥ 1, sin x below: at x = 5, h = sin(0.625) + 1.25 + 2.5 + 5
    const h = (x: number): number => (value(x) < 1 ? sin(x) : add(h(div(x, 2)), x))
    expectClose(h(5), Math.sin(0.625) + 8.75)
    expectAllModes(h, 5, Math.cos(0.625) / 8 + 1 / 4 + 1 / 2 + 1)
  })

  it('recursion over a tree of parameters', () => {
    type Nested = number | readonly Nested[]
    // Σ over leaves of depth·leaf², depth counted from 1
    const weigh = (t: Nested, depth = 1): number =>
      Array.isArray(t)
        ? (t as readonly Nested[]).reduce<number>((acc, c) => add(acc, weigh(c, depth + 1)), 0)
        : mul(depth, square(t as number))
    // the tree's own (non-recursive) type: tsc cannot infer jvp's arguments for the
    // recursive Nested (TS2589, reported), though grad and vjp are fine with it
    type Tree3 = readonly [number, readonly [number, readonly [number]], number]
    const tree: Tree3 = [1, [2, [3]], 4]
    // depths: 1 → 2, 2 → 3, 3 → 4, 4 → 2; gradient 2·depth·leaf
    expect(grad(weigh)(tree)).toEqual([4, [12, [24]], 16])
    const [, pullback] = vjp((t: Nested) => weigh(t), tree)
    expect(pullback(0.5)).toEqual([[2, [6, [12]], 8]])
    const [, out] = jvp((t: Tree3) => weigh(t), [tree], [[1, [0, [0]], 0]])
    expect(out).toBe(4)
  })

  it('a recursive tensor reduction (pairwise sum by halving)', () => {
    const pairwise = (x: Tensor): number | Tensor => {
      const n = x.shape[0]!
      if (n === 1) return sum(x)
      const half = Math.floor(n / 2)
      return add(pairwise(slice(x, [0], [half])), pairwise(slice(x, [half], [n])))
    }
    const x = tensor([1, 2, 3, 4, 5])
    expectClose(pairwise(x), 15, 0, 0)
    expectClose(grad((t: Tensor) => pairwise(mul(t, t)))(x), tensor([2, 4, 6, 8, 10]), 0, 0)
    const [, out] = jvp((t: Tensor) => pairwise(mul(t, t)), [x], [tensor([1, 0, 0, 0, -1])])
    expectClose(out, 2 - 10, 0, 0)
  })
})
