/**
 * Types of fluxion/nn and fluxion/optim (checked by `vitest --typecheck`, never run): layer
 * parameters are typed trees, their gradients, optimizer updates and trained parameters keep
 * that type, activations keep number/Tensor kinds, and `chain` types its state as a tuple.
 */
import { grad, mul, type Tensor, treeMap } from 'fluxion'
import {
  type DenseParams,
  dense,
  type Layer,
  type MlpParams,
  mlp,
  mse,
  relu,
  sigmoid,
  softmax,
  softmaxCrossEntropy,
} from 'fluxion/nn'
import {
  adam,
  applyUpdates,
  type CountState,
  chain,
  clipByGlobalNorm,
  type EmptyState,
  scaleByLearningRate,
  train,
  trainStep,
} from 'fluxion/optim'
import { describe, expectTypeOf, it } from 'vitest'

declare const x: Tensor
declare const y: Tensor
declare const key: readonly [number, number]

describe('nn', () => {
  it('layers are typed parameter trees', () => {
    expectTypeOf(dense(2, 3)).toEqualTypeOf<Layer<DenseParams>>()
    expectTypeOf(dense(2, 3).init(key)).toEqualTypeOf<DenseParams>()
    expectTypeOf(dense(2, 3).init(key)).toEqualTypeOf<{ readonly w: Tensor; readonly b: Tensor }>()
    expectTypeOf(mlp([2, 3, 1]).init(key)).toEqualTypeOf<readonly DenseParams[]>()
  })

  it('gradients of a loss of a layer have the parameters’ type', () => {
    const net = mlp([4, 8, 3])
    const loss = (p: MlpParams) => softmaxCrossEntropy(net.apply(p, x), y)
    expectTypeOf(grad(loss)(net.init(key))).toEqualTypeOf<MlpParams>()
  })

  it('activations keep kinds; losses of numbers are numbers', () => {
    expectTypeOf(relu(1)).toEqualTypeOf<number>()
    expectTypeOf(relu(x)).toEqualTypeOf<Tensor>()
    expectTypeOf(sigmoid(x)).toEqualTypeOf<Tensor>()
    expectTypeOf(softmax(x)).toEqualTypeOf<Tensor>()
    expectTypeOf(mse(1, 2)).toEqualTypeOf<number>()
    expectTypeOf(mse(x, y)).toEqualTypeOf<Tensor>()
  })
})

describe('optim', () => {
  it('updates and trained parameters keep the parameters’ type', () => {
    const params = { w: x, b: 0 }
    const opt = adam(0.1)
    const [updates] = opt.update(params, opt.init(params), params)
    expectTypeOf(updates).toEqualTypeOf<{ w: Tensor; b: number }>()
    expectTypeOf(applyUpdates(params, updates)).toEqualTypeOf<{ w: Tensor; b: number }>()
    expectTypeOf(treeMap(relu, params)).toEqualTypeOf<{ w: Tensor; b: number }>()
    const loss = (p: { w: Tensor; b: number }, a: Tensor, b: Tensor) => mse(mul(p.w, a), b)
    expectTypeOf(trainStep(loss, opt)).parameters.toEqualTypeOf<
      [{ w: Tensor; b: number }, unknown, Tensor, Tensor]
    >()
    const result = train(params, { loss, optimizer: opt, x, y, key, epochs: 1 })
    expectTypeOf(result.params).toEqualTypeOf<{ w: Tensor; b: number }>()
  })

  it('chain types its state as the tuple of its parts’ states', () => {
    const opt = chain(clipByGlobalNorm(1), scaleByLearningRate(0.1))
    expectTypeOf(opt.init(0)).toEqualTypeOf<readonly [EmptyState, CountState]>()
  })
})
