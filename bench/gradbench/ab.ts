/**
 * A/B timing of two versions of one eval in one process, alternating: `tsx --conditions
 * @fluxion/source bench/gradbench/ab.ts OLD.ts NEW.ts FUNCTION INPUT.json [ROUNDS] [RUNS]` —
 * each round runs each version's function (compile call, then RUNS evaluations); prints the min
 * evaluate time of each over all rounds (the machine is shared: min, alternated); `AB_CPU=1` times
 * CPU time instead of the wall clock.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Answer } from './runs.ts'

const [a, b, fn, file, roundsArg, runsArg] = process.argv.slice(2)
// AB_CPU=1: the runs' timings are this process's CPU time (user + system), which other
// processes on a loaded machine disturb less than the wall clock (µs resolution)
if (process.env.AB_CPU === '1') {
  process.hrtime.bigint = () => {
    const u = process.cpuUsage()
    return BigInt(u.user + u.system) * 1000n
  }
}
type Mod = { module: Record<string, (input: unknown) => Answer> }
const mods = [(await import(resolve(a ?? ''))) as Mod, (await import(resolve(b ?? ''))) as Mod]
const input = JSON.parse(readFileSync(file ?? '', 'utf8')) as Record<string, unknown>
const best = [Infinity, Infinity]
const outs: unknown[] = [undefined, undefined]
for (let r = 0; r < Number(roundsArg ?? 3); r++) {
  for (let m = 0; m < 2; m++) {
    const answer = mods[m]!.module[fn ?? '']!({
      ...input,
      min_runs: Number(runsArg ?? 5),
      min_seconds: 0,
    })
    outs[m] = answer.output
    for (const t of answer.timings)
      if (t.name === 'evaluate') best[m] = Math.min(best[m]!, t.nanoseconds / 1e6)
  }
}
const same = JSON.stringify(outs[0]) === JSON.stringify(outs[1])
console.log(
  `${fn} ${file}: A ${best[0]!.toPrecision(4)} ms, B ${best[1]!.toPrecision(4)} ms, B/A ${(best[1]! / best[0]!).toFixed(2)}; outputs ${same ? 'identical' : 'DIFFER'}`,
)
