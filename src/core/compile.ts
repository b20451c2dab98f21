/**
 * Compiles a staged program (src/core/stage.ts) into steps that replay it. Elementwise
 * equations over values of one shape are fused: one generated loop computes a whole chain
 * elementwise, keeping intermediates in registers and writing to memory only the values used
 * outside the chain. Every other equation calls its primitive's kernel. Equations whose results
 * are never used are dropped.
 *
 * A fused loop performs, for each element, exactly the arithmetic of the kernels it replaces
 * (each primitive's `expression`, or a call of its scalar kernel), so a replay gives an eager
 * run's numbers (test/transforms/jit.test.ts and the `jit-agreement` law).
 * @module
 */
import { uninitialized } from '../tensor/kernels/alloc.ts'
import { type Shape, shapesEqual, sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import type { Primitive } from './primitive.ts'
import type { Equation, Trace, VarInfo } from './stage.ts'
import type { Concrete } from './tracer.ts'

/**
 * A step of a run. Variables that outlive a step live in storage slots: plain numbers unboxed in
 * `N` (a Float64Array), tensors in `E`. Values inside a fused chain live in locals only.
 */
type Step = (N: Float64Array, E: Tensor[]) => void

/**
 * Storage slots. Numbers get theirs before emission, from their live ranges (`allocateNumbers`):
 * a slot freed by a value's last use is taken by the next value defined, so a long scalar
 * program works in a few cache lines instead of one slot per value. Tensors get a slot the first
 * time a step needs one.
 */
class Slots {
  numberCount = 0
  tensorCount = 0
  private readonly numberSlot: Int32Array
  private readonly tensorSlot: Int32Array
  private readonly vars: readonly VarInfo[]
  private readonly free: number[] = []
  constructor(vars: readonly VarInfo[]) {
    this.vars = vars
    this.numberSlot = new Int32Array(vars.length).fill(-1)
    this.tensorSlot = new Int32Array(vars.length).fill(-1)
  }
  of(v: number): number {
    if (this.vars[v]!.number) {
      if (this.numberSlot[v] === -1) this.numberSlot[v] = this.numberCount++
      return this.numberSlot[v]!
    }
    if (this.tensorSlot[v] === -1) this.tensorSlot[v] = this.tensorCount++
    return this.tensorSlot[v]!
  }
  /** Gives number variable v a slot, reusing a freed one if any. */
  define(v: number): void {
    if (this.numberSlot[v] !== -1) return
    const reused = this.free.pop()
    this.numberSlot[v] = reused ?? this.numberCount++
  }
  /** Frees number variable v's slot after its last use. */
  release(v: number): void {
    this.free.push(this.numberSlot[v]!)
  }
  /** The expression that reads or writes variable v in generated code. */
  ref(v: number): string {
    return this.vars[v]!.number ? `N[${this.of(v)}]` : `E[${this.of(v)}]`
  }
}

/** Runs a chain's instructions (opcode, operand slots, output slot) over the number slots `N`. */
type Interpret = (
  N: Float64Array,
  op: Uint16Array,
  a: Int32Array,
  b: Int32Array,
  o: Int32Array,
) => void

/**
 * Scalar code: chains of plain-number equations become instructions (opcode, operand slots,
 * output slot) run by one generated interpreter loop whose cases are the program's primitives.
 * Straight-line code would be as fast once optimized, but V8 takes superlinear time to optimize
 * long functions (~0.2 ms per statement at 1,000 statements), while this loop is one small
 * function, optimized in milliseconds whatever the program's length, that runs at ~2 ns per
 * instruction.
 */
class ScalarCode {
  private readonly table: Primitive[] = []
  private interpret: Interpret | undefined
  /** The opcode of `p` in this program. */
  opcode(p: Primitive): number {
    let k = this.table.indexOf(p)
    if (k < 0) k = this.table.push(p) - 1
    return k
  }
  /** Generates the interpreter once every chain is known (at the end of compilation). */
  finish(): void {
    if (this.table.length > 0) this.interpret = this.generate()
  }
  run(N: Float64Array, op: Uint16Array, a: Int32Array, b: Int32Array, o: Int32Array): void {
    this.interpret!(N, op, a, b, o)
  }
  private generate(): Interpret {
    const fns: ((...xs: number[]) => number)[] = []
    const cases = this.table.map((p, k) => {
      const args = p.scalar1 !== undefined ? ['x'] : ['x', 'y']
      let expr = p.expression?.(args)
      if (expr === undefined) {
        fns.push((p.scalar1 ?? p.scalar2)! as (...xs: number[]) => number)
        expr = `F[${fns.length - 1}](${args.join(', ')})`
      }
      return `case ${k}: N[o[k]] = ${expr}; break;`
    })
    const source = `return function interpret(N, op, a, b, o) {
for (let k = 0, n = op.length; k < n; k++) {
const x = N[a[k]];
const y = N[b[k]];
switch (op[k]) {
${cases.join('\n')}
}
}
}`
    return new Function('F', source)(fns) as Interpret
  }
}

/**
 * Where fused loops write. A value that only fused loops read, and that is not an output, dies
 * within the run that made it: it gets one buffer, reused by every run (no allocation, no page
 * faults). Everything else — outputs, and values a kernel reads, which a kernel might return
 * as its own output — gets fresh memory each time.
 */
class Storage {
  private readonly buffers = new Map<number, Float64Array | undefined>()
  /** Marks `v` as reusable (decided once the whole program is planned). */
  reuse(v: number): void {
    this.buffers.set(v, undefined)
  }
  /** The memory for variable `v` of `n` elements. */
  readonly alloc = (v: number, n: number): Float64Array => {
    if (!this.buffers.has(v)) return uninitialized(n)
    let buffer = this.buffers.get(v)
    if (buffer === undefined) {
      buffer = uninitialized(n)
      this.buffers.set(v, buffer)
    }
    return buffer
  }
}

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
  /** Runs on concrete inputs of the traced shapes and kinds; returns the outputs. */
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

/** How a fused loop reads an operand: every element, one value, or a repeated trailing block. */
type Access = { kind: 'full' } | { kind: 'scalar' } | { kind: 'suffix'; size: number }

/** Whether `e` reads its tensor input in place (a vector slice or pad): see `fusedRead`. */
const isMappedRead = (e: Equation, vars: readonly VarInfo[]): boolean => {
  const x = vars[e.ins[0]!]
  return (
    e.ins.length === 1 &&
    x !== undefined &&
    !x.number &&
    e.p.fusedRead(e.params, x.shape, 'x', { row: 'r', column: 'j' }) !== undefined
  )
}

const isElementwise = (e: Equation): boolean =>
  (e.ins.length === 1 && e.p.scalar1 !== undefined) ||
  (e.ins.length === 2 && e.p.scalar2 !== undefined)

/** How an operand of shape `s` is read in a loop over `out`, or undefined if it cannot be. */
const SCALAR: Access = { kind: 'scalar' }
const FULL: Access = { kind: 'full' }

const accessOf = (v: VarInfo, out: VarInfo): Access | undefined => {
  if (v.number || sizeOf(v.shape) === 1) return SCALAR
  if (shapesEqual(v.shape, out.shape)) return FULL
  // a block repeated along leading axes: [m] or [1, m] read against [k, m]
  let first = 0
  while (first < v.shape.length && v.shape[first] === 1) first++
  const tail = v.shape.slice(first)
  const offset = out.shape.length - tail.length
  if (offset <= 0) return undefined
  for (let i = 0; i < tail.length; i++) if (tail[i] !== out.shape[offset + i]) return undefined
  return { kind: 'suffix', size: sizeOf(tail) }
}

const keyOf = (v: VarInfo): string => (v.number ? 'number' : `tensor ${v.shape.join(',')}`)

/** A chain of elementwise equations with outputs of one shape and kind. */
interface Chain {
  readonly key: string
  readonly out: VarInfo
  readonly equations: Equation[]
  open: boolean
}

/** Compiles a trace. */
export function compile(trace: Trace): Program {
  const { vars, equations } = trace
  // dead-code elimination, backwards from the outputs
  const live = new Uint8Array(vars.length)
  for (const o of trace.outputs) live[o] = 1
  const kept: Equation[] = []
  for (let k = equations.length - 1; k >= 0; k--) {
    const e = equations[k]!
    if (!live[e.out]) continue
    kept.push(e)
    for (const i of e.ins) live[i] = 1
  }
  kept.reverse()
  // consumers of each tensor variable, to know which chain values must be written out (numbers
  // always live in slots; a scalar program can have millions of them)
  const consumers = new Map<number, Equation[]>()
  for (const e of kept) {
    for (const i of e.ins) {
      if (vars[i]!.number) continue
      const list = consumers.get(i)
      if (list === undefined) consumers.set(i, [e])
      else list.push(e)
    }
  }
  const outputSet = new Set(trace.outputs)
  // constant tensors with one value everywhere (a broadcast seed of ones, say) are read as a
  // single number: the same value at every index, without a pass over memory
  const uniform = new Set<number>()
  for (const [v, value] of trace.constants) {
    if (typeof value !== 'number' && value.size > 0) {
      const d = value.data
      let same = true
      for (let k = 1; k < d.length && same; k++) same = Object.is(d[k], d[0])
      if (same) uniform.add(v)
    }
  }
  const slots = new Slots(vars)
  const scalar = new ScalarCode()

  const plan: ({ readonly kernel: Equation } | { readonly chain: Chain })[] = []
  const open = new Map<string, Chain>()
  const producer = new Array<Chain | undefined>(vars.length).fill(undefined)
  let loops = 0
  let fused = 0
  const storage = new Storage()
  const fusedEquations = new Set<Equation>()
  const flush = (c: Chain): void => {
    if (!c.open) return
    c.open = false
    open.delete(c.key)
    if (!c.out.number) for (const e of c.equations) fusedEquations.add(e)
    plan.push({ chain: c })
    loops++
    fused += c.equations.length
  }
  for (const e of kept) {
    const out = vars[e.out]!
    const key = keyOf(out)
    const candidate = open.get(key)
    // a read in place needs its input in memory: not a value of the chain it would join
    const fusable =
      (isElementwise(e) && e.ins.every((i) => uniform.has(i) || accessOf(vars[i]!, out))) ||
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
    const chain = own ?? { key, out, equations: [], open: true }
    if (own === undefined) open.set(key, chain)
    chain.equations.push(e)
    producer[e.out] = chain
  }
  for (const c of [...open.values()]) flush(c)

  allocateNumbers(plan, trace, slots)
  const steps: Step[] = []
  const written: number[] = []
  for (const item of plan) {
    if ('kernel' in item) {
      steps.push(kernelStep(item.kernel, vars, slots))
      continue
    }
    const chainStep = emitChain(
      item.chain,
      vars,
      consumers,
      outputSet,
      slots,
      scalar,
      uniform,
      storage,
    )
    steps.push(chainStep.step)
    written.push(...chainStep.written)
  }
  scalar.finish()
  for (const v of written) {
    if (!outputSet.has(v) && (consumers.get(v) ?? []).every((c) => fusedEquations.has(c))) {
      storage.reuse(v)
    }
  }

  // tensor inputs, constants and outputs get their slots last, as steps need them
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
  for (const [v, value] of trace.constants) {
    if (typeof value === 'number') numberTemplate[slots.of(v)] = value
    else tensorTemplate[slots.of(v)] = value
  }
  // Numbers live in one array for every run: steps only write equation outputs, never a constant
  // or an input slot, and a run never re-enters its own program (steps call kernels, not user
  // code), so nothing stale is ever read. Tensors get a fresh array per run, so a run's
  // intermediates are not kept alive after it.
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

/**
 * Number slots from live ranges. Times: one per kernel step, one per instruction of a scalar
 * chain, one per tensor chain (which reads its number operands before its loop). At each time
 * the operands whose last use it is are freed before the output takes a slot — every step reads
 * its operands before it writes. Constants keep their slots for good (they are set once per
 * program, not per run), and so do outputs; inputs are defined before the first step.
 */
function allocateNumbers(
  plan: readonly ({ readonly kernel: Equation } | { readonly chain: Chain })[],
  trace: Trace,
  slots: Slots,
): void {
  const { vars } = trace
  // the reads and the output of every time, in order (visited twice: no list of events built)
  const visit = (at: (reads: readonly number[], out: number, t: number) => void): void => {
    let t = 0
    for (const item of plan) {
      if ('kernel' in item) at(item.kernel.ins, item.kernel.out, t++)
      else if (item.chain.out.number) {
        for (const e of item.chain.equations) at(e.ins, e.out, t++)
      } else {
        const produced = new Set(item.chain.equations.map((e) => e.out))
        const reads = item.chain.equations.flatMap((e) => e.ins.filter((i) => !produced.has(i)))
        at(reads, -1, t++)
      }
    }
  }
  const pinned = new Uint8Array(vars.length)
  for (const v of trace.constants.keys()) pinned[v] = 1
  for (const v of trace.outputs) pinned[v] = 1
  const lastUse = new Int32Array(vars.length).fill(-1)
  visit((reads, _out, t) => {
    for (const i of reads) if (vars[i]!.number) lastUse[i] = t
  })
  // constants first, then inputs, then values as they are defined
  for (const v of trace.constants.keys()) if (vars[v]!.number) slots.define(v)
  for (const v of trace.inputs) if (vars[v]!.number) slots.define(v)
  visit((reads, out, t) => {
    for (const i of reads) {
      if (vars[i]!.number && lastUse[i] === t && !pinned[i]) {
        lastUse[i] = -2 // freed once, even when read twice here
        slots.release(i)
      }
    }
    if (out >= 0 && vars[out]!.number) slots.define(out)
  })
}

/** One equation as a call of its primitive's kernel (shapes were checked when it was traced). */
const kernelStep = (e: Equation, vars: readonly VarInfo[], slots: Slots): Step => {
  const { p, params } = e
  const numberIn = e.ins.map((i) => vars[i]!.number)
  const slotIn = e.ins.map((i) => slots.of(i))
  const numberOut = vars[e.out]!.number
  const slotOut = slots.of(e.out)
  const arity = e.ins.length
  return (N, E) => {
    const args = new Array<Concrete>(arity)
    for (let k = 0; k < arity; k++) args[k] = numberIn[k] ? N[slotIn[k]!]! : E[slotIn[k]!]!
    const y = p.impl(args, params)
    if (numberOut) N[slotOut] = y as number
    else E[slotOut] = y as Tensor
  }
}

/** Generates the function of a chain: reads its operands, loops once, writes what is used. */
function emitChain(
  chain: Chain,
  vars: readonly VarInfo[],
  consumers: ReadonlyMap<number, readonly Equation[]>,
  outputs: ReadonlySet<number>,
  slots: Slots,
  scalar: ScalarCode,
  uniform: ReadonlySet<number>,
  storage: Storage,
): { step: Step; written: readonly number[] } {
  if (chain.out.number) {
    // plain numbers: instructions for the program's scalar interpreter
    const m = chain.equations.length
    const op = new Uint16Array(m)
    const a = new Int32Array(m)
    const b = new Int32Array(m)
    const o = new Int32Array(m)
    chain.equations.forEach((e, k) => {
      op[k] = scalar.opcode(e.p)
      a[k] = slots.of(e.ins[0]!)
      b[k] = e.ins.length > 1 ? slots.of(e.ins[1]!) : 0
      o[k] = slots.of(e.out)
    })
    return { step: (N) => scalar.run(N, op, a, b, o), written: [] }
  }

  const inChain = new Set(chain.equations)
  const produced = new Set(chain.equations.map((e) => e.out))
  // operands read element by element, and arrays read in place by slices and pads
  const operandSet = new Set<number>()
  const arraySet = new Set<number>()
  for (const e of chain.equations) {
    const into = isMappedRead(e, vars) ? arraySet : operandSet
    for (const i of e.ins) if (!produced.has(i)) into.add(i)
  }
  const operands = [...operandSet]
  const arrays = [...arraySet]
  const written = chain.equations
    .map((e) => e.out)
    .filter((v) => outputs.has(v) || (consumers.get(v) ?? []).some((c) => !inChain.has(c)))
  // scalar functions of the primitives that are not written inline
  const fns: ((...xs: number[]) => number)[] = []
  const expression = (e: Equation): string => {
    if (isMappedRead(e, vars)) {
      const x = e.ins[0]!
      return e.p.fusedRead(e.params, vars[x]!.shape, `a${x}`, { row: 'r', column: 'j' })!
    }
    const args = e.ins.map((i) => `v${i}`)
    if (e.p.expression !== undefined) return e.p.expression(args)
    fns.push((e.p.scalar1 ?? e.p.scalar2)! as (...xs: number[]) => number)
    return `F[${fns.length - 1}](${args.join(', ')})`
  }
  const body = chain.equations.map((e) => `const v${e.out} = ${expression(e)};`)

  const shape: Shape = chain.out.shape
  const n = sizeOf(shape)
  const accesses = operands.map(
    (i): Access => (uniform.has(i) ? SCALAR : accessOf(vars[i]!, chain.out)!),
  )
  // rows (every axis but the last) by columns (the last axis); i is the flat index
  const columns = shape.length === 0 ? 1 : shape[shape.length - 1]!
  const rows = columns === 0 ? 0 : n / columns
  const before: string[] = arrays.map((i) => `const a${i} = ${slots.ref(i)}.data;`)
  const reads: string[] = []
  operands.forEach((i, k) => {
    const a = accesses[k]!
    if (a.kind === 'scalar') {
      before.push(`const v${i} = ${slots.ref(i)}${vars[i]!.number ? '' : '.data[0]'};`)
    } else {
      if (!arraySet.has(i)) before.push(`const a${i} = ${slots.ref(i)}.data;`)
      const index = a.kind === 'full' ? 'i' : a.size === columns ? 'j' : `i % ${a.size}`
      reads.push(`const v${i} = a${i}[${index}];`)
    }
  })
  for (const v of written) before.push(`const o${v} = alloc(${v}, ${n});`)
  const inner = [...reads, ...body, ...written.map((v) => `o${v}[i] = v${v};`)].join('\n')
  const loop = `for (let r = 0, i = 0; r < ${rows}; r++) {\nfor (let j = 0; j < ${columns}; j++, i++) {\n${inner}\n}\n}`
  const after = written.map((v) => `${slots.ref(v)} = new T(o${v}, S);`)
  const source = [...before, loop, ...after].join('\n')
  const step = new Function('F', 'alloc', 'T', 'S', `return function chain(N, E) {\n${source}\n}`)(
    fns,
    storage.alloc,
    Tensor,
    shape,
  ) as Step
  return { step, written }
}
