/**
 * Dropout with an explicit key: the same key drops the same entries, so a training step is a
 * pure function of its inputs and reproducible.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { div } from '../primitives/arithmetic.ts'
import { where } from '../primitives/comparison.ts'
import { bernoulli, type Key } from '../tensor/random.ts'
import type { Tensor } from '../tensor/tensor.ts'

/** Options of `dropout`. */
export interface DropoutOptions {
  /** Drop entries (true, the default) or return x unchanged (false, for evaluation). */
  readonly training?: boolean
}

/**
 * Inverted dropout (Srivastava et al., 2014): each entry of x is zeroed with probability
 * `rate` and the kept ones are divided by 1 − rate, so the expectation is x and evaluation
 * needs no rescaling. `rate` 0 or `training: false` return x itself.
 *
 * The mask is drawn from `key` as a concrete tensor (`random.bernoulli(key, x.shape, 1 − rate)`),
 * so it is a constant to every transformation: under `jit` a key closed over is baked into the
 * compiled program (draw a fresh mask per step outside, or call dropout outside `jit`), and
 * under `vmap` every example shares one mask.
 *
 * Derivative: x̄ = ȳ/(1 − rate) where kept, 0 where dropped. Throws `InvalidArgumentError`
 * unless 0 ≤ rate < 1, or for a malformed key.
 * @example
 * dropout(random.key(0), tensor([1, 2, 3]), 0).toArray() // => [1, 2, 3]
 * dropout(random.key(0), ones([4]), 1 / 2).toArray().every((v) => v === 0 || v === 2) // => true
 * @category layers
 */
export function dropout(key: Key, x: Tensor, rate: number, options?: DropoutOptions): Tensor {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new InvalidArgumentError(`dropout rate must be in [0, 1), got ${String(rate)}`, {
      primitive: 'dropout',
      shapes: [x.shape],
      hint: 'rate is the probability of dropping an entry, e.g. 0.1; 1 would drop everything',
    })
  }
  if (rate === 0 || options?.training === false) return x
  const keep = bernoulli(key, x.shape, 1 - rate)
  return where(keep, div(x, 1 - rate), 0)
}
