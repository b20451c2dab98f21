/**
 * The fusion plan of a scalar program made directly: a program of plain numbers whose every
 * operation is elementwise (a scalar gradient, say) is one chain of all its equations.
 * @module
 */
import { objectArray } from '../../core/elements.ts'
import type { Primitive } from '../../core/primitive.ts'
import { countOf, indexOf, type Trace } from '../ir.ts'
import { IntList } from '../table.ts'
import { isElementwise } from './access.ts'
import type { Chain, PlanItem } from './fuse.ts'

/**
 * The plan of a program of plain numbers whose every operation is elementwise (a scalar
 * gradient, say): one chain of all its equations, in order — what `planSteps` finds, and
 * `connect` has nothing to do for —, made without their passes over the equations, which a new
 * program runs before V8 has optimized them (bench/NOTES.md §25). Undefined for any other program.
 */
export const scalarPlan = (trace: Trace): PlanItem[] | undefined => {
  const t = trace.table
  // a tensor variable, a structured or a non-elementwise operation: planned step by step
  if (t.type !== undefined) return undefined
  for (let i = 0; i < t.ops.length; i++) {
    if (t.structured[i]) return undefined
    const p = t.ops[i] as Primitive
    if (!isElementwise(p, p.arity, false)) return undefined
  }
  const items: PlanItem[] = objectArray()
  const m = countOf(trace)
  if (m === 0) return items
  const equations = new IntList()
  for (let q = 0; q < m; q++) equations.push(indexOf(trace, q))
  const chain: Chain = {
    id: 0,
    type: 0,
    out: t.types[0]!,
    equations,
    index: -1,
    open: false,
    translatable: false, // (numbers: never a wasm loop)
    calls: 0,
    reads: [],
    written: [],
    reusable: [],
  }
  items.push({ chain })
  return items
}
