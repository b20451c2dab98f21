/**
 * `embedding`: rows looked up by id; the table's gradient is a scatter-add (repeated ids
 * accumulate, unused rows get zeros); bad ids are `IndexError`s eagerly, under `jit` replays
 * and under `vmap`.
 */
import { grad, IndexError, jit, mul, random, sum, type Tensor, tensor, vmap } from 'fluxion'
import { type EmbeddingParams, embedding, embeddingLayer } from 'fluxion/nn'
import { describe, expect, it } from 'vitest'

const params: EmbeddingParams = {
  table: tensor([
    [0, 1],
    [2, 3],
    [4, 5],
  ]),
}

describe('embedding', () => {
  it('looks rows up, ids of any shape', () => {
    expect(embedding(params, [2, 0, -1]).toArray()).toEqual([
      [4, 5],
      [0, 1],
      [4, 5],
    ])
    expect(embedding(params, tensor([[1], [0]])).shape).toEqual([2, 1, 2])
  })

  it('the table gradient counts each lookup; rows never used get zeros', () => {
    const w = tensor([
      [1, 10],
      [2, 20],
      [3, 30],
    ])
    const loss = (p: EmbeddingParams) => sum(mul(embedding(p, [2, 0, 2]), w))
    expect(grad(loss)(params).table.toArray()).toEqual([
      [2, 20],
      [0, 0],
      [4, 40],
    ])
  })

  it('bad ids raise IndexError eagerly, on jit replays and under vmap', () => {
    expect(() => embedding(params, [3])).toThrow(IndexError)
    expect(() => embedding(params, [0.5])).toThrow(IndexError)
    const f = jit((ids: Tensor) => embedding(params, ids))
    expect(f(tensor([1])).toArray()).toEqual([[2, 3]])
    expect(f(tensor([0])).toArray()).toEqual([[0, 1]])
    expect(() => f(tensor([7]))).toThrow(IndexError)
    expect(vmap((ids: Tensor) => embedding(params, ids))(tensor([[0], [2]])).shape).toEqual([
      2, 1, 2,
    ])
    expect(() => vmap((ids: Tensor) => embedding(params, ids))(tensor([[0], [3]]))).toThrow(
      IndexError,
    )
  })

  it('embeddingLayer: N(0, 1) table of the given size, same key same table', () => {
    const layer = embeddingLayer(5, 3)
    const p = layer.init(random.key(1))
    expect(p.table.shape).toEqual([5, 3])
    expect(layer.init(random.key(1)).table.toArray()).toEqual(p.table.toArray())
    expect(Array.from(layer.apply(p, tensor([4])).data)).toEqual(Array.from(p.table.data.slice(12)))
    expect(() => embeddingLayer(0, 3)).toThrow(/positive integer/)
  })
})
