/**
 * layerNorm and batchNorm: standardized outputs (mean 0, variance 1 before scale/offset),
 * scale and offset applied, running statistics updated in training and used in evaluation,
 * gradients against finite differences, vmap and jit. dropout: the dropped fraction, exact
 * scaling, determinism per key, identity cases and errors.
 */
import {
  add,
  grad,
  InvalidArgumentError,
  jit,
  mean,
  mul,
  random,
  ShapeError,
  sum,
  Tensor,
  tensor,
  variance,
  vmap,
} from 'fluxion'
import {
  batchNorm,
  batchNormInit,
  dropout,
  layerNorm,
  type NormParams,
  normParams,
} from 'fluxion/nn'
import { checkGrads } from 'fluxion/testing'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

const x = random.normal(random.key(3), [6, 5], 2, 3)

describe('layerNorm', () => {
  it('standardizes each row over the last axis, then scales and offsets', () => {
    const y = layerNorm(normParams([5]), x, { epsilon: 0 })
    expectClose(mean(y, -1), new Tensor(new Float64Array(6), [6]), 0, 1e-14)
    expectClose(variance(y, -1), new Tensor(new Float64Array(6).fill(1), [6]), 1e-12)
    const p: NormParams = { scale: tensor([1, 2, 3, 4, 5]), offset: tensor([0, 1, 0, 1, 0]) }
    const z = layerNorm(p, x, { epsilon: 0 })
    expectClose(z, add(mul(y, p.scale), p.offset), 1e-12, 1e-12)
    const row = Array.from(x.data.slice(0, 5))
    const m = row.reduce((a, b) => a + b) / 5
    const v = row.reduce((a, b) => a + (b - m) ** 2, 0) / 5
    expect(z.data[1]).toBeCloseTo(((row[1]! - m) / Math.sqrt(v)) * 2 + 1, 12)
  })

  it('normalizes over several axes and is differentiable (finite differences, vmap, jit)', () => {
    const x3 = random.normal(random.key(4), [2, 3, 4])
    const y = layerNorm(normParams([3, 4]), x3, { axes: [1, 2], epsilon: 0 })
    expectClose(mean(y, [1, 2]), tensor([0, 0]), 0, 1e-14)
    const p: NormParams = {
      scale: random.normal(random.key(5), [4]),
      offset: tensor([0.1, 0.2, 0.3, 0.4]),
    }
    checkGrads(
      (xv: Tensor, s: Tensor, o: Tensor) => sum(mul(layerNorm({ scale: s, offset: o }, xv), xv)),
      [x3, p.scale, p.offset],
    )
    expectClose(vmap((xi: Tensor) => layerNorm(p, xi))(x3), layerNorm(p, x3))
    const f = jit((xv: Tensor) => layerNorm(p, xv))
    f(x3)
    expectClose(f(x3), layerNorm(p, x3))
  })

  it('throws for a negative epsilon', () => {
    expect(() => layerNorm(normParams([5]), x, { epsilon: -1 })).toThrow(InvalidArgumentError)
  })
})

describe('batchNorm', () => {
  it('training normalizes per feature over the batch and updates the running statistics', () => {
    const { params, state } = batchNormInit(5)
    const out = batchNorm(params, state, x, { training: true, momentum: 0.9, epsilon: 0 })
    expectClose(mean(out.y, 0), new Tensor(new Float64Array(5), [5]), 0, 1e-14)
    expectClose(variance(out.y, 0), new Tensor(new Float64Array(5).fill(1), [5]), 1e-12)
    expectClose(out.state.mean, mul(mean(x, 0), 0.1))
    const v = variance(x, 0)
    expectClose(
      out.state.variance,
      new Tensor(
        v.data.map((vi) => 0.9 + 0.1 * vi),
        [5],
      ),
    )
  })

  it('evaluation uses the running statistics and returns the state unchanged', () => {
    const params = normParams([5])
    const state = { mean: mean(x, 0), variance: variance(x, 0) }
    const out = batchNorm(params, state, x, { training: false, epsilon: 0 })
    expect(out.state).toBe(state)
    const train = batchNorm(params, state, x, { training: true, epsilon: 0 })
    expectClose(out.y, train.y, 1e-12, 1e-12)
    // a different batch is normalized with the same (running) statistics
    const half = batchNorm(params, state, tensor([Array.from(x.data.slice(0, 5))]), {
      training: false,
      epsilon: 0,
    })
    expectClose(half.y, new Tensor(out.y.data.slice(0, 5), [1, 5]), 1e-12, 1e-12)
  })

  it('channels-last images normalize per channel; gradients and jit', () => {
    const img = random.normal(random.key(9), [3, 2, 2, 2])
    const { params, state } = batchNormInit(2)
    const out = batchNorm(params, state, img, { training: true, epsilon: 0 })
    expectClose(mean(out.y, [0, 1, 2]), tensor([0, 0]), 0, 1e-14)
    const loss = (xv: Tensor, s: Tensor) =>
      sum(mul(batchNorm({ scale: s, offset: params.offset }, state, xv, { training: true }).y, xv))
    checkGrads(loss, [img, tensor([0.5, 2])])
    const step = jit((xv: Tensor) => batchNorm(params, state, xv, { training: true }))
    step(img)
    const again = step(img)
    expectClose(again.y, batchNorm(params, state, img, { training: true }).y)
    expectClose(again.state.mean, batchNorm(params, state, img, { training: true }).state.mean)
    // the state carries no derivative into the loss
    const g = grad((xv: Tensor) =>
      sum(batchNorm(params, state, xv, { training: true }).state.mean),
    )(img)
    expect(Array.from(g.data).every((v) => v === 0)).toBe(true)
  })

  it('throws for momentum outside [0, 1]', () => {
    const { params, state } = batchNormInit(5)
    expect(() => batchNorm(params, state, x, { training: true, momentum: 1.5 })).toThrow(
      InvalidArgumentError,
    )
    expect(() => batchNormInit(0)).toThrow(InvalidArgumentError)
    expect(() => batchNorm(params, state, tensor([1, 2, 3, 4, 5]), { training: true })).toThrow(
      ShapeError,
    )
  })
})

describe('dropout', () => {
  const ones = new Tensor(new Float64Array(20000).fill(1), [100, 200])

  it('drops about rate of the entries and scales the rest by 1/(1 − rate) exactly', () => {
    for (const rate of [0.1, 0.5, 0.8]) {
      const y = dropout(random.key(1), ones, rate)
      const kept = Array.from(y.data).filter((v) => v !== 0)
      expect(kept.every((v) => v === 1 / (1 - rate))).toBe(true)
      // 20000 draws: the kept fraction is within 4 standard deviations of 1 − rate
      const sd = Math.sqrt((rate * (1 - rate)) / 20000)
      expect(Math.abs(kept.length / 20000 - (1 - rate))).toBeLessThan(4 * sd)
    }
  })

  it('is deterministic per key and differs across keys', () => {
    const a = dropout(random.key(2), ones, 0.5)
    expect(dropout(random.key(2), ones, 0.5).data).toEqual(a.data)
    expect(dropout(random.key(3), ones, 0.5).data).not.toEqual(a.data)
  })

  it('rate 0 and training false are the identity; bad rates throw', () => {
    expect(dropout(random.key(0), x, 0)).toBe(x)
    expect(dropout(random.key(0), x, 0.5, { training: false })).toBe(x)
    expect(() => dropout(random.key(0), x, 1)).toThrow(InvalidArgumentError)
    expect(() => dropout(random.key(0), x, -0.1)).toThrow(InvalidArgumentError)
    expect(() => dropout(random.key(0), x, Number.NaN)).toThrow(InvalidArgumentError)
    expect(() => dropout('seed' as never, x, 0.5)).toThrow(/random key or a keep-mask.*in dropout/)
  })

  it('under jit takes the keep-mask as an argument; a traced key is a named error', () => {
    const mask = random.bernoulli(random.key(5), [6, 5], 0.75)
    const step = jit((xv: Tensor, m: Tensor) => dropout(m, xv, 0.25))
    step(x, mask)
    expectClose(step(x, mask), dropout(random.key(5), x, 0.25))
    const traced = jit((xv: Tensor, k: readonly [number, number]) => dropout(k, xv, 0.25))
    expect(() => traced(x, random.key(5))).toThrow(InvalidArgumentError)
  })

  it('its gradient is the mask scaled by 1/(1 − rate)', () => {
    const g = grad((xv: Tensor) => sum(dropout(random.key(4), xv, 0.25)))(x)
    const y = dropout(random.key(4), new Tensor(new Float64Array(30).fill(1), [6, 5]), 0.25)
    expectClose(g, y)
  })
})
