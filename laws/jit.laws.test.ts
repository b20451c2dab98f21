/**
 * Law `jit-agreement`: the same bits through `jit` (traced, compiled, replayed) as eagerly.
 * Registry-wide, every primitive and its pullback (see `runners/jit.ts`); and on random programs
 * (`programCase` from fluxion/testing) whose constants are +0 and −0, the value of every node, so
 * that a difference a sum would hide — the sign of a zero — shows: +0 and −0 merged into one
 * constant fail this within a few dozen runs. (Programs with other constants, their scalar output
 * and gradient: laws/programs.laws.test.ts.)
 *
 * Runs per property come from `FC_NUM_RUNS` (test/setup.ts); seeds are never pinned.
 */
import { test } from '@fast-check/vitest'
import { jit, type Scalar } from 'fluxion'
import { programCase, run } from 'fluxion/testing'
import { describe } from 'vitest'
import { runSuite } from './runners/index.ts'
import { sameBits } from './runners/jit.ts'

runSuite('jit')

describe('random programs', () => {
  test.prop([programCase({ inputs: 2, maxNodes: 16, constants: [0, -0] })])(
    'jit-agreement: every node value',
    ({ program, inputs }) => {
      const values = (xs: readonly Scalar[]): Scalar[] => {
        const seen: Scalar[] = []
        run(program, xs, (_, v) => {
          seen.push(v)
          return v
        })
        return seen
      }
      const eager = values(inputs)
      const jitted = jit(values)
      // the first call traces, the second replays the compiled program
      return sameBits(jitted(inputs), eager) && sameBits(jitted(inputs), eager)
    },
  )
})
