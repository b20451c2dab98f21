/**
 * Shape ops: `reshape transpose broadcastTo slice pad concat stack expandDims squeeze index
 * flatten`. They are linear, so each case gives its value, one cotangent ȳ with its pullback
 * worked out by hand (the transpose), and checks `vjp`, `grad` of ⟨f(x), ȳ⟩ and `jvp` (whose
 * tangent output for tangent x is the op applied to x — padded with zeros, not the pad value,
 * for `pad`). Tensors are written as a shape and their row-major data. All results are exact.
 */
import {
  broadcastTo,
  concat,
  expandDims,
  flatten,
  grad,
  index,
  jvp,
  mul,
  pad,
  reshape,
  slice,
  squeeze,
  stack,
  sum,
  type Tensor,
  tensor,
  transpose,
  vjp,
  zeros,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose, type Numeric } from '../helpers.ts'

/** A tensor from its shape and row-major data. */
const m = (shape: readonly number[], ...data: number[]): Tensor => tensor(data, shape)
const exact = (actual: unknown, expected: Numeric) => expectClose(actual, expected, 0, 0)

const X = m([2, 3], 1, 2, 3, 4, 5, 6)
const ramp = (k: number, shape: readonly number[]) =>
  m(shape, ...Array.from({ length: k }, (_, i) => i))

interface LinearCase {
  readonly name: string
  readonly f: (x: Tensor) => Tensor
  readonly x: Tensor
  readonly y: Tensor
  readonly yBar: Tensor
  /** The pullback of yBar, by hand. */
  readonly xBar: Tensor
  /** The tangent output for tangent x, when it differs from y. */
  readonly yDot?: Tensor
}

const cases: readonly LinearCase[] = [
  {
    name: 'reshape [3, 2]',
    f: (x) => reshape(x, [3, 2]),
    ...{ x: X, y: m([3, 2], 1, 2, 3, 4, 5, 6) },
    ...{ yBar: m([3, 2], 1, -1, 2, -2, 3, -3), xBar: m([2, 3], 1, -1, 2, -2, 3, -3) },
  },
  {
    name: 'reshape [-1]',
    f: (x) => reshape(x, [-1]),
    ...{ x: X, y: m([6], 1, 2, 3, 4, 5, 6) },
    ...{ yBar: m([6], 6, 5, 4, 3, 2, 1), xBar: m([2, 3], 6, 5, 4, 3, 2, 1) },
  },
  {
    name: 'transpose (default: reversed axes)',
    f: (x) => transpose(x),
    ...{ x: X, y: m([3, 2], 1, 4, 2, 5, 3, 6) },
    ...{ yBar: m([3, 2], 1, 2, 3, 4, 5, 6), xBar: m([2, 3], 1, 3, 5, 2, 4, 6) },
  },
  {
    // out[k][0][j] = x[0][j][k]
    name: 'transpose [2, 0, 1]',
    f: (x) => transpose(x, [2, 0, 1]),
    ...{ x: m([1, 2, 3], 1, 2, 3, 4, 5, 6), y: m([3, 1, 2], 1, 4, 2, 5, 3, 6) },
    ...{ yBar: m([3, 1, 2], 1, 2, 3, 4, 5, 6), xBar: m([1, 2, 3], 1, 3, 5, 2, 4, 6) },
  },
  {
    name: 'broadcastTo a new leading axis',
    f: (x) => broadcastTo(x, [2, 3]),
    ...{ x: m([3], 1, 2, 3), y: m([2, 3], 1, 2, 3, 1, 2, 3) },
    ...{ yBar: m([2, 3], 1, 2, 3, 4, 5, 6), xBar: m([3], 5, 7, 9) },
  },
  {
    name: 'broadcastTo along a size-1 axis',
    f: (x) => broadcastTo(x, [2, 3]),
    ...{ x: m([2, 1], 1, 2), y: m([2, 3], 1, 1, 1, 2, 2, 2) },
    ...{ yBar: m([2, 3], 1, 2, 3, 4, 5, 6), xBar: m([2, 1], 6, 15) },
  },
  {
    name: 'slice with a step',
    f: (x) => slice(x, [2], [9], [3]),
    ...{ x: ramp(10, [10]), y: m([3], 2, 5, 8) },
    ...{ yBar: m([3], 1, 2, 3), xBar: m([10], 0, 0, 1, 0, 0, 2, 0, 0, 3, 0) },
  },
  {
    name: 'slice of two axes',
    f: (x) => slice(x, [0, 1], [2, 3]),
    ...{ x: X, y: m([2, 2], 2, 3, 5, 6) },
    ...{ yBar: m([2, 2], 1, 2, 3, 4), xBar: m([2, 3], 0, 1, 2, 0, 3, 4) },
  },
  {
    name: 'slice from a negative start, trailing axis whole',
    f: (x) => slice(x, [-1]),
    ...{ x: X, y: m([1, 3], 4, 5, 6) },
    ...{ yBar: m([1, 3], 1, 2, 3), xBar: m([2, 3], 0, 0, 0, 1, 2, 3) },
  },
  {
    name: 'pad with a value',
    f: (x) => pad(x, [[1, 2]], 9),
    ...{ x: m([2], 1, 2), y: m([5], 9, 1, 2, 9, 9), yDot: m([5], 0, 1, 2, 0, 0) },
    ...{ yBar: m([5], 1, 2, 3, 4, 5), xBar: m([2], 2, 3) },
  },
  {
    name: 'pad every side by 1',
    f: (x) => pad(x, 1),
    ...{ x: X, y: m([4, 5], ...[0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0]) },
    ...{ yBar: ramp(20, [4, 5]), xBar: m([2, 3], 6, 7, 8, 11, 12, 13) },
  },
  {
    name: 'expandDims',
    f: (x) => expandDims(x, 1),
    ...{ x: X, y: m([2, 1, 3], 1, 2, 3, 4, 5, 6) },
    ...{ yBar: m([2, 1, 3], 1, 0, 1, 0, 2, 0), xBar: m([2, 3], 1, 0, 1, 0, 2, 0) },
  },
  {
    name: 'squeeze every size-1 axis',
    f: (x) => squeeze(x),
    ...{ x: m([1, 2, 1], 1, 2), y: m([2], 1, 2) },
    ...{ yBar: m([2], 3, -4), xBar: m([1, 2, 1], 3, -4) },
  },
  {
    name: 'squeeze axis 0',
    f: (x) => squeeze(x, 0),
    ...{ x: m([1, 2, 1], 1, 2), y: m([2, 1], 1, 2) },
    ...{ yBar: m([2, 1], 3, -4), xBar: m([1, 2, 1], 3, -4) },
  },
  {
    name: 'index a row',
    f: (x) => index(x, 1),
    ...{ x: X, y: m([3], 4, 5, 6) },
    ...{ yBar: m([3], 1, 2, 3), xBar: m([2, 3], 0, 0, 0, 1, 2, 3) },
  },
  {
    name: 'index column -1',
    f: (x) => index(x, -1, 1),
    ...{ x: X, y: m([2], 3, 6) },
    ...{ yBar: m([2], 1, 2), xBar: m([2, 3], 0, 0, 1, 0, 0, 2) },
  },
  {
    name: 'flatten',
    f: (x) => flatten(x),
    ...{ x: X, y: m([6], 1, 2, 3, 4, 5, 6) },
    ...{ yBar: m([6], 1, 0, 2, 0, 3, 0), xBar: m([2, 3], 1, 0, 2, 0, 3, 0) },
  },
]

describe.each(cases)('$name', ({ f, x, y, yBar, xBar, yDot }) => {
  it('value', () => exact(f(x), y))

  it('vjp applies the transpose', () => {
    const [out, pullback] = vjp(f, x)
    exact(out, y)
    exact(pullback(yBar)[0], xBar)
  })

  it('grad of ⟨f(x), ȳ⟩ is the transpose applied to ȳ', () => {
    exact(grad((v: Tensor) => sum(mul(f(v), yBar)))(x), xBar)
  })

  it('jvp applies the op to the tangent', () => {
    exact(jvp(f, [x], [x])[1], yDot ?? y)
  })
})

describe('concat and stack', () => {
  const a = m([1, 2], 1, 2)
  const b = m([2, 2], 3, 4, 5, 6)
  const column = m([2, 1], 1, 2)

  it('concat along axes 0, 1 and -1; stack along a new axis', () => {
    exact(concat([a, b]), m([3, 2], 1, 2, 3, 4, 5, 6))
    exact(concat([column, b], 1), m([2, 3], 1, 3, 4, 2, 5, 6))
    exact(concat([column, b], -1), m([2, 3], 1, 3, 4, 2, 5, 6))
    exact(stack([m([2], 1, 2), m([2], 3, 4)]), m([2, 2], 1, 2, 3, 4))
    exact(stack([m([2], 1, 2), m([2], 3, 4)], 1), m([2, 2], 1, 3, 2, 4))
  })

  it('concat pulls the cotangent back in pieces, in both modes', () => {
    const f = (p: Tensor, q: Tensor) => concat([p, q])
    const [, pullback] = vjp(f, a, b)
    const [aBar, bBar] = pullback(m([3, 2], 1, 2, 3, 4, 5, 6))
    exact(aBar, m([1, 2], 1, 2))
    exact(bBar, m([2, 2], 3, 4, 5, 6))
    exact(jvp(f, [a, b], [m([1, 2], 7, 8), zeros([2, 2])])[1], m([3, 2], 7, 8, 0, 0, 0, 0))
    // a constant piece contributes no tangent and takes no cotangent
    const w = m([3, 2], 1, 1, 1, 1, 2, -3)
    exact(grad((p: Tensor) => sum(mul(concat([b, p]), w)))(a), m([1, 2], 2, -3))
  })

  it('stack pulls back along the new axis', () => {
    const f = (p: Tensor, q: Tensor) => stack([p, q], 1)
    const [, pullback] = vjp(f, m([2], 1, 2), m([2], 3, 4))
    const [pBar, qBar] = pullback(m([2, 2], 1, 2, 3, 4))
    exact(pBar, m([2], 1, 3))
    exact(qBar, m([2], 2, 4))
  })

  it('numbers become tensors; their gradients are numbers again', () => {
    exact(broadcastTo(2, [2, 2]), m([2, 2], 2, 2, 2, 2))
    expect(grad((v: number) => sum(broadcastTo(v, [2, 2])))(2)).toBe(4)
    exact(expandDims(3, 0), m([1], 3))
    exact(flatten(3), m([1], 3))
    exact(stack([1, 2]), m([2], 1, 2))
    const w = m([2], 2, 3)
    expect(
      grad((a: number, b: number) => sum(mul(stack([a, b]), w)), { argnums: [0, 1] })(1, 1),
    ).toEqual([2, 3])
    exact(jvp((a: number) => stack([a, 5]), [1], [4])[1], m([2], 4, 0))
  })

  it('a reshaped number is a tensor; its gradient is a number again', () => {
    exact(reshape(3, [1, 1]), m([1, 1], 3))
    expect(grad((v: number) => sum(reshape(v, [1, 1])))(3)).toBe(1)
    exact(jvp((v: number) => sum(reshape(v, [1, 1])), [3], [2])[1], 2)
  })
})
