import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

const source = ['@fluxion/source']

export default defineConfig({
  resolve: { conditions: source },
  ssr: { resolve: { conditions: source, externalConditions: source } },
  test: {
    include: ['test/**/*.test.ts', 'laws/**/*.test.ts'],
    setupFiles: ['./test/setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 60_000,
    // vitest's default is one worker per core but one; on 2 cores that is a single worker, which
    // leaves a core idle most of the run (the main process only collects results)
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
})
