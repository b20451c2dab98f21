/**
 * Scans — `cumsum cumprod cummax cummin logcumsumexp` — against plain-JS loops (fast-check, over
 * shapes, axes and both directions), their derivatives in every mode (checkModes), and the
 * special points: zeros in `cumprod` (the derivative never divides by x), ties in `cummax`
 * (split evenly, as `max`), ±∞ and ±1000 in `logcumsumexp`, NaN; then bad input.
 */
import fc from 'fast-check'
import {
  cummax,
  cummin,
  cumprod,
  cumsum,
  exp,
  grad,
  hessian,
  InvalidArgumentError,
  jacfwd,
  jacrev,
  logcumsumexp,
  mul,
  sum,
  type Tensor,
  tensor,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { recur } from '../../src/primitives/recurrence.ts'
import { expectClose } from '../helpers.ts'
import { checkModes } from './modes.ts'

type Scan = (x: Tensor, axis?: number | null, options?: { reverse?: boolean }) => Tensor

/** The scan of `step` along `axis` of row-major `data`, one element at a time. */
const reference = (
  data: readonly number[],
  shape: readonly number[],
  axis: number,
  reverse: boolean,
  step: (acc: number, x: number) => number,
): number[] => {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1)
  const n = shape[axis]!
  const outer = data.length / Math.max(n * inner, 1)
  const out = data.slice()
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const at = (i: number) => (o * n + (reverse ? n - 1 - i : i)) * inner + r
      let acc = data[at(0)]!
      for (let i = 1; i < n; i++) {
        acc = step(acc, data[at(i)]!)
        out[at(i)] = acc
      }
    }
  }
  return out
}

const logAddExp = (a: number, b: number): number => {
  const m = Math.max(a, b)
  if (m === -Infinity || m === Infinity) return m
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m))
}

const scans: readonly [string, Scan, (a: number, x: number) => number][] = [
  ['cumsum', cumsum, (a, x) => a + x],
  ['cumprod', cumprod, (a, x) => a * x],
  ['cummax', cummax, (a, x) => Math.max(a, x)],
  ['cummin', cummin, (a, x) => -Math.max(-a, -x)],
  ['logcumsumexp', logcumsumexp, logAddExp],
]

const entry = fc.oneof(
  fc.integer({ min: -4, max: 4 }),
  fc.double({ min: -5, max: 5, noNaN: true }),
  fc.constantFrom(0, -0, Infinity, -Infinity, Number.NaN),
)
const scanCase = fc
  .array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      data: fc.array(entry, {
        minLength: shape.reduce((a, b) => a * b, 1),
        maxLength: shape.reduce((a, b) => a * b, 1),
      }),
      axis: fc.integer({ min: 0, max: shape.length - 1 }),
      reverse: fc.boolean(),
    }),
  )

describe('values against plain loops', () => {
  for (const [name, scan, step] of scans) {
    it(`${name}: every shape, axis and direction`, () => {
      fc.assert(
        fc.property(scanCase, ({ shape, data, axis, reverse }) => {
          const y = scan(tensor(data, shape), axis, { reverse })
          const expected = reference(data, shape, axis, reverse, step)
          expect(y.shape).toEqual(shape)
          // sums, products and maxima in the loop's order are bit for bit the loop's
          if (name === 'logcumsumexp') expectClose(y, tensor(expected, shape), 1e-14, 1e-14)
          else expect([...y.data]).toEqual(expected)
        }),
      )
    })
  }

  it('scan the flattened values by default; a number becomes a vector of one', () => {
    expect(
      cumsum(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ).toArray(),
    ).toEqual([1, 3, 6, 10])
    expect(
      cumprod(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        -1,
      ).toArray(),
    ).toEqual([
      [1, 2],
      [3, 12],
    ])
    expect(cumsum(5).toArray()).toEqual([5])
    expect(cummax(tensor([1, 3, 2]), null, { reverse: true }).toArray()).toEqual([3, 3, 2])
  })

  it('logcumsumexp is exact at ±1000 and ±∞ (−∞ adds nothing)', () => {
    expectClose(logcumsumexp(tensor([1000, 1000, -1000])), [1000, 1000 + Math.LN2, 1000 + Math.LN2])
    expectClose(logcumsumexp(tensor([-Infinity, -Infinity, 0, Infinity, 1])), [
      -Infinity,
      -Infinity,
      0,
      Infinity,
      Infinity,
    ])
    expectClose(logcumsumexp(tensor([0, Number.NaN, 1])), [0, Number.NaN, Number.NaN])
  })
})

describe('derivatives in every mode', () => {
  const x = tensor([
    [0.5, -1.2, 0.8, 1.5],
    [2, 0.3, -0.7, 1.1],
  ])
  for (const [name, scan] of scans) {
    for (const reverse of [false, true]) {
      for (const axis of [0, 1]) {
        it(`${name} along axis ${axis}${reverse ? ', reversed' : ''}`, () => {
          checkModes((z) => scan(z, axis, { reverse }), x)
        })
      }
    }
  }

  it('linearRecurrence, the scan the other rules are written in, in both arguments', () => {
    const h = recur(tensor([9, 2, 3]), tensor([1, 1, 1]), { axis: 0, reverse: false })
    expect((h as Tensor).toArray()).toEqual([1, 3, 10])
    for (const reverse of [false, true]) {
      checkModes((z) => recur(z, exp(z), { axis: 1, reverse }) as Tensor, x)
      checkModes((z) => recur(mul(z, z), z, { axis: 0, reverse }) as Tensor, x)
    }
  })

  it('cumsum: the pullback is the running sum of the cotangent the other way', () => {
    const w = tensor([1, -2, 3, 0.5])
    const g = grad((z: Tensor) => sum(mul(w, cumsum(z))))(tensor([9, 9, 9, 9]))
    expect(g.toArray()).toEqual([2.5, 1.5, 3.5, 0.5])
  })
})

/** ∂yᵢ/∂xⱼ of cumprod: Π_{k≤i, k≠j} xₖ for j ≤ i, else 0, one product at a time. */
const cumprodJacobian = (x: readonly number[]): number[][] =>
  x.map((_, i) =>
    x.map((_, j) =>
      j > i ? 0 : x.slice(0, i + 1).reduce((p, xk, k) => (k === j ? p : p * xk), 1),
    ),
  )

describe('special points', () => {
  it('cumprod: exact derivatives at zeros, one or several, in both modes', () => {
    for (const v of [
      [2, 0, 3, 0.5],
      [0, 0, 1.5, 2],
      [3, 0, 0, 0],
      [0, -2, 4, 0],
    ]) {
      const J = cumprodJacobian(v)
      expectClose(jacfwd((z: Tensor) => cumprod(z))(tensor(v)), J, 0, 0)
      expectClose(jacrev((z: Tensor) => cumprod(z))(tensor(v)), J, 0, 0)
    }
    // the Hessian of Σ cumprod at zeros: Σ_{i ≥ max(j, l)} Π_{k≤i, k∉{j,l}} xₖ off the diagonal
    const v = [2, 0, 3, 0]
    const H = v.map((_, j) =>
      v.map((_, l) => {
        if (j === l) return 0
        let s = 0
        for (let i = Math.max(j, l); i < v.length; i++) {
          s += v.slice(0, i + 1).reduce((p, xk, k) => (k === j || k === l ? p : p * xk), 1)
        }
        return s
      }),
    )
    expectClose(hessian((z: Tensor) => sum(cumprod(z)))(tensor(v)), H, 0, 0)
  })

  it('cummax: ties split the derivative evenly, as max does', () => {
    const J = [
      [1, 0, 0, 0],
      [0.5, 0.5, 0, 0],
      [0.5, 0.5, 0, 0],
      [1 / 3, 1 / 3, 0, 1 / 3],
    ]
    const v = tensor([2, 2, 1, 2])
    expectClose(jacfwd((z: Tensor) => cummax(z))(v), J, 1e-15, 0)
    expectClose(jacrev((z: Tensor) => cummax(z))(v), J, 1e-15, 0)
    // ±0 tie too (y₁ shares between them); ∞ wins alone
    expectClose(grad((z: Tensor) => sum(cummax(z)))(tensor([0, -0, Infinity, 1])), [1.5, 0.5, 2, 0])
    // cummin mirrors it
    expectClose(grad((z: Tensor) => sum(cummin(z)))(tensor([1, 1, 0])), [1.5, 0.5, 1])
  })

  it('logcumsumexp: a running softmax, finite at ±1000, the limit at ±∞', () => {
    const g = grad((z: Tensor) => sum(logcumsumexp(z)))(tensor([1000, 1000]))
    expectClose(g, [1.5, 0.5], 1e-13, 0)
    // −∞ entries get 0 where the running value is finite; an all −∞ prefix splits evenly
    const J = jacrev((z: Tensor) => logcumsumexp(z))(tensor([-Infinity, -Infinity, 0, Infinity]))
    expectClose(
      J,
      [
        [1, 0, 0, 0],
        [0.5, 0.5, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ],
      1e-15,
      0,
    )
    expectClose(
      jacfwd((z: Tensor) => logcumsumexp(z))(tensor([-Infinity, -Infinity, 0, Infinity])),
      J,
    )
  })

  it('a NaN makes the derivative of every output from it on NaN, in both modes', () => {
    for (const scan of [cummax, logcumsumexp]) {
      const v = tensor([1, Number.NaN, 2])
      const expected = [
        [1, 0, 0],
        [Number.NaN, Number.NaN, Number.NaN],
        [Number.NaN, Number.NaN, Number.NaN],
      ]
      expectClose(jacfwd((z: Tensor) => scan(z))(v), expected)
      expectClose(jacrev((z: Tensor) => scan(z))(v), expected)
    }
  })
})

describe('bad input', () => {
  it('throws InvalidArgumentError for a bad axis, a non-boolean reverse, a non-value', () => {
    for (const [, scan] of scans) {
      expect(() => scan(tensor([1, 2]), 1)).toThrow(InvalidArgumentError)
      expect(() => scan(tensor([1, 2]), 0.5)).toThrow(InvalidArgumentError)
      expect(() => scan(tensor(3), 0)).toThrow(InvalidArgumentError)
      expect(() => scan(tensor([1, 2]), 0, { reverse: 'yes' as unknown as boolean })).toThrow(
        /reverse option must be a boolean/,
      )
      expect(() => scan([1, 2] as unknown as Tensor)).toThrow(InvalidArgumentError)
    }
    expect(() => cumsum(tensor([[1, 2]]), 2)).toThrow(/axis 2 is out of range for rank 2/)
  })
})
