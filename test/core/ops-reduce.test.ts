/**
 * Reductions — `sum mean max min prod logSumExp` — over all axes, one axis, a negative axis and
 * with `keepdims`: values worked out by hand on a 2×3 tensor, and derivatives in reverse mode
 * (`grad`, `vjp`) and forward mode (`jvp`) against the hand-derived rules (ones, 1/n, one-hot
 * with even tie splitting, products of the other entries, softmax).
 */
import {
  grad,
  jvp,
  logSumExp,
  max,
  mean,
  min,
  mul,
  prod,
  sum,
  type Tensor,
  tensor,
  vjp,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose, expectNumber, expectTensor } from '../helpers.ts'

// X = [[1, −2, 3], [4, 0.5, −6]]
const X = tensor([
  [1, -2, 3],
  [4, 0.5, -6],
])
const xs = [1, -2, 3, 4, 0.5, -6]
const T = tensor([
  [0.5, 1, -1],
  [2, -0.25, 0.75],
])
const ts = [0.5, 1, -1, 2, -0.25, 0.75]
const lse = (v: readonly number[]) => Math.log(v.reduce((s, x) => s + Math.exp(x), 0))
const softmax = (v: readonly number[]) => v.map((x) => Math.exp(x - lse(v)))
const dotWith = (g: readonly number[]) => g.reduce((s, gi, i) => s + gi * ts[i]!, 0)

type Axis = number | number[] | null
type Reduce = {
  (x: number): number
  (x: Tensor, axis?: Axis, options?: { keepdims?: boolean }): Tensor
}
interface ReduceCase {
  readonly name: string
  readonly op: Reduce
  /** Values over all axes, axis 0, axis 1. */
  readonly all: number
  readonly axis0: readonly number[]
  readonly axis1: readonly number[]
  /** Gradient of the full reduction at X, row-major. */
  readonly gradAll: readonly number[]
  /** Pullback over axis 1 of the cotangent [1, −2], row-major. */
  readonly pullAxis1: readonly number[]
  /** Tangent output over axis 0 for the tangent T. */
  readonly jvpAxis0: readonly number[]
}

const cases: readonly ReduceCase[] = [
  {
    name: 'sum',
    op: sum as Reduce,
    all: 0.5,
    axis0: [5, -1.5, -3],
    axis1: [2, -1.5],
    gradAll: [1, 1, 1, 1, 1, 1],
    pullAxis1: [1, 1, 1, -2, -2, -2],
    jvpAxis0: [2.5, 0.75, -0.25],
  },
  {
    name: 'mean',
    op: mean as Reduce,
    all: 0.5 / 6,
    axis0: [2.5, -0.75, -1.5],
    axis1: [2 / 3, -0.5],
    gradAll: xs.map(() => 1 / 6),
    pullAxis1: [1 / 3, 1 / 3, 1 / 3, -2 / 3, -2 / 3, -2 / 3],
    jvpAxis0: [1.25, 0.375, -0.125],
  },
  {
    name: 'max',
    op: max as Reduce,
    all: 4,
    axis0: [4, 0.5, 3],
    axis1: [3, 4],
    gradAll: [0, 0, 0, 1, 0, 0],
    pullAxis1: [0, 0, 1, -2, 0, 0],
    jvpAxis0: [2, -0.25, -1], // T at the column maxima (rows 1, 1, 0)
  },
  {
    name: 'min',
    op: min as Reduce,
    all: -6,
    axis0: [1, -2, -6],
    axis1: [-2, -6],
    gradAll: [0, 0, 0, 0, 0, 1],
    pullAxis1: [0, 1, 0, 0, 0, -2],
    jvpAxis0: [0.5, 1, 0.75], // T at the column minima (rows 0, 0, 1)
  },
  {
    name: 'prod',
    op: prod as Reduce,
    all: 72,
    axis0: [4, -1, -18],
    axis1: [-6, -12],
    gradAll: xs.map((x) => 72 / x),
    pullAxis1: [-6, 3, -2, -2 * -3, -2 * -24, -2 * 2],
    // d(x₀ⱼx₁ⱼ) = t₀ⱼx₁ⱼ + x₀ⱼt₁ⱼ
    jvpAxis0: [0.5 * 4 + 1 * 2, 1 * 0.5 + -2 * -0.25, -1 * -6 + 3 * 0.75],
  },
  {
    name: 'logSumExp',
    op: logSumExp as Reduce,
    all: lse(xs),
    axis0: [lse([1, 4]), lse([-2, 0.5]), lse([3, -6])],
    axis1: [lse([1, -2, 3]), lse([4, 0.5, -6])],
    gradAll: softmax(xs),
    pullAxis1: [...softmax([1, -2, 3]), ...softmax([4, 0.5, -6]).map((s) => -2 * s)],
    jvpAxis0: [
      [1, 4, 0.5, 2],
      [-2, 0.5, 1, -0.25],
      [3, -6, -1, 0.75],
    ].map(([x0, x1, t0, t1]) => {
      const [s0, s1] = softmax([x0!, x1!])
      return s0! * t0! + s1! * t1!
    }),
  },
]

describe.each(cases)('$name', ({ op, all, axis0, axis1, gradAll, pullAxis1, jvpAxis0 }) => {
  it('reduces over all axes, an axis, a negative axis, with keepdims', () => {
    expectClose(expectTensor(op(X), []), all, 1e-14)
    expectClose(op(X, null), all, 1e-14)
    expectClose(op(X, [0, 1]), all, 1e-14)
    expectClose(op(X, 0), tensor([...axis0]), 1e-14)
    expectClose(op(X, 1), tensor([...axis1]), 1e-14)
    expectClose(op(X, -1), tensor([...axis1]), 1e-14)
    expectClose(op(X, 1, { keepdims: true }), tensor([...axis1], [2, 1]), 1e-14)
    expectClose(op(X, undefined, { keepdims: true }), tensor([all], [1, 1]), 1e-14)
  })

  it('a number reduces to itself, as a number, with derivative 1', () => {
    expect(op(2.5)).toBe(2.5)
    expect(grad((x: number) => op(x))(2.5)).toBe(1)
  })

  it('grad of the full reduction', () => {
    expectClose(grad((x: Tensor) => op(x))(X), tensor([...gradAll], [2, 3]))
  })

  it('vjp over one axis', () => {
    const [y, pullback] = vjp((x: Tensor) => op(x, 1), X)
    expectClose(y, tensor([...axis1]), 1e-14)
    expectClose(pullback(tensor([1, -2]))[0], tensor([...pullAxis1], [2, 3]))
  })

  it('jvp of the full reduction is ⟨gradient, tangent⟩', () => {
    const [y, yDot] = jvp((x: Tensor) => op(x), [X], [T])
    expectClose(y, all, 1e-14)
    expectClose(yDot, dotWith(gradAll))
  })

  it('jvp over axis 0', () => {
    expectClose(jvp((x: Tensor) => op(x, 0), [X], [T])[1], tensor([...jvpAxis0]))
  })
})

describe('reduction derivatives at special points', () => {
  it('max and min split the derivative evenly among tied entries', () => {
    expectClose(grad((x: Tensor) => max(x))(tensor([1, 3, 3])), tensor([0, 0.5, 0.5]))
    expectClose(grad((x: Tensor) => min(x))(tensor([2, 2, 2, 5])), tensor([1 / 3, 1 / 3, 1 / 3, 0]))
    expectClose(jvp((x: Tensor) => max(x), [tensor([3, 1, 3])], [tensor([1, 7, 3])])[1], 2)
  })

  it('prod has the exact gradient Πⱼ≠ᵢ xⱼ where entries are zero', () => {
    expectClose(grad((x: Tensor) => prod(x))(tensor([2, 0, 3])), tensor([0, 6, 0]))
    expectClose(grad((x: Tensor) => prod(x))(tensor([0, 5, 0])), tensor([0, 0, 0]))
    expectClose(
      grad((x: Tensor) => prod(x))(tensor([1.5, -2, 3, 0.5, 4])),
      tensor([-12, 9, -6, -36, -4.5]),
    )
  })

  it('logSumExp is finite with a softmax gradient at ±1000', () => {
    expectClose(logSumExp(tensor([1000, 1000])), 1000 + Math.LN2, 1e-15)
    expectClose(logSumExp(tensor([-1000, -1000])), -1000 + Math.LN2, 1e-15)
    expectClose(grad((x: Tensor) => logSumExp(x))(tensor([1000, 1000])), tensor([0.5, 0.5]))
    expectClose(grad((x: Tensor) => logSumExp(x))(tensor([-1000, 0])), tensor([0, 1]))
  })

  it('mean over an axis divides by that axis only', () => {
    const g = grad((x: Tensor) => sum(mul(mean(x, 0), tensor([1, 2, 3]))))(X)
    expectClose(
      g,
      tensor([
        [0.5, 1, 1.5],
        [0.5, 1, 1.5],
      ]),
    )
    expectNumber(grad((x: number) => mean(x))(3))
  })
})
