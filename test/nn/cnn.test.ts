/**
 * A tiny CNN (conv2d → relu → maxPool → dense → softmaxCrossEntropy) trains: its loss
 * decreases under plain gradient descent, eagerly and under jit (same numbers). Also
 * softmaxCrossEntropy with integer labels under jit, and accuracy with class indices, one-hot
 * labels and bad labels.
 */
import {
  grad,
  InvalidArgumentError,
  jit,
  random,
  reshape,
  ShapeError,
  type Tensor,
  tensor,
  treeScale,
  treeSub,
} from 'fluxion'
import {
  accuracy,
  type ConvParams,
  conv2dLayer,
  type DenseParams,
  dense,
  maxPool,
  relu,
  softmaxCrossEntropy,
} from 'fluxion/nn'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

type Params = { conv: ConvParams; fc: DenseParams }

const conv = conv2dLayer(1, 4, 3, { padding: 'same', activation: relu })
const fc = dense(3 * 3 * 4, 3)
const [k1, k2, k3] = random.split(random.key(7), 3)
const init: Params = { conv: conv.init(k1), fc: fc.init(k2) }
const images = random.normal(k3, [12, 6, 6, 1])
const labels = tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])

const logits = (p: Params, x: Tensor): Tensor => {
  const h = maxPool(conv.apply(p.conv, x), [2, 2])
  return fc.apply(p.fc, reshape(h, [x.shape[0]!, 36]))
}
const loss = (p: Params, x: Tensor, y: Tensor): Tensor => softmaxCrossEntropy(logits(p, x), y)

const train = (gradient: (p: Params, x: Tensor, y: Tensor) => Params, steps: number): number[] => {
  let p = init
  const losses: number[] = []
  for (let s = 0; s < steps; s++) {
    losses.push(loss(p, images, labels).item())
    p = treeSub(p, treeScale(0.5, gradient(p, images, labels)))
  }
  losses.push(loss(p, images, labels).item())
  return losses
}

describe('a tiny CNN', () => {
  it('its loss decreases under gradient descent, eagerly and under jit with the same numbers', () => {
    const eager = train(grad(loss), 8)
    expect(eager[eager.length - 1]!).toBeLessThan(0.8 * eager[0]!)
    const compiled = train(jit(grad(loss)), 8)
    expectClose(compiled, eager, 1e-9, 1e-12)
  })
})

describe('softmaxCrossEntropy under jit', () => {
  it('takes integer labels (second call too) and differentiates', () => {
    const z = tensor([
      [1, 2, 3],
      [0, 0, 1],
    ])
    const l = tensor([2, 0])
    const f = jit((zv: Tensor, lv: Tensor) => softmaxCrossEntropy(zv, lv))
    f(z, l)
    expectClose(f(z, l), softmaxCrossEntropy(z, l))
    const g = jit(grad((zv: Tensor, lv: Tensor) => softmaxCrossEntropy(zv, lv)))
    g(z, l)
    expectClose(g(z, l), grad((zv: Tensor, lv: Tensor) => softmaxCrossEntropy(zv, lv))(z, l))
  })
})

describe('accuracy', () => {
  const scores = tensor([
    [2, 1, 0],
    [0, 3, 1],
    [1, 1, 0],
    [0, 0, 5],
  ])
  it('compares argmax predictions with class indices or one-hot labels', () => {
    expect(accuracy(scores, tensor([0, 1, 1, 2]))).toBe(0.75)
    expect(
      accuracy(
        scores,
        tensor([
          [1, 0, 0],
          [0, 1, 0],
          [1, 0, 0],
          [0, 1, 0],
        ]),
      ),
    ).toBe(0.75)
    expect(accuracy(logits(init, images), labels)).toBeGreaterThanOrEqual(0)
  })
  it('throws for labels that are no class indices or fit no form', () => {
    expect(() => accuracy(scores, tensor([0, 1, 1.5, 2]))).toThrow(InvalidArgumentError)
    expect(() => accuracy(scores, tensor([0, 1, 3, 2]))).toThrow(InvalidArgumentError)
    expect(() => accuracy(scores, tensor([0, 1]))).toThrow(ShapeError)
  })
})
