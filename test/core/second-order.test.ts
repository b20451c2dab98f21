/**
 * Second and higher derivatives. Every smooth unary op, differentiated twice under each pairing
 * of modes — grad∘grad, jvp∘grad, grad∘jvp, jvp∘jvp — against its hand-derived f″, on numbers
 * and (as a Hessian-vector product of Σ f(xᵢ)) on tensors. Then the TensorFlow.js regressions
 * (second derivatives of e^(sin x)·x, tanh, exp, logistic that TF.js got wrong) and high orders:
 * the sixth derivative of sin is −sin, the eighth of exp is exp.
 */
import {
  acos,
  asin,
  atan,
  cos,
  cosh,
  erf,
  exp,
  expm1,
  grad,
  jvp,
  log,
  log1p,
  logistic,
  mul,
  neg,
  sin,
  sinh,
  softplus,
  sqrt,
  square,
  sum,
  type Tensor,
  tan,
  tanh,
  tensor,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

type Fn = (x: number) => number
type UnaryOp = { (x: number): number; (x: Tensor): Tensor }

/** Derivative of a scalar function by reverse mode. */
const dRev =
  (f: Fn): Fn =>
  (x) =>
    grad(f)(x)
/** Derivative of a scalar function by forward mode. */
const dFwd =
  (f: Fn): Fn =>
  (x) =>
    jvp(f, [x], [1])[1]

const nestings: readonly (readonly [string, (f: Fn) => Fn])[] = [
  ['grad∘grad', (f) => dRev(dRev(f))],
  ['jvp∘grad', (f) => dFwd(dRev(f))],
  ['grad∘jvp', (f) => dRev(dFwd(f))],
  ['jvp∘jvp', (f) => dFwd(dFwd(f))],
]

const sigma = (x: number) => 1 / (1 + Math.exp(-x))
const general = [-1.3, -0.4, 0.6, 1.1]
const inUnit = [-0.8, -0.2, 0.3, 0.7]

interface Case {
  readonly name: string
  readonly op: UnaryOp
  readonly d2: (x: number) => number
  readonly at: readonly number[]
}

const cases: readonly Case[] = [
  { name: 'neg', op: neg, d2: () => 0, at: general },
  { name: 'exp', op: exp, d2: Math.exp, at: general },
  { name: 'log', op: log, d2: (x) => -1 / (x * x), at: [0.3, 1, 2.5] },
  { name: 'log1p', op: log1p, d2: (x) => -1 / (1 + x) ** 2, at: [-0.5, 0, 1.7] },
  { name: 'expm1', op: expm1, d2: Math.exp, at: general },
  { name: 'sqrt', op: sqrt, d2: (x) => -0.25 * x ** -1.5, at: [0.25, 1, 2, 9] },
  { name: 'square', op: square, d2: () => 2, at: general },
  {
    name: 'logistic',
    op: logistic,
    d2: (x) => sigma(x) * (1 - sigma(x)) * (1 - 2 * sigma(x)),
    at: general,
  },
  { name: 'softplus', op: softplus, d2: (x) => sigma(x) * (1 - sigma(x)), at: general },
  {
    name: 'erf',
    op: erf,
    d2: (x) => ((-4 * x) / Math.sqrt(Math.PI)) * Math.exp(-x * x),
    at: general,
  },
  { name: 'sin', op: sin, d2: (x) => -Math.sin(x), at: general },
  { name: 'cos', op: cos, d2: (x) => -Math.cos(x), at: general },
  { name: 'tan', op: tan, d2: (x) => (2 * Math.tan(x)) / Math.cos(x) ** 2, at: general },
  { name: 'asin', op: asin, d2: (x) => x / (1 - x * x) ** 1.5, at: inUnit },
  { name: 'acos', op: acos, d2: (x) => -x / (1 - x * x) ** 1.5, at: inUnit },
  { name: 'atan', op: atan, d2: (x) => (-2 * x) / (1 + x * x) ** 2, at: general },
  { name: 'sinh', op: sinh, d2: Math.sinh, at: general },
  { name: 'cosh', op: cosh, d2: Math.cosh, at: general },
  {
    name: 'tanh',
    op: tanh,
    d2: (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2),
    at: general,
  },
]

describe.each(cases)("$name''", ({ op, d2, at }) => {
  it.each(nestings)('%s matches the formula at each point', (_name, twice) => {
    const f2 = twice((x) => op(x))
    for (const x of at) expectClose(f2(x), d2(x), 1e-11, 1e-12)
  })

  it('on a tensor: the Hessian-vector product of Σ f(xᵢ) is f″(x)·v', () => {
    const v = [0.5, -1, 2, 0.25].slice(0, at.length)
    const g = (x: Tensor) => grad((t: Tensor) => sum(op(t)))(x)
    const [, hv] = jvp(g, [tensor([...at])], [tensor(v)])
    expectClose(hv, tensor(at.map((x, i) => d2(x) * v[i]!)), 1e-11, 1e-12)
  })
})

describe('TensorFlow.js second-derivative regressions', () => {
  // f = e^(sin x)·x; f′ = e^(sin x)(x cos x + 1); f″ = e^(sin x)[(cos²x − sin x)·x + 2 cos x]
  const f = (x: number) => mul(exp(sin(x)), x)
  const f2 = (x: number) =>
    Math.exp(Math.sin(x)) * ((Math.cos(x) ** 2 - Math.sin(x)) * x + 2 * Math.cos(x))

  it.each(nestings)("(e^(sin x)·x)'' at 0.7 is 2.834… under %s", (_name, twice) => {
    const y = twice(f)(0.7)
    expectClose(y, f2(0.7), 1e-12)
    expect(y).toBeCloseTo(2.834, 3)
  })

  it.each(nestings)(
    "tanh'' = −2 tanh (1 − tanh²), exp'' = exp, logistic'' under %s",
    (_n, twice) => {
      for (const x of [-2, -0.5, 0, 0.5, 2]) {
        const t = Math.tanh(x)
        const s = sigma(x)
        expectClose(twice((v) => tanh(v))(x), -2 * t * (1 - t * t), 1e-12)
        expectClose(twice((v) => exp(v))(x), Math.exp(x), 1e-12)
        expectClose(twice((v) => logistic(v))(x), s * (1 - s) * (1 - 2 * s), 1e-12, 1e-14)
      }
    },
  )
})

describe('high orders', () => {
  const times = (n: number, d: (f: Fn) => Fn, f: Fn): Fn => (n === 0 ? f : d(times(n - 1, d, f)))
  const alternate = (n: number, f: Fn): Fn =>
    n === 0 ? f : (n % 2 === 0 ? dRev : dFwd)(alternate(n - 1, f))

  it('grad⁶ of sin is −sin', () => {
    const d6 = times(6, dRev, (x) => sin(x))
    for (const x of [-1, 0.5, 2]) expectClose(d6(x), -Math.sin(x), 1e-12)
  })

  it('the sixth derivative of sin is −sin with forward mode and with modes alternating', () => {
    for (const x of [-1, 0.5, 2]) {
      expectClose(times(6, dFwd, (v) => sin(v))(x), -Math.sin(x), 1e-12)
      expectClose(alternate(6, (v) => sin(v))(x), -Math.sin(x), 1e-12)
    }
  })

  it('the eighth derivative of exp is exp, in reverse, forward and alternating modes', () => {
    for (const x of [-1, 0, 0.75]) {
      expectClose(times(8, dRev, (v) => exp(v))(x), Math.exp(x), 1e-12)
      expectClose(times(8, dFwd, (v) => exp(v))(x), Math.exp(x), 1e-12)
      expectClose(alternate(8, (v) => exp(v))(x), Math.exp(x), 1e-12)
    }
  })

  it('d⁴/dx⁴ of x⁵ is 120x, and the sixth derivative is exactly 0', () => {
    const p5 = (x: number) => mul(mul(square(square(x)), x), 1)
    expect(times(4, dRev, p5)(1.5)).toBe(180)
    expect(times(6, dRev, p5)(1.5)).toBe(0)
    expect(alternate(5, p5)(1.5)).toBe(120)
  })
})
