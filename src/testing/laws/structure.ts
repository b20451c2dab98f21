/**
 * Laws about the shape of derivatives rather than their values:
 *
 * - `unbroadcast`: for a function that broadcasts its arguments against each other (NumPy
 *   rules), the cotangent of each argument has that argument's shape and kind, and equals the
 *   cotangent of the argument broadcast to the output's shape, summed over the broadcast axes.
 * - `tree-roundtrip`: a tree survives flattening and every transformation unchanged —
 *   `treeMap` of the identity, rebuilding from its leaves, `jvp` and `vjp` of the identity all
 *   give back its structure, leaf kinds and values; `grad` of the sum of all its entries is a
 *   tree of its structure holding ones.
 * - `perturbation-confusion` (ForwardDiff's ConfusionTest, Siskind and Pearlmutter): nested
 *   derivatives keep their perturbations apart, for every pairing of forward and reverse mode:
 *   d/dx [x · d/dy (x + y)] = 1 and d/dx [x · d/dy (x·y)] = 2x, exactly.
 *
 * Laws: unbroadcast, tree-roundtrip, perturbation-confusion.
 * @module
 */
import {
  add,
  grad,
  jvp,
  type Loose,
  mul,
  sum,
  Tensor,
  type Tree,
  treeLeaves,
  treeMap,
  vjp,
} from '../../index.ts'
import { exact, type Numeric, shapeOfNumeric, type Tolerance } from '../approx.ts'
import { flatFunction, leavesOf, rebuild } from '../flat.ts'
import { type Equation, type Mode, scaleAtol } from '../law.ts'
import { broadcastValues, concrete, like, maxAbsAll, sumAbsToShape, sumToShape } from '../vector.ts'

/**
 * Tolerance of `unbroadcast`: the two sides sum the same terms in a different order, so
 * rtol 1e-12 and atol 1e-13 scaled by the sum of the terms' absolute values.
 * @category tolerances
 */
export const unbroadcastTolerance: Tolerance = { rtol: 1e-12, atol: 1e-13 }

const kindOf = (v: Numeric): string =>
  typeof v === 'number' ? 'a number' : `a tensor of shape [${v.shape.join(', ')}]`

/**
 * Law `unbroadcast` for `f` broadcasting its arguments `xs` elementwise to one output: with
 * output cotangent `yBar`, each argument's cotangent has the argument's kind and shape, and
 * equals the cotangent that `f` gives the argument broadcast to the output's shape, summed
 * back over the broadcast axes.
 *
 * Tolerance: `unbroadcastTolerance` (exact at dyadic points of linear maps).
 *
 * @example
 * holds(unbroadcast(mul)([tensor([1, 2]), tensor([[1], [2], [3]])], ones([3, 2]))) // => true
 * @category laws
 */
export const unbroadcast =
  <A extends readonly unknown[]>(
    f: (...args: A) => unknown,
    tol: Tolerance = unbroadcastTolerance,
  ) =>
  (xs: A, yBar: unknown): Equation => {
    const F = flatFunction(f, xs)
    const x = leavesOf(xs)
    const [y, pullback] = vjp(F, ...x)
    const out = y[0]
    if (y.length !== 1 || out === undefined) {
      return {
        law: 'unbroadcast',
        lhs: [],
        rhs: [],
        tol,
        mismatch: `stated for one output leaf, got ${y.length}`,
      }
    }
    const yBars = leavesOf(yBar)
    const xBars = pullback(yBars).map(concrete)
    const full = x.map((leaf) => broadcastValues(leaf, shapeOfNumeric(out)))
    const fullBars = vjp(F, ...full)[1](yBars).map(concrete)
    const wrongKind = xBars.findIndex((b, i) => kindOf(b) !== kindOf(x[i]!))
    return {
      law: 'unbroadcast',
      lhs: xBars,
      rhs: fullBars.map((b, i) => sumToShape(b, x[i]!)),
      tol: scaleAtol(tol, maxAbsAll(fullBars.map((b, i) => sumAbsToShape(b, x[i]!)))),
      labels: x.map((_, i) => `cotangent of argument leaf ${i}`),
      ...(wrongKind < 0
        ? {}
        : {
            mismatch:
              `the cotangent of argument leaf ${wrongKind} is ${kindOf(xBars[wrongKind]!)}, ` +
              `but the argument is ${kindOf(x[wrongKind]!)}`,
          }),
    }
  }

/**
 * The first place where trees `a` and `b` differ in structure or leaf kind (number, or tensor
 * of a shape), where there is one; `undefined` when they have the same structure. `null` and
 * `undefined` are empty subtrees, each equal only to itself.
 * @example
 * structureDifference({ a: [1] }, { a: [tensor(1)] }) // => 'tree.a[0]: a number vs a tensor of shape []'
 * @category laws
 */
export const structureDifference = (a: unknown, b: unknown, path = 'tree'): string | undefined => {
  // null and undefined are empty subtrees: structure without leaves, kept as they are
  if (a === null || a === undefined) {
    return a === b ? undefined : `${path}: ${describe(a)} vs ${describe(b)}`
  }
  if (typeof a === 'number' || a instanceof Tensor) {
    const same =
      typeof a === 'number' ? typeof b === 'number' : b instanceof Tensor && kindOf(a) === kindOf(b)
    return same ? undefined : `${path}: ${describe(a)} vs ${describe(b)}`
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length)
      return `${path}: ${describe(a)} vs ${describe(b)}`
    for (let i = 0; i < a.length; i++) {
      const d = structureDifference(a[i], b[i], `${path}[${i}]`)
      if (d !== undefined) return d
    }
    return undefined
  }
  if (
    typeof a !== 'object' ||
    a === null ||
    typeof b !== 'object' ||
    b === null ||
    Array.isArray(b)
  ) {
    return `${path}: ${describe(a)} vs ${describe(b)}`
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.join('\u0000') !== kb.join('\u0000')) return `${path}: keys {${ka}} vs {${kb}}`
  const ra = a as { readonly [key: string]: unknown }
  const rb = b as { readonly [key: string]: unknown }
  for (const k of ka) {
    const d = structureDifference(ra[k], rb[k], `${path}.${k}`)
    if (d !== undefined) return d
  }
  return undefined
}

const describe = (v: unknown): string =>
  typeof v === 'number' || v instanceof Tensor
    ? kindOf(v)
    : Array.isArray(v)
      ? `an array of ${v.length}`
      : typeof v === 'object' && v !== null
        ? 'an object'
        : String(v)

/**
 * Law `tree-roundtrip` for `tree`: `treeMap` of the identity, rebuilding from `treeLeaves`,
 * `jvp` of the identity (tangent: the tree itself) and `vjp` of the identity (cotangent: the
 * tree itself) all return a tree of the same structure, leaf kinds and values; `grad` of the
 * sum of all entries returns a tree of the same structure and kinds holding ones. Exact.
 *
 * @example
 * holds(treeRoundtrip({ w: tensor([1, 2]), b: [3, { c: 4 }] })) // => true
 * @category laws
 */
export const treeRoundtrip = (tree: Tree): Equation => {
  const leaves = leavesOf(tree)
  const identity = (t: Tree): Tree => t
  const total = (t: Tree) => treeLeaves(t).reduce<Numeric>((acc, l) => add(acc, sum(l)), 0)
  const ones = treeMap((l) => like(l, new Float64Array(shapeSize(l)).fill(1)), tree)
  const routes: readonly (readonly [string, unknown, Tree])[] = [
    ['treeMap of the identity', treeMap((l) => l, tree), tree],
    ['rebuilt from its leaves', rebuild(tree, leaves), tree],
    ['jvp of the identity', jvp(identity, [tree], [tree] as Loose<[Tree]>)[1], tree],
    ['vjp of the identity', vjp(identity, tree)[1](tree as Loose<Tree>)[0], tree],
    ['grad of the sum of its entries', grad(total)(tree), ones],
  ]
  const mismatches = routes.flatMap(([name, result, expected]) => {
    const d = structureDifference(expected, result)
    return d === undefined ? [] : [`${name}: ${d}`]
  })
  const compared = mismatches.length === 0 ? routes : []
  return {
    law: 'tree-roundtrip',
    lhs: compared.flatMap(([, result]) => leavesOf(result)),
    rhs: compared.flatMap(([, , expected]) => leavesOf(expected)),
    tol: exact,
    labels: compared.flatMap(([name, , expected]) =>
      leavesOf(expected).map((_, i) => `${name}, leaf ${i}`),
    ),
    ...(mismatches.length === 0 ? {} : { mismatch: mismatches.join('; ') }),
  }
}

const shapeSize = (l: Numeric): number => shapeOfNumeric(l).reduce((n, d) => n * d, 1)

/** The derivative of a scalar function of one number, in the given mode. */
const derivativeIn =
  (mode: Mode, g: (t: number) => number) =>
  (t: number): number =>
    mode === 'fwd' ? jvp(g, [t], [1])[1] : grad(g)(t)

/**
 * Law `perturbation-confusion` with the `outer` derivative in one mode and the `inner` in
 * another, at `x` and `y`: d/dx [x · d/dy (x + y)] = 1 and d/dx [x · d/dy (x·y)] = 2x. Exact
 * (pass dyadic `x`, `y`): an implementation that confuses the two perturbations gives 2 for
 * the first.
 *
 * @example
 * holds(perturbationConfusion('fwd', 'rev')(1, 1)) // => true
 * @category laws
 */
export const perturbationConfusion =
  (outer: Mode, inner: Mode) =>
  (x: number, y: number): Equation => {
    const first = derivativeIn(outer, (a) => mul(a, derivativeIn(inner, (b) => add(a, b))(y)))(x)
    const second = derivativeIn(outer, (a) => mul(a, derivativeIn(inner, (b) => mul(a, b))(y)))(x)
    return {
      law: 'perturbation-confusion',
      lhs: [first, second],
      rhs: [1, 2 * x],
      tol: exact,
      labels: [
        `${outer} over ${inner}: d/dx [x · d/dy (x + y)]`,
        `${outer} over ${inner}: d/dx [x · d/dy (x·y)]`,
      ],
    }
  }
