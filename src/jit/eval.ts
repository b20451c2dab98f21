/**
 * A staged program run through `bind`: every equation applied to values that may be traced,
 * so the running transformations see the program's primitives — Autodidax's `eval_jaxpr`. This
 * is how `grad(jit(f))`, `jvp(jit(f))` and `vmap(jit(f))` differentiate and batch the program
 * `jit` traced instead of running `f` again (./call.ts).
 * @module
 */
import { bind1, bind2, bindN } from '../core/bind.ts'
import type { Val } from '../core/tracer.ts'
import type { Trace } from './ir.ts'
import { Unstageable } from './trace.ts'

/** The outputs of `trace` for `args` (its inputs, in order), each equation bound. */
export function evalTrace(trace: Trace, args: readonly Val[]): Val[] {
  const env = new Array<Val>(trace.vars.length)
  const { vars, values } = trace.constants
  for (let k = 0; k < vars.length; k++) env[vars[k]!] = values[k]!
  trace.inputs.forEach((v, k) => {
    env[v] = args[k]!
  })
  for (const e of trace.equations) {
    const ins = e.ins.map((i) => env[i]!)
    if (e.kind === 'primitive') {
      env[e.out] =
        ins.length === 1
          ? bind1(e.p, ins[0]!, e.params)
          : ins.length === 2
            ? bind2(e.p, ins[0]!, ins[1]!, e.params)
            : bindN(e.p, ins, e.params)
      continue
    }
    // a structured op that cannot bind itself again: the caller runs f instead
    if (e.op.bind === undefined) throw new Unstageable()
    const outs = e.op.bind(ins, e.params)
    e.outs.forEach((o, k) => {
      env[o] = outs[k]!
    })
  }
  return trace.outputs.map((o) => env[o]!)
}
