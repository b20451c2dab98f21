/**
 * The cotangents of one backward pass of the tape (./tape.ts): plain numbers in a Float64Array
 * for nodes whose primal is a number, any other value (a traced or tensor cotangent) in an
 * array made at the first one. A class, not closures made per pass: optimized code expects at
 * a closure's call site the closure it met, and every later pass brought new ones ("wrong call
 * target"), deoptimizing the whole backward loop (bench/NOTES.md §25).
 * @module
 */
import { Tensor } from '../tensor/tensor.ts'
import { objectArray } from './elements.ts'
import type { MaybeZero } from './primitive.ts'
import type { CotangentOps } from './tape.ts'
import type { Val } from './tracer.ts'

/** The cotangent of every node of a tape during one backward pass. */
export class Cotangents {
  /**
   * Traced or tensor cotangents, by node; most scalar tapes never use it. Made one entry per
   * node at its first use: written from the highest node down, an empty array would turn into
   * a dictionary (a hash table, ~5× the memory and time per entry on a long traced tape).
   */
  readonly objects: (Val | undefined)[] = objectArray()
  /** Whether `objects` is in use. */
  traced = false
  /** Number cotangents, for nodes flagged in `numeric`. */
  readonly numbers: Float64Array
  private readonly numeric: Uint8Array
  private readonly nodes: number
  private readonly ops: CotangentOps

  constructor(numeric: Uint8Array, numbers: Float64Array, nodes: number, ops: CotangentOps) {
    this.numeric = numeric
    this.numbers = numbers
    this.nodes = nodes
    this.ops = ops
  }

  /** Adds `v` to node `id`'s cotangent (a symbolic zero, `null`, adds nothing). */
  add(id: number, v: MaybeZero): void {
    if (v === null) return
    if (this.numeric[id] === 1) {
      if (typeof v === 'number') {
        this.numbers[id]! += v
        return
      }
      if (v instanceof Tensor) {
        this.numbers[id]! += v.item()
        return
      }
    }
    const objects = this.objects
    if (!this.traced) {
      for (let k = 0; k < this.nodes; k++) objects.push(undefined)
      this.traced = true
    }
    const prev = objects[id]
    objects[id] = prev === undefined ? v : this.ops.add(prev, v)
  }

  /** Takes node `id`'s cotangent out (`null`: none arrived). */
  take(id: number): MaybeZero {
    const o = this.traced ? this.objects[id] : undefined
    if (o !== undefined) this.objects[id] = undefined
    if (this.numeric[id] === 1) {
      const g = this.numbers[id]!
      if (o === undefined) return g === 0 ? null : g
      return g === 0 ? o : this.ops.add(o, g)
    }
    return o ?? null
  }
}
