/**
 * `customVjp`, `customJvp` and `stopGradient`. Three user primitives with their own reverse
 * rules — a 2×2 linear solve x = A⁻¹b (adjoint b̄ = A⁻ᵀx̄, Ā = −b̄xᵀ), softplus log(1 + eˣ) with
 * the stable derivative σ(x), and a gradient clipper (identity forward, clipped cotangent) — are
 * checked under grad, vjp, jacrev and the nestings grad∘grad, jvp∘grad, jacfwd∘jacrev and
 * vmap∘grad. `customJvp` rules are checked in forward mode and, by transposition, in reverse
 * mode, nested, with trees. Expected values are closed forms worked out in comments and
 * computed in plain JS (2×2 inverses by hand), or the same function differentiated without a
 * custom rule. Counters in the rules show that the rules are what ran.
 *
 * Forward mode (`jvp`, `jacfwd`, `derivative`) through a `customVjp` function transposes `bwd`
 * (documented in `customVjp`), so it agrees with reverse mode; a clipper's `bwd` is not linear,
 * and is linearized at a zero cotangent, where the clip is the identity: its forward derivative
 * is unclipped. test/reliability/custom-trust.test.ts checks rules that differ from `f`.
 */
import {
  add,
  clip,
  cos,
  customJvp,
  customVjp,
  derivative,
  div,
  exp,
  grad,
  index,
  jacfwd,
  jacrev,
  jvp,
  log1p,
  logistic,
  mul,
  neg,
  outer,
  sin,
  square,
  stack,
  stopGradient,
  sub,
  sum,
  type Tensor,
  TreeMismatchError,
  tensor,
  transpose,
  vjp,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose, expectNumber, expectTensor } from '../helpers.ts'

// ---- a linear solve with its adjoint rule -------------------------------------------------------

/** x = A⁻¹b for a 2×2 A by Cramer's rule, in fluxion ops (differentiable without a rule). */
const cramer = (A: Tensor, b: Tensor): Tensor => {
  const [a00, a01, a10, a11] = [
    index(index(A, 0), 0),
    index(index(A, 0), 1),
    index(index(A, 1), 0),
    index(index(A, 1), 1),
  ]
  const [b0, b1] = [index(b, 0), index(b, 1)]
  const det = sub(mul(a00, a11), mul(a01, a10))
  return stack([
    div(sub(mul(a11, b0), mul(a01, b1)), det),
    div(sub(mul(a00, b1), mul(a10, b0)), det),
  ])
}

let bwdCalls = 0

/** The solve with its adjoint: b̄ = A⁻ᵀx̄, Ā = −b̄xᵀ (residuals A and x). */
const solve = customVjp(
  (A: Tensor, b: Tensor) => cramer(A, b),
  (A: Tensor, b: Tensor) => {
    const x = cramer(A, b)
    return [x, { A, x }] as const
  },
  ({ A, x }: { A: Tensor; x: Tensor }, xBar: Tensor) => {
    bwdCalls++
    const bBar = cramer(transpose(A), xBar)
    return [neg(outer(bBar, x)), bBar] as const
  },
)

// plain-JS 2×2 linear algebra for the expected values
type M2 = [[number, number], [number, number]]
type V2 = [number, number]
const inv = ([[a, b], [c, d]]: M2): M2 => {
  const det = a * d - b * c
  return [
    [d / det, -b / det],
    [-c / det, a / det],
  ]
}
const tr = ([[a, b], [c, d]]: M2): M2 => [
  [a, c],
  [b, d],
]
const mv = (m: M2, v: V2): V2 => [m[0][0] * v[0] + m[0][1] * v[1], m[1][0] * v[0] + m[1][1] * v[1]]
const mm = (p: M2, q: M2): M2 => [
  [p[0][0] * q[0][0] + p[0][1] * q[1][0], p[0][0] * q[0][1] + p[0][1] * q[1][1]],
  [p[1][0] * q[0][0] + p[1][1] * q[1][0], p[1][0] * q[0][1] + p[1][1] * q[1][1]],
]
const addV = (u: V2, v: V2, s = 1): V2 => [u[0] + s * v[0], u[1] + s * v[1]]
const addM = (p: M2, q: M2, s = 1): M2 => [
  [p[0][0] + s * q[0][0], p[0][1] + s * q[0][1]],
  [p[1][0] + s * q[1][0], p[1][1] + s * q[1][1]],
]
const dotV = (u: V2, v: V2): number => u[0] * v[0] + u[1] * v[1]

const A0: M2 = [
  [3, 1],
  [-1, 2],
]
const b0: V2 = [1, -2]
const w: V2 = [0.5, 1.5]
const x0 = mv(inv(A0), b0)

describe('customVjp: a linear solve with its adjoint rule', () => {
  // L(A, b) = w·x with x = A⁻¹b: ∂L/∂b = A⁻ᵀw, ∂L/∂A = −(A⁻ᵀw)xᵀ
  const loss = (A: Tensor, b: Tensor) => sum(mul(tensor(w), solve(A, b)))
  const bBar = mv(tr(inv(A0)), w)
  const ABar = [
    [-bBar[0] * x0[0], -bBar[0] * x0[1]],
    [-bBar[1] * x0[0], -bBar[1] * x0[1]],
  ]

  it('solves: the value is A⁻¹b', () => {
    expectClose(solve(tensor(A0), tensor(b0)), tensor(x0), 1e-15, 1e-15)
  })

  it('grad uses the rule: b̄ = A⁻ᵀw, Ā = −b̄xᵀ', () => {
    const before = bwdCalls
    const [gA, gb] = grad(loss, { argnums: [0, 1] })(tensor(A0), tensor(b0))
    expect(bwdCalls).toBe(before + 1)
    expectClose(expectTensor(gA, [2, 2]), tensor(ABar), 1e-14, 1e-15)
    expectClose(expectTensor(gb, [2]), tensor(bBar), 1e-14, 1e-15)
  })

  it('vjp: the pullback of x̄ = w is (Ā, b̄), and it is reusable', () => {
    const [x, pullback] = vjp(solve, tensor(A0), tensor(b0))
    expectClose(x, tensor(x0), 1e-15, 1e-15)
    const [gA, gb] = pullback(tensor(w))
    expectClose(gA, tensor(ABar), 1e-14, 1e-15)
    expectClose(gb, tensor(bBar), 1e-14, 1e-15)
    const [gA2, gb2] = pullback(mul(2, tensor(w)))
    expectClose(gA2, mul(2, tensor(ABar)), 1e-14, 1e-15)
    expectClose(gb2, mul(2, tensor(bBar)), 1e-14, 1e-15)
  })

  it('jacfwd transposes the rule: A⁻¹ in b, as jacrev, with bwd running', () => {
    const before = bwdCalls
    const Jb = jacfwd((b: Tensor) => solve(tensor(A0), b))(tensor(b0))
    expect(bwdCalls).toBeGreaterThan(before)
    expectClose(expectTensor(Jb, [2, 2]), tensor(inv(A0)), 1e-14, 1e-15)
    const JA = jacfwd((A: Tensor) => solve(A, tensor(b0)))(tensor(A0))
    expectClose(JA, jacrev((A: Tensor) => solve(A, tensor(b0)))(tensor(A0)), 1e-14, 1e-15)
  })

  it('jacrev in b is A⁻¹ (via the rule), and in A is −A⁻¹ ⊗ xᵀ', () => {
    const before = bwdCalls
    const Jb = jacrev((b: Tensor) => solve(tensor(A0), b))(tensor(b0))
    expect(bwdCalls).toBeGreaterThan(before)
    expectClose(expectTensor(Jb, [2, 2]), tensor(inv(A0)), 1e-14, 1e-15)
    // ∂xᵢ/∂A_jk = −(A⁻¹)ᵢⱼ·x_k
    const JA = jacrev((A: Tensor) => solve(A, tensor(b0)))(tensor(A0))
    const Ai = inv(A0)
    const expected = [0, 1].map((i) => [0, 1].map((j) => [0, 1].map((k) => -Ai[i]![j]! * x0[k]!)))
    expectClose(expectTensor(JA, [2, 2, 2]), tensor(expected), 1e-14, 1e-15)
  })

  /**
   * s(t) = |x(t)|² with A(t) x(t) = b(t), A(t) = A₀ + tE, b(t) = b₀ + td. Differentiating
   * A x = b: x′ = A⁻¹(d − E x), x″ = −2A⁻¹E x′; so s′ = 2 x·x′ and s″ = 2(x′·x′ + x·x″).
   */
  const E: M2 = [
    [0.5, -0.25],
    [1, 0.75],
  ]
  const d: V2 = [2, 0.5]
  const t0 = 0.3
  const sOf = (solver: (A: Tensor, b: Tensor) => Tensor) => (t: number) =>
    sum(square(solver(add(tensor(A0), mul(t, tensor(E))), add(tensor(b0), mul(t, tensor(d))))))
  const closedForm = (t: number): [number, number] => {
    const A = addM(A0, E, t)
    const Ai = inv(A)
    const x = mv(Ai, addV(b0, d, t))
    const x1 = mv(Ai, addV(d, mv(E, x), -1))
    const x2 = mv(Ai, mv(E, x1)).map((v) => -2 * v) as V2
    return [2 * dotV(x, x1), 2 * (dotV(x1, x1) + dotV(x, x2))]
  }
  const [s1, s2] = closedForm(t0)

  it('grad(s) and grad(grad(s)): the rule, written in fluxion ops, survives nesting', () => {
    const before = bwdCalls
    expectClose(expectNumber(grad(sOf(solve))(t0)), s1, 1e-13, 1e-14)
    expectClose(expectNumber(grad(grad(sOf(solve)))(t0)), s2, 1e-12, 1e-13)
    expect(bwdCalls).toBeGreaterThan(before)
    // and agrees with differentiating Cramer's rule itself, with no custom rule
    expectClose(grad(grad(sOf(solve)))(t0), grad(grad(sOf(cramer)))(t0), 1e-12, 1e-13)
  })

  it('jvp(grad(s)) is s″', () => {
    const [g, gDot] = jvp(grad(sOf(solve)), [t0], [1])
    expectClose(g, s1, 1e-13, 1e-14)
    expectClose(gDot, s2, 1e-12, 1e-13)
  })

  it('jacfwd(jacrev(h)) is the Hessian 2·A⁻ᵀA⁻¹ of h(b) = |A⁻¹b|²', () => {
    const h = (b: Tensor) => sum(square(solve(tensor(A0), b)))
    const Ai = inv(A0)
    const H = mm(tr(Ai), Ai).map((row) => row.map((v) => 2 * v))
    expectClose(expectTensor(jacfwd(jacrev(h))(tensor(b0)), [2, 2]), tensor(H), 1e-13, 1e-14)
  })

  it('vmap(grad(h)) gives per-example gradients 2·A⁻ᵀA⁻¹b', () => {
    const h = (b: Tensor) => sum(square(solve(tensor(A0), b)))
    const bs: V2[] = [b0, [0, 1], [-3, 0.5]]
    const Ai = inv(A0)
    const G = mm(tr(Ai), Ai)
    const expected = bs.map((b) => mv(G, b).map((v) => 2 * v))
    expectClose(expectTensor(vmap(grad(h))(tensor(bs)), [3, 2]), tensor(expected), 1e-13, 1e-14)
    // the rule inside vmap inside grad: its batched rule is used
    const total = (b: Tensor) => sum(vmap(h)(b))
    expectClose(grad(total)(tensor(bs)), tensor(expected), 1e-13, 1e-14)
  })
})

// ---- a stable derivative -----------------------------------------------------------------------

/** log(1 + eˣ) written naively (overflows for large x), with the stable derivative σ(x). */
const softplusNaive = customVjp(
  (x: number) => log1p(exp(x)),
  (x: number) => [log1p(exp(x)), x] as const,
  (x: number, g: number) => [mul(g, logistic(x))] as const,
)

describe('customVjp: a stable derivative for log(1 + eˣ)', () => {
  const sigma = (x: number) => 1 / (1 + Math.exp(-x))

  it('grad is σ(x): 0.5 at 0, exactly 1 at 1000 and 0 at −1000', () => {
    expect(grad(softplusNaive)(0)).toBe(0.5)
    expect(grad(softplusNaive)(1000)).toBe(1)
    expect(grad(softplusNaive)(-1000)).toBe(0)
    expectClose(grad(softplusNaive)(1.7), sigma(1.7), 1e-15, 0)
  })

  it('grad(grad) is σ(1 − σ): 0.25 at 0, finite and 0 at ±1000', () => {
    expect(grad(grad(softplusNaive))(0)).toBe(0.25)
    expect(grad(grad(softplusNaive))(1000)).toBe(0)
    expect(grad(grad(softplusNaive))(-1000)).toBe(0)
    expectClose(grad(grad(softplusNaive))(-0.8), sigma(-0.8) * (1 - sigma(-0.8)), 1e-14, 0)
  })

  it('third order: σ(1 − σ)(1 − 2σ)', () => {
    const s = sigma(0.6)
    expectClose(grad(grad(grad(softplusNaive)))(0.6), s * (1 - s) * (1 - 2 * s), 1e-13, 0)
  })
})

// ---- a gradient clipper ------------------------------------------------------------------------

/** The identity forward; the cotangent clipped to [−1, 1] backward. */
const clipGrad = customVjp(
  (x: number) => x,
  (x: number) => [x, null] as const,
  (_res: null, g: number) => [clip(g, -1, 1)] as const,
)

/** The same clipper over tensors, elementwise. */
const clipGradT = customVjp(
  (x: Tensor) => x,
  (x: Tensor) => [x, null] as const,
  (_res: null, g: Tensor) => [clip(g, -1, 1)] as const,
)

describe('customVjp: a gradient clipper', () => {
  it('is the identity on values; reverse mode clips the cotangent', () => {
    expect(clipGrad(3)).toBe(3)
    expect(grad((x: number) => mul(10, clipGrad(x)))(3)).toBe(1)
    expect(grad((x: number) => mul(-10, clipGrad(x)))(3)).toBe(-1)
    expect(grad((x: number) => mul(0.25, clipGrad(x)))(3)).toBe(0.25)
    expect(jacrev((x: number) => mul(10, clipGrad(x)))(3)).toBe(1)
    const [, pullback] = vjp(clipGrad, 2)
    expect(pullback(7)).toEqual([1])
    expect(pullback(-0.5)).toEqual([-0.5])
  })

  it('forward mode transposes bwd linearized at a zero cotangent: the tangent is not clipped', () => {
    // clip is the identity near 0, so the transposed rule is the identity there
    expect(jvp((x: number) => mul(10, clipGrad(x)), [3], [1])).toEqual([30, 10])
    expect(jacfwd((x: number) => mul(10, clipGrad(x)))(3)).toBe(10)
  })

  /**
   * g(x) = x·clipGrad(x): the cotangent reaching clipGrad is x, so grad g = x + clip(x, −1, 1),
   * and the second derivative is 1 + [|x| < 1] (the clip's own derivative, ½ at the boundary).
   */
  const g = (x: number) => mul(x, clipGrad(x))

  it('grad(grad(g)) differentiates the clipping in bwd', () => {
    expect(grad(g)(0.5)).toBe(1)
    expect(grad(g)(3)).toBe(4)
    expect(grad(g)(-3)).toBe(-4)
    expect(grad(grad(g))(0.5)).toBe(2)
    expect(grad(grad(g))(3)).toBe(1)
    expect(grad(grad(g))(1)).toBe(1.5)
  })

  it('jvp(grad(g)), jacfwd(jacrev(g)) and vmap(grad(g)) agree', () => {
    expect(jvp(grad(g), [0.5], [1])).toEqual([1, 2])
    expect(jvp(grad(g), [3], [1])).toEqual([4, 1])
    expect(jacfwd(jacrev(g))(0.5)).toBe(2)
    expect(jacfwd(jacrev(g))(3)).toBe(1)
    // per-example gradients, and the clipper's batched rule inside grad
    const gT = (x: Tensor) => sum(mul(x, clipGradT(x)))
    const xs = tensor([0.5, 3, -3, 1])
    expectClose(vmap(grad(gT))(xs), tensor([1, 4, -4, 2]), 0, 0)
    expectClose(vmap(grad(grad(gT)))(xs), tensor([2, 1, 1, 1.5]), 0, 0)
    // the batched rule inside grad, with residuals that are a tree ([]): fwd and bwd are vmapped
    const clipGradTree = customVjp(
      (x: Tensor) => x,
      (x: Tensor) => [x, []] as const,
      (_res: readonly [], g: Tensor) => [clip(g, -1, 1)] as const,
    )
    const inner = (x: Tensor) => sum(mul(x, vmap(clipGradTree)(x)))
    expectClose(grad(inner)(xs), tensor([1, 4, -4, 2]), 0, 0)
  })

  // regression: residuals `null` (customVjp's own doc example) used to break vmap inside reverse
  // mode, since the batch rule vmaps `fwd`; null is now an empty subtree, as None is in JAX
  it('vmap of a clipper with null residuals inside grad (null is an empty subtree)', () => {
    const xs = tensor([0.5, 3, -3, 1])
    const inner = (x: Tensor) => sum(mul(x, vmap(clipGradT)(x)))
    expectClose(grad(inner)(xs), tensor([1, 4, -4, 2]), 0, 0)
  })
})

// ---- customJvp ---------------------------------------------------------------------------------

describe('customJvp', () => {
  /**
   * A rule that is deliberately not the derivative of f (f = sin, rule says 2·ṫ), so that every
   * transformation that uses it is seen to use it.
   */
  let ruleCalls = 0
  const fake = customJvp(
    (x: number) => sin(x),
    ([x]: readonly [number], [t]: readonly [number]) => {
      ruleCalls++
      return [sin(x), mul(2, t)] as const
    },
  )

  it('jvp and jacfwd use the rule', () => {
    const before = ruleCalls
    expect(jvp(fake, [1], [3])).toEqual([Math.sin(1), 6])
    expect(jacfwd(fake)(1)).toBe(2)
    expect(ruleCalls).toBeGreaterThan(before)
    expect(fake(1)).toBe(Math.sin(1))
  })

  it('grad, vjp and jacrev transpose the rule’s tangent map', () => {
    expect(grad(fake)(1)).toBe(2)
    expect(grad((x: number) => mul(x, fake(x)))(1)).toBe(Math.sin(1) + 2)
    const [y, pullback] = vjp(fake, 1)
    expect(y).toBe(Math.sin(1))
    expect(pullback(5)).toEqual([10])
    expect(jacrev(fake)(1)).toBe(2)
  })

  /** log(1 + eˣ) with derivative σ(x), written as a forward rule. */
  const softplus2 = customJvp(
    (x: number) => log1p(exp(x)),
    ([x]: readonly [number], [t]: readonly [number]) =>
      [log1p(exp(x)), mul(logistic(x), t)] as const,
  )

  it('a stable rule: σ(x) at 0 and ±1000 in both modes', () => {
    expect(grad(softplus2)(0)).toBe(0.5)
    expect(grad(softplus2)(1000)).toBe(1)
    expect(grad(softplus2)(-1000)).toBe(0)
    expect(jvp(softplus2, [1000], [2])[1]).toBe(2)
  })

  it('grad(grad(·)), jvp(grad(·)) and grad(jvp(·)) through the rule: σ(1 − σ)', () => {
    const s = 1 / (1 + Math.exp(-0.7))
    expectClose(grad(grad(softplus2))(0.7), s * (1 - s), 1e-15, 0)
    expectClose(jvp(grad(softplus2), [0.7], [1])[1], s * (1 - s), 1e-15, 0)
    expectClose(grad((x: number) => jvp(softplus2, [x], [1])[1])(0.7), s * (1 - s), 1e-15, 0)
    expectClose(jacfwd(jacrev(softplus2))(0.7), s * (1 - s), 1e-15, 0)
    expect(grad(grad(softplus2))(1000)).toBe(0)
    // with an x-dependent outer factor: d²/dx² [x·sp(x)] = 2σ + xσ(1 − σ)
    expectClose(
      grad(grad((x: number) => mul(x, softplus2(x))))(0.7),
      2 * s + 0.7 * s * (1 - s),
      1e-14,
      0,
    )
  })

  /**
   * Trees in and out: f({a, b}, c) = [a·b·c, {s: a + c}] with the true derivative as its rule.
   * At a = 2, b = 3, c = 5: ∂(abc) = (bc, ac, ab) = (15, 10, 6); ∂(a + c) = (1, 0, 1).
   */
  const treeFn = customJvp(
    (p: { a: number; b: number }, c: number) =>
      [mul(mul(p.a, p.b), c), { s: add(p.a, c) }] as const,
    (
      [p, c]: readonly [{ a: number; b: number }, number],
      [pt, ct]: readonly [{ a: number; b: number }, number],
    ) =>
      [
        [mul(mul(p.a, p.b), c), { s: add(p.a, c) }] as const,
        [
          add(add(mul(mul(pt.a, p.b), c), mul(mul(p.a, pt.b), c)), mul(mul(p.a, p.b), ct)),
          { s: add(pt.a, ct) },
        ] as const,
      ] as const,
  )

  it('trees in arguments and outputs, forward and reverse', () => {
    const [out, outDot] = jvp(treeFn, [{ a: 2, b: 3 }, 5], [{ a: 1, b: 0.5 }, -1])
    expect(out).toEqual([30, { s: 7 }])
    expect(outDot).toEqual([15 + 5 - 6, { s: 0 }])
    const [, pullback] = vjp(treeFn, { a: 2, b: 3 }, 5)
    expect(pullback([1, { s: 0 }])).toEqual([{ a: 15, b: 10 }, 6])
    expect(pullback([0, { s: 1 }])).toEqual([{ a: 1, b: 0 }, 1])
    expect(pullback([2, { s: 3 }])).toEqual([{ a: 33, b: 20 }, 15])
    const g = grad((p: { a: number; b: number }) => {
      const [y, { s }] = treeFn(p, 5)
      return mul(y, s)
    })({ a: 2, b: 3 })
    // d/da [abc·(a + c)] = bc(a + c) + abc = 15·7 + 30; d/db = ac(a + c) = 70
    expect(g).toEqual({ a: 135, b: 70 })
  })

  it('vmap of a customJvp function, and grad through that vmap', () => {
    const sq = customJvp(
      (x: Tensor) => mul(x, x),
      ([x]: readonly [Tensor], [t]: readonly [Tensor]) => [mul(x, x), mul(mul(2, x), t)] as const,
    )
    const xs = tensor([1, -2, 3])
    expectClose(vmap(sq)(xs), tensor([1, 4, 9]), 0, 0)
    expectClose(grad((x: Tensor) => sum(vmap(sq)(x)))(xs), tensor([2, -4, 6]), 0, 0)
    expectClose(
      vmap(grad((x: Tensor) => sum(sq(x))))(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
      tensor([
        [2, 4],
        [6, 8],
      ]),
      0,
      0,
    )
  })

  // regression: Taylor mode used to trace f itself, ignoring the rule (derivative(fake, 1)(1) was
  // cos 1, derivative(softplus2, 1)(1000) NaN); it now runs the rule's jvp, nested per order
  it('derivative(f, k) uses the rule', () => {
    expect(derivative(fake, 1)(1)).toBe(2)
    expect(derivative(softplus2, 1)(1000)).toBe(1)
    expect(derivative(softplus2, 2)(1000)).toBe(0)
  })
})

describe('Taylor mode through customVjp transposes bwd (like jvp)', () => {
  it('derivative(clipGrad-scaled, 1) = 10, as jvp; reverse mode gives the clipped 1', () => {
    // documented for customVjp: forward modes, `derivative` too, transpose bwd linearized at 0
    const h = (x: number) => mul(10, clipGrad(x))
    expect(derivative(h, 1)(3)).toBe(10)
    expect(jvp(h, [3], [1])[1]).toBe(10)
    expect(grad(h)(3)).toBe(1)
  })
})

describe('customVjp: errors', () => {
  it('bwd returning the wrong number of cotangents is a TreeMismatchError', () => {
    const bad = customVjp(
      (a: number, b: number) => mul(a, b),
      (a: number, b: number) => [mul(a, b), [a, b]] as const,
      // one cotangent for two arguments
      ([_a, b]: readonly [number, number], g: number) => [mul(g, b)] as unknown as [number, number],
    )
    expect(bad(2, 3)).toBe(6)
    expect(() => grad(bad)(2, 3)).toThrow(TreeMismatchError)
    expect(() => vjp(bad, 2, 3)[1](1)).toThrow(TreeMismatchError)
    const tooMany = customVjp(
      (a: number) => mul(a, a),
      (a: number) => [mul(a, a), a] as const,
      (a: number, g: number) => [mul(g, a), g] as unknown as [number],
    )
    expect(() => grad(tooMany)(2)).toThrow(TreeMismatchError)
  })
})

describe('stopGradient', () => {
  const f = (x: number) => mul(x, stopGradient(mul(x, x))) // x·c with c = x² held constant

  it('blocks the derivative in reverse and forward mode', () => {
    expect(grad(f)(3)).toBe(9)
    expect(jvp(f, [3], [1])).toEqual([27, 9])
    expect(grad(stopGradient)(3)).toBe(0)
    expect(jvp(stopGradient, [3], [1])).toEqual([3, 0])
    expect(grad((x: Tensor) => sum(stopGradient(x)))(tensor([1, 2]))).toEqual(tensor([0, 0]))
  })

  it('blocks it at every order of nesting', () => {
    // d/dx (x·c) = c = x², but only as a value: its own derivative is blocked, so f″ = 0
    expect(grad(grad(f))(3)).toBe(0)
    expect(jvp(grad(f), [3], [1])).toEqual([9, 0])
    expect(grad((x: number) => jvp(f, [x], [1])[1])(3)).toBe(0)
    expect(jacfwd(jacrev(f))(3)).toBe(0)
    // a stopped inner derivative: d/dx [x · stop(d/dy y²|_{y=x})] = 2x
    expect(grad((x: number) => mul(x, stopGradient(grad(square)(x))))(3)).toBe(6)
    expect(grad((x: number) => mul(cos(0), stopGradient(x)))(3)).toBe(0)
  })
})
