/**
 * The planner's guess of which chains become wasm loops (src/jit/emit/wasm/loop-module.ts has
 * the last word): those may grow past `MAX_CHAIN` (src/jit/passes/fuse.ts).
 * @module
 */
import type { VarInfo } from '../ir.ts'
import { loweringOf, type ScalarExpr } from '../lower.ts'
import type { Table } from '../table.ts'
import { accessOf } from './access.ts'

/** The calls of Math functions other than √ in `e`; −1 if it has a `%` or `**` (no wasm form). */
const callsOf = (e: ScalarExpr): number => {
  switch (e.kind) {
    case 'call': {
      let n = e.fn === 'sqrt' ? 0 : 1
      for (const a of e.args) {
        const c = callsOf(a)
        if (c < 0) return -1
        n += c
      }
      return n
    }
    case 'binary': {
      if (e.op === '%' || e.op === '**') return -1
      const a = callsOf(e.a)
      const b = callsOf(e.b)
      return a < 0 || b < 0 ? -1 : a + b
    }
    case 'compare':
    case 'and':
    case 'or': {
      const a = callsOf(e.a)
      const b = callsOf(e.b)
      return a < 0 || b < 0 ? -1 : a + b
    }
    case 'neg':
      return callsOf(e.x)
    case 'cond': {
      const [a, b, c] = [callsOf(e.test), callsOf(e.then), callsOf(e.else)]
      return a < 0 || b < 0 || c < 0 ? -1 : a + b + c
    }
    default:
      return 0
  }
}

/**
 * Whether equation `k` of a chain over `out` is of what a wasm loop translates
 * (src/jit/emit/wasm/loop-module.ts) — a lowered expression without `%` or `**`, or a read in
 * place; operands read whole, as one number, as a repeated row, or by a row map (broadcast
 * along other axes, or repeated in blocks of rows) — and then its Math calls;
 * −1 if not. (A guess for the planner: the translator has the last word.)
 */
export const wasmCalls = (t: Table, k: number, out: VarInfo, uniform: Uint8Array): number => {
  const lowering = loweringOf(t.primitive(k))
  if (lowering === undefined) return -1
  if (lowering.kind === 'read') return 0
  for (let j = t.insStart[k]!, end = t.insStart[k + 1]!; j < end; j++) {
    const i = t.ins[j]!
    if (uniform[i]) continue
    const access = accessOf(t.info(i), out)
    if (access === undefined) return -1
  }
  return callsOf(lowering.expr)
}
