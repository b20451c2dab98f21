/**
 * `hessian`, `hvp` and the composition laws. Laws (by name, in titles): `grad-jacrev-jacfwd`
 * (jacfwd f = jacrev f = the stacked gradients of f's components), `hessian-symmetry`. The
 * Hessian of S(x) = Σ exp(sin(xᵢ)·xᵢ₊₁) is checked against the hand-derived tridiagonal formula
 * below and against central differences of `grad`; all four compositions of jacfwd and jacrev
 * agree with it; `hvp` equals H·v; and second derivatives of exp, tanh and logistic match their
 * closed forms.
 */
import { fc, test } from '@fast-check/vitest'
import {
  exp,
  grad,
  hessian,
  hvp,
  index,
  jacfwd,
  jacrev,
  logistic,
  logSumExp,
  matmul,
  mul,
  neg,
  prod,
  random,
  sin,
  slice,
  square,
  stack,
  sum,
  type Tensor,
  tanh,
  tensor,
  value,
  zeros,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose, expectNumber, expectTensor } from '../helpers.ts'
import { at, fromIndex, stackPlain } from './batch-helpers.ts'

/** S(x) = Σᵢ exp(sin(xᵢ)·xᵢ₊₁), vectorized with slices. */
const chain = (x: Tensor) => {
  const n = x.shape[0]!
  return sum(exp(mul(sin(slice(x, [0], [n - 1])), slice(x, [1]))))
}

/**
 * The Hessian of S by hand. With uᵢ = sin(xᵢ)·xᵢ₊₁ and eᵢ = exp(uᵢ), each term adds
 * eᵢ·(∇uᵢ∇uᵢᵀ + ∇²uᵢ) on the 2×2 block {i, i+1}, where ∇uᵢ = (cos xᵢ·xᵢ₊₁, sin xᵢ) and
 * ∇²uᵢ = [[−sin xᵢ·xᵢ₊₁, cos xᵢ], [cos xᵢ, 0]]:
 *   H[i][i]     += eᵢ·(cos²xᵢ·xᵢ₊₁² − sin xᵢ·xᵢ₊₁)
 *   H[i][i+1]   += eᵢ·(cos xᵢ·xᵢ₊₁·sin xᵢ + cos xᵢ)   (and H[i+1][i])
 *   H[i+1][i+1] += eᵢ·sin²xᵢ
 */
const chainHessian = (x: readonly number[]): Tensor => {
  const n = x.length
  const H = new Float64Array(n * n)
  for (let i = 0; i + 1 < n; i++) {
    const [s, c, y] = [Math.sin(x[i]!), Math.cos(x[i]!), x[i + 1]!]
    const e = Math.exp(s * y)
    H[i * n + i]! += e * (c * c * y * y - s * y)
    H[i * n + i + 1]! += e * (c * y * s + c)
    H[(i + 1) * n + i]! += e * (c * y * s + c)
    H[(i + 1) * n + i + 1]! += e * s * s
  }
  return tensor(H, [n, n])
}

const x5 = [0.3, -1.2, 0.8, 2.1, -0.4]

describe('hessian of Σ exp(sin(xᵢ)·xᵢ₊₁), n = 5', () => {
  const H = hessian(chain)(tensor(x5))

  it('equals the hand-derived tridiagonal Hessian', () => {
    expectClose(expectTensor(H, [5, 5]), chainHessian(x5), 1e-13, 1e-13)
  })

  it('equals central differences of grad, column by column', () => {
    const h = 1e-5
    const g = grad(chain)
    const columns = x5.map((_, j) => {
      const gradAt = (d: number) => g(tensor(x5.map((v, k) => (k === j ? v + d : v)))).data
      const [plus, minus] = [gradAt(h), gradAt(-h)]
      return tensor(Array.from(plus, (v, k) => (v - minus[k]!) / (2 * h)))
    })
    // column j of H is ∂∇S/∂xⱼ; H is symmetric, so stacking columns as rows gives H too
    expectClose(H, stackPlain(columns), 1e-6, 1e-6)
  })

  it('hessian-symmetry: H equals its transpose', () => {
    expectClose(
      H,
      fromIndex([5, 5], ([i, j]) => at(H, [j!, i!])),
      1e-14,
      1e-14,
    )
  })

  it('jacfwd∘jacfwd, jacfwd∘jacrev, jacrev∘jacfwd, jacrev∘jacrev all agree with it', () => {
    const x = tensor(x5)
    const expected = chainHessian(x5)
    expectClose(jacfwd(jacfwd(chain))(x), expected, 1e-13, 1e-13)
    expectClose(jacfwd(jacrev(chain))(x), expected, 1e-13, 1e-13)
    expectClose(jacrev(jacfwd(chain))(x), expected, 1e-13, 1e-13)
    expectClose(jacrev(jacrev(chain))(x), expected, 1e-13, 1e-13)
  })

  it('chunkSize 1, 2 and 3 give the same Hessian', () => {
    for (const chunkSize of [1, 2, 3])
      expectClose(hessian(chain, { chunkSize })(tensor(x5)), H, 0, 0)
  })

  it('hvp equals H·v, for several v', () => {
    const vs = [
      [1, 0, 0, 0, 0],
      [0.5, -1, 2, 0.25, 3],
      [-2, 1, 1, -1, 0.5],
    ]
    const Hd = chainHessian(x5)
    for (const v of vs) {
      const Hv = x5.map((_, i) => v.reduce((s, vj, j) => s + at(Hd, [i, j]) * vj, 0))
      expectClose(hvp(chain)(tensor(x5), tensor(v)), tensor(Hv), 1e-13, 1e-13)
    }
  })
})

describe('second derivatives through exp, tanh and logistic', () => {
  const x = tensor([-1.5, 0.2, 0.9])
  const diag = (d: (v: number) => number) =>
    fromIndex([3, 3], ([i, j]) => (i === j ? d(at(x, [i!])) : 0))

  it('Σ exp(x): H = diag(eˣ)', () => {
    expectClose(hessian((v: Tensor) => sum(exp(v)))(x), diag(Math.exp), 1e-15, 0)
  })

  it('Σ tanh(x): H = diag(−2 tanh x·(1 − tanh²x))', () => {
    const d2 = (v: number) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)
    expectClose(hessian((v: Tensor) => sum(tanh(v)))(x), diag(d2), 1e-14, 1e-15)
  })

  it('Σ logistic(x): H = diag(σ(1 − σ)(1 − 2σ))', () => {
    const s = (v: number) => 1 / (1 + Math.exp(-v))
    const d2 = (v: number) => s(v) * (1 - s(v)) * (1 - 2 * s(v))
    expectClose(hessian((v: Tensor) => sum(logistic(v)))(x), diag(d2), 1e-14, 1e-15)
  })

  it('tanh(a·b): mixed partials t′ + ab·t″, with t′ = 1 − tanh², t″ = −2 tanh·t′', () => {
    const [a, b] = [0.7, -0.4]
    const t = Math.tanh(a * b)
    const [t1, t2] = [1 - t * t, -2 * t * (1 - t * t)]
    const H = hessian((v: Tensor) => tanh(mul(index(v, 0), index(v, 1))))(tensor([a, b]))
    expectClose(
      H,
      [
        [b * b * t2, t1 + a * b * t2],
        [t1 + a * b * t2, a * a * t2],
      ],
      1e-14,
      1e-15,
    )
  })

  it('logistic(a)·exp(b) with number arguments (argnums [0, 1]) gives numbers', () => {
    const [a, b] = [0.3, -0.6]
    const s = 1 / (1 + Math.exp(-a))
    const [s1, s2] = [s * (1 - s), s * (1 - s) * (1 - 2 * s)]
    const e = Math.exp(b)
    const [[haa, hab], [hba, hbb]] = hessian((u: number, w: number) => mul(logistic(u), exp(w)), {
      argnums: [0, 1],
    })(a, b)
    expectClose(expectNumber(haa), s2 * e, 1e-14, 0)
    expectClose(expectNumber(hab), s1 * e, 1e-14, 0)
    expectClose(expectNumber(hba), s1 * e, 1e-14, 0)
    expectClose(expectNumber(hbb), s * e, 1e-14, 0)
  })

  it('a number in, a number out: hessian(x ↦ x³)(2) = 12, and branches on primals work', () => {
    expect(hessian((v: number) => mul(mul(v, v), v))(2)).toBe(12)
    const f = (v: number) => (value(v) > 0 ? mul(mul(v, v), v) : neg(mul(v, v)))
    expect(hessian(f)(2)).toBe(12)
    expect(hessian(f)(-2)).toBe(-2)
  })

  // Regression: for f: number → rank-0 Tensor, hessian(f)(x) used to return a rank-0 Tensor
  // although typed `number` (the inner jacrev kept the output's kind; it is now a gradient).
  it('a number in, a rank-0 tensor out: hessian still gives a number (typed number)', () => {
    const c = tensor([1, 2])
    // f(x) = Σ x²·c = 3x², f″ = 6
    const h: number = hessian((v: number) => sum(mul(mul(v, v), c)))(2)
    expect(h).toBe(6)
  })
})

// ---- laws, over random points ----------------------------------------------------------------

const point = (n: { min: number; max: number }) =>
  fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n.min, maxLength: n.max })

const A = random.normal(random.key(12), [3, 6])
/** Maps ℝⁿ → ℝᵐ of different kinds: elementwise, reductions, a matrix product. */
const maps: [string, (x: Tensor) => Tensor][] = [
  ['sin(x)·Σx²', (x) => mul(sin(x), sum(square(x)))],
  ['[Σ x·eˣ, Π x, logSumExp x]', (x) => stack([sum(mul(x, exp(x))), prod(x), logSumExp(x)])],
  ['tanh(A·x)', (x) => tanh(matmul(slice(A, [0, 0], [3, x.shape[0]!]), x))],
]

/** max |entries|, for a tolerance relative to the size of the result. */
const scale = (t: Tensor) => Array.from(t.data).reduce((m, v) => Math.max(m, Math.abs(v)), 1)

describe.each(maps)('grad-jacrev-jacfwd: %s', (_, f) => {
  test.prop([point({ min: 1, max: 6 })])('jacfwd = jacrev = stacked grads', (xs) => {
    const x = tensor(xs)
    const m = f(x).shape[0]!
    const rows = Array.from({ length: m }, (_, i) => grad((v: Tensor) => index(f(v), i))(x))
    const byGrad = stackPlain(rows)
    const tol = 1e-13 * scale(byGrad)
    expectClose(jacfwd(f)(x), byGrad, 1e-13, tol)
    expectClose(jacrev(f)(x), byGrad, 1e-13, tol)
  })
})

describe('grad-jacrev-jacfwd on ℝⁿ → ℝ', () => {
  test.prop([point({ min: 2, max: 6 })])('jacfwd = jacrev = grad for S', (xs) => {
    const x = tensor(xs)
    const g = grad(chain)(x)
    const tol = 1e-13 * scale(g)
    expectClose(jacfwd(chain)(x), g, 1e-13, tol)
    expectClose(jacrev(chain)(x), g, 1e-13, tol)
  })
})

describe('hessian-symmetry', () => {
  test.prop([point({ min: 2, max: 6 })])('hessian(S)(x) is symmetric and hand-derived', (xs) => {
    const H = hessian(chain)(tensor(xs))
    const n = xs.length
    const tol = 1e-13 * scale(H)
    expectClose(
      H,
      fromIndex([n, n], ([i, j]) => at(H, [j!, i!])),
      1e-13,
      tol,
    )
    expectClose(H, chainHessian(xs), 1e-12, tol)
  })

  test.prop([point({ min: 1, max: 5 })])('of Σ logSumExp-weighted products', (xs) => {
    const f = (v: Tensor) => mul(logSumExp(v), sum(mul(v, sin(v))))
    const H = hessian(f)(tensor(xs))
    const n = xs.length
    expectClose(
      H,
      fromIndex([n, n], ([i, j]) => at(H, [j!, i!])),
      1e-13,
      1e-13 * scale(H),
    )
  })
})

describe('hessian of an empty input', () => {
  it('is an empty [0, 0] Hessian (QA: threw "the input has no elements")', () => {
    const H = hessian((x: Tensor) => sum(mul(x, x)))(zeros([0]))
    expect(H.shape).toEqual([0, 0])
    expect(hessian((x: Tensor) => sum(mul(x, x)))(zeros([2, 0])).shape).toEqual([2, 0, 2, 0])
  })
})
