/**
 * The GradBench table: per eval, function and workload, the minimum `evaluate` time of GradBench's
 * C++ `manual` reference (or `finite` for particle/saddle, which have no manual), of fluxion
 * under `jit` and eager, and of TensorFlow.js where it has the module, with fluxion's ratio to
 * the reference and GradBench's own validity verdict; then each eval's geometric-mean ratio.
 *
 * `npm run bench:gradbench:table [-- DIR | summary.json]` prints it as Markdown (for
 * docs/performance.md); bench/gradbench/run.ts prints it as text after a run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Tools in the order they run and appear. */
export const TOOLS = ['manual', 'fluxion-jit', 'fluxion-eager', 'tfjs'] as const
/** A tool's name in the summary (`finite` stands in for `manual` on particle and saddle). */
export type ToolName = (typeof TOOLS)[number] | 'finite'

/** One evaluate message's result, as the harness's --summary-json writes it. */
export interface Evaluation {
  readonly function: string
  readonly description: string | null
  readonly valid: boolean | null
  readonly success: boolean | null
  readonly runs?: number
  readonly min_ns?: number
}

/** Every run so far: eval → tool → its outcome and evaluations. */
export interface Summary {
  machine: string
  runs: Record<string, Partial<Record<ToolName, { outcome: string; evaluations: Evaluation[] }>>>
}

const ALL_TOOLS: readonly ToolName[] = [...TOOLS, 'finite']

/** GradBench's evals in the order of the tables (simplest first). */
const ORDER = [
  'hello',
  'lse',
  'llsq',
  'det',
  'ode',
  'kmeans',
  'gmm',
  'lstm',
  'ba',
  'ht',
  'particle',
  'saddle',
]
const rank = (ev: string): number => (ORDER.includes(ev) ? ORDER.indexOf(ev) : ORDER.length)

/**
 * The summary of a results folder: every `EVAL-TOOL.json` the harness wrote there (each run
 * replaces its own file, so runs of different evals never race), and `machine.txt`.
 */
export function collect(dir: string): Summary {
  const machineFile = resolve(dir, 'machine.txt')
  const summary: Summary = {
    machine: existsSync(machineFile) ? readFileSync(machineFile, 'utf8').trim() : '?',
    runs: {},
  }
  for (const file of readdirSync(dir).sort()) {
    const tool = ALL_TOOLS.find((t) => file.endsWith(`-${t}.json`))
    if (tool === undefined) continue
    const ev = file.slice(0, -`-${tool}.json`.length)
    const run = JSON.parse(readFileSync(resolve(dir, file), 'utf8')) as {
      outcome: string
      evaluations: Evaluation[]
    }
    summary.runs[ev] ??= {}
    summary.runs[ev][tool] = { outcome: run.outcome, evaluations: run.evaluations }
  }
  const sorted = Object.keys(summary.runs).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  summary.runs = Object.fromEntries(sorted.map((ev) => [ev, summary.runs[ev]!]))
  return summary
}

const ms = (e: Evaluation | undefined): string =>
  e?.min_ns === undefined ? '–' : (e.min_ns / 1e6).toPrecision(3)
const verdict = (e: Evaluation | undefined): string =>
  e === undefined
    ? '–'
    : e.valid === true
      ? '✓'
      : e.valid === false
        ? '✗'
        : e.success
          ? '?'
          : 'fail'
const ratio = (e: Evaluation | undefined, ref: Evaluation | undefined): number | undefined =>
  e?.min_ns === undefined || ref?.min_ns === undefined || ref.min_ns === 0
    ? undefined
    : e.min_ns / ref.min_ns
const showRatio = (r: number | undefined): string =>
  r === undefined ? '–' : r >= 100 ? r.toFixed(0) : r.toPrecision(2)
const geomean = (xs: number[]): number | undefined =>
  xs.length === 0 ? undefined : Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length)

/** The table for `evals` (all in the summary by default), as Markdown or aligned text. */
export function table(summary: Summary, evals?: readonly string[], format: 'md' | 'text' = 'md') {
  const head = [
    'eval',
    'function',
    'workload',
    'reference ms',
    'fluxion jit ms',
    'jit ×',
    'fluxion eager ms',
    'eager ×',
    'TF.js ×',
    'valid (jit/eager)',
  ]
  const rows: string[][] = []
  for (const ev of evals ?? Object.keys(summary.runs)) {
    const byTool = summary.runs[ev]
    if (byTool === undefined) continue
    const refTool = byTool.manual !== undefined ? 'manual' : 'finite'
    const ref = byTool[refTool]?.evaluations ?? byTool['fluxion-jit']?.evaluations ?? []
    // the same eval arguments send the same messages in the same order to every tool (hello
    // chains each output into the next input, so its descriptions differ: match by position)
    const find = (tool: ToolName, e: Evaluation) => {
      const x = byTool[tool]?.evaluations[ref.indexOf(e)]
      return x?.function === e.function ? x : undefined
    }
    const jitRatios: number[] = []
    const eagerRatios: number[] = []
    for (const e of ref) {
      const refE = byTool[refTool] === undefined ? undefined : e
      const jit = find('fluxion-jit', e)
      const eager = find('fluxion-eager', e)
      const rj = ratio(jit, refE)
      const re = ratio(eager, refE)
      if (rj !== undefined) jitRatios.push(rj)
      if (re !== undefined) eagerRatios.push(re)
      rows.push([
        ev,
        e.function,
        String(e.description ?? ''),
        refE === undefined ? '–' : `${ms(refE)}${refTool === 'finite' ? ' (finite)' : ''}`,
        ms(jit),
        showRatio(rj),
        ms(eager),
        showRatio(re),
        showRatio(ratio(find('tfjs', e), refE)),
        `${verdict(jit)}/${verdict(eager)}`,
      ])
    }
    rows.push([
      `**${ev}**`,
      '',
      'geometric mean',
      '',
      '',
      `**${showRatio(geomean(jitRatios))}**`,
      '',
      `**${showRatio(geomean(eagerRatios))}**`,
      '',
      '',
    ])
  }
  if (format === 'md') {
    const line = (r: string[]) => `| ${r.join(' | ')} |`
    return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
  }
  const plain = rows.map((r) => r.map((c) => c.replaceAll('**', '')))
  const widths = head.map((h, i) => Math.max(h.length, ...plain.map((r) => r[i]!.length)))
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  return [line(head), ...plain.map(line)].join('\n')
}

/** Per eval: workloads, how many are valid (jit, eager), geometric-mean ratios, the worst. */
export function overview(summary: Summary): string {
  const head = [
    'eval',
    'evaluations',
    'valid jit',
    'valid eager',
    'jit × (geo. mean)',
    'eager × (geo. mean)',
    'worst jit ×',
    'TF.js × (geo. mean)',
  ]
  const rows = Object.entries(summary.runs).map(([ev, byTool]) => {
    const refTool = byTool.manual !== undefined ? 'manual' : 'finite'
    const ref = byTool[refTool]?.evaluations ?? []
    const at = (tool: ToolName, i: number, e: Evaluation) => {
      const x = byTool[tool]?.evaluations[i]
      return x?.function === e.function ? x : undefined
    }
    const ratios = (tool: ToolName) =>
      ref.flatMap((e, i) => {
        const r = ratio(at(tool, i, e), e)
        return r === undefined ? [] : [r]
      })
    const valid = (tool: ToolName) =>
      `${ref.filter((e, i) => at(tool, i, e)?.valid === true).length}/${ref.length}`
    const jit = ratios('fluxion-jit')
    return [
      ev,
      String(ref.length),
      valid('fluxion-jit'),
      valid('fluxion-eager'),
      showRatio(geomean(jit)),
      showRatio(geomean(ratios('fluxion-eager'))),
      showRatio(jit.length === 0 ? undefined : Math.max(...jit)),
      byTool.tfjs === undefined ? '–' : showRatio(geomean(ratios('tfjs'))),
    ]
  })
  const line = (r: string[]) => `| ${r.join(' | ')} |`
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = resolve(process.argv[2] ?? 'bench/results/gradbench')
  const summary = arg.endsWith('.json')
    ? (JSON.parse(readFileSync(arg, 'utf8')) as Summary)
    : collect(arg)
  console.log(`Machine: ${summary.machine}\n`)
  console.log(overview(summary))
  console.log('\n<details><summary>Every evaluation</summary>\n')
  console.log(table(summary))
  console.log('\n</details>')
}
