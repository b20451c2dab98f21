/**
 * Comparisons (`less lessEqual greater greaterEqual equal notEqual`, giving 1 or 0), `where`,
 * and `stopGradient`. Comparisons and `stopGradient` have zero derivative: their outputs are
 * constants to every transformation. `where` is linear in its two branches.
 *
 * Laws: fd-agreement and vjp-jvp-adjoint for `where`; the rest are checked to have zero
 * tangents and cotangents.
 * @module
 */
import { bind1, bind2, bindN } from '../core/bind.ts'
import { define, type Primitive } from '../core/primitive.ts'
import type { Concrete } from '../core/tracer.ts'
import {
  equalK,
  greaterEqualK,
  greaterK,
  lessEqualK,
  lessK,
  notEqualK,
  whereK,
} from '../tensor/kernels/binary.ts'
import { broadcastShapes, type Shape } from '../tensor/shape.ts'
import { type Floats, Tensor } from '../tensor/tensor.ts'
import {
  anyReal,
  binaryDomain,
  drawBroadcastPair,
  drawMask,
  drawValue,
  real,
  specialReals,
  unaryDomain,
} from './domain.ts'
import { alignBatched, binary, sumTangents, unary, unbroadcast } from './families.ts'

const comparisonDomain = binaryDomain(real(-2, 2))

/** Primitive record of {@link less}: 1 where a < b, else 0, with zero derivative. */
export const lessP = binary({
  name: 'less',
  scalar: (a, b) => +(a < b),
  kernel: lessK,
  domain: comparisonDomain,
})
/** Primitive record of {@link lessEqual}: 1 where a ≤ b, else 0, with zero derivative. */
export const lessEqualP = binary({
  name: 'lessEqual',
  scalar: (a, b) => +(a <= b),
  kernel: lessEqualK,
  domain: comparisonDomain,
})
/** Primitive record of {@link greater}: 1 where a > b, else 0, with zero derivative. */
export const greaterP = binary({
  name: 'greater',
  scalar: (a, b) => +(a > b),
  kernel: greaterK,
  domain: comparisonDomain,
})
/** Primitive record of {@link greaterEqual}: 1 where a ≥ b, else 0, with zero derivative. */
export const greaterEqualP = binary({
  name: 'greaterEqual',
  scalar: (a, b) => +(a >= b),
  kernel: greaterEqualK,
  domain: comparisonDomain,
})
/** Primitive record of {@link equal}: 1 where a = b, else 0, with zero derivative. */
export const equalP = binary({
  name: 'equal',
  scalar: (a, b) => +(a === b),
  kernel: equalK,
  domain: comparisonDomain,
})
/** Primitive record of {@link notEqual}: 1 where a ≠ b, else 0, with zero derivative. */
export const notEqualP = binary({
  name: 'notEqual',
  scalar: (a, b) => +(a !== b),
  kernel: notEqualK,
  domain: comparisonDomain,
})

type Value = number | Tensor

/**
 * 1 where a < b, else 0, elementwise with broadcasting. Zero derivative.
 * @example
 * less(1, 2) // => 1
 * @category comparison
 */
export function less(a: number, b: number): number
export function less(a: Tensor, b: Value): Tensor
export function less(a: Value, b: Tensor): Tensor
export function less(a: Value, b: Value): Value
export function less(a: Value, b: Value): Value {
  return typeof a === 'number' && typeof b === 'number' ? +(a < b) : bind2(lessP, a, b, undefined)
}

/**
 * 1 where a ≤ b, else 0, elementwise with broadcasting. Zero derivative.
 * @example
 * lessEqual(2, 2) // => 1
 * @category comparison
 */
export function lessEqual(a: number, b: number): number
export function lessEqual(a: Tensor, b: Value): Tensor
export function lessEqual(a: Value, b: Tensor): Tensor
export function lessEqual(a: Value, b: Value): Value
export function lessEqual(a: Value, b: Value): Value {
  return typeof a === 'number' && typeof b === 'number'
    ? +(a <= b)
    : bind2(lessEqualP, a, b, undefined)
}

/**
 * 1 where a > b, else 0, elementwise with broadcasting. Zero derivative.
 * @example
 * greater(1, 2) // => 0
 * @category comparison
 */
export function greater(a: number, b: number): number
export function greater(a: Tensor, b: Value): Tensor
export function greater(a: Value, b: Tensor): Tensor
export function greater(a: Value, b: Value): Value
export function greater(a: Value, b: Value): Value {
  return typeof a === 'number' && typeof b === 'number'
    ? +(a > b)
    : bind2(greaterP, a, b, undefined)
}

/**
 * 1 where a ≥ b, else 0, elementwise with broadcasting. Zero derivative.
 * @example
 * greaterEqual(2, 2) // => 1
 * @category comparison
 */
export function greaterEqual(a: number, b: number): number
export function greaterEqual(a: Tensor, b: Value): Tensor
export function greaterEqual(a: Value, b: Tensor): Tensor
export function greaterEqual(a: Value, b: Value): Value
export function greaterEqual(a: Value, b: Value): Value {
  return typeof a === 'number' && typeof b === 'number'
    ? +(a >= b)
    : bind2(greaterEqualP, a, b, undefined)
}

/**
 * 1 where a = b, else 0, elementwise with broadcasting. Zero derivative.
 * @example
 * equal(2, 2) // => 1
 * @category comparison
 */
export function equal(a: number, b: number): number
export function equal(a: Tensor, b: Value): Tensor
export function equal(a: Value, b: Tensor): Tensor
export function equal(a: Value, b: Value): Value
export function equal(a: Value, b: Value): Value {
  return typeof a === 'number' && typeof b === 'number'
    ? +(a === b)
    : bind2(equalP, a, b, undefined)
}

/**
 * 1 where a ≠ b, else 0, elementwise with broadcasting. Zero derivative.
 * @example
 * notEqual(2, 3) // => 1
 * @category comparison
 */
export function notEqual(a: number, b: number): number
export function notEqual(a: Tensor, b: Value): Tensor
export function notEqual(a: Value, b: Tensor): Tensor
export function notEqual(a: Value, b: Value): Value
export function notEqual(a: Value, b: Value): Value {
  return typeof a === 'number' && typeof b === 'number'
    ? +(a !== b)
    : bind2(notEqualP, a, b, undefined)
}

// ---- where ------------------------------------------------------------------------------------

const toArray = (v: Concrete): [Floats, Shape] =>
  typeof v === 'number' ? [Float64Array.of(v), []] : [v.data, v.shape]

/** Primitive record of {@link where}: `a` where the condition is nonzero, else `b`, broadcast. */
export const whereP: Primitive<void> = define({
  name: 'where',
  arity: 3,
  zeroDerivative: false,
  impl: ([c, a, b]) => {
    if (typeof c === 'number' && typeof a === 'number' && typeof b === 'number') {
      return c !== 0 ? a : b
    }
    const [cd, cs] = toArray(c!)
    const [ad, as] = toArray(a!)
    const [bd, bs] = toArray(b!)
    const out = broadcastShapes(broadcastShapes(cs, as, 'where'), bs, 'where')
    return new Tensor(whereK(cd, cs, ad, as, bd, bs, out), out)
  },
  shape: ([c, a, b]) => broadcastShapes(broadcastShapes(c!, a!, 'where'), b!, 'where'),
  // linear in the branches: the unselected branch's tangent never enters, so its NaN cannot
  jvp: ([c], [, aDot, bDot], y) =>
    (aDot ?? null) === null && (bDot ?? null) === null
      ? null
      : sumTangents([where(c!, aDot ?? 0, bDot ?? 0)], y),
  batch: (args, batched) => bindN(whereP, alignBatched(args, batched), undefined),
  // the condition selects by its value; only the branches carry series
  taylor: ([c, a, b]) => a!.map((ak, k) => where(c![0]!, ak, b![k]!)),
  vjp: (yBar, [c, a, b], _y, _p, needs) => [
    null,
    needs[1] ? unbroadcast(where(c!, yBar, 0), a!) : null,
    needs[2] ? unbroadcast(where(c!, 0, yBar), b!) : null,
  ],
  domain: {
    sample: (draw) => {
      const [sa, sb] = drawBroadcastPair(draw)
      return {
        args: [
          // both branches get selected somewhere, so both branches' laws are exercised
          drawMask(draw, sa),
          drawValue(draw, sa, anyReal),
          drawValue(draw, sb, anyReal),
        ],
        params: undefined,
      }
    },
    // each branch's special entries, selected and not (an unselected NaN contributes 0)
    special: () => {
      const n = specialReals.length
      const mask = new Tensor(
        Float64Array.from({ length: n }, (_, i) => i % 2),
        [n],
      )
      const a = new Tensor(Float64Array.from(specialReals), [n])
      const b = new Tensor(Float64Array.from(specialReals).reverse(), [n])
      return [{ args: [mask, a, b], params: undefined }]
    },
    // linear in the branches, its differentiable arguments; the condition only selects
    linear: true,
    fixed: [0],
  },
})

/**
 * Elementwise selection: `a` where `condition` is nonzero, else `b`, with three-way broadcasting.
 *
 * Derivative: d where(c, a, b) = where(c, da, db); `c` gets none. The unselected branch
 * contributes exactly 0 — never NaN — even where its own derivative is infinite, so
 * `where(greater(x, 0), sqrt(x), 0)` has gradient 0 at x = 0 and x = −1.
 * @example
 * where(1, 2, 3) // => 2
 * @category comparison
 */
export function where(condition: number, a: number, b: number): number
export function where(condition: Tensor, a: Value, b: Value): Tensor
export function where(condition: Value, a: Tensor, b: Value): Tensor
export function where(condition: Value, a: Value, b: Tensor): Tensor
export function where(condition: Value, a: Value, b: Value): Value
export function where(condition: Value, a: Value, b: Value): Value {
  return typeof condition === 'number' && typeof a === 'number' && typeof b === 'number'
    ? condition !== 0
      ? a
      : b
    : bindN(whereP, [condition, a, b], undefined)
}

// ---- stopGradient -----------------------------------------------------------------------------

/** Primitive record of {@link stopGradient}: the identity, with zero derivative in every mode. */
export const stopGradientP = unary({
  name: 'stopGradient',
  scalar: (x) => x,
  kernel: (x) => Float64Array.from(x), // a copy: outputs never share storage with inputs
  domain: unaryDomain(anyReal),
})

/**
 * The identity, with zero derivative in every mode: `x` is a constant to all transformations.
 *
 * Derivative: 0.
 * @example
 * stopGradient(3) // => 3
 * @category comparison
 */
export function stopGradient(x: number): number
export function stopGradient(x: Tensor): Tensor
export function stopGradient(x: Value): Value
export function stopGradient(x: Value): Value {
  return typeof x === 'number' ? x : bind1(stopGradientP, x, undefined)
}
