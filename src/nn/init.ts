/**
 * Seeded weight initialisers. Each takes a `random` key and a shape and draws a tensor whose
 * variance keeps signals from growing or vanishing as they pass through layers:
 * Glorot (Xavier) for tanh and sigmoid layers, He (Kaiming) for ReLU layers.
 *
 * Fans follow JAX: for a shape `[..., fanIn, fanOut]`, each fan is multiplied by the product of
 * the leading axes (a convolution's receptive field); a dense weight `[in, out]` has
 * fanIn = in and fanOut = out. The same key always gives the same tensor.
 * @module
 */
import { ShapeError } from '../core/errors.ts'
import { type DtypeOptions, zeros } from '../tensor/create.ts'
import { type Key, normal, uniform } from '../tensor/random.ts'
import { checkShape, type Shape, sizeOf } from '../tensor/shape.ts'
import type { Tensor } from '../tensor/tensor.ts'

/** A seeded initialiser: the same key and shape always give the same tensor. */
export type Initializer = (key: Key, shape: Shape) => Tensor

/** [fanIn, fanOut] of a weight shape; throws `ShapeError` below rank 2. */
const fans = (shape: Shape, op: string): [number, number] => {
  const s = checkShape(shape, op)
  if (s.length < 2) {
    throw new ShapeError(`${op} needs a weight shape of rank ≥ 2, got [${s.join(', ')}]`, {
      primitive: op,
      shapes: [s],
      hint: 'initialise biases with zeros(shape); weights have shape [fanIn, fanOut]',
    })
  }
  const field = sizeOf(s.slice(0, -2))
  return [s[s.length - 2]! * field, s[s.length - 1]! * field]
}

// A zero-size shape has a zero fan, hence an infinite bound: it needs no draws at all.
const empty = (shape: Shape, options?: DtypeOptions): Tensor => zeros(shape, options)

/** U(−a, a) with variance a²/3 = `variance`. */
const uniformWithVariance = (
  key: Key,
  shape: Shape,
  variance: number,
  options?: DtypeOptions,
): Tensor => {
  if (sizeOf(shape) === 0) return empty(shape, options)
  const bound = Math.sqrt(3 * variance)
  return uniform(key, shape, -bound, bound, options)
}

/** N(0, `variance`). */
const normalWithVariance = (
  key: Key,
  shape: Shape,
  variance: number,
  options?: DtypeOptions,
): Tensor =>
  sizeOf(shape) === 0 ? empty(shape, options) : normal(key, shape, 0, Math.sqrt(variance), options)

/**
 * Glorot (Xavier) uniform: U(−a, a) with a = √(6 / (fanIn + fanOut)), so the variance is
 * 2 / (fanIn + fanOut) (Glorot & Bengio, 2010). Throws `ShapeError` below rank 2.
 * @example
 * glorotUniform(random.key(0), [4, 3]).shape // => [4, 3]
 * glorotUniform(random.key(0), [4, 3], { dtype: 'float32' }).dtype // => 'float32'
 * @category initialisers
 */
export function glorotUniform(key: Key, shape: Shape, options?: DtypeOptions): Tensor {
  const [fanIn, fanOut] = fans(shape, 'glorotUniform')
  return uniformWithVariance(key, shape, 2 / (fanIn + fanOut), options)
}

/**
 * Glorot (Xavier) normal: N(0, σ²) with σ² = 2 / (fanIn + fanOut). Throws `ShapeError` below
 * rank 2.
 * @example
 * glorotNormal(random.key(0), [4, 3]).shape // => [4, 3]
 * @category initialisers
 */
export function glorotNormal(key: Key, shape: Shape, options?: DtypeOptions): Tensor {
  const [fanIn, fanOut] = fans(shape, 'glorotNormal')
  return normalWithVariance(key, shape, 2 / (fanIn + fanOut), options)
}

/**
 * He (Kaiming) uniform: U(−a, a) with a = √(6 / fanIn), so the variance is 2 / fanIn — the
 * factor 2 makes up for ReLU zeroing half its inputs (He et al., 2015). Throws `ShapeError`
 * below rank 2.
 * @example
 * heUniform(random.key(0), [4, 3]).shape // => [4, 3]
 * @category initialisers
 */
export function heUniform(key: Key, shape: Shape, options?: DtypeOptions): Tensor {
  const [fanIn] = fans(shape, 'heUniform')
  return uniformWithVariance(key, shape, 2 / fanIn, options)
}

/**
 * He (Kaiming) normal: N(0, σ²) with σ² = 2 / fanIn. Throws `ShapeError` below rank 2.
 * @example
 * heNormal(random.key(0), [4, 3]).shape // => [4, 3]
 * @category initialisers
 */
export function heNormal(key: Key, shape: Shape, options?: DtypeOptions): Tensor {
  const [fanIn] = fans(shape, 'heNormal')
  return normalWithVariance(key, shape, 2 / fanIn, options)
}
