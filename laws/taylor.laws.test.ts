/**
 * Law `taylor-nested-agreement`: derivative(f, k) (Taylor mode) equals k nested `grad`s and k
 * nested `jvp`s, and at order 1 jvp's number exactly.
 *
 * - Registry-wide (`runners/taylor.ts`): every differentiable elementwise primitive, k = 1…4, at
 *   points of its own domain and at its special points (signed zeros, ±1, ±∞, NaN, ties, a base
 *   of 0 with integer and half exponents).
 * - On random programs (`programCase` from fluxion/testing): f(t) = program(x + t·v), k = 1…3,
 *   at t = 0, with inputs that mix random reals and special entries (0, −0, ±1, ½), directions
 *   with exact zeros, and some inputs held constant — so every structural op, reduction,
 *   `matmul`, `concat` and broadcast of a program meets a constant operand, whose higher
 *   coefficients Taylor mode makes zeros of its own shape.
 *
 * Tolerance on programs: the orders are computed by different rules, so they agree up to
 * rounding: |a − b| ≤ 1e-8·max(|a|, |b|) + 1e-10·(1 + s), s the largest magnitude among the
 * values compared at that order. Runs per property come from `FC_NUM_RUNS` (test/setup.ts);
 * seeds are never pinned.
 */
import { fc, test } from '@fast-check/vitest'
import { add, derivative, grad, jvp, mul, Tensor } from 'fluxion'
import { programCase, real, run } from 'fluxion/testing'
import { describe, expect } from 'vitest'
import { conformKind } from '../src/primitives/structural.ts'
import { runSuite } from './runners/index.ts'

runSuite('taylor')

type Fn = (t: number) => number

/** k nested transformations of f, each taking one derivative. */
const nest = (f: Fn, k: number, d: (g: Fn) => Fn): Fn => {
  let g = f
  for (let i = 0; i < k; i++) g = d(g)
  return g
}

const jvpOf =
  (g: Fn): Fn =>
  (t) =>
    jvp(g, [t], [1])[1]

/** Entries of program inputs: random reals and the special entries where products vanish. */
const entries = fc.oneof(real(-1.5, 1.5), fc.constantFrom(0, -0, 1, -1, 0.5))

const cases = fc.tuple(
  programCase({ inputs: 3, maxNodes: 6, elements: entries }),
  fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
  fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
)

/** |a − b| within the law's tolerance at this order (NaN = NaN, infinities exactly). */
const close = (a: number, b: number, scale: number): boolean =>
  a === b ||
  (Number.isNaN(a) && Number.isNaN(b)) ||
  Math.abs(a - b) <= 1e-8 * Math.max(Math.abs(a), Math.abs(b)) + 1e-10 * (1 + scale)

describe('random programs', () => {
  test.prop([cases])('taylor-nested-agreement', ([{ program, inputs, tangents }, zeros, held]) => {
    // directions with exact zeros: a zero tangent must annihilate in Taylor mode as in jvp
    let z = 0
    const v = tangents.map(
      (t) =>
        new Tensor(
          Float64Array.from(t.data, (x) => (zeros[z++ % zeros.length] ? 0 : x)),
          t.shape,
        ),
    )
    // the line t ↦ program(x + t·v), as a function ℝ → ℝ; held inputs stay constants, which
    // Taylor mode pads with zeros of their own shape
    const line: Fn = (t) =>
      conformKind(
        run(
          program,
          inputs.map((x, i) => (held[i] === true && i > 0 ? x : add(x, mul(t, v[i]!)))),
        ),
        'number',
      ) as number
    for (const k of [1, 2, 3]) {
      const taylor = derivative(line, k)(0)
      const nested = nest(line, k, grad)(0)
      const tower = nest(line, k, jvpOf)(0)
      const scale = Math.max(...[taylor, nested, tower].filter(Number.isFinite).map(Math.abs), 0)
      if (k === 1) {
        const same = taylor === tower || (Number.isNaN(taylor) && Number.isNaN(tower))
        expect(same, `order 1: derivative ${taylor} must equal jvp ${tower}`).toBe(true)
      }
      expect(close(nested, tower, scale), `order ${k}: nested ${nested}, tower ${tower}`).toBe(true)
      expect(close(taylor, nested, scale), `order ${k}: taylor ${taylor}, nested ${nested}`).toBe(
        true,
      )
    }
  })
})
