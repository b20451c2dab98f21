/**
 * Dead-code elimination: a program keeps the equations its outputs need, in order. Every
 * operation is pure, so an equation none of whose results is used can go.
 * @module
 */
import { countOf, indexOf, makeTrace, type Trace } from '../ir.ts'

/**
 * The program without the equations its outputs do not need: one pass backwards marking what is
 * used. The result shares the trace's table and lists the equations kept (`order`, 4 bytes per
 * equation), or is the trace itself when none is dead.
 */
export function dce(trace: Trace): Trace {
  const t = trace.table
  const { ins, insStart, out } = t
  const m = countOf(trace)
  const live = new Uint8Array(t.varCount)
  const keep = new Uint8Array(m)
  for (const o of trace.outputs) live[o] = 1
  let kept = 0
  for (let q = m - 1; q >= 0; q--) {
    const k = indexOf(trace, q)
    const used = t.isStructured(k) ? t.outsOf(k).some((o) => live[o] === 1) : live[out[k]!] === 1
    if (!used) continue
    keep[q] = 1
    kept++
    for (let j = insStart[k]!, end = insStart[k + 1]!; j < end; j++) live[ins[j]!] = 1
  }
  if (kept === m) return trace
  const order = new Int32Array(kept)
  for (let q = 0, j = 0; q < m; q++) if (keep[q]) order[j++] = indexOf(trace, q)
  return makeTrace(t, trace, order)
}
