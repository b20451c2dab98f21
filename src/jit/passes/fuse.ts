/**
 * Fusion planning: groups a program's equations into steps — chains of elementwise equations
 * over one shape and kind, each run as one loop (tensors) or one run of scalar instructions
 * (plain numbers), and single equations run by their kernel (every other primitive, and every
 * structured equation) — in an order that runs every value before its uses; then says what each
 * tensor chain reads from and writes to memory.
 * @module
 */
import { objectArray } from '../../core/elements.ts'
import type { Primitive } from '../../core/primitive.ts'
import { sizeOf } from '../../tensor/shape.ts'
import { CALL_SHARE } from '../emit/wasm/loop-module.ts'
import { longChainsFit } from '../emit/wasm/step.ts'
import { countOf, indexOf, type Trace, type VarInfo } from '../ir.ts'
import { IntList, type Table } from '../table.ts'
import { accessOf, isElementwise, isMappedRead } from './access.ts'
import { scalarPlan } from './scalar-plan.ts'
import { wasmCalls } from './wasm-guess.ts'

/**
 * Most equations in one fused loop. Past a few dozen, TurboFan's time to optimize a loop grows
 * faster than its length (measured: 0.1–2 s per 256-equation loop, during which it runs
 * unoptimized), while each split costs only a store and a load per element.
 */
export const MAX_CHAIN = 32

/**
 * Most equations in a chain that will likely run as a wasm loop (`longChainsFit`): each split
 * writes the values that cross it out of the wasm memory and copies them back in for the next
 * loop. ba's Jacobian (ba8, 450 fused equations): 15 loops → 8, 0.8× the run (bench/NOTES.md
 * §29).
 */
export const MAX_WASM_CHAIN = 64

/** A chain of elementwise equations with outputs of one shape and kind. */
export interface Chain {
  /** Its number among all chains of the plan. */
  readonly id: number
  /** The table type of its outputs (src/jit/table.ts). */
  readonly type: number
  readonly out: VarInfo
  /** Its equations, by index in the trace's table. */
  readonly equations: IntList
  /** Its number among tensor chains (−1 for a chain of plain numbers). */
  readonly index: number
  open: boolean
  /**
   * Whether the chain will likely run as a wasm loop (`longChainsFit`) and every equation so far
   * is of what one translates; and its Math calls.
   */
  translatable: boolean
  calls: number
  /** Variables a tensor chain reads from slots, and writes to them (set by `connect`). */
  reads: readonly number[]
  written: readonly number[]
  /** Which of `written` may live in one buffer reused by every run. */
  reusable: readonly boolean[]
}

/** A step of the plan: one equation (its index in the table) run by its kernel, or a chain. */
export type PlanItem = { readonly kernel: number } | { readonly chain: Chain }

/** The fused program: its steps, and the constant tensors fused loops read as one number. */
export interface Plan {
  readonly trace: Trace
  readonly items: readonly PlanItem[]
  readonly uniform: Uint8Array
  /**
   * The value of every variable known to be one number everywhere when the loops are generated
   * (number constants, and the uniform constant tensors): a lowering may be specialized to it
   * (`specialized` in src/jit/lower.ts).
   */
  readonly known: ReadonlyMap<number, number>
}

/**
 * Whether an equation of `p` on `arity` operands joins a chain of outputs `out`: an elementwise
 * one, or a `where` among numbers (a select, an instruction of the scalar interpreter, emit/scalar.ts).
 */
const fusesAs = (p: Primitive, arity: number, out: VarInfo): boolean =>
  isElementwise(p, arity, !out.number) || (out.number && arity === 3 && p.name === 'where')

/**
 * Constant tensors with one value everywhere (a broadcast seed of ones, say), flagged by
 * variable: fused loops read them as a single number, without a pass over memory. Elements
 * compare with `Object.is`, so 0 and −0 are not one value.
 */
export const uniformConstants = (trace: Trace): Uint8Array => {
  const uniform = new Uint8Array(trace.table.varCount)
  const { vars, values } = trace.constants
  for (let k = 0; k < vars.length; k++) {
    const value = values[k]!
    if (typeof value !== 'number' && value.size > 0) {
      const d = value.data
      let same = true
      for (let k = 1; k < d.length && same; k++) same = Object.is(d[k], d[0])
      if (same) uniform[vars[k]!] = 1
    }
  }
  return uniform
}

/**
 * The values of the constants that tensor chains read as one number (number constants, and
 * uniform constant tensors), by variable. Only those: a long scalar program has a constant per
 * few equations, and no tensor chain.
 */
export const knownValues = (
  trace: Trace,
  items: readonly PlanItem[],
  uniform: Uint8Array,
): Map<number, number> => {
  const known = new Map<number, number>()
  const t = trace.table
  // (flags by variable, not a Set: a long tensor program has an operand per equation)
  let operands: Uint8Array | undefined
  for (const item of items) {
    if ('kernel' in item || item.chain.index < 0) continue
    operands ??= new Uint8Array(t.varCount)
    const { data, length } = item.chain.equations
    for (let q = 0; q < length; q++) {
      const k = data[q]!
      for (let j = t.insStart[k]!, end = t.insStart[k + 1]!; j < end; j++) operands[t.ins[j]!] = 1
    }
  }
  if (operands === undefined) return known
  const { vars, values } = trace.constants
  for (let k = 0; k < vars.length; k++) {
    const v = vars[k]!
    const value = values[k]!
    if (operands[v] === 0) continue
    if (typeof value === 'number') known.set(v, value)
    else if (uniform[v]) known.set(v, value.data[0]!)
  }
  return known
}

// The helpers of planSteps are functions of the module, not closures made per call: V8 inlines
// a closure's call target into optimized code, and the next program's planSteps, with new
// closures, would deoptimize it ("wrong call target") and pay 20–40 ms of recompilation.

/** Closes chain `c` (if open): it takes its place in the plan. */
const flush = (c: Chain, open: (Chain | undefined)[], plan: PlanItem[]): void => {
  if (!c.open) return
  c.open = false
  open[c.type] = undefined
  plan.push({ chain: c })
}

/** Whether a loop over `out` can read every operand of equation `k`. */
const readable = (t: Table, k: number, out: VarInfo, uniform: Uint8Array): boolean => {
  for (let j = t.insStart[k]!, end = t.insStart[k + 1]!; j < end; j++) {
    const i = t.ins[j]!
    if (!uniform[i] && accessOf(t.info(i), out) === undefined) return false
  }
  return true
}

/**
 * Groups the equations into kernel calls and chains. A chain stays open while equations of its
 * shape and kind join it; it is closed (and takes its place in the plan) when another step needs
 * one of its values, or when it holds `MAX_CHAIN` tensor equations (`MAX_WASM_CHAIN` where it
 * will likely run as a wasm loop) — a longer one continues in a
 * new chain. `producer` gets the chain (its id in `chains`) of each variable a chain defines.
 */
export const planSteps = (
  trace: Trace,
  uniform: Uint8Array,
  producer: Int32Array,
  chains: Chain[],
): PlanItem[] => {
  const t = trace.table
  const { ins, insStart } = t
  const plan: PlanItem[] = objectArray()
  // the open chain of each type, at most one
  const open: (Chain | undefined)[] = objectArray()
  for (let i = 0; i < t.types.length; i++) open.push(undefined)
  let tensorChains = 0
  for (let q = 0, m = countOf(trace); q < m; q++) {
    const k = indexOf(trace, q)
    const structured = t.isStructured(k)
    const o = structured ? -1 : t.out[k]!
    const type = structured ? -1 : t.typeOf(o)
    const candidate = structured ? undefined : open[type]
    let fusable = false
    let joins = false
    if (!structured) {
      const p = t.primitive(k)
      const arity = insStart[k + 1]! - insStart[k]!
      const x = ins[insStart[k]!]!
      const out = t.types[type]!
      if (fusesAs(p, arity, out) && readable(t, k, out, uniform)) fusable = joins = true
      else if (isMappedRead(p, t.paramsOf(k), arity, arity > 0 ? t.info(x) : undefined)) {
        // a read in place needs its input in memory: when the open chain computes it, that
        // chain is closed (writing it out) and the read starts the next one
        fusable = true
        joins = candidate === undefined || producer[x] !== candidate.id
      }
    }
    const own = joins ? candidate : undefined
    // a value of another open chain must be written out before it is used here
    for (let j = insStart[k]!, end = insStart[k + 1]!; j < end; j++) {
      const c = producer[ins[j]!]!
      if (c >= 0 && chains[c] !== own) flush(chains[c]!, open, plan)
    }
    if (!fusable) {
      plan.push({ kernel: k })
      continue
    }
    let chain = own
    if (chain === undefined) {
      const out = t.types[type]!
      chain = {
        id: chains.length,
        type,
        out,
        equations: new IntList(),
        index: out.number ? -1 : tensorChains++,
        open: true,
        // (only a chain that may run as a wasm loop is looked at: small ones never do)
        translatable: !out.number && longChainsFit(sizeOf(out.shape)),
        calls: 0,
        reads: [],
        written: [],
        reusable: objectArray(),
      }
      chains.push(chain)
      open[type] = chain
    }
    chain.equations.push(k)
    producer[o] = chain.id
    if (chain.index >= 0) {
      const calls = chain.translatable ? wasmCalls(t, k, chain.out, uniform) : -1
      if (calls < 0) chain.translatable = false
      else chain.calls += calls
      const n = chain.equations.length
      // past MAX_CHAIN only where the chain will likely be a wasm loop
      const long = chain.translatable && chain.calls * CALL_SHARE <= n
      if (n === MAX_WASM_CHAIN || (n >= MAX_CHAIN && !long)) flush(chain, open, plan)
    }
  }
  // the chains still open, in the order they were opened
  const last = open.filter((c) => c !== undefined).sort((a, b) => a.id - b.id)
  for (const c of last) flush(c, open, plan)
  return plan
}

/**
 * What each tensor chain reads and writes. A value is written to memory when something after
 * its chain reads it (another step, or the caller as an output). A written value that only
 * fused loops read, and that is not an output, dies within the run that made it: it gets one
 * buffer, reused by every run. Everything else — outputs, and values a kernel reads, which a
 * kernel might return as its own output — gets fresh memory each time; with `keptOutputs`
 * (a loop body whose caller copies its outputs out before the next run), outputs only fused
 * loops read get reused buffers too.
 */
export const connect = (
  plan: readonly PlanItem[],
  trace: Trace,
  producer: Int32Array,
  keptOutputs = false,
): void => {
  const t = trace.table
  const { ins, insStart } = t
  // per variable: 1 = read outside the chain that computes it; 2 = read where it may escape
  const readBy = new Uint8Array(t.varCount)
  for (const v of trace.outputs) readBy[v] = keptOutputs ? 1 : 3
  for (const item of plan) {
    if ('kernel' in item) {
      const k = item.kernel
      for (let j = insStart[k]!, end = insStart[k + 1]!; j < end; j++) readBy[ins[j]!] = 3
      continue
    }
    const c = item.chain
    const { data, length } = c.equations
    if (c.index < 0) {
      for (let q = 0; q < length; q++) {
        const k = data[q]!
        for (let j = insStart[k]!, end = insStart[k + 1]!; j < end; j++) readBy[ins[j]!] = 3
      }
      continue
    }
    const reads: number[] = []
    for (let q = 0; q < length; q++) {
      const k = data[q]!
      for (let j = insStart[k]!, end = insStart[k + 1]!; j < end; j++) {
        const i = ins[j]!
        if (producer[i] === c.id) continue
        if ((readBy[i]! & 1) === 0) readBy[i]! |= 1
        reads.push(i)
      }
    }
    c.reads = reads
  }
  for (const item of plan) {
    if ('kernel' in item || item.chain.index < 0) continue
    const c = item.chain
    // arrays of one kind each, as the chain's own empty ones (V8 optimizes for one hidden class)
    const { data, length } = c.equations
    const written: number[] = []
    const reusable: boolean[] = objectArray()
    for (let q = 0; q < length; q++) {
      const v = t.out[data[q]!]!
      if ((readBy[v]! & 1) === 0) continue
      written.push(v)
      reusable.push((readBy[v]! & 2) === 0)
    }
    c.written = written
    c.reusable = reusable
  }
}

/**
 * Plans a program's steps (`planSteps`) and their reads and writes (`connect`; `keptOutputs`
 * as there).
 */
export function fuse(trace: Trace, keptOutputs = false): Plan {
  const uniform = uniformConstants(trace)
  const scalar = scalarPlan(trace)
  if (scalar !== undefined) return { trace, items: scalar, uniform, known: new Map() }
  const producer = new Int32Array(trace.table.varCount).fill(-1)
  const items = planSteps(trace, uniform, producer, objectArray())
  connect(items, trace, producer, keptOutputs)
  return { trace, items, uniform, known: knownValues(trace, items, uniform) }
}
