/**
 * Second-order and composition laws on a few smooth test functions, at random points: the
 * Rosenbrock function on ℝⁿ, logSumExp of a matrix–vector product, a one-layer network's
 * squared loss over a parameter tree `{ w, b }`, and a function of a tree mixing number and
 * tensor leaves. Each is checked by hessian-symmetry, hessian-agreement, hvp-fd,
 * grad-jacrev-jacfwd, fd-agreement (orders 1 and 2), vjp-jvp-adjoint and `checkGrads` to order
 * 2; chain-rule composes the network's hidden layer with Rosenbrock.
 *
 * Points and directions come from the kit's arbitraries (`treeLike`); tolerances are the laws'
 * documented defaults. Runs per property come from `FC_NUM_RUNS`; seeds are never pinned.
 */
import { fc, test } from '@fast-check/vitest'
import {
  add,
  logSumExp,
  matmul,
  mean,
  mul,
  type Scalar,
  sin,
  slice,
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
  chainRule,
  checkGrads,
  fdAgreement,
  fdOrder2,
  gradJacrevJacfwd,
  hessianAgreement,
  hessianSymmetry,
  hvpFd,
  real,
  treeLike,
  vjpJvpAdjoint,
} from 'fluxion/testing'
import { describe } from 'vitest'

/** Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² over a vector of length n ≥ 2. */
const rosenbrock = (x: Tensor): Scalar => {
  const n = x.shape[0]!
  const head = slice(x, [0], [n - 1])
  const tail = slice(x, [1], [n])
  return sum(add(mul(100, square(sub(tail, square(head)))), square(sub(1, head))))
}

const A = tensor([
  [1, -0.5, 0.25],
  [0.5, 2, -1],
  [-1.5, 0.75, 0.5],
  [0.25, 0.5, 1],
])

/** log Σ exp(A·x) for x ∈ ℝ³. */
const lse = (x: Tensor): Scalar => logSumExp(matmul(A, x))

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

/** The hidden layer tanh(w·X + b) of a network with 3 units on 2 inputs. */
const hidden = (p: Params): Tensor => tanh(add(matmul(p.w, inputs), p.b))

/** Mean squared error of the hidden layer against the targets. */
const loss = (p: Params): Scalar => mean(square(sub(hidden(p), targets)))

type Mixed = { readonly a: number; readonly v: Tensor; readonly rest: readonly [number] }

/** A function of a tree with number and tensor leaves. */
const mixed = (t: Mixed): Scalar => add(sum(mul(t.a, sin(t.v))), mul(t.rest[0], mul(t.a, t.a)))

interface Case<A> {
  readonly name: string
  readonly f: (x: A) => Scalar
  readonly at: A
}

/** The laws, for one test function: each a property over random points (and directions). */
const lawsOf = <A>({ name, f, at }: Case<A>) => {
  const point = treeLike(at, real(-1.5, 1.5))
  const direction = treeLike(at, real(-1, 1))
  describe(name, () => {
    test.prop([point])('hessian-symmetry', (x) => assertHolds(hessianSymmetry(f)(x)))
    test.prop([point])('hessian-agreement', (x) => assertHolds(hessianAgreement(f)(x)))
    test.prop([point, direction])('hvp-fd', (x, v) => assertHolds(hvpFd(f)(x, v)))
    test.prop([point])('grad-jacrev-jacfwd', (x) => assertHolds(gradJacrevJacfwd(f)([x])))
    test.prop([point, direction])('fd-agreement (order 1)', (x, v) =>
      assertHolds(fdAgreement(f)([x], [v])),
    )
    test.prop([point, direction])('fd-agreement (order 2)', (x, v) =>
      assertHolds(fdAgreement(f, fdOrder2)([x], [v])),
    )
    test.prop([point, direction, real(-1, 1)])('vjp-jvp-adjoint', (x, v, yBar) =>
      assertHolds(vjpJvpAdjoint(f)([x], [v], yBar)),
    )
    // the directions' seed is drawn too: nothing here is pinned
    test.prop([point, fc.nat()])('checkGrads (order 2, both modes)', (x, seed) =>
      checkGrads(f, [x], { order: 2, seed }),
    )
  })
}

lawsOf({ name: 'rosenbrock', f: rosenbrock, at: zeros([4]) })
lawsOf({ name: 'logSumExp of A·x', f: lse, at: zeros([3]) })
lawsOf({ name: 'network loss over { w, b }', f: loss, at: { w: zeros([3, 2]), b: zeros([3, 1]) } })
lawsOf({ name: 'mixed number and tensor leaves', f: mixed, at: { a: 0, v: zeros([3]), rest: [0] } })

describe('network hidden layer, then rosenbrock of each unit', () => {
  const at: Params = { w: zeros([3, 2]), b: zeros([3, 1]) }
  const outer = (h: Tensor): Scalar => rosenbrock(sum(h, 1))
  test.prop([treeLike(at, real(-1.5, 1.5)), treeLike(at, real(-1, 1)), real(-1, 1)])(
    'chain-rule',
    (p, pDot, zBar) => assertHolds(chainRule(hidden, outer)([p], [pDot], zBar)),
  )
})
