/**
 * Forward and reverse mode agree (issue #12 §5): one convention in every mode — zero
 * annihilates. In every chain-rule product of a tangent or cotangent with a partial derivative,
 * an exact zero in either factor gives 0, even against ±∞ or NaN. Each case is computed by
 * grad, jvp, jacfwd, jacrev, vjp, derivative (Taylor mode) and jit(grad), on a number (reverse
 * mode's numeric tape) and elementwise on a tensor (the kernels and fused pullbacks), and all
 * must give the same number, which is also the exact one worked out in the comments.
 *
 * Then every pair of unary primitives, composed, at every special real: all modes agree
 * (NaN = NaN, infinities exactly), which is where a zero partial meets an infinite one.
 */
import {
  debugNans,
  derivative,
  grad,
  greater,
  jacfwd,
  jacrev,
  jit,
  jvp,
  log,
  logSumExp,
  mul,
  NonFiniteError,
  safeMul,
  sqrt,
  square,
  sum,
  type Tensor,
  tensor,
  vjp,
  where,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { bind1 } from '../../src/core/bind.ts'
import { specialReals } from '../../src/primitives/domain.ts'
import { primitiveNames, primitives } from '../../src/primitives/registry.ts'
import { expectClose } from '../helpers.ts'

type Fn = (x: number) => number
/** A function of fluxion ops, so it takes numbers and maps tensors elementwise. */
type Elementwise = (x: number | Tensor) => number | Tensor

/** Equal as derivatives: the same number, NaN with NaN, 0 with −0. */
const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b))

/** e′(x) by every mode on a number, and elementwise on a one-element tensor. */
const byEveryMode = (e: Elementwise, x: number): [string, number][] => {
  const f: Fn = (v) => e(v) as number
  const F = (t: Tensor) => sum(e(t) as Tensor)
  const t = tensor([x])
  return [
    ['grad', grad(f)(x)],
    ['jvp', jvp(f, [x], [1])[1]],
    ['jacfwd', jacfwd(f)(x)],
    ['jacrev', jacrev(f)(x)],
    ['vjp', vjp(f, x)[1](1)[0]],
    ['derivative', derivative(f)(x)],
    ['jit(grad)', jit(grad(f))(x)],
    ['grad on a tensor', grad(F)(t).data[0]!],
    ['jvp on a tensor', (jvp(F, [t], [tensor([1])])[1] as Tensor).data[0]!],
    ['jacfwd on a tensor', jacfwd(F)(t).data[0]!],
    ['jit(grad) on a tensor', jit(grad(F))(t).data[0]!],
  ]
}

const expectEveryMode = (f: Elementwise, x: number, expected: number): void => {
  for (const [mode, d] of byEveryMode(f, x)) expect(same(d, expected), `${mode}: ${d}`).toBe(true)
}

describe('the issue’s cases: every mode gives the same number', () => {
  it('√(x²)′ at 0 is 0 (the zero partial 2x stops √′(0) = ∞); ±1 either side', () => {
    const f: Elementwise = (x) => sqrt(square(x))
    expectEveryMode(f, 0, 0)
    expectEveryMode(f, 2, 1)
    expectEveryMode(f, -2, -1)
  })

  it('(x·log x)′ at 0 is −∞ (log x = −∞; the term x·(1/x) = 0·∞ annihilates); 1 at 1', () => {
    const f: Elementwise = (x) => mul(x, log(x))
    expectEveryMode(f, 0, Number.NEGATIVE_INFINITY)
    expectEveryMode(f, 1, 1)
  })

  it('(x·√x)′ at 0 is 0 (√0 = 0, and x·√′ = 0·∞ annihilates); 3/2·√x elsewhere', () => {
    const f: Elementwise = (x) => mul(x, sqrt(x))
    expectEveryMode(f, 0, 0)
    expectEveryMode(f, 4, 3)
  })

  it('the known cost: (√x)²′ at 0 is 0, where the one-sided derivative is 1', () => {
    // √′(0) = ∞ meets the square's partial 2√0 = 0: annihilated, not the limit 1
    const f: Elementwise = (x) => square(sqrt(x))
    expectEveryMode(f, 0, 0)
    expectEveryMode(f, 4, 1)
  })

  it('∇‖x‖ at 0 is 0 by grad, jacrev and jacfwd; x/‖x‖ elsewhere', () => {
    const norm = (x: Tensor) => sqrt(sum(square(x)))
    for (const [x, g] of [
      [
        [0, 0],
        [0, 0],
      ],
      [
        [3, 4],
        [0.6, 0.8],
      ],
    ] as const) {
      const t = tensor([...x])
      // exact at 0; x/‖x‖ rounds once
      for (const d of [grad(norm)(t), jacrev(norm)(t), jacfwd(norm)(t), jit(grad(norm))(t)]) {
        expectClose(d, tensor([...g]), 1e-15, 0)
      }
    }
  })

  it('where(x > 0, √x, 0) at 0 and −1 is 0 (the unselected branch contributes nothing)', () => {
    const f: Elementwise = (x) => where(greater(x, 0), sqrt(x), 0)
    expectEveryMode(f, 0, 0)
    expectEveryMode(f, -1, 0)
  })
})

describe('safeMul is symmetric: 0 when either factor is 0', () => {
  it('on numbers and tensors, with broadcasting on either side', () => {
    expect(safeMul(0, Number.POSITIVE_INFINITY)).toBe(0)
    expect(safeMul(Number.POSITIVE_INFINITY, 0)).toBe(0)
    expect(safeMul(Number.NaN, 0)).toBe(0)
    expect(safeMul(0, Number.NaN)).toBe(0)
    expect(Number.isNaN(safeMul(Number.NaN, 1))).toBe(true)
    const a = tensor([0, Number.POSITIVE_INFINITY, Number.NaN, 2])
    const b = tensor([Number.NaN, 0, 0, 3])
    expect(safeMul(a, b).toArray()).toEqual([0, 0, 0, 6])
    expect(safeMul(b, a).toArray()).toEqual([0, 0, 0, 6])
    expect(safeMul(a, 0).toArray()).toEqual([0, 0, 0, 0])
    expect(safeMul(0, a).toArray()).toEqual([0, 0, 0, 0])
    expect(jit((x: Tensor, y: Tensor) => safeMul(x, y))(a, b).toArray()).toEqual([0, 0, 0, 6])
  })
})

describe('logSumExp at +∞ logits: the limit, never a finite wrong gradient', () => {
  const lse = (x: Tensor) => logSumExp(x)
  const cases: readonly (readonly [readonly number[], readonly number[]])[] = [
    // softmax's limit: uniform over the entries at +∞
    [
      [Number.POSITIVE_INFINITY, 0],
      [1, 0],
    ],
    [
      [Number.POSITIVE_INFINITY, 1, Number.POSITIVE_INFINITY],
      [0.5, 0, 0.5],
    ],
    [
      [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
      [1, 0],
    ],
    // every entry at −∞: a tie, split evenly (the value is −∞)
    [
      [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
      [0.5, 0.5],
    ],
    // a NaN logit: NaN everywhere, never a number
    [
      [Number.NaN, 1],
      [Number.NaN, Number.NaN],
    ],
  ]
  it.each(cases)('at %j the gradient is %j in every mode', (x, g) => {
    const t = tensor([...x])
    for (const [mode, d] of [
      ['grad', grad(lse)(t)],
      ['jacrev', jacrev(lse)(t)],
      ['jacfwd', jacfwd(lse)(t)],
      ['jit(grad)', jit(grad(lse))(t)],
    ] as const) {
      expect(
        [...d.data].every((v, i) => same(v, g[i]!)),
        `${mode}: ${d.toArray()}`,
      ).toBe(true)
    }
  })

  it('the value is the infinity itself, per row too', () => {
    expect(logSumExp(tensor([Number.POSITIVE_INFINITY, 0])).item()).toBe(Number.POSITIVE_INFINITY)
    const x = tensor([
      [Number.POSITIVE_INFINITY, 0],
      [0, 0],
    ])
    expect(logSumExp(x, 1).toArray()).toEqual([Number.POSITIVE_INFINITY, Math.LN2])
    expect(grad((v: Tensor) => sum(logSumExp(v, 1)))(x).toArray()).toEqual([
      [1, 0],
      [0.5, 0.5],
    ])
  })

  it('debugNans reports a NaN logit, and stays quiet on finite ones', () => {
    const before = debugNans(true)
    try {
      expect(() => grad(lse)(tensor([Number.NaN, 1]))).toThrow(NonFiniteError)
      // softmax of [1, 2]
      const e = Math.exp(-1)
      expectClose(grad(lse)(tensor([1, 2])), tensor([e / (1 + e), 1 / (1 + e)]), 1e-15, 0)
    } finally {
      debugNans(before)
    }
  })
})

describe('every pair of unary primitives, composed, at every special real', () => {
  const unaryNames = primitiveNames.filter(
    (n) => primitives[n].scalar1 !== undefined && !primitives[n].zeroDerivative,
  )
  const apply = (name: (typeof unaryNames)[number]) => (x: number) =>
    bind1(primitives[name], x, undefined) as number
  it.each(unaryNames)('%s after each unary primitive: grad = jvp = jacfwd = jacrev', (outer) => {
    const g = apply(outer)
    for (const inner of unaryNames) {
      const f: Fn = (x) => g(apply(inner)(x))
      for (const x of specialReals) {
        const ds = [grad(f)(x), jvp(f, [x], [1])[1], jacfwd(f)(x), jacrev(f)(x)]
        expect(
          ds.every((d) => same(d, ds[0]!)),
          `${outer}(${inner}(x)) at ${x}: grad, jvp, jacfwd, jacrev = ${ds}`,
        ).toBe(true)
      }
    }
  })
})
