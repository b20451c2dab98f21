/**
 * Forward mode: dual numbers. A `Dual` carries a primal and a tangent (`null` = symbolic zero)
 * for one interpreter; each primitive's `jvp` rule maps input tangents to the output tangent.
 * @module
 */
import { bind1, bind2, bindN } from './bind.ts'
import { bindCustom, type CustomRule, runCustom } from './custom.ts'
import { debugState } from './debug.ts'
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
    const scalar = p.scalar1
    if (typeof primal === 'number' && scalar !== undefined && !debugState.on) {
      // fast path on plain numbers: the kernel's scalar, and the elementwise rule's own
      // arithmetic (ẏ = ẋ·∂, zero when either factor is; see `unary`), without the argument
      // arrays and shape checks of `bind` and `jvp`
      const y = scalar(primal)
      if (p.zeroDerivative) return y
      const xDot = (x as Dual).tangent
      const partial = p.partial1
      if (typeof xDot === 'number' && partial !== undefined) {
        const d = partial(primal, y)
        if (typeof d === 'number') return new Dual(this, y, xDot === 0 || d === 0 ? 0 : xDot * d)
      }
      return this.lift(y, p.jvp([primal], [xDot], y, params))
    }
    const out = bind1(p, primal, params)
    if (p.zeroDerivative) return out
    return this.lift(out, p.jvp([primal], [(x as Dual).tangent], out, params))
  }

  process2(p: Primitive, a: Val, b: Val, params: unknown): Val {
    if (!this.alive) escaped(this, p.name)
    const pa = this.primalOf(a)
    const pb = this.primalOf(b)
    const scalar = p.scalar2
    if (
      typeof pa === 'number' &&
      typeof pb === 'number' &&
      scalar !== undefined &&
      !debugState.on
    ) {
      // plain numbers: the kernel's scalar straight away, then the primitive's own rule
      const y = scalar(pa, pb)
      if (p.zeroDerivative) return y
      const aDot = this.tangentOf(a)
      const bDot = this.tangentOf(b)
      const partials = p.partials2
      const form = p.jvpFromPartials
      if (
        form !== undefined &&
        partials !== undefined &&
        (aDot === null || typeof aDot === 'number') &&
        (bDot === null || typeof bDot === 'number')
      ) {
        // the rule inline: the sum of ẋᵢ·∂ᵢ over the non-zero tangents, in the rule's order,
        // zero-annihilating for a derived rule (`binary` in src/primitives/families.ts) and
        // plain for a linear one (add, sub: a tangent passed on or negated, −0 kept).
        // Written here, not in a helper: it keeps process2 over TurboFan's inlining limit
        // (460 bytecode bytes), and inlined into a user's recursive function it enlarged every
        // frame, so 10⁴ calls under jvp overflowed the default stack (depth.test.ts)
        let yDot: number | null = null
        let ok = true
        if (aDot !== null) {
          const d = partials[0](pa, pb, y)
          if (typeof d !== 'number') ok = false
          else if (form === 'linear') yDot = aDot * d
          else yDot = aDot === 0 || d === 0 ? 0 : aDot * d
        }
        if (ok && bDot !== null) {
          const d = partials[1](pa, pb, y)
          if (typeof d === 'number') {
            const t = form === 'linear' || (bDot !== 0 && d !== 0) ? bDot * d : 0
            yDot = yDot === null ? t : yDot + t
          } else ok = false
        }
        // a partial that is not a number: the rule runs as it is
        if (ok) return this.lift(y, yDot)
      }
      return this.lift(y, p.jvp([pa, pb], [aDot, bDot], y, params))
    }
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
