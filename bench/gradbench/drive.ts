/**
 * Times one GradBench function outside the harness: `tsx --conditions @fluxion/source
 * bench/gradbench/drive.ts EVAL FUNCTION INPUT.json [RUNS]` (INPUT: the message's `input`), min
 * over runs after a first (compile) call. For profiling with `node --cpu-prof`.
 */
import { readFileSync } from 'node:fs'
import type { Answer } from './runs.ts'

const [evalName, fn, file, runsArg] = process.argv.slice(2)
const mod = (await import(`./evals/${evalName}.ts`)) as {
  module: Record<string, (input: unknown) => Answer>
}
const input = JSON.parse(readFileSync(file ?? '', 'utf8')) as Record<string, unknown>
const f = mod.module[fn ?? '']
if (f === undefined) throw new Error(`no function ${fn} in ${evalName}`)
const answer = f({ ...input, min_runs: Number(runsArg ?? 10), min_seconds: 0 })
const ev = answer.timings.filter((t) => t.name === 'evaluate').map((t) => t.nanoseconds / 1e6)
const compile = answer.timings.find((t) => t.name === 'compile')
console.log(
  `${evalName} ${fn}: min ${Math.min(...ev).toPrecision(4)} ms over ${ev.length}` +
    (compile ? `, compile ${(compile.nanoseconds / 1e6).toPrecision(4)} ms` : ''),
)
