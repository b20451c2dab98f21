/**
 * Compiles a staged program (src/jit/trace.ts) into steps that replay it:
 * `emit(allocate(fuse(dce(trace))))`. Equations whose results are never used are dropped
 * (passes/dce.ts); elementwise equations over values of one shape are fused (passes/fuse.ts):
 * one generated loop computes a whole chain elementwise, keeping intermediates in registers and
 * writing to memory only the values used outside the chain (emit/loop.ts), and chains of plain
 * numbers become instructions of one generated interpreter (emit/scalar.ts). Every other
 * equation calls its kernel (emit/kernel.ts). Values that outlive a step get storage slots
 * (passes/slots.ts). No generated function grows with the program, and no pass recurses, so any
 * program that runs eagerly also compiles and replays.
 *
 * A fused loop performs, for each element, exactly the arithmetic of the kernels it replaces
 * (each primitive's lowering, src/jit/lower.ts, or a call of its scalar kernel), so a replay gives an eager
 * run's numbers (test/transforms/jit.test.ts and the `jit-agreement` law).
 * @module
 */
import { objectArray } from '../core/elements.ts'
import type { Primitive } from '../core/primitive.ts'
import type { Concrete } from '../core/tracer.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { ChainScratch } from './emit/chain-key.ts'
import { kernelStep, type Step } from './emit/kernel.ts'
import { type ChainCache, chainStep } from './emit/loop.ts'
import { clearNumberLoops } from './emit/number-loop.ts'
import {
  clearInterpreters,
  ScalarCode,
  type StraightSource,
  scalarStep,
  straightSources,
} from './emit/scalar.ts'
import { countOf, type Trace } from './ir.ts'
import { dce } from './passes/dce.ts'
import { fuse, type Plan } from './passes/fuse.ts'
import { allocate, type Slots } from './passes/slots.ts'

/**
 * The number inputs of a call, in order, as runs read in place: `counts[r]` numbers of
 * `sources[r]` from `starts[r]` (arrays of the caller's tree, never copied).
 */
export interface NumberRuns {
  readonly sources: (readonly number[])[]
  readonly starts: number[]
  readonly counts: number[]
}

/** What compilation made of a trace (for tests, and to see what fused). */
export interface CompileStats {
  /** Equations kept by dead-code elimination. */
  readonly equations: number
  /** Equations run by their kernel (not fused). */
  readonly kernels: number
  /** Fused steps: tensor loops and runs of plain-number instructions. */
  readonly loops: number
  /** Equations fused into those steps. */
  readonly fused: number
}

/** A compiled program. */
export interface Program {
  /**
   * Runs on inputs of the traced kinds and shapes, given as the number inputs and the tensor
   * inputs, each in input order; returns the outputs.
   */
  run(numbers: NumberRuns, tensors: readonly Tensor[]): Concrete[]
  /** Runs on the inputs in input order (numbers and tensors mixed); returns the outputs. */
  runFlat(args: readonly Concrete[]): Concrete[]
  /** Whether any output is a tensor (else none can alias an input). */
  readonly tensorOutputs: boolean
  readonly stats: CompileStats
  /** The program run in place, where every input and output is a plain number. */
  readonly numbers: NumberProgram | undefined
}

/**
 * A program whose inputs and outputs are all plain numbers, run in place, for a loop that runs
 * it once per step (src/transforms/control/stage*.ts) without an array per run: set every
 * input's slot of `N` (all of them, before each run: an input's slot is taken by later values
 * once it is dead; −1: an input never read), `run`, then read the outputs' slots (before setting
 * the next inputs: an output may live in an input's slot).
 */
export interface NumberProgram {
  readonly N: Float64Array
  readonly inputs: Int32Array
  readonly outputs: Int32Array
  run(): void
  /** Where the whole program is one straight-line chain of numbers: its source. */
  readonly straight: StraightSource | undefined
}

/** The tensor slots of a run without tensors (never written). */
const NO_TENSORS: Tensor[] = []

/**
 * Generated loops by structural key (emit/loop.ts), shared by every program of this process:
 * chains of one structure (the steps of a loop, or a function traced again for new shapes) share
 * a function, compiled once, whose closures share V8's feedback and optimized code. Bounded: the
 * oldest hashes go.
 */
const cache: ChainCache = new Map()
const MAX_CACHED_CHAINS = 1024

/** Forgets all shared generated code (for tests that make `Function` fail). */
export const clearCodeCaches = (): void => {
  cache.clear()
  clearInterpreters()
  clearNumberLoops()
}

/** The steps of a plan, with slots given. */
const emitSteps = (
  plan: Plan,
  slots: Slots,
  scalar: ScalarCode,
  body: boolean,
): { steps: Step[]; stats: CompileStats } => {
  const { table } = plan.trace
  const codes = new Int32Array(table.ops.length).fill(-1)
  let scratch: ChainScratch | undefined
  while (cache.size > MAX_CACHED_CHAINS) cache.delete(cache.keys().next().value!)
  const steps: Step[] = objectArray()
  let loops = 0
  let fused = 0
  for (const item of plan.items) {
    if ('kernel' in item) {
      steps.push(kernelStep(table.equation(item.kernel), table, slots))
      continue
    }
    const c = item.chain
    loops++
    fused += c.equations.length
    if (c.index < 0) {
      steps.push(scalarStep(table, c.equations, scalar, codes, slots, body))
      continue
    }
    scratch ??= new ChainScratch(table)
    steps.push(chainStep(table, c, slots, plan.uniform, cache, scratch, plan.known))
  }
  const equations = countOf(plan.trace)
  return { steps, stats: { equations, kernels: equations - fused, loops, fused } }
}

/** The steps a trace compiles to, before slots and code (what `printPlan` shows). */
export const plan = (trace: Trace, keptOutputs = false): Plan => fuse(dce(trace), keptOutputs)

/**
 * Compiles a trace (the plan is not kept: a program holds only its steps).
 * - `keptOutputs`: outputs written by fused loops (and read by no kernel) live in buffers
 *   reused by every run: a run overwrites the last run's outputs, so the caller must be done
 *   with them first (a loop body whose carry is copied out and whose ys are stacked).
 * - `body`: the program is a loop's body or condition, run once per step, whose short chains
 *   of numbers are worth straight-line code of their own (emit/scalar.ts).
 */
export function compile(
  trace: Trace,
  { keptOutputs = false, body = false }: { keptOutputs?: boolean; body?: boolean } = {},
): Program {
  const p = plan(trace, keptOutputs)
  const scalar = scalarCode(p)
  return emit(p, allocate(p), scalar, body)
}

/**
 * The program's scalar interpreter, generated (and warmed up, for a long program) before slots
 * and steps are made: V8 optimizes it in the background meanwhile, and installs the code before
 * the first replay, which otherwise starts in V8's bytecode interpreter.
 */
const scalarCode = (plan: Plan): ScalarCode => {
  const scalar = new ScalarCode()
  const table = plan.trace.table
  const seen = new Uint8Array(table.ops.length)
  let instructions = 0
  for (const item of plan.items) {
    if ('kernel' in item || item.chain.index >= 0) continue
    const { data, length } = item.chain.equations
    for (let q = 0; q < length; q++) {
      const t = table.op[data[q]!]!
      if (seen[t] === 0) {
        seen[t] = 1
        scalar.opcode(table.ops[t] as Primitive)
      }
    }
    instructions += length
  }
  scalar.finish(instructions)
  return scalar
}

/** A program running the steps of `plan`. */
function emit(plan: Plan, slots: Slots, scalar: ScalarCode, body: boolean): Program {
  const { trace } = plan
  const { table } = trace
  const { steps, stats } = emitSteps(plan, slots, scalar, body)
  const isNumber = trace.inputs.map((v) => table.isNumber(v))
  const inputSlots = Int32Array.from(trace.inputs, (v) => slots.of(v))
  const numberInputs = inputSlots.filter((_, k) => isNumber[k])
  const tensorInputs = inputSlots.filter((_, k) => !isNumber[k])
  const outputs = trace.outputs.map((v) => ({ number: table.isNumber(v), slot: slots.of(v) }))
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
  const finish = (E: Tensor[]): Concrete[] => {
    for (let s = 0; s < steps.length; s++) steps[s]!(N, E)
    return outputs.map((o) => (o.number ? N[o.slot]! : E[o.slot]!))
  }
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
      return finish(E)
    },
    runFlat(args) {
      const E = tensorTemplate.slice()
      for (let k = 0; k < inputSlots.length; k++) {
        if (isNumber[k]) N[inputSlots[k]!] = args[k] as number
        else E[inputSlots[k]!] = args[k] as Tensor
      }
      return finish(E)
    },
    tensorOutputs: outputs.some((o) => !o.number),
    stats,
    numbers:
      isNumber.every((n) => n) && outputs.every((o) => o.number)
        ? {
            N,
            inputs: inputSlots,
            outputs: Int32Array.from(outputs, (o) => o.slot),
            run() {
              const E = tensorTemplate.length === 0 ? NO_TENSORS : tensorTemplate.slice()
              for (let s = 0; s < steps.length; s++) steps[s]!(N, E)
            },
            straight:
              steps.length === 1 && tensorTemplate.length === 0
                ? straightSources.get(steps[0]!)
                : undefined,
          }
        : undefined,
  }
}

const compiledTraces = new WeakMap<Trace, Program>()

/**
 * `compile(trace)`, once per trace: for a structured op, whose body (a sub-program in its
 * params) is compiled at its first run and replayed by every later one. Its runs must not nest
 * (a body never runs itself), as they share the program's number slots.
 */
export const compileOnce = (trace: Trace): Program => {
  let program = compiledTraces.get(trace)
  if (program === undefined) {
    program = compile(trace)
    compiledTraces.set(trace, program)
  }
  return program
}
