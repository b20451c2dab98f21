/**
 * Staging: the interpreter behind `jit`. It runs the function once, eagerly, on concrete values,
 * and records every primitive application as an equation of a straight-line program over
 * numbered variables, so the program can be replayed (and fused) for new inputs of the same
 * shapes. Its tracers carry their concrete value, so shapes, kinds and nested transformations
 * behave exactly as without `jit`; what a program cannot replay is a decision taken on a value,
 * so reading a staged value — `value(x)` here, as well as the reads every transformation refuses
 * (`item()`, `data`, …) — raises `ConcretizationError`. In an abstract trace (./abstract.ts),
 * large tensor inputs and what is computed from them carry placeholders instead: no kernel runs
 * on them, and what needs their values (`needsValues`) has the trace redone on values.
 *
 * Structured operations (loops, branches) record one equation each (`stageStructured`), whose
 * bodies are sub-programs traced while the outer trace runs (`traceSubprogram`).
 * @module
 */

import { bind1, bind2, bindN } from '../core/bind.ts'
import type { CustomRule } from '../core/custom.ts'
import { debugState } from '../core/debug.ts'
import { objectArray } from '../core/elements.ts'
import { ConcretizationError } from '../core/errors.ts'
import type { Primitive } from '../core/primitive.ts'
import {
  type Concrete,
  closeLevel,
  escaped,
  type Interpreter,
  linkPrototype,
  openLevel,
  Tracer,
  type Val,
} from '../core/tracer.ts'
import type { Shape } from '../tensor/shape.ts'
import {
  type AbstractOwner,
  abstractMinElements,
  isPlaceholder,
  Placeholders,
  refusePlaceholder,
} from './abstract.ts'
import { makeTrace, type StructuredOp, type Trace } from './ir.ts'
import { Table } from './table.ts'

export type { Equation, Trace, VarInfo } from './ir.ts'

/**
 * Thrown inside a trace when a value of another transformation appears (captured by a closure):
 * the program could not replay it, so `jit` runs that call eagerly instead. `jit` traces only
 * while no transformation runs, so such a value is a dead one, and running `f` names the error.
 * A sub-program (`traceSubprogram`) may meet a live one — a body closing over a value of `grad`
 * running around it — and its caller must then do without staging.
 */
export class Unstageable extends Error {}

/**
 * Thrown inside a trace that reaches `traceLimit.vars` values: its program would take several
 * times the memory of an eager run (~100 bytes per value at the first call's peak, against
 * ~50 bytes per op for eager reverse mode; bench/NOTES.md §15), so `jit` gives up tracing and
 * runs that call, and every later call of that structure, as `f` itself (a sub-program does
 * without staging).
 * So no program that runs eagerly runs out of memory because of `jit`.
 */
export class TraceTooLong extends Unstageable {}

/**
 * Most values a trace records (2²² ≈ 4.2 million: a 2·10⁶-op scalar gradient, or ~0.4 GB
 * at the first call's peak). Mutable for tests only.
 */
export const traceLimit = { vars: 2 ** 22 }

/**
 * A staged value: a variable of the program, with the concrete value of this run. The value is
 * `concrete`, for the staging interpreter and `jit` only; `primal`, where other tracers keep
 * their value for everyone, refuses to be read, as every other read does.
 */
export interface Staged extends Tracer {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface types the members inherited through linkPrototype
export class Staged {
  readonly interp: StagingInterpreter
  /** This run's value: what the program computes for this call's arguments. */
  readonly concrete: Concrete
  readonly id: number

  constructor(interp: StagingInterpreter, concrete: Concrete, id: number) {
    this.interp = interp
    this.concrete = concrete
    this.id = id
  }

  get primal(): never {
    return this.beforeRead()
  }

  get inner(): Concrete {
    return this.concrete
  }

  /** Reading the value would bake it into the program: refused. */
  beforeRead(): never {
    throw new ConcretizationError(
      'value(x) read a value traced by jit (its value would be fixed in the compiled program)',
      {
        transformation: 'jit',
        shapes: [shapeOfConcrete(this.concrete)],
        hint: 'a jitted function is traced once per input shapes and replayed: replace the JS branch on a value by where(), or do not jit this function',
      },
    )
  }
}
linkPrototype(Staged, Tracer)

const shapeOfConcrete = (v: Concrete): Shape => (typeof v === 'number' ? [] : v.shape)

/** The constant pool's key for −0 (see `variable`). */
const NEGATIVE_ZERO: unique symbol = Symbol('-0')

/** How many recent number constants a trace remembers (`numberConstant`). */
const RECENT = 8

/** Constants shared by value or identity, at most (a Map holds 2²⁴ entries). */
const MAX_SHARED_CONSTANTS = 2 ** 23

/** The staging interpreter: one per trace of a jitted function, or of a sub-program. */
export class StagingInterpreter implements Interpreter, AbstractOwner {
  readonly level: number
  readonly transformation = 'jit'
  alive = true
  /** Whether a placeholder was read: an abstract trace to redo on values (./abstract.ts). */
  abstractFailed = false
  /** For an abstract trace, its placeholders (large inputs' and what is computed from them). */
  readonly placeholders: Placeholders | undefined
  /** The equations and variables recorded, in typed arrays. */
  private readonly table = new Table()
  private readonly inputs: number[] = []
  // arrays, not a Map: a program may hold more constants than a Map can (2²⁴)
  private readonly constantVars: number[] = []
  private readonly constantValues: Concrete[] = objectArray()
  /** Constants by identity (tensors) or value (numbers), so a value used often is one variable. */
  private readonly constantIds = new Map<Concrete | typeof NEGATIVE_ZERO, number>()
  /**
   * For a sub-program (`traceSubprogram`): the values of enclosing staging interpreters it
   * reads, and their variables here, trailing inputs of the sub-program. Undefined at top level.
   */
  private readonly captured:
    | { outer: Staged[]; vars: number[]; ids: Map<Staged, number> }
    | undefined

  /**
   * `nested`: a sub-program, which captures the values of enclosing traces it reads.
   * `abstract`: large tensor inputs are placeholders (./abstract.ts).
   */
  constructor(nested = false, abstract = false) {
    this.level = openLevel()
    this.captured = nested ? { outer: [], vars: [], ids: new Map() } : undefined
    this.placeholders = abstract ? new Placeholders(this) : undefined
  }

  /** Number constants met last, and their variables (`numberConstant`); NaN: none. */
  private readonly recentValues = new Float64Array(RECENT).fill(Number.NaN)
  private readonly recentIds = new Int32Array(RECENT)
  private recentNext = 0

  /** The numbers of packed values (`pack`), by variable. */
  private packed = new Float64Array(64)

  /**
   * A handle for a staged number of this trace — its variable — so that a tape holding millions
   * of them keeps no object each (`Interpreter.pack`); −1 for any other value.
   */
  pack(v: Tracer): number {
    if (!(v instanceof Staged) || v.interp !== this || typeof v.concrete !== 'number') return -1
    const id = v.id
    if (id >= this.packed.length) {
      const grown = new Float64Array(Math.max(id + 1, this.packed.length * 2))
      grown.set(this.packed)
      this.packed = grown
    }
    this.packed[id] = v.concrete
    return id
  }

  /**
   * The staged value of a handle `pack` gave. A handle read back from a tape's Float64Array is
   * a double to V8: `| 0` keeps `Staged.id` a small-integer field, or its first store turns the
   * field to doubles for every Staged, and V8 throws away the code optimized for it (bench/NOTES.md §25).
   */
  unpack(handle: number): Staged {
    const id = handle | 0
    return new Staged(this, this.packed[id]!, id)
  }

  /** Ends the trace: its staged values become dead. */
  close(): void {
    this.alive = false
    closeLevel()
  }

  /** A staged input of concrete value `v` (in an abstract trace, a large one's placeholder). */
  input(v: Concrete): Staged {
    const id = this.newVar(v)
    this.inputs.push(id)
    const abstract =
      this.placeholders !== undefined && typeof v !== 'number' && v.size >= abstractMinElements()
    return new Staged(this, abstract ? this.placeholders.like(v) : v, id)
  }

  /** The recorded program, with `outs` (staged values or constants) as its outputs. */
  finish(outs: readonly Val[]): Trace {
    // first: an output may be a value captured here
    const outputs = outs.map((v) => this.variable(v))
    return makeTrace(this.table, {
      inputs: this.captured === undefined ? this.inputs : [...this.inputs, ...this.captured.vars],
      constants: { vars: this.constantVars, values: this.constantValues },
      outputs,
    })
  }

  // the operands' variables are taken before the kernel runs and written straight to the
  // table (no arrays): staging runs once per recorded op, so its allocations are most of a first
  // call's garbage
  process1(p: Primitive, x: Val, params: unknown): Val {
    const cx = this.primalOf(x, p)
    const abstract = this.placeholders?.used === true && this.isAbstract(x, cx)
    // a number through a scalar kernel: what bind1's kernel call computes, without its arrays
    const out = (
      abstract
        ? this.placeholders!.result(p, [cx], params)
        : typeof cx === 'number' && p.scalar1 !== undefined && !debugState.on
          ? p.scalar1(cx)
          : bind1(p, cx, params)
    ) as Concrete
    const i = this.variable(x)
    const id = this.newVar(out)
    if (abstract && typeof out === 'number') this.placeholders!.markNumber(id)
    const t = this.table
    t.begin(p, params, false)
    t.arg(i)
    t.result(id)
    t.end()
    return new Staged(this, out, id)
  }

  process2(p: Primitive, a: Val, b: Val, params: unknown): Val {
    const ca = this.primalOf(a, p)
    const cb = this.primalOf(b, p)
    const abstract =
      this.placeholders?.used === true && (this.isAbstract(a, ca) || this.isAbstract(b, cb))
    const out = (
      abstract
        ? this.placeholders!.result(p, [ca, cb], params)
        : typeof ca === 'number' &&
            typeof cb === 'number' &&
            p.scalar2 !== undefined &&
            !debugState.on
          ? p.scalar2(ca, cb)
          : bind2(p, ca, cb, params)
    ) as Concrete
    const i = this.variable(a)
    const j = this.variable(b)
    const id = this.newVar(out)
    if (abstract && typeof out === 'number') this.placeholders!.markNumber(id)
    const t = this.table
    t.begin(p, params, false)
    t.arg(i)
    t.arg(j)
    t.result(id)
    t.end()
    return new Staged(this, out, id)
  }

  processN(p: Primitive, args: readonly Val[], params: unknown): Val {
    const values = args.map((a) => this.primalOf(a, p))
    const abstract =
      this.placeholders?.used === true && args.some((a, k) => this.isAbstract(a, values[k]!))
    const out = (
      abstract ? this.placeholders!.result(p, values, params) : bindN(p, values, params)
    ) as Concrete
    const ins = args.map((a) => this.variable(a))
    const id = this.newVar(out)
    if (abstract && typeof out === 'number') this.placeholders!.markNumber(id)
    this.record(p, params, false, ins, [id])
    return new Staged(this, out, id)
  }

  /** Records an equation of `op` on variables `ins`, defining `outs`. */
  private record(
    op: Primitive | StructuredOp,
    params: unknown,
    structured: boolean,
    ins: readonly number[],
    outs: readonly number[],
  ): void {
    const t = this.table
    t.begin(op, params, structured)
    for (let k = 0; k < ins.length; k++) t.arg(ins[k]!)
    for (let k = 0; k < outs.length; k++) t.result(outs[k]!)
    t.end()
  }

  /**
   * A custom rule's derivative is irrelevant to a replay: its primal function is staged, or the
   * rule stages itself (a loop as one structured equation, src/transforms/control/stage.ts).
   */
  processCustom(rule: CustomRule, args: readonly Val[]): Val[] {
    if (!this.alive) escaped(this, rule.name)
    return rule.stage === undefined ? rule.call(args) : rule.stage(this, args)
  }

  /**
   * Whether `v`, of value `c`, is abstract (./abstract.ts): a placeholder, or a number of this
   * trace computed from one.
   */
  isAbstract(v: Val, c: Concrete): boolean {
    if (typeof c !== 'number') return isPlaceholder(c)
    return v instanceof Staged && v.interp === this && this.placeholders!.isAbstractNumber(v.id)
  }

  /**
   * For what runs on a traced value's value — a loop or branch staged by running its body, a
   * jitted function traced inside —: in an abstract trace that has made placeholders, gives up
   * (the trace is redone on values).
   */
  needsValues(): void {
    if (this.placeholders?.used === true) this.placeholders.refuse()
  }

  /** The concrete value under a staged value of this trace; constants pass through. */
  private primalOf(v: Val, p: Primitive): Concrete {
    if (!this.alive) escaped(this, p.name)
    if (typeof v === 'number') return v
    if (v instanceof Staged && (v.interp === this || this.captures(v))) return v.concrete
    if (v instanceof Tracer) throw new Unstageable()
    return v
  }

  /** Whether `v` is a value of an enclosing trace, which this sub-program takes as an input. */
  private captures(v: Staged): boolean {
    return this.captured !== undefined && v.interp.alive
  }

  /** The input variable of a captured value, made at its first use. */
  private capture(v: Staged): number {
    const c = this.captured!
    let id = c.ids.get(v)
    if (id === undefined) {
      id = this.newVar(v.concrete)
      c.ids.set(v, id)
      c.outer.push(v)
      c.vars.push(id)
    }
    return id
  }

  /** The values of enclosing traces this sub-program captured, in the order of its inputs. */
  capturedValues(): Staged[] {
    return this.captured === undefined ? [] : [...this.captured.outer]
  }

  /**
   * Records a structured equation (see `StructuredOp`) on `args` — staged values, values of
   * enclosing traces, or constants — whose results for this run are `outs`; returns them staged.
   */
  stageStructured(
    op: StructuredOp,
    params: unknown,
    args: readonly Val[],
    outs: readonly Concrete[],
  ): Staged[] {
    if (!this.alive) escaped(this, op.name)
    const ins = args.map((a) => this.variable(a))
    const ids = outs.map((v) => this.newVar(v))
    this.record(op, params, true, ins, ids)
    return outs.map((v, k) => new Staged(this, v, ids[k]!))
  }

  /** The variable of a staged value, or a new constant variable for a concrete one. */
  private variable(v: Val): number {
    if (typeof v === 'number') return this.numberConstant(v)
    if (v instanceof Staged && v.interp === this) return v.id
    if (v instanceof Staged && this.captures(v)) return this.capture(v)
    if (v instanceof Tracer) throw new Unstageable()
    return this.constant(v)
  }

  /**
   * The variable of number constant `v`: first looked up among the last few met (a program's
   * constants repeat — the same factors in every step of a loop, the cotangent 1 —, and a
   * compare is cheaper than the Map's hashing of a double), then in the pool. ±0, which `===`
   * does not tell apart, skip the cache, and NaN never matches in it.
   */
  private numberConstant(v: number): number {
    const values = this.recentValues
    if (v !== 0) {
      for (let k = 0; k < RECENT; k++) if (values[k] === v) return this.recentIds[k]!
    }
    const id = this.constant(v)
    if (v !== 0 && this.constantIds.get(v) === id) {
      const k = this.recentNext
      values[k] = v
      this.recentIds[k] = id
      this.recentNext = (k + 1) % RECENT
    }
    return id
  }

  /** The variable of constant `v` (shared by value or identity while the pool has room). */
  private constant(v: Concrete): number {
    // a placeholder out of its Staged (read by a loop's staging, say) has no value to keep
    refusePlaceholder(v)
    // numbers are compared by value, tensors by identity; a Map's keys equate 0 and −0, whose
    // results differ (1/x), so −0 has a key of its own
    const key = Object.is(v, -0) ? NEGATIVE_ZERO : v
    let id = this.constantIds.get(key)
    if (id === undefined) {
      id = this.newVar(v)
      this.constantVars.push(id)
      this.constantValues.push(v)
      // sharing is only an economy: past a Map's capacity, a constant is one variable per use
      if (this.constantIds.size < MAX_SHARED_CONSTANTS) this.constantIds.set(key, id)
    }
    return id
  }

  private newVar(v: Concrete): number {
    if (this.table.varCount >= traceLimit.vars) throw new TraceTooLong()
    return this.table.addVar(v)
  }
}
