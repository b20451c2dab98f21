/**
 * What every GradBench function shares: the `min_runs`/`min_seconds` loop with one `evaluate`
 * timing per run, and the eager-or-`jit` choice (env `FLUXION_JIT=0` runs eagerly).
 */
import { jit } from 'fluxion'

/** The fields every eval but hello adds to its input. */
export interface Runs {
  readonly min_runs?: number
  readonly min_seconds?: number
}

/** One timing entry of a response. */
export interface Timing {
  readonly name: string
  readonly nanoseconds: number
}

/** A function's response: its output (plain JSON) and one timing per run. */
export interface Answer {
  readonly output: unknown
  readonly timings: Timing[]
}

/** A module: its functions by name, each taking the message's `input`. */
export type Module = Readonly<Record<string, (input: never) => Answer>>

/** Whether compiled programs are used: on unless `FLUXION_JIT=0` (or `false`, `eager`). */
export const useJit = !['0', 'false', 'eager'].includes(process.env.FLUXION_JIT ?? '')

/** `jit(f)` when compiled programs are on, else `f` itself. */
export const maybeJit = <F extends (...args: never[]) => unknown>(f: F): F =>
  useJit ? (jit(f as never) as unknown as F) : f

/**
 * `prepare` converts the input once (untimed) and gives the computation and the conversion of
 * its result to JSON; the computation runs at least `min_runs` times and until the runs sum to
 * `min_seconds`, and the last result is converted (untimed). Work `prepare` does once that
 * belongs to the computation (det's tables) comes back as its `setup` timing. Under `jit` (when `jitted`), a
 * first call traces and compiles the program: it is timed apart, as a `compile` entry, like
 * the compile step other tools report, so that `evaluate` times the compiled program only.
 */
export const multipleRuns =
  <I extends Runs, R>(
    prepare: (input: I) => { run: () => R; toJson: (r: R) => unknown; setup?: Timing },
    jitted = true,
  ) =>
  (input: I): Answer => {
    const { run, toJson, setup } = prepare(input)
    const minRuns = input.min_runs ?? 1
    const minSeconds = input.min_seconds ?? 0
    const timings: Timing[] = setup === undefined ? [] : [setup]
    if (useJit && jitted) {
      const t0 = process.hrtime.bigint()
      run()
      timings.push({ name: 'compile', nanoseconds: Number(process.hrtime.bigint() - t0) })
    }
    let runs = 0
    let seconds = 0
    let result: R
    do {
      const t0 = process.hrtime.bigint()
      result = run()
      const ns = Number(process.hrtime.bigint() - t0)
      timings.push({ name: 'evaluate', nanoseconds: ns })
      runs++
      seconds += ns / 1e9
    } while (runs < minRuns || seconds < minSeconds)
    return { output: toJson(result), timings }
  }
