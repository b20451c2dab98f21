/** Traces a function on concrete inputs into a program, as `jit` does (for the pass tests). */
import type { Concrete, Val } from '../../src/core/tracer.ts'
import type { Trace } from '../../src/jit/ir.ts'
import { StagingInterpreter } from '../../src/jit/trace.ts'

export const traceOf = (
  f: (...xs: Val[]) => Val | readonly Val[],
  ...inputs: Concrete[]
): Trace => {
  const interp = new StagingInterpreter()
  try {
    const out = f(...inputs.map((x) => interp.input(x)))
    return interp.finish(Array.isArray(out) ? out : [out as Val])
  } finally {
    interp.close()
  }
}
