/**
 * Laws on random programs: DAGs over fluxion's smooth ops, broadcasting, reductions and shape
 * ops, with fan-out (`programCase` from fluxion/testing), at random inputs along random
 * directions. fd-agreement (orders 1 and 2), vjp-jvp-adjoint, grad-jacrev-jacfwd,
 * hessian-symmetry and hvp-fd hold on every program, with the laws' documented tolerances; and
 * jit-agreement: the program and its gradient, compiled and replayed by `jit`, give the eager
 * numbers exactly. A failure shrinks to a small program printed as fluxion code.
 *
 * Runs per property come from `FC_NUM_RUNS` (test/setup.ts); seeds are never pinned.
 */
import { test } from '@fast-check/vitest'
import { grad, jit, type Scalar, type Tensor } from 'fluxion'
import {
  assertHolds,
  fdAgreement,
  fdOrder2,
  gradJacrevJacfwd,
  hessianSymmetry,
  hvpFd,
  type Program,
  programCase,
  real,
  run,
  vjpJvpAdjoint,
} from 'fluxion/testing'
import { describe } from 'vitest'
import { sameBits } from './runners/jit.ts'

/** The program as a function of the list of its inputs. */
const fn =
  (p: Program) =>
  (xs: readonly Tensor[]): Scalar =>
    run(p, xs)

const cases = programCase({ inputs: 2, maxNodes: 8 })

describe('random programs', () => {
  test.prop([cases])('fd-agreement (order 1)', ({ program, inputs, tangents }) =>
    assertHolds(fdAgreement(fn(program))([inputs], [tangents])),
  )
  test.prop([cases])('fd-agreement (order 2)', ({ program, inputs, tangents }) =>
    assertHolds(fdAgreement(fn(program), fdOrder2)([inputs], [tangents])),
  )
  test.prop([cases, real(-1, 1)])('vjp-jvp-adjoint', ({ program, inputs, tangents }, yBar) =>
    assertHolds(vjpJvpAdjoint(fn(program))([inputs], [tangents], yBar)),
  )
  test.prop([cases])('grad-jacrev-jacfwd', ({ program, inputs }) =>
    assertHolds(gradJacrevJacfwd(fn(program))([inputs])),
  )
  test.prop([cases])('hessian-symmetry', ({ program, inputs }) =>
    assertHolds(hessianSymmetry(fn(program))(inputs)),
  )
  test.prop([cases])('hvp-fd', ({ program, inputs, tangents }) =>
    assertHolds(hvpFd(fn(program))(inputs, tangents)),
  )
  test.prop([cases])('jit-agreement', ({ program, inputs }) => {
    const f = fn(program)
    const [jf, jg] = [jit(f), jit(grad(f))]
    // first call traces, second replays the compiled program
    for (const _ of [0, 1]) {
      if (!sameBits(jf(inputs), f(inputs))) return false
      if (!sameBits(jg(inputs), grad(f)(inputs))) return false
    }
    return true
  })
})
