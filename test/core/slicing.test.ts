/**
 * Slices by step, at traced starts, and by segment (issue #14 §1): `slice` with negative steps
 * against NumPy's rules, `flip`, `dynamicSlice`/`dynamicUpdateSlice` with starts that are
 * numbers, tensors, traced under jit (new starts on each call) and batched under vmap, and
 * `segmentSum`/`segmentMax` against plain loops — with their derivatives and named errors.
 */
import fc from 'fast-check'
import {
  add,
  at,
  derivative,
  dynamicSlice,
  dynamicUpdateSlice,
  flip,
  grad,
  hessian,
  IndexError,
  InvalidArgumentError,
  jacfwd,
  jacrev,
  jit,
  max,
  mul,
  type Scalar,
  ShapeError,
  segmentMax,
  segmentSum,
  sin,
  slice,
  stack,
  sum,
  type Tensor,
  tensor,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

/** NumPy's x[start:end:step] on a list, start and end possibly missing. */
const pySlice = (
  xs: readonly number[],
  start: number | undefined,
  end: number | undefined,
  step: number,
) => {
  const n = xs.length
  const norm = (i: number) => (i < 0 ? i + n : i)
  const out: number[] = []
  if (step > 0) {
    const b = start === undefined ? 0 : Math.min(Math.max(norm(start), 0), n)
    const e = end === undefined ? n : Math.min(Math.max(norm(end), 0), n)
    for (let i = b; i < e; i += step) out.push(xs[i]!)
  } else {
    const b = start === undefined ? n - 1 : Math.min(Math.max(norm(start), -1), n - 1)
    const e = end === undefined ? -1 : Math.min(Math.max(norm(end), -1), n - 1)
    for (let i = b; i > e; i += step) out.push(xs[i]!)
  }
  return out
}

describe('slice with negative steps, and flip', () => {
  it('follows NumPy: bounds count from the end and clamp, a missing bound walks to the edge', () => {
    const bound = fc.option(fc.integer({ min: -7, max: 7 }), { nil: undefined })
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        bound,
        bound,
        fc.constantFrom(-3, -2, -1, 1, 2),
        (n, start, end, step) => {
          const xs = Array.from({ length: n }, (_, i) => i + 1)
          expect(slice(tensor(xs, [n]), [start], [end], [step]).toArray()).toEqual(
            pySlice(xs, start, end, step),
          )
        },
      ),
    )
    expect(
      slice(tensor([1, 2, 3]), [Infinity], [Number.NEGATIVE_INFINITY], [-1]).toArray(),
    ).toEqual([3, 2, 1])
  })

  it('differentiates a backwards slice: its transpose reverses and pads back', () => {
    const x = tensor([0.5, 1, -2, 3, 0.25])
    const w = tensor([1, 2, 3])
    const f = (v: Tensor) => sum(mul(slice(v, [4], [undefined], [-2]), w)) as Scalar
    expectClose(grad(f)(x), [3, 0, 2, 0, 1])
    expectClose(
      jacfwd((v: Tensor) => slice(v, [3], [0], [-1]))(x),
      jacrev((v: Tensor) => slice(v, [3], [0], [-1]))(x),
    )
  })

  it('flip reverses the given axes (all by default)', () => {
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expect(flip(m).toArray()).toEqual([
      [6, 5, 4],
      [3, 2, 1],
    ])
    expect(flip(m, 0).toArray()).toEqual([
      [4, 5, 6],
      [1, 2, 3],
    ])
    expect(flip(m, [-1]).toArray()).toEqual([
      [3, 2, 1],
      [6, 5, 4],
    ])
    expectClose(
      grad((v: Tensor) => sum(mul(flip(v), tensor([1, 2]))) as Scalar)(tensor([5, 7])),
      [2, 1],
    )
    expect(() => flip(m, 2)).toThrow(InvalidArgumentError)
  })
})

describe('dynamicSlice and dynamicUpdateSlice', () => {
  const x = tensor([
    [0, 1, 2, 3],
    [4, 5, 6, 7],
    [8, 9, 10, 11],
  ])

  it('take starts as numbers, scalar tensors or one vector, and agree with slice', () => {
    const expected = slice(x, [1, 2], [3, 4]).toArray()
    expect(dynamicSlice(x, [1, 2], [2, 2]).toArray()).toEqual(expected)
    expect(dynamicSlice(x, [tensor(1), 2], [2, 2]).toArray()).toEqual(expected)
    expect(dynamicSlice(x, tensor([1, 2]), [2, 2]).toArray()).toEqual(expected)
    const u = tensor([[-1, -2]])
    const updated = [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, -1, -2, 11],
    ]
    expect(dynamicUpdateSlice(x, u, [2, 1]).toArray()).toEqual(updated)
    expect(dynamicUpdateSlice(x, u, tensor([2, 1])).toArray()).toEqual(updated)
  })

  it('read traced starts: a jit replay and each vmap example slice where their starts say', () => {
    const f = jit((v: Tensor, s: Tensor) => dynamicSlice(v, [s, 0], [2, 4]))
    expect(f(x, tensor(0)).toArray()).toEqual(slice(x, [0], [2]).toArray())
    expect(f(x, tensor(1)).toArray()).toEqual(slice(x, [1], [3]).toArray())
    const g = jit((v: Tensor, s: Tensor) => dynamicUpdateSlice(v, tensor([[7, 7]]), s))
    expect((g(x, tensor([0, 0])).toArray() as number[][])[0]).toEqual([7, 7, 2, 3])
    expect((g(x, tensor([2, 2])).toArray() as number[][])[2]).toEqual([8, 9, 7, 7])
    const windows = vmap((s: Tensor) => dynamicSlice(tensor([0, 1, 2, 3, 4]), [s], [2]))
    expect(windows(tensor([0, 3, 1])).toArray()).toEqual([
      [0, 1],
      [3, 4],
      [1, 2],
    ])
    const both = vmap((v: Tensor, s: Tensor) => dynamicUpdateSlice(v, tensor([9]), [s]))
    expect(
      both(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        tensor([1, 0]),
      ).toArray(),
    ).toEqual([
      [1, 9],
      [9, 4],
    ])
  })

  it('differentiate in x and the update, with traced starts too', () => {
    const w = tensor([
      [1, 2],
      [3, 4],
    ])
    for (const s of [[1, 1], tensor([1, 1])] as const) {
      const f = (v: Tensor) => sum(mul(sin(dynamicSlice(v, s, [2, 2])), w)) as Scalar
      const g = grad(f)(x)
      expect((g.toArray() as number[][])[0]).toEqual([0, 0, 0, 0])
      expectClose(hessian(f)(x), jacfwd(grad(f))(x))
      const h = (v: Tensor, u: Tensor) => sum(mul(dynamicUpdateSlice(v, u, s), x)) as Scalar
      const [vBar, uBar] = grad(h, { argnums: [0, 1] })(x, w)
      expect(vBar.toArray()).toEqual([
        [0, 1, 2, 3],
        [4, 0, 0, 7],
        [8, 0, 0, 11],
      ])
      expect(uBar.toArray()).toEqual([
        [5, 6],
        [9, 10],
      ])
    }
  })

  it('raise IndexError for a window that does not fit (JAX would clamp), eagerly and traced', () => {
    expect(() => dynamicSlice(x, [2, 0], [2, 2])).toThrow(IndexError)
    expect(() => dynamicSlice(x, [-1, 0], [2, 2])).toThrow(/clip the start/)
    expect(() => dynamicSlice(x, [tensor(2), 0], [2, 2])).toThrow(IndexError)
    expect(() => dynamicSlice(x, [tensor(-1), 0], [2, 2])).toThrow(IndexError)
    expect(() => dynamicSlice(x, [tensor(0.5), 0], [2, 2])).toThrow(IndexError)
    expect(() => dynamicUpdateSlice(x, tensor([[1, 1]]), tensor([0, 3]))).toThrow(IndexError)
    expect(() => dynamicUpdateSlice(x, tensor([[1, 1]]), tensor([-1, 0]))).toThrow(IndexError)
    const f = jit((s: Tensor) => dynamicSlice(x, [s, 0], [2, 4]))
    expect(f(tensor(1)).shape).toEqual([2, 4])
    expect(() => f(tensor(2))).toThrow(IndexError)
    expect(() => dynamicSlice(x, [0.5, 0], [1, 1])).toThrow(InvalidArgumentError)
    expect(() => dynamicSlice(x, [0], [1, 1])).toThrow(InvalidArgumentError)
    expect(() => dynamicSlice(x, [0, 0], [4, 1])).toThrow(InvalidArgumentError)
    expect(() => dynamicUpdateSlice(x, tensor([1]), [0, 0])).toThrow(InvalidArgumentError)
  })
})

describe('segmentSum and segmentMax', () => {
  it('reduce the entries by segment, as plain loops do (empty: 0 and −∞)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((m) =>
          fc.tuple(
            fc.constant(m),
            fc.array(
              fc.tuple(fc.integer({ min: 0, max: m - 1 }), fc.integer({ min: -9, max: 9 })),
              {
                maxLength: 6,
              },
            ),
          ),
        ),
        ([m, pairs]) => {
          const ids = pairs.map(([i]) => i)
          const data = tensor(
            pairs.map(([, v]) => v),
            [pairs.length],
          )
          const sums = Array.from({ length: m }, (_, s) =>
            pairs.reduce((a, [i, v]) => (i === s ? a + v : a), 0),
          )
          const maxes = Array.from({ length: m }, (_, s) =>
            pairs.reduce((a, [i, v]) => (i === s ? Math.max(a, v) : a), Number.NEGATIVE_INFINITY),
          )
          expect(segmentSum(data, ids, m).toArray()).toEqual(sums)
          expect(segmentMax(data, ids, m).toArray()).toEqual(maxes)
        },
      ),
    )
    // ids over the leading axes of the data
    expect(
      segmentSum(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        [1, 1],
        2,
      ).toArray(),
    ).toEqual([
      [0, 0],
      [4, 6],
    ])
  })

  it('differentiate: a gather for the sum, the maxima (ties split) for the max', () => {
    const data = tensor([1, 5, 3, 5])
    const ids = [0, 0, 1, 0]
    const w = tensor([2, 3])
    expectClose(
      grad((d: Tensor) => sum(mul(segmentSum(d, ids, 2), w)) as Scalar)(data),
      [2, 2, 3, 2],
    )
    expectClose(
      grad((d: Tensor) => sum(mul(segmentMax(d, ids, 2), w)) as Scalar)(data),
      [0, 1, 3, 1],
    )
  })

  it('give data of −∞ its whole share: the −∞ fill of a segment is no tie (every mode)', () => {
    // the fill used to count as a tie: [0.5, 1] and [1/3, 1/3]
    const w = tensor([2, 3])
    const loss = (d: Tensor) => sum(mul(segmentMax(d, [0, 1], 2), w)) as Scalar
    const tied = (d: Tensor) => sum(segmentMax(d, [0, 0], 1)) as Scalar
    const x = tensor([Number.NEGATIVE_INFINITY, 5])
    const ties = tensor([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY])
    expectClose(grad(loss)(x), [2, 3])
    expectClose(grad(tied)(ties), grad((d: Tensor) => max(d) as Scalar)(ties))
    expectClose(grad(tied)(ties), [0.5, 0.5])
    const rows = (d: Tensor) => segmentMax(d, [0, 1], 2)
    expectClose(jacfwd(rows)(x), [
      [1, 0],
      [0, 1],
    ])
    expectClose(jacrev(rows)(x), jacfwd(rows)(x))
    const compiled = jit(grad(tied))
    expectClose(compiled(ties), [0.5, 0.5])
    expectClose(compiled(tensor([Number.NEGATIVE_INFINITY, 1])), [0, 1])
    expectClose(vmap(grad(tied))(stack([ties, tensor([1, 1])])), [
      [0.5, 0.5],
      [0.5, 0.5],
    ])
    // Taylor mode along v = [1, 3]: the tied maxima move at the mean speed, 2
    const v = tensor([1, 3])
    // (derivative is typed for numbers; a scalar tensor passes through it as well)
    const line = ((t: number) => tied(add(ties, mul(t, v)))) as (t: number) => number
    expectClose(derivative(line, 1)(0), 2)
    expectClose(derivative(line, 2)(0), 0)
    // at(…).max's operand is data, and still shares with an update equal to it
    const h = (u: Tensor) => sum(at(tensor([Number.NEGATIVE_INFINITY, 1]), [0]).max(u)) as Scalar
    expectClose(grad(h)(tensor([Number.NEGATIVE_INFINITY])), [0.5])
  })

  it('refuse ids outside [0, numSegments) — −1 too, which JAX drops — and bad shapes', () => {
    expect(() => segmentSum(tensor([1, 2]), [0, -1], 2)).toThrow(IndexError)
    expect(() => segmentSum(tensor([1, 2]), [0, 2], 2)).toThrow(/negative ones are not allowed/)
    expect(() => segmentMax(tensor([1, 2]), [0, 2], 2)).toThrow(IndexError)
    expect(() => segmentSum(tensor([1, 2]), [0], 2)).toThrow(ShapeError)
    expect(() => segmentSum(tensor([1, 2]), [0, 0], -1)).toThrow(InvalidArgumentError)
    expect(() => segmentSum(tensor([1, 2]), [0, 0], 1.5)).toThrow(InvalidArgumentError)
  })
})
