/**
 * A staged program run through `bind`: every equation applied to values that may be traced,
 * so the running transformations see the program's primitives — Autodidax's `eval_jaxpr`. This
 * is how `grad(jit(f))`, `jvp(jit(f))` and `vmap(jit(f))` differentiate and batch the program
 * `jit` traced instead of running `f` again (./call.ts).
 * @module
 */
import { bind1, bind2, bindN } from '../core/bind.ts'
import type { Val } from '../core/tracer.ts'
import { countOf, indexOf, type Trace } from './ir.ts'
import { Unstageable } from './trace.ts'

/** The outputs of `trace` for `args` (its inputs, in order), each equation bound. */
export function evalTrace(trace: Trace, args: readonly Val[]): Val[] {
  const t = trace.table
  const env = new Array<Val>(t.varCount)
  const { vars, values } = trace.constants
  for (let k = 0; k < vars.length; k++) env[vars[k]!] = values[k]!
  trace.inputs.forEach((v, k) => {
    env[v] = args[k]!
  })
  const { ins, insStart } = t
  for (let q = 0, m = countOf(trace); q < m; q++) {
    const k = indexOf(trace, q)
    const params = t.paramsOf(k)
    const first = insStart[k]!
    const arity = insStart[k + 1]! - first
    if (!t.isStructured(k)) {
      const p = t.primitive(k)
      env[t.out[k]!] =
        arity === 1
          ? bind1(p, env[ins[first]!]!, params)
          : arity === 2
            ? bind2(p, env[ins[first]!]!, env[ins[first + 1]!]!, params)
            : bindN(
                p,
                t.insOf(k).map((i) => env[i]!),
                params,
              )
      continue
    }
    // a structured op that cannot bind itself again: the caller runs f instead
    const e = t.equation(k)
    if (e.kind !== 'structured' || e.op.bind === undefined) throw new Unstageable()
    const outs = e.op.bind(
      e.ins.map((i) => env[i]!),
      params,
    )
    e.outs.forEach((o, j) => {
      env[o] = outs[j]!
    })
  }
  return trace.outputs.map((o) => env[o]!)
}
