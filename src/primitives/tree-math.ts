/**
 * Arithmetic on whole trees, leaf by leaf, written in fluxion ops so that it differentiates,
 * batches and compiles: the vector-space operations optimizers and solvers apply to parameter
 * trees (`treeAdd`, `treeSub`, `treeScale`), the inner product `treeDot` and the global 2-norm
 * `treeNorm`. Each keeps every leaf's kind: a number leaf stays a number.
 *
 * Laws: tree-roundtrip; `treeDot(t, t) = treeNorm(t)²`; `treeSub(treeAdd(a, b), b) = a` on
 * dyadic rationals.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { isNumberKind, shapeOf, type Val } from '../core/tracer.ts'
import { flatten, flattenAs, type TreeDef, unflatten } from '../core/tree.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { add, mul, sub } from './arithmetic.ts'
import { greater, where } from './comparison.ts'
import { sqrt, square } from './elementwise.ts'
import { sum } from './reduction.ts'
import { conformKind } from './structural.ts'

type Value = number | Tensor

/** The leaves of `a` and of `b`, which must have `a`'s structure and leaf shapes. */
const pairLeaves = (
  a: unknown,
  b: unknown,
  op: string,
): { readonly def: TreeDef; readonly xs: Val[]; readonly ys: Val[] } => {
  const { leaves, def } = flatten(a, 'a')
  const ys = flattenAs(def, b, 'b', undefined, {
    against: 'a',
    primitive: op,
    hint: `${op} combines trees of one structure: same array lengths, object keys and leaf shapes`,
  })
  return { def, xs: leaves, ys }
}

/** The tree of `combine(aLeaf, bLeaf)`, each result of its `a` leaf's kind. */
const leafwise = <T>(a: T, b: T, op: string, combine: (x: Value, y: Value) => Value): T => {
  const { def, xs, ys } = pairLeaves(a, b, op)
  return unflatten(
    def,
    xs.map((x, i) => sameKind(combine(x as Value, ys[i] as Value), x)),
  ) as T
}

/** `y` with the kind of `like`: a rank-0 result where a number was is a number again. */
const sameKind = (y: Val, like: Val): Val =>
  isNumberKind(like) && !isNumberKind(y) ? conformKind(y, 'number') : y

/**
 * `a + b`, leaf by leaf. `b` must have the structure and leaf shapes of `a`.
 *
 * Derivative: linear, ∂/∂a = ∂/∂b = identity. Throws `TreeMismatchError` when the trees differ.
 * @example
 * treeAdd({ w: tensor([1, 2]), b: 3 }, { w: tensor([10, 20]), b: 30 }).b // => 33
 * @category trees
 */
export function treeAdd<T>(a: T, b: T): T {
  return leafwise(a, b, 'treeAdd', add)
}

/**
 * `a − b`, leaf by leaf. `b` must have the structure and leaf shapes of `a`.
 *
 * Derivative: linear, ∂/∂a = identity, ∂/∂b = −identity. Throws `TreeMismatchError` when the
 * trees differ.
 * @example
 * treeSub([5, tensor([3, 4])], [1, tensor([1, 1])])[1].toArray() // => [2, 3]
 * @category trees
 */
export function treeSub<T>(a: T, b: T): T {
  return leafwise(a, b, 'treeSub', sub)
}

/**
 * `c · tree`: every leaf multiplied by the scalar `c` (a number, possibly traced, or a rank-0
 * tensor).
 *
 * Derivative: d(c·t) = dc·t + c·dt. Throws `InvalidArgumentError` when `c` is not a scalar.
 * @example
 * treeScale(2, { w: tensor([1, 2]), b: 3 }).w.toArray() // => [2, 4]
 * @category trees
 */
export function treeScale<T>(c: number, tree: T): T {
  const scalar: unknown = c
  if (
    (typeof scalar !== 'number' && (typeof scalar !== 'object' || scalar === null)) ||
    shapeOf(c).length !== 0
  ) {
    throw new InvalidArgumentError('treeScale takes a scalar first: treeScale(c, tree)', {
      primitive: 'treeScale',
      hint: 'scale by a number or a rank-0 tensor; for leafwise factors use treeMap',
    })
  }
  const { leaves, def } = flatten(tree, 'tree')
  return unflatten(
    def,
    leaves.map((x) => sameKind(mul(c, x as Value), x)),
  ) as T
}

/**
 * The inner product Σ over leaves of Σ xᵢ·yᵢ (`vdot` of the flattened trees), as a number.
 * `b` must have the structure and leaf shapes of `a`; an empty tree gives 0.
 *
 * Derivative: bilinear, ∂/∂a = b, ∂/∂b = a. Throws `TreeMismatchError` when the trees differ.
 * @example
 * treeDot({ w: tensor([1, 2]), b: 3 }, { w: tensor([3, 4]), b: 2 }) // => 17
 * grad((t: number[]) => treeDot(t, t))([1, 2]) // => [2, 4]
 * @category trees
 */
export function treeDot<T>(a: T, b: T): number {
  const { xs, ys } = pairLeaves(a, b, 'treeDot')
  let total: Value = 0
  xs.forEach((x, i) => {
    total = add(total, sum(mul(x as Value, ys[i] as Value)))
  })
  return conformKind(total, 'number') as number
}

/**
 * The global 2-norm √(Σ over leaves of Σ x²), as a number; 0 for an empty tree.
 *
 * Derivative: d‖t‖ = ⟨t, dt⟩/‖t‖, and 0 at t = 0 (a subgradient) instead of the NaN that
 * √ would give there: the square root is only evaluated where the sum is positive.
 * @example
 * treeNorm({ a: 3, b: tensor([4]) }) // => 5
 * grad((t: number[]) => treeNorm(t))([0, 0]) // => [0, 0]
 * @category trees
 */
export function treeNorm<T>(tree: T): number {
  let squares: Value = 0
  for (const x of flatten(tree, 'tree').leaves) squares = add(squares, sum(square(x as Value)))
  // sqrt′(0) = ∞ would turn the zero cotangent of every leaf into NaN; the inner where keeps
  // sqrt away from 0, the outer one gives the value (and derivative) 0 there
  const positive = greater(squares, 0)
  const norm = where(positive, sqrt(where(positive, squares, 1)), 0)
  return conformKind(norm, 'number') as number
}
