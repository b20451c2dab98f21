/**
 * `scan`'s `checkpoint` option: n steps as an outer scan over segments of k steps, each segment
 * a rematerialized inner scan, so reverse mode stores one carry per segment and runs each
 * segment again in the backward pass.
 * @module
 */
import { InvalidArgumentError } from '../../core/errors.ts'
import { shapeOf, type Val } from '../../core/tracer.ts'
import { type LeafDef, leafOf } from '../../core/tree.ts'
import { concat } from '../../primitives/concat.ts'
import { reshape, slice } from '../../primitives/structural.ts'
import { show } from '../../tensor/shape.ts'
import type { Tensor } from '../../tensor/tensor.ts'
import { checkpoint as remat } from '../custom.ts'
import { bindScan, type FlatStep, sliceOf } from './scan-rule.ts'

/** The segment length of a checkpoint option (undefined: store every carry). */
export const checkpointOf = (option: unknown, length: number): number | undefined => {
  if (option === undefined) return undefined
  if (option === 'sqrt') return Math.max(1, Math.ceil(Math.sqrt(length)))
  if (typeof option === 'number' && Number.isInteger(option) && option >= 1) return option
  throw new InvalidArgumentError(
    `scan: checkpoint must be a positive integer or 'sqrt', got ${show(option)}`,
    {
      primitive: 'scan',
      hint: "checkpoint: 'sqrt' stores ⌈√n⌉ carries; checkpoint: k stores one per k steps",
    },
  )
}

/**
 * A scan of n steps as an outer scan over ⌊n/k⌋ segments of k steps, each segment a
 * rematerialized inner scan (its carries recomputed in the backward pass), and the n mod k
 * remaining steps — first for a reverse scan, last otherwise — as a plain scan.
 */
export const segmented = (
  run: (c: readonly Val[], x: readonly Val[], n: number, rev: boolean) => Val[],
  init: readonly Val[],
  xs: readonly Val[],
  n: number,
  k: number,
  reverse: boolean,
): Val[] => {
  const q = Math.floor(n / k)
  const r = n - q * k
  const nc = init.length
  // the segments' range of the loop axis, and the rest's
  const [from, rest] = reverse ? [r, [0, r]] : [0, [q * k, n]]
  const part = (x: Val, a: number, b: number): Tensor => {
    const s = shapeOf(x)
    return slice(x as Tensor, [a, ...s.slice(1).map(() => 0)], [b, ...s.slice(1)])
  }
  const segments = xs.map((x) => {
    const s = shapeOf(x)
    return reshape(part(x, from, from + q * k), [q, k, ...s.slice(1)])
  })
  const inner = remat((c: readonly Val[], seg: readonly Val[]) => {
    const out = run(c, seg, k, reverse)
    return [out.slice(0, nc), out.slice(nc)] as const
  })
  const outerStep: FlatStep = (c, seg) => {
    const [next, y] = inner(c, seg)
    return [[...next], [...y]]
  }
  const outer = bindScan(
    {
      name: 'scan',
      step: outerStep,
      length: q,
      reverse,
      carry: leafDefsOf(init),
      x: segments.map((s) => sliceOf(leafOf(s))),
      y: { defs: undefined },
    },
    [...init, ...segments],
  )
  const segYs = outer.slice(nc).map((y) => {
    const s = shapeOf(y)
    return reshape(y as Tensor, [q * k, ...s.slice(2)])
  })
  const first = reverse
    ? run(
        outer.slice(0, nc),
        xs.map((x) => part(x, rest[0]!, rest[1]!)),
        r,
        true,
      )
    : undefined
  const tail = reverse
    ? first!
    : run(
        outer.slice(0, nc),
        xs.map((x) => part(x, rest[0]!, rest[1]!)),
        r,
        false,
      )
  const ys = segYs.map((y, j) =>
    reverse ? concat([tail[nc + j] as Tensor, y]) : concat([y, tail[nc + j] as Tensor]),
  )
  return [...tail.slice(0, nc), ...ys]
}

const leafDefsOf = (values: readonly Val[]): LeafDef[] =>
  values.map((v) => (typeof v === 'number' ? leafOf(v) : { ...leafOf(v), number: false }))
