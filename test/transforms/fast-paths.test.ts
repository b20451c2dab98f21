/**
 * The per-call fast paths of the transformations (issue #16 §2) give the bits of the general
 * path: `jacfwd` of a one-element input runs one plain `jvp` instead of a `vmap` over a batch of
 * one, `jacrev` of a one-element output one plain pullback, and of an output of a few elements
 * one pullback per row. The general path is reached by the same function with an empty leaf
 * beside the input (or output), which leaves the Jacobian block unchanged but takes the batched
 * route (for `jacrev`, with chunks of one). Errors are still raised, and named.
 */
import fc from 'fast-check'
import {
  add,
  cos,
  div,
  exp,
  grad,
  InvalidArgumentError,
  jacfwd,
  jacrev,
  jit,
  matmul,
  mul,
  pow,
  sin,
  sum,
  Tensor,
  tanh,
  tensor,
  valueAndGrad,
  vmap,
  zeros,
} from 'fluxion'
import { describe, expect, it } from 'vitest'

const bits = (v: unknown): number[] =>
  typeof v === 'number' ? [v] : v instanceof Tensor ? Array.from(v.data) : []

const sameBits = (a: unknown, b: unknown): void => {
  expect(typeof a).toBe(typeof b)
  if (a instanceof Tensor && b instanceof Tensor) expect(a.shape).toEqual(b.shape)
  const x = bits(a)
  const y = bits(b)
  expect(x.length).toBe(y.length)
  for (let i = 0; i < x.length; i++) expect(Object.is(x[i], y[i])).toBe(true)
}

/** Functions of one number- or tensor-valued element, with scalar and vector outputs. */
const scalarFns: ((x: number | Tensor) => number | Tensor)[] = [
  (x) => add(mul(sin(x), x), cos(mul(x, x))),
  (x) => mul(exp(mul(x, -1e-3)), x),
  (x) => mul(x, 0),
  (x) => sum(mul(x, x)),
  (x) => div(tanh(x), add(pow(x, 2), 1)),
]
const vectorFns: ((x: number | Tensor) => Tensor)[] = [
  (x) => mul(tensor([1, -2, 0]), sin(x)),
  (x) => matmul(tensor([[1], [2]]), add(mul(x, tensor([3])), 1)),
]

const inputs = fc.oneof(
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.constantFrom(0, -0, 1e-300, -1e-300, Math.PI),
)

describe('jacfwd of a one-element input', () => {
  it('has the bits of the batched path, for numbers and one-element tensors', () => {
    fc.assert(
      fc.property(inputs, (v) => {
        for (const f of [...scalarFns, ...vectorFns]) {
          for (const x of [v, tensor([v]), tensor([[v]])]) {
            const general = jacfwd((t: [number | Tensor, Tensor]) => f(t[0]))([x, zeros([0])])
            sameBits(jacfwd(f)(x), (general as unknown[])[0])
          }
        }
      }),
    )
  })
})

describe('jacrev of a one-element output', () => {
  it('has the bits of the batched path', () => {
    fc.assert(
      fc.property(inputs, (v) => {
        for (const f of scalarFns) {
          for (const x of [v, tensor([v]), tensor([v, 2 * v])]) {
            // chunks of one: the batched path (a few rows would be pulled back one by one)
            const general = jacrev((t: number | Tensor) => [f(t), zeros([0])], { chunkSize: 1 })(x)
            sameBits(jacrev(f)(x), (general as unknown[])[0])
          }
        }
      }),
    )
  })
})

describe('grad of one leaf', () => {
  const fs: ((x: number | Tensor, y: number) => number | Tensor)[] = [
    (x, y) => add(mul(sin(x), y), cos(mul(x, x))),
    (x) => sum(mul(x, exp(mul(x, -1e-3)))),
    (x) => mul(x, 0),
    () => 3,
    (x, y) => mul(grad((t: number | Tensor) => sum(mul(t, t)))(x) as Tensor, y),
  ]
  it('has the bits of the tree path (argnums as a list), numbers and tensors', () => {
    fc.assert(
      fc.property(inputs, (v) => {
        for (const f of fs) {
          for (const x of [v, tensor(v)]) {
            const general = grad(f, { argnums: [0] })(x, 1.5) as unknown[]
            sameBits(grad(f)(x, 1.5), general[0])
            const [value, g] = valueAndGrad(f)(x, 1.5)
            sameBits(g, general[0])
            sameBits(value, f(x, 1.5))
            sameBits(
              grad(grad(f))(x, 1.5),
              (grad(grad(f), { argnums: [0] })(x, 1.5) as unknown[])[0],
            )
          }
        }
      }),
    )
  })
  it('keeps hasAux, and never returns the argument itself', () => {
    const x = tensor([2])
    const [g, aux] = grad((t: Tensor) => [sum(t), 'aux'] as const, { hasAux: true })(x)
    expect(g.toArray()).toEqual([1])
    expect(aux).toBe('aux')
    const id = (t: Tensor) => t
    expect(grad(id)(tensor(3)).data.buffer).not.toBe(x.data.buffer)
  })
  it('still names bad argnums and non-scalar outputs', () => {
    const f = (x: number) => sin(x)
    expect(() => grad(f, { argnums: 1.5 })(1)).toThrow(InvalidArgumentError)
    expect(() => grad(f, { argnums: -1 })(1)).toThrow(/argnums -1 is out of range/)
    expect(() => (grad(f) as () => unknown)()).toThrow(/called with no arguments/)
    expect(() => grad((x: Tensor) => x)(tensor([1, 2]))).toThrow(/needs a scalar output/)
  })
})

describe('the fast paths keep the tree layout', () => {
  it('nests output-outside, input-inside for one-leaf trees', () => {
    const f = (t: { a: number }) => [mul(sin(t.a), t.a)]
    const expected = Math.cos(2) * 2 + Math.sin(2)
    expect(jacrev(f)({ a: 2 })).toEqual([{ a: expected }])
    expect(jacfwd(f)({ a: 2 })).toEqual([{ a: expected }])
  })
})

describe('the fast paths keep the errors', () => {
  it('names a bad chunkSize, bad argnums and a Promise', () => {
    const f = (x: number) => sin(x)
    expect(() => jacfwd(f, { chunkSize: 0 })(1)).toThrow(InvalidArgumentError)
    expect(() => jacrev(f, { chunkSize: 0 })(1)).toThrow(InvalidArgumentError)
    expect(() => jacfwd(f, { argnums: 2 })(1)).toThrow(/argnums 2 is out of range/)
    expect(() => grad(f, { argnums: 1 })(1)).toThrow(/argnums 1 is out of range/)
    expect(() => valueAndGrad(f, { argnums: [0, 0] })(1)).toThrow(/repeats an index/)
    const g = async (x: number) => sin(x)
    expect(() => jacfwd(g as unknown as typeof f)(1)).toThrow(/returned a Promise/)
    expect(() => jacrev(g as unknown as typeof f)(1)).toThrow(/returned a Promise/)
  })
})

describe('jacrev of an output of a few elements', () => {
  // outputs of 2–4 elements over several leaves and shapes, numbers and tensors, an empty leaf
  const fs: ((x: Tensor) => unknown)[] = [
    (x) => [sum(mul(x, x)), sin(sum(x))],
    (x) => mul(tensor([1, -2, 0.5]), sum(exp(mul(x, 0.1)))),
    (x) =>
      matmul(
        tensor([
          [1, 2, 0],
          [3, 4, -1],
        ]),
        mul(x, x),
      ),
    (x) => ({ a: tanh(sum(x)), b: [mul(sum(x), 2), zeros([0])] }),
    (x) =>
      mul(
        tensor([
          [1, 2],
          [0, -1],
        ]),
        sum(x),
      ),
  ]
  it('has the batched path’s numbers, row by row', () => {
    fc.assert(
      fc.property(inputs, (v) => {
        const x = tensor([v, 1.5, -0.5])
        for (const f of fs) {
          const rows = jacrev(f)(x)
          const batched = jacrev(f, { chunkSize: 4 })(x)
          expect(
            JSON.stringify(rows, (_, t) =>
              t instanceof Tensor ? [t.shape, Array.from(t.data)] : t,
            ),
          ).toBe(
            JSON.stringify(batched, (_, t) =>
              t instanceof Tensor ? [t.shape, Array.from(t.data)] : t,
            ),
          )
        }
      }),
    )
  })
  it('under vmap and jit, the same as the batched path', () => {
    const f = (x: Tensor) => [sum(mul(x, x)), sin(sum(x))]
    const xs = tensor([
      [0.5, 1, 2],
      [-1, 0, 3],
    ])
    const expected = vmap(jacrev(f, { chunkSize: 2 }))(xs) as Tensor[]
    for (const run of [vmap(jacrev(f)), jit(vmap(jacrev(f)))]) {
      for (let call = 0; call < 2; call++) {
        const got = run(xs) as Tensor[]
        expect(got.map((t) => Array.from(t.data))).toEqual(expected.map((t) => Array.from(t.data)))
      }
    }
  })
})
