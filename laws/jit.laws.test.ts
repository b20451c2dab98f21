/**
 * Law `jit-agreement`, registry-wide: every primitive, and its pullback, give the same bits
 * through `jit` (traced, compiled, replayed) as eagerly. See `runners/jit.ts`.
 *
 * Runs per property come from `FC_NUM_RUNS` (test/setup.ts); seeds are never pinned.
 */
import { runSuite } from './runners/index.ts'

runSuite('jit')
