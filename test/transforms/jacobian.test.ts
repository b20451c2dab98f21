/**
 * `jacfwd` and `jacrev`: layout and kinds. For an input leaf of shape S and an output leaf of
 * shape T the block has shape T ++ S — never transposed; numbers in and out give numbers; trees
 * nest output-outside, input-inside. Also `argnums`, chunking (`chunkSize` 1, 2, 3 and the
 * default give identical Jacobians), control flow on primals, `vmap` of Jacobians, and the
 * errors. Expected Jacobians are worked out by hand (in comments) and built with plain loops.
 */
import {
  add,
  exp,
  grad,
  InvalidArgumentError,
  index,
  jacfwd,
  jacrev,
  matmul,
  mul,
  neg,
  random,
  scalar,
  sin,
  square,
  stack,
  sum,
  type Tensor,
  tensor,
  transpose,
  value,
  vmap,
  zeros,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose, expectNumber, expectTensor } from '../helpers.ts'
import { at, expectTreeClose, fromIndex, loop } from './batch-helpers.ts'

const modes = [
  ['jacfwd', jacfwd],
  ['jacrev', jacrev],
] as const

describe.each(modes)('%s: layout T ++ S', (_, jac) => {
  it('numbers in and out give a number: d(x·sin x) = sin x + x·cos x', () => {
    const d = jac((x: number) => mul(x, sin(x)))(2)
    expectClose(expectNumber(d), Math.sin(2) + 2 * Math.cos(2), 1e-15, 0)
  })

  it('a non-square map ℝ³ → ℝ² has a 2×3 Jacobian, row i = ∇fᵢ', () => {
    // f(x) = [x₀x₁ + x₂, sin(x₂)·x₀] at (1, 2, 3): J = [[x₁, x₀, 1], [sin x₂, 0, x₀ cos x₂]]
    const f = (x: Tensor) => {
      const [x0, x1, x2] = [index(x, 0), index(x, 1), index(x, 2)]
      return stack([add(mul(x0, x1), x2), mul(sin(x2), x0)])
    }
    const J = expectTensor(jac(f)(tensor([1, 2, 3])), [2, 3])
    expectClose(
      J,
      tensor([
        [2, 1, 1],
        [Math.sin(3), 0, Math.cos(3)],
      ]),
      1e-15,
      0,
    )
  })

  it('matrices: d(A·X)/dX has shape [4, 3, 2, 3], entries A[i][k]·δ(j, l)', () => {
    const A = tensor([
      [1, 2],
      [3, 4],
      [-1, 0.5],
      [2, -3],
    ])
    const X = random.normal(random.key(1), [2, 3])
    const J = expectTensor(jac((x: Tensor) => matmul(A, x))(X), [4, 3, 2, 3])
    expectClose(
      J,
      fromIndex([4, 3, 2, 3], ([i, j, k, l]) => (j === l ? at(A, [i!, k!]) : 0)),
      0,
      0,
    )
  })

  it('rank-0 tensors in and out give a rank-0 tensor: d(x·eˣ) = (1 + x)·eˣ', () => {
    const d = expectTensor(jac((x: Tensor) => mul(x, exp(x)))(scalar(0.5)), [])
    expectClose(d, (1 + 0.5) * Math.exp(0.5), 1e-15, 0)
  })

  it('a number in, a tensor out: the block has the output’s shape', () => {
    const C = tensor([[[1, -2, 3]], [[0.5, 0, 4]]]) // [2, 1, 3]
    // d(t²·C)/dt = 2t·C
    const d = expectTensor(jac((t: number) => mul(mul(t, t), C))(1.5), [2, 1, 3])
    expectClose(d, mul(3, C), 0, 0)
  })

  it('rank 3 in, rank 3 out: sin(transpose(x, [2, 0, 1])), x of shape [2, 3, 4]', () => {
    const x = random.normal(random.key(2), [2, 3, 4])
    // y[i, j, k] = sin(x[j, k, i]), so ∂y[i, j, k]/∂x[a, b, c] = cos(x[j, k, i]) where (a, b, c) = (j, k, i)
    const J = expectTensor(jac((v: Tensor) => sin(transpose(v, [2, 0, 1])))(x), [4, 2, 3, 2, 3, 4])
    const expected = fromIndex([4, 2, 3, 2, 3, 4], ([i, j, k, a, b, c]) =>
      a === j && b === k && c === i ? Math.cos(at(x, [j!, k!, i!])) : 0,
    )
    expectClose(J, expected, 0, 0)
  })

  it('rank 3 in, scalar out: the block has the input’s shape, d Σx³ = 3x²', () => {
    const x = random.normal(random.key(3), [2, 3, 2])
    const J = expectTensor(jac((v: Tensor) => sum(mul(v, square(v))))(x), [2, 3, 2])
    expectClose(
      J,
      fromIndex([2, 3, 2], (ix) => 3 * at(x, ix) ** 2),
      1e-15,
      0,
    )
  })

  it('trees: output outside, input inside, each block with its own kind', () => {
    const f = (p: { a: number; b: Tensor }) =>
      [mul(p.b, p.a), { s: sum(square(p.b)), t: mul(p.a, p.a) }] as const
    const b = tensor([1, 3])
    const J = jac(f)({ a: 2, b })
    // J[0] = ∂(a·b) = { a: b, b: a·I }
    expectClose(expectTensor(J[0].a, [2]), b, 0, 0)
    expectClose(
      expectTensor(J[0].b, [2, 2]),
      tensor([
        [2, 0],
        [0, 2],
      ]),
      0,
      0,
    )
    // J[1].s = ∂Σb² = { a: 0 (rank 0: Σ gives a tensor), b: 2b }
    expectClose(expectTensor(J[1].s.a, []), 0, 0, 0)
    expectClose(expectTensor(J[1].s.b, [2]), tensor([2, 6]), 0, 0)
    // J[1].t = ∂a² = { a: 2a (a number: number out, number in), b: 0 }
    expect(expectNumber(J[1].t.a)).toBe(4)
    expectClose(expectTensor(J[1].t.b, [2]), tensor([0, 0]), 0, 0)
  })

  it('a constant output has a zero Jacobian of the right shape', () => {
    expectClose(jac((_: Tensor) => tensor([1, 2, 3]))(tensor([1, 2])), [
      [0, 0],
      [0, 0],
      [0, 0],
    ])
    expect(jac((_: number) => 5)(2)).toBe(0)
  })

  it('plain JS branches on primals work inside', () => {
    const f = (x: number) => (value(x) > 0 ? mul(x, x) : neg(x))
    expect(jac(f)(3)).toBe(6)
    expect(jac(f)(-3)).toBe(-1)
  })
})

describe('argnums', () => {
  const g = (a: number, b: Tensor, c: number) => mul(mul(a, b), sin(c))
  const b = tensor([1, -2])
  const [a, c] = [2, 0.5]
  // ∂/∂b = a·sin c · I, ∂/∂a = b·sin c, ∂/∂c = a·b·cos c
  const db = mul(
    a * Math.sin(c),
    tensor([
      [1, 0],
      [0, 1],
    ]),
  )
  const da = tensor([Math.sin(c), -2 * Math.sin(c)])
  const dc = tensor([a * Math.cos(c), -2 * a * Math.cos(c)])

  it('a number picks one argument', () => {
    expectClose(jacfwd(g, { argnums: 1 })(a, b, c), db, 1e-15, 0)
    expectClose(jacrev(g, { argnums: 1 })(a, b, c), db, 1e-15, 0)
  })

  it('a list gives a tuple, in the order of the list', () => {
    for (const [ja, jc] of [
      jacfwd(g, { argnums: [0, 2] })(a, b, c),
      jacrev(g, { argnums: [0, 2] })(a, b, c),
    ]) {
      expectClose(expectTensor(ja, [2]), da, 1e-15, 0)
      expectClose(expectTensor(jc, [2]), dc, 1e-15, 0)
    }
    for (const [jc, ja] of [
      jacfwd(g, { argnums: [2, 0] })(a, b, c),
      jacrev(g, { argnums: [2, 0] })(a, b, c),
    ]) {
      expectClose(expectTensor(ja, [2]), da, 1e-15, 0)
      expectClose(expectTensor(jc, [2]), dc, 1e-15, 0)
    }
  })
})

describe('zero-size inputs and outputs: empty blocks of shape T ++ S in both modes, as JAX', () => {
  it.each(modes)(
    '%s of an empty input (QA: jacfwd threw "the input has no elements")',
    (_, jac) => {
      const f = (x: Tensor) => add(sum(x), tensor([1, 2]))
      expect(expectTensor(jac(f)(zeros([0])), [2, 0]).size).toBe(0)
      const g = (p: { e: Tensor; n: [] }) => ({ s: sum(p.e), t: mul(p.e, 2) })
      const J = jac(g)({ e: zeros([0, 3]), n: [] })
      expectTensor(J.s.e, [0, 3])
      expectTensor(J.t.e, [0, 3, 0, 3])
      expect(J.s.n).toEqual([])
    },
  )

  it.each(modes)('%s of an empty output (QA: jacrev threw)', (_, jac) => {
    const f = (x: Tensor) => mul(x, zeros([0, 1]))
    expectTensor(jac(f)(tensor([1, 2])), [0, 2, 2])
    expectTensor(jac((x: number) => mul(x, zeros([0])))(3), [0])
    expect(jac((_x: Tensor) => ({}))(tensor([1, 2]))).toEqual({})
  })

  it('with argnums [] (QA: jacfwd threw, jacrev gave [])', () => {
    const g = (a: number, b: number) => mul(a, b)
    expect(jacfwd(g, { argnums: [] })(1, 2)).toEqual([])
    expect(jacrev(g, { argnums: [] })(1, 2)).toEqual([])
  })

  it.each(modes)('%s with hasAux of an empty input still returns the aux', (_, jac) => {
    const [J, aux] = jac((x: Tensor) => [sum(x), 'note'] as const, { hasAux: true })(zeros([0]))
    expectTensor(J, [0])
    expect(aux).toBe('note')
  })
})

describe('chunking', () => {
  // ℝ⁵ → ℝ⁴, so chunks of 2 and 3 leave a remainder on either side
  const W = random.normal(random.key(4), [4, 5])
  const f = (x: Tensor) => mul(sin(matmul(W, x)), sum(square(x)))
  const x = random.normal(random.key(5), [5])

  it.each(modes)(
    '%s: chunkSize 1, 2, 3, 100 and the default give identical Jacobians',
    (_, jac) => {
      const reference = jac(f)(x)
      expect(reference.shape).toEqual([4, 5])
      for (const chunkSize of [1, 2, 3, 100]) {
        expectClose(jac(f, { chunkSize })(x), reference, 0, 0)
      }
    },
  )

  it('chunks cross tree leaves: a { u: [2], v: [3] } input with chunkSize 2', () => {
    const g = (p: { u: Tensor; v: Tensor }) => mul(sum(mul(p.u, p.u)), p.v)
    const p = { u: tensor([1, 2]), v: tensor([3, 4, 5]) }
    // ∂/∂u = 2u ⊗ v (rows over v's entries), ∂/∂v = |u|²·I
    const expected = {
      u: fromIndex([3, 2], ([i, j]) => 2 * at(p.u, [j!]) * at(p.v, [i!])),
      v: fromIndex([3, 3], ([i, j]) => (i === j ? 5 : 0)),
    }
    for (const chunkSize of [1, 2, 4]) {
      expectTreeClose(jacfwd(g, { chunkSize })(p), expected)
      expectTreeClose(jacrev(g, { chunkSize })(p), expected)
    }
  })

  it('a chunkSize that is not a positive integer → InvalidArgumentError', () => {
    for (const chunkSize of [0, -1, 2.5, Number.NaN]) {
      expect(() => jacfwd(f, { chunkSize })(x)).toThrow(InvalidArgumentError)
      expect(() => jacrev(f, { chunkSize })(x)).toThrow(InvalidArgumentError)
    }
  })

  it('argnums out of range → InvalidArgumentError', () => {
    expect(() => jacfwd(f, { argnums: 1 })(x)).toThrow(InvalidArgumentError)
    expect(() => jacrev(f, { argnums: [0, 0] })(x)).toThrow(InvalidArgumentError)
  })
})

describe('Jacobians inside other transformations', () => {
  const f = (x: Tensor) => mul(sin(x), sum(square(x)))
  const X = random.normal(random.key(6), [4, 3])

  it.each(modes)('vmap(%s(f)) equals a loop of per-example Jacobians', (_, jac) => {
    expectTreeClose(vmap(jac(f))(X), loop(jac(f))(X), 1e-14, 1e-14)
  })

  it('jacfwd of vmap is block diagonal: examples do not interact', () => {
    const J = expectTensor(jacfwd(vmap(f))(X), [4, 3, 4, 3])
    const blocks = loop(jacfwd(f))(X)
    expectClose(
      J,
      fromIndex([4, 3, 4, 3], ([b, i, c, j]) => (b === c ? at(blocks, [b!, i!, j!]) : 0)),
      1e-14,
      1e-14,
    )
  })

  it('grad of Σ jacfwd(∇-like) gives the Hessian’s row sums', () => {
    // h(x) = Σ xᵢ²·xᵢ₊₁ on ℝ³; ∇h = [2x₀x₁, x₀² + 2x₁x₂, x₁²]; H·1 = [2x₁ + 2x₀, 2x₀ + 2x₂ + 2x₁, 2x₁]
    const h = (v: Tensor) => {
      const [a, b, c] = [index(v, 0), index(v, 1), index(v, 2)]
      return add(mul(mul(a, a), b), mul(mul(b, b), c))
    }
    const [a, b, c] = [0.5, -1, 2]
    const expected = tensor([2 * b + 2 * a, 2 * a + 2 * c + 2 * b, 2 * b])
    for (const jac of [jacfwd, jacrev]) {
      expectClose(grad((v: Tensor) => sum(jac(h)(v)))(tensor([a, b, c])), expected, 1e-15, 1e-15)
    }
  })
})
