/**
 * Layers: `dense` computes f(x·w + b) and its parameter gradients are the chain rule by hand;
 * `mlp` composes dense layers (activation between, none after the last) and backpropagates
 * through all of them; `init` is seeded and shaped; errors for bad sizes and inputs. Also
 * `accuracy`.
 */
import {
  grad,
  InvalidArgumentError,
  random,
  ShapeError,
  sum,
  type Tensor,
  tensor,
  zeros,
} from 'fluxion'
import {
  accuracy,
  type DenseParams,
  dense,
  glorotNormal,
  type MlpParams,
  mlp,
  relu,
  tanh,
} from 'fluxion/nn'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

const params: DenseParams = {
  w: tensor([
    [1, 0],
    [0, 1],
    [1, -1],
  ]),
  b: tensor([0.5, -1]),
}

describe('dense', () => {
  it('init draws w of shape [inputs, outputs] with the initialiser and zero biases', () => {
    const layer = dense(3, 2)
    const p = layer.init(random.key(0))
    expect(p.w.shape).toEqual([3, 2])
    expect(p.b.toArray()).toEqual([0, 0])
    expect(layer.init(random.key(0)).w.data).toEqual(p.w.data)
    expect(layer.init(random.key(1)).w.data).not.toEqual(p.w.data)
    const normalInit = dense(3, 2, { init: glorotNormal }).init(random.key(0))
    expect(normalInit.w.data).toEqual(glorotNormal(random.key(0), [3, 2]).data)
  })

  it('apply is x·w + b, then the activation', () => {
    const x = tensor([
      [1, 2, 3],
      [0, 0, -1],
    ])
    // rows: [1 + 3 + 0.5, 2 − 3 − 1] and [−1 + 0.5, 1 − 1]
    expect(dense(3, 2).apply(params, x).toArray()).toEqual([
      [4.5, -2],
      [-0.5, 0],
    ])
    expect(dense(3, 2, { activation: relu }).apply(params, x).toArray()).toEqual([
      [4.5, 0],
      [0, 0],
    ])
    expect(
      dense(3, 2)
        .apply(params, tensor([1, 2, 3]))
        .toArray(),
    ).toEqual([4.5, -2])
  })

  it('gradients: ∂/∂w Σy = xᵀ·1 and ∂/∂b Σy = column counts', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    const g = grad((p: DenseParams) => sum(dense(3, 2).apply(p, x)))(params)
    expect(g.w.toArray()).toEqual([
      [5, 5],
      [7, 7],
      [9, 9],
    ])
    expect(g.b.toArray()).toEqual([2, 2])
  })

  it('refuses bad sizes and inputs whose last axis is not `inputs`', () => {
    expect(() => dense(0, 2)).toThrow(InvalidArgumentError)
    expect(() => dense(2.5, 2)).toThrow(InvalidArgumentError)
    expect(() => dense(3, 2).apply(params, zeros([4, 2]))).toThrow(ShapeError)
    expect(() => dense(3, 2).apply(params, tensor(1))).toThrow(/last axis has size 3/)
  })
})

describe('mlp', () => {
  it('init gives one dense layer per pair of sizes, seeded by splitting the key', () => {
    const net = mlp([4, 8, 3])
    const p = net.init(random.key(5))
    expect(p.map((layer) => layer.w.shape)).toEqual([
      [4, 8],
      [8, 3],
    ])
    expect(p.map((layer) => layer.b.shape)).toEqual([[8], [3]])
    expect(net.init(random.key(5))[1]!.w.data).toEqual(p[1]!.w.data)
    expect(net.apply(p, zeros([5, 4])).shape).toEqual([5, 3])
  })

  it('apply is activation between layers and none after the last', () => {
    const p: MlpParams = [
      { w: tensor([[1, -1]]), b: tensor([0, 0]) },
      { w: tensor([[2], [3]]), b: tensor([1]) },
    ]
    // x = 2: hidden relu([2, −2]) = [2, 0], output 2·2 + 3·0 + 1 = 5 (and −5 stays −5 below)
    expect(
      mlp([1, 2, 1], relu)
        .apply(p, tensor([[2]]))
        .toArray(),
    ).toEqual([[5]])
    const negated: MlpParams = [p[0]!, { w: tensor([[-2], [-3]]), b: tensor([-1]) }]
    expect(
      mlp([1, 2, 1], relu)
        .apply(negated, tensor([[2]]))
        .toArray(),
    ).toEqual([[-5]])
  })

  it('backpropagates by the chain rule through every layer', () => {
    // y = w₂·tanh(w₁·x + b₁) + b₂ at x = 2, w₁ = 0.5, b₁ = 0, w₂ = 3, b₂ = 1
    const p: MlpParams = [
      { w: tensor([[0.5]]), b: tensor([0]) },
      { w: tensor([[3]]), b: tensor([1]) },
    ]
    const g = grad((q: MlpParams) => sum(mlp([1, 1, 1], tanh).apply(q, tensor([[2]]))))(p)
    const h = Math.tanh(1)
    expectClose(g[1]!.w, tensor([[h]]))
    expectClose(g[1]!.b, tensor([1]))
    expectClose(g[0]!.w, tensor([[3 * (1 - h * h) * 2]]))
    expectClose(g[0]!.b, tensor([3 * (1 - h * h)]))
  })

  it('refuses fewer than two sizes and parameters of the wrong length', () => {
    expect(() => mlp([4])).toThrow(InvalidArgumentError)
    expect(() => mlp([4, 0, 3])).toThrow(InvalidArgumentError)
    const net = mlp([2, 2, 2])
    const p = net.init(random.key(0))
    expect(() => net.apply(p.slice(0, 1), zeros([1, 2]))).toThrow(InvalidArgumentError)
  })
})

describe('accuracy', () => {
  const scores = tensor([
    [2, 1, 0],
    [0, 3, 1],
    [1, 1, 0], // a tie goes to the first class
    [0, 0, 5],
  ])

  it('is the fraction of rows whose largest score is at the label', () => {
    expect(accuracy(scores, tensor([0, 1, 0, 0]))).toBe(0.75)
    expect(accuracy(scores, tensor([1, 1, 1, 2]))).toBe(0.5)
  })

  it('takes one-hot labels too', () => {
    const oneHot = tensor([
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 0],
      [0, 0, 1],
    ])
    expect(accuracy(scores, oneHot)).toBe(0.75)
  })

  it('refuses labels that fit neither form', () => {
    expect(() => accuracy(scores, tensor([0, 1]))).toThrow(ShapeError)
  })

  it('reads through tracing, as a plain number', () => {
    const g = grad((x: Tensor) => {
      expect(accuracy(x, tensor([0, 1, 0, 0]))).toBe(0.75)
      return sum(x)
    })(scores)
    expect(g.shape).toEqual([4, 3])
  })
})
