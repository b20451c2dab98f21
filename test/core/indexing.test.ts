/**
 * Integer-array indexing (issue #14 §1): values of `take`, `gather`, `takeAlongAxis` and every
 * `at(…)` update against plain-JS loops (fast-check, whole numbers so every result is exact),
 * negative and repeated indices, and the named errors for bad input. Derivatives and
 * transformations are in indexing-derivatives.test.ts.
 */
import fc from 'fast-check'
import {
  at,
  gather,
  IndexError,
  InvalidArgumentError,
  index,
  jit,
  oneHot,
  ShapeError,
  segmentMax,
  segmentSum,
  type Tensor,
  take,
  takeAlongAxis,
  tensor,
  vmap,
  zeros,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import {
  type Arr,
  arrOf,
  indicesOf,
  numpyGather,
  numpyUpdate,
  ravel,
  shapeArb,
  unravel,
} from './indexing-reference.ts'

const t = (a: Arr): Tensor => tensor([...a.data], a.shape)
const exact = (actual: Tensor, expected: Arr) => {
  expect(actual.shape).toEqual(expected.shape)
  expect(Array.from(actual.data)).toEqual(expected.data)
}

/** An operand, one axis of it, and indices of rank 0–2 (sizes 0–3) into that axis. */
const takeCase = shapeArb(1, 3).chain((shape) =>
  fc
    .integer({ min: 0, max: shape.length - 1 })
    .chain((axis) =>
      fc
        .array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 })
        .chain((is) => fc.tuple(arrOf(shape), indicesOf(is, shape[axis]!), fc.constant(axis))),
    ),
)

/**
 * An operand and NumPy indexers: per axis (up to the rank) whole, or an index array whose
 * shape is a common shape B with some axes set to 1 or leading axes dropped (so they
 * broadcast). At least one axis is indexed.
 */
const indexCase = shapeArb(1, 3).chain((shape) =>
  fc
    .tuple(
      fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
      fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      fc.integer({ min: 0, max: shape.length }),
    )
    .chain(([b, picked, count]) => {
      const used = picked.map((p, i) => p && i < Math.max(count, 1))
      if (!used.some((u) => u)) used[0] = true
      const indexers = used.map((u, a) =>
        u
          ? fc
              .tuple(
                fc.integer({ min: 0, max: b.length }),
                fc.array(fc.boolean(), { minLength: b.length, maxLength: b.length }),
              )
              .chain(([drop, ones]) =>
                indicesOf(
                  b.slice(drop).map((d, i) => (ones[drop + i] ? 1 : d)),
                  shape[a]!,
                ),
              )
          : fc.constant(null),
      )
      return fc.tuple(arrOf(shape), fc.tuple(...indexers))
    }),
)

const asIndexers = (ixs: readonly (Arr | null)[]) => ixs.map((v) => (v === null ? null : t(v)))

describe('take', () => {
  it('reads x along an axis at the indices, like NumPy (negative and repeated indices)', () => {
    fc.assert(
      fc.property(takeCase, ([x, idx, axis]) => {
        const indexers = x.shape.map((_, a) => (a === axis ? idx : null))
        exact(take(t(x), t(idx), axis), numpyGather(x, indexers))
      }),
    )
  })

  it('reads x flat without an axis, and takes numbers and arrays as indices', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ])
    expect(take(x, [3, -4, 1]).toArray()).toEqual([4, 1, 2])
    expect(take(x, -1, 0).toArray()).toEqual([3, 4])
    expect(take(x, [[1], [0]], 1).shape).toEqual([2, 2, 1])
    expect(take(tensor([5, 6]), zeros([0])).shape).toEqual([0])
  })
})

describe('gather', () => {
  it('is NumPy integer-array indexing: broadcast index arrays, placed as NumPy places them', () => {
    fc.assert(
      fc.property(indexCase, ([x, ixs]) => {
        exact(gather(t(x), ...asIndexers(ixs)), numpyGather(x, ixs))
      }),
    )
  })

  it('takes whole axes as null or ":", numbers as 0-d index arrays', () => {
    const x = tensor([[[0, 1, 2, 3]], [[4, 5, 6, 7]]]) // [2, 1, 4]
    expect(gather(x, null, ':', [3, 0]).toArray()).toEqual([[[3, 0]], [[7, 4]]])
    // separated index arrays put their broadcast axes first (NumPy)
    expect(gather(x, [1, 0], null, [3, 3]).toArray()).toEqual([[7], [3]])
    expect(gather(x, 1, 0, -1).toArray()).toEqual(7)
    expect(gather(x).shape).toEqual([2, 1, 4])
  })
})

describe('takeAlongAxis', () => {
  it('picks along an axis with indices of the same rank, other axes broadcast', () => {
    fc.assert(
      fc.property(
        shapeArb(1, 3).chain((shape) =>
          fc.integer({ min: 0, max: shape.length - 1 }).chain((axis) =>
            fc
              .tuple(
                fc.integer({ min: 0, max: 3 }),
                fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
              )
              .chain(([m, ones]) => {
                const is = shape.map((d, i) => (i === axis ? m : ones[i] ? 1 : d))
                return fc.tuple(arrOf(shape), indicesOf(is, shape[axis]!), fc.constant(axis))
              }),
          ),
        ),
        ([x, idx, axis]) => {
          const shape = x.shape.map((d, i) => (i === axis ? idx.shape[i]! : d))
          const n = x.shape[axis]!
          const data = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => {
            const ix = unravel(k, shape)
            const at = ix.map((v, i) => (idx.shape[i] === 1 ? 0 : v))
            const j = idx.data[ravel(at, idx.shape)]!
            return x.data[
              ravel(
                ix.map((v, i) => (i === axis ? (j < 0 ? j + n : j) : v)),
                x.shape,
              )
            ]!
          })
          exact(takeAlongAxis(t(x), t(idx), axis), { shape, data })
        },
      ),
    )
  })
})

describe('at', () => {
  const modes = ['set', 'add', 'mul', 'min', 'max'] as const

  it.each(modes)('%s equals the update applied index by index, in order', (mode) => {
    fc.assert(
      fc.property(
        indexCase.chain(([x, ixs]) => {
          const shape = numpyGather(x, ixs).shape
          return fc.tuple(fc.constant(x), fc.constant(ixs), arrOf(shape))
        }),
        ([x, ixs, u]) => {
          exact(at(t(x), ...asIndexers(ixs))[mode](t(u)), numpyUpdate(x, ixs, u.data, mode))
        },
      ),
    )
  })

  it('accumulates repeated indices in add, keeps the last in set, multiplies in mul', () => {
    const x = tensor([1, 2, 3])
    expect(at(x, [1, 1, -2]).add(1).toArray()).toEqual([1, 5, 3])
    expect(
      at(x, [0, 2, 0])
        .set(tensor([7, 8, 9]))
        .toArray(),
    ).toEqual([9, 2, 8])
    expect(
      at(x, [2, 2])
        .mul(tensor([0, 5]))
        .toArray(),
    ).toEqual([1, 2, 0])
    expect(
      at(x, [0, 0])
        .min(tensor([4, -1]))
        .toArray(),
    ).toEqual([-1, 2, 3])
    expect(
      at(x, [2, 2])
        .max(tensor([4, 5]))
        .toArray(),
    ).toEqual([1, 2, 5])
    expect(at(x, 1).get().item()).toBe(2)
    // updates broadcast to the indexed shape; x is never mutated
    const m = zeros([2, 2])
    expect(
      at(m, null, 1)
        .add(tensor([1, 2]))
        .toArray(),
    ).toEqual([
      [0, 1],
      [0, 2],
    ])
    expect(Array.from(m.data)).toEqual([0, 0, 0, 0])
    expect(at(m).add(1).toArray()).toEqual([
      [1, 1],
      [1, 1],
    ])
  })

  it('keeps signed zeros and non-finite values it writes, and untouched entries', () => {
    const x = tensor([Number.NaN, -0, Infinity])
    const y = at(x, [1, 2]).set(tensor([-0, Number.NaN]))
    expect(Object.is(y.data[1], -0)).toBe(true)
    expect(Number.isNaN(y.data[0])).toBe(true)
    expect(Number.isNaN(y.data[2])).toBe(true)
    expectClose(at(x, 1).max(0), [Number.NaN, 0, Infinity])
    expectClose(at(tensor([1, 2]), 0).mul(Infinity), [Infinity, 2])
  })
})

describe('bad input', () => {
  const x = tensor([1, 2, 3])

  it('throws IndexError naming the op, the index, its position and the axis size', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => take(x, [0, 3]), /index 3 at position \[1\] is out of range for axis 0 of size 3/],
      [() => take(x, [[0], [-4]]), /index -4 at position \[1, 0\] is out of range/],
      [() => take(x, 1.5), /index 1.5 at position \[\] is not an integer/],
      [() => take(x, [Number.NaN]), /index NaN .* is not finite/],
      [() => take(x, [Infinity]), /index Infinity .* is not finite/],
      [() => gather(tensor([[1, 2]]), [0], [2]), /index 2 .* axis 1 of size 2/],
      [() => at(x, 5).add(1), /index 5/],
      [() => takeAlongAxis(tensor([[1, 2]]), tensor([[0, 2]]), 1), /index 2/],
    ]
    for (const [f, message] of cases) {
      expect(f).toThrow(IndexError)
      expect(f).toThrow(message)
    }
    expect(() => take(x, [3])).toThrow(/in take/)
    expect(() => take(zeros([0]), [0])).toThrow(/size 0 has no index/)
  })

  // regression: these named the primitives inside (scatterMax for set, take for mul and get)
  it('names the op the user called, not the gather or scatter inside it', () => {
    const m = tensor([
      [1, 2],
      [3, 4],
    ])
    const cases: [() => unknown, string][] = [
      [() => at(x, [3]).set(0), 'at(...).set'],
      [() => at(x, [3]).add(0), 'at(...).add'],
      [() => at(x, [3]).mul(2), 'at(...).mul'],
      [() => at(x, [3]).min(0), 'at(...).min'],
      [() => at(x, [3]).max(0), 'at(...).max'],
      [() => at(x, [3]).get(), 'at(...).get'],
      [() => at(x, [0.5]).set(0), 'at(...).set'],
      [() => at(m, [0], [2]).set(0), 'at(...).set'],
      [() => at(m, [0], [2]).mul(2), 'at(...).mul'],
      [() => gather(m, [0], [2]), 'gather'],
      [() => takeAlongAxis(x, [3], 0), 'takeAlongAxis'],
      [() => segmentMax(x, [0, 1, 2], 2), 'segmentMax'],
      [() => segmentSum(x, [0, 1, 2], 2), 'segmentSum'],
      [() => jit((i: Tensor) => at(x, i).set(0))(tensor([3])), 'at(...).set'],
      [() => vmap((i: Tensor) => at(x, i).mul(2))(tensor([[0], [3]])), 'at(...).mul'],
      [() => jit((i: Tensor) => oneHot(i, 3))(tensor([3])), 'oneHot'],
      [() => vmap((i: Tensor) => oneHot(i, 3))(tensor([3])), 'oneHot'],
      [() => oneHot(tensor([3]), 3), 'oneHot'],
    ]
    for (const [f, op] of cases) {
      expect(f).toThrow(IndexError)
      expect(f).toThrow(`(in ${op}`)
    }
    const replay = jit((i: Tensor) => at(x, i).add(1))
    replay(tensor([0]))
    expect(() => replay(tensor([3]))).toThrow('(in at(...).add)')
    expect(() => index(x, 0.5)).toThrow(/index 0.5 is not an integer/)
    expect(() => index(x, 3)).toThrow(/index 3 is out of range for size 3/)
  })

  it('throws IndexError inside jit (every replay) and vmap: indices are data', () => {
    const f = jit((v: Tensor, i: Tensor) => take(v, i))
    expect(f(x, tensor([2])).toArray()).toEqual([3])
    expect(f(x, tensor([0])).toArray()).toEqual([1])
    expect(() => f(x, tensor([3]))).toThrow(IndexError)
    expect(() => f(x, tensor([0.5]))).toThrow(IndexError)
    const g = vmap((i: Tensor) => take(x, i))
    expect(() => g(tensor([[0], [7]]))).toThrow(IndexError)
  })

  it('throws ShapeError for index arrays or updates that do not broadcast', () => {
    const m = zeros([2, 3])
    expect(() => gather(m, [0, 1], [0, 1, 2])).toThrow(ShapeError)
    expect(() => at(m, [0, 1], [0, 1]).set(tensor([1, 2, 3]))).toThrow(ShapeError)
    expect(() => takeAlongAxis(m, zeros([3, 1]), 1)).toThrow(ShapeError)
  })

  it('throws InvalidArgumentError for bad axes, kinds and counts', () => {
    const loose = take as (...args: unknown[]) => unknown
    expect(() => take(x, [0], 1)).toThrow(InvalidArgumentError)
    expect(() => take(x, [0], 0.5)).toThrow(InvalidArgumentError)
    expect(() => take(3, [0])).toThrow(InvalidArgumentError)
    expect(() => loose(x, 'a')).toThrow(InvalidArgumentError)
    expect(() => loose(x, [['a']])).toThrow(InvalidArgumentError)
    expect(() => gather(x, 0, 0)).toThrow(InvalidArgumentError)
    expect(() => at(x, null, null).add(1)).toThrow(InvalidArgumentError)
    expect(() => takeAlongAxis(zeros([2, 2]), zeros([2]), 0)).toThrow(InvalidArgumentError)
    expect(() => takeAlongAxis(zeros([2, 2]), zeros([2, 2]), 2)).toThrow(InvalidArgumentError)
  })
})
