/**
 * Registry-wide structural laws: `transpose-involution` for every linear primitive (exact, on
 * dyadic points) and `unbroadcast` for every primitive that broadcasts its arguments
 * elementwise, at the broadcast pairs its domain draws (`runners/structure.ts`).
 *
 * Runs per property come from `FC_NUM_RUNS` (test/setup.ts); seeds are never pinned.
 */
import { runSuite } from './runners/index.ts'

runSuite('structure')
