/**
 * Law `perturbation-confusion`, for every pairing of forward and reverse mode (outer, inner):
 * d/dx [x · d/dy (x + y)] = 1 and d/dx [x · d/dy (x·y)] = 2x, exactly, at dyadic x and y
 * (ForwardDiff's ConfusionTest; DESIGN §2's reference result, at every point).
 *
 * Runs per property come from `FC_NUM_RUNS` (test/setup.ts); seeds are never pinned.
 */
import { test } from '@fast-check/vitest'
import { dyadic, explain, holds, type Mode, perturbationConfusion } from 'fluxion/testing'
import { describe, expect } from 'vitest'

const modes: readonly Mode[] = ['fwd', 'rev']
const pairings = modes.flatMap((outer) => modes.map((inner) => [outer, inner] as const))

describe.each(pairings)('perturbation-confusion (%s over %s)', (outer, inner) => {
  test.prop([dyadic, dyadic])('perturbation-confusion', (x, y) => {
    const equation = perturbationConfusion(outer, inner)(x, y)
    expect(holds(equation), `at x = ${x}, y = ${y}: ${explain(equation)}`).toBe(true)
  })

  test('perturbation-confusion at the reference point x = y = 1', () => {
    expect(perturbationConfusion(outer, inner)(1, 1).lhs).toEqual([1, 2])
  })
})
