/**
 * The bench harness: every task is validated before it is timed (a wrong answer is not a
 * timing), measured with tinybench, and reported as median ± median absolute deviation, with
 * ratios to a named baseline in the same group. Results go to the terminal as a table and to
 * bench/results/ as JSON and Markdown.
 */
import { execSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { Bench } from 'tinybench'

/** One timed task. `validate` runs once, before timing, and throws if the result is wrong. */
export interface Task {
  readonly name: string
  readonly fn: () => unknown
  readonly validate: () => void
  /** Work units per call (e.g. primitive applications), to report time per unit. */
  readonly units?: number
  readonly unitName?: string
  /** Runs before validation and before each timing phase (a peer selects its backend here). */
  readonly setup?: () => Promise<void>
  /** A peer's wrong result drops the task with a message; fluxion's stops the run. */
  readonly peer?: boolean
}

/** A group of tasks compared with each other; ratios are relative to `baseline`. */
export interface Group {
  readonly title: string
  readonly baseline: string
  readonly tasks: readonly Task[]
}

/** A measured task. */
export interface Row {
  readonly group: string
  readonly task: string
  readonly medianMs: number
  readonly madMs: number
  readonly samples: number
  readonly ratio: number
  readonly perUnitNs: number | undefined
  readonly unitName: string | undefined
}

let sink: unknown
/** Keeps results alive so no task can be optimized away. */
export const consume = (v: unknown): void => {
  sink = v
}

/** Milliseconds of warm-up per `setup` call for compiled (`jit`) tasks, by run length. */
export const warmUpMs = (quick: boolean): number => (quick ? 1000 : 2000)

/**
 * A `setup` that calls `fn` repeatedly for `ms` milliseconds, after `before` (a task's own
 * setup, such as a peer's backend selection), for compiled (`jit`) tasks. `jit` generates JS
 * functions (fused loops, a scalar interpreter) that V8's TurboFan optimizes in the background
 * over the first calls; until then they run several times slower. A long-running program would
 * run them optimized, so that is what we time; the first call's trace and compile are left out too, as the peers' `jit` compile is
 * (it happens during their validation). The setup runs before validation and before each timing
 * phase, so the warm-ups add up before the first timed call.
 */
export const warmUp =
  (fn: () => unknown, ms = warmUpMs(false), before?: () => Promise<void>): (() => Promise<void>) =>
  async () => {
    await before?.()
    const end = performance.now() + ms
    do consume(fn())
    while (performance.now() < end)
  }

/** Validates, then times every task of a group. */
export const runGroup = async (group: Group, time = 500): Promise<Row[]> => {
  const valid: Task[] = []
  for (const t of group.tasks) {
    try {
      await t.setup?.()
      t.validate()
      valid.push(t)
    } catch (e) {
      const message = `${group.title} / ${t.name}: validation failed before timing: ${String(e)}`
      if (!t.peer) throw new Error(message)
      process.stderr.write(`${message} (a wrong result is not a timing: dropped)\n`)
    }
  }
  // at least `time` ms per task, and at least 10 samples: tinybench's default floor of 64
  // samples (and 16 warm-up runs) made a task of a few seconds per call, such as a peer's
  // eager conv2d in float64, take minutes on its own
  const bench = new Bench({ time, warmupTime: 100, iterations: 10, warmupIterations: 2 })
  for (const t of valid) {
    bench.add(t.name, () => consume(t.fn()), t.setup === undefined ? {} : { beforeAll: t.setup })
  }
  await bench.run()
  const medians = new Map<string, { p50: number; mad: number; n: number }>()
  for (const task of bench.tasks) {
    const r = task.result
    if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`)
    medians.set(task.name, { p50: r.latency.p50, mad: r.latency.mad, n: r.latency.samplesCount })
  }
  const base = medians.get(group.baseline)?.p50 ?? Number.NaN
  return valid.map((t) => {
    const m = medians.get(t.name)!
    return {
      group: group.title,
      task: t.name,
      medianMs: m.p50,
      madMs: m.mad,
      samples: m.n,
      ratio: m.p50 / base,
      perUnitNs: t.units === undefined ? undefined : (m.p50 * 1e6) / t.units,
      unitName: t.unitName,
    }
  })
}

const fmtMs = (ms: number): string =>
  ms >= 1
    ? `${ms.toFixed(2)} ms`
    : ms >= 1e-3
      ? `${(ms * 1e3).toFixed(2)} µs`
      : `${(ms * 1e6).toFixed(1)} ns`

/** The machine and commit the numbers belong to. */
export const environment = (): Record<string, string> => {
  let commit = 'unknown'
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim()
  } catch {}
  return {
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    commit,
    date: new Date().toISOString(),
  }
}

/** Markdown table of rows. */
export const markdown = (rows: readonly Row[]): string => {
  const lines = [
    '| group | task | median | ± MAD | ratio | per unit |',
    '|---|---|---|---|---|---|',
  ]
  for (const r of rows) {
    // a flop per ns is a GFLOP/s, a readable figure where ns/flop would round to 0.3
    const unit =
      r.perUnitNs === undefined
        ? ''
        : r.unitName === 'flop'
          ? `${(1 / r.perUnitNs).toFixed(2)} GFLOP/s`
          : `${r.perUnitNs.toFixed(1)} ns/${r.unitName ?? 'unit'}`
    lines.push(
      `| ${r.group} | ${r.task} | ${fmtMs(r.medianMs)} | ${fmtMs(r.madMs)} | ${r.ratio.toFixed(2)}× | ${unit} |`,
    )
  }
  return lines.join('\n')
}

/**
 * Prints the rows and writes them to bench/results/; `appendix` (Markdown: tables measured
 * outside tinybench, such as jit's first calls) is printed and written after them.
 */
export const report = (rows: readonly Row[], appendix = ''): void => {
  const env = environment()
  console.log(
    `\n${Object.entries(env)
      .map(([k, v]) => `${k}: ${v}`)
      .join('  ·  ')}\n`,
  )
  console.log(markdown(rows))
  if (appendix !== '') console.log(`\n${appendix}`)
  mkdirSync('bench/results', { recursive: true })
  const stem = `bench/results/${env.date!.slice(0, 10)}-${env.commit}`
  writeFileSync(`${stem}.json`, `${JSON.stringify({ env, rows, appendix }, null, 2)}\n`)
  writeFileSync(`${stem}.md`, `${markdown(rows)}\n${appendix === '' ? '' : `\n${appendix}\n`}`)
  console.log(`\nwritten: ${stem}.json, ${stem}.md`)
  void sink
}
