/**
 * Sub-programs: the bodies of structured equations (loops, branches), traced into programs of
 * their own while an outer trace runs, with closure conversion of the values of enclosing traces
 * they read; and where a structured equation on given values is to be recorded.
 * @module
 */
import type { Concrete, Val } from '../core/tracer.ts'
import type { Trace } from './ir.ts'
import { Staged, StagingInterpreter } from './trace.ts'

/** A sub-program traced inside a running trace (see `traceSubprogram`). */
export interface Subprogram {
  /** Its inputs are the function's, then the captured values'. */
  readonly trace: Trace
  /** Values of enclosing traces the function read: the outer equation's trailing inputs. */
  readonly captured: Staged[]
  /** The function's outputs for `inputs` (this run). */
  readonly outputs: Concrete[]
}

/**
 * Traces `fn` (on plain numbers and tensors) into a sub-program, for a structured equation's
 * body: `fn` runs once on `inputs`, staged. Values of enclosing traces that it reads — values it
 * closes over — become trailing inputs of the sub-program, listed in `captured` (closure
 * conversion); a value of any other transformation raises `Unstageable`, as in `jit`.
 */
export function traceSubprogram(
  fn: (...args: Val[]) => readonly Val[],
  inputs: readonly Concrete[],
): Subprogram {
  const interp = new StagingInterpreter(true)
  try {
    const outs = fn(...inputs.map((x) => interp.input(x)))
    const trace = interp.finish(outs)
    const outputs = outs.map((v) => (v instanceof Staged ? v.concrete : (v as Concrete)))
    return { trace, captured: interp.capturedValues(), outputs }
  } finally {
    interp.close()
  }
}

/**
 * The staging interpreter a structured equation on `args` belongs to: the innermost one whose
 * live values are among them, or undefined if none is (all are concrete: run the op eagerly).
 */
export function stagingOf(args: readonly Val[]): StagingInterpreter | undefined {
  let found: StagingInterpreter | undefined
  for (const a of args) {
    if (
      a instanceof Staged &&
      a.interp.alive &&
      (found === undefined || a.interp.level > found.level)
    ) {
      found = a.interp
    }
  }
  return found
}
