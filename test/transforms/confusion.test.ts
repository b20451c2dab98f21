/**
 * Law `perturbation-confusion` (ForwardDiff's ConfusionTest, Siskind & Pearlmutter, autodidax):
 * a derivative taken inside another must not pick up the outer perturbation. Each case is built
 * with every pairing of forward (`jvp`) and reverse (`grad`) mode for the inner and the outer
 * derivative, and checked exactly. Then derivatives of derivatives through the other entry
 * points: vjp of vjp, grad of jvp, and jvp of grad (Hessian-vector products).
 */
import {
  add,
  cos,
  grad,
  index,
  jvp,
  mul,
  sin,
  square,
  sum,
  type Tensor,
  tensor,
  vjp,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

type Fn = (x: number) => number
type D = (f: Fn) => Fn
const rev: D = (f) => (x) => grad(f)(x)
const fwd: D = (f) => (x) => jvp(f, [x], [1])[1]
const modes = [
  ['grad', rev],
  ['jvp', fwd],
] as const
const pairings = modes.flatMap(([outerName, outer]) =>
  modes.map(([innerName, inner]) => [`${outerName}∘${innerName}`, outer, inner] as const),
)
const triples = pairings.flatMap(([name, outer, middle]) =>
  modes.map(([innerName, inner]) => [`${name}∘${innerName}`, outer, middle, inner] as const),
)

describe('perturbation-confusion', () => {
  it.each(pairings)('d/dx [x · (d/dy (x + y))(1)] at x = 1 is exactly 1 under %s', (_n, D1, D2) => {
    const f = (x: number) => mul(x, D2((y) => add(x, y))(1))
    expect(D1(f)(1)).toBe(1)
  })

  it.each(pairings)('D(x ↦ x · D(y ↦ x · y)(1))(4) = 8 under %s', (_n, D1, D2) => {
    // the inner derivative is x, so the outer function is x², with derivative 2x
    const f = (x: number) => mul(x, D2((y) => mul(x, y))(1))
    expect(D1(f)(4)).toBe(8)
  })

  it.each(triples)(
    'three levels: d/dx [x · d/dy [y · d/dz (x + y + z)]] = 1 under %s',
    (_n, D1, D2, D3) => {
      const f = (x: number) => mul(x, D2((y) => mul(y, D3((z) => add(add(x, y), z))(1)))(1))
      expect(D1(f)(1)).toBe(1)
    },
  )

  it.each(triples)(
    'three levels with products: d/dx [x · d/dy [xy · d/dz (xyz)]] = 6x² under %s',
    (_n, D1, D2, D3) => {
      // d/dz xyz = xy; then d/dy (xy · xy) = 2x²y = 2x² at y = 1; then d/dx (x · 2x²) = 6x²
      const f = (x: number) => mul(x, D2((y) => mul(mul(x, y), D3((z) => mul(mul(x, y), z))(1)))(1))
      expect(D1(f)(1)).toBe(6)
      expect(D1(f)(0.5)).toBe(1.5)
    },
  )

  it.each(pairings)(
    'the inner function closes over the outer variable twice under %s',
    (_n, D1, D2) => {
      // g(x) = d/dy [sin(x·y)] at y = 1 = x·cos x; g′(x) = cos x − x·sin x
      const g = (x: number) => D2((y) => sin(mul(x, y)))(1)
      expectClose(D1(g)(0.7), Math.cos(0.7) - 0.7 * Math.sin(0.7))
    },
  )
})

describe('derivatives of derivatives through every entry point', () => {
  // f(x) = x·sin x: f′ = sin x + x cos x, f″ = 2 cos x − x sin x
  const f = (x: number) => mul(x, sin(x))
  const f2 = (x: number) => 2 * Math.cos(x) - x * Math.sin(x)

  it('vjp of vjp: the pullback of a pullback is f″', () => {
    const df = (x: number) => vjp(f, x)[1](1)[0]
    const [y, pullback] = vjp(df, 0.9)
    expectClose(y, Math.sin(0.9) + 0.9 * Math.cos(0.9))
    expectClose(pullback(1)[0], f2(0.9))
    expectClose(pullback(-2)[0], -2 * f2(0.9))
  })

  it('vjp of vjp on a tensor: the Hessian of Σ xᵢ³ applied to v is 6·x·v', () => {
    const g = (x: Tensor) => vjp((t: Tensor) => sum(mul(t, square(t))), x)[1](tensor(1))[0]
    const x = tensor([1, -2, 0.5])
    const [y, pullback] = vjp(g, x)
    expectClose(y, tensor([3, 12, 0.75]), 0, 0)
    expectClose(pullback(tensor([1, 2, -4]))[0], tensor([6, -24, -12]), 0, 0)
  })

  it('grad of jvp and jvp of grad are both f″', () => {
    for (const x of [-1.2, 0.3, 2]) {
      expectClose(grad((t: number) => jvp(f, [t], [1])[1])(x), f2(x))
      expectClose(jvp(grad(f), [x], [1])[1], f2(x))
    }
  })

  describe('Hessian-vector products of f(x) = x₀²·x₁ + x₁³', () => {
    // ∇f = (2x₀x₁, x₀² + 3x₁²), H = [[2x₁, 2x₀], [2x₀, 6x₁]]; at x = (1, 2), v = (3, −1):
    // Hv = (4·3 + 2·(−1), 2·3 + 12·(−1)) = (10, −6)
    const h = (x: Tensor) => {
      const [x0, x1] = [index(x, 0), index(x, 1)]
      return add(mul(square(x0), x1), mul(x1, square(x1)))
    }
    const x = tensor([1, 2])
    const v = tensor([3, -1])
    const hv = tensor([10, -6])

    it('jvp of grad (forward over reverse)', () => {
      const [g, out] = jvp(grad(h), [x], [v])
      expectClose(g, tensor([4, 13]), 0, 0)
      expectClose(out, hv, 0, 0)
    })

    it('grad of ⟨grad, v⟩ (reverse over reverse)', () => {
      expectClose(grad((t: Tensor) => sum(mul(grad(h)(t), v)))(x), hv, 0, 0)
    })

    it('grad of jvp (reverse over forward)', () => {
      expectClose(grad((t: Tensor) => jvp(h, [t], [v])[1])(x), hv, 0, 0)
    })

    it('jvp of jvp gives the quadratic form vᵀHv', () => {
      const q = jvp((t: Tensor) => jvp(h, [t], [v])[1], [x], [v])[1]
      expectClose(q, 3 * 10 + -1 * -6, 0, 0)
    })
  })

  it('mixed partial ∂²/∂x∂y of x²·y + cos y via argnums', () => {
    const f2xy = (x: number, y: number) => add(mul(square(x), y), cos(y))
    const dxdy = grad((x: number, y: number) => grad(f2xy, { argnums: 1 })(x, y))
    expect(dxdy(1.5, 0.25)).toBe(3)
    const dydy = grad((y: number) => grad(f2xy, { argnums: 1 })(1.5, y))
    expectClose(dydy(0.25), -Math.cos(0.25))
  })
})
