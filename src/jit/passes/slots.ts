/**
 * Storage slots of a compiled program (src/jit/compile.ts), allocated from live ranges.
 * Values that outlive a step live in slots — plain numbers unboxed in a Float64Array, tensors in
 * an array — and a slot freed by a value's last use is taken by the next value defined. So a long
 * scalar program works in a few cache lines, and a long tensor program lets go of its
 * intermediates as it runs, as eager code does, instead of holding them all until it returns.
 * @module
 */
import type { Table } from '../table.ts'
import type { Plan } from './fuse.ts'

/** Where a variable lives (`Slots`): what the emitters ask of the allocation. */
export interface SlotOf {
  /** The slot of variable `v`. */
  of(v: number): number
}

/**
 * Slots of the variables of one program, numbers and tensors counted apart. `of` is a method,
 * not a closure per program: the emitters call it per equation, and V8 inlines a call target,
 * so a new closure for the next program would deoptimize them (bench/NOTES.md §25).
 */
export class Slots implements SlotOf {
  numberCount = 0
  tensorCount = 0
  private readonly slot: Int32Array
  private readonly table: Table
  private readonly freeNumbers: number[] = []
  private readonly freeTensors: number[] = []
  constructor(table: Table) {
    this.table = table
    this.slot = new Int32Array(table.varCount).fill(-1)
  }
  /** The slot of variable `v` (given by `define`). */
  of(v: number): number {
    return this.slot[v]!
  }
  /** Gives variable `v` a slot, reusing a freed one if any. */
  define(v: number): void {
    if (this.slot[v] !== -1) return
    if (this.table.isNumber(v)) this.slot[v] = this.freeNumbers.pop() ?? this.numberCount++
    else this.slot[v] = this.freeTensors.pop() ?? this.tensorCount++
  }
  /** Frees variable `v`'s slot after its last use. */
  release(v: number): void {
    ;(this.table.isNumber(v) ? this.freeNumbers : this.freeTensors).push(this.slot[v]!)
  }
}

/**
 * What a visit of the plan does at each time `t`: variables read from slots then (`read`), and
 * after all of them, those written to slots then (`define`). Every step reads all its operands
 * before it writes a result, so a slot freed at `t` may be taken at `t`. (Classes of the module,
 * not closures made per program: V8 inlines a call target, and new closures for the next program
 * would deoptimize that code.)
 */
interface At {
  read(v: number, t: number): void
  define(v: number): void
}

/** First visit: the time of each variable's last read. */
class LastUses implements At {
  readonly lastUse: Int32Array
  constructor(lastUse: Int32Array) {
    this.lastUse = lastUse
  }
  read(v: number, t: number): void {
    this.lastUse[v] = t
  }
  define(_v: number): void {}
}

/** Second visit: frees a slot at its variable's last read, and gives defined variables one. */
class Assign implements At {
  readonly lastUse: Int32Array
  readonly pinned: Uint8Array
  readonly slots: Slots
  constructor(lastUse: Int32Array, pinned: Uint8Array, slots: Slots) {
    this.lastUse = lastUse
    this.pinned = pinned
    this.slots = slots
  }
  read(i: number, t: number): void {
    if (this.lastUse[i] === t && !this.pinned[i]) {
      this.lastUse[i] = -2 // freed once, even when read twice here
      this.slots.release(i)
    }
  }
  define(v: number): void {
    this.slots.define(v)
  }
}

/** Equation `k` of `table` at time `t`: reads its operands, then defines its results. */
const step = (table: Table, to: At, k: number, t: number): void => {
  const { ins, insStart } = table
  for (let j = insStart[k]!, end = insStart[k + 1]!; j < end; j++) to.read(ins[j]!, t)
  if (!table.isStructured(k)) to.define(table.out[k]!)
  else for (const o of table.outsOf(k)) to.define(o)
}

/**
 * Visits the steps of a plan in order: a kernel call reads its operands and defines its
 * results, a chain of scalar instructions does so per instruction, a fused loop reads and writes
 * as `connect` decided (its other values live in locals).
 */
const visit = (plan: Plan, to: At): void => {
  const table = plan.trace.table
  let t = 0
  for (const item of plan.items) {
    if ('kernel' in item) step(table, to, item.kernel, t++)
    else if (item.chain.index < 0) {
      const { data, length } = item.chain.equations
      for (let q = 0; q < length; q++) step(table, to, data[q]!, t++)
    } else {
      const c = item.chain
      for (let j = 0; j < c.reads.length; j++) to.read(c.reads[j]!, t)
      for (let j = 0; j < c.written.length; j++) to.define(c.written[j]!)
      t++
    }
  }
}

/**
 * The slots of a plan's variables, allocated from live ranges. Constants keep theirs for good
 * (they are set once per program, not per run), and so do outputs; inputs are defined before
 * the first step. The plan is visited twice: once for last uses, once to allocate (no list of
 * events is built).
 */
export function allocate(plan: Plan): Slots {
  const { trace } = plan
  const slots = new Slots(trace.table)
  const n = trace.table.varCount
  const pinned = new Uint8Array(n)
  for (const v of trace.constants.vars) pinned[v] = 1
  for (const v of trace.outputs) pinned[v] = 1
  const lastUse = new Int32Array(n).fill(-1)
  visit(plan, new LastUses(lastUse))
  for (const v of trace.constants.vars) slots.define(v)
  for (const v of trace.inputs) slots.define(v)
  visit(plan, new Assign(lastUse, pinned, slots))
  // an output no step defines or reads (an input or constant returned as is) has its slot already
  for (const v of trace.outputs) slots.define(v)
  return slots
}
