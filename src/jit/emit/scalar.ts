/**
 * The scalar interpreter: chains of plain-number equations become instructions (opcode, operand
 * slots, output slot) for one generated interpreter loop per program, whose cases are the
 * program's primitives, so its size does not grow with the program's length.
 * @module
 */
import { objectArray } from '../../core/elements.ts'
import type { Primitive } from '../../core/primitive.ts'
import { loweringOf } from '../lower.ts'
import type { SlotOf } from '../passes/slots.ts'
import type { IntList, Table } from '../table.ts'
import type { ScalarFn, Step } from './kernel.ts'
import { toSource } from './source.ts'

/**
 * Runs a chain's instructions (opcode, operand slots, output slot) over the number slots `N`;
 * `F` holds the scalar kernels of the primitives without an inline lowering. `c` holds the third
 * operand of a `where` (a select: `a` the condition, `b` and `c` the branches); a chain without
 * one gets an empty array, never read.
 */
type Interpret = (
  N: Float64Array,
  op: Uint16Array,
  a: Int32Array,
  b: Int32Array,
  c: Int32Array,
  o: Int32Array,
  F: readonly ScalarFn[],
) => void

/** The third operands of chains without a select. */
const NO_THIRD = new Int32Array(0)

/**
 * Interpreters by source text, shared by every program of this process: programs of one set of
 * primitives (every trace of one function, whatever its length) run one function, which V8 has
 * optimized already after the first — so a new program's first replays are not run by V8's
 * bytecode interpreter. Bounded: the oldest goes.
 */
const interpreters = new Map<string, { readonly interpret: Interpret; warm: boolean }>()

/**
 * Instructions from which a program warms its interpreter up before its first replay. A new
 * function runs in V8's bytecode interpreter until TurboFan, in the background, has optimized
 * it: ~0.2 µs per instruction instead of ~7 ns, so a 2·10⁶-instruction gradient's first replay
 * took 0.4 s against 15 ms later. A few thousand instructions on scratch slots at compile time
 * (~1 ms) start that optimization, and it is usually done by the program's first replay.
 */
const WARM_FROM = 10_000
const WARM_INSTRUCTIONS = 4096
const WARM_ROUNDS = 8

/** Runs `interpret` on scratch slots: every opcode of `table`, on operands 0.5 and 0.25. */
const warmUp = (interpret: Interpret, opcodes: number, fns: readonly ScalarFn[]): void => {
  // arrays as large as a real program's (V8 keeps a small typed array in the heap, and code
  // optimized for one kind of array deoptimizes on the other)
  const N = new Float64Array(WARM_INSTRUCTIONS)
  N[0] = 0.5
  N[1] = 0.25
  const op = new Uint16Array(WARM_INSTRUCTIONS)
  const a = new Int32Array(WARM_INSTRUCTIONS)
  const b = new Int32Array(WARM_INSTRUCTIONS).fill(1)
  const c = new Int32Array(WARM_INSTRUCTIONS).fill(1)
  const o = new Int32Array(WARM_INSTRUCTIONS).fill(2)
  for (let k = 0; k < WARM_INSTRUCTIONS; k++) op[k] = k % opcodes
  try {
    for (let r = 0; r < WARM_ROUNDS; r++) interpret(N, op, a, b, c, o, fns)
  } catch {
    // only a warm-up: a scalar kernel refusing these operands does not concern the program
  }
}
const MAX_INTERPRETERS = 256

/** A chain as straight-line code (see `ScalarCode.straight`). */
type Straight = (N: Float64Array, F: readonly ScalarFn[]) => void

/** Straight-line chains by source text, shared by every program of this process. */
const straightChains = new Map<string, Straight>()
const MAX_STRAIGHT = 1024

/** A straight-line chain's statements (over `N` and `F`) and the kernels `F` it calls. */
export interface StraightSource {
  readonly lines: string
  readonly fns: readonly ScalarFn[]
}

/**
 * The source of each straight-line step, so that a loop whose whole body is one such chain can
 * inline it in a loop of its own (emit/number-loop.ts).
 */
export const straightSources = new WeakMap<Step, StraightSource>()

/** Chains of at most this many instructions run as straight-line code in a loop's body. */
export const STRAIGHT_MAX = 512

/** Forgets the shared interpreters (for tests that make `Function` fail). */
export const clearInterpreters = (): void => {
  interpreters.clear()
  straightChains.clear()
}

/**
 * Scalar code: chains of plain-number equations become instructions (opcode, operand slots,
 * output slot) run by one generated interpreter loop whose cases are the program's primitives.
 * Straight-line code would be as fast once optimized, but V8 takes superlinear time to optimize
 * long functions (~0.2 ms per statement at 1,000 statements), while this loop is one small
 * function, optimized in milliseconds whatever the program's length, that runs at ~2 ns per
 * instruction.
 */
export class ScalarCode {
  private readonly table: Primitive[] = objectArray()
  private interpret: Interpret | undefined
  private readonly fns: ScalarFn[] = objectArray()
  /** Each opcode's expression over its operands `x`, `y` (and `z`), set by `generate`. */
  private readonly exprs: string[] = objectArray()
  /** The opcode of `p` in this program. */
  opcode(p: Primitive): number {
    let k = this.table.indexOf(p)
    if (k < 0) k = this.table.push(p) - 1
    return k
  }
  /**
   * Generates the interpreter once every chain is known (at the end of compilation), warmed up
   * if the program runs `instructions` ≥ `WARM_FROM` per replay and it is not warm yet.
   */
  finish(instructions: number): void {
    if (this.table.length === 0) return
    const entry = this.generate()
    this.interpret = entry.interpret
    if (instructions >= WARM_FROM && !entry.warm) {
      entry.warm = true
      warmUp(entry.interpret, this.table.length, this.fns)
    }
  }
  run(
    N: Float64Array,
    op: Uint16Array,
    a: Int32Array,
    b: Int32Array,
    c: Int32Array,
    o: Int32Array,
  ): void {
    this.interpret!(N, op, a, b, c, o, this.fns)
  }
  /**
   * A chain's instructions as straight-line code (one function, no dispatch per instruction),
   * for a short chain run many times — a loop's body: V8 optimizes a short function in
   * microseconds, and it then runs several times faster than the interpreter's loop. Each
   * instruction computes the interpreter's expression for its opcode, so the same numbers.
   * Functions are shared by source text (the slots are in it), bounded as the interpreters.
   */
  straight(op: Uint16Array, a: Int32Array, b: Int32Array, c: Int32Array, o: Int32Array): Step {
    const exprs = this.exprs
    const lines: string[] = []
    for (let k = 0; k < op.length; k++) {
      lines.push(
        `{ const x = N[${a[k]}], y = N[${b[k]}]${c.length > 0 ? `, z = N[${c[k]}]` : ''}; N[${o[k]}] = ${exprs[op[k]!]!}; }`,
      )
    }
    const source = `return function chain(N, F) {\n${lines.join('\n')}\n}`
    let fn = straightChains.get(source)
    if (fn === undefined) {
      fn = new Function(source)() as Straight
      if (straightChains.size >= MAX_STRAIGHT)
        straightChains.delete(straightChains.keys().next().value!)
      straightChains.set(source, fn)
    }
    const chain = fn
    const fns = this.fns
    const step: Step = (N) => chain(N, fns)
    straightSources.set(step, { lines: lines.join('\n'), fns })
    return step
  }
  private generate(): { readonly interpret: Interpret; warm: boolean } {
    const fns = this.fns
    const exprs = this.exprs
    const cases = this.table.map((p, k) => {
      // where's number kernel: the condition's truth is `!== 0` (NaN selects the first branch)
      if (p.name === 'where') {
        exprs.push('(x !== 0 ? y : z)')
        return `case ${k}: N[o[k]] = x !== 0 ? y : N[c[k]]; break;`
      }
      const args = p.scalar1 !== undefined ? ['x'] : ['x', 'y']
      const lowering = loweringOf(p)
      let expr: string
      if (lowering?.kind === 'elementwise') expr = toSource(lowering.expr, { args })
      else {
        fns.push((p.scalar1 ?? p.scalar2)! as ScalarFn)
        expr = `F[${fns.length - 1}](${args.join(', ')})`
      }
      exprs.push(expr)
      return `case ${k}: N[o[k]] = ${expr}; break;`
    })
    const source = `return function interpret(N, op, a, b, c, o, F) {
for (let k = 0, n = op.length; k < n; k++) {
const x = N[a[k]];
const y = N[b[k]];
switch (op[k]) {
${cases.join('\n')}
}
}
}`
    let entry = interpreters.get(source)
    if (entry === undefined) {
      entry = { interpret: new Function(source)() as Interpret, warm: false }
      if (interpreters.size >= MAX_INTERPRETERS)
        interpreters.delete(interpreters.keys().next().value!)
      interpreters.set(source, entry)
    }
    return entry
  }
}

/**
 * A chain of plain-number equations (`equations`: their indices in `table`) as instructions for
 * the program's scalar interpreter, read from the table's arrays; `codes` caches the opcode of
 * each of the table's operations (−1: not yet asked). `straight`: a short chain becomes
 * straight-line code (a loop's body, run once per step).
 */
export const scalarStep = (
  table: Table,
  equations: IntList,
  scalar: ScalarCode,
  codes: Int32Array,
  slots: SlotOf,
  straight: boolean,
): Step => {
  const m = equations.length
  const list = equations.data
  const op = new Uint16Array(m)
  const a = new Int32Array(m)
  const b = new Int32Array(m)
  let c = NO_THIRD
  const o = new Int32Array(m)
  const { ins, insStart, out } = table
  for (let q = 0; q < m; q++) {
    const k = list[q]!
    const t = table.op[k]!
    let code = codes[t]!
    if (code < 0) code = codes[t] = scalar.opcode(table.ops[t] as Primitive)
    op[q] = code
    const first = insStart[k]!
    a[q] = slots.of(ins[first]!)
    const arity = insStart[k + 1]! - first
    b[q] = arity > 1 ? slots.of(ins[first + 1]!) : 0
    if (arity > 2) {
      if (c === NO_THIRD) c = new Int32Array(m)
      c[q] = slots.of(ins[first + 2]!)
    }
    o[q] = slots.of(out[k]!)
  }
  if (straight && m <= STRAIGHT_MAX) return scalar.straight(op, a, b, c, o)
  const third = c
  return (N) => scalar.run(N, op, a, b, third, o)
}
