/**
 * Approximate equality for numbers and tensors, and descriptions of values and of how far apart
 * two values are, for failure messages. Exact laws use `exact` (every element equal: `===` up
 * to the sign of zero); approximate laws state their tolerance where they are defined.
 * @module
 */
import { type Floats, Tensor } from '../index.ts'

/** A number or a concrete tensor: a leaf of a tree, and what law predicates compare. */
export type Numeric = number | Tensor

/**
 * Elementwise tolerance: `a` and `b` agree where |a − b| ≤ atol + rtol·max(|a|, |b|) (the
 * symmetric form of NumPy's `allclose`).
 */
export interface Tolerance {
  /** Relative tolerance, scaled by the larger magnitude. */
  readonly rtol: number
  /** Absolute tolerance, the floor for values near 0. */
  readonly atol: number
}

/**
 * Zero tolerance: every element equal (`0 === -0` holds, NaN never equals anything).
 * @category tolerances
 */
export const exact: Tolerance = { rtol: 0, atol: 0 }

/**
 * The values of `v` in row-major order (a number is one value).
 * @example
 * valuesOf(3) // => Float64Array.of(3)
 * @category tolerances
 */
export const valuesOf = (v: Numeric): Floats =>
  typeof v === 'number' ? Float64Array.of(v) : v.data

/**
 * The shape of `v` (`[]` for a number).
 * @example
 * shapeOfNumeric(tensor([[1, 2]])) // => [1, 2]
 * @category tolerances
 */
export const shapeOfNumeric = (v: Numeric): readonly number[] =>
  typeof v === 'number' ? [] : v.shape

/** Whether `a` and `b` have the same shape (a number and a rank-0 tensor do). */
export const sameShape = (a: Numeric, b: Numeric): boolean => {
  const sa = shapeOfNumeric(a)
  const sb = shapeOfNumeric(b)
  return sa.length === sb.length && sa.every((d, i) => d === sb[i])
}

const close = (x: number, y: number, { rtol, atol }: Tolerance): boolean =>
  x === y || Math.abs(x - y) <= atol + rtol * Math.max(Math.abs(x), Math.abs(y))

/**
 * Whether `a` and `b` have the same shape and agree elementwise within `tol`. A number and a
 * rank-0 tensor of the same value are equal: laws compare values, not representations. Equal
 * infinities agree; NaN agrees with nothing.
 *
 * @example
 * approxEqual(1, 1 + 1e-12, { rtol: 1e-9, atol: 0 }) // => true
 * approxEqual(tensor([1, 2]), tensor([1, 2.1]), { rtol: 1e-3, atol: 0 }) // => false
 * @category tolerances
 */
export const approxEqual = (a: Numeric, b: Numeric, tol: Tolerance): boolean => {
  if (!sameShape(a, b)) return false
  const x = valuesOf(a)
  const y = valuesOf(b)
  for (let i = 0; i < x.length; i++) if (!close(x[i]!, y[i]!, tol)) return false
  return true
}

const formatShape = (v: Numeric): string => `[${shapeOfNumeric(v).join(', ')}]`

/**
 * How far apart `a` and `b` are: the shapes if they differ, else the largest absolute and
 * relative differences and where they occur (row-major index).
 *
 * @example
 * describeDifference(1, 1.5) // => 'max abs diff 5.000e-1, max rel diff 3.333e-1; worst at index 0: 1 vs 1.5 (shape [])'
 * @category tolerances
 */
export const describeDifference = (a: Numeric, b: Numeric): string => {
  if (!sameShape(a, b)) return `shapes differ: ${formatShape(a)} vs ${formatShape(b)}`
  const x = valuesOf(a)
  const y = valuesOf(b)
  let maxAbs = 0
  let maxRel = 0
  let worst = -1
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!
    const yi = y[i]!
    if (xi === yi) continue
    // a NaN on either side, or opposite infinities, counts as an infinite difference
    const abs = Math.abs(xi - yi)
    const d = Number.isNaN(abs) ? Number.POSITIVE_INFINITY : abs
    const rel = d / Math.max(Math.abs(xi), Math.abs(yi))
    if (worst < 0 || d > maxAbs) {
      maxAbs = d
      worst = i
    }
    maxRel = Math.max(maxRel, Number.isNaN(rel) ? Number.POSITIVE_INFINITY : rel)
  }
  if (worst < 0) return `equal (shape ${formatShape(a)})`
  return (
    `max abs diff ${maxAbs.toExponential(3)}, max rel diff ${maxRel.toExponential(3)}; ` +
    `worst at index ${worst}: ${x[worst]} vs ${y[worst]} (shape ${formatShape(a)})`
  )
}

const isPlainObject = (x: object): x is { readonly [key: string]: unknown } => {
  const proto = Object.getPrototypeOf(x)
  return proto === Object.prototype || proto === null
}

/**
 * A tree (numbers and tensors in arrays and plain objects) as one line of text, for failure
 * messages: tensors as `tensor([…], shape=[…])` on one line, long tensors summarized.
 *
 * @example
 * formatTree({ w: tensor([1, 2]), b: 3 }) // => '{ w: tensor([1, 2], shape=[2]), b: 3 }'
 * @category tolerances
 */
export const formatTree = (tree: unknown): string => {
  if (typeof tree === 'number') return String(tree)
  if (tree instanceof Tensor) return tree.toString().replace(/\s*\n\s*/g, ' ')
  if (Array.isArray(tree)) return `[${tree.map(formatTree).join(', ')}]`
  if (typeof tree === 'object' && tree !== null && isPlainObject(tree)) {
    const entries = Object.keys(tree).map((k) => `${k}: ${formatTree(tree[k])}`)
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`
  }
  return String(tree)
}
