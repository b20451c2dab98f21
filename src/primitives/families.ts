/**
 * Factories for the common kinds of primitive, so that a primitive is declared by what is
 * special about it. `unary` and `binary` take one partial per argument (DiffRules, JAX `defjvp`)
 * and derive both rules: JVP Σ ∂ᵢ·ẋᵢ and VJP x̄ᵢ = unbroadcast(ȳ·∂ᵢ). Products with partials
 * are zero-annihilating (`safeMul`): an exact zero in either factor gives 0, even against an
 * infinite or NaN one, in every mode alike (docs/guide/errors.md, "Zero annihilates"). `linear`
 * needs only a transpose (IEEE arithmetic); omitting partials gives a zero derivative.
 *
 * The derived rules are written in five primitives — `add`, `safeMul`, `sum`, `reshape`,
 * `broadcastTo` — whose records live here too, so this module imports no other primitive
 * module and every record can be built while the others load.
 * @module
 */
import { bind1, bind2, bindN } from '../core/bind.ts'
import { debugState } from '../core/debug.ts'
import { ShapeError } from '../core/errors.ts'
import { zeroLike } from '../core/jet.ts'
import { type Domain, define, type MaybeZero, type Primitive } from '../core/primitive.ts'
import { type Concrete, isNumberKind, shapeOf, type Val } from '../core/tracer.ts'
import { addK, type BinaryKernel, safeMulK } from '../tensor/kernels/binary.ts'
import { broadcastToK } from '../tensor/kernels/layout.ts'
import type { PullbackKernel } from '../tensor/kernels/pullback.ts'
import { sumK } from '../tensor/kernels/reduce.ts'
import type { UnaryKernel } from '../tensor/kernels/unary.ts'
import { broadcastShapes, broadcastsTo, type Shape, shapesEqual, sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { anyReal, binaryDomain, drawShape, drawValue, specialTensor } from './domain.ts'

/** What declares a unary elementwise primitive. */
export type UnarySpec = {
  readonly name: string
  readonly scalar: (x: number) => number
  readonly kernel: UnaryKernel
  readonly domain: Domain<void>
} & (
  | {
      /** ∂y/∂x in fluxion ops (may use the output `y`). */
      readonly partial: (x: Val, y: Val) => Val
      /** Taylor rule: y₀ … y_K from x₀ … x_K. */
      readonly taylor: (x: readonly Val[]) => Val[]
      /**
       * The VJP on concrete tensors in one pass: ȳ·∂y/∂x computed exactly as `partial` and
       * `safeMul` would compute it (a speed path only; the rule stays the definition).
       */
      readonly pullback?: PullbackKernel
    }
  | { readonly partial?: undefined; readonly taylor?: undefined; readonly pullback?: undefined }
)

/** Concrete evaluation of a unary elementwise primitive. */
function unaryImpl(scalar: (x: number) => number, kernel: UnaryKernel) {
  return (args: readonly Concrete[]): Concrete => {
    const x = args[0]!
    return typeof x === 'number' ? scalar(x) : new Tensor(kernel(x.data), x.shape)
  }
}

/** A unary elementwise primitive from its scalar, its kernel and its partial. */
export function unary(spec: UnarySpec): Primitive<void> {
  const { partial, pullback } = spec
  const p: Primitive<void> = define<void>({
    name: spec.name,
    arity: 1,
    zeroDerivative: partial === undefined,
    impl: unaryImpl(spec.scalar, spec.kernel),
    shape: ([s]) => s!,
    jvp: ([x], [xDot], y) =>
      xDot === null || xDot === undefined || partial === undefined
        ? null
        : safeMulV(xDot, partial(x!, y)),
    vjp: (yBar, [x], y) => {
      if (partial === undefined) return [null]
      // first-order reverse mode on concrete tensors: one fused pass (debugNans checks each op
      // of the rule, so it takes the rule)
      if (
        pullback !== undefined &&
        !debugState.on &&
        yBar instanceof Tensor &&
        x instanceof Tensor &&
        y instanceof Tensor &&
        yBar.data.length === x.data.length &&
        // float64 only: a float32 cotangent takes the rule, rounded op by op as under jit
        x.dtype === 'float64' &&
        yBar.dtype === 'float64'
      ) {
        return [new Tensor(pullback(yBar.data, x.data, y.data), x.shape)]
      }
      return [safeMulV(yBar, partial(x!, y))]
    },
    // elementwise: the batch axis is just one more axis
    batch: ([x]) => bind1(p, x!, undefined),
    taylor: ([x]) => {
      if (spec.taylor === undefined || partial === undefined) {
        return constantTaylor(p, [x!], undefined)
      }
      const y = spec.taylor(x!)
      // coefficient 1 is jvp's own product, bit for bit (the recurrences round differently)
      if (y.length > 1) y[1] = safeMulV(x![1]!, partial(x![0]!, y[0]!))
      return y
    },
    scalar1: spec.scalar,
    ...(partial === undefined ? {} : { partial1: partial }),
    domain: spec.domain,
  })
  return p
}

/** A partial of a binary primitive with respect to one argument. */
export type Partial2 = (a: Val, b: Val, y: Val) => Val

/** What declares a binary elementwise (broadcasting) primitive. */
export type BinarySpec = {
  readonly name: string
  readonly scalar: (a: number, b: number) => number
  readonly kernel: BinaryKernel
  /** Replaces the derived JVP (for linear ops, where Σ ∂ᵢ·ẋᵢ would multiply by ±1). */
  readonly jvp?: (primals: readonly Val[], tangents: readonly MaybeZero[], y: Val) => MaybeZero
  /**
   * The `jvp` given is Σ ∂ᵢ·ẋᵢ in IEEE arithmetic (∂ᵢ = ±1), so forward mode may inline it, and
   * the `vjp` given passes ȳ on or negates it, so reverse mode on staged numbers may too.
   */
  readonly linearJvp?: boolean
  /** Replaces the derived VJP. */
  readonly vjp?: (
    yBar: Val,
    primals: readonly Val[],
    y: Val,
    needs: readonly boolean[],
  ) => MaybeZero[]
  readonly domain: Domain<void>
} & (
  | {
      /** ∂y/∂a and ∂y/∂b in fluxion ops. */
      readonly partials: readonly [Partial2, Partial2]
      /** Taylor rule; `constant` flags arguments that are not series. */
      readonly taylor: (a: readonly Val[], b: readonly Val[], constant: readonly boolean[]) => Val[]
    }
  | { readonly partials?: undefined; readonly taylor?: undefined } // a zero derivative
)

const float32Tensor = (v: Concrete): boolean => typeof v !== 'number' && v.dtype === 'float32'
const weakOr32 = (v: Concrete): boolean => typeof v === 'number' || v.weak || v.dtype === 'float32'

/** Concrete evaluation of a binary broadcasting primitive. */
function binaryImpl(name: string, scalar: (a: number, b: number) => number, kernel: BinaryKernel) {
  return (args: readonly Concrete[]): Concrete => {
    const a = args[0]!
    const b = args[1]!
    if (typeof a === 'number' && typeof b === 'number') return scalar(a, b)
    const aData = typeof a === 'number' ? Float64Array.of(a) : a.data
    const bData = typeof b === 'number' ? Float64Array.of(b) : b.data
    const aShape = typeof a === 'number' ? [] : a.shape
    const bShape = typeof b === 'number' ? [] : b.shape
    const outShape = broadcastShapes(aShape, bShape, name)
    // float32 when one operand is and the other is too or weakly typed: the kernel writes
    // float32 itself, rounding each value once, instead of bind converting after it
    const float32 = (float32Tensor(a) && weakOr32(b)) || (float32Tensor(b) && weakOr32(a))
    return new Tensor(kernel(aData, aShape, bData, bShape, outShape, float32), outShape)
  }
}

/** Sum of tangent contributions, skipping symbolic zeros, broadcast to the output's shape. */
export function sumTangents(parts: readonly MaybeZero[], y: Val): MaybeZero {
  let acc: MaybeZero = null
  for (const p of parts) if (p !== null) acc = acc === null ? p : addV(acc, p)
  if (acc === null) return null
  // a number tangent of a number stays a number (no rank-0 tensor, no kernel call), also where
  // either is a traced number (under jit, a staged one: a tensor there made every tangent
  // after it a rank-0 tensor, computed by kernels instead of scalar instructions)
  if (isNumberKind(acc) && isNumberKind(y)) return acc
  return broadcastToV(acc, shapeOf(y))
}

/** A binary elementwise primitive with NumPy broadcasting, from its per-argument partials. */
export function binary(spec: BinarySpec): Primitive<void> {
  const { partials } = spec
  const jvp =
    spec.jvp ??
    ((primals: readonly Val[], tangents: readonly MaybeZero[], y: Val): MaybeZero => {
      if (partials === undefined) return null
      const [a, b] = primals as [Val, Val]
      const [aDot, bDot] = tangents as [MaybeZero, MaybeZero]
      return sumTangents(
        [
          aDot === null ? null : safeMulV(aDot, partials[0](a, b, y)),
          bDot === null ? null : safeMulV(bDot, partials[1](a, b, y)),
        ],
        y,
      )
    })
  const vjp =
    spec.vjp ??
    ((yBar: Val, primals: readonly Val[], y: Val, needs: readonly boolean[]): MaybeZero[] => {
      if (partials === undefined) return [null, null]
      const [a, b] = primals as [Val, Val]
      return [
        needs[0] ? unbroadcast(safeMulV(yBar, partials[0](a, b, y)), a) : null,
        needs[1] ? unbroadcast(safeMulV(yBar, partials[1](a, b, y)), b) : null,
      ]
    })
  const p: Primitive<void> = define<void>({
    name: spec.name,
    arity: 2,
    zeroDerivative: partials === undefined && spec.jvp === undefined,
    impl: binaryImpl(spec.name, spec.scalar, spec.kernel),
    shape: ([a, b]) => broadcastShapes(a!, b!, spec.name),
    jvp: (primals, tangents, y) => jvp(primals, tangents, y),
    vjp: (yBar, primals, y, _params, needs) => vjp(yBar, primals, y, needs),
    batch: (args, batched) => {
      const [a, b] = alignBatched(args, batched)
      return bind2(p, a!, b!, undefined)
    },
    taylor: ([a, b], _params, constant) => {
      if (spec.taylor === undefined) return constantTaylor(p, [a!, b!], undefined)
      const y = spec.taylor(a!, b!, constant)
      // coefficient 1 is jvp's own sum of products, bit for bit
      const yDot =
        y.length > 1
          ? jvp([a![0]!, b![0]!], [constant[0] ? null : a![1]!, constant[1] ? null : b![1]!], y[0]!)
          : null
      if (yDot !== null) y[1] = yDot
      return y
    },
    scalar2: spec.scalar,
    ...(partials === undefined
      ? {}
      : {
          partials2: partials,
          // the staged tape (src/core/tape.ts) takes 'products' for the derived vjp too
          jvpFromPartials:
            spec.jvp === undefined && spec.vjp === undefined
              ? 'products'
              : spec.linearJvp === true
                ? 'linear'
                : undefined,
        }),
    domain: spec.domain,
  })
  return p
}

/** Taylor rule of a zero-derivative primitive: its value, then zeros. */
export function constantTaylor<P>(
  p: Primitive<P>,
  series: readonly (readonly Val[])[],
  params: P,
): Val[] {
  const y0 = bindN(
    p,
    series.map((s) => s[0]!),
    params,
  )
  return [y0, ...new Array<Val>(series[0]!.length - 1).fill(zeroLike(y0))]
}

/**
 * Batched arguments of a broadcasting primitive, each given as many axes after the batch axis
 * as the widest argument has, so NumPy broadcasting lines the batch axes up with each other and
 * never with an unbatched argument's axes. Unbatched arguments are returned as they are.
 */
export function alignBatched(
  args: readonly Val[],
  batched: readonly boolean[],
  minRank = 0,
): Val[] {
  let rank = minRank
  args.forEach((a, i) => {
    rank = Math.max(rank, shapeOf(a).length - (batched[i] ? 1 : 0))
  })
  return args.map((a, i) => {
    if (!batched[i]) return a
    const s = shapeOf(a)
    const missing = rank + 1 - s.length
    return missing === 0
      ? a
      : reshapeV(a, [s[0]!, ...new Array<number>(missing).fill(1), ...s.slice(1)])
  })
}

/** `v` with the batch axis in front: broadcast when it is not batched. */
export function withBatch(v: Val, batched: boolean, size: number): Val {
  return batched ? v : broadcastToV(v, [size, ...shapeOf(v)])
}

/** What declares a linear primitive of one argument: its transpose is its whole derivative. */
export interface LinearSpec<P> {
  readonly name: string
  impl(x: Concrete, params: P): Concrete
  shape(s: Shape, params: P): Shape
  /** The transpose: maps the output cotangent to the input cotangent (`x` is the primal input). */
  transpose(yBar: Val, params: P, x: Val): Val
  /** Applies the primitive itself (to tangents): usually a `bind1` of the record. */
  apply(x: Val, params: P): Val
  /** The primitive on `x` carrying an extra leading batch axis of length `size` (vmap). */
  batch(x: Val, params: P, size: number): Val
  readonly domain: Domain<P>
}

/** A linear primitive: JVP applies it to the tangent; VJP applies its transpose. */
export function linear<P>(spec: LinearSpec<P>): Primitive<P> {
  return define<P>({
    name: spec.name,
    arity: 1,
    zeroDerivative: false,
    impl: (args, params) => spec.impl(args[0]!, params),
    shape: (shapes, params) => spec.shape(shapes[0]!, params),
    jvp: (_primals, [xDot], _y, params) =>
      xDot === null || xDot === undefined ? null : spec.apply(xDot, params),
    vjp: (yBar, [x], _y, params) => [spec.transpose(yBar, params, x!)],
    batch: ([x], _batched, params, size) => spec.batch(x!, params, size),
    // linear: each coefficient maps on its own
    taylor: ([x], params) => x!.map((c) => spec.apply(c, params)),
    domain: { ...spec.domain, linear: true },
  })
}

// ---- the primitives the derived rules are written in -----------------------------------------

/** A concrete value as a tensor (numbers become rank 0). */
export function asTensor(v: Concrete): Tensor {
  return typeof v === 'number' ? new Tensor(Float64Array.of(v), []) : v
}

/** Params of `sum` (and `max`): the sorted, distinct axes removed. */
export interface ReduceParams {
  readonly axes: readonly number[]
}

/** Params of `reshape` and `broadcastTo`: the output shape. */
export interface ShapeParams {
  readonly shape: Shape
}

/** `s` without the reduced axes. */
export function reducedShape(s: Shape, axes: readonly number[]): Shape {
  return s.filter((_, i) => !axes.includes(i))
}

/** `s` with the reduced axes kept at size 1. */
export function keptShape(s: Shape, axes: readonly number[]): Shape {
  return s.map((d, i) => (axes.includes(i) ? 1 : d))
}

export const addP: Primitive<void> = binary({
  name: 'add',
  taylor: (a, b) => a.map((ak, k) => addV(ak, b[k]!)),
  scalar: (a, b) => a + b,
  kernel: addK,
  partials: [() => 1, () => 1],
  jvp: (_, [aDot, bDot], y) => sumTangents([aDot ?? null, bDot ?? null], y),
  linearJvp: true,
  vjp: (yBar, [a, b], _y, needs) => [
    needs[0] ? unbroadcast(yBar, a!) : null,
    needs[1] ? unbroadcast(yBar, b!) : null,
  ],
  domain: { ...binaryDomain(anyReal), linear: true },
})

export const safeMulP: Primitive<void> = binary({
  name: 'safeMul',
  taylor: (a, b) =>
    a.map((_, k) => {
      let acc = safeMulV(a[0]!, b[k]!)
      for (let j = 1; j <= k; j++) acc = addV(acc, safeMulV(a[j]!, b[k - j]!))
      return acc
    }),
  scalar: (a, b) => (a === 0 || b === 0 ? 0 : a * b),
  kernel: safeMulK,
  partials: [(_a, b) => b, (a) => a],
  // both products annihilate zeros, like the primitive itself
  jvp: ([a, b], [aDot, bDot], y) =>
    sumTangents(
      [aDot == null ? null : safeMulV(aDot, b!), bDot == null ? null : safeMulV(a!, bDot)],
      y,
    ),
  vjp: (yBar, [a, b], _y, needs) => [
    needs[0] ? unbroadcast(safeMulV(yBar, b!), a!) : null,
    needs[1] ? unbroadcast(safeMulV(a!, yBar), b!) : null,
  ],
  domain: binaryDomain(anyReal),
})

export const sumP: Primitive<ReduceParams> = linear<ReduceParams>({
  name: 'sum',
  impl: (x, { axes }) =>
    typeof x === 'number'
      ? x
      : new Tensor(sumK(x.data, x.shape, axes), reducedShape(x.shape, axes)),
  shape: (s, { axes }) => reducedShape(s, axes),
  apply: (x, params) => bind1(sumP, x, params),
  batch: (x, { axes }) => bind1(sumP, x, { axes: axes.map((a) => a + 1) }),
  transpose: (yBar, { axes }, x) => {
    const s = shapeOf(x)
    return broadcastToV(reshapeV(yBar, keptShape(s, axes)), s)
  },
  domain: {
    sample: (draw) => {
      const shape = drawShape(draw, 3)
      const axes = shape.flatMap((_, i) => (draw.integer(0, 1) === 1 ? [i] : []))
      return { args: [drawValue(draw, shape, anyReal)], params: { axes } }
    },
    special: () => [
      { args: [specialTensor([2, 3])], params: { axes: [1] } },
      { args: [specialTensor([2, 3])], params: { axes: [0, 1] } },
    ],
  },
})

export const reshapeP: Primitive<ShapeParams> = linear<ShapeParams>({
  name: 'reshape',
  impl: (x, { shape }) => new Tensor(asTensor(x).data.slice(), shape),
  shape: (s, { shape }) => {
    if (sizeOf(s) !== sizeOf(shape)) {
      throw new ShapeError(`cannot reshape ${sizeOf(s)} elements into [${shape.join(', ')}]`, {
        primitive: 'reshape',
        shapes: [s, shape],
        hint: 'the new shape must have the same number of elements (use -1 for one inferred size)',
      })
    }
    return shape
  },
  apply: (x, params) => bind1(reshapeP, x, params),
  batch: (x, { shape }, size) => bind1(reshapeP, x, { shape: [size, ...shape] }),
  transpose: (yBar, _params, x) => reshapeV(yBar, shapeOf(x)),
  domain: {
    sample: (draw) => {
      const n = draw.integer(1, 4)
      const m = draw.integer(1, 4)
      return { args: [drawValue(draw, [n, m], anyReal)], params: { shape: [m, n] } }
    },
    special: () => [{ args: [specialTensor([2, 3])], params: { shape: [3, 2] } }],
  },
})

export const broadcastToP: Primitive<ShapeParams> = linear<ShapeParams>({
  name: 'broadcastTo',
  impl: (x, { shape }) => {
    const t = asTensor(x)
    return new Tensor(broadcastToK(t.data, t.shape, shape), shape)
  },
  shape: (s, { shape }) => {
    if (!broadcastsTo(s, shape)) {
      throw new ShapeError('cannot broadcast', {
        primitive: 'broadcastTo',
        shapes: [s, shape],
        hint: 'sizes must match axis by axis from the right, or be 1',
      })
    }
    return shape
  },
  apply: (x, params) => bind1(broadcastToP, x, params),
  // the input may have fewer axes than the target: insert them after the batch axis first
  batch: (x, { shape }, size) =>
    bind1(broadcastToP, alignBatched([x], [true], shape.length)[0]!, { shape: [size, ...shape] }),
  transpose: (yBar, _params, x) => unbroadcast(yBar, x),
  domain: {
    sample: (draw) => {
      const shape = drawShape(draw, 3)
      const from = shape
        .slice(draw.integer(0, shape.length))
        .map((d) => (draw.integer(0, 1) === 1 ? 1 : d))
      return { args: [drawValue(draw, from, anyReal)], params: { shape } }
    },
    special: () => [{ args: [specialTensor([3])], params: { shape: [2, 3] } }],
  },
})

/** a + b on any values (numbers stay numbers). */
export function addV(a: Val, b: Val): Val {
  return typeof a === 'number' && typeof b === 'number' ? a + b : bind2(addP, a, b, undefined)
}

/** Zero-annihilating a·b on any values: 0 when either factor is 0. */
export function safeMulV(a: Val, b: Val): Val {
  if (typeof a === 'number' && typeof b === 'number') return a === 0 || b === 0 ? 0 : a * b
  return bind2(safeMulP, a, b, undefined)
}

/** `v` with the given shape (no-op when it already has it). */
export function reshapeV(v: Val, shape: Shape): Val {
  return shapesEqual(shapeOf(v), shape) && typeof v !== 'number' ? v : bind1(reshapeP, v, { shape })
}

/** `v` broadcast to `shape` (no-op when it already has it). */
export function broadcastToV(v: Val, shape: Shape): Val {
  return shapesEqual(shapeOf(v), shape) && typeof v !== 'number'
    ? v
    : bind1(broadcastToP, v, { shape })
}

/**
 * Sums `v` down to the shape of `like` (the transpose of broadcasting), so a cotangent has the
 * shape of the input it belongs to. Laws: unbroadcast.
 */
export function unbroadcast(v: Val, like: Val): Val {
  const to = shapeOf(like)
  const from = shapeOf(v)
  if (shapesEqual(from, to)) return v
  const lead = from.length - to.length
  const axes: number[] = []
  for (let i = 0; i < from.length; i++) {
    if (i < lead || (to[i - lead] === 1 && from[i] !== 1)) axes.push(i)
  }
  const summed = axes.length === 0 ? v : bind1(sumP, v, { axes })
  return reshapeV(summed, to)
}
