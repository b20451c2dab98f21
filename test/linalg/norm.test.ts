/**
 * norm and cond with NumPy's semantics: every vector and matrix order against its direct
 * formula (the nuclear and spectral norms on matrices built with known singular values), axis
 * and keepdims handling on batches, derivatives against closed forms (x/‖x‖, its Hessian
 * (I − x̂x̂ᵀ)/‖x‖, sign(x), U·Vt) with the documented 0 at the origin, every mode; bad input.
 *
 * Tolerances: direct formulas to 1e-14 relative; closed-form derivatives to 1e-12.
 */
import fc from 'fast-check'
import {
  grad,
  hessian,
  InvalidArgumentError,
  jacfwd,
  jacrev,
  jit,
  ShapeError,
  sum,
  type Tensor,
  tensor,
  vmap,
  zeros,
} from 'fluxion'
import { cond, norm, svd } from 'fluxion/linalg'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import { diag, fdGrad, type M, mm, orthogonal, real, rowsOf, separated, t, tr } from './helpers.ts'

const vectors = fc
  .integer({ min: 1, max: 8 })
  .chain((n) => fc.array(real(-3, 3), { minLength: n, maxLength: n }))
const absAll = (x: number[]) => x.map(Math.abs)

describe('norm: values', () => {
  it('vector orders against their formulas: 2, 1, ∞, −∞, 0, p = 3, 0.5, −1', () => {
    fc.assert(
      fc.property(vectors, (x) => {
        const v = t(x)
        // references scaled by max|x|, as x² and |x|ᵖ of tiny entries underflow (−1 unscaled)
        const m = Math.max(...absAll(x)) || 1
        const p = (q: number) =>
          q < 0
            ? absAll(x).reduce((s, a) => s + a ** q, 0) ** (1 / q)
            : m * absAll(x).reduce((s, a) => s + (a / m) ** q, 0) ** (1 / q)
        expectClose(norm(v), Math.hypot(...x), 1e-14, 1e-300)
        expectClose(
          norm(v, 1),
          absAll(x).reduce((s, a) => s + a, 0),
          1e-14,
          1e-300,
        )
        expectClose(norm(v, Infinity), Math.max(...absAll(x)), 0, 0)
        expectClose(norm(v, -Infinity), Math.min(...absAll(x)), 0, 0)
        expectClose(norm(v, 0), x.filter((a) => a !== 0).length, 0, 0)
        expectClose(norm(v, 3), p(3), 1e-14, 1e-300)
        expectClose(norm(v, 0.5), p(0.5), 1e-13, 1e-300)
        if (x.every((a) => a !== 0)) expectClose(norm(v, -1), p(-1), 1e-13, 1e-300)
      }),
    )
  })

  it('matrix orders: fro, 1, −1, ∞, −∞ by their formulas; nuc, 2, −2 from known singular values', () => {
    const built = fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
      .chain(([m, n]) =>
        fc.tuple(orthogonal(m), orthogonal(n), separated(Math.min(m, n), 0.1, 5, 0)),
      )
    fc.assert(
      fc.property(built, ([u, v, s]) => {
        const k = s.length
        const a: M = mm(
          mm(
            u.map((r) => r.slice(0, k)),
            diag(s),
          ),
          tr(v.map((r) => r.slice(0, k))),
        )
        const x = t(a)
        const colSums = tr(a).map((c) => c.reduce((acc, e) => acc + Math.abs(e), 0))
        const rowSums = a.map((r) => r.reduce((acc, e) => acc + Math.abs(e), 0))
        expectClose(
          norm(x, 'fro'),
          Math.sqrt(a.flat().reduce((acc, e) => acc + e * e, 0)),
          1e-14,
          0,
        )
        expectClose(norm(x, 1), Math.max(...colSums), 1e-15, 0)
        expectClose(norm(x, -1), Math.min(...colSums), 1e-15, 0)
        expectClose(norm(x, Infinity), Math.max(...rowSums), 1e-15, 0)
        expectClose(norm(x, -Infinity), Math.min(...rowSums), 1e-15, 0)
        expectClose(
          norm(x, 'nuc'),
          s.reduce((acc, e) => acc + e, 0),
          1e-13,
          0,
        )
        expectClose(norm(x, 2), Math.max(...s), 1e-13, 0)
        expectClose(norm(x, -2), Math.min(...s), 1e-12, 0)
      }),
    )
  })

  it('axis and keepdims as NumPy: vector norms along an axis, matrix norms over a pair', () => {
    const x = tensor([
      [
        [3, 4],
        [0, 1],
      ],
      [
        [1, 0],
        [0, -2],
      ],
    ])
    expectClose(norm(x), Math.sqrt(9 + 16 + 1 + 1 + 4), 1e-15, 0) // every entry, any rank
    expectClose(
      norm(x, undefined, 2),
      t([
        [5, 1],
        [1, 2],
      ]),
      0,
      0,
    )
    expectClose(
      norm(x, 1, -2),
      t([
        [3, 5],
        [1, 2],
      ]),
      0,
      0,
    )
    expectClose(
      norm(x, 'nuc', [-2, -1]),
      t([
        svdNuc([
          [3, 4],
          [0, 1],
        ]),
        3,
      ]),
      1e-14,
      0,
    )
    expectClose(norm(x, Infinity, [1, 2]), t([7, 2]), 0, 0)
    expectClose(norm(x, Infinity, [2, 1]), t([5, 2]), 0, 0) // rows and columns swap roles
    expect(norm(x, 'fro', [1, 2], true).shape).toEqual([2, 1, 1])
    expect(norm(x, 2, 0, true).shape).toEqual([1, 2, 2])
    expect(norm(x, undefined, undefined, true).shape).toEqual([1, 1, 1])
    expectClose(norm(-3), 3, 0, 0)
  })

  it('bad input: orders that do not apply, ord on rank 3 without axis, a repeated axis pair', () => {
    expect(() => norm(t([1, 2]), 'fro')).toThrow(InvalidArgumentError)
    expect(() => norm(t([[1, 2]]), 3)).toThrow(/invalid norm order 3 for matrices/)
    expect(() => norm(tensor([[[1]]]), 2)).toThrow(ShapeError)
    expect(() => norm(t([[1, 2]]), 2, [1, 1])).toThrow(InvalidArgumentError)
    expect(() => norm(t([[1, 2]]), 2, 2)).toThrow(InvalidArgumentError)
  })
})

const svdNuc = (a: M) => (svd(t(a)).s.toArray() as number[]).reduce((x, y) => x + y, 0)

describe('norm: derivatives', () => {
  const x = [3, -4, 12]
  it('∇‖x‖₂ = x/‖x‖; its Hessian (I − x̂x̂ᵀ)/‖x‖; at x = 0 the gradient is 0, not NaN', () => {
    const n2 = (v: Tensor) => norm(v)
    expectClose(grad(n2)(t(x)), t(x.map((a) => a / 13)), 1e-15, 0)
    const h = x.map((a, i) => x.map((b, j) => ((i === j ? 1 : 0) - (a * b) / 169) / 13))
    expectClose(hessian(n2)(t(x)), t(h), 1e-14, 1e-16)
    expectClose(jacfwd(jacrev(n2))(t(x)), t(h), 1e-14, 1e-16)
    expect(Array.from(grad(n2)(t([0, 0, 0])).data)).toEqual([0, 0, 0])
  })

  it('QA linalg #2: the 2-norm, fro and p-norms neither overflow nor underflow; gradients right at every scale', () => {
    // √Σx² overflowed (Infinity, gradient [0, 0]) at 1e200 and underflowed (0, gradient
    // [∞, ∞]) at 1e-200; lost 5.6e-6 relative at 1e-160
    for (const scale of [1e300, 1e200, 1e-160, 1e-200, 1e-300, 5e-324]) {
      const v = t([3 * scale, 4 * scale])
      expectClose(norm(v), 5 * scale, scale === 5e-324 ? 0.5 : 1e-15, 0)
      if (scale !== 5e-324) {
        expectClose(grad((y: Tensor) => norm(y))(v), t([0.6, 0.8]), 1e-15, 0)
        expectClose(jit(grad((y: Tensor) => norm(y)))(v), t([0.6, 0.8]), 1e-15, 0)
        expectClose(jacfwd((y: Tensor) => norm(y))(v), t([0.6, 0.8]), 1e-15, 0)
      }
    }
    // biome-ignore format: one matrix row per bracket
    expectClose(norm(t([[3e200, 0], [0, 4e200]]), 'fro'), 5e200, 1e-15, 0)
    expectClose(
      norm(
        t([
          [3e-200, 0],
          [0, 4e-200],
        ]),
      ),
      5e-200,
      1e-15,
      0,
    )
    expectClose(norm(tensor(-3e-200)), 3e-200, 0, 0)
    expectClose(
      vmap((y: Tensor) => norm(y))(
        t([
          [3e-200, 4e-200],
          [3, 4],
        ]),
      ),
      t([5e-200, 5]),
      1e-15,
      0,
    )
    // huge p: (1 + 2ᵖ)^(1/p) ≈ 2 was non-finite; its gradient is ≈ (0, 1)
    expectClose(norm(t([1, 2]), 1e10), 2, 1e-15, 0)
    expectClose(grad((y: Tensor) => norm(y, 1e10))(t([1, 2])), t([0, 1]), 0, 1e-15)
    expectClose(norm(t([3e200, 4e200]), 3), 4.497941445275415e200, 1e-14, 0)
    // the largest double, ∞ and NaN are not rescaled into something else
    expect(norm(t([1.7976931348623157e308, 1.7976931348623157e308])).item()).toBe(Infinity)
    expect(norm(t([Infinity, 1])).item()).toBe(Infinity)
    expect(norm(t([Number.NaN, 1])).item()).toBeNaN()
  })

  it('QA linalg #2: ordinary inputs keep the bits of √Σx² (scaling by a power of two is exact)', () => {
    fc.assert(
      // entries whose squares neither underflow nor overflow
      fc.property(vectors, (entries) => {
        const x = entries.map((a) => (Math.abs(a) < 1e-150 ? 0 : a))
        const direct = Math.sqrt(x.reduce((s, a) => s + a * a, 0))
        expect(norm(t(x)).item()).toBe(direct)
        const g = Array.from(grad((y: Tensor) => norm(y))(t(x)).data)
        // the chain rule of √Σx² as it was: ȳ/(2‖x‖) broadcast, times 2x
        if (direct > 0) expect(g).toEqual(x.map((a) => (1 / (2 * direct)) * (2 * a)))
      }),
    )
  })

  it('∇‖x‖₁ = sign(x); ∇‖A‖_F = A/‖A‖_F; ∇‖A‖_* = U·Vt; ∇‖A‖₂ = u₁v₁ᵀ', () => {
    expectClose(grad((v: Tensor) => norm(v, 1))(t(x)), t([1, -1, 1]), 0, 0)
    // biome-ignore format: one matrix row per bracket
    const a: M = [[3, 1], [1, 2], [0.5, -1]]
    const fro = Math.sqrt(a.flat().reduce((s, e) => s + e * e, 0))
    expectClose(
      grad((m: Tensor) => norm(m))(t(a)),
      t(a.map((r) => r.map((e) => e / fro))),
      1e-15,
      0,
    )
    const { u, vt } = svd(t(a))
    expectClose(
      grad((m: Tensor) => norm(m, 'nuc'))(t(a)),
      t(mm(rowsOf(u), rowsOf(vt))),
      1e-12,
      1e-12,
    )
    const [uu, vv] = [rowsOf(u), rowsOf(vt)]
    const top = uu.map((r) => vv[0]!.map((e) => r[0]! * e))
    expectClose(grad((m: Tensor) => norm(m, 2))(t(a)), t(top), 1e-12, 1e-12)
  })

  it('vmap of a row-wise norm; jit of its gradient, both calls', () => {
    const rows: M = [
      [3, 4],
      [1, 0],
      [-5, 12],
    ]
    expectClose(vmap((r: Tensor) => norm(r))(t(rows)), t([5, 1, 13]), 0, 0)
    const g = jit(grad((m: Tensor) => sum(norm(m, 2, 1))))
    const eager = grad((m: Tensor) => sum(norm(m, 2, 1)))
    expect(g(t(rows)).data).toEqual(eager(t(rows)).data)
    expect(
      g(
        t(
          mm(rows, [
            [0, 1],
            [1, 0],
          ]),
        ),
      ).data,
    ).toEqual(
      eager(
        t(
          mm(rows, [
            [0, 1],
            [1, 0],
          ]),
        ),
      ).data,
    )
  })
})

describe('cond', () => {
  it('2-norm condition number s₁/sₖ (and −2 its inverse); ∞ when singular', () => {
    expectClose(
      cond(
        t([
          [2, 0],
          [0, 0.5],
        ]),
      ),
      4,
      0,
      0,
    )
    expectClose(
      cond(
        t([
          [2, 0],
          [0, 0.5],
        ]),
        -2,
      ),
      0.25,
      0,
      0,
    )
    expect(
      cond(
        t([
          [1, 2],
          [2, 4],
        ]),
      ).item(),
    ).toBeGreaterThan(1e15)
    expect(
      cond(
        t([
          [1, 0],
          [0, 0],
        ]),
      ).item(),
    ).toBe(Infinity)
    expect(
      cond(
        t([
          [1, 0],
          [0, 0],
        ]),
        1,
      ).item(),
    ).toBe(Infinity)
  })

  it('QA linalg #3: a zero matrix has condition number Infinity (it was NaN, 0/0), and 0 for −2', () => {
    expect(cond(zeros([3, 3])).item()).toBe(Infinity)
    expect(cond(zeros([3, 2])).item()).toBe(Infinity)
    expect(cond(zeros([3, 3]), 2).item()).toBe(Infinity)
    expect(cond(zeros([3, 3]), -2).item()).toBe(0)
    expect(cond(zeros([3, 3]), 'fro').item()).toBe(Infinity)
    expect(Array.from(cond(zeros([2, 2, 2])).data)).toEqual([Infinity, Infinity])
    expect(jit((m: Tensor) => cond(m))(zeros([2, 3])).item()).toBe(Infinity)
  })

  it('QA linalg #2: cond in the Frobenius norm at extreme scales (was NaN at 1e200, ∞ at 1e-160)', () => {
    // biome-ignore format: one matrix row per bracket
    const a: M = [[2, 1], [1, 2]]
    for (const scale of [1e200, 1e-160]) {
      expectClose(cond(t(a.map((r) => r.map((e) => e * scale))), 'fro'), 10 / 3, 1e-14, 0)
    }
  })

  it('other orders: ‖A‖·‖A⁻¹‖ in that norm (A⁻¹ by hand for a 2 × 2)', () => {
    const a: M = [
      [4, 1],
      [2, 3],
    ]
    const inv: M = [
      [0.3, -0.1],
      [-0.2, 0.4],
    ]
    const one = (m: M) => Math.max(...tr(m).map((c) => c.reduce((s, e) => s + Math.abs(e), 0)))
    expectClose(cond(t(a), 1), one(a) * one(inv), 1e-14, 0)
    expectClose(cond(t(a), Infinity), one(tr(a)) * one(tr(inv)), 1e-14, 0)
    const fro = (m: M) => Math.sqrt(m.flat().reduce((s, e) => s + e * e, 0))
    expectClose(cond(t(a), 'fro'), fro(a) * fro(inv), 1e-14, 0)
    expect(() => cond(t([[1, 2, 3]]), 1)).toThrow(ShapeError)
    expect(() => cond(t([1, 2]))).toThrow(ShapeError)
  })

  it('its gradient agrees with central differences', () => {
    const a: M = [
      [4, 1],
      [2, 3],
    ]
    const f = (m: Tensor) => cond(m)
    expectClose(grad(f)(t(a)), t(fdGrad((m) => f(m).item(), a)), 1e-7, 1e-8)
    const g = (m: Tensor) => cond(m, 'fro')
    expectClose(grad(g)(t(a)), t(fdGrad((m) => g(m).item(), a)), 1e-7, 1e-8)
  })
})
