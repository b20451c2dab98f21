/**
 * Embeddings: a table of vectors looked up by integer ids — a gather (`take` along the table's
 * first axis), so the table's gradient is a scatter-add of the output cotangent: each row
 * receives the sum over its lookups, and rows never looked up get exact zeros.
 * @module
 */
import type { Indices } from '../primitives/indexing.ts'
import { take } from '../primitives/indexing.ts'
import { type Key, normal } from '../tensor/random.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { checkSize, type Layer } from './layers.ts'

/** Parameters of an embedding: the table, one row of `features` per id. */
export type EmbeddingParams = {
  /** The vectors, shape [count, features]. */
  readonly table: Tensor
}

/**
 * The rows of `params.table` at `ids`: shape `[...ids.shape, features]`. Ids are whole numbers
 * in [0, count) (negative ones count from the end, as NumPy); any other id raises
 * `IndexError`, on every `jit` replay and under `vmap` too (JAX clamps it: a silently wrong
 * vector).
 *
 * Derivative: in the table, a scatter-add of the cotangent rows to the ids they came from; ids
 * are not differentiated.
 * @example
 * const params = { table: tensor([[0, 1], [2, 3], [4, 5]]) }
 * embedding(params, [2, 0]).toArray() // => [[4, 5], [0, 1]]
 * @category layers
 */
export function embedding(params: EmbeddingParams, ids: Indices): Tensor {
  return take(params.table, ids, 0)
}

/**
 * An embedding layer of `count` ids and `features` per vector: `init` draws the table from
 * N(0, 1) (as flax's `nn.Embed`), `apply` looks ids up (given as a float tensor of ids).
 * @example
 * const layer = embeddingLayer(10, 4)
 * layer.apply(layer.init(random.key(0)), tensor([3, 3, 7])).shape // => [3, 4]
 * @category layers
 */
export function embeddingLayer(count: number, features: number): Layer<EmbeddingParams> {
  checkSize(count, 'count', 'embeddingLayer')
  checkSize(features, 'features', 'embeddingLayer')
  return {
    init: (key: Key) => ({ table: normal(key, [count, features]) }),
    apply: (params, ids) => embedding(params, ids),
  }
}
