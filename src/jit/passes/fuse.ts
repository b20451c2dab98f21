/**
 * Fusion planning: groups a program's equations into steps — chains of elementwise equations
 * over one shape and kind, each run as one loop (tensors) or one run of scalar instructions
 * (plain numbers), and single equations run by their kernel (every other primitive, and every
 * structured equation) — in an order that runs every value before its uses; then says what each
 * tensor chain reads from and writes to memory.
 * @module
 */
import type { Equation, PrimitiveEquation, Trace, VarInfo } from '../ir.ts'
import { accessOf, isMappedRead } from './access.ts'

/**
 * Most equations in one fused loop. Past a few dozen, TurboFan's time to optimize a loop grows
 * faster than its length (measured: 0.1–2 s per 256-equation loop, during which it runs
 * unoptimized), while each split costs only a store and a load per element.
 */
export const MAX_CHAIN = 32

/** A chain of elementwise equations with outputs of one shape and kind. */
export interface Chain {
  readonly key: string
  readonly out: VarInfo
  readonly equations: PrimitiveEquation[]
  /** Its number among tensor chains (−1 for a chain of plain numbers). */
  readonly index: number
  open: boolean
  /** Variables a tensor chain reads from slots, and writes to them (set by `connect`). */
  reads: readonly number[]
  written: readonly number[]
  /** Which of `written` may live in one buffer reused by every run. */
  reusable: readonly boolean[]
}

/** A step of the plan: one equation run by its kernel, or a fused chain. */
export type PlanItem = { readonly kernel: Equation } | { readonly chain: Chain }

/** The fused program: its steps, and the constant tensors fused loops read as one number. */
export interface Plan {
  readonly trace: Trace
  readonly items: readonly PlanItem[]
  readonly uniform: Uint8Array
}

const isElementwise = (e: PrimitiveEquation): boolean =>
  (e.ins.length === 1 && e.p.scalar1 !== undefined) ||
  (e.ins.length === 2 && e.p.scalar2 !== undefined)

/** A chain's key: outputs of one kind, shape and dtype share a loop. */
const keyOf = (v: VarInfo): string =>
  v.number ? 'number' : `${v.dtype === 'float32' ? 'f32' : 'f64'} ${v.shape.join(',')}`

/**
 * Constant tensors with one value everywhere (a broadcast seed of ones, say), flagged by
 * variable: fused loops read them as a single number, without a pass over memory. Elements
 * compare with `Object.is`, so 0 and −0 are not one value.
 */
export const uniformConstants = (trace: Trace): Uint8Array => {
  const uniform = new Uint8Array(trace.vars.length)
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

// The helpers of planSteps are functions of the module, not closures made per call: V8 inlines
// a closure's call target into optimized code, and the next program's planSteps, with new
// closures, would deoptimize it ("wrong call target") and pay 20–40 ms of recompilation.

/** Closes chain `c` (if open): it takes its place in the plan. */
const flush = (c: Chain, open: Map<string, Chain>, plan: PlanItem[]): void => {
  if (!c.open) return
  c.open = false
  open.delete(c.key)
  plan.push({ chain: c })
}

/** Whether a loop over `out` can read every operand. */
const readable = (
  ins: readonly number[],
  out: VarInfo,
  vars: readonly VarInfo[],
  uniform: Uint8Array,
): boolean => {
  for (let j = 0; j < ins.length; j++) {
    const i = ins[j]!
    if (!uniform[i] && accessOf(vars[i]!, out) === undefined) return false
  }
  return true
}

/**
 * Groups the equations into kernel calls and chains. A chain stays open while equations of its
 * shape and kind join it; it is closed (and takes its place in the plan) when another step needs
 * one of its values, or when it holds `MAX_CHAIN` tensor equations — a longer one continues in a
 * new chain. `producer` gets the chain of each variable a chain defines.
 */
export const planSteps = (
  trace: Trace,
  uniform: Uint8Array,
  producer: (Chain | undefined)[],
): PlanItem[] => {
  const { vars } = trace
  const plan: PlanItem[] = []
  const open = new Map<string, Chain>()
  let tensorChains = 0
  for (const e of trace.equations) {
    const out = e.kind === 'primitive' ? vars[e.out]! : undefined
    const key = out === undefined ? '' : keyOf(out)
    const candidate = open.get(key)
    // a read in place needs its input in memory: not a value of the chain it would join
    const fusable =
      e.kind === 'primitive' &&
      ((isElementwise(e) && readable(e.ins, out!, vars, uniform)) ||
        (isMappedRead(e, vars) && (candidate === undefined || producer[e.ins[0]!] !== candidate)))
    const own = fusable ? candidate : undefined
    // a value of another open chain must be written out before it is used here
    for (const i of e.ins) {
      const c = producer[i]
      if (c !== undefined && c !== own) flush(c, open, plan)
    }
    if (!fusable) {
      plan.push({ kernel: e })
      continue
    }
    let chain = own
    if (chain === undefined) {
      const index = out!.number ? -1 : tensorChains++
      chain = {
        key,
        out: out!,
        equations: [],
        index,
        open: true,
        reads: [],
        written: [],
        reusable: [],
      }
      open.set(key, chain)
    }
    chain.equations.push(e)
    producer[e.out] = chain
    if (chain.index >= 0 && chain.equations.length === MAX_CHAIN) flush(chain, open, plan)
  }
  for (const c of [...open.values()]) flush(c, open, plan)
  return plan
}

/**
 * What each tensor chain reads and writes. A value is written to memory when something after
 * its chain reads it (another step, or the caller as an output). A written value that only
 * fused loops read, and that is not an output, dies within the run that made it: it gets one
 * buffer, reused by every run. Everything else — outputs, and values a kernel reads, which a
 * kernel might return as its own output — gets fresh memory each time.
 */
export const connect = (
  plan: readonly PlanItem[],
  trace: Trace,
  producer: readonly (Chain | undefined)[],
): void => {
  // per variable: 1 = read outside the chain that computes it; 2 = read where it may escape
  const readBy = new Uint8Array(trace.vars.length)
  for (const v of trace.outputs) readBy[v] = 3
  for (const item of plan) {
    if ('kernel' in item || item.chain.index < 0) {
      const ins = 'kernel' in item ? [item.kernel.ins] : item.chain.equations.map((e) => e.ins)
      for (const list of ins) for (const i of list) readBy[i] = 3
      continue
    }
    const c = item.chain
    const reads: number[] = []
    for (const e of c.equations) {
      for (const i of e.ins) {
        if (producer[i] === c) continue
        if ((readBy[i]! & 1) === 0) readBy[i]! |= 1
        reads.push(i)
      }
    }
    c.reads = reads
  }
  for (const item of plan) {
    if ('kernel' in item || item.chain.index < 0) continue
    const c = item.chain
    c.written = c.equations.map((e) => e.out).filter((v) => (readBy[v]! & 1) !== 0)
    c.reusable = c.written.map((v) => (readBy[v]! & 2) === 0)
  }
}

/** Plans a program's steps (`planSteps`) and their reads and writes (`connect`). */
export function fuse(trace: Trace): Plan {
  const uniform = uniformConstants(trace)
  const producer = new Array<Chain | undefined>(trace.vars.length).fill(undefined)
  const items = planSteps(trace, uniform, producer)
  connect(items, trace, producer)
  return { trace, items, uniform }
}
