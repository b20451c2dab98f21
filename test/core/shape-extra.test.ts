/**
 * Shape and construction ops — `roll tile repeat moveaxis swapaxes split arraySplit meshgrid
 * tril triu oneHot`, `pad` in every mode, `expandDims` with several axes, `eye` with an offset,
 * `linspace` without its endpoint, `logspace`, three-way broadcasting `where` — against
 * plain-JS index maps (fast-check) and NumPy's outputs, their derivatives in every mode, and bad
 * input.
 */
import fc from 'fast-check'
import {
  arange,
  arraySplit,
  concat,
  expandDims,
  eye,
  grad,
  IndexError,
  InvalidArgumentError,
  jit,
  linspace,
  logspace,
  meshgrid,
  moveaxis,
  mul,
  oneHot,
  pad,
  repeat,
  reshape,
  roll,
  ShapeError,
  split,
  sum,
  swapaxes,
  type Tensor,
  tensor,
  tile,
  transpose,
  tril,
  triu,
  vmap,
  where,
  zeros,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import { checkModes } from './modes.ts'

/** The tensor of `shape` whose entry at each index is `at(index)`. */
const build = (shape: readonly number[], at: (index: number[]) => number): Tensor => {
  const size = shape.reduce((a, b) => a * b, 1)
  const data = Array.from({ length: size }, (_, flat) => {
    const index = shape.map(() => 0)
    for (let i = shape.length - 1, rest = flat; i >= 0; i--) {
      index[i] = rest % shape[i]!
      rest = Math.floor(rest / shape[i]!)
    }
    return at(index)
  })
  return tensor(data, shape)
}

/** Entry `index` of `x`. */
const read = (x: Tensor, index: readonly number[]): number =>
  x.data[index.reduce((acc, i, ax) => acc * x.shape[ax]! + i, 0)]!

const anyTensor = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
  .chain((shape) =>
    fc
      .array(fc.integer({ min: -9, max: 9 }), {
        minLength: shape.reduce((a, b) => a * b, 1),
        maxLength: shape.reduce((a, b) => a * b, 1),
      })
      .map((data) => tensor(data, shape)),
  )

const X = tensor([
  [0.5, -1.2, 0.8],
  [2, 0.3, -0.7],
])

describe('roll, tile, repeat', () => {
  it('roll moves each entry shift places along the axis, cyclically', () => {
    fc.assert(
      fc.property(anyTensor, fc.integer({ min: -9, max: 9 }), fc.nat(), (x, shift, pick) => {
        const axis = pick % x.shape.length
        const n = x.shape[axis]!
        const expected = build(x.shape, (index) =>
          read(
            x,
            index.map((i, ax) => (ax === axis ? (((i - shift) % n) + n) % n : i)),
          ),
        )
        expect(roll(x, shift, axis).toArray()).toEqual(expected.toArray())
      }),
    )
    const x = reshape(arange(6), [2, 3])
    expect(roll(x, [1, -1], [0, 1]).toArray()).toEqual([
      [4, 5, 3],
      [1, 2, 0],
    ])
    expect(roll(x, 2).toArray()).toEqual([
      [4, 5, 0],
      [1, 2, 3],
    ])
  })

  it('tile repeats the whole along each axis', () => {
    fc.assert(
      fc.property(
        anyTensor,
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }),
        (x, reps) => {
          const rank = Math.max(reps.length, x.shape.length)
          const s = [...new Array(rank - x.shape.length).fill(1), ...x.shape]
          const r = [...new Array(rank - reps.length).fill(1), ...reps]
          const expected = build(
            s.map((d, i) => d * r[i]!),
            (index) => x.data[index.reduce((acc, i, ax) => acc * s[ax]! + (i % s[ax]!), 0)]!,
          )
          const y = tile(x, reps)
          expect(y.shape).toEqual(expected.shape)
          expect([...y.data]).toEqual([...expected.data])
        },
      ),
    )
  })

  it('repeat copies each entry in place', () => {
    fc.assert(
      fc.property(anyTensor, fc.integer({ min: 0, max: 3 }), fc.nat(), (x, r, pick) => {
        const axis = pick % x.shape.length
        const expected = build(
          x.shape.map((d, i) => (i === axis ? d * r : d)),
          (index) =>
            read(
              x,
              index.map((i, ax) => (ax === axis ? Math.floor(i / r) : i)),
            ),
        )
        expect(repeat(x, r, axis).toArray()).toEqual(expected.toArray())
      }),
    )
    const x = reshape(arange(6), [2, 3])
    expect(repeat(x, [0, 2, 1], 1).toArray()).toEqual([
      [1, 1, 2],
      [4, 4, 5],
    ])
    expect(repeat(x, [0, 0, 0], 1).shape).toEqual([2, 0])
    expect(repeat(x, 2).toArray()).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
  })

  it('derivatives in every mode', () => {
    checkModes((z) => roll(z, [1, 2], [0, 1]), X)
    checkModes((z) => tile(z, [2, 1, 2]), X)
    checkModes((z) => repeat(z, [2, 0, 3], 1), X)
    // the pullback of a copy gathers its cotangents: tile twice → 2 per entry
    expect(grad((z: Tensor) => sum(tile(z, 2)))(tensor([1, 2])).toArray()).toEqual([2, 2])
  })

  it('bad input', () => {
    expect(() => roll(X, 0.5)).toThrow(InvalidArgumentError)
    expect(() => roll(X, [1, 2])).toThrow(/roll without an axis takes one shift/)
    expect(() => roll(X, [1, 2, 3], [0, 1])).toThrow(InvalidArgumentError)
    expect(() => roll(X, 1, 2)).toThrow(InvalidArgumentError)
    expect(() => tile(X, -1)).toThrow(InvalidArgumentError)
    expect(() => repeat(X, [1, 2], 1)).toThrow(ShapeError)
    expect(() => repeat(X, 1.5)).toThrow(InvalidArgumentError)
  })
})

describe('moveaxis, swapaxes, expandDims', () => {
  it('moveaxis inserts the moved axes at their destinations (NumPy order)', () => {
    const x = reshape(arange(120), [2, 3, 4, 5])
    expect(moveaxis(x, [0, 3], [2, 0]).shape).toEqual([5, 3, 2, 4])
    // NumPy: the other axes in order, then each source inserted at its destination, ascending
    const order = [1, 2]
    for (const [d, s] of [
      [0, 3],
      [2, 0],
    ] as const)
      order.splice(d, 0, s)
    expect(moveaxis(x, [0, 3], [2, 0]).toArray()).toEqual(transpose(x, order).toArray())
    expect(moveaxis(x, -1, 0).shape).toEqual([5, 2, 3, 4])
    expect(swapaxes(x, 0, -1).shape).toEqual([5, 3, 4, 2])
    checkModes((z) => moveaxis(z, 0, 1), X)
    checkModes((z) => swapaxes(z, 1, 0), X)
  })

  it('expandDims with several axes places them in the result', () => {
    expect(expandDims(tensor([1, 2]), [0, -1]).shape).toEqual([1, 2, 1])
    expect(expandDims(X, [1, 3]).shape).toEqual([2, 1, 3, 1])
    expect(expandDims(X, [0, 1]).toArray()).toEqual([[X.toArray()]])
    expect(() => expandDims(X, [0, 0])).toThrow(/repeated axis/)
    expect(() => expandDims(X, [0, 4])).toThrow(InvalidArgumentError)
  })

  it('bad input', () => {
    expect(() => moveaxis(X, [0, 0], [1, 0])).toThrow(/repeated axis/)
    expect(() => moveaxis(X, [0], [1, 0])).toThrow(InvalidArgumentError)
    expect(() => swapaxes(X, 0, 2)).toThrow(InvalidArgumentError)
  })
})

describe('split and arraySplit', () => {
  it('cut into sections or at indices, as NumPy', () => {
    const x = arange(7)
    expect(arraySplit(x, 3).map((p) => p.toArray())).toEqual([
      [0, 1, 2],
      [3, 4],
      [5, 6],
    ])
    expect(split(x, [2, -2, 10]).map((p) => p.toArray())).toEqual([[0, 1], [2, 3, 4], [5, 6], []])
    expect(split(X, 3, 1).map((p) => p.shape)).toEqual([
      [2, 1],
      [2, 1],
      [2, 1],
    ])
    fc.assert(
      fc.property(anyTensor, fc.integer({ min: 1, max: 5 }), (t, k) => {
        const parts = arraySplit(t, k)
        expect(parts.length).toBe(k)
        expect(concat(parts).toArray()).toEqual(t.toArray())
      }),
    )
  })

  it('derivatives: each part is a slice', () => {
    checkModes((z) => concat(split(z, 3, 1).reverse(), 1), X)
    const g = grad((z: Tensor) => sum(mul(split(z, [1])[1]!, 2)))(tensor([1, 2, 3]))
    expect(g.toArray()).toEqual([0, 2, 2])
  })

  it('bad input', () => {
    expect(() => split(arange(7), 3)).toThrow(ShapeError)
    expect(() => split(arange(7), 0)).toThrow(InvalidArgumentError)
    expect(() => arraySplit(arange(7), [1.5])).toThrow(InvalidArgumentError)
    expect(() => split(arange(7), 7, 1)).toThrow(InvalidArgumentError)
  })
})

describe('meshgrid', () => {
  it("'xy' and 'ij' grids of two and three vectors", () => {
    const [a, b, c] = [tensor([1, 2, 3]), tensor([4, 5]), tensor([6, 7, 8, 9])]
    const ij = meshgrid([a, b, c], { indexing: 'ij' })
    ij.forEach((g, k) => {
      expect(g.shape).toEqual([3, 2, 4])
      const v = [a, b, c][k]!
      expect(g.toArray()).toEqual(build([3, 2, 4], (index) => v.data[index[k]!]!).toArray())
    })
    const xy = meshgrid([a, b, c])
    xy.forEach((g, k) => {
      expect(g.shape).toEqual([2, 3, 4])
      const v = [a, b, c][k]!
      const at = [1, 0, 2][k]!
      expect(g.toArray()).toEqual(build([2, 3, 4], (index) => v.data[index[at]!]!).toArray())
    })
    expect(meshgrid([a]).map((g) => g.toArray())).toEqual([[1, 2, 3]])
    expect(meshgrid([a, 5]).map((g) => g.shape)).toEqual([
      [1, 3],
      [1, 3],
    ])
  })

  it('derivatives sum over the broadcast axes', () => {
    const g = grad((v: Tensor) => sum(meshgrid([v, tensor([1, 2, 3])])[0]!))(tensor([1, 2]))
    expect(g.toArray()).toEqual([3, 3])
    checkModes((v) => meshgrid([v, tensor([1, 2])], { indexing: 'ij' })[0]!, tensor([0.5, 1, 2]))
  })

  it('bad input', () => {
    expect(() => meshgrid([X])).toThrow(ShapeError)
    expect(() => meshgrid([arange(2)], { indexing: 'ji' as 'ij' })).toThrow(InvalidArgumentError)
    expect(() => meshgrid(arange(2) as unknown as Tensor[])).toThrow(InvalidArgumentError)
  })
})

describe('tril, triu, oneHot', () => {
  it('tril and triu keep a triangle of each matrix of a batch', () => {
    const x = reshape(arange(1, 25), [2, 3, 4])
    for (const k of [-3, -1, 0, 1, 2, 5]) {
      const lower = build([2, 3, 4], ([b, i, j]) => (j! - i! <= k ? read(x, [b!, i!, j!]) : 0))
      const upper = build([2, 3, 4], ([b, i, j]) => (j! - i! >= k ? read(x, [b!, i!, j!]) : 0))
      expect(tril(x, k).toArray()).toEqual(lower.toArray())
      expect(triu(x, k).toArray()).toEqual(upper.toArray())
    }
    // a non-finite entry outside the triangle is 0, with a zero derivative
    const y = tensor([
      [1, Number.NaN],
      [Infinity, 2],
    ])
    expect(tril(y).toArray()).toEqual([
      [1, 0],
      [Infinity, 2],
    ])
    expect(grad((z: Tensor) => sum(triu(z)))(y).toArray()).toEqual([
      [1, 1],
      [0, 1],
    ])
    checkModes((z) => tril(z, 1), reshape(X, [1, 2, 3]))
    checkModes((z) => triu(z, -1), X)
  })

  it('oneHot marks each index class; checked indices; zero derivative', () => {
    expect(
      oneHot(
        tensor([
          [2, 0],
          [1, 1],
        ]),
        3,
      ).toArray(),
    ).toEqual([
      [
        [0, 0, 1],
        [1, 0, 0],
      ],
      [
        [0, 1, 0],
        [0, 1, 0],
      ],
    ])
    expect(oneHot(1, 2).toArray()).toEqual([0, 1])
    expect(vmap((i: Tensor) => oneHot(i, 3))(tensor([0, 2])).toArray()).toEqual([
      [1, 0, 0],
      [0, 0, 1],
    ])
    // traced indices are checked by the gather's kernel on every replay (JAX gives a zero row)
    const f = jit((i: Tensor) => oneHot(i, 2))
    expect(f(tensor([1])).toArray()).toEqual([[0, 1]])
    expect(f(tensor([0])).toArray()).toEqual([[1, 0]])
    for (const bad of [5, -1, 0.5, Number.NaN]) expect(() => f(tensor([bad]))).toThrow(IndexError)
    expect(() => vmap((i: Tensor) => oneHot(i, 3))(tensor([0, 3]))).toThrow(IndexError)
    expect(
      grad((z: Tensor) => sum(mul(z, oneHot(tensor([1, 0]), 2))))(zeros([2, 2])).toArray(),
    ).toEqual([
      [0, 1],
      [1, 0],
    ])
  })

  it('bad input', () => {
    expect(() => tril(arange(3))).toThrow(ShapeError)
    expect(() => triu(X, 0.5)).toThrow(InvalidArgumentError)
    expect(() => oneHot(tensor([0, 3]), 3)).toThrow(/index 3 at position 1 is not a class/)
    // IndexError as under jit and vmap, where the gather's kernel checks them
    expect(() => oneHot(tensor([0.5]), 3)).toThrow(IndexError)
    expect(() => oneHot(tensor([-1]), 3)).toThrow(IndexError)
    expect(() => oneHot(tensor([0]), 2.5)).toThrow(InvalidArgumentError)
  })
})

describe('pad in every mode', () => {
  // NumPy 2.4's numpy.pad on the same inputs
  const numpy = {
    reflect: [
      [2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3],
      [
        [3, 4, 3, 4, 3],
        [1, 2, 1, 2, 1],
        [3, 4, 3, 4, 3],
        [1, 2, 1, 2, 1],
        [3, 4, 3, 4, 3],
      ],
    ],
    symmetric: [
      [2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1, 1],
      [
        [2, 1, 1, 2, 2],
        [2, 1, 1, 2, 2],
        [4, 3, 3, 4, 4],
        [4, 3, 3, 4, 4],
        [2, 1, 1, 2, 2],
      ],
    ],
    edge: [
      [1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3],
      [
        [1, 1, 1, 2, 2],
        [1, 1, 1, 2, 2],
        [3, 3, 3, 4, 4],
        [3, 3, 3, 4, 4],
        [3, 3, 3, 4, 4],
      ],
    ],
  } as const
  for (const [mode, [vector, matrix]] of Object.entries(numpy)) {
    it(`${mode}: NumPy's values, wide widths and corners included`, () => {
      const m = mode as 'reflect' | 'symmetric' | 'edge'
      expect(pad(tensor([1, 2, 3]), [[5, 4]], { mode: m }).toArray()).toEqual(vector)
      const square = tensor([
        [1, 2],
        [3, 4],
      ])
      expect(
        pad(
          square,
          [
            [1, 2],
            [2, 1],
          ],
          { mode: m },
        ).toArray(),
      ).toEqual(matrix)
      expect(pad(tensor([7]), [[2, 3]], { mode: m }).toArray()).toEqual([7, 7, 7, 7, 7, 7])
      checkModes(
        (z) =>
          pad(
            z,
            [
              [1, 2],
              [3, 1],
            ],
            { mode: m },
          ),
        X,
      )
    })
  }

  it('constant: as before, with a number or options', () => {
    expect(pad(tensor([1, 2]), 1).toArray()).toEqual([0, 1, 2, 0])
    expect(pad(tensor([1, 2]), [[1, 0]], 9).toArray()).toEqual([9, 1, 2])
    expect(pad(tensor([1, 2]), [[0, 1]], { value: -1 }).toArray()).toEqual([1, 2, -1])
    expect(pad(tensor([1, 2]), [[0, 1]], { mode: 'constant' }).toArray()).toEqual([1, 2, 0])
  })

  it('the pullback adds each copy back onto its source', () => {
    const g = grad((z: Tensor) => sum(pad(z, [[2, 2]], { mode: 'reflect' })))(tensor([1, 2, 3]))
    expect(g.toArray()).toEqual([2, 3, 2]) // 2 1 | 1 2 3 | 2 1 copies entry 1 twice more
  })

  it('bad input', () => {
    expect(() => pad(X, 1, { mode: 'wrap' as 'edge' })).toThrow(/unknown pad mode/)
    expect(() => pad(X, 1, { mode: 'edge', value: 1 })).toThrow(InvalidArgumentError)
    expect(() => pad(X, [[1, 1]], { mode: 'edge' })).toThrow(/one \[before, after\] pair/)
    expect(() => pad(X, -1, { mode: 'reflect' })).toThrow(InvalidArgumentError)
    expect(() => pad(tensor([], [0]), 1, { mode: 'edge' })).toThrow(ShapeError)
    expect(() => pad(X, 1, 'edge' as unknown as number)).toThrow(InvalidArgumentError)
  })
})

describe('constructors', () => {
  it('eye with a diagonal offset, as numpy.eye', () => {
    expect(eye(3, 4, 1).toArray()).toEqual([
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ])
    expect(eye(3, 2, -2).toArray()).toEqual([
      [0, 0],
      [0, 0],
      [1, 0],
    ])
    expect(eye(2, 2, 5).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ])
    expect(eye(2).toArray()).toEqual([
      [1, 0],
      [0, 1],
    ])
    expect(() => eye(2, 2, 0.5)).toThrow(InvalidArgumentError)
  })

  it('linspace without its endpoint, and logspace', () => {
    expectClose(linspace(1, 2, 5, { endpoint: false }), [1, 1.2, 1.4, 1.6, 1.8], 1e-15, 0)
    expect(linspace(0, 1, 3).toArray()).toEqual([0, 0.5, 1])
    expect(logspace(0, 2, 3, { base: 2 }).toArray()).toEqual([1, 2, 4])
    expectClose(
      logspace(1, 3, 4, { endpoint: false }),
      [10, 31.622776601683793, 100, 316.2277660168379],
      1e-15,
      0,
    )
    expect(logspace(0, 1, 0).shape).toEqual([0])
    expect(() => linspace(0, 1, 3, { endpoint: 1 as unknown as boolean })).toThrow(
      InvalidArgumentError,
    )
    expect(() => logspace(0, 1, 3, { base: Infinity })).toThrow(InvalidArgumentError)
  })
})

describe('where broadcasts all three operands', () => {
  it('values against a loop, and pullbacks summed back to each shape', () => {
    const c = tensor([1, 0, 1], [3, 1])
    const a = tensor([10, 20, 30, 40], [1, 4])
    const b = tensor([-1, -2, -3, -4], [4])
    const y = where(c, a, b)
    expect(y.shape).toEqual([3, 4])
    expect(y.toArray()).toEqual(
      build([3, 4], ([i, j]) => (c.data[i!] ? a.data[j!]! : b.data[j!]!)).toArray(),
    )
    const ga = grad((z: Tensor) => sum(where(c, z, b)))(a)
    const gb = grad((z: Tensor) => sum(where(c, a, z)))(b)
    expect(ga.toArray()).toEqual([[2, 2, 2, 2]])
    expect(gb.toArray()).toEqual([1, 1, 1, 1])
    checkModes((z) => where(c, z, b), a)
    expect(() => where(tensor([1, 0]), a, tensor([1, 2, 3]))).toThrow(ShapeError)
  })
})
