/**
 * Every registry-wide runner, grouped into suites (one test file each, so vitest runs them in
 * parallel). The record is typed over `RegistryLaw`: a law in the plan without a runner fails
 * `tsc`, and `runSuite` registers, for each primitive, one test per check its plan lists in the
 * suite.
 * @module
 */
import { describe, it } from 'vitest'
import { primitiveNames, primitives } from '../../src/primitives/registry.ts'
import { lawsFor, type RegistryLaw } from '../plan.ts'
import { batchingRunners } from './batching.ts'
import { compositionRunners } from './composition.ts'
import { firstOrderRunners } from './first-order.ts'
import { float32Runners } from './float32.ts'
import { jitRunners } from './jit.ts'
import type { Runner } from './point.ts'
import { structureRunners } from './structure.ts'
import { taylorRunners } from './taylor.ts'

/** The suites, each a record of runners by law. */
export const suites = {
  'first-order': firstOrderRunners,
  composition: compositionRunners,
  structure: structureRunners,
  batching: batchingRunners,
  taylor: taylorRunners,
  jit: jitRunners,
  float32: float32Runners,
} as const

/** A suite's name. */
export type SuiteName = keyof typeof suites

/** Every law's runner: each law in exactly one suite. */
export const runners: { readonly [L in RegistryLaw]: Runner } = {
  ...firstOrderRunners,
  ...compositionRunners,
  ...structureRunners,
  ...batchingRunners,
  ...taylorRunners,
  ...jitRunners,
  ...float32Runners,
}

/** Registers the suite's tests: per primitive, one test per check of the suite in its plan. */
export const runSuite = (suite: SuiteName): void => {
  const laws = new Set<string>(Object.keys(suites[suite]))
  const planned = primitiveNames.flatMap((name) => {
    const checks = lawsFor(primitives[name]).filter((c) => laws.has(c.law))
    return checks.length === 0 ? [] : [{ name, checks }]
  })
  describe.each(planned)('$name', ({ name, checks }) => {
    for (const check of checks) it(check.title, () => runners[check.law](primitives[name], check))
  })
}
