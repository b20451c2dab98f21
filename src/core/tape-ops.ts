/**
 * The general records of one or two operands of a reverse-mode tape (src/core/tape.ts): their
 * primitive, params, operands and output, in typed arrays rather than an object per record.
 * Under `jit(grad(f))` every op of a scalar program is such a record (its primals are staged
 * values), millions for a long program: a record takes ~36 bytes here, no object, and no work
 * for the garbage collector's marking.
 *
 * A value is stored as a number (a plain-number primal), a handle (a tracer of the tape's
 * `packer`, see `Interpreter.pack`), or an index into a list of other values.
 * @module
 */

import { Tensor } from '../tensor/tensor.ts'
import { objectArray } from './elements.ts'
import type { Primitive } from './primitive.ts'
import type { Interpreter, Tracer, Val } from './tracer.ts'

const NUMBER = 0
const HANDLE = 1
const OBJECT = 2

const room64 = (a: Float64Array<ArrayBuffer>, need: number): Float64Array<ArrayBuffer> => {
  if (need <= a.length) return a
  const b = new Float64Array(Math.max(need, a.length * 2))
  b.set(a)
  return b
}
const room32 = (a: Int32Array<ArrayBuffer>, need: number): Int32Array<ArrayBuffer> => {
  if (need <= a.length) return a
  const b = new Int32Array(Math.max(need, a.length * 2))
  b.set(a)
  return b
}

/** The records, by index `g` (dense, in order of recording). */
export class OpRecords {
  count = 0
  /**
   * Per record: the primitive's index in `prims`, and the params' in `paramList` (−1: none;
   * `param` is made at the first params).
   */
  private prim = new Int32Array(16)
  private param: Int32Array<ArrayBuffer> | undefined = undefined
  /** Per record, three values (a, b, out), and how each is stored (2 bits each). */
  private value = new Float64Array(48)
  private how = new Int32Array(16)
  private readonly prims: Primitive[] = objectArray()
  private readonly primIndex = new Map<Primitive, number>()
  private readonly paramList: unknown[] = objectArray()
  private readonly objects: Val[] = objectArray()

  /** Records the arrays have room for. */
  get capacity(): number {
    return this.prim.length
  }

  /** Forgets every record, keeping the arrays (for the next tape: see `takeRecords`). */
  reset(): void {
    this.count = 0
    this.paramList.length = 0
    this.objects.length = 0
    this.packer = undefined
  }
  /** The interpreter whose tracers are stored as handles: the first packing one met. */
  private packer: Interpreter | undefined = undefined

  /** Records `p(a, b) = out` (`b` ignored for a unary record); returns its index. */
  push(p: Primitive, params: unknown, a: Val, b: Val, out: Val): number {
    const g = this.count++
    if (g === this.prim.length) {
      this.prim = room32(this.prim, g + 1)
      if (this.param !== undefined) this.param = room32(this.param, this.prim.length)
      this.how = room32(this.how, this.prim.length)
      this.value = room64(this.value, 3 * this.prim.length)
    }
    let i = this.primIndex.get(p)
    if (i === undefined) {
      i = this.prims.push(p) - 1
      this.primIndex.set(p, i)
    }
    this.prim[g] = i
    if (params !== undefined) {
      this.param ??= new Int32Array(this.prim.length).fill(-1)
      this.param[g] = this.paramList.push(params) - 1
    } else if (this.param !== undefined) this.param[g] = -1
    this.how[g] =
      this.store(3 * g, a) | (this.store(3 * g + 1, b) << 2) | (this.store(3 * g + 2, out) << 4)
    return g
  }

  /** Stores `v` at `at` of `value`; returns how. */
  private store(at: number, v: Val): number {
    if (typeof v === 'number') {
      this.value[at] = v
      return NUMBER
    }
    const h = v instanceof Tensor ? -1 : this.handleOf(v)
    if (h >= 0) {
      this.value[at] = h
      return HANDLE
    }
    this.value[at] = this.objects.push(v) - 1
    return OBJECT
  }

  /** `v`'s handle if its interpreter packs it (and is this tape's packer), else −1. */
  private handleOf(v: Val): number {
    const interp = (v as Partial<Tracer>).interp
    if (interp?.pack === undefined) return -1
    if (this.packer === undefined) this.packer = interp
    else if (this.packer !== interp) return -1
    return interp.pack(v as Tracer)
  }

  /** Value `k` (0: a, 1: b, 2: out) of record `g`; with `release`, its object is let go. */
  get(g: number, k: number, release: boolean): Val {
    const at = 3 * g + k
    const x = this.value[at]!
    const how = (this.how[g]! >> (2 * k)) & 3
    if (how === NUMBER) return x
    if (how === HANDLE) return this.packer!.unpack!(x)
    const v = this.objects[x]!
    if (release) this.objects[x] = 0
    return v
  }

  primitive(g: number): Primitive {
    return this.prims[this.prim[g]!]!
  }

  params(g: number, release: boolean): unknown {
    const i = this.param === undefined ? -1 : this.param[g]!
    if (i < 0) return undefined
    const params = this.paramList[i]
    if (release) this.paramList[i] = undefined
    return params
  }
}

/**
 * One set of records kept between tapes, as the tape's buffers are (./tape-buffers.ts): a small
 * gradient would otherwise allocate its arrays on every call. Only a set of at most
 * `MAX_SPARE` records is kept, so a long trace's records do not stay allocated after it.
 */
let spare: OpRecords | undefined
const MAX_SPARE = 1 << 16

/** Records for a new tape: the spare set if there is one. */
export const takeRecords = (): OpRecords => {
  const r = spare ?? new OpRecords()
  spare = undefined
  return r
}

/** Gives a finished tape's records back (kept if small enough). */
export const returnRecords = (r: OpRecords): void => {
  if (r.capacity > MAX_SPARE) return
  r.reset()
  spare = r
}
