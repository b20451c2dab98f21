/**
 * The shape of a primitive record: everything fluxion knows about one primitive, in one place.
 * The records themselves live in `src/primitives`; interpreters only read this interface.
 * @module
 */
import type { Shape } from '../tensor/shape.ts'
import type { DType } from '../tensor/tensor.ts'
import type { Concrete, Val } from './tracer.ts'

/** A tangent or cotangent; `null` is the symbolic zero (never materialized). */
export type MaybeZero = Val | null

/**
 * Source of random choices for a primitive's domain sampler. The law suites back it with
 * fast-check (so failures shrink); anything else may back it too.
 */
export interface Draw {
  /** An integer in [min, max]. */
  integer(min: number, max: number): number
  /** A real number in [min, max]. */
  real(min: number, max: number): number
}

/** A sampled call of a primitive: concrete arguments and params. */
export interface Sample<P> {
  readonly args: readonly Concrete[]
  readonly params: P
}

/** Where a primitive is differentiable and how its laws should sample it. */
export interface Domain<P> {
  /** Draws valid arguments and params, kept away from kinks and poles. */
  sample(draw: Draw): Sample<P>
  /** Relative tolerance for finite-difference laws when the default is too tight. */
  readonly rtol?: number
  /** Whether the primitive is linear in all its differentiable arguments. */
  readonly linear?: boolean
  /**
   * Positions of the arguments that carry no derivative (`where`'s condition, index tensors):
   * the rules give them none and the laws hold them fixed. Every other argument is
   * differentiable.
   */
  readonly fixed?: readonly number[]
  /**
   * Calls at special points, where the laws that compare modes must hold too (NaN equal to
   * NaN, infinities exactly): signed zeros, ±∞, NaN, and the primitive's kinks — ties, a base
   * of 0 with integer and half exponents. A function, so each call gets fresh tensors.
   */
  special?(): readonly Sample<P>[]
}

/** What declares a primitive; `define` fills in the optional fast-path fields. */
export type PrimitiveSpec<P> = Omit<
  Primitive<P>,
  'scalar1' | 'scalar2' | 'partial1' | 'partials2' | 'jvpFromPartials' | 'outDtype'
> & {
  readonly [K in
    | 'scalar1'
    | 'scalar2'
    | 'partial1'
    | 'partials2'
    | 'jvpFromPartials'
    | 'outDtype']?: Primitive<P>[K]
}

/**
 * A dtype rule from params, declared through a method type so that it is bivariant in `P`
 * like `impl` and `shape` (a record of `Primitive<P>` is then a `Primitive<unknown>`).
 */
export type OutDtype<P> = { rule(params: P): DType }['rule']

/** Whether `v` is an array or a plain object: data that freezing cannot break. */
const isPlainData = (v: unknown): v is object => {
  if (typeof v !== 'object' || v === null) return false
  const proto: unknown = Object.getPrototypeOf(v)
  return Array.isArray(v) || proto === Object.prototype || proto === null
}

/**
 * `x` frozen, with every array and plain object it holds (a record's domain): functions stay
 * as they are, and class instances too (`Object.freeze` throws on a non-empty typed array).
 */
const freezeDeep = <T extends object>(x: T): T => {
  const pending: object[] = [x]
  for (let o = pending.pop(); o !== undefined; o = pending.pop()) {
    if (Object.isFrozen(o)) continue
    Object.freeze(o)
    for (const v of Object.values(o)) if (isPlainData(v)) pending.push(v)
  }
  return x
}

/**
 * A primitive record from its spec. Every record gets the same fields in the same order, so
 * the interpreters' property reads stay monomorphic (a measurable share of per-op cost).
 * Records are frozen, domain included: the public ones are shared by every caller, and their
 * names are written into the code `jit` generates (issue #12). All records
 * freeze alike, so they keep one hidden class and reads stay as fast.
 */
export function define<P>(spec: PrimitiveSpec<P>): Primitive<P> {
  return freezeDeep({
    name: spec.name,
    arity: spec.arity,
    zeroDerivative: spec.zeroDerivative,
    impl: spec.impl,
    shape: spec.shape,
    jvp: spec.jvp,
    vjp: spec.vjp,
    batch: spec.batch,
    taylor: spec.taylor,
    scalar1: spec.scalar1,
    scalar2: spec.scalar2,
    partial1: spec.partial1,
    partials2: spec.partials2,
    jvpFromPartials: spec.jvpFromPartials,
    outDtype: spec.outDtype,
    domain: spec.domain,
  })
}

/**
 * One primitive: kernel, shape rule, derivative and domain. Derivative rules are written with
 * fluxion ops, so they are differentiable again and run under every interpreter.
 */
export interface Primitive<P = unknown> {
  /** Lower-case mathematical name; equals the public op's name where there is one. */
  readonly name: string
  /** Number of array arguments; -1 for variadic (`concat`). */
  readonly arity: number
  /** True for comparisons, `sign`, `stopGradient`: outputs are constants to every transformation. */
  readonly zeroDerivative: boolean
  /** Evaluates on concrete values. */
  impl(args: readonly Concrete[], params: P): Concrete
  /** Output shape for input shapes; throws `ShapeError`. */
  shape(shapes: readonly Shape[], params: P): Shape
  /** Forward rule: the output tangent (`null` when it is symbolically zero). */
  jvp(primals: readonly Val[], tangents: readonly MaybeZero[], out: Val, params: P): MaybeZero
  /**
   * Reverse rule: the cotangent of each input whose `needs` flag is set (`null` elsewhere), given
   * the output's cotangent `yBar`. Shapes of the results equal the inputs' shapes.
   */
  vjp(
    yBar: Val,
    primals: readonly Val[],
    out: Val,
    params: P,
    needs: readonly boolean[],
  ): readonly MaybeZero[]
  /**
   * Batching rule (`vmap`): the primitive applied to `args`, of which those flagged in `batched`
   * carry an extra leading axis of length `size`; the result carries that axis too.
   */
  batch(args: readonly Val[], batched: readonly boolean[], params: P, size: number): Val
  /**
   * Taylor rule: output coefficients y₀ … y_K from each argument's coefficients x₀ … x_K (a
   * constant argument comes as c, 0, 0, … with its `constant` flag set). Written in fluxion ops.
   */
  taylor(series: readonly (readonly Val[])[], params: P, constant: readonly boolean[]): Val[]
  /** Scalar kernel of a unary elementwise primitive (the reverse-mode fast path uses it). */
  readonly scalar1: ((x: number) => number) | undefined
  /** Scalar kernel of a binary elementwise primitive. */
  readonly scalar2: ((a: number, b: number) => number) | undefined
  /** ∂y/∂x of a unary elementwise primitive, in fluxion ops; may use the output `y`. */
  readonly partial1: ((x: Val, y: Val) => Val) | undefined
  /** ∂y/∂a and ∂y/∂b of a binary elementwise primitive, in fluxion ops. */
  readonly partials2:
    | readonly [(a: Val, b: Val, y: Val) => Val, (a: Val, b: Val, y: Val) => Val]
    | undefined
  /**
   * How `jvp` follows from `partials2`, so that forward mode may compute it inline on numbers:
   * `'products'`, the sum of `safeMul(ẋᵢ, ∂ᵢ)` (the rule `binary` derives); `'linear'`, the sum
   * of ∂ᵢ·ẋᵢ in IEEE arithmetic (`add`, `sub`: ∂ = ±1, their rules pass a tangent on or negate
   * it, −0 kept); undefined when the rule is its own. Reverse mode on staged numbers relies on
   * the `vjp` matching: `safeMul(ȳ, ∂ᵢ)` for `'products'`, ±ȳ for `'linear'`.
   */
  readonly jvpFromPartials: 'products' | 'linear' | undefined
  /**
   * The output dtype, for a primitive that sets it (`astype`). Every other primitive's output
   * has its arguments' promoted dtype (`resultDtype` in ./dtype.ts).
   */
  readonly outDtype: OutDtype<P> | undefined
  /** Input domain for the law suites. */
  readonly domain: Domain<P>
}
