/**
 * Functions of trees seen as functions of leaves. Every law is stated for a function of any
 * trees (numbers and tensors in arrays and plain objects); it is computed on the function of
 * the arguments' leaves that returns the output's leaves, so one implementation serves a
 * primitive, a composition and a user's model alike.
 * @module
 */
import { type Loose, type TreeLeaf, treeLeaves, treeMap } from '../index.ts'
import type { Numeric } from './approx.ts'

/**
 * A tree like `T`: of its structure and leaf shapes, where a number may stand for a rank-0
 * tensor (`T` itself is always accepted, also when generic).
 */
export type Like<T> = T | Loose<T>

/** A function of leaves returning its output's leaves: what the laws are computed on. */
export type FlatFn = (...xs: Numeric[]) => Numeric[]

/** The leaves of `tree`, in flatten order (arrays by index, objects by key order). */
export const leavesOf = (tree: unknown): Numeric[] => treeLeaves(tree)

/**
 * The leaves of `tree`, which must have `template`'s structure and leaf shapes (a number may
 * stand for a rank-0 tensor). Throws `TreeMismatchError` otherwise.
 */
export const leavesLike = (template: unknown, tree: unknown): Numeric[] =>
  treeLeaves(treeMap((_x, t) => t, template, tree))

/** A tree of `template`'s structure holding `leaves`, in flatten order. */
export const rebuild = <T>(template: T, leaves: readonly unknown[]): T => {
  let next = 0
  // inside a transformation the leaves are traced values, which travel as their primal's type
  return treeMap(() => leaves[next++] as TreeLeaf, template)
}

/** `f` as a function of the leaves of arguments shaped like `args`, returning output leaves. */
export const flatFunction =
  <A extends readonly unknown[]>(f: (...args: A) => unknown, args: A): FlatFn =>
  (...xs) =>
    leavesOf(f(...rebuild(args, xs)))

/** `g` (a function of one tree shaped like `y`) as a function of `y`'s leaves. */
export const flatUnary =
  <B>(g: (y: B) => unknown, y: B): FlatFn =>
  (...ys) =>
    leavesOf(g(rebuild(y, ys)))
