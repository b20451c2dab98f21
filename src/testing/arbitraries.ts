/**
 * fast-check arbitraries for derivative code: shapes, tensors of a shape, broadcastable pairs,
 * trees, trees shaped like a given one, and input domains. Every arbitrary shrinks (smaller
 * shapes, simpler numbers), so a failing property reports a small counterexample.
 *
 * Domains are arbitraries of numbers: `real(min, max)` for an interval, `positive` for log and
 * sqrt, `unitInterval` for asin, atanh and probabilities, `dyadic` for exact laws. Their
 * intervals stay away from poles and edges by a margin that central differences with the
 * default step (1e-4) need.
 * @module
 */
import fc from 'fast-check'
import { Dual, Tensor, type Tree } from '../index.ts'
import type { Numeric } from './approx.ts'
import { leavesOf, rebuild } from './flat.ts'

/** A shape: sizes per axis. */
export type Shape = readonly number[]

/** Bounds of a shape arbitrary. */
export interface ShapeOptions {
  /** Fewest axes (default 0). */
  readonly minRank?: number
  /** Most axes (default 3). */
  readonly maxRank?: number
  /** Largest size of an axis (default 4; every size is at least 1). */
  readonly maxSize?: number
}

/**
 * Finite reals in [min, max] (default [−3, 3]), never NaN or infinite.
 * @example
 * fc.sample(real(0, 1), 3).every((x) => x >= 0 && x <= 1) // => true
 * @category arbitraries
 */
export const real = (min = -3, max = 3): fc.Arbitrary<number> =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true })

/**
 * Reals in [0.1, 10]: the domain of `log`, `sqrt` and powers with real exponents, kept a
 * margin away from the pole at 0.
 * @category arbitraries
 */
export const positive: fc.Arbitrary<number> = real(0.1, 10)

/**
 * Reals in [0.01, 0.99]: the open unit interval (probabilities, `asin`, `atanh` after
 * scaling), kept a margin away from its ends.
 * @category arbitraries
 */
export const unitInterval: fc.Arbitrary<number> = real(0.01, 0.99)

/**
 * Dyadic rationals n/64 with |n| ≤ 4096: sums and products of a few are exact in float64, so
 * laws of linear maps and ring laws can be checked with `===` (no tolerance, no seed).
 * @category arbitraries
 */
export const dyadic: fc.Arbitrary<number> = fc.integer({ min: -4096, max: 4096 }).map((n) => n / 64)

/**
 * Dual numbers with dyadic parts, for the exact ring laws of `Dual.Ring`.
 * @category arbitraries
 */
export const dualNumber: fc.Arbitrary<Dual.DualNumber> = fc
  .tuple(dyadic, dyadic)
  .map(([re, eps]) => Dual.dual(re, eps))

/**
 * Shapes of rank `minRank`–`maxRank` (default 0–3) with sizes 1–`maxSize` (default 4).
 * @example
 * fc.sample(shape({ maxRank: 2 }), 5).every((s) => s.length <= 2) // => true
 * @category arbitraries
 */
export const shape = (options: ShapeOptions = {}): fc.Arbitrary<Shape> =>
  fc.array(fc.integer({ min: 1, max: options.maxSize ?? 4 }), {
    minLength: options.minRank ?? 0,
    maxLength: options.maxRank ?? 3,
  })

/**
 * Tensors of the given shape (or of shapes drawn from an arbitrary) with entries from
 * `elements` (default `real()`).
 * @example
 * fc.sample(tensorOf([2, 3], positive), 1)[0]!.shape // => [2, 3]
 * @category arbitraries
 */
export const tensorOf = (
  s: Shape | fc.Arbitrary<Shape>,
  elements: fc.Arbitrary<number> = real(),
): fc.Arbitrary<Tensor> => {
  if (s instanceof fc.Arbitrary) return s.chain((fixed) => tensorOf(fixed, elements))
  const n = s.reduce((a, b) => a * b, 1)
  return fc
    .array(elements, { minLength: n, maxLength: n })
    .map((values) => new Tensor(Float64Array.from(values), s))
}

/**
 * Pairs of shapes that broadcast against each other by NumPy rules: a shape, and two shapes
 * made from it by dropping leading axes and setting some sizes to 1 (a third of the time, the
 * shape twice).
 * @example
 * fc.sample(broadcastablePair(), 1)[0]!.length // => 2
 * @category arbitraries
 */
export const broadcastablePair = (options: ShapeOptions = {}): fc.Arbitrary<[Shape, Shape]> =>
  shape(options).chain((full) => {
    const thin = fc
      .tuple(
        fc.integer({ min: 0, max: full.length }),
        fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
      )
      .map(([drop, ones]) => full.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)))
    return fc.oneof(
      { arbitrary: fc.constant<[Shape, Shape]>([full, full]), weight: 1 },
      { arbitrary: fc.tuple(thin, thin), weight: 2 },
    )
  })

/**
 * Pairs of tensors whose shapes broadcast against each other, entries from `a` and `b`
 * (default `real()` for both).
 * @example
 * const [x, y] = fc.sample(broadcastableTensors(), 1)[0]!
 * add(x, y).shape.length >= Math.max(x.shape.length, y.shape.length) // => true
 * @category arbitraries
 */
export const broadcastableTensors = (
  a: fc.Arbitrary<number> = real(),
  b: fc.Arbitrary<number> = a,
  options: ShapeOptions = {},
): fc.Arbitrary<[Tensor, Tensor]> =>
  broadcastablePair(options).chain(([sa, sb]) => fc.tuple(tensorOf(sa, a), tensorOf(sb, b)))

/** Bounds of a tree arbitrary. */
export interface TreeOptions extends ShapeOptions {
  /** Deepest nesting of arrays and objects (default 3). */
  readonly maxDepth?: number
  /** Entries of the leaves (default `real()`). */
  readonly elements?: fc.Arbitrary<number>
}

/**
 * Trees: numbers and tensors nested in arrays and plain objects (keys from a, b, c, w, x),
 * including empty arrays and objects, and `null` and `undefined` (empty subtrees).
 * @example
 * fc.sample(tree(), 10).length // => 10
 * @category arbitraries
 */
export const tree = (options: TreeOptions = {}): fc.Arbitrary<Tree> => {
  const elements = options.elements ?? real()
  const { tree: arb } = fc.letrec<{ tree: Tree; leaf: Tree; node: Tree }>((tie) => ({
    leaf: fc.oneof(elements, tensorOf(shape(options), elements)),
    node: fc.oneof(
      fc.constantFrom(null, undefined),
      fc.array(tie('tree'), { maxLength: 3 }),
      fc
        .uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'c', 'w', 'x'), tie('tree')), {
          maxLength: 3,
          selector: ([k]) => k,
        })
        .map((entries): Tree => Object.fromEntries(entries)),
    ),
    tree: fc.oneof(
      { maxDepth: options.maxDepth ?? 3, depthSize: 'small' },
      tie('leaf'),
      tie('node'),
    ),
  }))
  return arb
}

/**
 * Trees with the structure and leaf shapes (and kinds) of `template`, entries from `elements`
 * (default `real()`): points near a given one, tangents and cotangents for it.
 * @example
 * const params = { w: tensor([1, 2]), b: 0 }
 * fc.sample(treeLike(params, real(-1, 1)), 1)[0]!.w.shape // => [2]
 * @category arbitraries
 */
export const treeLike = <T>(
  template: T,
  elements: fc.Arbitrary<number> = real(),
): fc.Arbitrary<T> =>
  fc
    .tuple(
      ...leavesOf(template).map(
        (leaf): fc.Arbitrary<Numeric> =>
          typeof leaf === 'number' ? elements : tensorOf(leaf.shape, elements),
      ),
    )
    .map((leaves) => rebuild(template, leaves))
