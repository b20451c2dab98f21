/**
 * Taylor mode: a `Jet` carries the truncated Taylor series x₀ + x₁t + … + x_K t^K of a value
 * along one direction; each primitive's `taylor` rule maps input series to the output series.
 * @module
 */
import { zerosK } from '../tensor/kernels/dtype.ts'
import { sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { bindN } from './bind.ts'
import { bindCustom, type CustomRule, runCustom } from './custom.ts'
import { JvpInterpreter } from './jvp.ts'
import type { Primitive } from './primitive.ts'
import {
  closeLevel,
  dtypeOf,
  escaped,
  type Interpreter,
  isNumberKind,
  linkPrototype,
  openLevel,
  shapeOf,
  Tracer,
  type Val,
} from './tracer.ts'

/** A value with its Taylor coefficients, owned by one Taylor-mode interpreter. */
export interface Jet extends Tracer {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface types the members inherited through linkPrototype
export class Jet {
  readonly interp: JetInterpreter
  /** x₀ … x_K; x₀ is the primal. */
  readonly series: readonly Val[]

  constructor(interp: JetInterpreter, series: readonly Val[]) {
    this.interp = interp
    this.series = series
  }

  get primal(): Val {
    return this.series[0]!
  }
}
linkPrototype(Jet, Tracer)

/** The Taylor-mode interpreter: one per `derivative` call, propagating series to `order`. */
export class JetInterpreter implements Interpreter {
  readonly level: number
  readonly transformation: string
  readonly order: number
  alive = true

  private readonly ops: SeriesOps

  constructor(transformation: string, order: number, ops: SeriesOps) {
    this.transformation = transformation
    this.order = order
    this.ops = ops
    this.level = openLevel()
  }

  close(): void {
    this.alive = false
    closeLevel()
  }

  /** A jet of this interpreter with the given series. */
  wrap(series: readonly Val[]): Jet {
    return new Jet(this, series)
  }

  /** The series of `v` if it is a jet of this interpreter. */
  seriesOf(v: Val): readonly Val[] | undefined {
    return v instanceof Jet && v.interp === this ? v.series : undefined
  }

  process1(p: Primitive, x: Val, params: unknown): Val {
    return this.processN(p, [x], params)
  }

  process2(p: Primitive, a: Val, b: Val, params: unknown): Val {
    return this.processN(p, [a, b], params)
  }

  processN(p: Primitive, args: readonly Val[], params: unknown): Val {
    if (!this.alive) escaped(this, p.name)
    const own = args.map((a) => this.seriesOf(a))
    // a zero-derivative primitive is a constant to this interpreter: its value at t = 0
    if (p.zeroDerivative)
      return bindN(
        p,
        args.map((a, i) => own[i]?.[0] ?? a),
        params,
      )
    const constant = own.map((s) => s === undefined)
    const series = own.map((s, i) => s ?? this.constantSeries(args[i]!))
    return new Jet(this, p.taylor(series, params, constant))
  }

  /**
   * The series of a constant: c, then zeros of its own shape and kind, so that every rule sees
   * coefficients shaped like their primal (a number 0 against a matrix breaks `matmul`,
   * `concat`, …).
   */
  private constantSeries(c: Val): Val[] {
    return [c, ...new Array<Val>(this.order).fill(zeroLike(c))]
  }

  /**
   * A custom rule knows first derivatives only, so its outputs' series come from nested forward
   * mode along t ↦ rule(x(t)): y_k = dᵏ/dtᵏ y(0) / k!. Each level runs the rule's own `jvp`
   * (a `customJvp` rule is honoured), at the price of 2ᵏ evaluations.
   */
  processCustom(rule: CustomRule, args: readonly Val[]): Val[] {
    if (!this.alive) escaped(this, rule.name)
    return runCustom(this, rule, args, () => {
      const own = args.map((a) => this.seriesOf(a))
      if (own.every((s) => s === undefined)) return bindCustom(rule, args)
      const { add, mul } = this.ops
      // x(t) by Horner's rule; constants stay constants
      const at = (t: Val): Val[] =>
        args.map((a, i) => {
          const s = own[i]
          if (s === undefined) return a
          let acc = s[s.length - 1]!
          for (let k = s.length - 2; k >= 0; k--) acc = add(s[k]!, mul(t, acc))
          return acc
        })
      const series: Val[][] = []
      let g = (t: Val): Val[] => bindCustom(rule, at(t))
      let factorial = 1
      for (let k = 0; k <= this.order; k++) {
        if (k > 0) factorial *= k
        const scale = 1 / factorial
        series.push(g(0).map((y) => mul(y, scale)))
        g = derivativeOf(g)
      }
      return series[0]!.map(
        (_, i) =>
          new Jet(
            this,
            series.map((s) => s[i]!),
          ),
      )
    })
  }
}

/** A concrete zero of `v`'s shape, kind and dtype (a number for a number). */
export const zeroLike = (v: Val): Val => {
  if (isNumberKind(v)) return 0
  const s = shapeOf(v)
  return new Tensor(zerosK(sizeOf(s), dtypeOf(v)), s)
}

/** The ops a Taylor-mode interpreter needs on coefficients (passed in: core has no ops). */
export interface SeriesOps {
  add(a: Val, b: Val): Val
  mul(a: Val, b: Val): Val
}

/** t ↦ d/dt g(t), by one forward-mode pass (custom forward rules included). */
const derivativeOf =
  (g: (t: Val) => Val[]) =>
  (t: Val): Val[] => {
    const interp = new JvpInterpreter('derivative')
    try {
      return g(interp.lift(t, 1)).map((y) => interp.tangentOf(y) ?? zeroLike(y))
    } finally {
      interp.close()
    }
  }
