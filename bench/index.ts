/**
 * `npm run bench [-- --quick] [-- filter]`: runs the bench suites (`npm run bench:peers` adds
 * the peers of bench/peers), validating each result
 * before timing it, then jit's first-call table (bench/jit-cost.ts), and writes
 * bench/results/<date>-<commit>.{json,md}.
 *
 * Each group runs in a fresh Node process that loads only its own suite (the Effect runtimeperf
 * discipline): V8 shares type feedback across a process, so a function timed after other code
 * traced the same ops would be timed in a state that no single workload produces.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Group, type Row, report, runGroup } from './harness.ts'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const peers = args.includes('--peers')
const childAt = args.indexOf('--child')
// every filter must match: `npm run bench:peers -- conv` runs the peer groups about conv only
const filters = args.filter(
  (a, i) => !a.startsWith('--') && args[i - 1] !== '--child' && args[i - 1] !== '--out',
)

/** The suites, imported and built (inputs, references) only where they are needed. */
type Suite = (quick: boolean) => Promise<Group[]>
const suites: readonly Suite[] = [
  async (q) => (await import('./suites/core.bench.ts')).coreGroups(q),
  async (q) => (await import('./suites/jacobian.bench.ts')).jacobianGroups(q),
  async (q) => (await import('./suites/taylor.bench.ts')).taylorGroups(q),
  async (q) => (await import('./suites/higher.bench.ts')).higherGroups(q),
  async (q) => (await import('./suites/mlp.bench.ts')).mlpGroups(q),
  async (q) => (await import('./suites/kernels.bench.ts')).kernelGroups(q),
  async (q) => (await import('./suites/einsum.bench.ts')).einsumGroups(q),
  async (q) => (await import('./suites/linalg.bench.ts')).linalgGroups(q),
  async (q) => (await import('./suites/indexing.bench.ts')).indexingGroups(q),
  async (q) => (await import('./suites/conv.bench.ts')).convGroups(q),
  async (q) => (await import('./suites/control.bench.ts')).controlGroups(q),
  async (q) => (await import('./suites/train-step.bench.ts')).trainStepGroups(q),
  // TensorFlow.js and friends, installed apart in bench/peers (npm --prefix bench/peers ci)
  async (q) => (peers ? (await import('./suites/peers.bench.ts')).peerGroups(q) : []),
  async (q) => (peers ? (await import('./suites/peers-mlp.bench.ts')).peerMlpGroups(q) : []),
  async (q) => (peers ? (await import('./suites/peers-scalar.bench.ts')).peerScalarGroups(q) : []),
  async (q) => (peers ? (await import('./suites/peers-higher.bench.ts')).peerHigherGroups(q) : []),
  async (q) => (peers ? (await import('./suites/peers-conv.bench.ts')).peerConvGroups(q) : []),
]

if (childAt >= 0) {
  // child: run one group of one suite, and write its rows where the parent asked
  const [suite, index] = args[childAt + 1]!.split(':').map(Number)
  const group = (await suites[suite!]!(quick))[index!]!
  const rows = await runGroup(group, quick ? 200 : 1000)
  writeFileSync(args[args.indexOf('--out') + 1]!, JSON.stringify(rows))
} else {
  const dir = mkdtempSync(join(tmpdir(), 'fluxion-bench-'))
  const self = fileURLToPath(import.meta.url)
  const rows: Row[] = []
  for (const [s, suite] of suites.entries()) {
    // titles only: the parent builds each suite's groups but times nothing
    for (const [i, g] of (await suite(quick)).entries()) {
      if (!filters.every((f) => g.title.includes(f))) continue
      process.stderr.write(`running: ${g.title}\n`)
      const out = join(dir, `${s}-${i}.json`)
      const flags = [
        '--child',
        `${s}:${i}`,
        '--out',
        out,
        ...args.filter((a) => a === '--quick' || a === '--peers'),
      ]
      const child = spawnSync(process.execPath, [...process.execArgv, self, ...flags], {
        stdio: 'inherit',
      })
      if (child.status !== 0) throw new Error(`${g.title}: the child process failed`)
      rows.push(...(JSON.parse(readFileSync(out, 'utf8')) as Row[]))
    }
  }
  report(rows, jitCost())
}

/**
 * jit's first call per recorded op, its peak memory and the calls to break even with eager
 * (issue #15 §3): bench/jit-cost.ts, which needs a fresh process per measurement, so it runs
 * here rather than as a tinybench group — 10⁴ to 10⁶ ops (10⁴ and 10⁵ with --quick), when no
 * filter is given or one matches its title.
 */
function jitCost(): string {
  const title = 'jit: first call per op, peak memory, calls to break even'
  if (!filters.every((f) => title.includes(f))) return ''
  process.stderr.write(`running: ${title}\n`)
  const script = fileURLToPath(new URL('./jit-cost.ts', import.meta.url))
  const sizes = quick ? ['10000', '100000'] : ['10000', '100000', '1000000']
  const child = spawnSync(process.execPath, [...process.execArgv, script, ...sizes], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  })
  if (child.status !== 0) throw new Error(`${title}: the child process failed\n${child.stderr}`)
  return `### ${title}\n\n${child.stdout.trim()}`
}
