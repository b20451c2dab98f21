/**
 * Optimizers against hand computations of their published update rules, step by step:
 * SGD (plain, momentum, Nesterov, as in optax), Adam (bias-corrected moments, Kingma & Ba
 * Algorithm 1), AdamW (decoupled decay, Loshchilov & Hutter), RMSprop and Adagrad (optax's
 * forms). Expected values are written as the arithmetic of each rule, never copied from output.
 */
import { grad, InvalidArgumentError, square, sub, type Tensor, tensor } from 'fluxion'
import {
  adagrad,
  adam,
  adamw,
  applyUpdates,
  constantSchedule,
  type GradientTransformation,
  rmsprop,
  sgd,
} from 'fluxion/optim'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

/** The updates of `optimizer` for a scalar parameter fed `grads` in turn (params fixed at θ). */
const updatesFor = (optimizer: GradientTransformation, grads: readonly number[], theta = 0) => {
  let state = optimizer.init(theta)
  return grads.map((g) => {
    const [u, next] = optimizer.update(g, state, theta)
    state = next
    return u
  })
}

describe('sgd', () => {
  it('plain: u = −η·g', () => {
    expect(updatesFor(sgd(0.1), [1, 2, -3])).toEqual([-0.1, -0.2, 0.30000000000000004])
  })

  it('momentum: t ← g + μt, u = −η·t', () => {
    // t₁ = 1, t₂ = 2 + 0.9·1 = 2.9, t₃ = −1 + 0.9·2.9 = 1.61
    const u = updatesFor(sgd(0.1, { momentum: 0.9 }), [1, 2, -1])
    expectClose(u, [-0.1 * 1, -0.1 * 2.9, -0.1 * (-1 + 0.9 * 2.9)])
  })

  it('Nesterov: u = −η·(g + μ·t) with the updated t', () => {
    // t₁ = 1 → u₁ = −0.1·(1 + 0.9); t₂ = 2.9 → u₂ = −0.1·(2 + 0.9·2.9)
    const u = updatesFor(sgd(0.1, { momentum: 0.9, nesterov: true }), [1, 2])
    expectClose(u, [-0.1 * 1.9, -0.1 * (2 + 0.9 * 2.9)])
  })

  it('takes a schedule, evaluated at step 0, 1, 2, …', () => {
    expect(
      updatesFor(
        sgd((step) => 2 ** -step),
        [1, 1, 1],
      ),
    ).toEqual([-1, -0.5, -0.25])
    expect(updatesFor(sgd(constantSchedule(0.5)), [4])).toEqual([-2])
  })
})

describe('adam', () => {
  const b1 = 0.9
  const b2 = 0.999
  const eps = 1e-8

  it('follows Kingma & Ba: bias-corrected moments, u = −η·m̂/(√v̂ + ε)', () => {
    // step 1, g = 2: m = 0.1·2, v = 0.001·4; m̂ = m/(1 − 0.9), v̂ = v/(1 − 0.999)
    const m1 = (1 - b1) * 2
    const v1 = (1 - b2) * 4
    const u1 = (-0.1 * (m1 / (1 - b1))) / (Math.sqrt(v1 / (1 - b2)) + eps)
    // step 2, g = 1: m = 0.9·m₁ + 0.1·1, v = 0.999·v₁ + 0.001·1; corrections 1 − βᵢ²
    const m2 = b1 * m1 + (1 - b1) * 1
    const v2 = b2 * v1 + (1 - b2) * 1
    const u2 = (-0.1 * (m2 / (1 - b1 ** 2))) / (Math.sqrt(v2 / (1 - b2 ** 2)) + eps)
    // step 3, g = −3
    const m3 = b1 * m2 + (1 - b1) * -3
    const v3 = b2 * v2 + (1 - b2) * 9
    const u3 = (-0.1 * (m3 / (1 - b1 ** 3))) / (Math.sqrt(v3 / (1 - b2 ** 3)) + eps)
    expectClose(updatesFor(adam(0.1), [2, 1, -3]), [u1, u2, u3], 1e-12)
  })

  it('makes a first step of length ≈ η whatever the gradient’s scale (m̂/√v̂ = sign g)', () => {
    for (const g of [1e-6, 3, -4000]) {
      const [u] = updatesFor(adam(0.01), [g])
      expectClose(u!, -0.01 * Math.sign(g), 1e-2)
    }
  })

  it('honours b1, b2, eps and epsRoot', () => {
    // b1 = 0.5, b2 = 0.5, g = 2: m̂ = 2, v̂ = 4; u = −1·2/(√(4 + 5) + 1)
    const [u] = updatesFor(adam(1, { b1: 0.5, b2: 0.5, eps: 1, epsRoot: 5 }), [2])
    expect(u).toBe(-2 / (3 + 1))
  })

  it('updates each leaf of a tree on its own, keeping kinds and shapes', () => {
    const opt = adam(0.1)
    const params = { w: tensor([1, 2]), b: 3 }
    const [u] = opt.update({ w: tensor([0.5, -2]), b: 0 }, opt.init(params), params)
    expectClose(u.w, tensor([-0.1 * (0.5 / (0.5 + eps)), -0.1 * (-2 / (2 + eps))]), 1e-12)
    expect(u.b).toBe(-0) // a zero gradient moves nothing: 0/(0 + ε) = 0
  })
})

describe('adamw', () => {
  it('adds the decoupled decay η·λ·θ to Adam’s step', () => {
    // g = 5, θ = 2, λ = 0.5, η = 0.1: Adam's part is 5/(5 + ε), the decay 0.5·2
    const [u] = updatesFor(adamw(0.1, { weightDecay: 0.5 }), [5], 2)
    expectClose(u!, -0.1 * (5 / (5 + 1e-8) + 0.5 * 2), 1e-12)
  })

  it('decays even with zero gradients, unlike an L2 term that Adam would rescale', () => {
    const opt = adamw(0.1, { weightDecay: 0.5 })
    let params = { w: tensor([2, -4]) }
    let state = opt.init(params)
    for (let i = 0; i < 2; i++) {
      const [u, next] = opt.update({ w: tensor([0, 0]) }, state, params)
      params = applyUpdates(params, u)
      state = next
    }
    // each step θ ← θ − 0.1·0.5·θ = 0.95·θ
    expectClose(params.w, tensor([2 * 0.95 ** 2, -4 * 0.95 ** 2]))
  })

  it('decays only the leaves the mask selects', () => {
    const opt = adamw(1, { weightDecay: 0.5, mask: (p) => typeof p !== 'number' && p.rank >= 2 })
    const params = { w: tensor([[2]]), b: 2 }
    const [u] = opt.update({ w: tensor([[0]]), b: 0 }, opt.init(params), params)
    expect((u.w as Tensor).toArray()).toEqual([[-1]])
    expect(u.b).toBe(-0)
  })

  it('needs the parameters', () => {
    const opt = adamw(0.1)
    expect(() => opt.update([1], opt.init([0]))).toThrow(InvalidArgumentError)
  })
})

describe('rmsprop', () => {
  it('ν ← ρν + (1 − ρ)g², u = −η·g/√(ν + ε)', () => {
    // ν₁ = 0.1·4 = 0.4, ν₂ = 0.9·0.4 + 0.1·1 = 0.46
    const u = updatesFor(rmsprop(0.01), [2, 1])
    expectClose(u, [(-0.01 * 2) / Math.sqrt(0.4 + 1e-8), (-0.01 * 1) / Math.sqrt(0.46 + 1e-8)])
  })

  it('with momentum, traces the scaled steps: t ← s + μt', () => {
    const s1 = (-0.01 * 2) / Math.sqrt(0.4 + 1e-8)
    const s2 = (-0.01 * 1) / Math.sqrt(0.46 + 1e-8)
    expectClose(updatesFor(rmsprop(0.01, { momentum: 0.5 }), [2, 1]), [s1, s2 + 0.5 * s1])
  })

  it('starts the average at initialScale', () => {
    // ν₁ = 0.9·1 + 0.1·4 = 1.3
    const [u] = updatesFor(rmsprop(1, { initialScale: 1, eps: 0 }), [2])
    expectClose(u!, -2 / Math.sqrt(0.9 * 1 + 0.1 * 4))
  })
})

describe('adagrad', () => {
  it('s ← s + g² from s₀ = 0.1, u = −η·g/√(s + ε)', () => {
    // s₁ = 0.1 + 4 = 4.1, s₂ = 4.1 + 1 = 5.1
    const u = updatesFor(adagrad(0.5), [2, 1])
    expectClose(u, [(-0.5 * 2) / Math.sqrt(4.1 + 1e-7), (-0.5 * 1) / Math.sqrt(5.1 + 1e-7)])
  })

  it('gives 0 (not NaN) where the sum of squares is still 0', () => {
    expect(updatesFor(adagrad(1, { initialAccumulatorValue: 0, eps: 0 }), [0, 3])).toEqual([-0, -1])
  })

  it('gives NaN (as sgd and adam do) after a NaN gradient, not a frozen 0', () => {
    const u = updatesFor(adagrad(0.1), [Number.NaN, 0.5])
    expect(u[0]).toBeNaN()
    expect(u[1]).toBeNaN()
  })
})

describe('every optimizer', () => {
  const optimizers: readonly [string, GradientTransformation][] = [
    ['sgd', sgd(0.1)],
    ['sgd + momentum', sgd(0.05, { momentum: 0.9 })],
    ['sgd + nesterov', sgd(0.05, { momentum: 0.9, nesterov: true })],
    ['adam', adam(0.1)],
    ['adamw', adamw(0.1, { weightDecay: 1e-4 })],
    ['rmsprop', rmsprop(0.05)],
    ['adagrad', adagrad(0.5)],
  ]

  it.each(optimizers)('%s minimises a quadratic bowl over a tree', (_name, opt) => {
    // f(θ) = Σ (θ − c)² has gradient 2(θ − c) and its minimum at c
    const c = { w: tensor([1, -2]), b: 3 }
    let params = { w: tensor([0, 0]), b: 0 }
    let state = opt.init(params)
    for (let i = 0; i < 500; i++) {
      const g = {
        w: tensor([2 * (params.w.data[0]! - 1), 2 * (params.w.data[1]! + 2)]),
        b: 2 * (params.b - 3),
      }
      const [u, next] = opt.update(g, state, params)
      params = applyUpdates(params, u)
      state = next
    }
    expectClose(params.w, c.w, 0, 0.02)
    expectClose(params.b, c.b, 0, 0.02)
  })

  it('differentiates a training step with respect to the learning rate (hypergradients)', () => {
    // L(w) = (w − 3)², one step from w = 0 where ∂L/∂w = −6. SGD lands at w₁ = 6η, so
    // dL(w₁)/dη = 2(6η − 3)·6. Adam's first step is η·6/(6 + ε) = η·r, so dL(w₁)/dη = 2(ηr − 3)·r
    const loss = (p: { w: number }) => square(sub(p.w, 3))
    const afterOneStep = (make: (eta: number) => GradientTransformation) => (eta: number) => {
      const opt = make(eta)
      const p0 = { w: 0 }
      const [u] = opt.update(grad(loss)(p0), opt.init(p0), p0)
      return loss(applyUpdates(p0, u))
    }
    expectClose(grad(afterOneStep(sgd))(0.1), 2 * (0.6 - 3) * 6)
    const r = 6 / (6 + 1e-8)
    expectClose(grad(afterOneStep(adam))(0.1), 2 * (0.1 * r - 3) * r, 1e-12)
  })

  it('validates hyperparameters with named errors', () => {
    expect(() => sgd(Number.NaN)).toThrow(InvalidArgumentError)
    expect(() => sgd(0.1, { momentum: 1.5 })).toThrow(InvalidArgumentError)
    expect(() => sgd(0.1, { nesterov: true })).toThrow(/needs a momentum/)
    expect(() => adam(0.1, { b1: 1 })).toThrow(InvalidArgumentError)
    expect(() => adam(0.1, { eps: -1 })).toThrow(InvalidArgumentError)
    expect(() => rmsprop(0.1, { decay: 2 })).toThrow(InvalidArgumentError)
    expect(() => adagrad(0.1, { initialAccumulatorValue: -1 })).toThrow(InvalidArgumentError)
    const broken = sgd(() => Number.NaN)
    expect(() => broken.update([1], broken.init([0]))).toThrow(/learning rate at step 0/)
    // a state's count that is not a number is named by its class, not "an Object"
    const opt = adam(0.1)
    const [moments, rate] = opt.init([0]) as readonly [object, object]
    const wrong = [{ ...moments, count: tensor(3) }, rate] as const
    expect(() => opt.update([1], wrong as never)).toThrow(/state\.count is a Tensor/)
  })
})
