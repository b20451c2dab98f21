/**
 * `npm run bench:gradbench -- [--jit|--eager] [--only TOOL,…] [--timeout S] [--log] EVAL… [-- EVAL_ARGS…]`
 *
 * Runs GradBench evals against fluxion's tool (bench/gradbench/tool.ts), under `jit` and eagerly
 * (or one of them), against GradBench's C++ `manual` reference and, where it has the module,
 * GradBench's TensorFlow.js tool — all with the same eval arguments, one after another (never
 * in parallel: ratios are only comparable within one run on a quiet machine). It uses the
 * Docker-free harness in ../shared/gradbench (or $GRADBENCH_HARNESS) when that and its vendor/
 * tree exist; otherwise it says how to set it up and exits 0, so CI never depends on it.
 *
 * Writes bench/results/gradbench/EVAL-TOOL.{json,txt} (and .jsonl message logs with --log; they
 * are big), collects every EVAL-TOOL.json there into summary.json and prints a table.
 * `npm run bench:gradbench:table` turns that summary into the Markdown of docs/performance.md.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { collect, TOOLS, type ToolName, table } from './table.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const harness = resolve(process.env.GRADBENCH_HARNESS ?? resolve(root, '../shared/gradbench'))
const vendor = resolve(process.env.GRADBENCH_VENDOR ?? resolve(harness, 'vendor'))
const out = resolve(root, 'bench/results/gradbench')

const argv = process.argv.slice(2)
const dash = argv.indexOf('--')
const own = dash < 0 ? argv : argv.slice(0, dash)
const evalArgs = dash < 0 ? [] : argv.slice(dash + 1)
const flag = (name: string): boolean => own.includes(name)
const option = (name: string): string | undefined => {
  const i = own.indexOf(name)
  return i < 0 ? undefined : own[i + 1]
}
const timeout = option('--timeout')
// --only manual,fluxion-jit,…: rerun just those tools (the others' last results stay)
const only = option('--only')?.split(',')
const evals = own.filter(
  (a, i) => !a.startsWith('--') && !['--timeout', '--only'].includes(own[i - 1] ?? ''),
)

if (!existsSync(resolve(harness, 'run.sh')) || !existsSync(resolve(vendor, 'gradbench'))) {
  console.log(`GradBench harness not found (looked for ${harness}/run.sh and ${vendor}/gradbench).
Set it up once (needs root for a few Debian packages):
  cd ${harness} && ./setup.sh /path/to/a/gradbench/git-dir
or point GRADBENCH_HARNESS (and GRADBENCH_VENDOR) at one. Nothing was run.`)
  process.exit(0)
}
if (evals.length === 0) {
  console.log(
    'usage: npm run bench:gradbench -- [--jit|--eager] [--timeout S] [--log] EVAL… [-- EVAL_ARGS…]',
  )
  process.exit(1)
}

const tfjsEvals = new Set(
  readFileSync(resolve(vendor, 'gradbench/tools/tensorflow-js/evals.txt'), 'utf8').split(/\s+/),
)
const toolCommand = (tool: ToolName): string => {
  const fluxion = `FLUXION_ROOT=${root} ${resolve(root, 'bench/gradbench/tool.sh')}`
  switch (tool) {
    case 'fluxion-jit':
      return `FLUXION_JIT=1 ${fluxion}`
    case 'fluxion-eager':
      return `FLUXION_JIT=0 ${fluxion}`
    default:
      return tool
  }
}

mkdirSync(out, { recursive: true })
writeFileSync(resolve(out, 'machine.txt'), `${machine()}\n`)

for (const ev of evals) {
  const tools: ToolName[] = TOOLS.filter(
    (t) =>
      (t !== 'tfjs' || tfjsEvals.has(ev)) &&
      (t !== 'manual' || !['particle', 'saddle'].includes(ev)) &&
      !(t === 'fluxion-eager' && flag('--jit')) &&
      !(t === 'fluxion-jit' && flag('--eager')),
  )
  // particle and saddle have no manual implementation: GradBench's finite differences instead
  if (['particle', 'saddle'].includes(ev)) tools.unshift('finite')
  for (const tool of tools.filter((t) => only === undefined || only.includes(t))) {
    const base = resolve(out, `${ev}-${tool}`)
    const args = [ev, toolCommand(tool), '--summary-json', `${base}.json`]
    if (timeout !== undefined) args.push('--timeout', timeout)
    if (flag('--log')) args.push('-o', `${base}.jsonl`)
    if (evalArgs.length > 0) args.push('--', ...evalArgs)
    rmSync(`${base}.json`, { force: true })
    const started = Date.now()
    process.stderr.write(`${ev} × ${tool} … `)
    const r = spawnSync(resolve(harness, 'run.sh'), args, {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      env: { ...process.env, NO_COLOR: '1' },
    })
    writeFileSync(`${base}.txt`, `${r.stdout}\n${r.stderr}`)
    const done = existsSync(`${base}.json`)
      ? (JSON.parse(readFileSync(`${base}.json`, 'utf8')) as { outcome: string; evaluations: [] })
      : undefined
    process.stderr.write(
      `${done?.outcome ?? 'error'} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
    )
  }
}
const summary = collect(out)
writeFileSync(resolve(out, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`)
console.log(table(summary, evals, 'text'))

function machine(): string {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? '?'
  const cores = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? 0
  const rev = spawnSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' })
  return `${cpu}, ${cores} cores, Node ${process.version}, fluxion ${rev.stdout.trim()}`
}
