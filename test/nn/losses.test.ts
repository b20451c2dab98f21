/**
 * Losses: values and gradients against hand-derived formulas, reductions, the 0·log 0 = 0
 * convention, finite and exact results at ±1000, the agreement of the stable forms with the
 * naive ones where both are stable, and the named errors.
 */
import {
  grad,
  IndexError,
  InvalidArgumentError,
  jit,
  ShapeError,
  scalar,
  type Tensor,
  tensor,
  vmap,
} from 'fluxion'
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  huber,
  type LossOptions,
  l2,
  logSoftmax,
  mae,
  mse,
  nll,
  sigmoid,
  softmax,
  softmaxCrossEntropy,
} from 'fluxion/nn'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

const sig = (x: number) => 1 / (1 + Math.exp(-x))
const p = tensor([1, 2, 3])
const t = tensor([1, 4, 0]) // residuals p − t = [0, −2, 3]

describe('mse', () => {
  it('is the mean of squared residuals; sum and none reductions', () => {
    expectClose(mse(p, t), 13 / 3)
    expect(mse(p, t, { reduction: 'sum' }).item()).toBe(13)
    expect(mse(p, t, { reduction: 'none' }).toArray()).toEqual([0, 4, 9])
    expect(mse(3, 1)).toBe(4)
  })

  it('has gradient 2(p − t)/n', () => {
    expectClose(grad((q: Tensor) => mse(q, t))(p), tensor([0, -4 / 3, 2]))
  })

  it('refuses shapes that would broadcast [N, 1] against [N]', () => {
    expect(() => mse(tensor([[1], [2]]), tensor([1, 2]))).toThrow(ShapeError)
    expect(mse(tensor([1, 3]), 1).item()).toBe(2) // a scalar target is fine
  })
})

describe('mae', () => {
  it('is the mean absolute residual with gradient sign(p − t)/n, 0 at p = t', () => {
    expectClose(mae(p, t), 5 / 3)
    expectClose(grad((q: Tensor) => mae(q, t))(p), tensor([0, -1 / 3, 1 / 3]))
  })
})

describe('huber', () => {
  const r = tensor([0.5, -3, 1]) // against targets 0; |r| = δ = 1 at the last entry
  it('is ½r² inside δ and δ(|r| − ½δ) outside', () => {
    expect(huber(r, 0, { reduction: 'none' }).toArray()).toEqual([0.125, 2.5, 0.5])
    expect(huber(3, 0, { delta: 2 })).toBe(4)
  })

  it('has gradient r inside δ and δ·sign(r) outside, continuous at |r| = δ', () => {
    const g = grad((q: Tensor) => huber(q, 0, { reduction: 'sum' }))(r)
    expect(g.toArray()).toEqual([0.5, -1, 1])
    expect(grad((q: number) => huber(q, 0, { delta: 2 }))(-5)).toBe(-2)
  })

  it('needs δ > 0', () => {
    expect(() => huber(1, 0, { delta: 0 })).toThrow(InvalidArgumentError)
    expect(() => huber(1, 0, { delta: Number.NaN })).toThrow(InvalidArgumentError)
  })
})

describe('binaryCrossEntropy', () => {
  it('is −[t ln p + (1 − t) ln(1 − p)]', () => {
    // −ln ¼ = 2 ln 2 and −ln ½ = ln 2
    expectClose(binaryCrossEntropy(tensor([0.25, 0.5]), tensor([1, 0])), 1.5 * Math.LN2)
  })

  it('has gradient (p − t)/(p(1 − p))', () => {
    const g = grad((q: Tensor) => binaryCrossEntropy(q, tensor([1, 0]), { reduction: 'sum' }))(
      tensor([0.25, 0.5]),
    )
    expectClose(g, tensor([-0.75 / 0.1875, 0.5 / 0.25]))
  })

  it('takes 0·ln 0 = 0: confident, correct predictions cost 0 with finite gradients', () => {
    expect(binaryCrossEntropy(0, 0)).toBe(0)
    expect(binaryCrossEntropy(1, 1)).toBe(0)
    // d/dp of −(1 − t)·ln(1 − p) is 1/(1 − p); the t·ln p term has weight 0
    expect(grad((q: number) => binaryCrossEntropy(q, 0))(0)).toBe(1)
    expect(grad((q: number) => binaryCrossEntropy(q, 1))(1)).toBe(-1)
  })

  it('is +∞ for a confident wrong prediction, as the maths says', () => {
    expect(binaryCrossEntropy(0, 1)).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('binaryCrossEntropyWithLogits', () => {
  const z = tensor([0, 2, -3])
  const y = tensor([1, 0, 1])

  it('is softplus(z) − t·z, with gradient σ(z) − t', () => {
    const expected = [Math.LN2, Math.log1p(Math.exp(2)), Math.log1p(Math.exp(-3)) + 3]
    expectClose(binaryCrossEntropyWithLogits(z, y, { reduction: 'none' }), tensor(expected))
    const g = grad((q: Tensor) => binaryCrossEntropyWithLogits(q, y, { reduction: 'sum' }))(z)
    expectClose(g, tensor([0.5 - 1, sig(2), sig(-3) - 1]))
  })

  it('equals binaryCrossEntropy(sigmoid(z)) where both are stable', () => {
    const logits = tensor([-4, -0.5, 0.3, 5])
    const targets = tensor([0, 1, 0.25, 1])
    expectClose(
      binaryCrossEntropyWithLogits(logits, targets),
      binaryCrossEntropy(sigmoid(logits), targets),
      1e-12,
    )
  })

  it('is exact at ±1000, with gradients σ(z) − t', () => {
    const big = tensor([1000, -1000, 1000, -1000])
    const targets = tensor([1, 0, 0, 1])
    expect(binaryCrossEntropyWithLogits(big, targets, { reduction: 'none' }).toArray()).toEqual([
      0, 0, 1000, 1000,
    ])
    const g = grad((q: Tensor) => binaryCrossEntropyWithLogits(q, targets, { reduction: 'sum' }))(
      big,
    )
    expect(g.toArray()).toEqual([0, 0, 1, -1])
  })

  it('keeps small losses accurate for confident, correct logits (no cancellation)', () => {
    expectClose(binaryCrossEntropyWithLogits(30, 1), Math.log1p(Math.exp(-30)), 1e-14, 0)
    expectClose(binaryCrossEntropyWithLogits(-30, 0), Math.log1p(Math.exp(-30)), 1e-14, 0)
  })
})

describe('softmaxCrossEntropy', () => {
  const logits = tensor([
    [1, 2, 3],
    [1, 1, 1],
  ])
  const labels = tensor([2, 0])
  const oneHot = tensor([
    [0, 0, 1],
    [1, 0, 0],
  ])
  // −log softmax(z)₂ = log Σ exp(z − 3), the form logSoftmax computes (1 ulp from the exact value)
  const perExample = [Math.log(1 + Math.exp(-1) + Math.exp(-2)), Math.log(3)]

  it('is −logSoftmax(z)[label] per example, averaged; labels as indices or one-hot', () => {
    expectClose(softmaxCrossEntropy(logits, labels, { reduction: 'none' }), tensor(perExample))
    expectClose(softmaxCrossEntropy(logits, labels), (perExample[0]! + perExample[1]!) / 2)
    expectClose(softmaxCrossEntropy(logits, oneHot), softmaxCrossEntropy(logits, labels))
    expectClose(softmaxCrossEntropy(tensor([1, 2, 3]), scalar(2)), perExample[0]!) // one example
  })

  it('takes soft labels: −Σ y log softmax(z)', () => {
    const soft = tensor([[0.5, 0, 0.5]])
    const lse = 3 + perExample[0]!
    const expected = -0.5 * (1 - lse) - 0.5 * (3 - lse)
    expectClose(softmaxCrossEntropy(tensor([[1, 2, 3]]), soft), expected)
  })

  it('has gradient (softmax(z) − onehot)/N', () => {
    const e = [1, 2, 3].map(Math.exp)
    const total = e[0]! + e[1]! + e[2]!
    const g = grad((z: Tensor) => softmaxCrossEntropy(z, labels))(logits)
    expectClose(
      g,
      tensor([
        [e[0]! / total / 2, e[1]! / total / 2, (e[2]! / total - 1) / 2],
        [(1 / 3 - 1) / 2, 1 / 6, 1 / 6],
      ]),
    )
  })

  it('is exact at ±1000 with finite gradients', () => {
    const z = tensor([[1000, 0, -1000]])
    expect(softmaxCrossEntropy(z, tensor([0])).item()).toBe(0)
    expect(softmaxCrossEntropy(z, tensor([2])).item()).toBe(2000)
    const g = grad((q: Tensor) => softmaxCrossEntropy(q, tensor([2])))(z)
    expect(g.toArray()).toEqual([[1, 0, -1]])
  })

  it('equals crossEntropy(softmax(z)) and nll(logSoftmax(z)) where all are stable', () => {
    const z = tensor([
      [0.3, -1.2, 2.5, 0],
      [4, 4.5, -3, 1],
    ])
    const y = tensor([3, 1])
    expectClose(softmaxCrossEntropy(z, y), crossEntropy(softmax(z), y), 1e-12)
    expectClose(softmaxCrossEntropy(z, y), nll(logSoftmax(z), y), 1e-15)
    expectClose(
      grad((q: Tensor) => softmaxCrossEntropy(q, y))(z),
      grad((q: Tensor) => crossEntropy(softmax(q), y))(z),
      1e-10,
      1e-12,
    )
  })

  it('checks labels: shape, integrality and range', () => {
    expect(() => softmaxCrossEntropy(logits, tensor([0, 1, 2]))).toThrow(ShapeError)
    expect(() => softmaxCrossEntropy(logits, tensor([3, 0]))).toThrow(InvalidArgumentError)
    expect(() => softmaxCrossEntropy(logits, tensor([0.5, 0]))).toThrow(InvalidArgumentError)
    expect(() => softmaxCrossEntropy(logits, tensor([-1, 0]))).toThrow(/class index/)
    expect(() => softmaxCrossEntropy(scalar(1), scalar(0))).toThrow(ShapeError)
  })

  it('runs under jit and vmap, where labels cannot be read: the eager numbers exactly', () => {
    const loss = (z: Tensor, y: Tensor) => softmaxCrossEntropy(z, y, { reduction: 'none' })
    const compiled = jit(loss)
    compiled(logits, labels)
    expect(compiled(logits, labels).toArray()).toEqual(loss(logits, labels).toArray())
    const g = jit(grad((z: Tensor, y: Tensor) => softmaxCrossEntropy(z, y)))
    g(logits, labels)
    expect(g(logits, labels).toArray()).toEqual(
      grad((z: Tensor) => softmaxCrossEntropy(z, labels))(logits).toArray(),
    )
    const perRow = vmap((z: Tensor, y: Tensor) => softmaxCrossEntropy(z, y))(logits, labels)
    expect(perRow.toArray()).toEqual(loss(logits, labels).toArray())
  })

  it('under jit and vmap, a label that is no class index throws IndexError from the kernel', () => {
    const loss = (z: Tensor, y: Tensor) => softmaxCrossEntropy(z, y, { reduction: 'none' })
    for (const bad of [tensor([3, 0]), tensor([0.5, 0]), tensor([-1, 0]), tensor([NaN, 0])]) {
      const compiled = jit(loss)
      compiled(logits, labels)
      // the replay checks its own labels: a compiled step never costs a bad label 0 or NaN
      expect(() => compiled(logits, bad)).toThrow(IndexError)
      expect(() => jit(loss)(logits, bad)).toThrow(IndexError)
      expect(() => vmap(loss)(logits, bad)).toThrow(IndexError)
      expect(() =>
        jit(grad((z: Tensor, y: Tensor) => softmaxCrossEntropy(z, y)))(logits, bad),
      ).toThrow(IndexError)
    }
    // and the good labels of the next call give the eager numbers again
    expect(jit(loss)(logits, labels).toArray()).toEqual(perExample)
  })
})

describe('crossEntropy and nll', () => {
  it('crossEntropy is −ln p[label] with gradient −1/p at the label, 0 elsewhere', () => {
    const probabilities = tensor([[0.2, 0.3, 0.5]])
    expectClose(crossEntropy(probabilities, tensor([2])), Math.LN2)
    const g = grad((q: Tensor) => crossEntropy(q, tensor([2])))(probabilities)
    expect(g.toArray()).toEqual([[0, 0, -2]])
  })

  it('crossEntropy ignores zero-probability classes that are not labelled (0·log 0 = 0)', () => {
    const probabilities = tensor([[0, 0.5, 0.5]])
    expectClose(crossEntropy(probabilities, tensor([1])), Math.LN2)
    expectClose(crossEntropy(probabilities, tensor([[0, 1, 0]])), Math.LN2)
    const g = grad((q: Tensor) => crossEntropy(q, tensor([[0, 1, 0]])))(probabilities)
    expect(g.toArray()).toEqual([[0, -2, 0]])
  })

  it('nll is −logp[label], reduced by mean, sum or none', () => {
    const logProbabilities = tensor([
      [-1, -2],
      [-3, -0.5],
    ])
    expect(nll(logProbabilities, tensor([1, 0]), { reduction: 'none' }).toArray()).toEqual([2, 3])
    expect(nll(logProbabilities, tensor([1, 0])).item()).toBe(2.5)
    expect(nll(logProbabilities, tensor([1, 0]), { reduction: 'sum' }).item()).toBe(5)
    const g = grad((q: Tensor) => nll(q, tensor([1, 0])))(logProbabilities)
    expect(g.toArray()).toEqual([
      [0, -0.5],
      [-0.5, 0],
    ])
  })

  it('rejects an unknown reduction', () => {
    const bad = { reduction: 'average' } as unknown as LossOptions
    expect(() => nll(tensor([[-1, -2]]), tensor([0]), bad)).toThrow(InvalidArgumentError)
    expect(() => mse(1, 2, bad)).toThrow(/unknown reduction/)
  })
})

describe('l2', () => {
  const params = { w: tensor([1, 2]), b: 2, layers: [{ v: tensor([[3]]) }] }

  it('is ½ Σ θ² over every leaf of a tree', () => {
    expectClose(l2(params), 0.5 * (1 + 4 + 4 + 9))
    expect(l2({ a: 3, b: 4 })).toBe(12.5)
  })

  it('has gradient θ, with the tree’s structure and leaf kinds', () => {
    const g = grad((p: typeof params) => l2(p))(params)
    expect(g.w.toArray()).toEqual([1, 2])
    expect(g.b).toBe(2)
    expect(g.layers[0]!.v.toArray()).toEqual([[3]])
  })

  it('refuses leaves that are not numbers or tensors', () => {
    expect(() => l2({ w: 'x' })).toThrow(InvalidArgumentError)
  })
})
