/**
 * A staged program's equations and variables in typed arrays (struct of arrays), the form the
 * staging interpreter records and the passes read: per equation an operation index, a params
 * index (once any equation has params), its operands in a flat list and its result; per
 * variable an index into a table of kinds and shapes (once any variable is a tensor). About 15
 * bytes per equation of a scalar program, where an object per equation (with its operand array)
 * took ~140: on a 10⁶-op scalar gradient (2·10⁶ equations), ~40 MB instead of ~290 MB. `Equation` objects (src/jit/ir.ts)
 * are made from it on demand, for printing, tests and small programs.
 * @module
 */
import { objectArray } from '../core/elements.ts'
import type { Primitive } from '../core/primitive.ts'
import { type Shape, shapesEqual } from '../tensor/shape.ts'
import type { DType } from '../tensor/tensor.ts'
import type { Equation, StructuredOp, VarInfo } from './ir.ts'

/** What is known of every plain-number variable (type 0 of every table). */
export const NUMBER_VAR: VarInfo = Object.freeze({ shape: Object.freeze([]), number: true })

/** How many operations `Table.opOf` compares before it looks in its Map. */
const FEW_OPS = 8

/** `a` with room for `need` entries (doubling), its first entries kept. */
const room = (a: Int32Array<ArrayBuffer>, need: number): Int32Array<ArrayBuffer> => {
  if (need <= a.length) return a
  const b = new Int32Array(Math.max(need, a.length * 2))
  b.set(a)
  return b
}

/** A growable list of int32 (a chain's equations: millions for a long scalar program). */
export class IntList {
  data = new Int32Array(8)
  length = 0
  push(v: number): void {
    if (this.length === this.data.length) this.data = room(this.data, this.length + 1)
    this.data[this.length++] = v
  }
  /** The entries, as an array (for short lists). */
  toArray(): number[] {
    return Array.from(this.data.subarray(0, this.length))
  }
}

/**
 * The equations and variables of one program, appended to while it is traced and read-only
 * after. Equation `k` applies `ops[op[k]]` (with params `params[param[k]]`, undefined where
 * `param` is undefined or `param[k]` is −1) to variables `ins[insStart[k] … insStart[k + 1])`,
 * defining variable `out[k]` (a structured equation: `outsOf(k)`, −1 in `out` if none);
 * variable `v` is of kind `types[type[v]]` (type 0, and every variable while `type` is
 * undefined: a plain number).
 */
export class Table {
  varCount = 0
  type: Int32Array<ArrayBuffer> | undefined = undefined
  readonly types: VarInfo[] = [NUMBER_VAR]
  count = 0
  op = new Int32Array(64)
  param: Int32Array<ArrayBuffer> | undefined = undefined
  insStart = new Int32Array(65)
  ins = new Int32Array(128)
  out = new Int32Array(64)
  /** The results of structured equations, by equation (their first is in `out` too). */
  private readonly structuredOuts = new Map<number, number[]>()
  /** The operations, by index; `structured[i]` says `ops[i]` is a `StructuredOp`. */
  readonly ops: (Primitive | StructuredOp)[] = objectArray()
  readonly structured: boolean[] = objectArray()
  readonly params: unknown[] = objectArray()
  private insEnd = 0
  private results: number[] | undefined = undefined
  private readonly opIndex = new Map<Primitive | StructuredOp, number>()
  private readonly typeIndex = new Map<string, number>()
  private lastShape: Shape = []
  private lastDtype: DType = 'float64'
  private lastType = -1

  /** A new variable of `value`'s kind, shape and dtype; returns its number. */
  addVar(value: number | { readonly shape: Shape; readonly dtype: DType }): number {
    const v = this.varCount++
    if (typeof value === 'number') {
      if (this.type !== undefined) {
        if (v >= this.type.length) this.type = room(this.type, v + 1)
        this.type[v] = 0
      }
      return v
    }
    // the first tensor: every variable before it is a number (type 0)
    this.type = room(this.type ?? new Int32Array(64), v + 1)
    this.type[v] = this.typeOfShape(value.shape, value.dtype)
    return v
  }

  /** The type of variable `v`. */
  typeOf(v: number): number {
    return this.type === undefined ? 0 : this.type[v]!
  }

  /**
   * The type of tensors of `shape` and `dtype`: one per distinct pair (a chain's values share
   * one, so float32 and float64 values never share a loop).
   */
  private typeOfShape(shape: Shape, dtype: DType): number {
    if (
      this.lastType >= 0 &&
      dtype === this.lastDtype &&
      (shape === this.lastShape || shapesEqual(shape, this.lastShape))
    ) {
      return this.lastType
    }
    const key = dtype === 'float32' ? `f32 ${shape.join(',')}` : shape.join(',')
    let t = this.typeIndex.get(key)
    if (t === undefined) {
      const info: VarInfo =
        dtype === 'float32' ? { shape, number: false, dtype } : { shape, number: false }
      t = this.types.push(Object.freeze(info)) - 1
      this.typeIndex.set(key, t)
    }
    this.lastShape = shape
    this.lastDtype = dtype
    this.lastType = t
    return t
  }

  /** Starts equation `count` applying `op`; then `arg`, `result`, and `end`. */
  begin(op: Primitive | StructuredOp, params: unknown, structured: boolean): void {
    const k = this.count
    if (k === this.op.length) {
      this.op = room(this.op, k + 1)
      if (this.param !== undefined) this.param = room(this.param, this.op.length)
      this.insStart = room(this.insStart, this.op.length + 1)
      this.out = room(this.out, this.op.length)
    }
    this.op[k] = this.opOf(op, structured)
    if (params !== undefined) {
      // the first params: every equation before had none
      this.param ??= new Int32Array(this.op.length).fill(-1)
      this.param[k] = this.params.push(params) - 1
    } else if (this.param !== undefined) this.param[k] = -1
    this.out[k] = -1
  }
  /**
   * The index of `op` in `ops`, added at its first use. A program uses few operations, and a
   * compare over the first few is cheaper than the Map's lookup (records are frozen objects).
   */
  private opOf(op: Primitive | StructuredOp, structured: boolean): number {
    const ops = this.ops
    const n = Math.min(ops.length, FEW_OPS)
    for (let i = 0; i < n; i++) if (ops[i] === op) return i
    let i = this.opIndex.get(op)
    if (i === undefined) {
      i = ops.push(op) - 1
      this.structured.push(structured)
      this.opIndex.set(op, i)
    }
    return i
  }

  /** An operand of the equation begun. */
  arg(v: number): void {
    const n = this.insEnd++
    if (n === this.ins.length) this.ins = room(this.ins, n + 1)
    this.ins[n] = v
  }
  /** A result of the equation begun. */
  result(v: number): void {
    const k = this.count
    if (this.out[k] === -1) this.out[k] = v
    else {
      this.results ??= [this.out[k]!]
      this.results.push(v)
    }
  }
  /** Ends the equation begun. */
  end(): void {
    if (this.results !== undefined) this.structuredOuts.set(this.count, this.results)
    this.results = undefined
    const k = ++this.count
    this.insStart[k] = this.insEnd
  }
  /** Variable `v`'s kind and shape. */
  info(v: number): VarInfo {
    return this.types[this.typeOf(v)]!
  }
  /** Whether variable `v` is a plain number. */
  isNumber(v: number): boolean {
    return this.typeOf(v) === 0
  }
  /** Whether equation `k` is a structured one. */
  isStructured(k: number): boolean {
    return this.structured[this.op[k]!]!
  }
  /** The primitive of equation `k` (a primitive equation). */
  primitive(k: number): Primitive {
    return this.ops[this.op[k]!] as Primitive
  }
  /** The params of equation `k`. */
  paramsOf(k: number): unknown {
    const i = this.param === undefined ? -1 : this.param[k]!
    return i < 0 ? undefined : this.params[i]
  }
  /** The operands of equation `k`, as an array. */
  insOf(k: number): number[] {
    return Array.from(this.ins.subarray(this.insStart[k]!, this.insStart[k + 1]!))
  }
  /** The results of equation `k`, as an array. */
  outsOf(k: number): number[] {
    const more = this.structuredOuts.get(k)
    if (more !== undefined) return [...more]
    return this.out[k]! < 0 ? [] : [this.out[k]!]
  }
  /** Equation `k` as an object. */
  equation(k: number): Equation {
    const params = this.paramsOf(k)
    const ins = this.insOf(k)
    if (this.isStructured(k)) {
      const op = this.ops[this.op[k]!] as StructuredOp
      return { kind: 'structured', op, params, ins, outs: this.outsOf(k) }
    }
    return { kind: 'primitive', p: this.primitive(k), params, ins, out: this.out[k]! }
  }
}
