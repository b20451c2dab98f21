/**
 * Reverse mode: each primitive application pushes its pullback continuation onto an explicit
 * stack (the tape), in execution order; `backward` runs the stack from the top with a loop, so
 * program depth never costs JS stack frames.
 *
 * Continuations are defunctionalized. Where every value is a plain number, a record is five
 * numbers in typed arrays — output node, input nodes, and the numeric partials — and running it
 * is `xBar += yBar · ∂`. Otherwise a record keeps the primitive, its params and primals, and
 * running it calls the primitive's `vjp` rule, written in fluxion ops (so nested transformations
 * see it). Cotangents accumulate at fan-out; symbolic zeros (never-reached nodes, exact-zero
 * numeric cotangents) are skipped, which also keeps `0 · ∞` out of the result.
 * @module
 */
import { Tensor } from '../tensor/tensor.ts'
import { bind1, bind2, bindN } from './bind.ts'
import type { MaybeZero, Primitive } from './primitive.ts'
import { closeLevel, escaped, type Interpreter, openLevel, Tracer, type Val } from './tracer.ts'

/** The ops the tape needs on cotangents, passed in so `core` does not import `primitives`. */
export interface CotangentOps {
  /** Sum of two cotangents (broadcasting numbers against rank-0 tensors). */
  add(a: Val, b: Val): Val
  /** Zero-preserving product: 0 where `yBar` is 0, else `yBar · partial`. */
  safeMul(yBar: Val, partial: Val): Val
}

/** A value traced by a reverse-mode interpreter: a node of its tape. */
export class Node extends Tracer {
  readonly interp: VjpInterpreter
  readonly primal: Val
  /** Index of this node's cotangent slot. */
  readonly id: number

  constructor(interp: VjpInterpreter, primal: Val, id: number) {
    super()
    this.interp = interp
    this.primal = primal
    this.id = id
  }
}

/** A record that is not all-numbers: the primitive's own `vjp` rule runs it. */
interface GeneralRecord {
  readonly p: Primitive
  readonly params: unknown
  readonly primals: readonly Val[]
  readonly out: Val
  /** Input node ids, -1 for inputs that are constants to this interpreter. */
  readonly ins: readonly number[]
}

const NUMERIC = 1
const GENERAL = 2

/** The typed arrays of a tape. */
interface Buffers {
  numericNode: Uint8Array<ArrayBuffer>
  kind: Uint8Array<ArrayBuffer>
  outId: Int32Array<ArrayBuffer>
  in0: Int32Array<ArrayBuffer>
  in1: Int32Array<ArrayBuffer>
  p0: Float64Array<ArrayBuffer>
  p1: Float64Array<ArrayBuffer>
}

const allocate = (n: number): Buffers => ({
  numericNode: new Uint8Array(n),
  kind: new Uint8Array(n),
  outId: new Int32Array(n),
  in0: new Int32Array(n),
  in1: new Int32Array(n),
  p0: new Float64Array(n),
  p1: new Float64Array(n),
})

/**
 * One set of tape buffers kept between transformations: a `grad` that consumed its tape hands
 * them to the next one, so repeated gradients neither regrow nor reallocate them. (They hold
 * only stale numbers: nothing a transformation recorded stays reachable through them.)
 */
let spare: Buffers | undefined

/** The reverse-mode interpreter: one per `vjp`/`grad` call. */
export class VjpInterpreter implements Interpreter {
  readonly level: number
  readonly transformation: string
  alive = true
  private readonly ops: CotangentOps

  private nodeCount = 0
  // records: the stack of continuations
  private count = 0
  private buf: Buffers
  private general: (GeneralRecord | undefined)[] = []

  constructor(transformation: string, ops: CotangentOps) {
    this.transformation = transformation
    this.ops = ops
    this.buf = spare ?? allocate(1024)
    spare = undefined
    this.level = openLevel()
  }

  /** Ends the forward pass: this interpreter's nodes become dead; the tape stays runnable. */
  close(): void {
    this.alive = false
    closeLevel()
  }

  /** Number of records on the tape. */
  get length(): number {
    return this.count
  }

  /** A fresh input node for `primal`. */
  input(primal: Val): Node {
    return this.newNode(primal)
  }

  private newNode(primal: Val): Node {
    const id = this.nodeCount++
    const b = this.buf
    if (id === b.numericNode.length) b.numericNode = grow8(b.numericNode)
    b.numericNode[id] = typeof primal === 'number' ? 1 : 0
    return new Node(this, primal, id)
  }

  /** The buffers, grown if the next record would not fit. */
  private reserve(): Buffers {
    const b = this.buf
    if (this.count === b.kind.length) {
      b.kind = grow8(b.kind)
      b.outId = grow32(b.outId)
      b.in0 = grow32(b.in0)
      b.in1 = grow32(b.in1)
      b.p0 = grow64(b.p0)
      b.p1 = grow64(b.p1)
    }
    return b
  }

  private pushNumeric(y: number, i0: number, d0: number, i1: number, d1: number): Node {
    const node = this.newNode(y)
    const b = this.reserve()
    const r = this.count++
    b.kind[r] = NUMERIC
    b.outId[r] = node.id
    b.in0[r] = i0
    b.p0[r] = d0
    b.in1[r] = i1
    b.p1[r] = d1
    return node
  }

  private pushGeneral(
    p: Primitive,
    params: unknown,
    primals: Val[],
    out: Val,
    ins: number[],
  ): Node {
    const node = this.newNode(out)
    const b = this.reserve()
    const r = this.count++
    b.kind[r] = GENERAL
    b.outId[r] = node.id
    this.general[r] = { p, params, primals, out, ins }
    return node
  }

  private mine(v: Val): v is Node {
    return v instanceof Node && v.interp === this
  }

  process1(p: Primitive, x: Val, params: unknown): Val {
    if (!this.alive) escaped(this, p.name)
    const node = x as Node
    const px = node.primal
    if (typeof px === 'number' && p.scalar1 !== undefined) {
      const y = p.scalar1(px)
      if (p.zeroDerivative) return y
      const d = p.partial1 === undefined ? undefined : p.partial1(px, y)
      if (typeof d === 'number') return this.pushNumeric(y, node.id, d, -1, 0)
    }
    const out = bind1(p, px, params)
    if (p.zeroDerivative) return out
    return this.pushGeneral(p, params, [px], out, [node.id])
  }

  process2(p: Primitive, a: Val, b: Val, params: unknown): Val {
    if (!this.alive) escaped(this, p.name)
    const aMine = this.mine(a)
    const bMine = this.mine(b)
    const pa = aMine ? a.primal : a
    const pb = bMine ? b.primal : b
    if (typeof pa === 'number' && typeof pb === 'number' && p.scalar2 !== undefined) {
      const y = p.scalar2(pa, pb)
      if (p.zeroDerivative) return y
      const partials = p.partials2
      if (partials !== undefined) {
        const d0 = aMine ? partials[0](pa, pb, y) : 0
        const d1 = bMine ? partials[1](pa, pb, y) : 0
        if (typeof d0 === 'number' && typeof d1 === 'number') {
          return aMine
            ? this.pushNumeric(y, a.id, d0, bMine ? b.id : -1, d1)
            : this.pushNumeric(y, bMine ? b.id : -1, d1, -1, 0)
        }
      }
    }
    const out = bind2(p, pa, pb, params)
    if (p.zeroDerivative) return out
    return this.pushGeneral(p, params, [pa, pb], out, [aMine ? a.id : -1, bMine ? b.id : -1])
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
   * as the loop passes it (the tape cannot run again).
   */
  backward(
    outs: readonly number[],
    bars: readonly Val[],
    wanted: readonly number[],
    consume: boolean,
  ): MaybeZero[] {
    const numBar = new Float64Array(this.nodeCount)
    // traced or tensor cotangents; most scalar tapes never use it
    const objBar: (Val | undefined)[] = []
    let traced = false
    const { ops, general } = this
    const { numericNode, kind, outId, in0, in1, p0, p1 } = this.buf
    const accumulate = (id: number, v: MaybeZero): void => {
      if (v === null) return
      if (numericNode[id] === 1) {
        if (typeof v === 'number') {
          numBar[id]! += v
          return
        }
        if (v instanceof Tensor) {
          numBar[id]! += v.item()
          return
        }
      }
      const prev = objBar[id]
      objBar[id] = prev === undefined ? v : ops.add(prev, v)
      traced = true
    }
    const cotangentOf = (id: number): MaybeZero => {
      const o = traced ? objBar[id] : undefined
      if (o !== undefined) objBar[id] = undefined
      if (numericNode[id] === 1) {
        const g = numBar[id]!
        if (o === undefined) return g === 0 ? null : g
        return g === 0 ? o : ops.add(o, g)
      }
      return o ?? null
    }
    for (let i = 0; i < outs.length; i++) accumulate(outs[i]!, bars[i]!)

    for (let r = this.count - 1; r >= 0; r--) {
      const o = outId[r]!
      if (kind[r] === NUMERIC) {
        // xBar += yBar · ∂, skipped when yBar is 0 (zero-preserving: 0 · ∞ never happens)
        const g = numBar[o]!
        if (g !== 0) {
          const i0 = in0[r]!
          const i1 = in1[r]!
          if (i0 >= 0) numBar[i0]! += g * p0[r]!
          if (i1 >= 0) numBar[i1]! += g * p1[r]!
        }
        if (traced) {
          const t = objBar[o]
          if (t !== undefined) {
            // a traced cotangent: an outer transformation differentiates this pullback
            objBar[o] = undefined
            if (in0[r]! >= 0) accumulate(in0[r]!, ops.safeMul(t, p0[r]!))
            if (in1[r]! >= 0) accumulate(in1[r]!, ops.safeMul(t, p1[r]!))
          }
        }
        continue
      }
      const rec = general[r]!
      if (consume) general[r] = undefined
      const yBar = cotangentOf(o)
      if (yBar === null) continue
      const needs = rec.ins.map((id) => id >= 0)
      const xBars = rec.p.vjp(yBar, rec.primals, rec.out, rec.params, needs)
      for (let i = 0; i < rec.ins.length; i++) {
        const id = rec.ins[i]!
        if (id >= 0) accumulate(id, xBars[i] ?? null)
      }
    }
    const result = wanted.map((id) => cotangentOf(id))
    if (consume) this.release()
    return result
  }

  /** Drops the records and hands the buffers on: the tape cannot run again. */
  private release(): void {
    this.general = []
    this.count = 0
    if (spare === undefined || spare.kind.length < this.buf.kind.length) spare = this.buf
    this.buf = allocate(1)
  }
}

const grow8 = (a: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> => {
  const b = new Uint8Array(a.length * 2)
  b.set(a)
  return b
}
const grow32 = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
  const b = new Int32Array(a.length * 2)
  b.set(a)
  return b
}
const grow64 = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
  const b = new Float64Array(a.length * 2)
  b.set(a)
  return b
}
