/**
 * The law predicates of fluxion/testing detect what they are about: each holds for correct
 * code and fails, with an explanation, for a deliberately wrong custom rule (a wrong tangent,
 * a nonlinear bwd, a gradient field that is not a gradient). `explain` and
 * `assertHolds` report the law, the tolerance and the size of the violation.
 */

import { test } from '@fast-check/vitest'
import {
  add,
  astype,
  customJvp,
  customVjp,
  exp,
  FluxionError,
  matmul,
  mul,
  neg,
  ones,
  sign,
  sin,
  square,
  stopGradient,
  sum,
  type Tensor,
  type Tree,
  tensor,
  treeLeaves,
} from 'fluxion'
import {
  assertHolds,
  chainRule,
  type Equation,
  exact,
  explain,
  fdAgreement,
  fdFloat32,
  fdOrder1,
  fdOrder2,
  GradientCheckError,
  gradJacrevJacfwd,
  gradJvpAgreement,
  hessianAgreement,
  hessianSymmetry,
  holds,
  hvpFd,
  jvpLinearity,
  structureDifference,
  transposeInvolution,
  tree,
  treeRoundtrip,
  unbroadcast,
  vjpJvpAdjoint,
  vjpLinearity,
  zeroDerivative,
} from 'fluxion/testing'
import { describe, expect, it } from 'vitest'

const x = tensor([0.5, -1, 2])
const v = tensor([1, 0.5, -0.25])
const w = tensor([0.3, -0.7, 1.1])

/**
 * sin with a bwd that is not linear in ȳ: reverse mode applies it to ȳ, forward mode transposes
 * its linearization at ȳ = 0, so the modes disagree (a linear but wrong bwd would fool them
 * both alike: only finite differences catch that).
 */
const nonlinearBwd = customVjp(
  (t: Tensor) => sin(t),
  (t: Tensor) => [sin(t), t] as const,
  (t: Tensor, yBar: Tensor) => [mul(add(yBar, square(yBar)), sin(add(t, Math.PI / 2)))] as const,
)

/** sin with a tangent off by a factor 2. */
const wrongJvp = customJvp(
  (t: Tensor) => sin(t),
  ([t]: readonly [Tensor], [tDot]: readonly [Tensor]) =>
    [sin(t), mul(2, mul(tDot, sin(add(t, Math.PI / 2))))] as const,
)

/** eˣ with a bwd that is right in value but stops the gradient through its residual. */
const firstOrderOnly = customVjp(
  (t: Tensor) => exp(t),
  (t: Tensor) => [exp(t), exp(t)] as const,
  (y: Tensor, yBar: Tensor) => [mul(yBar, stopGradient(y))] as const,
)

/** Σ p² "differentiated" by a field that is not a gradient: ∇ = M·p with M = [[0, 2], [1, 0]]. */
const M = tensor([
  [0, 2],
  [1, 0],
])
const notAGradient = customVjp(
  (p: Tensor) => sum(mul(p, p)),
  (p: Tensor) => [sum(mul(p, p)), p] as const,
  (p: Tensor, yBar: Tensor) => [mul(yBar, matmul(M, p))] as const,
)

const fails = (e: Equation): string => {
  expect(holds(e), explain(e)).toBe(false)
  return explain(e)
}

describe('each law holds for correct code', () => {
  const f = (t: Tensor) => mul(t, sin(t))
  const g = (t: Tensor) => sum(mul(sin(t), t))
  it.each([
    ['fd-agreement (order 1)', () => fdAgreement(f)([x], [v])],
    ['fd-agreement (order 2)', () => fdAgreement(f, fdOrder2)([x], [v])],
    ['vjp-jvp-adjoint', () => vjpJvpAdjoint(f)([x], [v], w)],
    ['jvp-linearity', () => jvpLinearity(f)([x], [v], [w], 2, -3)],
    ['vjp-linearity', () => vjpLinearity(f)([x], v, w, 2, -3)],
    ['chain-rule', () => chainRule(f, exp)([x], [v], w)],
    ['grad-jvp-agreement', () => gradJvpAgreement(f)([x], [v])],
    ['grad-jacrev-jacfwd', () => gradJacrevJacfwd(f)([x])],
    ['hessian-symmetry', () => hessianSymmetry(g)(x)],
    ['hessian-agreement', () => hessianAgreement(g)(x)],
    ['hvp-fd', () => hvpFd(g)(x, v)],
    [
      'transpose-involution',
      () =>
        transposeInvolution((t: Tensor) => sum(t, 0), exact)(
          [ones([2, 3])],
          [
            tensor([
              [1, 2, 3],
              [4, 5, 6],
            ]),
          ],
        ),
    ],
    [
      'unbroadcast',
      () => unbroadcast(mul)([tensor([1, 2]), tensor([[1], [2], [3]])], ones([3, 2])),
    ],
    ['tree-roundtrip', () => treeRoundtrip({ w: tensor([1, 2]), b: [3, { c: tensor(4) }] })],
    ['zero-derivative', () => zeroDerivative(sign)([x], [v], w)],
  ] as const)('%s', (_, law) => {
    const e = law()
    expect(holds(e), explain(e)).toBe(true)
    expect(explain(e)).toMatch(/ holds$/)
  })
})

describe('each law catches a wrong rule', () => {
  it('fd-agreement: a customJvp tangent off by a factor 2', () => {
    expect(fails(fdAgreement(wrongJvp)([x], [v]))).toMatch(
      /^fd-agreement \(rtol 0.000001, atol .*\) fails; value 0: max abs diff/,
    )
  })

  it('fd-agreement (order 2) and hvp-fd: a bwd right only to first order', () => {
    expect(holds(fdAgreement(firstOrderOnly)([x], [v]))).toBe(true)
    fails(hvpFd((t: Tensor) => sum(firstOrderOnly(t)))(x, v))
  })

  it('vjp-jvp-adjoint and grad-jacrev-jacfwd: a bwd that is not linear in ȳ', () => {
    expect(fails(vjpJvpAdjoint(nonlinearBwd)([x], [v], w))).toContain('⟨ȳ, J·ẋ⟩ vs ⟨Jᵀ·ȳ, ẋ⟩')
    expect(fails(gradJacrevJacfwd(nonlinearBwd)([x]))).toContain('jacfwd vs jacrev, block 0')
  })

  it('jvp-linearity: a tangent rule that is not linear', () => {
    const squared = customJvp(
      (t: Tensor) => sin(t),
      ([t]: readonly [Tensor], [tDot]: readonly [Tensor]) => [sin(t), square(tDot)] as const,
    )
    fails(jvpLinearity(squared)([x], [v], [w], 2, -3))
  })

  it('vjp-linearity: a bwd that is not linear', () => {
    const squared = customVjp(
      (t: Tensor) => sin(t),
      (t: Tensor) => [sin(t), t] as const,
      (_t: Tensor, yBar: Tensor) => [square(yBar)] as const,
    )
    fails(vjpLinearity(squared)([x], v, w, 2, -3))
  })

  it('transpose-involution: a linear map with the wrong transpose', () => {
    const double = customVjp(
      (t: Tensor) => mul(2, t),
      (t: Tensor) => [mul(2, t), null] as const,
      (_: null, yBar: Tensor) => [mul(3, yBar)] as const,
    )
    fails(transposeInvolution(double, exact)([x], [v]))
  })

  it('hessian-symmetry: a gradient field that is not a gradient', () => {
    fails(hessianSymmetry(notAGradient)(tensor([0.5, -1.5])))
  })

  it('hessian-agreement: a bwd that is not linear in ȳ', () => {
    // grad = bwd(1) = 2p, so hessian = 2I; forward mode transposes ȳ² at 0, so jacfwd(jacfwd) = 0
    const squaredBar = customVjp(
      (p: Tensor) => sum(mul(p, p)),
      (p: Tensor) => [sum(mul(p, p)), p] as const,
      (p: Tensor, yBar: Tensor) => [mul(square(yBar), mul(2, p))] as const,
    )
    fails(hessianAgreement(squaredBar)(tensor([0.5, -1.5])))
  })

  it('zero-derivative: a function with a derivative', () => {
    fails(zeroDerivative(neg)([x], [v], w))
  })

  it('tree-roundtrip compares structure before values', () => {
    expect(structureDifference({ a: 1, b: [2] }, { a: 1, b: [tensor(2)] })).toBe(
      'tree.b[0]: a number vs a tensor of shape []',
    )
    expect(structureDifference([1, 2], [1])).toBe('tree: an array of 2 vs an array of 1')
    expect(structureDifference({ a: 1 }, { b: 1 })).toBe('tree: keys {a} vs {b}')
  })
})

describe('assertHolds', () => {
  it('throws GradientCheckError with the context and the explanation', () => {
    const e = fdAgreement(wrongJvp)([x], [v])
    expect(() => assertHolds(e, 'sin at x')).toThrow(GradientCheckError)
    expect(() => assertHolds(e, 'sin at x')).toThrow(/^sin at x: fd-agreement \(rtol 0.000001/)
  })

  it('returns quietly when the law holds', () => {
    expect(assertHolds(fdAgreement(sin)([0.5], [1]))).toBeUndefined()
  })
})

describe('fd-agreement: the tolerance is the error budget of the differences', () => {
  const big = (t: number) => add(1e6, mul(0.05, sin(t)))
  /** 10⁶ + 0.05·sin x with a JVP that drops the derivative altogether. */
  const dropped = customJvp(
    big,
    ([t]: readonly [number], [tDot]: readonly [number]) => [big(t), mul(0, tDot)] as const,
  )

  it('catches a missing derivative of a function with large values (QA: held at atol 0.1)', () => {
    // rounding in f(x ± h) is about u·10⁶/h ≈ 1e-5; the derivative dropped is 0.05·cos 0.3
    expect(fails(fdAgreement(dropped)([0.3], [1]))).toMatch(
      /^fd-agreement \(rtol 0.000001, atol 8\.89e-5\)/,
    )
    expect(holds(fdAgreement(big)([0.3], [1]))).toBe(true)
  })

  it('at order 2 only with a step the large values allow (the default budget is 0.35)', () => {
    expect(holds(fdAgreement(dropped, fdOrder2)([0.3], [1]))).toBe(true)
    const wider = { ...fdOrder2, step: 1e-2 }
    fails(fdAgreement(dropped, wider)([0.3], [1]))
    expect(holds(fdAgreement(big, wider)([0.3], [1]))).toBe(true)
  })

  it('rounding 0 leaves only tol; the float32 budget uses float32 roundoff', () => {
    expect(fdAgreement(big, { ...fdOrder1, rounding: 0 })([0.3], [1]).tol).toEqual(fdOrder1.tol)
    const tol = fdAgreement(sin)([0.5], [1]).tol
    expect(tol.atol).toBeCloseTo(1e-7 + (8 * 2 ** -53 * Math.sin(0.5 + 1e-5)) / 1e-5, 20)
    const x32 = astype(tensor([0.5]), 'float32')
    const tol32 = fdAgreement(sin, fdFloat32)([x32], [tensor([1])]).tol
    // 8·u·max|f|/h with u = 2⁻²⁴, h = 2⁻¹²: 2⁻⁹·max|f|, max|f| ≈ sin(0.5 + 2⁻¹²) in float32
    expect(tol32.atol).toBeCloseTo(2e-3 + 2 ** -9 * Math.fround(Math.sin(0.5 + 2 ** -12)), 6)
  })

  it('refuses settings out of range instead of running another check', () => {
    for (const settings of [
      { ...fdOrder2, order: 3 },
      { ...fdOrder1, order: 0 },
      { ...fdOrder1, step: 0 },
      { ...fdOrder1, step: Number.NaN },
      { ...fdOrder1, tol: { rtol: -1, atol: 0 } },
      { ...fdOrder1, tol: { rtol: 0, atol: Number.NaN } },
      { ...fdOrder1, rounding: -1 },
    ]) {
      const run = () => fdAgreement(sin, settings as typeof fdOrder1)([0.5], [1])
      expect(run, JSON.stringify(settings)).toThrow(FluxionError)
      expect(run).toThrow(/^fdAgreement: /)
    }
  })
})

describe('laws on empty trees', () => {
  const total = (t: Tree) =>
    treeLeaves(t).reduce<number | Tensor>((acc, l) => add(acc, sum(mul(l, l))), 0)

  it('tree-roundtrip keeps null and undefined, the empty subtrees (QA: "tree.a: null vs null")', () => {
    for (const t of [
      { a: null, b: 1 },
      [undefined, tensor([1, 2])],
      null,
      { a: { b: undefined } },
    ]) {
      const e = treeRoundtrip(t)
      expect(holds(e), explain(e)).toBe(true)
    }
    expect(structureDifference({ a: null }, { a: undefined })).toBe('tree.a: null vs undefined')
    expect(structureDifference({ a: null }, { a: 0 })).toBe('tree.a: null vs a number')
  })

  it('the derivative laws hold trivially on trees without leaves (QA: "called with no arguments")', () => {
    for (const t of [{}, [], null, { a: [] }, { z: tensor([]) }] as Tree[]) {
      for (const e of [
        gradJvpAgreement((u: Tree) => u)([t], [t]),
        gradJacrevJacfwd((u: Tree) => u)([t]),
        gradJacrevJacfwd(total)([t]),
        hessianSymmetry(total)(t),
        hessianAgreement(total)(t),
      ]) {
        expect(holds(e), `${e.law} at ${JSON.stringify(t)}: ${explain(e)}`).toBe(true)
      }
    }
  })

  test.prop([tree({ maxDepth: 2 })])('and on every tree the kit draws', (t) => {
    for (const e of [
      treeRoundtrip(t),
      gradJvpAgreement((u: Tree) => u)([t], [t]),
      gradJacrevJacfwd(total)([t]),
      hessianSymmetry(total)(t),
      hessianAgreement(total)(t),
    ]) {
      expect(holds(e), explain(e)).toBe(true)
    }
  })
})
