/**
 * NumPy's integer-array indexing, `gather(x, i, null, j)` for `x[i, :, j]`, and JAX's
 * functional updates `at(x, i, null, j).set/add/mul/min/max(u)`, composed from the gather and
 * scatter primitives: the indexed axes are moved to the front and flattened into one, each
 * index array checked against its own axis and combined into one flat index, so one `take` or
 * one scatter does the work. Index arrays follow ./indexing.ts: float64 integers, a negative
 * one counting once from the end, `IndexError` otherwise, checked in the kernels (under `jit`
 * and `vmap` too); never differentiated.
 *
 * Laws: those of `take`, `scatterAdd` and `scatterMax`, in the registry.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { shapeOf, type Val } from '../core/tracer.ts'
import { tensor } from '../tensor/create.ts'
import { broadcastShapes, type Shape, sizeOf } from '../tensor/shape.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { add, maximum, minimum, mul, neg } from './arithmetic.ts'
import { broadcastToV, reshapeV } from './families.ts'
import { type IndexParams, scatterAddV, takeV } from './gather.ts'
import { type Indices, indicesValue, operand } from './indexing.ts'
import { scatterMaxV, scatterMulV, scatterSetV } from './scatter.ts'
import { transpose } from './structural.ts'

type Value = number | Tensor

/** One entry of a `gather` or `at` index: integer indices, or a whole axis (`null` or `':'`). */
export type Indexer = Indices | null | ':'

/**
 * Where `gather` and `at` read and write: the operand with its indexed axes flattened into
 * one, leading (`flat`), the flat indices into it, and how to move between the layout
 * [indices…, rest…] of a `take` of it and the NumPy result.
 */
interface Plan {
  readonly flat: Val
  readonly idx: Val
  readonly params: IndexParams
  /** take's layout → the NumPy result's. */
  toResult(v: Val): Val
  /** A NumPy-shaped update → take's layout. */
  fromResult(v: Val): Val
  /** The flat operand's shape → x's. */
  back(v: Val): Val
  /** The NumPy result's shape. */
  readonly shape: Shape
}

const isWhole = (v: unknown): boolean => v === null || v === ':'

const identity = (v: Val): Val => v

/** The shape of `x`, checked to have an axis for every indexer. */
const indexed = (x: Value, indexers: readonly Indexer[], op: string): Shape => {
  const s = operand(x, op)
  if (indexers.length > s.length) {
    throw new InvalidArgumentError(`${indexers.length} indexers for rank ${s.length}`, {
      primitive: op,
      shapes: [s],
      hint: 'give at most one indexer per axis (null or ":" takes an axis whole)',
    })
  }
  return s
}

/** The checked structure of `x[indexers]`: x's shape, the indexed axes, their index arrays. */
interface Parsed {
  readonly s: Shape
  readonly axes: readonly number[]
  readonly raw: readonly Val[]
  /** The shape the index arrays broadcast to. */
  readonly bShape: Shape
}

/** `x[indexers]` checked for rank, indexer kinds and broadcasting; errors name `op`. */
const parse = (x: Value, indexers: readonly Indexer[], op: string): Parsed => {
  const s = indexed(x, indexers, op)
  const axes = indexers.flatMap((v, a) => (isWhole(v) ? [] : [a]))
  const raw = axes.map((a) => indicesValue(indexers[a], op))
  const bShape = raw.reduce<Shape>((b, r) => broadcastShapes(b, shapeOf(r), op), [])
  return { s, axes, raw, bShape }
}

/**
 * The plan of `x[indexers]`, NumPy's integer-array indexing, for at least one index array; a
 * bad index value raises `IndexError` naming `op` (in the kernel, so under `jit` too).
 */
const plan = (x: Value, { s, axes, raw, bShape }: Parsed, op: string, wrap = true): Plan => {
  if (axes.length === 1) {
    // one index array: a take along its axis, already in NumPy's layout
    const params = { axis: axes[0]!, batchDims: 0, wrap, op }
    const shape = [...s.slice(0, params.axis), ...shapeOf(raw[0]!), ...s.slice(params.axis + 1)]
    return {
      flat: x,
      idx: raw[0]!,
      params,
      toResult: identity,
      fromResult: identity,
      back: identity,
      shape,
    }
  }
  const ns = axes.map((a) => s[a]!)
  // each made non-negative and checked against its own axis (by reading it out of 0 … n − 1
  // laid along that axis), then combined row-major into one flat index
  const normal = raw.map((r, i) => {
    const a = axes[i]!
    const steps = tensor(
      Float64Array.from({ length: ns[i]! }, (_, j) => j),
      [...new Array<number>(a).fill(1), ns[i]!],
    )
    return reshapeV(takeV(steps, r, { axis: a, batchDims: 0, wrap, op }), shapeOf(r))
  })
  let idx: Val = broadcastToV(normal[0]!, bShape)
  for (let i = 1; i < normal.length; i++) idx = add(mul(idx as Tensor, ns[i]!), normal[i] as Tensor)
  const rest = s.map((_, a) => a).filter((a) => !axes.includes(a))
  const restShape = rest.map((a) => s[a]!)
  const perm = [...axes, ...rest]
  const flat = reshapeV(moveAxes(x, perm), [sizeOf(ns), ...restShape])
  // NumPy: adjacent indexed axes put the index axes where they were, others put them first
  const adjacent = axes[axes.length - 1]! - axes[0]! === axes.length - 1
  const before = adjacent ? rest.filter((a) => a < axes[0]!).length : 0
  const k = bShape.length
  // take's layout is [index axes, rest]; the result's puts the index axes after `before`
  const toPerm = [...range(k, k + before), ...range(0, k), ...range(k + before, k + rest.length)]
  return {
    flat,
    idx,
    params: { axis: 0, batchDims: 0, wrap: false },
    toResult: (v) => moveAxes(v, toPerm),
    fromResult: (v) => moveAxes(v, inverse(toPerm)),
    back: (v) => moveAxes(reshapeV(v, [...ns, ...restShape]), inverse(perm)),
    shape: toPerm.map((p) => [...bShape, ...restShape][p]!),
  }
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(to - from, 0) }, (_, i) => from + i)

const inverse = (perm: readonly number[]): number[] => {
  const inv = new Array<number>(perm.length)
  perm.forEach((p, i) => {
    inv[p] = i
  })
  return inv
}

const moveAxes = (v: Val, perm: readonly number[]): Val =>
  perm.every((p, i) => p === i) ? v : transpose(v as Tensor, perm)

/**
 * NumPy's integer-array indexing, `x[i, :, j]` written `gather(x, i, null, j)`: each indexer
 * is integer indices (a number, an array or a tensor) or `null` / `':'` for a whole axis;
 * missing trailing indexers take their axes whole. The index arrays broadcast together to one
 * shape B; where they index adjacent axes, B takes their place in the result, otherwise it comes
 * first (NumPy's rule). A plain number is a 0-d index array: it removes its axis.
 *
 * Derivative: linear in `x`; the cotangent is added back at the indexed positions (duplicates
 * accumulate). Throws `IndexError` for an index that is not an integer in [−n, n) of its axis,
 * `ShapeError` when index arrays do not broadcast, `InvalidArgumentError` for more indexers than
 * axes or an indexer of the wrong kind.
 * @example
 * const x = tensor([[1, 2, 3], [4, 5, 6]])
 * gather(x, [1, 0], [2, 2]).toArray() // => [6, 3]
 * gather(x, null, [0, 0]).toArray() // => [[1, 1], [4, 4]]
 * gather(x, 1).toArray() // => [4, 5, 6]
 * @category indexing
 */
export function gather(x: Value, ...indexers: readonly Indexer[]): Tensor {
  if (indexers.every(isWhole)) {
    indexed(x, indexers, 'gather')
    return x as Tensor
  }
  const p = plan(x, parse(x, indexers, 'gather'), 'gather')
  return p.toResult(takeV(p.flat, p.idx, p.params)) as Tensor
}

/** The functional updates of `at(x, …indexers)`, each returning a new tensor. */
export interface AtUpdate {
  /** `gather(x, …indexers)`. */
  get(): Tensor
  /** x with the indexed entries replaced by `updates` (broadcast); the last duplicate wins. */
  set(updates: Value): Tensor
  /** x with `updates` added at the indexed entries; duplicates accumulate. */
  add(updates: Value): Tensor
  /** x with the indexed entries multiplied by `updates`; duplicates multiply in. */
  mul(updates: Value): Tensor
  /** x with each indexed entry the minimum of itself and its updates. */
  min(updates: Value): Tensor
  /** x with each indexed entry the maximum of itself and its updates. */
  max(updates: Value): Tensor
}

/**
 * Functional updates at integer-array indices, JAX's `x.at[i, :, j].add(y)`: the indexers are
 * `gather`'s, and `updates` broadcast to the shape `gather(x, …indexers)` has. Nothing is
 * mutated; each method returns a new tensor. Where an index repeats, `add` accumulates, `mul`
 * multiplies, `min`/`max` take the extreme, and `set` keeps the last update (in index order).
 *
 * Derivatives (JAX's rules): add — x̄ = ȳ, ū = ȳ gathered; set — x̄ = ȳ with the updated entries
 * zeroed, ū = ȳ gathered for the winning update, 0 for overwritten duplicates; mul — the product
 * rule, exact at zeros and with duplicates at every order (a segmented scan of products, no
 * division); min/max — the entries equal to the result get the derivative, split evenly among
 * ties (x's entry included), as `max` and `maximum` split theirs.
 *
 * Throws what `gather` throws, and `ShapeError` when `updates` do not broadcast to its shape.
 * @example
 * const x = tensor([1, 2, 3])
 * at(x, [0, 0, 2]).add(10).toArray() // => [21, 2, 13]
 * at(x, -1).set(0).toArray() // => [1, 2, 0]
 * at(x, [1, 1]).mul(tensor([3, 4])).toArray() // => [1, 24, 3]
 * @category indexing
 */
export function at(x: Value, ...indexers: readonly Indexer[]): AtUpdate {
  return atIndices(x, indexers, 'at', true, (method) => `at(...).${method}`)
}

/**
 * `at` for `op`: with `wrap` off, a negative index throws `IndexError` instead of counting from
 * the end (windows of `dynamicUpdateSlice`). A bad indexer throws when `at` is called, naming
 * `op`; a bad index value when an update runs, naming `named(method)`, the call the user wrote.
 * @internal
 */
export function atIndices(
  x: Value,
  indexers: readonly Indexer[],
  op: string,
  wrap: boolean,
  named: (method: keyof AtUpdate) => string,
): AtUpdate {
  if (indexers.every(isWhole)) return atWhole(x, indexers)
  const parsed = parse(x, indexers, op)
  const update =
    (method: keyof AtUpdate, scatter: (x: Val, idx: Val, u: Val, params: IndexParams) => Val) =>
    (updates: Value): Tensor => {
      const p = plan(x, parsed, named(method), wrap)
      const u = p.fromResult(broadcastToV(updates, p.shape))
      return p.back(scatter(p.flat, p.idx, u, p.params)) as Tensor
    }
  const scatterMin = (a: Val, idx: Val, u: Val, params: IndexParams): Val =>
    neg(scatterMaxV(neg(a as Tensor), idx, neg(u as Tensor), params) as Tensor)
  return {
    get: () => {
      const p = plan(x, parsed, named('get'), wrap)
      return p.toResult(takeV(p.flat, p.idx, p.params)) as Tensor
    },
    set: update('set', scatterSetV),
    add: update('add', scatterAddV),
    mul: update('mul', scatterMulV),
    min: update('min', scatterMin),
    max: update('max', scatterMaxV),
  }
}

/** `at` with every axis whole: the updates act elementwise on all of x. */
const atWhole = (x: Value, indexers: readonly Indexer[]): AtUpdate => {
  const s = indexed(x, indexers, 'at')
  const full = (u: Value) => broadcastToV(u, s) as Tensor
  return {
    get: () => x as Tensor,
    set: full,
    add: (u) => add(x, full(u)),
    mul: (u) => mul(x, full(u)),
    min: (u) => minimum(x, full(u)),
    max: (u) => maximum(x, full(u)),
  }
}
