/**
 * `vmap`: vectorizing map. `vmap(f)` applies `f` to every example of a batch at once, with one
 * kernel call per primitive instead of one per example.
 * @module
 */
import { BatchInterpreter } from '../core/batch.ts'
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { shapeOf, type Val } from '../core/tracer.ts'
import { flatten, unflatten } from '../core/tree.ts'
import { withBatch } from '../primitives/families.ts'
import { checkFunction, checkSync, unalias } from './common.ts'

/** Options of `vmap`. */
export interface VmapOptions {
  /**
   * Per argument, the axis along which it is batched — only 0 — or `null` for an argument
   * passed whole to every example (default: every argument batched along axis 0).
   */
  readonly inAxes?: readonly (0 | null)[]
}

/**
 * Vectorizing map: `vmap(f)(xs)` is `stack([f(xs[0]), f(xs[1]), …])`, computed with one pass of
 * `f` over the whole batch. Every leaf of a batched argument carries the batch along axis 0;
 * every output leaf carries it along axis 0. Inside `f` values have the shape of one example.
 * Composes with every other transformation: `vmap(grad(f))` gives per-example gradients.
 *
 * Throws `ShapeError` when batched leaves disagree on the batch size.
 * @example
 * vmap((x: Tensor) => sum(mul(x, x)))(tensor([[1, 2], [3, 4]])).toArray() // => [5, 25]
 * @category transformations
 */
export function vmap<A extends readonly unknown[], B>(
  f: (...args: A) => B,
  options?: VmapOptions,
): (...args: A) => B {
  checkFunction(f, 'vmap')
  return (...args: A): B => {
    const inAxes = options?.inAxes ?? args.map(() => 0 as const)
    if (!Array.isArray(inAxes) || inAxes.some((a: unknown) => a !== 0 && a !== null)) {
      throw new InvalidArgumentError('inAxes must be an array of 0 or null, one per argument', {
        transformation: 'vmap',
        hint: 'batch an argument along axis 0 (move other axes first with transpose), or pass null',
      })
    }
    if (inAxes.length !== args.length) {
      throw new InvalidArgumentError(
        `inAxes has ${inAxes.length} entries for ${args.length} arguments`,
        {
          transformation: 'vmap',
          hint: 'give one entry (0 or null) per argument',
        },
      )
    }
    const flats = args.map((a, i) => flatten(a, `argument ${i}`))
    let size: number | undefined
    flats.forEach((f, i) => {
      if (inAxes[i] === null) return
      for (const leaf of f.leaves) {
        const s = shapeOf(leaf)
        if (s.length === 0) {
          throw new InvalidArgumentError(
            `argument ${i} has a scalar leaf, which cannot be batched`,
            {
              transformation: 'vmap',
              hint: 'batched leaves need a leading batch axis; pass unbatched arguments with inAxes null',
            },
          )
        }
        if (size !== undefined && s[0] !== size) {
          throw new ShapeError(`batch sizes differ: ${size} and ${s[0]}`, {
            transformation: 'vmap',
            shapes: [s],
            hint: 'every batched leaf needs the same length along axis 0',
          })
        }
        size = s[0]
      }
    })
    if (size === undefined) {
      throw new InvalidArgumentError('no argument is batched', {
        transformation: 'vmap',
        hint: 'batch at least one argument (inAxes 0)',
      })
    }
    const n = size
    const interp = new BatchInterpreter('vmap', n)
    try {
      const traced: unknown = args.map((a, i) =>
        inAxes[i] === null
          ? a
          : unflatten(
              flats[i]!.def,
              flats[i]!.leaves.map((l) => interp.wrap(l)),
            ),
      )
      const out = f(...(traced as A))
      checkSync(out, 'vmap')
      const { leaves, def } = flatten(out, 'output')
      const unbatched = (v: Val): Val => {
        const batch = interp.batchOf(v)
        return batch === undefined ? withBatch(v, false, n) : batch
      }
      const given = flats.map((f) => f.leaves)
      return unflatten(def, unalias(leaves.map(unbatched), ...given)) as B
    } finally {
      interp.close()
    }
  }
}
