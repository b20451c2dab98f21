/**
 * Dead-code elimination: a program keeps the equations its outputs need, in order. Every
 * operation is pure, so an equation none of whose results is used can go.
 * @module
 */
import type { Equation, Trace } from '../ir.ts'

/**
 * The program without the equations its outputs do not need: one pass backwards marking what is
 * used, and a copy of the kept equations only if some are dead (a long program usually has
 * none, and a copy of millions of references is memory at the first call's peak).
 */
export function dce(trace: Trace): Trace {
  const { equations } = trace
  const live = new Uint8Array(trace.vars.length)
  const keep = new Uint8Array(equations.length)
  for (const o of trace.outputs) live[o] = 1
  let kept = 0
  for (let k = equations.length - 1; k >= 0; k--) {
    const e = equations[k]!
    if (e.kind === 'primitive' ? !live[e.out] : !e.outs.some((o) => live[o])) continue
    keep[k] = 1
    kept++
    const ins = e.ins
    for (let j = 0; j < ins.length; j++) live[ins[j]!] = 1
  }
  if (kept === equations.length) return trace
  const out = new Array<Equation>(kept)
  for (let k = 0, j = 0; k < equations.length; k++) if (keep[k]) out[j++] = equations[k]!
  return { ...trace, equations: out }
}
