/**
 * `npm test`: every check CI runs, reporting as it goes.
 *
 * 1. snippets — README and docs code blocks become tests (scripts/doc-snippets.ts);
 * 2. then, at the same time (they are independent, and each alone leaves a core partly idle on
 *    a 2-core machine):
 *    type-check (`npm run typecheck`), lint (`npm run lint`), API docs (`npm run docs:check`)
 *    and tests (`npm run test:vitest`: unit, law, doc, type and package tests).
 *
 * Each stage prints one line with its duration when it ends ("▸ type-check  9.8 s ✓"); a failed
 * stage prints its output, stops the others and makes the exit code nonzero. The test output is
 * held back while the static checks run, then streams. The last line is vitest's
 * "N passed, N failed, N skipped" (test/summary-reporter.ts), which CI reads.
 *
 * Arguments go to vitest: `npm test -- laws/ring.laws.test.ts`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import { writeSnippets } from './doc-snippets.ts'

const root = resolve(import.meta.dirname, '..')
process.chdir(root)
const scripts = (
  JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
).scripts

const useColor =
  process.env.NO_COLOR === undefined &&
  (process.env.FORCE_COLOR !== undefined || process.stdout.isTTY)
const paint = (code: number) => (s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s)
const green = paint(32)
const red = paint(31)
const dim = paint(2)
const bold = paint(1)

const seconds = (ms: number): string => {
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)} min ${s % 60} s`
}
const width = 14
const line = (label: string, ms: number, ok: boolean, note = ''): string =>
  `▸ ${label.padEnd(width)}${seconds(ms).padStart(9)} ${ok ? green('✓') : red('✗')}${note === '' ? '' : `  ${dim(note)}`}`

type Outcome = { label: string; ms: number; ok: boolean }
const outcomes: Outcome[] = []
const started = performance.now()
const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`

// 1. snippets, in this process
{
  const t = performance.now()
  try {
    const blocks = writeSnippets()
    outcomes.push({ label: 'snippets', ms: performance.now() - t, ok: true })
    console.log(line('snippets', performance.now() - t, true, `${blocks} code blocks`))
  } catch (e) {
    console.log(line('snippets', performance.now() - t, false))
    console.error(e)
    process.exit(1)
  }
}

// 2. the other stages, concurrently
type Stage = {
  label: string
  command: string
  /** Output lines not worth showing when the stage passes. */
  quiet?: RegExp
  streams?: boolean
}
const stages: Stage[] = [
  { label: 'type-check', command: scripts.typecheck! },
  { label: 'lint', command: scripts.lint!, quiet: /^Checked \d+ files? in / },
  { label: 'API docs', command: scripts['docs:check']!, quiet: /\[info\] Loaded plugin / },
  {
    label: 'tests',
    command: [scripts['test:vitest']!, ...process.argv.slice(2).map(quote)].join(' '),
    streams: true,
  },
]

const env = {
  ...process.env,
  PATH: [join(root, 'node_modules/.bin'), process.env.PATH].join(delimiter),
  // vitest's output is piped through this script; keep its colours when ours are on
  ...(useColor ? { FORCE_COLOR: '1' } : {}),
}
const summaryLine = /^\d+ passed, \d+ failed, \d+ skipped$/
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes
const ansi = /\x1b\[[0-9;]*m/g

const running = new Map<Stage, ChildProcess>()
let staticLeft = stages.filter((s) => !s.streams).length
/** Whether the test output is written through (once the static checks passed, or tests ended). */
let released = false
let vitestSummary: string | undefined
let finished = false

/** Held output of the streaming stage until the static checks are done, then written through. */
const held: Array<[NodeJS.WriteStream, string]> = []
let partial = ''
const emitTestOutput = (out: NodeJS.WriteStream, text: string): void => {
  if (out === process.stderr) {
    out.write(text)
    return
  }
  // hold back the summary line so it can be printed last
  const lines = (partial + text).split('\n')
  partial = lines.pop()!
  for (const l of lines) {
    if (summaryLine.test(l.replace(ansi, '').trim())) vitestSummary = l.replace(ansi, '').trim()
    else out.write(`${l}\n`)
  }
}
const flushHeld = (): void => {
  for (const [out, text] of held.splice(0)) emitTestOutput(out, text)
}

const stopAll = (): void => {
  for (const child of running.values()) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM')
    } catch {
      // already gone
    }
  }
}

function finish(ok: boolean, failed?: string): void {
  if (finished) return
  finished = true
  const stopped = [...running.keys()].map((s) => s.label)
  stopAll()
  // the held test output of a run stopped by a failed static check is of no interest
  if (released) flushHeld()
  if (partial !== '') emitTestOutput(process.stdout, '\n')
  const total = seconds(performance.now() - started)
  const times = outcomes.map((o) => `${o.label} ${seconds(o.ms)}`).join(' · ')
  console.log('')
  if (ok) {
    console.log(`${green('✓')} ${bold(`npm test passed in ${total}`)}  ${dim(times)}`)
  } else {
    const rest = stopped.length === 0 ? '' : `; stopped ${stopped.join(', ')}`
    console.log(
      `${red('✗')} ${bold(`npm test failed in ${total}: ${failed}`)}${rest}  ${dim(times)}`,
    )
  }
  if (vitestSummary !== undefined) console.log(vitestSummary)
  process.exitCode = ok ? 0 : 1
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopAll()
    process.exit(130)
  })
}

console.log(
  dim(
    `  type-check, lint, API docs and tests run at the same time (${availableParallelism()} cores); tests report once the others are done`,
  ),
)
const t0 = performance.now()
for (const stage of stages) {
  const child = spawn(stage.command, {
    cwd: root,
    env,
    shell: true,
    detached: true, // its own process group, so a failure elsewhere can stop all of it
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.set(stage, child)
  const captured: string[] = []
  const onData = (out: NodeJS.WriteStream) => (text: string) => {
    if (finished) return
    if (!stage.streams) captured.push(text)
    else if (!released) held.push([out, text])
    else emitTestOutput(out, text)
  }
  child.stdout!.setEncoding('utf8').on('data', onData(process.stdout))
  child.stderr!.setEncoding('utf8').on('data', onData(process.stderr))
  child.on('close', (code, signal) => {
    if (finished) return
    running.delete(stage)
    const ms = performance.now() - t0
    const ok = code === 0
    outcomes.push({ label: stage.label, ms, ok })
    if (stage.streams) {
      released = true
      flushHeld()
      if (partial !== '') emitTestOutput(process.stdout, '\n')
      console.log(line(stage.label, ms, ok))
    } else {
      staticLeft--
      console.log(line(stage.label, ms, ok))
      const output = captured
        .join('')
        .split('\n')
        .filter((l) => l.trim() !== '' && !(ok && stage.quiet?.test(l.replace(ansi, ''))))
      if (output.length > 0) console.log(output.map((l) => `  ${l}`).join('\n'))
      if (ok && staticLeft === 0) {
        const tests = [...running.keys()].find((s) => s.streams)
        if (tests !== undefined) {
          released = true
          console.log(
            `▸ ${tests.label}  ${dim(`running for ${seconds(performance.now() - t0)} …`)}`,
          )
          flushHeld()
        }
      }
    }
    if (!ok) finish(false, `${stage.label} (${signal ?? `exit code ${code}`})`)
    else if (running.size === 0) finish(true)
  })
}
