/**
 * Taylor mode: `derivative(f, k)`. For k = 0…8 it agrees with k nested `grad`s (relative 1e-12)
 * on the case exp(sin x)·x and on every differentiable elementwise op — unary ops at a
 * point inside their domain, binary ops with either argument constant and with both depending
 * on x. Nested grads share no code with the Taylor rules (they run the first-order partials
 * k times), so the two are independent computations. Closed forms: (eˣ)⁽ᵏ⁾ = eˣ, sin⁽ᵏ⁾ cycles
 * through sin, cos, −sin, −cos, a degree-5 polynomial has a constant 5th and a zero 6th
 * derivative. `derivative` nests inside other transformations (grad(derivative(sin, 3)) = sin)
 * and in itself. Errors: a negative or fractional order, or a non-scalar output, throws
 * `InvalidArgumentError`.
 */
import {
  abs,
  acos,
  add,
  asin,
  atan,
  atan2,
  checkpoint,
  concat,
  cos,
  cosh,
  derivative,
  div,
  erf,
  exp,
  expm1,
  grad,
  InvalidArgumentError,
  jvp,
  log,
  log1p,
  logistic,
  logSumExp,
  matmul,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  reshape,
  safeMul,
  sin,
  sinh,
  softplus,
  sqrt,
  square,
  stack,
  sub,
  sum,
  type Tensor,
  tan,
  tanh,
  tensor,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import type { Val } from '../../src/core/tracer.ts'
import { conformKind } from '../../src/primitives/structural.ts'
import { expectClose } from '../helpers.ts'

type Fn = (x: number) => number

/** f differentiated k times by nested reverse mode. */
const nestedGrad = (f: Fn, k: number): Fn => {
  let g = f
  for (let i = 0; i < k; i++) g = grad(g)
  return g
}

/**
 * derivative(f, k)(x) = (grad∘…∘grad f)(x) for k = 0…8, relative 1e-12; exact zeros must be
 * zeros on both sides (an absolute slack of 1e-12 times the largest derivative seen).
 */
const expectNestedAgreement = (f: Fn, x: number, maxOrder = 8): void => {
  const expected = Array.from({ length: maxOrder + 1 }, (_, k) => nestedGrad(f, k)(x))
  const scale = Math.max(...expected.map(Math.abs))
  for (let k = 0; k <= maxOrder; k++) {
    const d = derivative(f, k)(x)
    expect(typeof d, `order ${k}: a number`).toBe('number')
    const e = expected[k]!
    const ok = Math.abs(d - e) <= 1e-12 * Math.abs(e) + 1e-15 * scale
    expect(ok, `order ${k} at x = ${x}: derivative ${d}, nested grads ${e}`).toBe(true)
  }
}

describe('derivative(f, k) agrees with k nested grads, k = 0…8', () => {
  const f = (x: number) => mul(exp(sin(x)), x)

  it.each([0.7, -1.3, 2.5, 0])('exp(sin x)·x at x = %d (the issue’s case)', (x) => {
    expectNestedAgreement(f, x)
  })

  it('and the first orders equal the derivatives by hand', () => {
    // f′ = e^{sin x}(1 + x cos x); f″ = e^{sin x}(cos x (1 + x cos x) + cos x − x sin x)
    const x = 0.7
    const [s, c, e] = [Math.sin(x), Math.cos(x), Math.exp(Math.sin(x))]
    expectClose(derivative(f, 1)(x), e * (1 + x * c), 1e-15, 0)
    expectClose(derivative(f, 2)(x), e * (c * (1 + x * c) + c - x * s), 1e-14, 0)
  })
})

/** Unary ops, each at a point inside its domain (abs away from its kink at 0). */
const unaryCases: readonly (readonly [string, Fn, readonly number[]])[] = [
  ['exp', exp, [0.7, -1.2]],
  ['log', log, [1.3, 0.4]],
  ['log1p', log1p, [0.4, -0.3]],
  ['expm1', expm1, [-0.6, 1.1]],
  ['sqrt', sqrt, [1.7, 0.3]],
  ['square', square, [0.9, -2]],
  ['abs', abs, [-1.2, 0.8]],
  ['logistic', logistic, [0.8, -2.5]],
  ['softplus', softplus, [-0.5, 3]],
  ['erf', erf, [0.6, -1.4]],
  ['sin', sin, [0.9, -2.2]],
  ['cos', cos, [0.4, 2.8]],
  ['tan', tan, [0.5, -1.1]],
  ['asin', asin, [0.3, -0.7]],
  ['acos', acos, [-0.4, 0.6]],
  ['atan', atan, [0.7, -2]],
  ['sinh', sinh, [0.5, -1.5]],
  ['cosh', cosh, [-0.8, 1.2]],
  ['tanh', tanh, [0.6, -1.7]],
  ['neg', neg, [1.1]],
]

describe.each(unaryCases)('derivative agrees with nested grads: %s', (_name, op, points) => {
  it.each(points)('op(x) at x = %d', (x) => expectNestedAgreement(op, x))
  it('op(g(x)) with g(x) = sin(x)/2 + x/4: the chain rule at every order', () => {
    expectNestedAgreement((x) => op(add(mul(0.5, sin(x)), mul(0.25, x))), points[0]!)
  })
})

type Binary = (a: number, b: number) => number

/**
 * Binary ops: op(x, c) and op(c, x) with a constant c, and op(g(x), h(x)) with both arguments
 * depending on x; points keep pow's base positive, divisors away from 0 and maximum/minimum
 * away from ties.
 */
const binaryCases: readonly (readonly [string, Binary, number, number, Fn, Fn, number])[] = [
  // name, op, x, c, g, h, x for op(g, h)
  ['add', add, 0.3, 2, sin, exp, 0.4],
  ['sub', sub, 0.3, 2, sin, exp, 0.4],
  ['mul', mul, 0.9, -1.5, sin, exp, 0.9],
  ['div', div, 0.9, 1.7, sin, (x) => add(x, 2), 0.9],
  ['pow', pow, 1.3, 1.7, (x) => add(x, 1), cos, 1.2],
  ['atan2', atan2, 0.5, 1.5, sin, (x) => add(x, 1), 0.5],
  ['maximum', maximum, 0.3, -0.5, sin, cos, 0.3],
  ['minimum', minimum, 0.3, -0.5, sin, cos, 0.3],
  ['safeMul', safeMul, 0.4, -2, sin, exp, 0.4],
]

describe.each(binaryCases)(
  'derivative agrees with nested grads: %s',
  (_name, op, x, c, g, h, xgh) => {
    it('op(x, c): second argument constant', () => expectNestedAgreement((t) => op(t, c), x))
    it('op(c, x): first argument constant', () => expectNestedAgreement((t) => op(c, t), x))
    it('op(g(x), h(x)): both arguments depend on x', () =>
      expectNestedAgreement((t) => op(g(t), h(t)), xgh))
    it('op(x, x): the same value twice', () => expectNestedAgreement((t) => op(t, t), x))
  },
)

describe('atan2: Taylor-mode precision', () => {
  // exact derivatives of x ↦ atan2(2.5, x) at x = 0.5, by mpmath (40 digits)
  const exact = [-0.1228140579003644, 0.4047394458740754, 0.1932284710409969, -2.823331695999715]
  const f = (x: number) => atan2(2.5, x)

  it('nested grads match the exact 5th–8th derivatives to 1e-14 (the reference is sound)', () => {
    for (const [i, e] of exact.entries()) expectClose(nestedGrad(f, i + 5)(0.5), e, 1e-14, 0)
  })

  // regression: the series used to go through q = y/x and 1 + q² (relative error 1.4e-10 at
  // order 8 here); it now follows (x² + y²)·w′ = x·y′ − y·x′
  it('derivative matches them to 1e-12 where |y/x| ≫ 1', () => {
    for (const [i, e] of exact.entries()) expectClose(derivative(f, i + 5)(0.5), e, 1e-12, 0)
  })
})

describe('closed forms', () => {
  it('derivative(exp, k)(x) = eˣ for k = 0…12', () => {
    for (const x of [0, 1, -2.5]) {
      for (let k = 0; k <= 12; k++) expectClose(derivative(exp, k)(x), Math.exp(x), 1e-14, 0)
    }
    // and exactly at 0, where every coefficient is 1/k! times k!
    expect(derivative(exp, 3)(0)).toBe(1)
  })

  it('derivative(sin, k) cycles through sin, cos, −sin, −cos (k = 0…12)', () => {
    const x = 0.8
    const cycle = [Math.sin(x), Math.cos(x), -Math.sin(x), -Math.cos(x)]
    for (let k = 0; k <= 12; k++) expectClose(derivative(sin, k)(x), cycle[k % 4]!, 1e-13, 0)
    expectClose(derivative(cos, 2)(x), -Math.cos(x), 1e-15, 0)
  })

  it('a polynomial of degree 5: p⁽⁵⁾ = 5!·a₅, p⁽⁶⁾ = 0, p⁽⁷⁾ = 0', () => {
    // p(x) = 3x⁵ − 2x⁴ + x² − 7 by Horner's rule
    const p = (x: number) =>
      add(mul(mul(mul(add(mul(sub(mul(3, x), 2), x), 0), x), x), x), add(mul(x, x), -7))
    for (const x of [0, 1.5, -0.75]) {
      expect(derivative(p, 0)(x)).toBe(3 * x ** 5 - 2 * x ** 4 + x ** 2 - 7)
      expectClose(derivative(p, 1)(x), 15 * x ** 4 - 8 * x ** 3 + 2 * x, 1e-14, 1e-14)
      expectClose(derivative(p, 4)(x), 360 * x - 48, 1e-14, 1e-14)
      expect(derivative(p, 5)(x)).toBe(360)
      expect(derivative(p, 6)(x)).toBe(0)
      expect(derivative(p, 7)(x)).toBe(0)
    }
  })

  it('xⁿ with n = 7 as repeated products: the k-th derivative is 7!/(7 − k)!·x^{7−k}', () => {
    const p7 = (x: number) => {
      let acc = x
      for (let i = 1; i < 7; i++) acc = mul(acc, x)
      return acc
    }
    const x = 1.25
    let falling = 1
    for (let k = 0; k <= 8; k++) {
      const expected = k > 7 ? 0 : falling * x ** (7 - k)
      expectClose(derivative(p7, k)(x), expected, 1e-14, 0)
      falling *= 7 - k
    }
  })
})

describe('derivative nests', () => {
  it('grad(derivative(sin, 3)) = sin, and derivative(grad(sin), 3) = sin', () => {
    for (const x of [0.3, -1.1]) {
      expectClose(grad(derivative(sin, 3))(x), Math.sin(x), 1e-15, 0)
      expectClose(
        derivative(
          grad((t: number) => sin(t)),
          3,
        )(x),
        Math.sin(x),
        1e-15,
        0,
      )
    }
  })

  it('derivative(derivative(f, 2), 3) = f⁽⁵⁾; jvp of derivative gives the next order', () => {
    const f = (x: number) => mul(exp(sin(x)), x)
    const f5 = nestedGrad(f, 5)(0.6)
    expectClose(derivative(derivative(f, 2), 3)(0.6), f5, 1e-12, 0)
    expectClose(jvp(derivative(f, 4), [0.6], [1])[1], f5, 1e-12, 0)
    expectClose(grad(grad(derivative(f, 3)))(0.6), f5, 1e-12, 0)
  })

  it('derivative of a function with a closed-over, differentiated variable', () => {
    // d/da [ (d²/dx² e^{a·x})(1) ] = d/da [a²·e^{a}] = (2a + a²)·e^{a}
    const a = 0.5
    const inner = (s: number) => derivative((x: number) => exp(mul(s, x)), 2)(1)
    expectClose(grad(inner)(a), (2 * a + a * a) * Math.exp(a), 1e-14, 0)
  })

  it('vmap(derivative(sin, 2)) = −sin, elementwise', () => {
    const xs = tensor([0.1, -0.5, 2])
    const d2 = vmap(derivative(sin, 2) as unknown as (x: Tensor) => Tensor)(xs)
    expectClose(d2, tensor([0.1, -0.5, 2].map((x) => -Math.sin(x))), 1e-15, 0)
  })
})

/** A rank-0 result as a number, with its derivative (a traced value stays traced). */
const scalar = (v: Val): number => conformKind(v, 'number') as number

describe('constant operands (issue #12 §4): zeros of their own shape', () => {
  // d/dx Σ[x, 1] = 1
  it('stack and concat with a constant', () => {
    for (const k of [1, 2, 3]) {
      expect(derivative((x: number) => scalar(sum(stack([x, 1]))), k)(0.3)).toBe(k === 1 ? 1 : 0)
    }
    const c = tensor([[1, 2]])
    const f = (x: number) => scalar(sum(concat([mul(x, tensor([[3, 4]])), c])))
    expect(derivative(f)(0.3)).toBe(7)
  })

  it('a custom rule’s tensor output that does not depend on x has zero coefficients of its shape', () => {
    const c = tensor([1, 2])
    const block = checkpoint((x: number) => [mul(x, c), c] as const)
    // Σ[x·c, c, x·c] = 6x + 3: derivative 6, then 0
    const f = (x: number) => {
      const [a, b] = block(x)
      return scalar(sum(concat([a, b, mul(x, b)])))
    }
    expect(derivative(f)(0.5)).toBe(grad(f)(0.5))
    expect(derivative(f)(0.5)).toBe(6)
    expect(derivative(f, 2)(0.5)).toBe(0)
  })

  it('logSumExp(stack([x, 0]))′ = σ(x), and its higher orders match nested grads', () => {
    const f = (x: number) => scalar(logSumExp(stack([x, 0])))
    expectClose(derivative(f)(0.3), 1 / (1 + Math.exp(-0.3)), 1e-15, 0)
    expectNestedAgreement(f, 0.3, 5)
  })

  it('matmul with a constant matrix, on either side', () => {
    const A = tensor([
      [1, 2],
      [3, 4],
    ])
    const v = tensor([1, -1])
    // Σ A·(x v) = x·Σ A v = −2x; Σ (x v)ᵀ·A = x·Σ vᵀA = −4x
    const left = (x: number) => scalar(sum(matmul(A, mul(x, v))))
    const right = (x: number) => scalar(sum(matmul(mul(x, v), A)))
    expect(derivative(left)(0.3)).toBe(-2)
    expect(derivative(right)(0.3)).toBe(-4)
    expect(derivative(left, 2)(0.3)).toBe(0)
    // a product of two series: (x v)ᵀ·(x² A v) = x³·vᵀAv
    const both = (x: number) =>
      scalar(sum(matmul(reshape(mul(x, v), [1, 2]), reshape(mul(square(x), matmul(A, v)), [2, 1]))))
    expectNestedAgreement(both, 0.7, 4)
  })
})

describe('pow at a base of 0 (issue #12 §4), as nested grads give it', () => {
  // (n, k, the k-th derivative of xⁿ at 0): polynomials exactly, the rest as one-sided limits
  const cases: readonly (readonly [number, number, number])[] = [
    [2, 1, 0],
    [2, 2, 2],
    [2, 3, 0],
    [1, 1, 1],
    [1, 2, 0],
    [3, 3, 6],
    [3, 4, 0],
    [4, 4, 24],
    [0, 1, 0],
    [0.5, 1, Number.POSITIVE_INFINITY],
    [0.5, 2, Number.NEGATIVE_INFINITY],
    [1.5, 1, 0],
    [1.5, 2, Number.POSITIVE_INFINITY],
    [-1, 1, Number.NEGATIVE_INFINITY],
    [-1, 2, Number.POSITIVE_INFINITY],
    [-2, 2, Number.POSITIVE_INFINITY],
  ]
  it.each(cases)('pow(x, %d): order %d at 0 is %d', (n, k, expected) => {
    const f = (x: number) => pow(x, n)
    expect(derivative(f, k)(0)).toBe(expected)
    expect(nestedGrad(f, k)(0)).toBe(expected)
  })

  it('an integer exponent expands exactly: (x + 1)³ has derivatives 3, 6, 6, 0 at 0', () => {
    const f = (x: number) => pow(add(x, 1), 3)
    expect([1, 2, 3, 4].map((k) => derivative(f, k)(0))).toEqual([3, 6, 6, 0])
  })

  it('∂/∂y 0ʸ = 0 (the convention of grad), at every order', () => {
    const f = (y: number) => pow(0, y)
    expect(grad(f)(2)).toBe(0)
    for (const k of [1, 2, 3]) expect(derivative(f, k)(2)).toBe(0)
  })

  it('away from 0 a real exponent matches nested grads, constant or not', () => {
    expectNestedAgreement((x: number) => pow(x, 2.5), 0.7, 6)
    expectNestedAgreement((x: number) => pow(x, -1.5), 1.3, 6)
    expectNestedAgreement((x: number) => pow(x, x), 0.7, 5)
    expectNestedAgreement((x: number) => pow(add(x, 2), sin(x)), 0.4, 5)
  })
})

describe('division by 0 (issue #12 §4)', () => {
  it('derivative(x ↦ x/0) is +∞ at 1, as grad and jvp give it; higher orders 0', () => {
    const f = (x: number) => div(x, 0)
    expect(derivative(f)(1)).toBe(Number.POSITIVE_INFINITY)
    expect(grad(f)(1)).toBe(Number.POSITIVE_INFINITY)
    expect(jvp(f, [1], [1])[1]).toBe(Number.POSITIVE_INFINITY)
    expect(derivative(f, 2)(1)).toBe(0)
    expect(nestedGrad(f, 2)(1)).toBe(0)
  })

  it('1/x at 0: −∞, +∞, −∞ (the one-sided limits from above), as nested grads', () => {
    const f = (x: number) => div(1, x)
    for (const k of [1, 2, 3]) expect(derivative(f, k)(0)).toBe(nestedGrad(f, k)(0))
    expect(derivative(f, 1)(0)).toBe(Number.NEGATIVE_INFINITY)
  })
})

describe('zero annihilates in Taylor mode too (issue #12 §5)', () => {
  it('sqrt(x²), x·log x, x·√x, (√x)² at 0: coefficient 1 is jvp’s, higher ones nested grads’', () => {
    const fs: readonly ((x: number) => number)[] = [
      (x) => sqrt(square(x)),
      (x) => mul(x, log(x)),
      (x) => mul(x, sqrt(x)),
      (x) => square(sqrt(x)),
    ]
    for (const f of fs) {
      expect(derivative(f)(0)).toBe(jvp(f, [0], [1])[1])
      expect(derivative(f)(0)).toBe(grad(f)(0))
      for (const k of [2, 3]) expect(derivative(f, k)(0)).toBe(nestedGrad(f, k)(0))
    }
    expect(derivative((x: number) => mul(x, log(x)))(0)).toBe(Number.NEGATIVE_INFINITY)
  })
})

describe('errors', () => {
  it('a negative or fractional order is an InvalidArgumentError', () => {
    expect(() => derivative(sin, -1)).toThrow(InvalidArgumentError)
    expect(() => derivative(sin, 1.5)).toThrow(InvalidArgumentError)
    expect(() => derivative(sin, Number.NaN)).toThrow(InvalidArgumentError)
    expect(() => derivative(sin, Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError)
  })

  it('a non-scalar output is an InvalidArgumentError', () => {
    const f = (x: number) => mul(x, tensor([1, 2])) as unknown as number
    expect(() => derivative(f, 2)(1)).toThrow(InvalidArgumentError)
  })
})
