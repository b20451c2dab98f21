/**
 * gammainc/gammaincc for large a (Temme's uniform expansion), huge x, and small a (Q summed
 * directly), with their derivatives. QA found NaN at P(1e9, 1e9) and P(1, 1e308), six lost
 * digits at Q(1e-10, ½), and a density ∂P/∂x with 6 digits at a = 1e9 and none at 1e15.
 * References: P and Q from 50-digit mpmath (its gammainc for a ≤ 1e5, quadrature of the
 * density beyond), derivatives in a by 5-point differences of those, at the exact doubles.
 */
import {
  derivative,
  gammainc,
  gammaincc,
  grad,
  jit,
  jvp,
  stats,
  sum,
  type Tensor,
  tensor,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import { type BinaryOp, checkBinary } from './transform-checks.ts'

/** [a, x, P(a, x), Q(a, x)]. */
const VALUES: readonly (readonly [number, number, number, number])[] = [
  [20, 17, 0.2636782806884186, 0.7363217193115814],
  [20, 25, 0.8664251659143496, 0.1335748340856504],
  [25, 25, 0.5266015314436506, 0.47339846855634937],
  [100, 95, 0.3173568111698, 0.6826431888302],
  [1000, 1030, 0.828911903882394, 0.17108809611760603],
  [10000, 9900, 0.15865119219356466, 0.8413488078064354],
  [1e6, 998000, 0.022696114006736802, 0.9773038859932632],
  [1e6, 1001500, 0.9331388957641022, 0.06686110423589776],
  [1e9, 1e9, 0.5000042052208701, 0.4999957947791299],
  [1e9, 1e9 + 1, 0.5000168208834707, 0.4999831791165293],
  [1e12, 1000002000000, 0.9772498140608813, 0.022750185939118726],
  [1e15, 1e15, 0.5000000042052208, 0.4999999957947791],
  [1e15, 999999900000000, 0.0007827008739902988, 0.9992172991260097],
  [1e15, 1000000150000000, 0.999998949280846, 1.0507191540257762e-6],
  [1e20, 1.0000000001e20, 0.8413449195130961, 0.15865508048690388],
]

describe('gammainc, gammaincc for large a', () => {
  it('P and Q to 1e-14 relative from a = 20 to 1e20 (P(1e9, 1e9) was NaN)', () => {
    for (const [a, x, p, q] of VALUES) {
      expectClose(gammainc(a, x), p, 1e-14, 0)
      expectClose(gammaincc(a, x), q, 1e-14, 0)
    }
  })

  it('tails at the edge of the expansion keep relative accuracy (ε·|log P|)', () => {
    expectClose(gammainc(1e4, 8000), 6.135448501090494e-103, 1e-13, 0)
    expectClose(gammaincc(1e4, 12000), 3.3272024923451615e-79, 1e-13, 0)
  })

  it('stats.poisson.cdf and stats.gamma.cdf at 1e9 are finite (were NaN)', () => {
    // Poisson: Q(k + 1, mu)
    expectClose(stats.poisson.cdf(1e9, 1e9), 0.5000084104417389, 1e-14, 0)
    expectClose(stats.gamma.cdf(1e9, 1e9), 0.5000042052208701, 1e-14, 0)
  })

  it('the recurrence P(a + 1, x) = P(a, x) − xᵃe⁻ˣ/Γ(a + 1) holds across a = 1e9', () => {
    // xᵃe⁻ˣ/Γ(a + 1) at x = a = 1e9 is the density at a + 1: 1/√(2πa)·(1 − 1/(12a) + …)
    const a = 1e9
    const step = 1 / Math.sqrt(2 * Math.PI * a) / (1 + 1 / (12 * a))
    expectClose(gammainc(a + 1, a), gammainc(a, a) - step, 1e-14, 0)
  })

  it('is continuous where the method changes (a = 20, x = 0.7a, x = 1.3a)', () => {
    // the two sides are an ulp of the argument apart: compare through the derivative
    const close = (f: (v: number) => number, v: number): void => {
      const lo = v * (1 - 2 ** -50)
      const hi = v * (1 + 2 ** -50)
      // a tail e^L carries the problem's own ε·|L| (a few ulps of L, from either method)
      const rtol = 1e-14 + 5e-16 * Math.abs(Math.log(f(v)))
      expectClose(f(hi), f(lo) + grad(f)(v) * (hi - lo), rtol, 0)
    }
    for (const [a, x] of [
      [20, 18],
      [1e3, 700],
      [1e3, 1300],
      [1e4, 7e3],
      [1e4, 1.3e4],
    ] as const) {
      close((s: number) => gammainc(s, x), a)
      close((v: number) => gammainc(a, v), x)
      close((v: number) => gammaincc(a, v), x)
    }
  })

  it('never NaN: P, Q in [0, 1] and P + Q = 1 over a grid from 1e-300 to 1.7e308', () => {
    const values = [1e-300, 1e-10, 0.3, 1, 5, 19.9, 20, 50, 1e3, 1e6, 1e9, 1e15, 1e100, 1e300]
    values.push(1.7e308)
    for (const a of values) {
      for (const v of values) {
        for (const x of [v * 0.69, v * 0.7, v, v * 1.3, v * 1.31]) {
          const p = gammainc(a, x)
          const q = gammaincc(a, x)
          expect(p >= 0 && p <= 1 && q >= 0 && q <= 1, `P, Q at (${a}, ${x})`).toBe(true)
          expectClose(p + q, 1, 1e-15, 0)
        }
      }
    }
  })
})

describe('gammainc, gammaincc for huge x', () => {
  it('P(1, x) = 1, Q(1, x) = 0 up to the largest double (were NaN from 5e307)', () => {
    for (const x of [5e307, 1e308, Number.MAX_VALUE]) {
      expect(gammainc(1, x)).toBe(1)
      expect(gammaincc(1, x)).toBe(0)
      expect(gammainc(0.5, x)).toBe(1)
      expect(gammainc(1e100, x)).toBe(1)
    }
    expect(stats.gamma.cdf(1e308, 1)).toBe(1)
    expect(grad((a: number) => gammainc(a, 1e308))(2)).toBe(0)
  })
})

describe('gammaincc for small a', () => {
  it('Q ≈ a·E₁(x) keeps its digits (Q(1e-10, ½) had 6)', () => {
    expectClose(gammaincc(1e-10, 0.5), 5.597735948054988e-11, 1e-14, 0)
    expectClose(gammaincc(1e-10, 1e-10), 2.244863524002411e-9, 1e-14, 0)
    expectClose(gammaincc(0.001, 0.99), 0.00022332637269878734, 1e-14, 0)
    expectClose(gammaincc(0.3, 0.9), 0.09774735197033045, 1e-14, 0)
    expectClose(gammaincc(0.49, 0.2), 0.5188359216904544, 1e-14, 0)
  })
})

/** [a, x, ∂P/∂a, ∂²P/∂a², ∂P/∂x (the density), ∂²P/∂a∂x]. */
const DERIVATIVES: readonly (readonly [number, number, number, number, number, number])[] = [
  [
    30, 19.045548849896676, -0.006253137160009128, 0.002849672367543896, 0.00787219229164189,
    -0.003444908460966388,
  ],
  [
    1000, 1047.4341649025257, -0.0041417457799104995, -0.00019195873461905533, 0.004046565324560441,
    0.00018955570539338115,
  ],
  [
    1e6, 998000, -5.3900890028576e-5, 1.0790973478583449e-7, 5.3954871922946826e-5,
    -1.0799082024510567e-7,
  ],
  [
    1e9, 999936754.4467967, -1.7072542847208017e-6, 1.079796563574901e-10, 1.707308275402684e-6,
    -1.079822174728832e-10,
  ],
  [
    1e9, 1e9, -1.2615662611152106e-5, 1.0513052177712264e-24, 1.2615662609049494e-5,
    6.307831305576053e-15,
  ],
  [
    1e12, 1000001500000, -1.295176442349068e-7, -1.9427632064517231e-13, 1.2951754709677344e-7,
    1.9427623969683896e-13,
  ],
  [
    1e15, 999999936754446.8, -1.707344177535131e-9, 1.0798193051106411e-16, 1.7073442315260972e-9,
    -1.0798193307208061e-16,
  ],
  [
    1e15, 1000000047434164.9, -4.0957060476463904e-9, -1.9427639133592436e-16,
    4.0957059505081954e-9, 1.9427638877610827e-16,
  ],
]

/** Central difference of f at v with step h. */
const central = (f: (v: number) => number, v: number, h: number): number =>
  (f(v + h) - f(v - h)) / (2 * h)

describe('gammainc derivatives for large a', () => {
  it('∂P/∂a, ∂²P/∂a², the density ∂P/∂x and ∂²P/∂a∂x to 1e-13 (the density had 6 digits at 1e9)', () => {
    for (const [a, x, pa, paa, f, fa] of DERIVATIVES) {
      const dA = (s: number, y: number): number => grad((u: number) => gammainc(u, y))(s)
      const dX = (s: number, y: number): number => grad((v: number) => gammainc(s, v))(y)
      expectClose(dA(a, x), pa, 1e-13, 0)
      expectClose(dX(a, x), f, 1e-13, 0)
      expectClose(grad((s: number) => dX(s, x))(a), fa, 1e-13, 0)
      // ∂²P/∂a² crosses 0 at x ≈ a: there, absolute to its scale 1/a^1.5
      expectClose(grad((s: number) => dA(s, x))(a), paa, 1e-12, 1e-13 * a ** -1.5)
    }
  })

  it('grad agrees with central differences in a and x, step √a/1000', () => {
    for (const [a, x] of DERIVATIVES) {
      const h = Math.sqrt(a) / 1000
      const pInA = (s: number): number => gammainc(s, x)
      const pInX = (v: number): number => gammainc(a, v)
      expectClose(grad(pInA)(a), central(pInA, a, h), 1e-6, 0)
      expectClose(grad(pInX)(x), central(pInX, x, h), 1e-6, 0)
      expectClose(grad(grad(pInX))(x), central(grad(pInX), x, h), 1e-5, 1e-6 / a)
      expectClose(grad(grad(pInA))(a), central(grad(pInA), a, h), 1e-5, 1e-6 / a)
    }
  })

  it('grad, jvp, Taylor mode and jit (first call and replay) agree', () => {
    const as = tensor(DERIVATIVES.map(([a]) => a))
    const xs = tensor(DERIVATIVES.map(([, x]) => x))
    const loss = (s: Tensor, v: Tensor): Tensor => sum(gammainc(s, v))
    const eager = grad((s: Tensor) => loss(s, xs))(as)
    const compiled = jit((s: Tensor) => grad((u: Tensor) => loss(u, xs))(s))
    expect((compiled(as) as Tensor).data).toEqual(eager.data)
    expect((compiled(as) as Tensor).data).toEqual(eager.data)
    DERIVATIVES.forEach(([a, x], i) => {
      const [, pDot] = jvp((s: number) => gammainc(s, x), [a], [1])
      expectClose(pDot, eager.data[i]!, 1e-14, 0)
      const inX = (v: number): number => gammainc(a, v)
      expectClose(derivative(inX, 2)(x), grad(grad(inX))(x), 1e-12, 0)
    })
  })

  it('every transformation at moderate a, across the expansion region', () => {
    checkBinary(gammainc as BinaryOp, [
      [30, 25],
      [50, 45],
      [300, 310],
    ])
  })
})
