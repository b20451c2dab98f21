/**
 * `vmap`: vectorizing map. `vmap(f)` applies `f` to every example of a batch at once, with one
 * kernel call per primitive instead of one per example.
 * @module
 */
import { BatchInterpreter } from '../core/batch.ts'
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { shapeOf, type Val } from '../core/tracer.ts'
import { type Flat, flatten, unflatten } from '../core/tree.ts'
import { formatPath, leafPaths } from '../core/tree-walk.ts'
import { withBatch } from '../primitives/families.ts'
import { transpose } from '../primitives/structural.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { checkFunction, checkOptions, checkSync, unalias } from './common.ts'
import { type AxisSpec, axesPerLeaf, movePermutation } from './vmap-axes.ts'

export type { AxisSpec } from './vmap-axes.ts'

/** Options of `vmap`, as `jax.vmap`'s `in_axes` and `out_axes`. */
export interface VmapOptions {
  /**
   * Where each argument carries the batch: one axis for every leaf of every argument, or an
   * array with one entry per argument — an axis (negative counts from the end), `null` for an
   * argument passed whole to every example, or a tree prefix of the argument giving one of
   * these per subtree. Default 0.
   */
  readonly inAxes?: number | readonly AxisSpec[]
  /**
   * Where each output leaf carries the batch: an axis for the whole output, or a tree prefix of
   * it. `null` returns an output unbatched, which only an output that does not depend on the
   * batched arguments can be. Default 0.
   */
  readonly outAxes?: AxisSpec
}

/** Every option's name, for `checkOptions` to refuse others (`satisfies` keeps it complete). */
const vmapOptionNames = Object.keys({ inAxes: true, outAxes: true } satisfies {
  readonly [K in keyof VmapOptions]-?: true
})

/** `x` with axis `from` moved to position `to` (a transpose; nothing when they are equal). */
const moveAxis = (x: Val, from: number, to: number): Val =>
  from === to ? x : transpose(x as Tensor, movePermutation(shapeOf(x).length, from, to))

/**
 * Vectorizing map: `vmap(f)(xs)` is `stack([f(xs[0]), f(xs[1]), …])`, computed with one pass of
 * `f` over the whole batch. By default every leaf of every argument carries the batch along axis
 * 0, and so does every output leaf; `inAxes` and `outAxes` choose other axes, per argument and
 * per subtree, or `null` for values passed whole (see `VmapOptions`). Inside `f` values have
 * the shape of one example. Composes with every other transformation: `vmap(grad(f))` gives
 * per-example gradients.
 *
 * Throws `ShapeError` when batched leaves disagree on the batch size, `InvalidArgumentError`
 * for an axis out of range, a batched scalar leaf, or a batched output with `outAxes` null, and
 * `TreeMismatchError` when `inAxes` or `outAxes` is not a prefix of its tree — each naming the
 * argument or output path.
 * @example
 * vmap((x: Tensor) => sum(mul(x, x)))(tensor([[1, 2], [3, 4]])).toArray() // => [5, 25]
 * // columns as examples, results as a row
 * const m = tensor([[1, 2], [3, 4]])
 * vmap((x: Tensor) => mul(x, 10), { inAxes: [1], outAxes: 1 })(m).toArray() // => [[10, 20], [30, 40]]
 * vmap((w: Tensor, x: Tensor) => dot(w, x), { inAxes: [null, 0] })(tensor([1, 1]), m).toArray() // => [3, 7]
 * @category transformations
 */
export function vmap<A extends readonly unknown[], B>(
  f: (...args: A) => B,
  options?: VmapOptions,
): (...args: A) => B {
  checkFunction(f, 'vmap')
  checkOptions(options, 'vmap', vmapOptionNames)
  return (...args: A): B => {
    const flats = args.map((a, i) => flatten(a, `argument ${i}`))
    const axes = inputAxes(options?.inAxes, flats)
    const n = batchSize(flats, axes)
    // every batched leaf with its batch axis in front, before the batch interpreter opens
    const batches = flats.map((fl, i) =>
      fl.leaves.map((l, j) => {
        const from = axes[i]![j]
        return from === null || from === undefined ? undefined : moveAxis(l, from, 0)
      }),
    )
    const interp = new BatchInterpreter('vmap', n)
    try {
      const traced: unknown = args.map((a, i) => {
        const batch = batches[i]!
        if (batch.every((b) => b === undefined)) return a
        const leaves = flats[i]!.leaves.map((l, j) => {
          const b = batch[j]
          return b === undefined ? l : interp.wrap(b)
        })
        return unflatten(flats[i]!.def, leaves)
      })
      const out = f(...(traced as A))
      checkSync(out, 'vmap')
      const { leaves, def } = flatten(out, 'output')
      // a top-level null is an axis spec (unbatched), not a missing option
      const outAxes = axesPerLeaf(options?.outAxes === undefined ? 0 : options.outAxes, def, {
        option: 'outAxes',
        where: 'output',
        extraRank: 1,
      })
      const results = leaves.map((v, j) => {
        const batch = interp.batchOf(v)
        const to = outAxes[j]!
        if (to === null) {
          if (batch === undefined) return v
          throw new InvalidArgumentError(
            `${formatPath('output', leafPaths(def)[j]!)} depends on the batched arguments, but its outAxes is null`,
            {
              transformation: 'vmap',
              hint: 'give it an axis (outAxes 0) — null is for outputs that are the same for every example',
            },
          )
        }
        return moveAxis(batch ?? withBatch(v, false, n), 0, to)
      })
      return unflatten(def, unalias(results, ...flats.map((fl) => fl.leaves))) as B
    } finally {
      interp.close()
    }
  }
}

/** The axis (or null) of every leaf of every argument. */
const inputAxes = (spec: unknown, flats: readonly Flat[]): (number | null)[][] => {
  const perArgument = spec === undefined || typeof spec === 'number' ? undefined : spec
  if (perArgument !== undefined && !Array.isArray(perArgument)) {
    throw new InvalidArgumentError(
      'inAxes must be an axis or an array with one entry per argument',
      {
        transformation: 'vmap',
        hint: 'e.g. { inAxes: 0 }, or { inAxes: [null, 0] } for an unbatched first argument',
      },
    )
  }
  if (perArgument !== undefined && perArgument.length !== flats.length) {
    throw new InvalidArgumentError(
      `inAxes has ${perArgument.length} entries for ${flats.length} arguments`,
      {
        transformation: 'vmap',
        hint: 'give one entry (an axis, null or a tree of them) per argument',
      },
    )
  }
  return flats.map((fl, i) =>
    axesPerLeaf(perArgument === undefined ? (spec ?? 0) : perArgument[i], fl.def, {
      option: 'inAxes',
      where: `argument ${i}`,
      extraRank: 0,
    }),
  )
}

/** The batch size all batched leaves agree on. */
const batchSize = (flats: readonly Flat[], axes: readonly (readonly (number | null)[])[]) => {
  let size: number | undefined
  let first: readonly [number, number, number] | undefined
  const describe = ([i, j, axis]: readonly [number, number, number], s: number): string =>
    `${formatPath(`argument ${i}`, leafPaths(flats[i]!.def)[j]!)} has ${s} along axis ${axis}`
  flats.forEach((fl, i) => {
    fl.leaves.forEach((leaf, j) => {
      const axis = axes[i]![j]
      if (axis === null || axis === undefined) return
      const s = shapeOf(leaf)[axis]!
      if (size === undefined || first === undefined) {
        size = s
        first = [i, j, axis]
      } else if (s !== size) {
        throw new ShapeError(
          `batch sizes differ: ${describe(first, size)}, ${describe([i, j, axis], s)}`,
          {
            transformation: 'vmap',
            shapes: [shapeOf(fl.leaves[j]!)],
            hint: 'every batched leaf needs the same length along its batch axis',
          },
        )
      }
    })
  })
  if (size === undefined) {
    throw new InvalidArgumentError('no argument is batched', {
      transformation: 'vmap',
      hint: 'batch at least one argument (inAxes 0)',
    })
  }
  return size
}
