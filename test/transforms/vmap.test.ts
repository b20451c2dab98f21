/**
 * `vmap` against its definition: `vmap(f)(xs)` equals `f` applied to each example in a JS loop
 * with the results stacked (`loop` in batch-helpers.ts, plain data copies). Covers elementwise
 * ops, broadcasting between batched and unbatched arguments, reductions over axes, every shape
 * op, `matmul` with the batch on either side, `where` and comparisons, trees in and out, and the
 * errors. Elementwise and structural results must agree exactly; reductions and `matmul` may
 * sum in another order, so they get a relative tolerance of 1e-14.
 */
import {
  abs,
  add,
  broadcastTo,
  concat,
  cos,
  div,
  dot,
  equal,
  exp,
  expandDims,
  greater,
  greaterEqual,
  InvalidArgumentError,
  index,
  less,
  logistic,
  logSumExp,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mul,
  neg,
  notEqual,
  outer,
  pad,
  pow,
  prod,
  random,
  reshape,
  ShapeError,
  sin,
  slice,
  sqrt,
  square,
  squeeze,
  stack,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  transpose,
  vmap,
  where,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectTreeClose, loop } from './batch-helpers.ts'

const [k1, k2, k3, k4] = random.split(random.key(7), 4) as [
  random.Key,
  random.Key,
  random.Key,
  random.Key,
]
/** A batch of 5 examples of shape [3]. */
const X = random.normal(k1, [5, 3])
/** Another batch of 5 examples of shape [3]. */
const Y = random.normal(k2, [5, 3])
/** A batch of 4 examples of shape [2, 3, 2]. */
const R = random.normal(k3, [4, 2, 3, 2])
/** A batch of 4 examples of shape [2, 3]. */
const M = random.normal(k4, [4, 2, 3])

type Fn1 = (x: Tensor) => Tensor | number
type Fn2 = (x: Tensor, y: Tensor) => Tensor | number

/** Asserts vmap(f) = loop(f) on the arguments; exact unless a tolerance is given. */
const agrees = <A extends readonly unknown[], B>(
  f: (...args: A) => B,
  args: A,
  inAxes?: readonly (0 | null)[],
  rtol = 0,
) => {
  const batched = vmap(f, inAxes === undefined ? undefined : { inAxes })(...args)
  expectTreeClose(batched, loop(f, inAxes)(...args), rtol, rtol)
}

describe('vmap of elementwise ops', () => {
  const unary: [string, Fn1][] = [
    ['sin', sin],
    ['exp ∘ tanh', (x) => exp(tanh(x))],
    ['square, abs, sqrt', (x) => sqrt(add(abs(x), square(x)))],
    ['logistic, neg', (x) => logistic(neg(x))],
    ['a constant (no dependence on x)', () => tensor([1, 2])],
  ]
  it.each(unary)('%s', (_, f) => agrees(f, [X] as const))

  const binary: [string, Fn2][] = [
    ['add', add],
    ['sub', sub],
    ['mul', mul],
    ['div', (x, y) => div(x, add(2, abs(y)))],
    ['pow', (x, y) => pow(add(1.5, abs(x)), y)],
    ['maximum, minimum', (x, y) => sub(maximum(x, y), minimum(x, mul(0.5, y)))],
  ]
  it.each(binary)('%s: both arguments batched', (_, f) => agrees(f, [X, Y] as const))
  it.each(binary)('%s: second argument unbatched (inAxes null)', (_, f) =>
    agrees(f, [X, tensor([0.5, -1, 2])] as const, [0, null]),
  )
  it.each(binary)('%s: first argument unbatched (inAxes null)', (_, f) =>
    agrees(f, [tensor([0.5, -1, 2]), Y] as const, [null, 0]),
  )

  it('broadcasting inside an example: [3] with [2, 1], both batched', () => {
    const Z = random.normal(random.key(11), [5, 2, 1])
    agrees(mul, [X, Z] as const)
    expect(vmap((a: Tensor, b: Tensor) => mul(a, b))(X, Z).shape).toEqual([5, 2, 3])
  })

  it('an unbatched argument of higher rank than the example lines up on the right', () => {
    const U = tensor([
      [1, 2, 3],
      [-1, 0, 4],
    ])
    agrees(sub, [X, U] as const, [0, null])
    const subT = (a: Tensor, b: Tensor) => sub(a, b)
    expect(vmap(subT, { inAxes: [0, null] })(X, U).shape).toEqual([5, 2, 3])
    agrees(sub, [U, X] as const, [null, 0])
  })

  it('an unbatched number, and an unbatched rank-0 tensor', () => {
    agrees((x: Tensor, c: number) => mul(x, c), [X, 2.5] as const, [0, null])
    agrees((x: Tensor, c: Tensor) => add(x, c), [X, tensor(3)] as const, [0, null])
  })

  it('a batch of scalars (rank-1 batch) in and out', () => {
    const s = tensor([0.5, 1, 2])
    agrees((x: Tensor) => mul(sin(x), x), [s] as const)
    expect(vmap((x: Tensor) => mul(x, 2))(s).toArray()).toEqual([1, 2, 4])
  })
})

describe('vmap of reductions over axes', () => {
  const cases: [string, Fn1][] = [
    ['sum over all axes', (x) => sum(x)],
    ['sum over axis 0', (x) => sum(x, 0)],
    ['sum over axes [0, 2]', (x) => sum(x, [0, 2])],
    ['sum over axis −1, keepdims', (x) => sum(x, -1, { keepdims: true })],
    ['mean over axis 1', (x) => mean(x, 1)],
    ['max over all axes', (x) => max(x)],
    ['max over axis 1', (x) => max(x, 1)],
    ['min over axes [1, 2]', (x) => min(x, [1, 2])],
    ['prod over axis 1 (odd length 3)', (x) => prod(x, 1)],
    ['prod over all axes', (x) => prod(x)],
    ['logSumExp over axis 2', (x) => logSumExp(x, 2)],
    ['logSumExp over all axes', (x) => logSumExp(x)],
  ]
  it.each(cases)('%s', (_, f) => agrees(f, [R] as const, undefined, 1e-14))

  it('sum over axis 0 of the example is not the batch axis', () => {
    // by hand: example rows [1, 2] and [3, 4] sum to 3 and 7, never to [4, 6]
    const b = tensor([
      [1, 2],
      [3, 4],
    ])
    expect(vmap((x: Tensor) => sum(x, 0))(b).toArray()).toEqual([3, 7])
  })
})

describe('vmap of shape ops', () => {
  const cases: [string, Fn1][] = [
    ['reshape [3, -1]', (x) => reshape(x, [3, -1])],
    ['reshape to rank 0 and back', (x) => reshape(reshape(index(x, 0), [1, 3, 2]), [6])],
    ['transpose [1, 0, 2]', (x) => transpose(x, [1, 0, 2])],
    ['transpose (reversed)', (x) => transpose(x)],
    ['broadcastTo [2, 2, 3, 2]', (x) => broadcastTo(x, [2, 2, 3, 2])],
    ['broadcastTo from size-1 axes', (x) => broadcastTo(sum(x, 1, { keepdims: true }), [2, 4, 2])],
    ['slice with steps', (x) => slice(x, [0, 1, 0], [2, 3, 2], [1, 1, 2])],
    ['slice with negative start', (x) => slice(x, [-1])],
    [
      'pad (with a value)',
      (x) =>
        pad(
          x,
          [
            [1, 0],
            [0, 2],
            [1, 1],
          ],
          7,
        ),
    ],
    ['concat with itself along axis 1', (x) => concat([x, neg(x)], 1)],
    ['concat with an unbatched constant', (x) => concat([x, broadcastTo(tensor(9), [1, 3, 2])])],
    ['stack along axis 1', (x) => stack([x, exp(x)], 1)],
    ['expandDims at 1', (x) => expandDims(x, 1)],
    ['expandDims then squeeze', (x) => squeeze(expandDims(x, -1), 3)],
    ['squeeze all size-1 axes', (x) => squeeze(slice(x, [0, 1], [1, 2]))],
    ['index 1 along axis 1', (x) => index(x, 1, 1)],
    ['index −1 along axis 0', (x) => index(x, -1)],
  ]
  it.each(cases)('%s', (_, f) => agrees(f, [R] as const))

  it('concat and stack of a batched and an unbatched argument', () => {
    const c = tensor([10, 20, 30])
    agrees((x: Tensor, y: Tensor) => concat([x, y]), [X, c] as const, [0, null])
    const pair = (x: Tensor, y: Tensor) => stack([y, x], 1)
    agrees(pair, [X, c] as const, [0, null])
    expect(vmap(pair, { inAxes: [0, null] })(X, c).shape).toEqual([5, 3, 2])
  })
})

describe('vmap of matmul, dot, outer', () => {
  const A = tensor([
    [1, -2],
    [0.5, 3],
    [2, 1],
  ]) // [3, 2]
  const N = random.normal(random.key(3), [4, 3, 2])
  it('batched lhs, unbatched rhs', () => agrees(matmul, [M, A] as const, [0, null], 1e-14))
  it('unbatched lhs, batched rhs', () =>
    agrees(matmul, [transpose(A), N] as const, [null, 0], 1e-14))
  it('both batched', () => agrees(matmul, [M, N] as const, undefined, 1e-14))
  it('matrix · vector with the vector batched', () =>
    agrees(matmul, [transpose(A), X] as const, [null, 0], 1e-14))
  it('vector · matrix with both batched', () => {
    const V = random.normal(random.key(5), [4, 2])
    agrees(matmul, [V, M] as const, undefined, 1e-14)
  })
  it('a rank-3 unbatched operand broadcasts against the batch', () => {
    const B3 = random.normal(random.key(6), [2, 3, 4])
    agrees(matmul, [M, B3] as const, [0, null], 1e-14)
    expect(vmap(matmul, { inAxes: [0, null] })(M, B3).shape).toEqual([4, 2, 2, 4])
  })
  it('dot and outer', () => {
    agrees(dot, [X, Y] as const, undefined, 1e-14)
    agrees(outer, [X, Y] as const)
  })
})

describe('vmap of where and comparisons', () => {
  const cmp: [string, Fn2][] = [
    ['less', less],
    ['greater', greater],
    ['greaterEqual', greaterEqual],
    ['equal (with ties)', (x, y) => equal(x, where(less(y, 0), x, y))],
    ['notEqual', notEqual],
  ]
  it.each(cmp)('%s', (_, f) => agrees(f, [X, Y] as const))

  it('where with a batched condition and unbatched branches', () =>
    agrees(
      (c: Tensor, a: Tensor, b: Tensor) => where(c, a, b),
      [greater(X, 0) as Tensor, tensor([1, 2, 3]), tensor(-1)] as const,
      [0, null, null],
    ))
  it('where with an unbatched condition and batched branches', () =>
    agrees(
      (c: Tensor, a: Tensor, b: Tensor) => where(c, a, b),
      [tensor([1, 0, 1]), X, Y] as const,
      [null, 0, 0],
    ))
  it('where with everything batched, computed from x', () =>
    agrees((x: Tensor) => where(greater(x, 0), sqrt(x), cos(x)), [X] as const))
})

describe('vmap on trees', () => {
  it('object in, array out', () => {
    const f = (p: { a: Tensor; b: Tensor }) => [sum(mul(p.a, p.b)), { d: sub(p.a, p.b) }]
    agrees(f, [{ a: X, b: Y }] as const, undefined, 1e-14)
  })
})

describe('vmap errors', () => {
  it('batched leaves with different batch sizes → ShapeError', () => {
    expect(() => vmap(add)(X, M)).toThrow(ShapeError)
    expect(() => vmap((p: { a: Tensor; b: Tensor }) => add(p.a, p.b))({ a: X, b: R })).toThrow(
      ShapeError,
    )
  })
  it('a scalar leaf in a batched argument → InvalidArgumentError', () => {
    expect(() => vmap((x: number) => x)(3)).toThrow(InvalidArgumentError)
    expect(() => vmap((x: Tensor) => x)(tensor(3))).toThrow(InvalidArgumentError)
    expect(() => vmap((p: [Tensor, number]) => p[1])([X, 2])).toThrow(InvalidArgumentError)
  })
  it('inAxes of the wrong length, or nothing batched → InvalidArgumentError', () => {
    expect(() => vmap(add, { inAxes: [0] })(X, Y)).toThrow(InvalidArgumentError)
    expect(() => vmap(add, { inAxes: [null, null] })(X, Y)).toThrow(InvalidArgumentError)
  })
  it('a shape error inside f is still a ShapeError', () => {
    expect(() => vmap((x: Tensor) => add(x, tensor([1, 2])))(X)).toThrow(ShapeError)
  })
})
