/**
 * Batching (`vmap`): a `Batched` value carries one extra leading axis — the batch — that user
 * code never sees: its `shape` is the shape of one example. Each primitive's `batch` rule says
 * how to apply it to arguments of which some carry the batch axis.
 * @module
 */
import type { Shape } from '../tensor/shape.ts'
import { type CustomRule, runCustom } from './custom.ts'
import type { Primitive } from './primitive.ts'
import {
  closeLevel,
  escaped,
  type Interpreter,
  linkPrototype,
  openLevel,
  shapeOf,
  Tracer,
  type Val,
} from './tracer.ts'

/** A value batched by one `vmap` interpreter; `primal` holds the whole batch (axis 0). */
export interface Batched extends Tracer {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface types the members inherited through linkPrototype
export class Batched {
  readonly interp: BatchInterpreter
  /** The whole batch: one more leading axis than the example. */
  readonly primal: Val

  constructor(interp: BatchInterpreter, primal: Val) {
    this.interp = interp
    this.primal = primal
  }

  get wholeBatch(): boolean {
    return true
  }

  /** The shape of one example (the batch axis dropped). */
  get shape(): Shape {
    return shapeOf(this.primal).slice(1)
  }
}
linkPrototype(Batched, Tracer)

/** The batching interpreter: one per `vmap` call, for a batch of `size` examples. */
export class BatchInterpreter implements Interpreter {
  readonly level: number
  readonly transformation: string
  readonly size: number
  alive = true

  constructor(transformation: string, size: number) {
    this.transformation = transformation
    this.size = size
    this.level = openLevel()
  }

  /** Ends the transformation: its values become dead. */
  close(): void {
    this.alive = false
    closeLevel()
  }

  /** Wraps a whole batch (leading axis `size`). */
  wrap(batch: Val): Batched {
    return new Batched(this, batch)
  }

  /** The whole batch behind `v`, or `undefined` when `v` is not batched by this interpreter. */
  batchOf(v: Val): Val | undefined {
    return v instanceof Batched && v.interp === this ? v.primal : undefined
  }

  process1(p: Primitive, x: Val, params: unknown): Val {
    return this.processN(p, [x], params)
  }

  process2(p: Primitive, a: Val, b: Val, params: unknown): Val {
    return this.processN(p, [a, b], params)
  }

  processCustom(rule: CustomRule, args: readonly Val[]): Val[] {
    if (!this.alive) escaped(this, rule.name)
    return runCustom(this, rule, args, () => {
      const batched = args.map((a) => this.batchOf(a) !== undefined)
      const values = args.map((a) => this.batchOf(a) ?? a)
      if (rule.batchSome === undefined) {
        return rule.batch(values, batched, this.size).map((v) => new Batched(this, v))
      }
      const some = rule.batchSome(values, batched, this.size)
      return some.outs.map((v, i) => (some.batched[i] ? new Batched(this, v) : v))
    })
  }

  processN(p: Primitive, args: readonly Val[], params: unknown): Val {
    if (!this.alive) escaped(this, p.name)
    const batched = args.map((a) => this.batchOf(a) !== undefined)
    const values = args.map((a) => this.batchOf(a) ?? a)
    return new Batched(this, p.batch(values, batched, params, this.size))
  }
}
