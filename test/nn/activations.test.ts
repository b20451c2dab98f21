/**
 * Activations: values and derivatives against hand-derived formulas, in both modes; the kink
 * conventions of DESIGN §3 (relu'(0) = 0, left derivatives at kinks); finite, correct values and
 * derivatives at ±1000; and fd-agreement away from kinks.
 */
import { fc, test as fcTest } from '@fast-check/vitest'
import {
  softplus as coreSoftplus,
  grad,
  jvp,
  logistic,
  mul,
  sum,
  type Tensor,
  tensor,
} from 'fluxion'
import {
  elu,
  gelu,
  leakyRelu,
  logSigmoid,
  logSoftmax,
  relu,
  sigmoid,
  silu,
  softmax,
  softplus,
  tanh,
} from 'fluxion/nn'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

const sig = (x: number) => 1 / (1 + Math.exp(-x))
// Φ(1) and φ(1) of the standard normal: erf(1/√2) = 0.6826894921370859 (the "68%" of 68–95–99.7)
const PHI_1 = 0.5 * (1 + 0.6826894921370859)
const DENSITY_1 = Math.exp(-0.5) / Math.sqrt(2 * Math.PI)

/** d f / dx at x by reverse mode and by forward mode, checked to agree. */
const slope = (f: (x: number) => number, x: number): number => {
  const reverse = grad(f)(x)
  const [, forward] = jvp(f, [x], [1])
  expect(forward).toBe(reverse)
  return reverse
}

describe('relu', () => {
  it('is max(x, 0) with relu′(0) = 0 (DESIGN §3), not the ½ of a maximum tie', () => {
    expect(relu(tensor([-2, 0, 3])).toArray()).toEqual([0, 0, 3])
    expect([-2, 0, 3].map((x) => slope(relu, x))).toEqual([0, 0, 1])
  })

  it('keeps NaN (a diverged network must not look finite)', () => {
    expect(relu(Number.NaN)).toBeNaN()
    expect(relu(tensor([Number.NaN, -1])).toArray()).toEqual([Number.NaN, 0])
  })

  it('is exact at ±1000', () => {
    expect(relu(1000)).toBe(1000)
    expect(relu(-1000)).toBe(0)
    expect([1000, -1000].map((x) => slope(relu, x))).toEqual([1, 0])
  })

  it('has derivative 0 at every x ≤ 0 and 1 at every x > 0 on tensors', () => {
    const g = grad((x: Tensor) => sum(relu(x)))(tensor([-1, -0, 0, 1e-300, 5]))
    expect(g.toArray()).toEqual([0, 0, 0, 1, 1])
  })
})

describe('leakyRelu', () => {
  it('is x for x > 0 and slope·x otherwise; the kink takes the left derivative', () => {
    expect(leakyRelu(tensor([-2, 0, 3]), 0.25).toArray()).toEqual([-0.5, 0, 3])
    expect([-2, 0, 3].map((x) => slope((v) => leakyRelu(v, 0.25), x))).toEqual([0.25, 0.25, 1])
    expect(leakyRelu(-100)).toBeCloseTo(-1, 12) // default slope 0.01
  })

  it('is exact at ±1000', () => {
    expect(leakyRelu(-1000, 0.5)).toBe(-500)
    expect(slope((v) => leakyRelu(v, 0.5), -1000)).toBe(0.5)
  })
})

describe('elu', () => {
  it('is x for x > 0 and α(eˣ − 1) otherwise, with derivative 1 or α·eˣ', () => {
    expect(elu(2)).toBe(2)
    expectClose(elu(-1), Math.exp(-1) - 1)
    expectClose(elu(-1, 2), 2 * (Math.exp(-1) - 1))
    expectClose(
      slope((v) => elu(v, 2), -1),
      2 * Math.exp(-1),
    )
    expect(slope((v) => elu(v, 2), 0)).toBe(2) // left derivative α·e⁰
    expect(slope(elu, 3)).toBe(1)
  })

  it('is finite at ±1000: the overflowing branch never leaks into value or gradient', () => {
    expect(elu(1000)).toBe(1000)
    expect(elu(-1000)).toBe(-1)
    expect(slope(elu, 1000)).toBe(1)
    expect(slope(elu, -1000)).toBe(0)
  })
})

describe('gelu', () => {
  it('is x·Φ(x) with derivative Φ(x) + x·φ(x)', () => {
    expect(gelu(0)).toBe(0)
    expectClose(gelu(1), PHI_1, 1e-12)
    expectClose(gelu(-1), -(1 - PHI_1), 1e-12)
    expectClose(slope(gelu, 1), PHI_1 + DENSITY_1, 1e-12)
    expectClose(slope(gelu, -1), 1 - PHI_1 - DENSITY_1, 1e-12)
    expect(slope(gelu, 0)).toBe(0.5)
  })

  it('has the tanh approximation of Hendrycks & Gimpel, and its derivative', () => {
    const c = Math.sqrt(2 / Math.PI)
    const x = 0.7
    const u = c * (x + 0.044715 * x ** 3)
    const expected = 0.5 * x * (1 + Math.tanh(u))
    const du = c * (1 + 3 * 0.044715 * x ** 2)
    const expectedSlope = 0.5 * (1 + Math.tanh(u)) + 0.5 * x * (1 - Math.tanh(u) ** 2) * du
    expectClose(gelu(x, { approximate: true }), expected)
    expectClose(
      slope((v) => gelu(v, { approximate: true }), x),
      expectedSlope,
    )
    expectClose(gelu(1, { approximate: true }), gelu(1), 1e-3) // the approximation is close
  })

  it('is finite and correct at ±1000', () => {
    expect(gelu(1000)).toBe(1000)
    expectClose(gelu(-1000), 0)
    expect(slope(gelu, 1000)).toBe(1)
    expectClose(slope(gelu, -1000), 0)
    expect(gelu(1000, { approximate: true })).toBe(1000)
  })
})

describe('silu', () => {
  it('is x·σ(x) with derivative σ(x)·(1 + x·(1 − σ(x)))', () => {
    expectClose(silu(1.5), 1.5 * sig(1.5))
    expectClose(slope(silu, 1.5), sig(1.5) * (1 + 1.5 * (1 - sig(1.5))))
    expect(slope(silu, 0)).toBe(0.5)
  })

  it('is finite and correct at ±1000', () => {
    expect(silu(1000)).toBe(1000)
    expectClose(silu(-1000), 0)
    expect(slope(silu, 1000)).toBe(1)
    expectClose(slope(silu, -1000), 0)
  })
})

describe('sigmoid, logSigmoid, tanh, softplus', () => {
  it('re-export the stable core primitives', () => {
    expect(sigmoid).toBe(logistic)
    expect(softplus).toBe(coreSoftplus)
    expect(tanh(0.5)).toBe(Math.tanh(0.5))
  })

  it('sigmoid: σ(0) = ½, σ′ = σ(1 − σ), saturating without NaN at ±1000', () => {
    expect(sigmoid(0)).toBe(0.5)
    expect(slope(sigmoid, 0)).toBe(0.25)
    expectClose(slope(sigmoid, 2), sig(2) * (1 - sig(2)))
    expect(sigmoid(1000)).toBe(1)
    expect(sigmoid(-1000)).toBe(0)
    expect(slope(sigmoid, 1000)).toBe(0)
    expect(slope(sigmoid, -1000)).toBe(0)
  })

  it('logSigmoid: log σ(x) with derivative 1 − σ(x); −1000 gives −1000, not −∞', () => {
    expectClose(logSigmoid(0), -Math.LN2)
    expectClose(logSigmoid(2), Math.log(sig(2)))
    expectClose(slope(logSigmoid, 2), 1 - sig(2))
    expect(logSigmoid(-1000)).toBe(-1000)
    expect(slope(logSigmoid, -1000)).toBe(1)
    expectClose(logSigmoid(1000), 0)
    expect(slope(logSigmoid, 1000)).toBe(0)
  })

  it('tanh: derivative 1 − tanh², finite at ±1000', () => {
    expectClose(slope(tanh, 0.5), 1 - Math.tanh(0.5) ** 2)
    expect(tanh(1000)).toBe(1)
    expect(slope(tanh, -1000)).toBe(0)
  })

  it('softplus: ln(1 + eˣ) with derivative σ(x), exact at ±1000', () => {
    expectClose(softplus(0), Math.LN2)
    expect(slope(softplus, 0)).toBe(0.5)
    expect(softplus(1000)).toBe(1000)
    expect(softplus(-1000)).toBe(0)
    expect(slope(softplus, 1000)).toBe(1)
    expect(slope(softplus, -1000)).toBe(0)
  })

  it('are differentiable twice: σ″(0) = 0 and silu″(0) = ½', () => {
    expect(grad(grad(sigmoid))(0)).toBe(0)
    // silu″(x) = σ′(x)·(2 + x·(1 − 2σ(x))), so silu″(0) = ¼·2
    expect(grad(grad(silu))(0)).toBe(0.5)
  })
})

describe('softmax', () => {
  const x = tensor([1, 2, 3])
  const exps = [1, 2, 3].map(Math.exp)
  const total = exps.reduce((a, b) => a + b)
  const s = exps.map((e) => e / total)

  it('is exp(xᵢ) / Σ exp(xⱼ) along the last axis by default, or the given one', () => {
    expectClose(softmax(x), tensor(s))
    const m = tensor([
      [1, 2, 3],
      [1, 2, 3],
    ])
    expectClose(softmax(m), tensor([s, s]))
    expectClose(
      softmax(m, 0),
      tensor([
        [0.5, 0.5, 0.5],
        [0.5, 0.5, 0.5],
      ]),
    )
  })

  it('has Jacobian sᵢ(δᵢⱼ − sⱼ): the gradient of ⟨v, softmax(x)⟩ is s ⊙ (v − ⟨v, s⟩)', () => {
    const v = [1, -2, 0.5]
    const dot = v.reduce((acc, vi, i) => acc + vi * s[i]!, 0)
    const g = grad((z: Tensor) => sum(mul(softmax(z), tensor(v))))(x)
    expectClose(g, tensor(s.map((si, i) => si * (v[i]! - dot))))
  })

  it('is invariant to shifts and finite at ±1000', () => {
    expectClose(softmax(tensor([1001, 1002, 1003])), tensor(s))
    expect(softmax(tensor([1000, 0, -1000])).toArray()).toEqual([1, 0, 0])
    expect(softmax(tensor([1000, 1000])).toArray()).toEqual([0.5, 0.5])
    const g = grad((z: Tensor) => sum(mul(softmax(z), tensor([1, 0, 0]))))(tensor([1000, 0, -1000]))
    expect(Array.from(g.data).every(Number.isFinite)).toBe(true)
    expectClose(g, tensor([0, 0, 0]))
  })
})

describe('logSoftmax', () => {
  it('is x − log Σ exp(x), with gradient v − softmax(x)·Σv for ⟨v, ·⟩', () => {
    const lse = Math.log(Math.exp(1) + Math.exp(2))
    expectClose(logSoftmax(tensor([1, 2])), tensor([1 - lse, 2 - lse]))
    const s = [Math.exp(1 - lse), Math.exp(2 - lse)]
    const g = grad((z: Tensor) => sum(mul(logSoftmax(z), tensor([3, -1]))))(tensor([1, 2]))
    expectClose(g, tensor([3 - s[0]! * 2, -1 - s[1]! * 2]))
  })

  it('is exact at ±1000 where log(softmax) would give −∞', () => {
    expect(logSoftmax(tensor([1000, 0])).toArray()).toEqual([0, -1000])
    expect(logSoftmax(tensor([-1000, 1000])).toArray()).toEqual([-2000, 0])
    const g = grad((z: Tensor) => sum(mul(logSoftmax(z), tensor([0, 1]))))(tensor([1000, 0]))
    expect(g.toArray()).toEqual([-1, 1])
  })

  it('keeps log Σ beside large logits (x − logSumExp(x) rounded it into the max)', () => {
    expect(logSoftmax(tensor([1e17, 1e17])).toArray()).toEqual([-Math.LN2, -Math.LN2])
    expect(logSoftmax(tensor([1e300, 1e300, 1e300])).toArray()).toEqual(Array(3).fill(-Math.log(3)))
    // float32 logits of 1000 were 4e-5 off ln 2; now within float32 rounding
    const f32 = logSoftmax(tensor([1000, 1000], { dtype: 'float32' })).toArray()
    expect(f32).toEqual([Math.fround(-Math.LN2), Math.fround(-Math.LN2)])
    expect(logSoftmax(tensor([[], []])).shape).toEqual([2, 0])
  })
})

describe('fd-agreement away from kinks', () => {
  const smooth: readonly [string, (x: number) => number][] = [
    ['relu', relu],
    ['leakyRelu', (x) => leakyRelu(x, 0.1)],
    ['elu', (x) => elu(x, 1.5)],
    ['gelu', gelu],
    ['gelu (tanh)', (x) => gelu(x, { approximate: true })],
    ['silu', silu],
    ['logSigmoid', logSigmoid],
  ]
  const h = 1e-5
  const points = fc.double({ min: -6, max: 6, noNaN: true }).filter((x) => Math.abs(x) > 1e-3) // a central difference straddling a kink is no oracle
  for (const [name, f] of smooth) {
    fcTest.prop([points])(`${name}: grad agrees with a central difference`, (x) => {
      const fd = (f(x + h) - f(x - h)) / (2 * h)
      expect(Math.abs(grad(f)(x) - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)))
    })
  }
})
