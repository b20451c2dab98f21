/**
 * Elementwise primitives with params (`polygamma`'s order n, the order k of `sinc`'s and
 * `gammainc`'s derivative families), declared like `unary` and `binary` in families.ts: one
 * partial per argument gives both rules, products with partials are zero-annihilating, and
 * coefficient 1 of the Taylor rule is jvp's own product, bit for bit.
 *
 * Also the Taylor rule of a derivative family fₖ with fₖ′ = fₖ₊₁ (ψ⁽ⁿ⁾, sinc⁽ᵏ⁾): y′ = fₖ₊₁(x)·x′,
 * so y's series follows from fₖ₊₁'s one order lower, recursively — O(K³), no nested passes.
 * @module
 */
import { bind1, bind2 } from '../core/bind.ts'
import { type Domain, define, type MaybeZero, type Primitive } from '../core/primitive.ts'
import type { Concrete, Val } from '../core/tracer.ts'
import type { BinaryKernel } from '../tensor/kernels/binary.ts'
import { broadcastShapes } from '../tensor/shape.ts'
import { type Floats, Tensor } from '../tensor/tensor.ts'
import { alignBatched, safeMulV, sumTangents, unbroadcast } from './families.ts'
import { odeStepWeighted, type Series, weighted } from './taylor.ts'

/** What declares a unary elementwise primitive with params. */
export interface ParamUnarySpec<P> {
  readonly name: string
  readonly scalar: (x: number, params: P) => number
  readonly kernel: (x: Floats, params: P) => Float64Array
  /** ∂y/∂x in fluxion ops (may use the output `y`). */
  readonly partial: (x: Val, y: Val, params: P) => Val
  /** Taylor rule: y₀ … y_K from x₀ … x_K. */
  readonly taylor: (x: Series, params: P) => Val[]
  readonly domain: Domain<P>
}

/** A unary elementwise primitive with params, from its scalar, kernel and partial. */
export function paramUnary<P>(spec: ParamUnarySpec<P>): Primitive<P> {
  const { partial } = spec
  const p: Primitive<P> = define<P>({
    name: spec.name,
    arity: 1,
    zeroDerivative: false,
    impl: ([x], params) =>
      typeof x === 'number'
        ? spec.scalar(x, params)
        : new Tensor(spec.kernel(x!.data, params), x!.shape),
    shape: ([s]) => s!,
    jvp: ([x], [xDot], y, params) =>
      xDot === null || xDot === undefined ? null : safeMulV(xDot, partial(x!, y, params)),
    vjp: (yBar, [x], y, params) => [safeMulV(yBar, partial(x!, y, params))],
    // elementwise: the batch axis is one more axis
    batch: ([x], _batched, params) => bind1(p, x!, params),
    taylor: ([x], params) => {
      const y = spec.taylor(x!, params)
      if (y.length > 1) y[1] = safeMulV(x![1]!, partial(x![0]!, y[0]!, params))
      return y
    },
    domain: spec.domain,
  })
  return p
}

/** A partial of a binary primitive with params. */
export type ParamPartial2<P> = (a: Val, b: Val, y: Val, params: P) => Val

/** What declares a binary elementwise (broadcasting) primitive with params. */
export interface ParamBinarySpec<P> {
  readonly name: string
  readonly scalar: (a: number, b: number, params: P) => number
  readonly kernel: (params: P) => BinaryKernel
  readonly partials: readonly [ParamPartial2<P>, ParamPartial2<P>]
  readonly taylor: (a: Series, b: Series, params: P) => Val[]
  readonly domain: Domain<P>
}

/** A binary elementwise primitive with params and NumPy broadcasting. */
export function paramBinary<P>(spec: ParamBinarySpec<P>): Primitive<P> {
  const [pa, pb] = spec.partials
  const jvp = (primals: readonly Val[], tangents: readonly MaybeZero[], y: Val, params: P) => {
    const [a, b] = primals as [Val, Val]
    const [aDot, bDot] = tangents as [MaybeZero, MaybeZero]
    return sumTangents(
      [
        aDot === null ? null : safeMulV(aDot, pa(a, b, y, params)),
        bDot === null ? null : safeMulV(bDot, pb(a, b, y, params)),
      ],
      y,
    )
  }
  const p: Primitive<P> = define<P>({
    name: spec.name,
    arity: 2,
    zeroDerivative: false,
    impl: ([a, b], params) => {
      if (typeof a === 'number' && typeof b === 'number') return spec.scalar(a, b, params)
      const at = asData(a!)
      const bt = asData(b!)
      const outShape = broadcastShapes(at.shape, bt.shape, spec.name)
      return new Tensor(
        spec.kernel(params)(at.data, at.shape, bt.data, bt.shape, outShape),
        outShape,
      )
    },
    shape: ([a, b]) => broadcastShapes(a!, b!, spec.name),
    jvp,
    vjp: (yBar, [a, b], y, params, needs) => [
      needs[0] ? unbroadcast(safeMulV(yBar, pa(a!, b!, y, params)), a!) : null,
      needs[1] ? unbroadcast(safeMulV(yBar, pb(a!, b!, y, params)), b!) : null,
    ],
    batch: (args, batched, params) => {
      const [a, b] = alignBatched(args, batched)
      return bind2(p, a!, b!, params)
    },
    taylor: ([a, b], params, constant) => {
      const y = spec.taylor(a!, b!, params)
      const yDot =
        y.length > 1
          ? jvp(
              [a![0]!, b![0]!],
              [constant[0] ? null : a![1]!, constant[1] ? null : b![1]!],
              y[0]!,
              params,
            )
          : null
      if (yDot !== null) y[1] = yDot
      return y
    },
    domain: spec.domain,
  })
  return p
}

/** A concrete value's data and shape (a number is rank 0). */
const asData = (v: Concrete): { data: Floats; shape: readonly number[] } =>
  typeof v === 'number' ? { data: Float64Array.of(v), shape: [] } : v

/**
 * The series of y = f(k, x(t)) for a family with ∂f(k, x)/∂x = f(k + 1, x): y₀ = f(k, x₀), and
 * y′ = f(k + 1, x)·x′ gives yⱼ from the series of f(k + 1, x(t)) to order j − 1, computed the
 * same way (products zero-annihilating, as in every rule).
 */
export function familySeries(f: (k: number, x: Val) => Val, k: number, x: Series): Val[] {
  const y: Val[] = [f(k, x[0]!)]
  if (x.length === 1) return y
  const g = familySeries(f, k + 1, x.slice(0, -1))
  const jx = weighted(x)
  for (let j = 1; j < x.length; j++) y.push(odeStepWeighted(jx, g, j))
  return y
}
