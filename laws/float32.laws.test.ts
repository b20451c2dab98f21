/**
 * Registry-wide float32 laws: `float32-agreement` for every primitive (float32 results,
 * derivatives, batches and compiled replays, agreeing with float64) and `float32-fd` for every
 * differentiable one (finite differences evaluated in float32), as `plan.ts` lists them.
 *
 * Runs per property come from `FC_NUM_RUNS` (test/setup.ts); seeds are never pinned.
 */
import { runSuite } from './runners/index.ts'

runSuite('float32')
