/**
 * The scan machinery: params, shape rule, batching shift, the one-step shift `previous`, a
 * sampler for laws, the checks of the public scans (`scanWith`), and the primitive
 * `linearRecurrence` — h_i = a_i·h_{i−1} + b_i along an axis — in which the derivatives of the
 * nonlinear scans (`cumprod`, `cummax`, `logcumsumexp`) are written. Linear in b; its
 * derivative in a is the recurrence again, and its pullback the recurrence run backwards.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint.
 * @module
 */
import { bind1, bind2 } from '../core/bind.ts'
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { type Domain, define, type Primitive } from '../core/primitive.ts'
import { shapeOf, Tracer, type Val } from '../core/tracer.ts'
import { tensor } from '../tensor/create.ts'
import { linearRecurrenceK } from '../tensor/kernels/scan.ts'
import { normalizeAxis, type Shape, shapesEqual, show } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { anyReal, drawSeparated, drawValue, type Interval, specialTensor } from './domain.ts'
import { addV, asTensor, safeMulV, sumTangents, withBatch } from './families.ts'
import { padP, reshape, sliceP } from './structural.ts'

type Value = number | Tensor
/** Params of every scan: the scanned axis (0 ≤ axis < rank) and the direction. */
export interface ScanParams {
  readonly axis: number
  /** Scan from the last element to the first. */
  readonly reverse: boolean
}

/** Options of the public scans. */
export interface ScanOptions {
  /** Scan from the last element to the first (default false), as `jax.lax.cumsum`. */
  readonly reverse?: boolean
}

/** The shape rule of a scan: the input's shape, once the axis is checked. */
export const scanShape = (s: Shape, { axis }: ScanParams, op: string): Shape => {
  if (!Number.isInteger(axis) || axis < 0 || axis >= s.length) {
    throw new InvalidArgumentError(`axis ${axis} is out of range for rank ${s.length}`, {
      primitive: op,
      shapes: [s],
      hint: s.length === 0 ? 'a scalar has no axis to scan' : 'scan an existing axis',
    })
  }
  return s
}

/** The same scan one axis further right: what a batching rule applies. */
export const shifted = ({ axis, reverse }: ScanParams): ScanParams => ({ axis: axis + 1, reverse })

/**
 * `v` moved one step along the scan: out_i = v_{i−1} (v_{i+1} when reversed), with `fill`
 * entering at the first element. Linear in `v` (the fill is a constant).
 */
export function previous(v: Val, { axis, reverse }: ScanParams, fill: number): Val {
  const s = shapeOf(v)
  const n = s[axis]!
  if (n === 0) return v
  const on = (i: number, yes: number) => (i === axis ? yes : 0)
  const padded = bind1(padP, v, {
    lo: s.map((_, i) => on(i, reverse ? 0 : 1)),
    hi: s.map((_, i) => on(i, reverse ? 1 : 0)),
    interior: s.map(() => 0),
    value: fill,
  })
  return bind1(sliceP, padded, {
    starts: s.map((_, i) => on(i, reverse ? 1 : 0)),
    ends: s.map((d, i) => d + on(i, reverse ? 1 : 0)),
    steps: s.map(() => 1),
  })
}

/** h = the recurrence h_i = a_i·h_{i−1} + b_i along the scan. */
export const recur = (a: Val, b: Val, params: ScanParams): Val =>
  bind2(linearRecurrenceP, a, b, params)

/**
 * The transpose of b ↦ recur(a, b): G_j = ȳ_j + a_{j+1}·G_{j+1}, the recurrence the other way
 * with the coefficients moved one step against it.
 */
export const recurTransposed = (a: Val, yBar: Val, { axis, reverse }: ScanParams): Val => {
  const back = { axis, reverse: !reverse }
  return recur(previous(a, back, 0), yBar, back)
}

/** A sampler of one scanned tensor (rank 1–3) and its scan params. */
export const scanDomain = (
  iv: Interval,
  special: Domain<ScanParams>['special'],
  separated = false,
): Domain<ScanParams> => ({
  sample: (draw) => {
    const shape = Array.from({ length: draw.integer(1, 3) }, () => draw.integer(1, 4))
    const axis = draw.integer(0, shape.length - 1)
    const reverse = draw.integer(0, 1) === 1
    const x = separated ? drawSeparated(draw, [shape], iv)[0]! : drawValue(draw, shape, iv)
    return { args: [x], params: { axis, reverse } }
  },
  ...(special === undefined ? {} : { special }),
})

// ---- linearRecurrence -------------------------------------------------------------------------

/**
 * Primitive `linearRecurrence`: h_i = a_i·h_{i−1} + b_i along the scan from h_0 = b_0, with
 * zero-annihilating products (0 times ±∞ or NaN is 0: it carries tangents and cotangents). `a`
 * and `b` have one shape. Linear in `b`; the derivative in `a` is the recurrence again:
 * dh = recur(a, da·h_{i−1} + db), and the pullback is the recurrence run backwards.
 */
export const linearRecurrenceP: Primitive<ScanParams> = define<ScanParams>({
  name: 'linearRecurrence',
  arity: 2,
  zeroDerivative: false,
  impl: ([a, b], { axis, reverse }) => {
    const ta = asTensor(a!)
    const tb = asTensor(b!)
    return new Tensor(linearRecurrenceK(ta.data, tb.data, tb.shape, axis, reverse), tb.shape)
  },
  shape: ([a, b], params) => {
    if (!shapesEqual(a!, b!)) {
      throw new ShapeError('the coefficients and the inputs of a recurrence differ in shape', {
        primitive: 'linearRecurrence',
        shapes: [a!, b!],
        hint: 'broadcast a and b to one shape first',
      })
    }
    return scanShape(b!, params, 'linearRecurrence')
  },
  jvp: ([a], [aDot, bDot], h, params) => {
    if ((aDot ?? null) === null && (bDot ?? null) === null) return null
    const drive = sumTangents(
      [aDot == null ? null : safeMulV(aDot, previous(h, params, 0)), bDot ?? null],
      h,
    )
    return recur(a!, drive!, params)
  },
  vjp: (hBar, [a], h, params, needs) => {
    const g = recurTransposed(a!, hBar, params)
    return [needs[0] ? safeMulV(g, previous(h, params, 0)) : null, needs[1] ? g : null]
  },
  batch: ([a, b], batched, params, size) =>
    recur(withBatch(a!, batched[0]!, size), withBatch(b!, batched[1]!, size), shifted(params)),
  // h_k = recur(a₀, b_k + Σ_{j=1..k} a_j·h_{k−j, i−1}): coefficient k of a_i·h_{i−1} + b_i
  taylor: ([a, b], params) => {
    const h: Val[] = [recur(a![0]!, b![0]!, params)]
    for (let k = 1; k < b!.length; k++) {
      let drive: Val = b![k]!
      for (let j = 1; j <= k; j++) {
        drive = addV(drive, safeMulV(a![j]!, previous(h[k - j]!, params, 0)))
      }
      h.push(recur(a![0]!, drive, params))
    }
    return h
  },
  domain: {
    sample: (draw) => {
      const shape = Array.from({ length: draw.integer(1, 3) }, () => draw.integer(1, 4))
      const params = { axis: draw.integer(0, shape.length - 1), reverse: draw.integer(0, 1) === 1 }
      return { args: [drawValue(draw, shape, anyReal), drawValue(draw, shape, anyReal)], params }
    },
    // zeros of both signs against ±∞ and NaN, in the coefficients and in the inputs. Each line
    // ends in a NaN coefficient: the Jacobian of a nonlinear scan can hold +∞ and −∞ in one
    // column, whose sum (summed jacrev) is NaN where grad's nested form (1 + a·(1 + a·…))
    // gives ±∞; both are meaningless, and the NaN at the end makes both NaN.
    special: () => [
      {
        args: [
          tensor([
            [0, Infinity, 2, -0, Number.NaN],
            [1, 0, -Infinity, 0.5, Number.NaN],
          ]),
          tensor([
            [1, 0, -0, Infinity, 2],
            [Number.NaN, 3, 0, -1, -Infinity],
          ]),
        ],
        params: { axis: 1, reverse: false },
      },
      { args: [specialTensor([3, 2]), specialTensor([3, 2])], params: { axis: 0, reverse: true } },
    ],
  },
})

/**
 * Applies scan `p` to `x` along `axis` (`null`: over the flattened values, as NumPy), after
 * checking the axis and the options.
 */
export function scanWith(
  p: Primitive<ScanParams>,
  x: Value,
  axis: number | null | undefined,
  options: ScanOptions | undefined,
  op: string,
): Tensor {
  const given: unknown = x
  if (typeof given !== 'number' && !(given instanceof Tensor) && !(given instanceof Tracer)) {
    throw new InvalidArgumentError(`${op} takes a number or a Tensor, got ${show(x)}`, {
      primitive: op,
      hint: 'wrap arrays with tensor(...)',
    })
  }
  const reverse = options?.reverse === undefined ? false : options.reverse
  if (typeof reverse !== 'boolean') {
    throw new InvalidArgumentError(`the reverse option must be a boolean, got ${show(reverse)}`, {
      primitive: op,
      hint: 'pass { reverse: true } to scan from the last element',
    })
  }
  const flat = axis === undefined || axis === null
  const v = flat ? reshape(x, [-1]) : x
  const ax = flat ? 0 : normalizeAxis(axis, shapeOf(v).length, op)
  return bind1(p, v, { axis: ax, reverse }) as Tensor
}
