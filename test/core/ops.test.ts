/**
 * Elementwise ops — unary, binary, comparisons, `where`, `stopGradient` — at chosen points:
 * values on numbers and tensors against `Math` formulas, and derivatives in reverse mode
 * (`grad`, `vjp`) and forward mode (`jvp`) against hand-derived partials. Reductions, shape ops
 * and linear algebra are in ops-reduce, ops-shape and ops-linalg; the §3 conventions (kinks,
 * ties, zero-preserving products, stability at ±1000) in conventions.test.ts.
 */
import {
  abs,
  acos,
  add,
  asin,
  atan,
  atan2,
  cos,
  cosh,
  div,
  equal,
  erf,
  exp,
  expm1,
  grad,
  greater,
  greaterEqual,
  jvp,
  less,
  lessEqual,
  log,
  log1p,
  logistic,
  maximum,
  minimum,
  mul,
  neg,
  notEqual,
  pow,
  safeMul,
  sign,
  sin,
  sinh,
  softplus,
  sqrt,
  square,
  stopGradient,
  sub,
  type Tensor,
  tan,
  tanh,
  tensor,
  vjp,
  where,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose, expectNumber, expectTensor } from '../helpers.ts'

type UnaryOp = { (x: number): number; (x: Tensor): Tensor }
type BinaryOp = { (a: number, b: number): number; (a: Tensor, b: Tensor): Tensor }

/** erf by its Maclaurin series 2/√π Σ (−1)ⁿ x^(2n+1) / (n!(2n+1)), for |x| ≤ 1.5. */
const erfSeries = (x: number): number => {
  let term = x
  let total = x
  for (let n = 1; n < 80; n++) {
    term *= (-x * x) / n
    total += term / (2 * n + 1)
  }
  return (2 / Math.sqrt(Math.PI)) * total
}
const sigma = (x: number): number => 1 / (1 + Math.exp(-x))
const general = [-1.3, -0.4, 0.6, 1.1]
const tangents = [0.5, -2, 3, 0.25]

interface UnaryCase {
  readonly name: string
  readonly op: UnaryOp
  readonly f: (x: number) => number
  readonly df: (x: number) => number
  readonly at: readonly number[]
}

const unaryCases: readonly UnaryCase[] = [
  { name: 'neg', op: neg, f: (x) => -x, df: () => -1, at: general },
  { name: 'exp', op: exp, f: Math.exp, df: Math.exp, at: general },
  { name: 'log', op: log, f: Math.log, df: (x) => 1 / x, at: [0.3, 1, 2.5, 7] },
  { name: 'log1p', op: log1p, f: Math.log1p, df: (x) => 1 / (1 + x), at: [-0.5, 0, 1e-9, 1.7] },
  { name: 'expm1', op: expm1, f: Math.expm1, df: Math.exp, at: [-1.3, 0, 1e-9, 1.1] },
  { name: 'sqrt', op: sqrt, f: Math.sqrt, df: (x) => 0.5 / Math.sqrt(x), at: [0.25, 1, 2, 9] },
  { name: 'square', op: square, f: (x) => x * x, df: (x) => 2 * x, at: general },
  { name: 'abs', op: abs, f: Math.abs, df: Math.sign, at: general },
  { name: 'sign', op: sign, f: Math.sign, df: () => 0, at: [-2, 0, 0.5, 3] },
  { name: 'logistic', op: logistic, f: sigma, df: (x) => sigma(x) * (1 - sigma(x)), at: general },
  { name: 'softplus', op: softplus, f: (x) => Math.log(1 + Math.exp(x)), df: sigma, at: general },
  {
    name: 'erf',
    op: erf,
    f: erfSeries,
    df: (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x),
    at: general,
  },
  { name: 'sin', op: sin, f: Math.sin, df: Math.cos, at: general },
  { name: 'cos', op: cos, f: Math.cos, df: (x) => -Math.sin(x), at: general },
  { name: 'tan', op: tan, f: Math.tan, df: (x) => 1 / Math.cos(x) ** 2, at: general },
  {
    name: 'asin',
    op: asin,
    f: Math.asin,
    df: (x) => 1 / Math.sqrt(1 - x * x),
    at: [-0.9, 0, 0.3, 0.75],
  },
  {
    name: 'acos',
    op: acos,
    f: Math.acos,
    df: (x) => -1 / Math.sqrt(1 - x * x),
    at: [-0.9, 0, 0.3, 0.75],
  },
  { name: 'atan', op: atan, f: Math.atan, df: (x) => 1 / (1 + x * x), at: general },
  { name: 'sinh', op: sinh, f: Math.sinh, df: Math.cosh, at: general },
  { name: 'cosh', op: cosh, f: Math.cosh, df: Math.sinh, at: general },
  { name: 'tanh', op: tanh, f: Math.tanh, df: (x) => 1 / Math.cosh(x) ** 2, at: general },
  { name: 'stopGradient', op: stopGradient, f: (x) => x, df: () => 0, at: general },
]

describe.each(unaryCases)('$name', ({ op, f, df, at }) => {
  it('value on numbers is a number equal to the formula', () => {
    for (const x of at) expectClose(expectNumber(op(x)), f(x), 1e-13)
  })

  it('value on a tensor is elementwise, shape kept', () => {
    const y = op(tensor([...at], [2, 2]))
    expectTensor(y, [2, 2])
    expectClose(y, tensor(at.map(f), [2, 2]), 1e-13)
  })

  it('grad at each point equals the hand-derived derivative, as a number', () => {
    for (const x of at) expectClose(expectNumber(grad((t: number) => op(t))(x)), df(x))
  })

  it('jvp pushes a number tangent and a tensor tangent', () => {
    for (const x of at) {
      const [y, yDot] = jvp((t: number) => op(t), [x], [-1.5])
      expectClose(y, f(x), 1e-13)
      expectClose(yDot, -1.5 * df(x))
    }
    const [, yDot] = jvp((t: Tensor) => op(t), [tensor([...at])], [tensor(tangents)])
    expectClose(yDot, tensor(at.map((x, i) => df(x) * tangents[i]!)))
  })

  it('vjp pulls a tensor cotangent back', () => {
    const [y, pullback] = vjp((t: Tensor) => op(t), tensor([...at]))
    expectClose(y, tensor(at.map(f)), 1e-13)
    const [xBar] = pullback(tensor(tangents))
    expectClose(xBar, tensor(at.map((x, i) => df(x) * tangents[i]!)))
  })
})

interface BinaryCase {
  readonly name: string
  readonly op: BinaryOp
  readonly f: (a: number, b: number) => number
  readonly da: (a: number, b: number) => number
  readonly db: (a: number, b: number) => number
  readonly at: readonly (readonly [number, number])[]
}

const pairs = [
  [-1.5, 0.5],
  [0.75, -2],
  [2, 3],
  [-0.25, -1],
] as const
const binaryCases: readonly BinaryCase[] = [
  { name: 'add', op: add, f: (a, b) => a + b, da: () => 1, db: () => 1, at: pairs },
  { name: 'sub', op: sub, f: (a, b) => a - b, da: () => 1, db: () => -1, at: pairs },
  { name: 'mul', op: mul, f: (a, b) => a * b, da: (_, b) => b, db: (a) => a, at: pairs },
  {
    name: 'div',
    op: div,
    f: (a, b) => a / b,
    da: (_, b) => 1 / b,
    db: (a, b) => -a / (b * b),
    at: pairs,
  },
  {
    name: 'pow',
    op: pow,
    f: (a, b) => a ** b,
    da: (a, b) => b * a ** (b - 1),
    db: (a, b) => a ** b * Math.log(a),
    at: [
      [0.5, -1.5],
      [1.5, 0.5],
      [2, 3],
      [3, -2],
    ],
  },
  { name: 'safeMul', op: safeMul, f: (a, b) => a * b, da: (_, b) => b, db: (a) => a, at: pairs },
  {
    name: 'maximum',
    op: maximum,
    f: Math.max,
    da: (a, b) => (a > b ? 1 : 0),
    db: (a, b) => (b > a ? 1 : 0),
    at: pairs,
  },
  {
    name: 'minimum',
    op: minimum,
    f: Math.min,
    da: (a, b) => (a < b ? 1 : 0),
    db: (a, b) => (b < a ? 1 : 0),
    at: pairs,
  },
  {
    name: 'atan2',
    op: atan2,
    f: Math.atan2,
    da: (y, x) => x / (x * x + y * y),
    db: (y, x) => -y / (x * x + y * y),
    at: [...pairs, [1, -1], [-1, -1]],
  },
]

describe.each(binaryCases)('$name', ({ op, f, da, db, at }) => {
  const as = tensor(at.map(([a]) => a))
  const bs = tensor(at.map(([, b]) => b))

  it('value on numbers and on tensors', () => {
    for (const [a, b] of at) expectClose(expectNumber(op(a, b)), f(a, b), 1e-13)
    expectClose(op(as, bs), tensor(at.map(([a, b]) => f(a, b))), 1e-13)
  })

  it('grad in both arguments (argnums [0, 1]) equals the partials', () => {
    for (const [a, b] of at) {
      const [ga, gb] = grad((x: number, y: number) => op(x, y), { argnums: [0, 1] })(a, b)
      expectClose(expectNumber(ga), da(a, b))
      expectClose(expectNumber(gb), db(a, b))
    }
  })

  it('jvp is ∂a·ȧ + ∂b·ḃ on numbers and tensors', () => {
    for (const [a, b] of at) {
      const [, yDot] = jvp((x: number, y: number) => op(x, y), [a, b], [0.5, -3])
      expectClose(yDot, 0.5 * da(a, b) - 3 * db(a, b))
    }
    const ta = tensor(at.map((_, i) => tangents[i % 4]!))
    const tb = tensor(at.map((_, i) => -tangents[(i + 1) % 4]!))
    const [, yDot] = jvp((x: Tensor, y: Tensor) => op(x, y), [as, bs], [ta, tb])
    expectClose(
      yDot,
      tensor(at.map(([a, b], i) => da(a, b) * ta.data[i]! + db(a, b) * tb.data[i]!)),
    )
  })

  it('vjp gives ȳ·∂a and ȳ·∂b on tensors', () => {
    const yBar = tensor(at.map((_, i) => tangents[i % 4]!))
    const [, pullback] = vjp((x: Tensor, y: Tensor) => op(x, y), as, bs)
    const [aBar, bBar] = pullback(yBar)
    expectClose(aBar, tensor(at.map(([a, b], i) => yBar.data[i]! * da(a, b))))
    expectClose(bBar, tensor(at.map(([a, b], i) => yBar.data[i]! * db(a, b))))
  })
})

interface ComparisonCase {
  readonly name: string
  readonly op: {
    (a: number, b: number): number
    (a: number | Tensor, b: number | Tensor): number | Tensor
  }
  readonly js: (a: number, b: number) => boolean
}

const comparisons: readonly ComparisonCase[] = [
  { name: 'less', op: less, js: (a, b) => a < b },
  { name: 'lessEqual', op: lessEqual, js: (a, b) => a <= b },
  { name: 'greater', op: greater, js: (a, b) => a > b },
  { name: 'greaterEqual', op: greaterEqual, js: (a, b) => a >= b },
  { name: 'equal', op: equal, js: (a, b) => a === b },
  { name: 'notEqual', op: notEqual, js: (a, b) => a !== b },
]

describe.each(comparisons)('$name', ({ op, js }) => {
  const at = [
    [1, 2],
    [2, 2],
    [3, 2],
    [-0.5, -0.25],
  ] as const

  it('gives 1 or 0 on numbers and elementwise on tensors', () => {
    for (const [a, b] of at) expect(op(a, b)).toBe(js(a, b) ? 1 : 0)
    const y = op(tensor([1, 2, 3]), 2)
    expectClose(y, tensor([1, 2, 3].map((a) => (js(a, 2) ? 1 : 0))), 0, 0)
  })

  it('has zero derivative in both modes', () => {
    const g = grad((a: number, b: number) => mul(op(a, b), 1), { argnums: [0, 1] })(1, 2)
    expect(g).toEqual([0, 0])
    const [, yDot] = jvp((a: number, b: number) => op(a, b), [3, 2], [1, 1])
    expect(yDot).toBe(0)
    // used as a mask, the comparison is a constant factor: d/dx x·[x < 2] = [x < 2]
    expect(grad((x: number) => mul(x, op(x, 2)))(1)).toBe(js(1, 2) ? 1 : 0)
  })
})

describe('where', () => {
  it('selects a where the condition is nonzero, broadcasting three ways', () => {
    expect(where(1, 2, 3)).toBe(2)
    expect(where(0, 2, 3)).toBe(3)
    const y = where(tensor([[1], [0]]), tensor([10, 20]), -1)
    expectClose(
      y,
      tensor([
        [10, 20],
        [-1, -1],
      ]),
      0,
      0,
    )
  })

  it('routes the derivative to the selected branch in both modes', () => {
    const c = tensor([1, 0, 1])
    const f = (a: Tensor, b: Tensor) => where(c, mul(a, a), mul(3, b))
    const a = tensor([1, 2, 3])
    const b = tensor([4, 5, 6])
    const [, pullback] = vjp(f, a, b)
    const [aBar, bBar] = pullback(tensor([1, 1, 1]))
    expectClose(aBar, tensor([2, 0, 6]))
    expectClose(bBar, tensor([0, 3, 0]))
    const [, yDot] = jvp(f, [a, b], [tensor([1, 1, 1]), tensor([1, 1, 1])])
    expectClose(yDot, tensor([2, 3, 6]))
  })
})
