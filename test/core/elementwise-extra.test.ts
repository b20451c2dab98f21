/**
 * More elementwise functions (issue #14 §5): log2, log10, exp2, acosh, asinh, atanh, cbrt,
 * logit/expit, sinc, deg2rad/rad2deg, hypot, logaddexp(2), remainder/mod, fmod, floorDivide,
 * copysign, heaviside, xlogy, xlog1py. Values against closed forms, NumPy's documented results
 * and identities (as properties); special points (±0, ±∞, NaN, kinks) with the conventions
 * each doc comment states; derivatives through every transformation (transform-checks.ts).
 */
import fc from 'fast-check'
import {
  acosh,
  asinh,
  atanh,
  cbrt,
  copysign,
  cosh,
  deg2rad,
  derivative,
  exp2,
  expit,
  floorDivide,
  fmod,
  grad,
  heaviside,
  hessian,
  hypot,
  jvp,
  log2,
  log10,
  logaddexp,
  logaddexp2,
  logistic,
  logit,
  mod,
  rad2deg,
  remainder,
  ShapeError,
  sinc,
  sinh,
  sum,
  type Tensor,
  tanh,
  tensor,
  xlog1py,
  xlogy,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import { type BinaryOp, checkBinary, checkUnary } from './transform-checks.ts'

describe('logarithms and exponentials in base 2 and 10', () => {
  it('are exact at powers of the base', () => {
    for (let k = -1074; k <= 1023; k++) expect(log2(2 ** k)).toBe(k)
    for (let k = 0; k <= 22; k++) expect(log10(10 ** k)).toBe(k)
    for (let k = -1074; k <= 1023; k++) expect(exp2(k)).toBe(2 ** k)
    expect(log2(tensor([1, 8, 0.5])).toArray()).toEqual([0, 3, -1])
    expect(log2(0)).toBe(-Infinity)
    expect(log10(-1)).toBeNaN()
    expect(exp2(-Infinity)).toBe(0)
  })

  it('differentiate through every transformation', () => {
    checkUnary(log2, [0.3, 2, 17])
    checkUnary(log10, [0.3, 2, 17])
    checkUnary(exp2, [-3, 0.5, 4])
    expectClose(grad(log2)(8), 1 / (8 * Math.LN2), 1e-15, 0)
    expectClose(grad(exp2)(3), 8 * Math.LN2, 1e-15, 0)
  })
})

describe('inverse hyperbolic functions', () => {
  it('invert sinh, cosh, tanh and have the closed forms', () => {
    fc.assert(
      fc.property(fc.double({ min: -20, max: 20, noNaN: true }), (x) => {
        expectClose(asinh(sinh(x)), x, 1e-14, 1e-300)
        expectClose(acosh(cosh(x)), Math.abs(x), 1e-12, 1e-7)
        // tanh's rounding (ε/2) is amplified by atanh′ = 1/(1 − t²) = cosh² x: the inverse's
        // condition, not atanh's error
        const spread = 2 * Number.EPSILON * Math.cosh(x) ** 2
        if (Math.abs(x) < 15) expectClose(atanh(tanh(x)), x, 1e-14, spread)
      }),
    )
    expectClose(asinh(1), Math.log(1 + Math.SQRT2), 1e-15, 0)
    expectClose(atanh(0.5), 0.5 * Math.log(3), 1e-15, 0)
    expect(acosh(1)).toBe(0)
    expect(acosh(0.5)).toBeNaN()
    expect(atanh(1)).toBe(Infinity)
    expect(atanh(-0)).toBe(-0)
  })

  it('have derivatives without overflow or cancellation', () => {
    // 1/√(1 + x²) at 1e200 is 1e-200, not 0 (x² overflows)
    expectClose(grad(asinh)(1e200), 1e-200, 1e-15, 0)
    expectClose(grad(acosh)(1e200), 1e-200, 1e-15, 0)
    // near 1, (x − 1)(x + 1) keeps the digits that x² − 1 loses
    const x = 1 + 2 ** -30
    expectClose(grad(acosh)(x), 1 / Math.sqrt((x - 1) * (x + 1)), 1e-15, 0)
    expect(grad(acosh)(1)).toBe(Infinity)
    checkUnary(asinh, [-2, 0, 0.7])
    checkUnary(acosh, [1.2, 3])
    checkUnary(atanh, [-0.8, 0, 0.4])
  })
})

describe('cbrt, logit, expit', () => {
  it('have the closed forms and special points', () => {
    expect(cbrt(27)).toBe(3)
    expect(cbrt(-8)).toBe(-2)
    expect(cbrt(-0)).toBe(-0)
    expect(grad(cbrt)(0)).toBe(Infinity)
    expect(logit(0.5)).toBe(0)
    expect(logit(0)).toBe(-Infinity)
    expect(logit(1)).toBe(Infinity)
    expect(logit(1.5)).toBeNaN()
    expect(expit(0)).toBe(0.5)
    expect(expit(tensor([0, 1])).toArray()).toEqual(logistic(tensor([0, 1])).toArray())
  })

  it('keep relative precision: logit near ½, logit∘expit = id', () => {
    // logit(½ + ε) = 4ε + O(ε³); ½ + 2⁻³⁰ is exact
    const eps = 2 ** -30
    expectClose(logit(0.5 + eps), Math.log1p((2 * eps) / (0.5 - eps)), 1e-15, 0)
    fc.assert(
      // above ~10, expit(x) rounds near 1 and keeps too few digits of 1 − p to invert
      fc.property(fc.double({ min: -30, max: 10, noNaN: true }), (x) => {
        expectClose(logit(expit(x)), x, 1e-9, 1e-15)
      }),
    )
  })

  it('differentiate through every transformation', () => {
    checkUnary(cbrt, [-2, 0.5, 5])
    checkUnary(logit, [0.1, 0.5, 0.93])
    checkUnary(expit, [-3, 0, 2])
    expectClose(grad(cbrt)(8), 1 / 12, 1e-15, 0)
    expectClose(grad(logit)(0.2), 1 / (0.2 * 0.8), 1e-15, 0)
  })
})

describe('sinc', () => {
  it('is NumPy’s normalized sinc: 1 at 0, exactly 0 at the other integers', () => {
    expect(sinc(0)).toBe(1)
    for (let n = 1; n <= 10; n++) {
      expect(sinc(n)).toBe(0)
      expect(Math.abs(sinc(-n))).toBe(0)
    }
    expectClose(sinc(0.5), 2 / Math.PI, 1e-15, 0)
    expectClose(sinc(-7.25), -0.031045390212314002, 1e-15, 0)
    expect(sinc(Infinity)).toBe(0)
    expect(sinc(Number.NaN)).toBeNaN()
  })

  it('is smooth through 0: the Maclaurin coefficients, every order', () => {
    // sinc(x) = Σ (−1)ᵐ (πx)²ᵐ/(2m + 1)!: f⁽²ᵐ⁾(0) = (−1)ᵐ π²ᵐ/(2m + 1)
    expect(grad(sinc)(0)).toBe(0)
    expectClose(grad(grad(sinc))(0), -(Math.PI ** 2) / 3, 1e-15, 0)
    expectClose(derivative(sinc, 4)(0), Math.PI ** 4 / 5, 1e-14, 0)
    expectClose(derivative(sinc, 6)(0), -(Math.PI ** 6) / 7, 1e-13, 0)
    expect(derivative(sinc, 3)(0)).toBe(0)
    // just off 0 the quotient's derivative would cancel catastrophically; here it is −π²x/3
    expectClose(grad(sinc)(1e-9), (-(Math.PI ** 2) / 3) * 1e-9, 1e-8, 0)
  })

  it('has the quotient’s derivative away from 0', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 20, noNaN: true }), (x) => {
        const u = Math.PI * x
        const expected = (Math.cos(u) - Math.sin(u) / u) / x
        expectClose(grad(sinc)(x), expected, 1e-12, 1e-14)
      }),
    )
    checkUnary(sinc, [-2.7, -0.3, 0, 0.05, 1, 3.5])
  })
})

describe('deg2rad, rad2deg', () => {
  it('are NumPy’s products and linear', () => {
    expect(deg2rad(180)).toBe(Math.PI)
    expect(rad2deg(Math.PI)).toBe(180)
    expect(deg2rad(tensor([90])).toArray()).toEqual([90 * (Math.PI / 180)])
    expect(grad(deg2rad)(3)).toBe(Math.PI / 180)
    expect(grad(grad(rad2deg))(3)).toBe(0)
  })
})

describe('hypot', () => {
  it('does not overflow or underflow', () => {
    expect(hypot(3, 4)).toBe(5)
    expectClose(hypot(1e300, 1e300), Math.SQRT2 * 1e300, 1e-15, 0)
    expectClose(hypot(3e-300, 4e-300), 5e-300, 1e-15, 0)
    expect(hypot(Infinity, Number.NaN)).toBe(Infinity)
    expectClose(
      hypot(tensor([3, 5]), tensor([[4], [12]])),
      [
        [5, Math.hypot(5, 4)],
        [Math.hypot(3, 12), 13],
      ],
      1e-15,
      0,
    )
  })

  it('has derivative (a, b)/h, and 0 at the origin, to every order (abs′(0) = 0)', () => {
    expectClose(grad((a: number) => hypot(a, 4))(3), 0.6, 1e-15, 0)
    expectClose(grad((b: number) => hypot(3, b))(4), 0.8, 1e-15, 0)
    expect(grad((a: number) => hypot(a, 0))(0)).toBe(0)
    expect(grad(grad((a: number) => hypot(a, 0)))(0)).toBe(0)
    expect(derivative((a: number) => hypot(a, 0), 3)(0)).toBe(0)
    // hypot(x, 0) = |x|: the same derivative as abs on both sides
    expect(grad((a: number) => hypot(a, 0))(-2)).toBe(-1)
    checkBinary(hypot as BinaryOp, [
      [3, 4],
      [-1.5, 0.2],
      [0.7, -2],
    ])
  })
})

describe('logaddexp, logaddexp2', () => {
  it('are stable and exact at equal infinities', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -30, max: 30, noNaN: true }),
        fc.double({ min: -30, max: 30, noNaN: true }),
        (a, b) => {
          expectClose(logaddexp(a, b), Math.log(Math.exp(a) + Math.exp(b)), 1e-14, 1e-14)
          expectClose(logaddexp2(a, b), Math.log2(2 ** a + 2 ** b), 1e-14, 1e-14)
        },
      ),
    )
    expectClose(logaddexp(1000, 1000), 1000 + Math.LN2, 1e-15, 0)
    expect(logaddexp(-Infinity, -Infinity)).toBe(-Infinity)
    expect(logaddexp(Infinity, Infinity)).toBe(Infinity)
    expect(logaddexp(Infinity, -Infinity)).toBe(Infinity)
    expect(logaddexp(-Infinity, 3)).toBe(3)
    expect(logaddexp2(3, 3)).toBe(4)
    expect(logaddexp2(-Infinity, -Infinity)).toBe(-Infinity)
    expect(logaddexp(Number.NaN, 1)).toBeNaN()
  })

  it('have softmax derivatives, ½ and ½ at equal infinities', () => {
    const dA = (a: number, b: number) => grad((x: number) => logaddexp(x, b))(a)
    expectClose(dA(1, 2), logistic(-1), 1e-15, 0)
    expect(dA(Infinity, Infinity)).toBe(0.5)
    expect(dA(-Infinity, -Infinity)).toBe(0.5)
    expect(dA(Infinity, 5)).toBe(1)
    expect(dA(-Infinity, 5)).toBe(0)
    // at a finite tie the second derivative is σ′(0) = ¼ (no constant branch there)
    expectClose(grad(grad((x: number) => logaddexp(x, 2)))(2), 0.25, 1e-15, 0)
    expectClose(grad((x: number) => logaddexp2(x, 1))(3), 0.8, 1e-15, 0)
    checkBinary(logaddexp as BinaryOp, [
      [1, 2],
      [-3, 0.5],
      [2, 2],
    ])
    checkBinary(logaddexp2 as BinaryOp, [[0.3, -1]])
  })
})

describe('remainder, mod, fmod, floorDivide', () => {
  it('follow NumPy’s float semantics', () => {
    const rows: [number, number, number, number, number][] = [
      // a, b, remainder, fmod, floorDivide
      [-1, 3, 2, -1, -1],
      [1, -3, -2, 1, -1],
      [5.5, 2, 1.5, 1.5, 2],
      [-5.5, 2, 0.5, -1.5, -3],
      [7, 3, 1, 1, 2],
      [-7, 2, 1, -1, -4],
    ]
    for (const [a, b, r, f, q] of rows) {
      expect(remainder(a, b)).toBe(r)
      expect(mod(a, b)).toBe(r)
      expect(fmod(a, b)).toBe(f)
      expect(floorDivide(a, b)).toBe(q)
    }
    // a zero remainder takes the divisor's sign; b = 0 gives NaN and a/b
    expect(Object.is(remainder(-4, 2), 0)).toBe(true)
    expect(Object.is(remainder(4, -2), -0)).toBe(true)
    expect(remainder(1, 0)).toBeNaN()
    expect(remainder(Infinity, 2)).toBeNaN()
    expect(floorDivide(1, 0)).toBe(Infinity)
    expect(floorDivide(0, 0)).toBeNaN()
    expect(Object.is(floorDivide(-0, 5), -0)).toBe(true)
    expect(remainder(tensor([-1, 4]), 3).toArray()).toEqual([2, 1])
  })

  it('satisfy a = floorDivide(a, b)·b + remainder(a, b)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.boolean(),
        (a, b0, negative) => {
          const b = negative ? -b0 : b0
          const r = remainder(a, b)
          expect(Math.abs(r)).toBeLessThanOrEqual(Math.abs(b))
          expect(r === 0 || Math.sign(r) === Math.sign(b)).toBe(true)
          expectClose(floorDivide(a, b) * b + r, a, 1e-12, 1e-9)
          expectClose(fmod(a, b), a % b, 0, 0)
        },
      ),
    )
  })

  it('have JAX’s derivatives: 1 in a; −⌊a/b⌋ (remainder) or −trunc(a/b) (fmod) in b', () => {
    expect(grad((a: number) => remainder(a, 3))(-1)).toBe(1)
    expect(grad((b: number) => remainder(-7, b))(2)).toBe(4)
    expect(grad((b: number) => fmod(-7, b))(2)).toBe(3)
    expect(grad((a: number) => floorDivide(a, 3))(-1)).toBe(0)
    expect(grad(grad((b: number) => remainder(5.5, b)))(2)).toBe(0)
    checkBinary(remainder as BinaryOp, [
      [-1.3, 1.1],
      [1.7, -1.2],
    ])
    checkBinary(fmod as BinaryOp, [
      [-1.4, 1.1],
      [0.6, -1.2],
    ])
  })
})

describe('copysign, heaviside', () => {
  it('take the sign bit of b; heaviside is NumPy’s step', () => {
    expect(copysign(3, -0)).toBe(-3)
    expect(copysign(-3, 0)).toBe(3)
    expect(copysign(-2, Infinity)).toBe(2)
    expect(copysign(tensor([1, -2]), tensor([-1, 1])).toArray()).toEqual([-1, 2])
    expect(heaviside(-2, 0.5)).toBe(0)
    expect(heaviside(0, 0.5)).toBe(0.5)
    expect(heaviside(3, 0.5)).toBe(1)
    expect(heaviside(Number.NaN, 0.5)).toBeNaN()
    expect(heaviside(tensor([-1, 0, 1]), 0.25).toArray()).toEqual([0, 0.25, 1])
  })

  it('have JAX’s derivatives', () => {
    expect(grad((a: number) => copysign(a, -1))(2)).toBe(-1)
    expect(grad((a: number) => copysign(a, -1))(-2)).toBe(1)
    expect(grad((a: number) => copysign(a, 1))(0)).toBe(0)
    expect(grad((b: number) => copysign(2, b))(-1)).toBe(0)
    expect(grad((x: number) => heaviside(x, 0.5))(0)).toBe(0)
    expect(grad((v: number) => heaviside(0, v))(0.5)).toBe(1)
    expect(grad((v: number) => heaviside(2, v))(0.5)).toBe(0)
    checkBinary(copysign as BinaryOp, [
      [1.5, -2],
      [-0.7, 3],
    ])
  })
})

describe('xlogy, xlog1py', () => {
  it('are 0 where x = 0, whatever y is (JAX)', () => {
    expect(xlogy(0, 0)).toBe(0)
    expect(xlogy(0, Infinity)).toBe(0)
    expect(xlogy(0, Number.NaN)).toBe(0)
    expectClose(xlogy(2, Math.E), 2, 1e-15, 0)
    expect(xlog1py(0, -1)).toBe(0)
    expectClose(xlog1py(3, 1e-20), 3e-20, 1e-15, 0)
    expect(xlogy(tensor([0, 1]), tensor([0, 1])).toArray()).toEqual([0, 0])
  })

  it('differentiate: log y in x, x/y in y', () => {
    expectClose(grad((x: number) => xlogy(x, 3))(0), Math.log(3), 1e-15, 0)
    expect(grad((y: number) => xlogy(0, y))(0)).toBe(0)
    expectClose(grad((y: number) => xlog1py(2, y))(1), 1, 1e-15, 0)
    checkBinary(xlogy as BinaryOp, [[0.7, 2.5]])
    checkBinary(xlog1py as BinaryOp, [[-1.2, 0.3]])
  })
})

describe('transformations together', () => {
  it('compose: hessian and jvp of a loss built from the new ops', () => {
    const loss = (v: Tensor) => sum(logaddexp(log2(hypot(v, 1)), sinc(v)))
    const x = tensor([0.3, -1.2, 2])
    const h = hessian(loss)(x) as Tensor
    const off = [h.data[1]!, h.data[2]!, h.data[3]!, h.data[5]!, h.data[6]!, h.data[7]!]
    expect(off.every((v) => v === 0)).toBe(true)
    const [, tangent] = jvp(loss, [x], [tensor([1, 0, 0])])
    expectClose(tangent, (grad(loss)(x) as Tensor).data[0]!, 1e-14, 0)
  })

  it('refuses shapes that do not broadcast', () => {
    expect(() => hypot(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(ShapeError)
    expect(() => remainder(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(ShapeError)
  })
})
