/**
 * Law `vmap-agreement`, registry-wide: for every primitive, its batching rule applied through
 * `vmap` to stacked arguments equals the primitive applied to each example, stacked; with one
 * batch axis (some arguments unbatched) and with two (`vmap(vmap(·))`). See
 * `runners/batching.ts`.
 *
 * Runs per property come from `FC_NUM_RUNS` (test/setup.ts); seeds are never pinned.
 */
import { runSuite } from './runners/index.ts'

runSuite('batching')
