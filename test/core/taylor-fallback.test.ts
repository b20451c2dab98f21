/**
 * The Taylor fallback `seriesByNestedJvp` (K nested forward passes along t) agrees with the
 * recurrences of primitives that have their own Taylor rule, at orders 1–4: it is what the
 * matrix factorizations use in Taylor mode, so it must be right wherever a recurrence is.
 */
import { reshape, tensor } from 'fluxion'
import { describe, it } from 'vitest'
import type { Primitive } from '../../src/core/primitive.ts'
import { primitives } from '../../src/primitives/registry.ts'
import { seriesByNestedJvp } from '../../src/primitives/taylor.ts'
import { expectClose } from '../helpers.ts'

const coefficients = (seed: number, shape: number[], order: number) =>
  Array.from({ length: order + 1 }, (_, k) => {
    const size = shape.reduce((a, b) => a * b, 1)
    const data = Array.from({ length: size }, (_, i) => Math.sin(seed + 7 * k + 3 * i) * 0.8)
    return reshape(tensor(data), shape)
  })

const cases: [Primitive, number[][], unknown][] = [
  [primitives.exp, [[3]], undefined],
  [primitives.tanh, [[2, 2]], undefined],
  [primitives.mul, [[3], [3]], undefined],
  [primitives.div, [[2], [2]], undefined],
  [
    primitives.matmul,
    [
      [2, 3],
      [3, 2],
    ],
    { transA: false, transB: false },
  ],
]

describe('seriesByNestedJvp', () => {
  for (const [p, shapes, params] of cases) {
    for (const order of [1, 2, 3, 4]) {
      it(`agrees with ${p.name}'s own Taylor rule at order ${order}`, () => {
        const series = shapes.map((s, i) => coefficients(i + 1, s, order))
        const own = p.taylor(
          series,
          params,
          series.map(() => false),
        )
        const fallback = seriesByNestedJvp(p, series, params)
        for (const [k, c] of own.entries()) expectClose(fallback[k], c as never, 1e-12, 1e-12)
      })
    }
  }
})
