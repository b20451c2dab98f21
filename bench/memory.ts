/**
 * Live memory for the memory tables: measured in a child Node process started with
 * `--expose-gc`, so that nothing but the workload lives on its heap and a forced GC leaves only
 * what is reachable. Used for checkpointing's memory (suites/higher.bench.ts) and the bytes per
 * recorded step (overhead.ts).
 */
import { spawnSync } from 'node:child_process'

/** Live bytes: V8's heap in use and the array buffers outside it (typed-array storage). */
export interface Live {
  readonly heap: number
  readonly buffers: number
}

/** Live memory after a forced full GC; the process must run with `--expose-gc`. */
export const liveMemory = (): Live => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect === undefined) throw new Error('run the memory child with --expose-gc')
  // twice: the first pass may only queue finalizers whose objects the second one frees
  collect()
  collect()
  const m = process.memoryUsage()
  return { heap: m.heapUsed, buffers: m.arrayBuffers }
}

/**
 * Runs `script` in a fresh Node process (tsx, `--expose-gc`) with `env` added, and returns the
 * last line of its standard output parsed as JSON. The child resolves 'fluxion' as this process
 * does: from src/ under the `@fluxion/source` condition, else from the built dist/.
 */
export const jsonFromChild = (script: string, env: Readonly<Record<string, string>>): unknown => {
  const source = process.execArgv.some((a) => a.includes('@fluxion/source'))
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      ...(source ? ['--conditions', '@fluxion/source'] : []),
      '--expose-gc',
      script,
    ],
    { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  )
  if (child.status !== 0) {
    throw new Error(`memory child ${JSON.stringify(env)} failed (${child.status}): ${child.stderr}`)
  }
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '')
}
