/**
 * `sort`, `argsort` (stable, NaN last) and `topK` (issue #14 §2): values against JS's stable
 * `Array.prototype.sort`, ties and NaN, and derivatives — sort's is the tangent gathered by the
 * permutation, whole to the entry the stable order puts at each position.
 */
import fc from 'fast-check'
import {
  argsort,
  derivative,
  grad,
  hessian,
  InvalidArgumentError,
  jacfwd,
  jacrev,
  jit,
  mul,
  type Scalar,
  sin,
  sort,
  sum,
  type Tensor,
  tensor,
  topK,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

/** JS's sort is stable: positions ordered by value (NaN last, or first descending), ties by position. */
const refArgsort = (row: readonly number[], descending = false): number[] =>
  row
    .map((_, i) => i)
    .sort((i, j) => {
      const [a, b] = [row[i]!, row[j]!]
      const [nanA, nanB] = [Number.isNaN(a), Number.isNaN(b)]
      if (nanA || nanB) return nanA === nanB ? 0 : nanA !== descending ? 1 : -1
      if (a === b) return 0
      return a < b !== descending ? -1 : 1
    })

/** Rows of whole numbers (ties), with NaN, ±0 and ±∞ now and then. */
const rows = fc.array(
  fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: -3, max: 3 }) },
      { weight: 1, arbitrary: fc.constantFrom(Number.NaN, -0, Infinity, -Infinity) },
    ),
    { minLength: 3, maxLength: 3 },
  ),
  { minLength: 1, maxLength: 3 },
)

describe('argsort and sort', () => {
  it('argsort is the stable order, NaN last (first descending), along any axis', () => {
    fc.assert(
      fc.property(rows, fc.boolean(), (rs, descending) => {
        const x = tensor(rs)
        const got = argsort(x, -1, { descending }).toArray()
        expect(got).toEqual(rs.map((r) => refArgsort(r, descending)))
        const cols = rs[0]!.map((_, j) => rs.map((r) => r[j]!))
        const byColumn = argsort(x, 0, { descending })
        expect(byColumn.shape).toEqual(x.shape)
        cols.forEach((c, j) => {
          expect(rs.map((_, i) => (byColumn.toArray() as number[][])[i]![j])).toEqual(
            refArgsort(c, descending),
          )
        })
      }),
    )
  })

  it('sort orders the values, NaN last, −0 and +0 kept in their order', () => {
    fc.assert(
      fc.property(rows, (rs) => {
        const sorted = sort(tensor(rs)).toArray() as number[][]
        rs.forEach((r, i) => {
          const expected = refArgsort(r).map((j) => r[j]!)
          sorted[i]!.forEach((v, j) => {
            expect(Object.is(v, expected[j])).toBe(true)
          })
        })
      }),
    )
    expect(
      sort(
        tensor([
          [3, 1],
          [0, -2],
        ]),
        0,
      ).toArray(),
    ).toEqual([
      [0, -2],
      [3, 1],
    ])
  })

  it('gives sort the derivative of a gather by the permutation, ties by the stable order', () => {
    const x = tensor([0.5, -1, 2, 0.25])
    const w = tensor([1, 2, 3, 4])
    // sorted: [-1, 0.25, 0.5, 2] from positions [1, 3, 0, 2]
    expectClose(grad((v: Tensor) => sum(mul(sort(v), w)) as Scalar)(x), [3, 1, 4, 2])
    expectClose(jacfwd(sort)(x), jacrev(sort)(x))
    const f = (v: Tensor) => sum(mul(sin(sort(v)), w)) as Scalar
    expectClose(hessian(f)(x), jacfwd(grad(f))(x))
    // a tie: the stable order puts position 0 first, so it gets w₀, position 2 gets w₁
    expectClose(
      grad((v: Tensor) => sum(mul(sort(v), w)) as Scalar)(tensor([1, 3, 1, 2])),
      [1, 4, 2, 3],
    )
    const h = (s: number) => sum(sin(sort(mul(x, s)))) as unknown as number
    expectClose(derivative(h, 3)(0.5), grad(grad(grad(h)))(0.5), 1e-10, 1e-12)
    // argsort is a constant: zero derivative
    expectClose(grad((v: Tensor) => sum(argsort(v)) as Scalar)(x), [0, 0, 0, 0])
  })

  it('runs under vmap and jit, where a replay sorts the new values', () => {
    const xs = tensor([
      [3, 1, 2],
      [0, 5, -1],
    ])
    expect(vmap((v: Tensor) => sort(v))(xs).toArray()).toEqual([
      [1, 2, 3],
      [-1, 0, 5],
    ])
    const f = jit((v: Tensor) => argsort(v))
    expect(f(tensor([2, 1, 0])).toArray()).toEqual([2, 1, 0])
    expect(f(tensor([0, 2, 1])).toArray()).toEqual([0, 2, 1])
  })
})

describe('topK', () => {
  it('gives the k largest, largest first, the lower position first among equals', () => {
    fc.assert(
      fc.property(rows, fc.integer({ min: 0, max: 3 }), (rs, k) => {
        const { values, indices } = topK(tensor(rs), k)
        const order = rs.map((r) => refArgsort(r, true).slice(0, k))
        expect(indices.toArray()).toEqual(order)
        const v = values.toArray() as number[][]
        order.forEach((o, i) => {
          o.forEach((j, c) => {
            expect(Object.is(v[i]![c], rs[i]![j])).toBe(true)
          })
        })
      }),
    )
    const { values, indices } = topK(tensor([1, Number.NaN, 5]), 2)
    expectClose(values, [Number.NaN, 5])
    expect(indices.toArray()).toEqual([1, 2])
  })

  it('differentiates its values as a gather, under jit too', () => {
    const g = grad((v: Tensor) => sum(mul(topK(v, 2).values, tensor([10, 1]))) as Scalar)
    expectClose(g(tensor([1, 5, 3])), [0, 10, 1])
    expectClose(jit(g)(tensor([4, 0, 3])), [10, 0, 1])
  })

  it('refuses a scalar, a bad axis or k', () => {
    expect(() => sort(3)).toThrow(InvalidArgumentError)
    expect(() => argsort(tensor([1, 2]), 1)).toThrow(InvalidArgumentError)
    for (const k of [-1, 4, 1.5, Number.NaN]) {
      expect(() => topK(tensor([1, 2, 3]), k)).toThrow(InvalidArgumentError)
    }
  })
})
