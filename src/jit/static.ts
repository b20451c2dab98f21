/**
 * Static arguments of `jit` (`staticArgnums`): configuration passed to the function as it is,
 * never traced, and part of the cache key — numbers, strings, booleans, null and undefined by
 * value; functions, objects and symbols by identity (as JAX hashes static arguments, where a
 * mutable object has no value hash).
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { show } from '../tensor/shape.ts'

/** Identities of static objects, functions and symbols (numbered once each, held weakly). */
const objectIds = new WeakMap<object, number>()
const symbolIds = new Map<symbol, number>()
let nextId = 0

const identity = <K>(
  ids: { get(k: K): number | undefined; set(k: K, v: number): unknown },
  k: K,
) => {
  let id = ids.get(k)
  if (id === undefined) {
    id = nextId++
    ids.set(k, id)
  }
  return id
}

/** A static argument's part of the cache key. */
export const staticKey = (x: unknown): string => {
  switch (typeof x) {
    case 'number':
      return Object.is(x, -0) ? 'n-0' : `n${x}`
    case 'string':
      return `s${JSON.stringify(x)}`
    case 'boolean':
      return x ? 'T' : 'F'
    case 'bigint':
      return `i${x}`
    case 'undefined':
      return 'U'
    case 'symbol':
      return `y${identity(symbolIds, x)}`
    default:
      return x === null ? 'N' : `o${identity(objectIds, x as object)}`
  }
}

/** Checks `staticArgnums` when `jit` is called: non-negative integers, each once. */
export const checkStaticArgnums = (argnums: unknown): number[] => {
  if (argnums === undefined) return []
  const list: readonly unknown[] = Array.isArray(argnums) ? argnums : [argnums]
  for (const a of list) {
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 0) {
      throw new InvalidArgumentError(`staticArgnums ${show(a)} is not an argument index`, {
        transformation: 'jit',
        hint: 'staticArgnums are non-negative integers, e.g. jit(f, { staticArgnums: [1] })',
      })
    }
  }
  if (new Set(list).size !== list.length) {
    throw new InvalidArgumentError(`staticArgnums [${list.join(', ')}] repeats an index`, {
      transformation: 'jit',
      hint: 'name each argument once',
    })
  }
  return [...(list as number[])].sort((a, b) => a - b)
}

/** Throws unless a call passes every static argument (checked on each call: arity varies). */
export const checkStaticCount = (statics: readonly number[], count: number): void => {
  const last = statics[statics.length - 1]
  if (last !== undefined && last >= count) {
    throw new InvalidArgumentError(
      `staticArgnums ${last} is out of range for a call with ${count} argument(s)`,
      { transformation: 'jit', hint: `static arguments are indices in [0, ${count - 1}]` },
    )
  }
}
