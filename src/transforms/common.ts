/**
 * What the transformations share: the cotangent ops handed to the tape, zeros and kinds of
 * leaves, and checks of what user functions return.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import type { MaybeZero } from '../core/primitive.ts'
import type { CotangentOps } from '../core/tape.ts'
import { concreteOf, Tracer, type Val } from '../core/tracer.ts'
import type { LeafDef } from '../core/tree.ts'
import { add, safeMul } from '../primitives/arithmetic.ts'
import { conformKind } from '../primitives/structural.ts'
import { sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'

/** The ops the reverse-mode tape uses on cotangents. */
export const cotangentOps: CotangentOps = { add, safeMul }

/** A concrete zero with the shape and kind of a leaf. */
export const zeroOf = (leaf: LeafDef): Val =>
  leaf.number ? 0 : new Tensor(new Float64Array(sizeOf(leaf.shape)), leaf.shape)

/** `v` (or zero, for a symbolic zero) with the kind of `leaf`: a number for a number leaf. */
export const asLeaf = (v: MaybeZero, leaf: LeafDef): Val => {
  if (typeof v === 'number' && leaf.number) return v
  if (v === null) return zeroOf(leaf)
  const kind = typeof concreteOf(v) === 'number'
  if (kind === leaf.number) return v
  return conformKind(v, leaf.number ? 'number' : 'tensor')
}

/** Throws when a user function returned a Promise: transformations are synchronous. */
export const checkSync = (out: unknown, transformation: string): void => {
  if (
    typeof out === 'object' &&
    out !== null &&
    typeof (out as { then?: unknown }).then === 'function'
  ) {
    throw new InvalidArgumentError('the function returned a Promise', {
      transformation,
      hint: 'transformations are synchronous: make the function synchronous',
    })
  }
}

/** Splits `[out, aux]` when `hasAux` is set. */
export const splitAux = (
  out: unknown,
  hasAux: boolean,
  transformation: string,
): { out: unknown; aux: unknown } => {
  checkSync(out, transformation)
  if (!hasAux) return { out, aux: undefined }
  if (!Array.isArray(out) || out.length !== 2) {
    throw new InvalidArgumentError('with hasAux the function must return [output, aux]', {
      transformation,
      hint: 'return a pair: the value to differentiate and the auxiliary data',
    })
  }
  return { out: out[0], aux: out[1] }
}

/** Normalizes `argnums` against the number of arguments; throws `InvalidArgumentError`. */
export const checkArgnums = (
  argnums: number | readonly number[],
  count: number,
  transformation: string,
): number[] => {
  const list = typeof argnums === 'number' ? [argnums] : [...argnums]
  for (const a of list) {
    if (!Number.isInteger(a) || a < 0 || a >= count) {
      throw new InvalidArgumentError(`argnums ${a} is out of range for ${count} argument(s)`, {
        transformation,
        hint: `argnums are indices in [0, ${count - 1}]`,
      })
    }
  }
  if (new Set(list).size !== list.length) {
    throw new InvalidArgumentError(`argnums [${list.join(', ')}] repeats an index`, {
      transformation,
      hint: 'name each argument once',
    })
  }
  return list
}

/**
 * Auxiliary output with every value traced by the finishing transformation replaced by its
 * primal (`unwrap`); anything else — strings, flags, nested data — passes through unchanged.
 */
export const stripAux = (aux: unknown, unwrap: (v: Val) => Val): unknown => {
  if (aux instanceof Tracer) return unwrap(aux)
  if (Array.isArray(aux)) return aux.map((a) => stripAux(a, unwrap))
  if (typeof aux === 'object' && aux !== null && Object.getPrototypeOf(aux) === Object.prototype) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(aux)) {
      Object.defineProperty(out, k, {
        value: stripAux(v, unwrap),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    return out
  }
  return aux
}
