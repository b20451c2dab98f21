/**
 * Law `perturbation-confusion`, the classic set (ForwardDiff's ConfusionTest, Siskind &
 * Pearlmutter), under every pairing of grad, jvp, vjp, jacfwd and jacrev as the outer and the
 * inner derivative, and three levels deep. Every expected value is exact: the points are small
 * integers, so each result is compared with `toBe`.
 */
import { add, dot, grad, jacfwd, jacrev, jvp, matmul, mul, type Tensor, tensor, vjp } from 'fluxion'
import { describe, expect, it } from 'vitest'

type D = (f: (x: number) => number) => (x: number) => number

/** The derivative of f: ℝ → ℝ by each transformation. */
const derivatives: readonly (readonly [string, D])[] = [
  ['grad', (f) => grad(f)],
  ['jvp', (f) => (x) => jvp(f, [x], [1])[1]],
  ['vjp', (f) => (x) => vjp(f, x)[1](1)[0]],
  ['jacfwd', (f) => (x) => jacfwd(f)(x)],
  ['jacrev', (f) => (x) => jacrev(f)(x)],
]

const pairs = derivatives.flatMap(([a, outer]) =>
  derivatives.map(([b, inner]) => [`${a} over ${b}`, outer, inner] as const),
)

describe.each(pairs)('perturbation-confusion: %s', (_name, outer, inner) => {
  it('d/dx [x · (d/dy (x + y))(1)] at 1 is 1 (Siskind–Pearlmutter)', () => {
    expect(outer((x) => mul(x, inner((y) => add(x, y))(1)))(1)).toBe(1)
  })

  it('D(x ↦ x · D(y ↦ x·y)(1))(4) is 8', () => {
    expect(outer((x) => mul(x, inner((y) => mul(x, y))(1)))(4)).toBe(8)
  })

  it('a closure that mutates captured state between two inner derivatives', () => {
    // d1 = x, then the captured value becomes 3x and d2 = 3x: the outer derivative of 4x is 4
    const f = (x: number) => {
      let captured = x
      const d1 = inner((y) => mul(captured, y))(1)
      captured = mul(captured, 3)
      const d2 = inner((y) => mul(captured, y))(1)
      return add(d1, d2)
    }
    expect(outer(f)(2)).toBe(4)
  })

  it('a derivative of an inner derivative that ignores its argument is 0', () => {
    expect(outer((x) => inner(() => x)(x))(3)).toBe(0)
  })
})

describe('perturbation-confusion: three levels deep, every triple', () => {
  // f(x) = x · D_b(y ↦ y · D_c(z ↦ x·y·z)(1))(1) = x · D_b(y ↦ x·y²)(1) = 2x², so f′(x) = 4x
  for (const [a, da] of derivatives) {
    for (const [b, db] of derivatives) {
      for (const [c, dc] of derivatives) {
        it(`${a} over ${b} over ${c}`, () => {
          const f = (x: number) => mul(x, db((y) => mul(y, dc((z) => mul(mul(x, y), z))(1)))(1))
          expect(da(f)(1)).toBe(4)
        })
      }
    }
  }
})

describe('perturbation-confusion: the Jacobian of a gradient of ⟨y, A·x⟩ is A', () => {
  const A = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ])
  const x0 = tensor([1, -1, 2])
  const y0 = tensor([0.5, 2])
  const form = (y: Tensor, x: Tensor) => dot(y, matmul(A, x))
  /** ∇_y ⟨y, A·x⟩ by each reverse-capable transformation, as a function of x. */
  const gradients: readonly (readonly [string, (x: Tensor) => Tensor])[] = [
    ['grad', (x) => grad((y: Tensor) => form(y, x))(y0)],
    ['vjp', (x) => vjp((y: Tensor) => form(y, x), y0)[1](1)[0]],
    ['jacrev', (x) => jacrev((y: Tensor) => form(y, x))(y0)],
    ['jacfwd', (x) => jacfwd((y: Tensor) => form(y, x))(y0)],
  ]
  const jacobians: readonly (readonly [string, typeof jacfwd])[] = [
    ['jacfwd', jacfwd],
    ['jacrev', jacrev],
  ]
  for (const [j, jac] of jacobians) {
    for (const [g, gradient] of gradients) {
      it(`${j} of ${g}`, () => {
        expect((jac(gradient)(x0) as Tensor).toArray()).toEqual(A.toArray())
      })
    }
  }
})
