/**
 * NaN safety and kinks (DESIGN §3), in every mode: grad, jvp, jacfwd, jacrev, hessian and the
 * Taylor-mode `derivative`. A `where` whose unselected branch has an infinite or NaN partial
 * (√x at 0 and −1) contributes exactly 0; relu′(0) = 0, abs′(0) = 0; `maximum`/`minimum` ties
 * split the derivative ½ and ½; `logSumExp`, `softplus` and `logistic` have finite, correct first
 * and second derivatives at ±1000, and `logSumExp` its limits at ±∞. Expected values are worked
 * out by hand in comments.
 */
import {
  abs,
  clip,
  derivative,
  grad,
  greater,
  hessian,
  jacfwd,
  jacrev,
  jvp,
  logistic,
  logSumExp,
  maximum,
  minimum,
  mul,
  softplus,
  sqrt,
  stack,
  sum,
  type Tensor,
  tensor,
  where,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { conformKind } from '../../src/primitives/structural.ts'
import { expectClose } from '../helpers.ts'

/** The first derivative of a function ℝ → ℝ, by each mode. */
const firstDerivatives = (f: (x: number) => number) =>
  [
    ['grad', grad(f)],
    ['jvp', (x: number) => jvp(f, [x], [1])[1]],
    ['jacfwd', jacfwd(f)],
    ['jacrev', jacrev(f)],
    ['derivative', derivative(f, 1)],
  ] as const

/** The second derivative of a function ℝ → ℝ, by each mode. */
const secondDerivatives = (f: (x: number) => number) =>
  [
    ['grad∘grad', grad(grad(f))],
    ['jvp∘grad', (x: number) => jvp(grad(f), [x], [1])[1]],
    ['hessian', hessian(f)],
    ['jacfwd∘jacrev', jacfwd(jacrev(f))],
    ['derivative 2', derivative(f, 2)],
  ] as const

describe('where(x > 0, √x, 0): the unselected branch contributes 0, not NaN', () => {
  const f = (x: number) => where(greater(x, 0), sqrt(x), 0)

  it.each([0, -1])('first derivative at x = %d is 0 in every mode', (x) => {
    for (const [mode, d] of firstDerivatives(f)) expect(d(x), mode).toBe(0)
  })

  it.each([0, -1])('second derivative at x = %d is 0 in every mode', (x) => {
    for (const [mode, d] of secondDerivatives(f)) expect(d(x), mode).toBe(0)
    expect(derivative(f, 5)(x)).toBe(0)
  })

  it('on the selected branch it is √x′ = 1/(2√x) and √x″ = −1/(4x^{3/2})', () => {
    for (const [, d] of firstDerivatives(f)) expectClose(d(4), 0.25, 1e-15, 0)
    for (const [mode, d] of secondDerivatives(f)) {
      expect(Number.isFinite(d(4)), mode).toBe(true)
      expectClose(d(4), -1 / 32, 1e-14, 0)
    }
  })

  it('elementwise over a tensor: ∇ Σ where(x > 0, √x, 0) = [0, 0, 1/4]', () => {
    const g = (x: Tensor) => sum(where(greater(x, 0), sqrt(x), 0))
    const x = tensor([-1, 0, 4])
    expect(grad(g)(x).toArray()).toEqual([0, 0, 0.25])
    expect(jacfwd(g)(x).toArray()).toEqual([0, 0, 0.25])
    expectClose(jvp(g, [x], [tensor([1, 1, 1])])[1], 0.25, 0, 0)
    expectClose(
      hessian(g)(x),
      tensor([
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, -1 / 32],
      ]),
      1e-14,
      0,
    )
  })
})

describe('kinks', () => {
  const relu = (x: number) => where(greater(x, 0), x, 0)

  it('relu′(0) = 0, relu′(±1) = 1 and 0, relu″ = 0, in every mode', () => {
    for (const [mode, d] of firstDerivatives(relu)) {
      expect(d(0), mode).toBe(0)
      expect(d(1), mode).toBe(1)
      expect(d(-1), mode).toBe(0)
    }
    for (const [mode, d] of secondDerivatives(relu)) expect(d(0), mode).toBe(0)
  })

  it('abs′(0) = 0, abs′(±2) = ±1, abs″ = 0, in every mode', () => {
    for (const [mode, d] of firstDerivatives(abs)) {
      expect(d(0), mode).toBe(0)
      expect(d(2), mode).toBe(1)
      expect(d(-2), mode).toBe(-1)
    }
    for (const [, d] of secondDerivatives(abs)) {
      // −0 and +0 both count as zero: the sign of a zero second derivative is not pinned
      expectClose(d(0), 0, 0, 0)
      expectClose(d(-2), 0, 0, 0)
    }
  })

  it('maximum and minimum ties split ½ and ½, in every mode', () => {
    for (const op of [maximum, minimum]) {
      // at x = 2 both arguments of op(x, 2) are equal: ∂/∂x = ½
      for (const [mode, d] of firstDerivatives((x: number) => op(x, 2))) {
        expect(d(2), `${op.name} ${mode}`).toBe(0.5)
      }
      // op(x, x): the halves add up to 1; op(x, −x) at 0: ½ − ½ = 0
      for (const [mode, d] of firstDerivatives((x: number) => op(x, x))) {
        expect(d(3), `${op.name}(x, x) ${mode}`).toBe(1)
      }
      for (const [mode, d] of firstDerivatives((x: number) => op(x, mul(-1, x)))) {
        expect(d(0), `${op.name}(x, −x) ${mode}`).toBe(0)
      }
      // both arguments at once: ∇ op(a, b) at a = b is (½, ½)
      expect(grad(op, { argnums: [0, 1] })(1.5, 1.5)).toEqual([0.5, 0.5])
    }
    // maximum(x, 2) away from the tie: 1 above, 0 below; minimum the other way round
    expect(grad((x: number) => maximum(x, 2))(3)).toBe(1)
    expect(grad((x: number) => maximum(x, 2))(1)).toBe(0)
    expect(grad((x: number) => minimum(x, 2))(3)).toBe(0)
    expect(grad((x: number) => minimum(x, 2))(1)).toBe(1)
    // clip at its boundaries: ½ (the tie convention of maximum and minimum)
    expect(grad((x: number) => clip(x, 0, 1))(0)).toBe(0.5)
    expect(grad((x: number) => clip(x, 0, 1))(1)).toBe(0.5)
    expect(grad((x: number) => clip(x, 0, 1))(0.5)).toBe(1)
  })
})

describe('stable functions at ±1000: finite, correct first and second derivatives', () => {
  it('softplus: σ(x) and σ(x)(1 − σ(x)) — 1, 0 at 1000 and 0, 0 at −1000', () => {
    for (const [mode, d] of firstDerivatives(softplus)) {
      expect(d(1000), mode).toBe(1)
      expect(d(-1000), mode).toBe(0)
      expect(d(0), mode).toBe(0.5)
    }
    for (const [mode, d] of secondDerivatives(softplus)) {
      expect(d(1000), mode).toBe(0)
      expect(d(-1000), mode).toBe(0)
      expect(d(0), mode).toBe(0.25)
    }
  })

  it('logistic: σ(x)σ(−x) and its derivative — 0 at ±1000', () => {
    for (const [mode, d] of firstDerivatives(logistic)) {
      expect(d(1000), mode).toBe(0)
      expect(d(-1000), mode).toBe(0)
      expect(d(0), mode).toBe(0.25)
    }
    for (const [mode, d] of secondDerivatives(logistic)) {
      expect(d(1000), mode).toBe(0)
      expect(d(-1000), mode).toBe(0)
      expect(d(0), mode).toBe(0)
    }
    // away from saturation: σ′(30) = σ(30)·σ(−30), where 1 − σ(30) would have cancelled
    const s = 1 / (1 + Math.exp(-30))
    expectClose(grad(logistic)(30), s * (Math.exp(-30) / (1 + Math.exp(-30))), 1e-14, 0)
    expect(grad(logistic)(30)).toBeGreaterThan(0)
  })

  it('logSumExp: ∇ = softmax p, ∇² = diag(p) − ppᵀ, at ±1000', () => {
    const cases: [number[], number[]][] = [
      [
        [1000, 1000],
        [0.5, 0.5],
      ],
      [
        [1000, -1000],
        [1, 0],
      ],
      [
        [-1000, -1000, -1000, -1000],
        [0.25, 0.25, 0.25, 0.25],
      ],
    ]
    for (const [x, p] of cases) {
      const t = tensor(x)
      expect(logSumExp(t).item()).toBeCloseTo(
        Math.max(...x) + Math.log(x.filter((v) => v === Math.max(...x)).length),
        9,
      )
      expectClose(grad((v: Tensor) => logSumExp(v))(t), tensor(p), 1e-15, 0)
      expectClose(jacfwd((v: Tensor) => logSumExp(v))(t), tensor(p), 1e-15, 0)
      const H = p.map((pi, i) => p.map((pj, j) => (i === j ? pi : 0) - pi * pj))
      expectClose(hessian((v: Tensor) => logSumExp(v))(t), tensor(H), 1e-15, 0)
      expectClose(jacfwd(jacrev((v: Tensor) => logSumExp(v)))(t), tensor(H), 1e-15, 0)
    }
    // p = (1, e⁻¹)/(1 + e⁻¹) for x = (1000, 999)
    const p0 = 1 / (1 + Math.exp(-1))
    const p1 = Math.exp(-1) / (1 + Math.exp(-1))
    expectClose(
      grad((v: Tensor) => logSumExp(v))(tensor([1000, 999])),
      tensor([p0, p1]),
      1e-15,
      1e-16,
    )
    expectClose(
      hessian((v: Tensor) => logSumExp(v))(tensor([1000, 999])),
      tensor([
        [p0 - p0 * p0, -p0 * p1],
        [-p0 * p1, p1 - p1 * p1],
      ]),
      1e-14,
      1e-16,
    )
  })
})

describe('logSumExp at an infinite logit (issue #12 §5): the limit, never a finite wrong value', () => {
  // f(x) = log(eˣ + 1): f′ = σ(x) → 1 and f″ = σ(1 − σ) → 0 as x → +∞; both → 0 as x → −∞
  const f = (x: number) => conformKind(logSumExp(stack([x, 0])), 'number') as number

  it('f′(±∞) = 1 and 0, in every mode', () => {
    for (const [mode, d] of firstDerivatives(f)) {
      expect(d(Number.POSITIVE_INFINITY), mode).toBe(1)
      expect(d(Number.NEGATIVE_INFINITY), mode).toBe(0)
    }
  })

  it('f″(±∞) = 0, in every mode', () => {
    for (const [mode, d] of secondDerivatives(f)) {
      expect(d(Number.POSITIVE_INFINITY), mode).toBe(0)
      expect(d(Number.NEGATIVE_INFINITY), mode).toBe(0)
    }
  })
})
