/**
 * Linear algebra: `matmul` (matrices, vectors, batches), `dot`, `outer`. Values and derivatives
 * in both modes against a loop-by-loop reference product and the hand rules
 * d(A·B) = dA·B + A·dB, Ā = W·Bᵀ, B̄ = Aᵀ·W. Inputs are small integers, so results are exact.
 */
import { dot, grad, jvp, matmul, mul, outer, sum, type Tensor, tensor, vjp } from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose, type Numeric } from '../helpers.ts'

type M = number[][]
/** Reference product, one multiply-add at a time. */
const mm = (a: M, b: M): M =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((s, aik, k) => s + aik * b[k]![j]!, 0)))
const tr = (a: M): M => a[0]!.map((_, j) => a.map((row) => row[j]!))
const plus = (a: M, b: M): M => a.map((row, i) => row.map((v, j) => v + b[i]![j]!))
const t = (a: M | number[]): Tensor => tensor(a)
const exact = (actual: unknown, expected: Numeric) => expectClose(actual, expected, 0, 0)

// biome-ignore format: one matrix row per bracket
const A: M = [[1, 2], [3, 4], [5, 6]]
// biome-ignore format: one matrix row per bracket
const B: M = [[1, 0, -1], [2, 1, 0]]
// biome-ignore format: one matrix row per bracket
const W: M = [[1, -1, 2], [0, 3, 1], [-2, 1, 1]]
// biome-ignore format: one matrix row per bracket
const dA: M = [[0.5, 0], [1, -1], [0, 2]]
// biome-ignore format: one matrix row per bracket
const dB: M = [[1, 1, 0], [-1, 0, 2]]
// biome-ignore format: one matrix row per bracket
const P: M = [[0, 1], [1, 0]]

describe('matmul', () => {
  it('value of a matrix product (the reference checked by hand first)', () => {
    expect(mm(A, B)).toEqual([
      [5, 2, -1],
      [11, 4, -3],
      [17, 6, -5],
    ])
    exact(matmul(t(A), t(B)), t(mm(A, B)))
  })

  it('grad of ⟨A·B, W⟩ is Ā = W·Bᵀ, B̄ = Aᵀ·W; vjp agrees', () => {
    const f = (a: Tensor, b: Tensor) => sum(mul(matmul(a, b), t(W)))
    const [gA, gB] = grad(f, { argnums: [0, 1] })(t(A), t(B))
    exact(gA, t(mm(W, tr(B))))
    exact(gB, t(mm(tr(A), W)))
    const [, pullback] = vjp((a: Tensor, b: Tensor) => matmul(a, b), t(A), t(B))
    const [aBar, bBar] = pullback(t(W))
    exact(aBar, t(mm(W, tr(B))))
    exact(bBar, t(mm(tr(A), W)))
  })

  it('jvp: d(A·B) = dA·B + A·dB', () => {
    const [y, yDot] = jvp((a: Tensor, b: Tensor) => matmul(a, b), [t(A), t(B)], [t(dA), t(dB)])
    exact(y, t(mm(A, B)))
    exact(yDot, t(plus(mm(dA, B), mm(A, dB))))
  })

  it('vector operands: matrix·vector, vector·matrix, vector·vector', () => {
    const v = t([1, -1, 2])
    exact(matmul(t(B), v), t([1 - 2, 2 - 1]))
    exact(matmul(t([1, 2]), t(B)), t([5, 2, -1]))
    exact(matmul(v, v), 6)
    // ∂/∂v ⟨u, B·v⟩ = Bᵀ·u with u = [2, −1]
    exact(grad((x: Tensor) => sum(mul(matmul(t(B), x), t([2, -1]))))(v), t([0, -1, -2]))
    exact(jvp((x: Tensor) => matmul(t(B), x), [v], [t([1, 0, 0])])[1], t([1, 2]))
    // ∂/∂u ⟨u·B, w⟩ = B·w with w = [1, 0, 1]
    exact(grad((u: Tensor) => sum(mul(matmul(u, t(B)), t([1, 0, 1]))))(t([1, 2])), t([0, 2]))
  })

  it('batched: leading axes broadcast and the gradient sums over them', () => {
    const A2 = A.slice(0, 2)
    const batch = tensor([A2, P]) // [2, 2, 2]
    exact(matmul(batch, t(B)), tensor([mm(A2, B), mm(P, B)]))
    // biome-ignore format: one matrix row per bracket
    const w0: M = [[1, 0, 0], [0, 1, 0]]
    // biome-ignore format: one matrix row per bracket
    const w1: M = [[0, 0, 1], [1, 0, 0]]
    const gB = grad((b: Tensor) => sum(mul(matmul(batch, b), tensor([w0, w1]))))(t(B))
    exact(gB, t(plus(mm(tr(A2), w0), mm(tr(P), w1))))
    const [, yDot] = jvp((b: Tensor) => matmul(batch, b), [t(B)], [t(dB)])
    exact(yDot, tensor([mm(A2, dB), mm(P, dB)]))
  })
})

describe('dot', () => {
  const a = t([1, 2, 3])
  const b = t([4, -5, 6])

  it('value Σ aᵢbᵢ for vectors, a matrix product otherwise', () => {
    exact(dot(a, b), 4 - 10 + 18)
    exact(dot(t(A), t(B)), t(mm(A, B)))
  })

  it('gradients are b and a; jvp is ⟨ȧ, b⟩ + ⟨a, ḃ⟩', () => {
    const [ga, gb] = grad((p: Tensor, q: Tensor) => dot(p, q), { argnums: [0, 1] })(a, b)
    exact(ga, b)
    exact(gb, a)
    exact(jvp(dot, [a, b], [t([1, 0, 0]), t([0, 0, 1])])[1], 4 + 3)
    const [, pullback] = vjp(dot, a, b)
    const [aBar, bBar] = pullback(tensor(2))
    exact(aBar, t([8, -10, 12]))
    exact(bBar, t([2, 4, 6]))
  })
})

describe('outer', () => {
  const p = t([1, 2])
  const q = t([3, 4, 5])

  it('value aᵢ·bⱼ', () => {
    // biome-ignore format: one matrix row per bracket
    exact(outer(p, q), t([[3, 4, 5], [6, 8, 10]]))
  })

  it('pullbacks W·b and Wᵀ·a; jvp ȧ·bᵀ + a·ḃᵀ', () => {
    // biome-ignore format: one matrix row per bracket
    const w = t([[1, 0, -1], [2, 1, 0]])
    const [, pullback] = vjp(outer, p, q)
    const [pBar, qBar] = pullback(w)
    exact(pBar, t([3 - 5, 6 + 4]))
    exact(qBar, t([1 + 4, 2, -1]))
    const [, yDot] = jvp(outer, [p, q], [t([1, 0]), t([0, 0, 1])])
    // biome-ignore format: one matrix row per bracket
    exact(yDot, t([[3, 4, 5 + 1], [0, 0, 2]]))
    const gq = grad((v: Tensor) => sum(mul(outer(p, v), w)))(q)
    exact(gq, t([5, 2, -1]))
  })
})
