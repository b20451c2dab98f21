/**
 * Registry-wide first-order laws: every primitive is checked by `fd-agreement` (orders 1 and
 * 2), `vjp-jvp-adjoint`, `jvp-linearity`, `vjp-linearity` and `grad-jvp-agreement`, or by
 * `zero-derivative`, as its plan lists (`plan.ts`), at points of its own domain.
 *
 * Runs per property come from `FC_NUM_RUNS` (test/setup.ts); seeds are never pinned.
 */
import { runSuite } from './runners/index.ts'

runSuite('first-order')
