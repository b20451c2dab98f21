/**
 * Law `taylor-nested-agreement`, registry-wide: for every differentiable elementwise
 * primitive, derivative(p, k) (Taylor mode) equals k nested `grad`s, for k = 1…4, at points of
 * its own domain (`runners/taylor.ts`).
 *
 * Runs per property come from `FC_NUM_RUNS` (test/setup.ts); seeds are never pinned.
 */
import { runSuite } from './runners/index.ts'

runSuite('taylor')
