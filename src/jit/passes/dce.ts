/**
 * Dead-code elimination: a program keeps the equations its outputs need, in order. Every
 * operation is pure, so an equation none of whose results is used can go.
 * @module
 */
import type { Equation, Trace } from '../ir.ts'

/** The program without the equations its outputs do not need (one pass, backwards). */
export function dce(trace: Trace): Trace {
  const live = new Uint8Array(trace.vars.length)
  for (const o of trace.outputs) live[o] = 1
  const kept: Equation[] = []
  for (let k = trace.equations.length - 1; k >= 0; k--) {
    const e = trace.equations[k]!
    if (e.kind === 'primitive' ? !live[e.out] : !e.outs.some((o) => live[o])) continue
    kept.push(e)
    for (const i of e.ins) live[i] = 1
  }
  if (kept.length === trace.equations.length) return trace
  return { ...trace, equations: kept.reverse() }
}
