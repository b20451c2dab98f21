/**
 * Seeded, splittable, counter-based random numbers in the style of JAX: a `Key` is a value, not
 * a hidden state. The same key always gives the same numbers; `split` derives fresh keys for
 * independent uses. Never reuse a key for two purposes: split it first.
 *
 * The generator hashes (key, counter) with 32-bit integer arithmetic only (`Math.imul`, `>>> 0`),
 * so the raw bits are identical on every platform. Three keyed rounds of the MurmurHash3
 * finalizer make streams for different keys independent in practice; this is a statistical
 * generator, not a cryptographic one.
 * @module
 */

import { InvalidArgumentError } from '../core/errors.ts'
import { type DtypeOptions, dtypeOption } from './create.ts'
import { zerosK } from './kernels/dtype.ts'
import { checkShape, type Shape, show, sizeOf } from './shape.ts'
import { Tensor } from './tensor.ts'

/**
 * A PRNG key: two unsigned 32-bit integers. Make one with `key(seed)`, derive more with `split`.
 * @category random
 */
export type Key = readonly [number, number]

/** Domain separation: the same key drives unrelated hash streams for each use. */
const SPLIT = 0x5bd1e995
const UNIFORM = 0x27d4eb2f
const NORMAL = 0x165667b1
const PERMUTATION = 0x61c88647
const TWO_POW_26 = 67108864
const TWO_POW_32 = 4294967296
const TWO_POW_53 = 9007199254740992

/** MurmurHash3's 32-bit finalizer: a bijection on uint32 with full avalanche. */
function fmix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * Three round keys from the whole 64-bit key and a domain. r0 and r1 mix the key words in two
 * different orders, so distinct keys collide only if two independent 32-bit hashes both do.
 */
function roundKeys(k: Key, domain: number): [number, number, number] {
  const r0 = fmix(fmix(k[0] ^ domain) ^ k[1])
  const r1 = fmix((fmix(k[1] ^ Math.imul(domain, 0x9e3779b9)) + k[0]) >>> 0)
  return [r0, r1, fmix(r0 ^ r1 ^ 0x6a09e667)]
}

/** The 32 random bits at `counter`: a keyed permutation of the counter (xor, add, xor rounds). */
function bits(r0: number, r1: number, r2: number, counter: number): number {
  const h = fmix(counter ^ r0)
  return fmix(fmix((h + r1) >>> 0) ^ r2)
}

/** A double in [0, 1) with 53 random bits, from the draws at `counter` and `counter + 1`. */
function unit(r0: number, r1: number, r2: number, counter: number): number {
  const hi = bits(r0, r1, r2, counter) >>> 5
  const lo = bits(r0, r1, r2, counter + 1) >>> 6
  return (hi * TWO_POW_26 + lo) / TWO_POW_53
}

function checkKey(k: unknown, op: string): Key {
  const ok =
    Array.isArray(k) &&
    k.length === 2 &&
    k.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)
  if (!ok) {
    throw new InvalidArgumentError('not a PRNG key (two unsigned 32-bit integers)', {
      primitive: op,
      hint: 'make a key with key(seed), and more keys with split(k)',
    })
  }
  return [k[0], k[1]]
}

function checkReal(v: number, what: string, op: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InvalidArgumentError(`${what} must be a finite number, got ${show(v)}`, {
      primitive: op,
      hint: `pass a finite ${what}`,
    })
  }
}

/**
 * The PRNG key for an integer seed. Distinct safe-integer seeds give distinct keys. Throws
 * `InvalidArgumentError` if `seed` is not a safe integer.
 *
 * @example
 * key(42) // => [0, 42]
 * @category random
 */
export function key(seed: number): Key {
  if (!Number.isSafeInteger(seed)) {
    throw new InvalidArgumentError(`seed must be a safe integer, got ${show(seed)}`, {
      primitive: 'key',
      hint: 'use a whole number such as key(0)',
    })
  }
  // High and low 32-bit words, as JAX lays them out; ToUint32 wraps negative seeds.
  return [Math.floor(seed / TWO_POW_32) >>> 0, seed >>> 0]
}

/**
 * `N` keys as a tuple when `N` is a literal (`split(k, 3)` is `[Key, Key, Key]`, so
 * destructuring needs no `!` under `noUncheckedIndexedAccess`), `Key[]` for a count known only
 * at run time or above 64.
 */
export type Keys<N extends number, Acc extends Key[] = []> = number extends N
  ? Key[]
  : Acc['length'] extends N
    ? Acc
    : Acc['length'] extends 64
      ? Key[]
      : Keys<N, [...Acc, Key]>

/**
 * `n` new keys derived from `k` (default 2), each independent of `k` and of one another. A
 * literal `n` types the result as a tuple: `const [a, b] = split(k)` has `a: Key`. Throws
 * `InvalidArgumentError` for a malformed key or a negative or fractional `n`.
 *
 * @example
 * split(key(0), 3).length // => 3
 * const [left, right] = split(key(0))
 * left.length + right.length // => 4
 * @category random
 */
export function split<const N extends number = 2>(k: Key, n?: N): Keys<N> {
  const [r0, r1, r2] = roundKeys(checkKey(k, 'split'), SPLIT)
  const count = n === undefined ? 2 : n
  checkShape([count], 'split')
  const keys: Key[] = []
  for (let i = 0; i < count; i++) {
    keys.push([bits(r0, r1, r2, 2 * i), bits(r0, r1, r2, 2 * i + 1)])
  }
  // the tuple type only restates the length the loop produced
  return keys as Keys<N>
}

/**
 * Uniform samples in [low, high) (default [0, 1)), each with 53 random bits. With
 * `{ dtype: 'float32' }` each is rounded to float32 and still in [low, high). Throws
 * `InvalidArgumentError` for a malformed key or shape, unless low < high are finite, or (for
 * float32) where no float32 lies in [low, high).
 *
 * @example
 * uniform(key(0), [3]).shape // => [3]
 * uniform(key(0), [3], 0, 1, { dtype: 'float32' }).dtype // => 'float32'
 * @category random
 */
export function uniform(k: Key, shape: Shape, low = 0, high = 1, options?: DtypeOptions): Tensor {
  const dtype = dtypeOption(options, 'uniform')
  const [r0, r1, r2] = roundKeys(checkKey(k, 'uniform'), UNIFORM)
  const s = checkShape(shape, 'uniform')
  checkReal(low, 'low', 'uniform')
  checkReal(high, 'high', 'uniform')
  const width = high - low
  if (!(width > 0) || !Number.isFinite(width)) {
    throw new InvalidArgumentError(`need low < high with a finite gap, got [${low}, ${high})`, {
      primitive: 'uniform',
      hint: 'pass bounds such as uniform(k, shape, -1, 1)',
    })
  }
  // low + width·u can round up to `high` (in float32 more often); the largest value of the
  // dtype below `high` replaces it. Rounded to float32 it can also fall below `low` (float64
  // rounding cannot: low + a non-negative number is at least low); the least float32 at or
  // above `low` replaces it
  const data = zerosK(sizeOf(s), dtype)
  const below = dtype === 'float32' ? nextDownFloat32(high) : nextDown(high)
  const least = dtype === 'float32' ? leastFloat32From(low) : low
  if (!(least < high)) {
    throw new InvalidArgumentError(`no float32 lies in [${low}, ${high})`, {
      primitive: 'uniform',
      hint: 'widen the interval, or sample float64',
    })
  }
  for (let i = 0; i < data.length; i++) {
    data[i] = low + width * unit(r0, r1, r2, 2 * i)
    if (!(data[i]! < high)) data[i] = below
    else if (data[i]! < low) data[i] = least
  }
  return new Tensor(data, s)
}

/** The least float32 at or above a finite x. */
function leastFloat32From(x: number): number {
  const f = Math.fround(x)
  return f >= x ? f : -nextDownFloat32(-f)
}

/** The largest float32 below a finite x. */
function nextDownFloat32(x: number): number {
  const f = Math.fround(x)
  if (f < x) return f
  if (f === 0) return -1.401298464324817e-45
  const bits = new Uint32Array(new Float32Array([f]).buffer)
  bits[0] = f > 0 ? bits[0]! - 1 : bits[0]! + 1
  return new Float32Array(bits.buffer)[0]!
}

/** The largest double below a finite x. */
function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  const bitsHi = view.getUint32(0)
  const bitsLo = view.getUint32(4)
  // Moving the magnitude one ulp toward −∞: down for positives, up for negatives.
  const delta = x > 0 ? -1 : 1
  const lo = bitsLo + delta
  view.setUint32(4, lo >>> 0)
  if (lo < 0 || lo >= TWO_POW_32) view.setUint32(0, bitsHi + delta)
  return view.getFloat64(0)
}

/**
 * Normal samples with the given mean and standard deviation (default 0 and 1), by the
 * Box–Muller transform. The raw bits are platform-independent; the result also relies on
 * `Math.log`, `Math.cos` and `Math.sin`, which V8 computes identically everywhere. Throws
 * `InvalidArgumentError` for a malformed key or shape, a non-finite mean, or std < 0.
 *
 * @example
 * normal(key(0), [2, 2]).shape // => [2, 2]
 * @category random
 */
export function normal(k: Key, shape: Shape, mean = 0, std = 1, options?: DtypeOptions): Tensor {
  const dtype = dtypeOption(options, 'normal')
  const [r0, r1, r2] = roundKeys(checkKey(k, 'normal'), NORMAL)
  const s = checkShape(shape, 'normal')
  checkReal(mean, 'mean', 'normal')
  checkReal(std, 'std', 'normal')
  if (std < 0) {
    throw new InvalidArgumentError(`std must be ≥ 0, got ${std}`, {
      primitive: 'normal',
      hint: 'pass a standard deviation, not a variance or a negative scale',
    })
  }
  const data = zerosK(sizeOf(s), dtype)
  for (let i = 0; i < data.length; i += 2) {
    // 1 − u lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - unit(r0, r1, r2, 2 * i)))
    const angle = 2 * Math.PI * unit(r0, r1, r2, 2 * i + 2)
    data[i] = mean + std * radius * Math.cos(angle)
    if (i + 1 < data.length) data[i + 1] = mean + std * radius * Math.sin(angle)
  }
  return new Tensor(data, s)
}

/**
 * Samples that are 1 with probability `p` and 0 otherwise; exactly `uniform(k, shape) < p`.
 * Throws `InvalidArgumentError` for a malformed key or shape, or p outside [0, 1].
 *
 * @example
 * bernoulli(key(0), [4], 1).toArray() // => [1, 1, 1, 1]
 * @category random
 */
export function bernoulli(k: Key, shape: Shape, p: number, options?: DtypeOptions): Tensor {
  const dtype = dtypeOption(options, 'bernoulli')
  const [r0, r1, r2] = roundKeys(checkKey(k, 'bernoulli'), UNIFORM)
  const s = checkShape(shape, 'bernoulli')
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new InvalidArgumentError(`p must be a probability in [0, 1], got ${show(p)}`, {
      primitive: 'bernoulli',
      hint: 'pass the probability of drawing 1',
    })
  }
  const data = zerosK(sizeOf(s), dtype)
  for (let i = 0; i < data.length; i++) data[i] = unit(r0, r1, r2, 2 * i) < p ? 1 : 0
  return new Tensor(data, s)
}

/**
 * A uniformly random ordering of 0, 1, …, n − 1 (Fisher–Yates, unbiased by rejection
 * sampling). Throws `InvalidArgumentError` for a malformed key or unless n is an integer in
 * [0, 2³¹ − 1].
 *
 * @example
 * permutation(key(0), 4).sort((a, b) => a - b) // => [0, 1, 2, 3]
 * @category random
 */
export function permutation(k: Key, n: number): number[] {
  const [r0, r1, r2] = roundKeys(checkKey(k, 'permutation'), PERMUTATION)
  checkShape([n], 'permutation')
  const out = new Array<number>(n)
  for (let i = 0; i < n; i++) out[i] = i
  let counter = 0
  for (let i = n - 1; i > 0; i--) {
    const bound = i + 1
    // Accept only draws below the largest multiple of `bound`, so `r % bound` is exactly uniform.
    const limit = TWO_POW_32 - (TWO_POW_32 % bound)
    let r = bits(r0, r1, r2, counter++)
    while (r >= limit) r = bits(r0, r1, r2, counter++)
    const j = r % bound
    const t = out[i]!
    out[i] = out[j]!
    out[j] = t
  }
  return out
}
