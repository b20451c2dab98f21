/**
 * `einsum` against a loop-by-loop reference (einsum-reference.ts) on random specs over random
 * shapes — permutations, traces, diagonals, `...` batch axes that broadcast, implicit outputs,
 * 1–4 operands — with small integer entries, so values agree exactly. Derivatives: einsum is
 * linear in each operand, so its jvp in operand i is the einsum with that operand replaced by
 * the tangent, and its vjp is the adjoint of that (⟨W, jvp(T)⟩ = ⟨vjp(W), T⟩), both checked
 * on random specs; then hand identities through grad, jacfwd, jacrev, hessian, vmap and jit;
 * the greedy contraction order; and the errors, whose messages point at the character.
 */
import fc from 'fast-check'
import {
  derivative,
  einsum,
  grad,
  hessian,
  InvalidArgumentError,
  jacfwd,
  jacrev,
  jit,
  jvp,
  matmul,
  mul,
  ShapeError,
  stack,
  sum,
  Tensor,
  tensor,
  transpose,
  vjp,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { greedyPath } from '../../src/primitives/einsum.ts'
import { expectClose } from '../helpers.ts'
import {
  type Arr,
  einsumRef,
  fromTensor,
  type Problem,
  problemArb,
  toTensor,
} from './einsum-reference.ts'

const exact = (actual: unknown, expected: Arr | Tensor) =>
  expectClose(actual, expected instanceof Tensor ? expected : toTensor(expected), 0, 0)
const dotAll = (a: Arr, b: Arr) => a.data.reduce((s, x, i) => s + x * b.data[i]!, 0)
/** An array like `a` with other small integers (a tangent or cotangent). */
const shuffled = (a: Arr, salt: number): Arr => ({
  shape: a.shape,
  data: a.data.map((_, i) => ((i * 7 + salt * 3) % 5) - 2),
})
const run = (p: Problem) => einsum(p.spec, ...p.ops.map(toTensor))

describe('einsum: values against the loop-by-loop reference', () => {
  it('known values (checked with NumPy)', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ])
    const v = tensor([1, -1])
    exact(
      einsum('ij,jk->ik', a, a),
      tensor([
        [7, 10],
        [15, 22],
      ]),
    )
    exact(
      einsum('ij,jk', a, a),
      tensor([
        [7, 10],
        [15, 22],
      ]),
    )
    exact(einsum('ii', a), tensor(5))
    exact(einsum('ii->i', a), tensor([1, 4]))
    exact(einsum('ij->', a), tensor(10))
    exact(
      einsum('ji', a),
      tensor([
        [1, 3],
        [2, 4],
      ]),
    )
    exact(einsum('ij', a), a)
    exact(einsum('Ba', a), a) // implicit order is by char code: 'B' before 'a'
    exact(
      einsum('i,j', v, tensor([2, 3, 4])),
      tensor([
        [2, 3, 4],
        [-2, -3, -4],
      ]),
    )
    exact(einsum(' i j , j -> i ', a, v), tensor([-1, -1]))
    exact(
      einsum('...ij,...j->...i', tensor([a.toArray(), a.toArray()]), v),
      tensor([
        [-1, -1],
        [-1, -1],
      ]),
    )
    exact(einsum(',i', 2, v), tensor([2, -2]))
    exact(einsum('', 3), tensor(3))
    // a '...' axis of size 1 broadcasts
    exact(einsum('...i,...i->...', tensor([[1, 2]]), a), tensor([5, 11]))
    // sizes 0: an empty sum is 0
    exact(
      einsum('ij,jk->ik', tensor([], [2, 0]), tensor([], [0, 3])),
      tensor([
        [0, 0, 0],
        [0, 0, 0],
      ]),
    )
  })

  it('random specs, 1–4 operands', () => {
    fc.assert(
      fc.property(problemArb(), (p) => {
        exact(run(p), einsumRef(p.spec, p.ops))
      }),
    )
  })

  it('three-axis diagonals and traces: iii, iij, iji, and two repeated labels', () => {
    const x = toTensor({ shape: [3, 3, 3], data: Array.from({ length: 27 }, (_, i) => i - 13) })
    const ref = (s: string) => einsumRef(s, [fromTensor(x)])
    for (const s of ['iii->i', 'iii', 'iij->ij', 'iji->j', 'iji->ji', 'iij', 'ijj->']) {
      exact(einsum(s, x), ref(s))
    }
    const y = toTensor({ shape: [2, 3, 2, 3], data: Array.from({ length: 36 }, (_, i) => i % 7) })
    exact(einsum('ijij->ij', y), einsumRef('ijij->ij', [fromTensor(y)]))
    exact(einsum('ijij->', y), einsumRef('ijij->', [fromTensor(y)]))
  })

  it('diagonals are exact: off-diagonal ∞ and NaN never reach the result; size 0 traces are 0', () => {
    const m = tensor([
      [1, Number.POSITIVE_INFINITY],
      [Number.NaN, 2],
    ])
    exact(einsum('ii->i', m), tensor([1, 2]))
    exact(einsum('ii', m), tensor(3))
    exact(
      grad((x: Tensor) => einsum('ii', x))(m),
      tensor([
        [1, 0],
        [0, 1],
      ]),
    )
    exact(einsum('ii', tensor([], [0, 0])), tensor(0))
    expect(einsum('ii->i', tensor([], [0, 0])).shape).toEqual([0])
  })

  it('bij,bjk->bik is matmul', () => {
    const a = toTensor({
      shape: [3, 2, 4],
      data: Array.from({ length: 24 }, (_, i) => (i % 5) - 2),
    })
    const b = toTensor({
      shape: [3, 4, 2],
      data: Array.from({ length: 24 }, (_, i) => (i % 3) - 1),
    })
    exact(einsum('bij,bjk->bik', a, b), matmul(a, b))
    exact(einsum('bji,bjk->bik', transpose(a, [0, 2, 1]), b), matmul(a, b))
    exact(einsum('bij,bkj->bki', a, transpose(b, [0, 2, 1])), transpose(matmul(a, b), [0, 2, 1]))
  })
})

describe('einsum: derivatives are einsums', () => {
  /** f in operand i, the others fixed. */
  const inOperand = (p: Problem, i: number) => (x: Tensor) =>
    einsum(p.spec, ...p.ops.map((o, j) => (j === i ? x : toTensor(o))))

  it('jvp in each operand is the einsum with the tangent in its place (linearity)', () => {
    fc.assert(
      fc.property(problemArb(3), (p) => {
        p.ops.forEach((o, i) => {
          const t = shuffled(o, i)
          const [, yDot] = jvp(inOperand(p, i), [toTensor(o)], [toTensor(t)])
          exact(
            yDot,
            einsumRef(
              p.spec,
              p.ops.map((q, j) => (j === i ? t : q)),
            ),
          )
        })
      }),
    )
  })

  it('vjp is its adjoint: ⟨W, jvp(T)⟩ = ⟨vjp(W), T⟩', () => {
    fc.assert(
      fc.property(problemArb(3), (p) => {
        const y = einsumRef(p.spec, p.ops)
        const w = shuffled(y, 5)
        p.ops.forEach((o, i) => {
          const t = shuffled(o, i)
          const [, pullback] = vjp(inOperand(p, i), toTensor(o))
          const [xBar] = pullback(toTensor(w))
          const yDot = einsumRef(
            p.spec,
            p.ops.map((q, j) => (j === i ? t : q)),
          )
          expect(dotAll(fromTensor(xBar as Tensor), t)).toBe(dotAll(w, yDot))
        })
      }),
    )
  })

  it('jacfwd = jacrev, vmap = a loop, jit (second call) = eager', () => {
    fc.assert(
      fc.property(problemArb(3), (p) => {
        const f = inOperand(p, 0)
        const x = toTensor(p.ops[0]!)
        exact(jacfwd(f)(x), jacrev(f)(x))
        const other = toTensor(shuffled(p.ops[0]!, 3))
        exact(vmap(f)(stack([x, other])), stack([f(x), f(other)]))
        const g = jit(f)
        g(other)
        exact(g(x), f(x))
      }),
      { numRuns: Math.ceil(Number(process.env.FC_NUM_RUNS ?? 100) / 4) },
    )
  })

  const A = tensor([
    [1, 2, 0],
    [-1, 3, 2],
  ])
  const B = tensor([
    [2, 1],
    [0, -1],
    [1, 1],
  ])
  const W = tensor([
    [1, -2],
    [3, 1],
  ])

  it("∂/∂A einsum('ij,jk->', A, B) is B summed over k, for every i", () => {
    const rowSums = sum(B, 1)
    exact(grad((a: Tensor) => einsum('ij,jk->', a, B))(A), stack([rowSums, rowSums]))
  })

  it('⟨einsum(ij,jk->ik), W⟩: Ā = einsum(ik,jk->ij, W, B), B̄ = einsum(ij,ik->jk, A, W)', () => {
    const f = (a: Tensor, b: Tensor) => sum(mul(einsum('ij,jk->ik', a, b), W))
    const [aBar, bBar] = grad(f, { argnums: [0, 1] })(A, B)
    exact(aBar, einsum('ik,jk->ij', W, B))
    exact(bBar, einsum('ij,ik->jk', A, W))
    exact(
      jacrev((a: Tensor) => einsum('ij,jk->ik', a, B))(A),
      jacfwd((a: Tensor) => matmul(a, B))(A),
    )
  })

  it('trace and diagonal: grad of ii is I; the pullback of ii->i embeds a diagonal', () => {
    const M = tensor([
      [1, 2],
      [3, 4],
    ])
    exact(
      grad((m: Tensor) => einsum('ii', m))(M),
      tensor([
        [1, 0],
        [0, 1],
      ]),
    )
    const [, pullback] = vjp((m: Tensor) => einsum('ii->i', m), M)
    exact(
      pullback(tensor([5, -7]))[0],
      tensor([
        [5, 0],
        [0, -7],
      ]),
    )
    exact(
      jacfwd((m: Tensor) => einsum('ii->i', m))(M),
      jacrev((m: Tensor) => einsum('ii->i', m))(M),
    )
  })

  it('hessian of xᵀAx as einsum(i,ij,j) is A + Aᵀ; of Σ xᵢ³ is 6·diag(x)', () => {
    const S = tensor([
      [1, 2],
      [-3, 4],
    ])
    const x = tensor([0.5, -2])
    exact(
      hessian((v: Tensor) => einsum('i,ij,j->', v, S, v))(x),
      tensor([
        [2, -1],
        [-1, 8],
      ]),
    )
    exact(
      hessian((v: Tensor) => einsum('i,i,i->', v, v, v))(x),
      tensor([
        [3, 0],
        [0, -12],
      ]),
    )
    exact(
      jacfwd(jacrev((v: Tensor) => einsum('i,ij,j->', v, S, v)))(x),
      tensor([
        [2, -1],
        [-1, 8],
      ]),
    )
  })

  it('Taylor mode: the k-th derivative of t ↦ einsum(i,i->, t·v, t²·v) = t³·|v|²', () => {
    const v = tensor([1, 2, 3])
    const f = (t: number) => einsum('i,i->', mul(t, v), mul(mul(t, t), v)) as unknown as number
    exact(derivative(f, 1)(2), tensor(3 * 4 * 14))
    exact(derivative(f, 3)(2), tensor(6 * 14))
  })

  it('grad under vmap and jit: per-example gradients of a batched contraction', () => {
    const loss = (a: Tensor, x: Tensor) =>
      sum(mul(einsum('ij,j->i', a, x), einsum('ij,j->i', a, x)))
    const xs = tensor([
      [1, 0, 2],
      [0, 1, -1],
    ])
    const perExample = vmap((x: Tensor) => grad(loss)(A, x))(xs)
    const looped = stack([grad(loss)(A, tensor([1, 0, 2])), grad(loss)(A, tensor([0, 1, -1]))])
    exact(perExample, looped)
    const compiled = jit((a: Tensor, x: Tensor) => grad(loss)(a, x))
    compiled(A, tensor([1, 1, 1]))
    exact(compiled(A, tensor([1, 0, 2])), grad(loss)(A, tensor([1, 0, 2])))
  })
})

describe('einsum: contraction order', () => {
  const code = (s: string) => [...s].map((c) => c.charCodeAt(0))
  const sizes = (pairs: Record<string, number>) =>
    new Map(Object.entries(pairs).map(([k, n]) => [k.charCodeAt(0), n]))

  it('a matrix chain times a vector contracts from the vector (never the n³ product)', () => {
    const s = sizes({ i: 100, j: 100, k: 100 })
    expect(greedyPath([code('ij'), code('jk'), code('k')], code('i'), s)).toEqual([
      [1, 2],
      [0, 1],
    ])
  })

  it('the smallest intermediate first: a [2, 50]·[50, 50]·[50, 50] chain starts at the thin end', () => {
    const s = sizes({ a: 2, b: 50, c: 50, d: 50 })
    expect(greedyPath([code('cd'), code('bc'), code('ab')], code('ad'), s)[0]).toEqual([1, 2])
  })

  it('outer products last, smallest first', () => {
    const s = sizes({ a: 5, b: 2, c: 3 })
    expect(greedyPath([code('a'), code('b'), code('c')], code('abc'), s)).toEqual([
      [1, 2],
      [0, 1],
    ])
  })
})

describe('einsum: errors point at the character', () => {
  const a = tensor([
    [1, 2],
    [3, 4],
  ])
  const caretAt = (spec: string, at: number) => `    ${spec}\n    ${' '.repeat(at)}^`
  const throwsWith = (f: () => unknown, kind: typeof ShapeError, ...parts: string[]) => {
    let error: unknown
    try {
      f()
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(kind)
    for (const p of parts) expect((error as Error).message).toContain(p)
  }

  it.each([
    ['i.j', 1, "'.' outside an ellipsis"],
    ['i$j', 1, 'unexpected character "$"'],
    ['ij->k', 4, "output label 'k' is in no operand"],
    ['ij->ii', 5, "output label 'i' repeated"],
    ['ij->i,j', 5, "a ',' in the output"],
    ['ij->i->j', 5, "a second '->'"],
    ['i-j', 1, "'-' without '>'"],
    ['ij>', 2, "'>' without '-'"],
    ['......', 3, "a second '...'"],
    ['i1', 1, 'unexpected character "1"'],
  ])('%s: InvalidArgumentError with a caret at %i', (spec, at, what) => {
    throwsWith(() => einsum(spec, a), InvalidArgumentError, what, caretAt(spec, at), 'in einsum')
  })

  it('operand count, rank, label sizes and batch broadcasting', () => {
    throwsWith(() => einsum('ij,jk', a), InvalidArgumentError, 'name 2 operand(s), got 1')
    throwsWith(() => einsum('ij', a, a), InvalidArgumentError, 'name 1 operand(s), got 2')
    throwsWith(() => einsum('ijk', a), ShapeError, 'operand 0 has rank 2', caretAt('ijk', 0))
    throwsWith(
      () => einsum('ij,jk', a, tensor([1, 2])),
      ShapeError,
      'operand 1 has rank 1',
      caretAt('ij,jk', 3),
    )
    throwsWith(
      () => einsum('ij,jk', a, tensor([[1, 2, 3]])),
      ShapeError,
      "label 'j' has size 1 in operand 1 but size 2 in operand 0",
      caretAt('ij,jk', 3),
    )
    throwsWith(
      () => einsum('ii', tensor([[1, 2, 3]])),
      ShapeError,
      "label 'i' has sizes 1 and 3",
      caretAt('ii', 1),
    )
    throwsWith(
      () =>
        einsum(
          '...i,...i',
          tensor([
            [1, 2],
            [3, 4],
          ]),
          tensor([
            [1, 2],
            [3, 4],
            [5, 6],
          ]),
        ),
      ShapeError,
      "the '...' axes of operand 1, [3], do not broadcast",
    )
    throwsWith(() => einsum('...i->i', a), ShapeError, "the output has no '...'")
    throwsWith(
      () => einsum(undefined as unknown as string, a),
      InvalidArgumentError,
      'subscripts string first',
    )
    throwsWith(
      () => einsum('i', [1, 2] as unknown as Tensor),
      InvalidArgumentError,
      'expected a number or a Tensor',
    )
  })
})
