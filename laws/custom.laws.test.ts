/**
 * Laws of functions built with custom rules (`customVjp`, `customJvp`, `checkpoint`), at random
 * points: every transformation must use the rule, so forward and reverse mode agree with each
 * other whatever the rule says (issue #12 §3).
 *
 * - Rules that are the true derivative, written differently (a stable σ for log(1 + eˣ), a
 *   checkpointed layer): also finite differences, to order 2, and a symmetric Hessian.
 * - Rules that are not f's derivative (a doubled cosine, a rule with its own x-dependence):
 *   grad-jacrev-jacfwd, grad-jvp-agreement, vjp-jvp-adjoint and hessian-agreement, which
 *   compare the modes with each other; finite differences of f would see f, not the rule.
 *
 * Both kinds include functions that close over traced values (closure conversion). Points and
 * directions come from the kit's arbitraries; tolerances are the laws' documented defaults.
 * Runs per property come from `FC_NUM_RUNS`; seeds are never pinned.
 */
import { fc, test } from '@fast-check/vitest'
import {
  add,
  checkpoint,
  cos,
  customJvp,
  customVjp,
  exp,
  log1p,
  logistic,
  matmul,
  mean,
  mul,
  type Scalar,
  sin,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  zeros,
} from 'fluxion'
import {
  assertHolds,
  checkGrads,
  fdAgreement,
  fdOrder2,
  gradJacrevJacfwd,
  gradJvpAgreement,
  hessianAgreement,
  hessianSymmetry,
  real,
  treeLike,
  vjpJvpAdjoint,
} from 'fluxion/testing'
import { describe } from 'vitest'

// ---- rules that are the true derivative ----------------------------------------------------

/** log(1 + eˣ) elementwise, with the stable derivative σ(x) as a reverse rule. */
const softplusVjp = customVjp(
  (x: Tensor) => log1p(exp(x)),
  (x: Tensor) => [log1p(exp(x)), x] as const,
  (x: Tensor, g: Tensor) => [mul(g, logistic(x))] as const,
)

/** The same as a forward rule. */
const softplusJvp = customJvp(
  (x: Tensor) => log1p(exp(x)),
  ([x]: readonly [Tensor], [t]: readonly [Tensor]) => [log1p(exp(x)), mul(logistic(x), t)] as const,
)

type Params = { readonly w: Tensor; readonly b: Tensor }
const inputs = tensor([
  [0.5, -1, 2],
  [1, 0.25, -0.5],
])
const targets = tensor([
  [0.1, -0.2, 0.3],
  [0.3, 0.4, -0.1],
  [-0.5, 0.6, 0.2],
])

/** A network loss whose checkpointed layer closes over the parameters being differentiated. */
const layerLoss = (p: Params): Scalar => {
  const layer = checkpoint((x: Tensor) => tanh(add(matmul(p.w, x), p.b)))
  return mean(square(sub(layer(inputs), targets)))
}

/** Σ z·sin a over a vector z, the reverse rule for z the true one, a closed over. */
const scaledSine = (t: { readonly a: number; readonly z: Tensor }): Scalar => {
  const s = sin(t.a)
  const scale = customVjp(
    (z: Tensor) => mul(z, s),
    (z: Tensor) => [mul(z, s), null] as const,
    (_r: null, g: Tensor) => [mul(g, s)] as const,
  )
  return sum(mul(scale(t.z), t.z))
}

// ---- rules that are not f's derivative ------------------------------------------------------

/** sin, with the rule x̄ = 2·cos(x)·ȳ. */
const doubled = customVjp(
  (x: Tensor) => sin(x),
  (x: Tensor) => [sin(x), x] as const,
  (x: Tensor, g: Tensor) => [mul(g, mul(2, cos(x)))] as const,
)

/** x², with the forward rule ẏ = (x + cos x)·ẋ. */
const skewed = customJvp(
  (x: Tensor) => mul(x, x),
  ([x]: readonly [Tensor], [t]: readonly [Tensor]) => [mul(x, x), mul(add(x, cos(x)), t)] as const,
)

/** Σ z·sin a with the rule ȳ·3 sin a for z, and a closed over (differentiated through fwd). */
const tripledSine = (t: { readonly a: number; readonly z: Tensor }): Scalar => {
  const s = sin(t.a)
  const scale = customVjp(
    (z: Tensor) => mul(z, s),
    (z: Tensor) => [mul(z, s), null] as const,
    (_r: null, g: Tensor) => [mul(g, mul(3, s))] as const,
  )
  return sum(mul(scale(t.z), cos(t.z)))
}

/** A forward rule closing over a: ẏ = 2a·ż for y = a·z², and a closed over. */
const ruleOverA = (t: { readonly a: number; readonly z: Tensor }): Scalar => {
  const f = customJvp(
    (z: Tensor) => mul(t.a, mul(z, z)),
    ([z]: readonly [Tensor], [zDot]: readonly [Tensor]) =>
      [mul(t.a, mul(z, z)), mul(mul(2, t.a), zDot)] as const,
  )
  return sum(f(t.z))
}

interface Case<A> {
  readonly name: string
  readonly f: (x: A) => Scalar
  readonly at: A
}

/** Laws comparing the modes with each other: they hold for any rule. */
const modeLaws = <A>({ f, at }: Case<A>) => {
  const point = treeLike(at, real(-1.5, 1.5))
  const direction = treeLike(at, real(-1, 1))
  test.prop([point])('grad-jacrev-jacfwd', (x) => assertHolds(gradJacrevJacfwd(f)([x])))
  test.prop([point, direction])('grad-jvp-agreement', (x, v) =>
    assertHolds(gradJvpAgreement(f)([x], [v])),
  )
  test.prop([point, direction, real(-1, 1)])('vjp-jvp-adjoint', (x, v, yBar) =>
    assertHolds(vjpJvpAdjoint(f)([x], [v], yBar)),
  )
  test.prop([point])('hessian-agreement', (x) => assertHolds(hessianAgreement(f)(x)))
}

/** Every law, finite differences included: for rules that are the true derivative. */
const trueRuleLaws = <A>(c: Case<A>) =>
  describe(c.name, () => {
    modeLaws(c)
    const point = treeLike(c.at, real(-1.5, 1.5))
    const direction = treeLike(c.at, real(-1, 1))
    test.prop([point])('hessian-symmetry', (x) => assertHolds(hessianSymmetry(c.f)(x)))
    test.prop([point, direction])('fd-agreement (order 1)', (x, v) =>
      assertHolds(fdAgreement(c.f)([x], [v])),
    )
    test.prop([point, direction])('fd-agreement (order 2)', (x, v) =>
      assertHolds(fdAgreement(c.f, fdOrder2)([x], [v])),
    )
    test.prop([point, fc.nat()])('checkGrads (order 2, both modes)', (x, seed) =>
      checkGrads(c.f, [x], { order: 2, seed }),
    )
  })

/** The mode laws only: for rules that are not f's derivative. */
const ownRuleLaws = <A>(c: Case<A>) => describe(c.name, () => modeLaws(c))

trueRuleLaws({
  name: 'customVjp: Σ softplus with σ as its rule',
  f: (x: Tensor) => sum(softplusVjp(x)),
  at: zeros([3]),
})
trueRuleLaws({
  name: 'customJvp: Σ softplus with σ as its rule',
  f: (x: Tensor) => sum(softplusJvp(x)),
  at: zeros([3]),
})
trueRuleLaws({
  name: 'checkpoint: a layer closing over its parameters',
  f: layerLoss,
  at: { w: zeros([3, 2]), b: zeros([3, 1]) },
})
trueRuleLaws({
  name: 'customVjp closing over a traced scalar',
  f: scaledSine,
  at: { a: 0, z: zeros([3]) },
})

ownRuleLaws({
  name: 'customVjp: sin with the rule 2·cos',
  f: (x: Tensor) => sum(mul(doubled(x), x)),
  at: zeros([3]),
})
ownRuleLaws({
  name: 'customJvp: x² with the rule x + cos x',
  f: (x: Tensor) => sum(skewed(sin(x))),
  at: zeros([3]),
})
ownRuleLaws({
  name: 'customVjp with its own rule, closing over a traced scalar',
  f: tripledSine,
  at: { a: 0, z: zeros([3]) },
})
ownRuleLaws({
  name: 'customJvp whose rule closes over a traced scalar',
  f: ruleOverA,
  at: { a: 0, z: zeros([3]) },
})
