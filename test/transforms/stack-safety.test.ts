/**
 * Stack safety (STYLE §10.6): reverse mode runs its tape with a loop, so program depth costs no
 * JS stack frames. Long chains of primitives — 10⁶ scalar ones, 2·10⁵ small tensor ones, and a
 * second derivative through 2·10⁵ more — are differentiated under default Node flags, and
 * the results are checked against closed forms.
 */
import { add, grad, jvp, mul, square, sum, type Tensor, tensor } from 'fluxion'
import { describe, it } from 'vitest'
import { expectClose } from '../helpers.ts'

describe('stack safety', () => {
  it('grad through 1,000,000 chained scalar primitives', () => {
    // y₀ = x, yₖ₊₁ = a·yₖ + c, for n steps of two primitives each:
    // yₙ = aⁿx + c(1 − aⁿ)/(1 − a), so dyₙ/dx = aⁿ
    const a = 0.999999
    const c = 1e-6
    const n = 500_000
    const chain = (x: number) => {
      let y = x
      for (let i = 0; i < n; i++) y = add(mul(y, a), c)
      return y
    }
    const an = a ** n
    expectClose(grad(chain)(2), an, 1e-9)
    expectClose(chain(2), an * 2 + (c * (1 - an)) / (1 - a), 1e-9)
    // forward mode has no tape at all; it must agree
    expectClose(jvp(chain, [2], [1])[1], an, 1e-9)
  })

  it('grad through a 100,000-step loop of small tensor ops', () => {
    // y₀ = 0, yₖ₊₁ = b·yₖ + x: yₙ = x·(1 − bⁿ)/(1 − b); for the loss ⟨yₙ, w⟩ the gradient is
    // w·(1 − bⁿ)/(1 − b)
    const b = 0.9999
    const n = 100_000
    const w = tensor([1, -2, 0.5, 3])
    const loss = (x: Tensor) => {
      let y: Tensor = tensor([0, 0, 0, 0])
      for (let i = 0; i < n; i++) y = add(mul(y, b), x)
      return sum(mul(y, w))
    }
    const geometric = (1 - b ** n) / (1 - b)
    const g = grad(loss)(tensor([0.25, 0.5, -1, 2]))
    expectClose(g, tensor([1, -2, 0.5, 3].map((wi) => wi * geometric)), 1e-9)
  })

  it('a second derivative through 200,000 chained primitives', () => {
    // f(x) = x²·aⁿ built as n scalings of x²: f″ = 2aⁿ
    const a = 0.99999
    const n = 200_000
    const f = (x: number) => {
      let y = square(x)
      for (let i = 0; i < n; i++) y = mul(y, a)
      return y
    }
    expectClose(grad(grad(f))(1.5), 2 * a ** n, 1e-9)
  })
})
