/**
 * Dropout with an explicit key: the same key drops the same entries, so a training step is a
 * pure function of its inputs and reproducible.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { isTracer } from '../core/tracer.ts'
import { div } from '../primitives/arithmetic.ts'
import { where } from '../primitives/comparison.ts'
import { bernoulli, type Key } from '../tensor/random.ts'
import { Tensor } from '../tensor/tensor.ts'

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
 * With a key, the mask is drawn as a concrete tensor, `random.bernoulli(key, x.shape, 1 − rate)`
 * (the same key drops the same entries); it is a constant to every transformation, so under
 * `vmap` all examples share one mask. Keys are plain numbers that `jit` cannot trace: inside a
 * compiled step, pass the keep-mask itself instead of the key — draw it outside with
 * `random.bernoulli(key, shape, 1 − rate)` and give it to the step as an argument (1 keeps an
 * entry, 0 drops it; it broadcasts against x).
 *
 * Derivative: x̄ = ȳ/(1 − rate) where kept, 0 where dropped. Throws `InvalidArgumentError`
 * unless 0 ≤ rate < 1, for a malformed key, or for a key traced by `jit`.
 * @example
 * dropout(random.key(0), tensor([1, 2, 3]), 0).toArray() // => [1, 2, 3]
 * dropout(random.key(0), ones([4]), 1 / 2).toArray().every((v) => v === 0 || v === 2) // => true
 * dropout(tensor([1, 0, 1]), tensor([1, 2, 3]), 1 / 2).toArray() // => [2, 0, 6]
 * @category layers
 */
export function dropout(
  key: Key | Tensor,
  x: Tensor,
  rate: number,
  options?: DropoutOptions,
): Tensor {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new InvalidArgumentError(`dropout rate must be in [0, 1), got ${String(rate)}`, {
      primitive: 'dropout',
      shapes: [x.shape],
      hint: 'rate is the probability of dropping an entry, e.g. 0.1; 1 would drop everything',
    })
  }
  if (rate === 0 || options?.training === false) return x
  if (!Array.isArray(key)) {
    if (!(key instanceof Tensor || isTracer(key))) {
      throw new InvalidArgumentError(
        `dropout takes a random key or a keep-mask tensor, got ${typeof key}`,
        { primitive: 'dropout', hint: 'pass random.key(seed), or a mask from random.bernoulli' },
      )
    }
    return where(key, div(x, 1 - rate), 0)
  }
  if (key.some((k: unknown) => typeof k !== 'number')) {
    throw new InvalidArgumentError('dropout got a traced key: random draws need concrete keys', {
      primitive: 'dropout',
      hint: 'under jit, pass the keep-mask random.bernoulli(key, shape, 1 - rate) as an argument instead of the key',
    })
  }
  const keep = bernoulli(key as Key, x.shape, 1 - rate)
  return where(keep, div(x, 1 - rate), 0)
}
