/**
 * Forward mode: dual numbers. A `Dual` carries a primal and a tangent (`null` = symbolic zero)
 * for one interpreter; each primitive's `jvp` rule maps input tangents to the output tangent.
 * @module
 */
import { bind1, bind2, bindN } from './bind.ts'
import { bindCustom, type CustomRule, runCustom } from './custom.ts'
import type { MaybeZero, Primitive } from './primitive.ts'
import {
  closeLevel,
  escaped,
  type Interpreter,
  linkPrototype,
  openLevel,
  Tracer,
  type Val,
} from './tracer.ts'

/** A dual number (primal, tangent) owned by one forward-mode interpreter. */
export interface Dual extends Tracer {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface types the members inherited through linkPrototype
export class Dual {
  readonly interp: JvpInterpreter
  readonly primal: Val
  /** The tangent, a value one level down; `null` when symbolically zero. */
  readonly tangent: MaybeZero

  constructor(interp: JvpInterpreter, primal: Val, tangent: MaybeZero) {
    this.interp = interp
    this.primal = primal
    this.tangent = tangent
  }
}
linkPrototype(Dual, Tracer)

/** The forward-mode interpreter: one per `jvp` call (and per forward pass of its users). */
export class JvpInterpreter implements Interpreter {
  readonly level: number
  readonly transformation: string
  alive = true

  constructor(transformation: string) {
    this.transformation = transformation
    this.level = openLevel()
  }

  /** Ends the transformation: its duals become dead. */
  close(): void {
    this.alive = false
    closeLevel()
  }

  /** A dual of this interpreter, or `primal` itself when the tangent is zero. */
  lift(primal: Val, tangent: MaybeZero): Val {
    return tangent === null ? primal : new Dual(this, primal, tangent)
  }

  /** Splits a value into (primal, tangent) as seen by this interpreter. */
  primalOf(v: Val): Val {
    return v instanceof Dual && v.interp === this ? v.primal : v
  }
  tangentOf(v: Val): MaybeZero {
    return v instanceof Dual && v.interp === this ? v.tangent : null
  }

  process1(p: Primitive, x: Val, params: unknown): Val {
    if (!this.alive) escaped(this, p.name)
    const primal = (x as Dual).primal
    const out = bind1(p, primal, params)
    if (p.zeroDerivative) return out
    return this.lift(out, p.jvp([primal], [(x as Dual).tangent], out, params))
  }

  process2(p: Primitive, a: Val, b: Val, params: unknown): Val {
    if (!this.alive) escaped(this, p.name)
    const pa = this.primalOf(a)
    const pb = this.primalOf(b)
    const out = bind2(p, pa, pb, params)
    if (p.zeroDerivative) return out
    return this.lift(out, p.jvp([pa, pb], [this.tangentOf(a), this.tangentOf(b)], out, params))
  }

  processCustom(rule: CustomRule, args: readonly Val[]): Val[] {
    if (!this.alive) escaped(this, rule.name)
    return runCustom(this, rule, args, () => {
      const primals = args.map((a) => this.primalOf(a))
      const tangents = args.map((a) => this.tangentOf(a))
      if (tangents.every((t) => t === null)) return bindCustom(rule, primals)
      const [outs, outDots] = rule.jvp(primals, tangents)
      return outs.map((y, i) => this.lift(y, outDots[i] ?? null))
    })
  }

  processN(p: Primitive, args: readonly Val[], params: unknown): Val {
    if (!this.alive) escaped(this, p.name)
    const primals = args.map((a) => this.primalOf(a))
    const out = bindN(p, primals, params)
    if (p.zeroDerivative) return out
    const tangents = args.map((a) => this.tangentOf(a))
    return this.lift(out, p.jvp(primals, tangents, out, params))
  }
}
