/**
 * Runner of law `vmap-agreement` over the registry: for every primitive, its batching rule applied through
 * `vmap` to stacked arguments equals the primitive applied to each example, stacked.
 *
 * A batch of k = 1–3 examples of one call is sampled from the primitive's own domain: the first
 * sample records every integer choice (shapes, params, masks, number-or-tensor kinds), and each
 * further example replays those choices while drawing fresh reals, so all examples share shapes
 * and params and every value lies in the domain. Each argument is then batched (stacked along a
 * new axis 0) or, at random, passed unbatched (`inAxes` null, the first example's value for all).
 * The primitive is applied with `bindN`, as in the other law suites; the reference applies it to
 * concrete examples and stacks the results with plain data copies.
 *
 * Elementwise and structural rules must agree exactly (`===` per element); `sum` and `matmul`
 * may accumulate in another order over a batch, so they are compared to 4 ulps of the sum of
 * absolute terms. Also checked: the same with two batch axes, `vmap(vmap(·))`.
 * @module
 */
import fc, { type GeneratorValue } from 'fast-check'
import { Tensor, vmap } from 'fluxion'
import {
  approxEqual,
  describeDifference,
  exact,
  type Numeric,
  type Tolerance,
} from 'fluxion/testing'
import { bindN } from '../../src/core/bind.ts'
import type { Draw, Primitive, Sample } from '../../src/core/primitive.ts'
import type { Concrete, Val } from '../../src/core/tracer.ts'
import { drawFrom } from '../draw.ts'
import type { Runner } from './point.ts'

/** A `Draw` that replays `integers` in order (checking each range) and draws reals from `base`. */
const replaying = (base: Draw, integers: readonly (readonly [number, number, number])[]): Draw => {
  let next = 0
  return {
    integer: (min, max) => {
      const recorded = integers[next++]
      if (recorded === undefined || recorded[0] !== min || recorded[1] !== max) {
        throw new Error(`replay diverged at integer choice ${next - 1}: [${min}, ${max}]`)
      }
      return recorded[2]
    },
    real: base.real,
  }
}

/** `count` samples of one call of `p`: equal shapes, params and integer choices; fresh reals. */
const sampleBatch = (p: Primitive, g: GeneratorValue, count: number): Sample<unknown>[] => {
  const base = drawFrom(g)
  const integers: [number, number, number][] = []
  const recording: Draw = {
    integer: (min, max) => {
      const v = base.integer(min, max)
      integers.push([min, max, v])
      return v
    },
    real: base.real,
  }
  const first = p.domain.sample(recording)
  const rest = Array.from({ length: count - 1 }, () => p.domain.sample(replaying(base, integers)))
  return [first, ...rest]
}

/** Values of equal shape stacked along a new axis 0, by copying data. */
const stackPlain = (values: readonly Concrete[]): Tensor => {
  const ts = values.map((v) => (typeof v === 'number' ? new Tensor(Float64Array.of(v), []) : v))
  const shape = ts[0]!.shape
  const n = shape.reduce((a, b) => a * b, 1)
  const data = new Float64Array(ts.length * n)
  ts.forEach((t, i) => {
    if (t.shape.length !== shape.length || t.shape.some((d, j) => d !== shape[j])) {
      throw new Error(`example ${i} has shape [${t.shape}], not [${shape}]`)
    }
    data.set(t.data, i * n)
  })
  return new Tensor(data, [ts.length, ...shape])
}

/** Primitives whose batched kernel may sum in another order than the per-example kernel. */
const reassociates = new Set(['sum', 'matmul'])

/** The tolerance for comparing `p`'s batched and looped results, scaled by the terms' size. */
const toleranceFor = (p: Primitive, samples: readonly Sample<unknown>[]): Tolerance => {
  if (!reassociates.has(p.name)) return exact
  const scale = samples
    .flatMap((s) => s.args)
    .reduce<number>(
      (m, a) =>
        Math.max(
          m,
          typeof a === 'number'
            ? Math.abs(a)
            : Array.from(a.data).reduce((x, v) => Math.max(x, Math.abs(v)), 0),
        ),
      0,
    )
  // at most 4 elements per summed axis (domains draw sizes ≤ 4, ≤ 3 summed axes): 64 terms
  return { rtol: 1e-14, atol: 64 * 4 * Number.EPSILON * Math.max(scale, 1) ** 2 }
}

/** Which argument positions are batched: a random subset, never empty. */
const drawBatched = (g: GeneratorValue, count: number): boolean[] => {
  const flags = Array.from({ length: count }, () => g(fc.boolean))
  if (!flags.some((b) => b)) flags[g(fc.integer, { min: 0, max: count - 1 })] = true
  return flags
}

const fail = (p: Primitive, samples: readonly Sample<unknown>[], detail: string): never => {
  const shapes = samples[0]!.args.map((a) => (typeof a === 'number' ? 'number' : `[${a.shape}]`))
  throw new Error(
    `vmap-agreement: ${p.name}(${shapes.join(', ')}) with params ` +
      `${JSON.stringify(samples[0]!.params) ?? 'none'}, batch of ${samples.length}: ${detail}`,
  )
}

/** One batch axis: vmap of the primitive on stacked arguments = the stacked per-example results. */
const oneAxis = (p: Primitive, g: GeneratorValue): void => {
  const count = g(fc.integer, { min: 1, max: 3 })
  const samples = sampleBatch(p, g, count)
  const { params } = samples[0]!
  const arity = samples[0]!.args.length
  const batched = drawBatched(g, arity)
  const perExample = samples.map((_, i) =>
    p.impl(
      samples[0]!.args.map((a, j) => (batched[j] ? samples[i]!.args[j]! : a)),
      params,
    ),
  )
  const expected = stackPlain(perExample)
  const args = samples[0]!.args.map((a, j) =>
    batched[j] ? stackPlain(samples.map((s) => s.args[j]!)) : a,
  )
  const apply = (...xs: Val[]) => bindN(p, xs, params)
  const actual = vmap(apply, { inAxes: batched.map((b) => (b ? 0 : null)) })(...args) as Numeric
  const tol = toleranceFor(p, samples)
  if (!approxEqual(actual, expected, tol)) {
    fail(p, samples, `batched [${batched}]: ${describeDifference(actual, expected)}`)
  }
}

/** Two batch axes: vmap(vmap(primitive)) on a [2, k] grid of examples = the stacked grid. */
const twoAxes = (p: Primitive, g: GeneratorValue): void => {
  const count = g(fc.integer, { min: 1, max: 3 })
  const samples = sampleBatch(p, g, 2 * count)
  const { params } = samples[0]!
  const grid = [samples.slice(0, count), samples.slice(count)]
  const arity = samples[0]!.args.length
  const expected = stackPlain(grid.map((row) => stackPlain(row.map((s) => p.impl(s.args, params)))))
  const args = Array.from({ length: arity }, (_, j) =>
    stackPlain(grid.map((row) => stackPlain(row.map((s) => s.args[j]!)))),
  )
  const apply = (...xs: Val[]) => bindN(p, xs, params)
  const actual = vmap(vmap(apply))(...args) as Numeric
  const tol = toleranceFor(p, samples)
  if (!approxEqual(actual, expected, tol)) {
    fail(p, samples, `two batch axes: ${describeDifference(actual, expected)}`)
  }
}

/** The runner of `vmap-agreement`: one batch axis, or two (vmap of vmap). */
export const batchingRunners = {
  'vmap-agreement': (p, { variant }) =>
    fc.assert(
      fc.property(fc.gen(), (g) => (variant === 'two batch axes' ? twoAxes : oneAxis)(p, g)),
    ),
} as const satisfies { readonly [law: string]: Runner }
