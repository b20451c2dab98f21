/**
 * Training loops: `trainStep` is one step of θ ← θ − η·∇L by hand; `train` visits every
 * example once per epoch in the order `random.permutation` gives for that epoch's key, cuts
 * minibatches (the last one smaller), reports every step, is deterministic for a key, and
 * fits a line; its preconditions throw named errors.
 */
import {
  add,
  InvalidArgumentError,
  matmul,
  mul,
  random,
  ShapeError,
  type Tensor,
  tensor,
  treeLeaves,
} from 'fluxion'
import { type MlpParams, mlp, mse, softmaxCrossEntropy, tanh } from 'fluxion/nn'
import { adam, type Progress, sgd, train, trainStep } from 'fluxion/optim'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

type Line = { w: Tensor; b: number }
const predict = (p: Line, x: Tensor) => add(matmul(x, p.w), p.b) // [N, 1]·[1] → [N]
const lineLoss = (p: Line, x: Tensor, y: Tensor) => mse(predict(p, x), y)

describe('trainStep', () => {
  it('is loss, gradient, optimizer update and θ + u in one call', () => {
    const opt = sgd(0.25)
    const step = trainStep((w: number) => mul(w, w), opt)
    // L = w², ∂L/∂w = 2w = 4 at w = 2, so w ← 2 − 0.25·4 = 1
    const [w, state, loss] = step(2, opt.init(2))
    expect(w).toBe(1)
    expect(loss).toBe(4)
    expect(step(w, state)[0]).toBe(0.5)
  })

  it('passes data through to the loss and works on parameter trees', () => {
    const opt = sgd(0.5)
    const x = tensor([[1], [2]])
    const y = tensor([3, 5])
    const [p, , loss] = trainStep(lineLoss, opt)({ w: tensor([0]), b: 0 }, opt.init({}), x, y)
    // residuals −3, −5: L = 17, ∂L/∂w = mean(2r·x) = −13, ∂L/∂b = mean(2r) = −8
    expect(loss).toBe(17)
    expectClose(p.w, tensor([6.5]))
    expect(p.b).toBe(4)
  })
})

describe('train', () => {
  const xs = tensor([[0], [1], [2], [3], [4]])
  const ys = tensor([1, 3, 5, 7, 9]) // y = 2x + 1

  it('visits every example once per epoch, in the order of that epoch’s permutation', () => {
    const seen: number[][] = []
    const recording = (p: Line, x: Tensor, y: Tensor) => {
      seen.push(Array.from(x.data))
      return lineLoss(p, x, y)
    }
    const key = random.key(11)
    const progress: Progress[] = []
    train(
      { w: tensor([0]), b: 0 },
      {
        loss: recording,
        optimizer: sgd(0.01),
        x: xs,
        y: ys,
        key,
        epochs: 2,
        batchSize: 2,
        onProgress: (p) => progress.push(p),
      },
    )
    const orders = random.split(key, 2).map((k) => random.permutation(k, 5))
    expect(seen).toEqual(
      orders.flatMap((order) => [order.slice(0, 2), order.slice(2, 4), order.slice(4)]),
    )
    expect(progress.map((p) => [p.step, p.epoch])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 2],
      [5, 2],
      [6, 2],
    ])
    expect(progress.every((p) => p.total === 6 && p.epochs === 2)).toBe(true)
  })

  it('fits a line, and is deterministic for a key', () => {
    const options = {
      loss: lineLoss,
      optimizer: adam(0.1),
      x: xs,
      y: ys,
      key: random.key(3),
      epochs: 300,
      batchSize: 2,
    }
    const a = train({ w: tensor([0]), b: 0 }, options)
    expectClose(a.params.w, tensor([2]), 0, 1e-2)
    expectClose(a.params.b, 1, 0, 2e-2)
    expect(a.losses).toHaveLength(300)
    expect(a.losses.at(-1)!).toBeLessThan(1e-3)
    const b = train({ w: tensor([0]), b: 0 }, options)
    expect(b.losses).toEqual(a.losses)
    const other = train({ w: tensor([0]), b: 0 }, { ...options, key: random.key(4), epochs: 3 })
    expect(other.losses).not.toEqual(a.losses.slice(0, 3))
  })

  it('keeps float32 data float32 in every minibatch', () => {
    const dtypes = new Set<string>()
    const loss = (p: Line, x: Tensor, y: Tensor) => {
      dtypes.add(x.dtype).add(y.dtype)
      return lineLoss(p, x, y)
    }
    const x32 = tensor([[1], [2], [3]], { dtype: 'float32' })
    const y32 = tensor([3, 5, 7], { dtype: 'float32' })
    const p32 = { w: tensor([0], { dtype: 'float32' }), b: 0 }
    const options = { loss, optimizer: sgd(0.1), x: x32, y: y32, key: random.key(1), epochs: 2 }
    for (const jit of [false, true, 'step'] as const) {
      const r = train(p32, { ...options, batchSize: 2, jit })
      expect(r.params.w.dtype).toBe('float32')
    }
    expect([...dtypes]).toEqual(['float32'])
  })

  it('defaults to full-batch gradient descent; epoch losses are per-example means', () => {
    const r = train(
      { w: tensor([0]), b: 0 },
      {
        loss: lineLoss,
        optimizer: sgd(0),
        x: xs,
        y: ys,
        key: random.key(0),
        epochs: 1,
      },
    )
    // with η = 0 nothing moves: the loss is mean(y²) = (1 + 9 + 25 + 49 + 81)/5 = 33
    expect(r.losses).toEqual([33])
  })

  it('resumes from a given optimizer state', () => {
    const opt = sgd(0.1, { momentum: 0.9 })
    const first = train(
      { w: tensor([0]), b: 0 },
      {
        loss: lineLoss,
        optimizer: opt,
        x: xs,
        y: ys,
        key: random.key(0),
        epochs: 1,
      },
    )
    const resumed = train(first.params, {
      loss: lineLoss,
      optimizer: opt,
      x: xs,
      y: ys,
      key: random.key(1),
      epochs: 1,
      state: first.state,
    })
    const both = train(
      { w: tensor([0]), b: 0 },
      {
        loss: lineLoss,
        optimizer: opt,
        x: xs,
        y: ys,
        key: random.key(0),
        epochs: 2,
      },
    )
    // full batches: shuffling changes nothing, so two runs of one epoch equal one of two
    expect(resumed.params.b).toBeCloseTo(both.params.b, 12)
  })

  it('checks its arguments', () => {
    const base = { loss: lineLoss, optimizer: sgd(0.1), key: random.key(0), epochs: 1 }
    const p = { w: tensor([0]), b: 0 }
    expect(() => train(p, { ...base, x: xs, y: tensor([1, 2]) })).toThrow(ShapeError)
    expect(() => train(p, { ...base, x: tensor([]), y: tensor([]) })).toThrow(ShapeError)
    expect(() => train(p, { ...base, x: xs, y: ys, epochs: 0 })).toThrow(InvalidArgumentError)
    expect(() => train(p, { ...base, x: xs, y: ys, batchSize: 1.5 })).toThrow(/batchSize/)
    expect(() => trainStep(lineLoss, sgd(0.1), { jit: 'yes' } as never)).toThrow(
      InvalidArgumentError,
    )
  })
})

describe('jit: true', () => {
  const x = random.normal(random.key(1), [40, 3])
  const labels = tensor(Array.from({ length: 40 }, (_, i) => i % 3))
  const net = mlp([3, 8, 3], tanh)
  const loss = (p: MlpParams, xb: Tensor, yb: Tensor) => softmaxCrossEntropy(net.apply(p, xb), yb)
  const run = (jit: boolean) =>
    train(net.init(random.key(2)), {
      loss,
      optimizer: adam(0.05),
      x,
      y: labels,
      key: random.key(3),
      epochs: 5,
      batchSize: 16, // two full minibatches and a smaller last one: two compiled programs
      jit,
    })

  it('trains to exactly the parameters and losses of the eager run', () => {
    const eager = run(false)
    const compiled = run(true)
    expect(compiled.losses).toEqual(eager.losses)
    expect(treeLeaves(compiled.params).map((t) => Array.from((t as Tensor).data))).toEqual(
      treeLeaves(eager.params).map((t) => Array.from((t as Tensor).data)),
    )
  })
})
