/**
 * Reverse mode: each primitive application pushes its pullback continuation onto an explicit
 * stack (the tape), in execution order; `backward` runs the stack from the top with a loop, so
 * program depth never costs JS stack frames.
 *
 * Continuations are defunctionalized. Where every value is a plain number, a record is five
 * numbers in typed arrays — output node, input nodes, and the numeric partials — and running it
 * is `xBar += yBar · ∂`. Otherwise a record keeps the primitive, its params and primals, and
 * running it calls the primitive's `vjp` rule, written in fluxion ops (so nested transformations
 * see it). Under `jit(grad(f))` a scalar op whose rule is a product with its partials keeps
 * them as staged values instead (`pushPartials`), as the numeric record keeps numbers, so the
 * backward pass stages only the products. Cotangents accumulate at fan-out; symbolic zeros
 * (never-reached nodes, exact-zero numeric cotangents) are skipped, and a numeric record drops
 * an input whose partial is exactly 0, which keeps `0 · ∞` out of the result whichever factor
 * is zero (the convention every mode shares: zero annihilates).
 * @module
 */
import { bind1, bind2, bindN } from './bind.ts'
import { type CustomPullback, type CustomRule, dropping, runCustom } from './custom.ts'
import { checkFinite, debugState } from './debug.ts'
import type { MaybeZero, Primitive } from './primitive.ts'
import { Cotangents } from './tape-bars.ts'
import {
  type Buffers,
  grow8,
  grow32,
  grow64,
  type Lender,
  lend,
  PACK_LIMIT,
  type Packed,
  pack,
  RELEASED,
  returnBuffers,
  takeBuffers,
  unlend,
  unpack,
} from './tape-buffers.ts'
import { type OpRecords, returnRecords, takeRecords } from './tape-ops.ts'
import {
  closeLevel,
  escaped,
  type Interpreter,
  linkPrototype,
  openLevel,
  Tracer,
  type Val,
} from './tracer.ts'

/** The ops the tape needs on cotangents, passed in so `core` does not import `primitives`. */
export interface CotangentOps {
  /** Sum of two cotangents (broadcasting numbers against rank-0 tensors). */
  add(a: Val, b: Val): Val
  /** Zero-annihilating product: 0 where `yBar` or `partial` is 0, else `yBar · partial`. */
  safeMul(yBar: Val, partial: Val): Val
  /** −yBar (the cotangent `sub` passes its second argument). */
  neg(yBar: Val): Val
}

/**
 * A value traced by a reverse-mode interpreter: a node of its tape. Never constructed itself:
 * `BoxedNode` and `ScalarNode` link their prototypes to it (see `linkPrototype`).
 */
export abstract class Node extends Tracer {
  abstract override readonly interp: VjpInterpreter
  /** Index of this node's cotangent slot. */
  abstract readonly id: number
}

/** A node whose primal is a tensor or a value of an outer transformation. */
export interface BoxedNode extends Node {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface types the members inherited through linkPrototype
export class BoxedNode {
  readonly interp: VjpInterpreter
  readonly primal: Val
  readonly id: number

  constructor(interp: VjpInterpreter, primal: Val, id: number) {
    this.interp = interp
    this.primal = primal
    this.id = id
  }
}
linkPrototype(BoxedNode, Node)

/**
 * A node whose primal is a plain number, kept in the tape's typed array rather than in the
 * object: one small allocation per scalar op.
 */
export interface ScalarNode extends Node {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface types the members inherited through linkPrototype
export class ScalarNode {
  readonly interp: VjpInterpreter
  readonly id: number

  constructor(interp: VjpInterpreter, id: number) {
    this.interp = interp
    this.id = id
  }

  get primal(): number {
    return this.interp.scalarPrimal(this.id)
  }
}
linkPrototype(ScalarNode, Node)

/** A record that is not all-numbers: the primitive's own `vjp` rule runs it. */
interface GeneralRecord {
  readonly p: Primitive
  readonly params: unknown
  readonly primals: readonly Val[]
  readonly out: Val
  /** Input node ids, -1 for inputs that are constants to this interpreter. */
  readonly ins: readonly number[]
}

/** A custom rule's record: several outputs, and the pullback the rule gave. */
interface CustomRecord {
  readonly custom: CustomPullback
  readonly name: string
  /** Input node ids, -1 for inputs that are constants to this interpreter. */
  readonly ins: readonly number[]
  /** Output node ids. */
  readonly outs: readonly number[]
}

/**
 * Record kinds. `UNARY` and `BINARY` are general records of one or two operands with no object
 * per record: operand nodes in `in0`/`in1`, and in `p0` the index of their primitive, params
 * and values in `records` (./tape-ops.ts). Under `jit(grad(f))` every op of a scalar program
 * takes this path (its primals are staged values), millions of times for a long program.
 */
const NUMERIC = 1
const GENERAL = 2
const CUSTOM = 3
const UNARY = 4
const BINARY = 5
/**
 * A staged scalar op's record with its partials (`pushPartials`): kinds STAGED to STAGED + 7,
 * with HANDLE0 (HANDLE1) set when `p0` (`p1`) holds a handle of the tape's `stager` rather than
 * a number, and LINEAR when the partials are the ±1 of `add` or `sub`.
 */
const STAGED = 8
const HANDLE0 = 1
const HANDLE1 = 2
const LINEAR = 4

const NO_BARS = new Float64Array(0)

/**
 * Whether an output is a tracer whose interpreter packs its values (`Interpreter.pack`: a
 * staged value of `jit`): its record goes to the typed arrays of `records`. Other records —
 * tensors of an eager gradient, say — keep an object each, the cheaper form for short tapes.
 */
const packable = (v: Val): boolean => v instanceof Tracer && v.interp.pack !== undefined

/** The reverse-mode interpreter: one per `vjp`/`grad` call. */
export class VjpInterpreter implements Interpreter, Lender {
  readonly level: number
  readonly transformation: string
  alive = true
  private readonly ops: CotangentOps
  private released = false

  // nodes: values and numeric flags, indexed by node id
  private nodeCount = 0
  private values!: Float64Array<ArrayBuffer>
  private numeric!: Uint8Array<ArrayBuffer>
  // records, the stack of continuations, indexed by position
  private count = 0
  private kind!: Uint8Array<ArrayBuffer>
  private outId!: Int32Array<ArrayBuffer>
  private in0!: Int32Array<ArrayBuffer>
  private in1!: Int32Array<ArrayBuffer>
  private p0!: Float64Array<ArrayBuffer>
  private p1!: Float64Array<ArrayBuffer>
  private bars!: Float64Array<ArrayBuffer>
  private general: (GeneralRecord | CustomRecord | undefined)[] = []
  /** The values of UNARY and BINARY records (their index in `p0`); made at the first one. */
  private records: OpRecords | undefined = undefined
  /** A small kept tape in JS arrays (see `keep`); its typed buffers are back in the pool. */
  private packed: Packed | undefined = undefined
  /** A kept tape whose buffers the pool may claim (see `keep`). */
  private lent = false
  /** Runs of a lent tape's `backward` under way (a rule may run the same pullback again). */
  private running = 0
  /** The staging interpreter whose handles the STAGED records hold (the first one met). */
  private stager: Interpreter | undefined = undefined
  /** With `debugNans` on, the primitive of each numeric record (for error messages). */
  private debugNames: string[] = []

  constructor(transformation: string, ops: CotangentOps) {
    this.transformation = transformation
    this.ops = ops
    this.adopt(takeBuffers())
    this.level = openLevel()
  }

  /** Ends the forward pass: this interpreter's nodes become dead; the tape stays runnable. */
  close(): void {
    this.alive = false
    closeLevel()
  }

  /**
   * Called once the forward pass is over when the tape may run many times (a pullback the
   * caller keeps, as `vjp` returns). A small tape keeps its buffers but lends them to the pool:
   * when the next tape finds no spare set, this one `evict`s itself — copies its records into
   * two JS arrays and gives the buffers back — so the next transformation does not allocate
   * nine off-heap typed arrays (~2 µs, twice a whole small `grad`; bench/NOTES.md §17). A
   * pullback run before that (the common `vjp(f, x)[1](yBar)`) reads the buffers as they are.
   * Each `backward` of a packed tape copies the records into pooled buffers for the run.
   */
  keep(): void {
    const n = this.nodeCount
    const c = this.count
    if (this.released || this.packed !== undefined || this.lent || n + c > PACK_LIMIT) return
    this.lent = true
    lend(this)
  }

  /** Packs a lent tape and gives its buffers back to the pool (see `keep`). */
  evict(): void {
    if (!this.lent || this.running > 0) return
    this.lent = false
    const b = this.buffers()
    this.packed = pack(b, this.nodeCount, this.count)
    returnBuffers(b)
    this.adopt(RELEASED)
  }

  /** Number of records on the tape. */
  get length(): number {
    return this.count
  }

  /** A fresh input node for `primal`. */
  input(primal: Val): Node {
    // its own allocation sites: inputs live long, intermediate nodes die young, and V8 decides
    // per site whether to allocate straight into the old generation
    return typeof primal === 'number'
      ? new ScalarNode(this, this.nodeId(primal, 1))
      : new BoxedNode(this, primal, this.nodeId(0, 0))
  }

  /** The primal of a scalar node; its tape must not have been released. */
  scalarPrimal(id: number): number {
    if (this.released) escaped(this, 'value')
    const packed = this.packed
    return packed === undefined ? this.values[id]! : packed.floats[id]!
  }

  private nodeId(value: number, numeric: number): number {
    const id = this.nodeCount++
    if (id === this.values.length) {
      this.values = grow64(this.values)
      this.numeric = grow8(this.numeric)
    }
    this.values[id] = value
    this.numeric[id] = numeric
    return id
  }

  /** Index of a new record, growing the record arrays when full. */
  private record(): number {
    const r = this.count++
    if (r === this.kind.length) {
      this.kind = grow8(this.kind)
      this.outId = grow32(this.outId)
      this.in0 = grow32(this.in0)
      this.in1 = grow32(this.in1)
      this.p0 = grow64(this.p0)
      this.p1 = grow64(this.p1)
    }
    return r
  }

  private pushNumeric(
    p: Primitive,
    y: number,
    i0: number,
    d0: number,
    i1: number,
    d1: number,
  ): Node {
    const node = new ScalarNode(this, this.nodeId(y, 1))
    const r = this.record()
    if (debugState.on) this.debugNames[r] = p.name
    this.kind[r] = NUMERIC
    this.outId[r] = node.id
    this.in0[r] = i0
    this.p0[r] = d0
    this.in1[r] = i1
    this.p1[r] = d1
    return node
  }

  private pushGeneral(
    p: Primitive,
    params: unknown,
    primals: Val[],
    out: Val,
    ins: number[],
  ): Node {
    const node =
      typeof out === 'number'
        ? new ScalarNode(this, this.nodeId(out, 1))
        : new BoxedNode(this, out, this.nodeId(0, 0))
    const r = this.record()
    this.kind[r] = GENERAL
    this.outId[r] = node.id
    this.general[r] = { p, params, primals, out, ins }
    return node
  }

  private mine(v: Val): v is Node {
    return v instanceof Node && v.interp === this
  }

  process1(p: Primitive, x: Val, params: unknown): Val {
    if (!this.alive) escaped(this, p.name)
    const node = x as Node
    const scalar = p.scalar1
    // fast path: a plain-number primal read straight from the tape
    if (node instanceof ScalarNode && scalar !== undefined) {
      const px = this.values[node.id]!
      const y = scalar(px)
      if (debugState.on) checkFinite(y, p.name, [[]])
      if (p.zeroDerivative) return y
      const d = p.partial1 === undefined ? undefined : p.partial1(px, y)
      // a zero partial is no edge: zero annihilates even an infinite or NaN cotangent
      if (typeof d === 'number') return this.pushNumeric(p, y, d === 0 ? -1 : node.id, d, -1, 0)
    }
    const px = node.primal
    const out = bind1(p, px, params)
    if (p.zeroDerivative) return out
    if (p.partial1 !== undefined) {
      const staged = this.pushPartials(p, px, 0, out, node.id, -1)
      if (staged !== undefined) return staged
    }
    return packable(out)
      ? this.pushOp(UNARY, p, params, px, 0, out, node.id, -1)
      : this.pushGeneral(p, params, [px], out, [node.id])
  }

  process2(p: Primitive, a: Val, b: Val, params: unknown): Val {
    if (!this.alive) escaped(this, p.name)
    const scalar = p.scalar2
    if (scalar !== undefined) {
      // fast path: each argument a plain number or a scalar node of this tape
      const ia = a instanceof ScalarNode && a.interp === this ? a.id : -1
      const ib = b instanceof ScalarNode && b.interp === this ? b.id : -1
      const pa = ia >= 0 ? this.values[ia]! : a
      const pb = ib >= 0 ? this.values[ib]! : b
      if (typeof pa === 'number' && typeof pb === 'number') {
        const y = scalar(pa, pb)
        if (debugState.on) checkFinite(y, p.name, [[], []])
        const partials = p.partials2
        if (p.zeroDerivative || partials === undefined) return y
        const d0 = ia >= 0 ? partials[0](pa, pb, y) : 0
        const d1 = ib >= 0 ? partials[1](pa, pb, y) : 0
        if (typeof d0 === 'number' && typeof d1 === 'number') {
          // a zero partial is no edge (zero annihilates), so the backward loop never sees it
          const i0 = d0 === 0 ? -1 : ia
          const i1 = d1 === 0 ? -1 : ib
          return i0 >= 0
            ? this.pushNumeric(p, y, i0, d0, i1, d1)
            : this.pushNumeric(p, y, i1, d1, -1, 0)
        }
      }
    }
    const aMine = this.mine(a)
    const bMine = this.mine(b)
    const pa = aMine ? a.primal : a
    const pb = bMine ? b.primal : b
    const out = bind2(p, pa, pb, params)
    if (p.zeroDerivative) return out
    const i0 = aMine ? a.id : -1
    const i1 = bMine ? b.id : -1
    if (p.jvpFromPartials !== undefined) {
      const staged = this.pushPartials(p, pa, pb, out, i0, i1)
      if (staged !== undefined) return staged
    }
    return packable(out)
      ? this.pushOp(BINARY, p, params, pa, pb, out, i0, i1)
      : this.pushGeneral(p, params, [pa, pb], out, [i0, i1])
  }

  /** A general record of one or two operands (`UNARY` or `BINARY`), with no record object. */
  private pushOp(
    k: number,
    p: Primitive,
    params: unknown,
    a: Val,
    b: Val,
    out: Val,
    i0: number,
    i1: number,
  ): Node {
    const node =
      typeof out === 'number'
        ? new ScalarNode(this, this.nodeId(out, 1))
        : new BoxedNode(this, out, this.nodeId(0, 0))
    const r = this.record()
    this.kind[r] = k
    this.outId[r] = node.id
    this.in0[r] = i0
    this.in1[r] = i1
    this.records ??= takeRecords()
    this.p0[r] = this.records.push(p, params, a, k === BINARY ? b : 0, out)
    return node
  }

  /**
   * Under `jit(grad(f))`, the record of a scalar op on staged numbers whose `vjp` rule is
   * `safeMul(ȳ, ∂ᵢ)` per argument (`partial1`; `partials2` of `'products'`, see
   * `Primitive.jvpFromPartials`) or ±ȳ (`'linear'`: `add`, `sub`). As eager reverse mode does
   * with numbers, the partials are taken in the forward pass — staged, the same equations the
   * rule would stage — and kept as handles, so the backward pass stages only the products: no
   * rule call, argument arrays, or primals made into staged values again. Undefined (and the
   * general record instead) for any other output, or with `debugNans` on.
   */
  private pushPartials(p: Primitive, a: Val, b: Val, out: Val, i0: number, i1: number) {
    if (debugState.on || !(out instanceof Tracer)) return undefined
    const s = out.interp
    // a staged number (so every operand is a number too, and unbroadcast is the identity)
    if (s.pack === undefined || (this.stager !== undefined && this.stager !== s)) return undefined
    if (s.pack(out) < 0) return undefined
    this.stager = s
    let d0: Val = 0
    let d1: Val = 0
    let k = STAGED
    const partials = p.partials2
    if (partials === undefined) d0 = p.partial1!(a, out)
    else if (p.jvpFromPartials === 'linear') {
      k |= LINEAR
      d0 = partials[0](a, b, out)
      d1 = partials[1](a, b, out)
    } else {
      if (i0 >= 0) d0 = partials[0](a, b, out)
      if (i1 >= 0) d1 = partials[1](a, b, out)
    }
    if (typeof d0 !== 'number') {
      const h = d0 instanceof Tracer ? s.pack(d0) : -1
      if (h < 0) return undefined
      d0 = h
      k |= HANDLE0
    }
    if (typeof d1 !== 'number') {
      const h = d1 instanceof Tracer ? s.pack(d1) : -1
      if (h < 0) return undefined
      d1 = h
      k |= HANDLE1
    }
    const node = new BoxedNode(this, out, this.nodeId(0, 0))
    const r = this.record()
    this.kind[r] = k
    this.outId[r] = node.id
    this.in0[r] = i0
    this.in1[r] = i1
    this.p0[r] = d0
    this.p1[r] = d1
    return node
  }

  processCustom(rule: CustomRule, args: readonly Val[]): Val[] {
    if (!this.alive) escaped(this, rule.name)
    return runCustom(this, rule, args, () => {
      const primals = args.map((a) => (this.mine(a) ? a.primal : a))
      const ins = args.map((a) => (this.mine(a) ? a.id : -1))
      const [outs, pullback] = rule.vjp(primals)
      // a run that met closed-over tracers is dropped for the converted rule's: no record
      if (dropping()) return outs
      const nodes = outs.map((y) =>
        typeof y === 'number'
          ? new ScalarNode(this, this.nodeId(y, 1))
          : new BoxedNode(this, y, this.nodeId(0, 0)),
      )
      const r = this.record()
      this.kind[r] = CUSTOM
      this.outId[r] = -1
      this.general[r] = {
        custom: pullback,
        name: rule.name,
        ins,
        outs: nodes.map((n) => n.id),
      }
      return nodes
    })
  }

  processN(p: Primitive, args: readonly Val[], params: unknown): Val {
    if (!this.alive) escaped(this, p.name)
    const primals = args.map((a) => (this.mine(a) ? a.primal : a))
    const out = bindN(p, primals, params)
    if (p.zeroDerivative) return out
    return this.pushGeneral(
      p,
      params,
      primals,
      out,
      args.map((a) => (this.mine(a) ? a.id : -1)),
    )
  }

  /**
   * Runs the tape backwards from cotangents `bars` of nodes `outs`, returning the cotangent of
   * each node in `wanted` (`null` where none arrived). With `consume`, each record is released
   * as the loop passes it and the tape cannot run again.
   */
  backward(
    outs: readonly number[],
    bars: readonly Val[],
    wanted: readonly number[],
    consume: boolean,
  ): MaybeZero[] {
    // a packed tape runs on pooled buffers of its own for this run (a re-entrant run takes others)
    const packed = this.packed
    const b = packed === undefined ? undefined : unpack(packed, this.nodeCount, this.count)
    // a lent tape runs on its own buffers: the pool must not claim them meanwhile
    const lent = this.lent
    if (lent) {
      unlend(this)
      this.running++
    }
    let { numeric, kind, outId, in0, in1, p0, p1 } = this
    if (b !== undefined) ({ numeric, kind, outId, in0, in1, p0, p1 } = b)
    const { ops, general, nodeCount } = this
    // a reused buffer when it fits (a fresh multi-megabyte array costs page faults to zero),
    // taken out while in use so that a re-entrant call cannot share it
    const spareBars = b === undefined ? this.bars : b.bars
    const numBar =
      spareBars.length >= nodeCount
        ? nodeCount <= 64
          ? zeroPrefix(spareBars, nodeCount)
          : spareBars.fill(0, 0, nodeCount)
        : new Float64Array(Math.max(nodeCount, numeric.length))
    if (b === undefined) this.bars = NO_BARS
    const bar = new Cotangents(numeric, numBar, nodeCount, ops)
    for (let i = 0; i < outs.length; i++) bar.add(outs[i]!, bars[i]!)

    const debug = debugState.on
    const pass = debugState.pass
    debugState.pass = 'backward'
    let result: MaybeZero[]
    try {
      for (let r = this.count - 1; r >= 0; r--) {
        const o = outId[r]!
        if (kind[r] === NUMERIC) {
          // xBar += yBar · ∂, skipped when yBar is 0; a zero ∂ has no edge (recorded as -1), so
          // 0 · ∞ never happens: zero annihilates in either factor
          const g = numBar[o]!
          if (g !== 0) {
            const i0 = in0[r]!
            const i1 = in1[r]!
            if (i0 >= 0) numBar[i0]! += g * p0[r]!
            if (i1 >= 0) numBar[i1]! += g * p1[r]!
            if (debug) {
              if (i0 >= 0) checkFinite(numBar[i0]!, this.debugNames[r] ?? 'a primitive', [[]])
              if (i1 >= 0) checkFinite(numBar[i1]!, this.debugNames[r] ?? 'a primitive', [[]])
            }
          }
          if (bar.traced) {
            const t = bar.objects[o]
            if (t !== undefined) {
              // a traced cotangent: an outer transformation differentiates this pullback
              bar.objects[o] = undefined
              if (in0[r]! >= 0) bar.add(in0[r]!, ops.safeMul(t, p0[r]!))
              if (in1[r]! >= 0) bar.add(in1[r]!, ops.safeMul(t, p1[r]!))
            }
          }
          continue
        }
        const k = kind[r]!
        if (k >= STAGED) {
          // what the rule computes: safeMul(ȳ, ∂ᵢ), or ±ȳ for a linear op
          const yBar = bar.take(o)
          if (yBar === null) continue
          const i0 = in0[r]!
          const i1 = in1[r]!
          if ((k & LINEAR) !== 0) {
            if (i0 >= 0) bar.add(i0, p0[r] === 1 ? yBar : ops.neg(yBar))
            if (i1 >= 0) bar.add(i1, p1[r] === 1 ? yBar : ops.neg(yBar))
            continue
          }
          const s = this.stager!
          if (i0 >= 0) {
            bar.add(i0, ops.safeMul(yBar, (k & HANDLE0) !== 0 ? s.unpack!(p0[r]!) : p0[r]!))
          }
          if (i1 >= 0) {
            bar.add(i1, ops.safeMul(yBar, (k & HANDLE1) !== 0 ? s.unpack!(p1[r]!) : p1[r]!))
          }
          continue
        }
        if (k === UNARY || k === BINARY) {
          const g = p0[r]!
          const records = this.records!
          const p = records.primitive(g)
          const params = records.params(g, consume)
          const a = records.get(g, 0, consume)
          const b = records.get(g, 1, consume)
          const out = records.get(g, 2, consume)
          const yBar = bar.take(o)
          if (yBar === null) continue
          const i0 = in0[r]!
          if (kind[r] === UNARY) {
            const xBars = p.vjp(yBar, [a], out, params, [i0 >= 0])
            if (i0 >= 0) bar.add(i0, xBars[0] ?? null)
            continue
          }
          const i1 = in1[r]!
          const xBars = p.vjp(yBar, [a, b], out, params, [i0 >= 0, i1 >= 0])
          if (i0 >= 0) bar.add(i0, xBars[0] ?? null)
          if (i1 >= 0) bar.add(i1, xBars[1] ?? null)
          continue
        }
        const entry = general[r]!
        if (consume) general[r] = undefined
        if (kind[r] === CUSTOM) {
          const rec = entry as CustomRecord
          const outBars = rec.outs.map((id) => bar.take(id))
          if (outBars.every((b) => b === null)) continue
          const xBars = rec.custom(outBars)
          for (let i = 0; i < rec.ins.length; i++) {
            const id = rec.ins[i]!
            if (id >= 0) bar.add(id, xBars[i] ?? null)
          }
          continue
        }
        const rec = entry as GeneralRecord
        const yBar = bar.take(o)
        if (yBar === null) continue
        const needs = rec.ins.map((id) => id >= 0)
        const xBars = rec.p.vjp(yBar, rec.primals, rec.out, rec.params, needs)
        for (let i = 0; i < rec.ins.length; i++) {
          const id = rec.ins[i]!
          if (id >= 0) bar.add(id, xBars[i] ?? null)
        }
      }
      result = new Array<MaybeZero>(wanted.length)
      for (let i = 0; i < wanted.length; i++) result[i] = bar.take(wanted[i]!)
    } finally {
      debugState.pass = pass
      // a packed tape's run hands its buffers back, even when a rule threw
      if (b !== undefined) returnBuffers(numBar === b.bars ? b : { ...b, bars: numBar })
      if (lent && --this.running === 0 && !consume) lend(this)
    }
    if (b === undefined) this.bars = numBar
    if (consume) this.release()
    return result
  }

  /** Drops the records and hands the buffers on: the tape cannot run again. */
  private release(): void {
    this.released = true
    this.general = []
    if (this.records !== undefined) returnRecords(this.records)
    this.records = undefined
    this.debugNames = []
    this.count = 0
    unlend(this)
    this.lent = false
    // a packed tape's buffers are already back in the pool
    if (this.packed === undefined) returnBuffers(this.buffers())
    this.packed = undefined
    this.adopt(RELEASED)
  }

  /** This tape's buffers. */
  private buffers(): Buffers {
    return {
      values: this.values,
      numeric: this.numeric,
      kind: this.kind,
      outId: this.outId,
      in0: this.in0,
      in1: this.in1,
      p0: this.p0,
      p1: this.p1,
      bars: this.bars,
    }
  }

  /** Takes `b` as this tape's buffers. */
  private adopt(b: Buffers): void {
    this.values = b.values
    this.numeric = b.numeric
    this.kind = b.kind
    this.outId = b.outId
    this.in0 = b.in0
    this.in1 = b.in1
    this.p0 = b.p0
    this.p1 = b.p1
    this.bars = b.bars
  }
}

/** `a` with its first `n` entries zeroed: a loop, cheaper than `fill` on a short prefix. */
const zeroPrefix = (a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> => {
  for (let i = 0; i < n; i++) a[i] = 0
  return a
}
