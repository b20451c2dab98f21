/**
 * Storage slots of a compiled program (src/jit/compile.ts), allocated from live ranges.
 * Values that outlive a step live in slots — plain numbers unboxed in a Float64Array, tensors in
 * an array — and a slot freed by a value's last use is taken by the next value defined. So a long
 * scalar program works in a few cache lines, and a long tensor program lets go of its
 * intermediates as it runs, as eager code does, instead of holding them all until it returns.
 * @module
 */
import { outsOf, type Trace, type VarInfo } from '../ir.ts'
import type { Plan } from './fuse.ts'

/** Slots of the variables of one program, numbers and tensors counted apart. */
export class Slots {
  numberCount = 0
  tensorCount = 0
  private readonly slot: Int32Array
  private readonly vars: readonly VarInfo[]
  private readonly freeNumbers: number[] = []
  private readonly freeTensors: number[] = []
  constructor(vars: readonly VarInfo[]) {
    this.vars = vars
    this.slot = new Int32Array(vars.length).fill(-1)
  }
  /** The slot of variable `v` (given by `define`). */
  readonly of = (v: number): number => this.slot[v]!
  /** Gives variable `v` a slot, reusing a freed one if any. */
  define(v: number): void {
    if (this.slot[v] !== -1) return
    if (this.vars[v]!.number) this.slot[v] = this.freeNumbers.pop() ?? this.numberCount++
    else this.slot[v] = this.freeTensors.pop() ?? this.tensorCount++
  }
  /** Frees variable `v`'s slot after its last use. */
  release(v: number): void {
    ;(this.vars[v]!.number ? this.freeNumbers : this.freeTensors).push(this.slot[v]!)
  }
}

/**
 * Visits the steps of a plan in order: `at(reads, defines, t)` for each time `t`, with the
 * variables read from slots and those written to slots then. Every step reads all its operands
 * before it writes a result, so a slot freed at `t` may be taken at `t`.
 */
export type Visit = (
  at: (reads: readonly number[], defines: readonly number[], t: number) => void,
) => void

/**
 * Gives every variable a plan reads or defines its slot. Constants keep theirs for good (they
 * are set once per program, not per run), and so do outputs; inputs are defined before the first
 * step. `visit` runs twice: once for last uses, once to allocate (no list of events is built).
 */
export function allocateSlots(trace: Trace, slots: Slots, visit: Visit): void {
  const n = trace.vars.length
  const pinned = new Uint8Array(n)
  for (const v of trace.constants.vars) pinned[v] = 1
  for (const v of trace.outputs) pinned[v] = 1
  const lastUse = new Int32Array(n).fill(-1)
  visit((reads, _defines, t) => {
    for (const i of reads) lastUse[i] = t
  })
  for (const v of trace.constants.vars) slots.define(v)
  for (const v of trace.inputs) slots.define(v)
  visit((reads, defines, t) => {
    for (const i of reads) {
      if (lastUse[i] === t && !pinned[i]) {
        lastUse[i] = -2 // freed once, even when read twice here
        slots.release(i)
      }
    }
    for (const v of defines) slots.define(v)
  })
  // an output no step defines or reads (an input or constant returned as is) has its slot already
  for (const v of trace.outputs) slots.define(v)
}

/**
 * The slots of a plan's variables: a kernel call reads its operands and defines its results, a
 * chain of scalar instructions does so per instruction, a fused loop reads and writes as
 * `connect` decided (its other values live in locals).
 */
export function allocate(plan: Plan): Slots {
  const one = [0]
  const visit: Visit = (at) => {
    let t = 0
    for (const item of plan.items) {
      if ('kernel' in item) at(item.kernel.ins, outsOf(item.kernel), t++)
      else if (item.chain.index < 0) {
        for (const e of item.chain.equations) {
          one[0] = e.out
          at(e.ins, one, t++)
        }
      } else at(item.chain.reads, item.chain.written, t++)
    }
  }
  const slots = new Slots(plan.trace.vars)
  allocateSlots(plan.trace, slots, visit)
  return slots
}
