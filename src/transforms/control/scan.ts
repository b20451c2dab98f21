/**
 * `scan` and `foriLoop`: loops of a fixed trip count, as JAX's `lax.scan` and `lax.fori_loop`.
 * Eagerly they are plain loops; every transformation sees one scan (./scan-rule.ts), and `jit`
 * compiles the body once, not once per step.
 * @module
 */
import { ConcretizationError, InvalidArgumentError, ShapeError } from '../../core/errors.ts'
import { isTracer, shapeOf, type Val } from '../../core/tracer.ts'
import { flatten, flattenAs, type LeafDef, leafDefs, unflatten } from '../../core/tree.ts'
import { value } from '../../core/value.ts'
import { add } from '../../primitives/arithmetic.ts'
import { less } from '../../primitives/comparison.ts'
import { arange } from '../../tensor/create.ts'
import { show } from '../../tensor/shape.ts'
import type { Tensor } from '../../tensor/tensor.ts'
import { checked } from './check.ts'
import { bindScan, type FlatStep, sliceOf } from './scan-rule.ts'
import { checkpointOf, segmented } from './segments.ts'
import { checkFn, conform, type OutDef, outputLeaves, showShape } from './shared.ts'
import { whileLoop } from './while.ts'

/** Options of `scan`. */
export interface ScanLoopOptions {
  /** The trip count; required when `xs` has no leaves, else it must equal their leading axis. */
  readonly length?: number | undefined
  /** Runs from the last slice of xs to the first (ys stay in xs's order), as JAX's `reverse`. */
  readonly reverse?: boolean | undefined
  /**
   * Reverse mode stores every step's input carry. With `checkpoint: k`, it stores one carry per
   * segment of k steps and runs each segment again in the backward pass (`'sqrt'`: k = ⌈√n⌉, so
   * memory O(√n) carries for one more forward pass). Values are unchanged.
   */
  readonly checkpoint?: number | 'sqrt' | undefined
  /**
   * Under `jit`, the number of steps compiled as one body (JAX's `unroll`): fewer calls per
   * loop, and elementwise chains fused across steps. No effect eagerly; values are unchanged.
   * Default 1.
   */
  readonly unroll?: number | undefined
}

/**
 * A carry as a body may return it: where the initial carry has a number, a tensor of shape []
 * (what ops on numbers and tensors give) is taken too, and made a number again.
 */
export type CarryOf<C, Depth extends unknown[] = []> = Depth['length'] extends 8
  ? C
  : C extends number
    ? number | Tensor
    : C extends Tensor
      ? Tensor
      : C extends readonly unknown[]
        ? { readonly [K in keyof C]: CarryOf<C[K], [...Depth, unknown]> }
        : C extends object
          ? { readonly [K in keyof C]: CarryOf<C[K], [...Depth, unknown]> }
          : C

const checkLength = (n: unknown, what: string): number => {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`scan: ${what} must be a non-negative integer, got ${show(n)}`, {
      primitive: 'scan',
      hint: 'give the number of steps as a JS integer (a trip count fixes the program)',
    })
  }
  return n
}

/**
 * Scans `f` over the leading axis of `xs`, threading a carry: for i = 0 … n − 1,
 * `[carry, ys[i]] = f(carry, xs[i])`; returns the final carry and the ys stacked along a new
 * leading axis. `init`, `xs` and the outputs are trees (arrays and plain objects of numbers and
 * tensors); the carry keeps its tree structure and leaf shapes from step to step. This is
 * JAX's `lax.scan`, with its semantics.
 *
 * Derivatives: forward mode scans the body's JVP; reverse mode stores each step's input carry
 * and runs a reverse scan of the body's VJP (memory n carries; `checkpoint` trades it for
 * recomputation); `vmap` scans the body's vmap. Under `jit` the body is compiled once, so
 * compile time does not grow with n.
 *
 * Throws `TreeMismatchError` when the body returns a carry of another structure or leaf shape
 * (naming the leaf), `ShapeError` when the leaves of xs disagree on their leading axis or with
 * `length`, and `InvalidArgumentError` when f does not return a pair.
 * @example
 * // a running sum and the partial sums
 * const [total, partials] = scan((c: number, x: Tensor) => [add(c, x), add(c, x)], 0, tensor([1, 2, 3]))
 * total // => 6
 * partials.toArray() // => [1, 3, 6]
 * // its derivative goes through the loop
 * grad((x: Tensor) => sum(scan((c: Tensor, w: Tensor) => [mul(c, w), c], x, tensor([2, 3]))[0]))(tensor([1])).toArray() // => [6]
 * @category control flow
 */
export function scan<C, X, Y>(
  f: (carry: C, x: X) => readonly [CarryOf<C>, Y],
  init: C,
  xs: X,
  options?: ScanLoopOptions,
): [C, Y] {
  checkFn(f, 'scan', 'the body')
  const carry = flatten(init, 'init')
  const xsFlat = flatten(xs, 'xs')
  const lengths = xsFlat.leaves.map((l) => {
    const s = shapeOf(l)
    if (s.length === 0) {
      throw new ShapeError(
        `scan: every leaf of xs needs a leading axis to scan over, got a scalar`,
        {
          primitive: 'scan',
          hint: 'stack the values to scan over along axis 0, or pass them in the carry',
        },
      )
    }
    return s[0]!
  })
  const given = options?.length === undefined ? undefined : checkLength(options.length, 'length')
  const length = given ?? lengths[0]
  if (length === undefined) {
    throw new InvalidArgumentError('scan: xs has no leaves, so give the trip count as { length }', {
      primitive: 'scan',
      hint: 'scan(f, init, null, { length: n })',
    })
  }
  if (lengths.some((n) => n !== length)) {
    throw new ShapeError(
      `scan: the leaves of xs must share their leading axis${given === undefined ? '' : ` and equal length ${given}`}, got leading axes ${showShape(lengths)}`,
      { primitive: 'scan', hint: 'every leaf of xs holds one slice per step along axis 0' },
    )
  }
  const segment = checkpointOf(options?.checkpoint, length)
  const unroll = options?.unroll === undefined ? 1 : checkLength(options.unroll, 'unroll')
  if (unroll < 1) {
    throw new InvalidArgumentError('scan: unroll must be at least 1', {
      primitive: 'scan',
      hint: 'unroll: k compiles k steps as one body under jit',
    })
  }
  const reverse = options?.reverse === true
  const xDefs: LeafDef[] = leafDefs(xsFlat.def).map(sliceOf)
  const ys: OutDef = { def: undefined }
  const step: FlatStep = (c, x) => {
    const out = f(unflatten(carry.def, c) as C, unflatten(xsFlat.def, x) as X)
    if (!Array.isArray(out) || out.length !== 2) {
      throw new InvalidArgumentError(`scan: the body must return [carry, y], got ${show(out)}`, {
        primitive: 'scan',
        hint: 'return a pair: the next carry and this step’s output (null for none)',
      })
    }
    const next = flattenAs(carry.def, out[0], 'the carry the body returned', 'scan', {
      against: 'the initial carry',
      hint: 'a scan’s carry keeps its tree structure and leaf shapes from step to step',
    })
    const y = outputLeaves(
      ys,
      out[1],
      'scan',
      'y',
      'the first step’s y',
      'every step must return a y of one tree structure',
    )
    return [conform(next, carry.leafDefs), y]
  }
  const run = (c: readonly Val[], x: readonly Val[], n: number, rev: boolean): Val[] =>
    bindScan(
      {
        name: 'scan',
        step,
        length: n,
        reverse: rev,
        unroll,
        carry: carry.leafDefs,
        x: xDefs,
        y: { defs: undefined },
      },
      [...c, ...x],
    )
  const leaves =
    segment === undefined || segment >= length
      ? run(carry.leaves, xsFlat.leaves, length, reverse)
      : segmented(run, carry.leaves, xsFlat.leaves, length, segment, reverse)
  const nc = carry.leaves.length
  if (ys.def === undefined) ys.def = flatten(null, 'y').def
  return [unflatten(carry.def, leaves.slice(0, nc)) as C, unflatten(ys.def, leaves.slice(nc)) as Y]
}

const NUMBER: LeafDef = { kind: 'leaf', number: true, shape: [] }

/**
 * A loop bound as a JS number: itself, or the number a transformation's value holds (a bound
 * carries no derivative); undefined where it is data — traced by `jit`, or batched by `vmap`.
 */
const boundOf = (b: number): number | undefined => {
  if (!isTracer(b)) return b
  try {
    const v = value(b)
    return typeof v === 'number' ? v : undefined
  } catch (e) {
    if (e instanceof ConcretizationError) return undefined
    throw e
  }
}

/** Refuses a loop bound that is not an integer (NaN and ±∞ included). */
const integerBound =
  (what: 'lo' | 'hi') =>
  (b: unknown): void => {
    if (typeof b !== 'number' || !Number.isInteger(b)) {
      throw new InvalidArgumentError(`foriLoop: ${what} must be an integer, got ${show(b)}`, {
        primitive: 'foriLoop',
        hint: 'loop bounds are integers: foriLoop(0, n, body, init)',
      })
    }
  }

/** A bound that is data, checked now and on every `jit` replay. */
const checkedBound = (b: number, what: 'lo' | 'hi'): number =>
  checked('foriLoop', integerBound(what), b) as number

/**
 * `body(i, carry)` for i = lo … hi − 1, from `init`: JAX's `lax.fori_loop`. With bounds that
 * are JS numbers (or values of `grad`/`jvp`, read as numbers: a bound has no derivative) it is
 * a `scan` — reverse-differentiable, compiled once by `jit`, with `scan`'s `unroll` and
 * `checkpoint` options; with bounds traced by `jit` or batched by `vmap` it is a `whileLoop`
 * (forward-differentiable only). `i` is a number
 * (traced under `jit`), so index with it through ops that take traced indices (`take`,
 * `dynamicSlice`).
 *
 * Throws `InvalidArgumentError` for bounds that are not integers (NaN and ±∞ included), traced
 * ones too: a `jit` program checks them on every call, `vmap` every example's.
 * @example
 * foriLoop(0, 5, (i: number, acc: number) => add(acc, i), 0) // => 10
 * // compound interest, differentiated through 12 steps: d/dr (1 + r)¹²
 * grad((r: number) => foriLoop(0, 12, (_i: number, a: number) => mul(a, add(1, r)), 1))(0) // => 12
 * @category control flow
 */
export function foriLoop<C>(
  lo: number,
  hi: number,
  body: (i: number, carry: C) => CarryOf<C>,
  init: C,
  options?: Pick<ScanLoopOptions, 'unroll' | 'checkpoint'>,
): C {
  checkFn(body, 'foriLoop', 'the body')
  const bounds = [boundOf(lo), boundOf(hi)]
  if (bounds[0] === undefined || bounds[1] === undefined) {
    // a bound that jit traces (or vmap batches): the trip count is data, so a while loop; its
    // bounds checked on every call's values, as a JS bound is checked here
    const [first, last] = [checkedBound(lo, 'lo'), checkedBound(hi, 'hi')]
    const [, out] = whileLoop(
      ([i]: readonly [number, C]) => less(i, last),
      ([i, c]: readonly [number, C]) => [add(i, 1), body(i, c)] as const as never,
      [first, init] as const,
    )
    return out
  }
  ;[lo, hi] = bounds as [number, number]
  integerBound('lo')(lo)
  integerBound('hi')(hi)
  if (hi <= lo) return init
  const [out] = scan(
    (c: C, i: Tensor) => [body(conform([i], [NUMBER])[0] as number, c), null] as const,
    init,
    arange(lo, hi),
    options ?? {},
  )
  return out
}
