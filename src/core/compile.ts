/**
 * Compiles a staged program (src/core/stage.ts) into steps that replay it. Elementwise
 * equations over values of one shape are fused: one generated loop computes a whole chain
 * elementwise, keeping intermediates in registers and writing to memory only the values used
 * outside the chain. Chains of plain numbers become instructions of one generated interpreter.
 * Every other equation calls its primitive's kernel. Equations whose results are never used are
 * dropped. No generated function grows with the program, and no pass recurses, so any program
 * that runs eagerly also compiles and replays (src/core/fuse.ts says how).
 *
 * A fused loop performs, for each element, exactly the arithmetic of the kernels it replaces
 * (each primitive's `expression`, or a call of its scalar kernel), so a replay gives an eager
 * run's numbers (test/transforms/jit.test.ts and the `jit-agreement` law).
 * @module
 */
import type { Tensor } from '../tensor/tensor.ts'
import {
  accessOf,
  type ChainCache,
  chainStep,
  isMappedRead,
  MAX_CHAIN,
  ScalarCode,
  type Step,
} from './fuse.ts'
import { allocateSlots, Slots, type Visit } from './slots.ts'
import type { Equation, Trace, VarInfo } from './stage.ts'
import type { Concrete } from './tracer.ts'

/**
 * The number inputs of a call, in order, as runs read in place: `counts[r]` numbers of
 * `sources[r]` from `starts[r]` (arrays of the caller's tree, never copied).
 */
export interface NumberRuns {
  readonly sources: (readonly number[])[]
  readonly starts: number[]
  readonly counts: number[]
}

/** A compiled program. */
export interface Program {
  /**
   * Runs on inputs of the traced kinds and shapes, given as the number inputs and the tensor
   * inputs, each in input order; returns the outputs.
   */
  run(numbers: NumberRuns, tensors: readonly Tensor[]): Concrete[]
  /** Whether any output is a tensor (else none can alias an input). */
  readonly tensorOutputs: boolean
  /** What compilation made of the trace (for tests, and to see what fused). */
  readonly stats: {
    readonly equations: number
    readonly kernels: number
    readonly loops: number
    readonly fused: number
  }
}

const isElementwise = (e: Equation): boolean =>
  (e.ins.length === 1 && e.p.scalar1 !== undefined) ||
  (e.ins.length === 2 && e.p.scalar2 !== undefined)

const keyOf = (v: VarInfo): string => (v.number ? 'number' : `tensor ${v.shape.join(',')}`)

/** A chain of elementwise equations with outputs of one shape and kind. */
interface Chain {
  readonly key: string
  readonly out: VarInfo
  readonly equations: Equation[]
  /** Its number among tensor chains (−1 for a chain of plain numbers). */
  readonly index: number
  open: boolean
  /** Variables a tensor chain reads from slots, and writes to them (set once planned). */
  reads: readonly number[]
  written: readonly number[]
  reusable: readonly boolean[]
}

type PlanItem = { readonly kernel: Equation } | { readonly chain: Chain }

/** The equations the outputs need, in order (dead-code elimination, backwards). */
const liveEquations = (trace: Trace): Equation[] => {
  const live = new Uint8Array(trace.vars.length)
  for (const o of trace.outputs) live[o] = 1
  const kept: Equation[] = []
  for (let k = trace.equations.length - 1; k >= 0; k--) {
    const e = trace.equations[k]!
    if (!live[e.out]) continue
    kept.push(e)
    for (const i of e.ins) live[i] = 1
  }
  return kept.reverse()
}

/**
 * Constant tensors with one value everywhere (a broadcast seed of ones, say), flagged by
 * variable: fused loops read them as a single number, without a pass over memory. Elements
 * compare with `Object.is`, so 0 and −0 are not one value.
 */
const uniformConstants = (trace: Trace): Uint8Array => {
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

/**
 * Groups the equations into kernel calls and chains, in an order that runs every value before
 * its uses. A chain stays open while equations of its shape and kind join it; it is closed (and
 * takes its place in the plan) when another step needs one of its values, or when it holds
 * `MAX_CHAIN` tensor equations — a longer one continues in a new chain.
 */
const planSteps = (kept: readonly Equation[], vars: readonly VarInfo[], uniform: Uint8Array) => {
  const plan: PlanItem[] = []
  const open = new Map<string, Chain>()
  const producer = new Array<Chain | undefined>(vars.length).fill(undefined)
  let tensorChains = 0
  const flush = (c: Chain): void => {
    if (!c.open) return
    c.open = false
    open.delete(c.key)
    plan.push({ chain: c })
  }
  for (const e of kept) {
    const out = vars[e.out]!
    const key = keyOf(out)
    const candidate = open.get(key)
    // a read in place needs its input in memory: not a value of the chain it would join
    const fusable =
      (isElementwise(e) && e.ins.every((i) => uniform[i] || accessOf(vars[i]!, out))) ||
      (isMappedRead(e, vars) && (candidate === undefined || producer[e.ins[0]!] !== candidate))
    const own = fusable ? candidate : undefined
    // a value of another open chain must be written out before it is used here
    for (const i of e.ins) {
      const c = producer[i]
      if (c !== undefined && c !== own) flush(c)
    }
    if (!fusable) {
      plan.push({ kernel: e })
      continue
    }
    let chain = own
    if (chain === undefined) {
      const index = out.number ? -1 : tensorChains++
      chain = { key, out, equations: [], index, open: true, reads: [], written: [], reusable: [] }
      open.set(key, chain)
    }
    chain.equations.push(e)
    producer[e.out] = chain
    if (chain.index >= 0 && chain.equations.length === MAX_CHAIN) flush(chain)
  }
  for (const c of [...open.values()]) flush(c)
  return { plan, producer }
}

/**
 * What each tensor chain reads and writes. A value is written to memory when something after
 * its chain reads it (another step, or the caller as an output). A written value that only
 * fused loops read, and that is not an output, dies within the run that made it: it gets one
 * buffer, reused by every run. Everything else — outputs, and values a kernel reads, which a
 * kernel might return as its own output — gets fresh memory each time.
 */
const connect = (
  plan: readonly PlanItem[],
  trace: Trace,
  producer: readonly (Chain | undefined)[],
) => {
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

/** Compiles a trace. */
export function compile(trace: Trace): Program {
  const { vars } = trace
  const kept = liveEquations(trace)
  const uniform = uniformConstants(trace)
  const { plan, producer } = planSteps(kept, vars, uniform)
  connect(plan, trace, producer)

  const one = [0]
  const visit: Visit = (at) => {
    let t = 0
    for (const item of plan) {
      if ('kernel' in item) {
        one[0] = item.kernel.out
        at(item.kernel.ins, one, t++)
      } else if (item.chain.index < 0) {
        for (const e of item.chain.equations) {
          one[0] = e.out
          at(e.ins, one, t++)
        }
      } else at(item.chain.reads, item.chain.written, t++)
    }
  }
  const slots = new Slots(vars)
  allocateSlots(trace, slots, visit)

  const scalar = new ScalarCode()
  const cache: ChainCache = new Map()
  const steps: Step[] = []
  let loops = 0
  let fused = 0
  for (const item of plan) {
    if ('kernel' in item) {
      steps.push(kernelStep(item.kernel, vars, slots.of))
      continue
    }
    const c = item.chain
    loops++
    fused += c.equations.length
    steps.push(
      c.index < 0
        ? scalarStep(c.equations, scalar, slots.of)
        : chainStep(
            {
              equations: c.equations,
              shape: c.out.shape,
              written: c.written,
              reusable: c.reusable,
            },
            vars,
            slots.of,
            uniform,
            cache,
          ),
    )
  }
  scalar.finish()

  const numberInputs = Int32Array.from(
    trace.inputs.filter((v) => vars[v]!.number),
    (v) => slots.of(v),
  )
  const tensorInputs = Int32Array.from(
    trace.inputs.filter((v) => !vars[v]!.number),
    (v) => slots.of(v),
  )
  const outputs = trace.outputs.map((v) => ({ number: vars[v]!.number, slot: slots.of(v) }))
  const numberTemplate = new Float64Array(slots.numberCount)
  const tensorTemplate = new Array<Tensor>(slots.tensorCount)
  const constants = trace.constants
  for (let k = 0; k < constants.vars.length; k++) {
    const slot = slots.of(constants.vars[k]!)
    const value = constants.values[k]!
    if (typeof value === 'number') numberTemplate[slot] = value
    else tensorTemplate[slot] = value
  }
  // Numbers live in one array for every run: steps only write equation outputs, never a constant
  // slot, inputs are set at the start of each run, and a run never re-enters its own program
  // (steps call kernels, not user code), so nothing stale is ever read. Tensors get a fresh array
  // per run, so a run's intermediates are not kept alive after it.
  const N = numberTemplate
  return {
    run(numbers, tensors) {
      const E = tensorTemplate.slice()
      const { sources, starts, counts } = numbers
      for (let r = 0, k = 0; r < sources.length; r++) {
        const source = sources[r]!
        for (let j = starts[r]!, end = j + counts[r]!; j < end; j++, k++) {
          N[numberInputs[k]!] = source[j]!
        }
      }
      for (let k = 0; k < tensorInputs.length; k++) E[tensorInputs[k]!] = tensors[k]!
      for (let s = 0; s < steps.length; s++) steps[s]!(N, E)
      return outputs.map((o) => (o.number ? N[o.slot]! : E[o.slot]!))
    },
    tensorOutputs: outputs.some((o) => !o.number),
    stats: { equations: kept.length, kernels: kept.length - fused, loops, fused },
  }
}

/** One equation as a call of its primitive's kernel (shapes were checked when it was traced). */
const kernelStep = (e: Equation, vars: readonly VarInfo[], slotOf: (v: number) => number): Step => {
  const { p, params } = e
  const numberIn = e.ins.map((i) => vars[i]!.number)
  const slotIn = e.ins.map(slotOf)
  const numberOut = vars[e.out]!.number
  const slotOut = slotOf(e.out)
  const arity = e.ins.length
  return (N, E) => {
    const args = new Array<Concrete>(arity)
    for (let k = 0; k < arity; k++) args[k] = numberIn[k] ? N[slotIn[k]!]! : E[slotIn[k]!]!
    const y = p.impl(args, params)
    if (numberOut) N[slotOut] = y as number
    else E[slotOut] = y as Tensor
  }
}

/** A chain of plain-number equations as instructions for the program's scalar interpreter. */
const scalarStep = (
  equations: readonly Equation[],
  scalar: ScalarCode,
  slotOf: (v: number) => number,
): Step => {
  const m = equations.length
  const op = new Uint16Array(m)
  const a = new Int32Array(m)
  const b = new Int32Array(m)
  const o = new Int32Array(m)
  for (let k = 0; k < m; k++) {
    const e = equations[k]!
    op[k] = scalar.opcode(e.p)
    a[k] = slotOf(e.ins[0]!)
    b[k] = e.ins.length > 1 ? slotOf(e.ins[1]!) : 0
    o[k] = slotOf(e.out)
  }
  return (N) => scalar.run(N, op, a, b, o)
}
