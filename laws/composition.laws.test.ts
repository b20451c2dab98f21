/**
 * Registry-wide composition laws: every differentiable primitive is checked by `chain-rule`
 * (composed with a second random primitive), `grad-jacrev-jacfwd`, `hessian-symmetry`,
 * `hessian-agreement` and `hvp-fd`, at points of its own domain (`runners/composition.ts`).
 *
 * Runs per property come from `FC_NUM_RUNS` (test/setup.ts); seeds are never pinned.
 */
import { runSuite } from './runners/index.ts'

runSuite('composition')
