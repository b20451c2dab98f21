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
import { show, sizeOf } from '../tensor/shape.ts'
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

/**
 * Throws unless `f` is a function: transformations check what they are given when they are
 * built, so `grad(notAFunction)` fails there, not as a `TypeError` at the first call.
 */
export const checkFunction = (f: unknown, transformation: string, what = 'the function'): void => {
  if (typeof f !== 'function') {
    throw new InvalidArgumentError(
      `${what} given to ${transformation} must be a function, got ${show(f)}`,
      {
        transformation,
        hint: `pass the function itself: ${transformation}(f), not ${transformation}(f(x))`,
      },
    )
  }
}

/**
 * `leaves` with every tensor that shares storage with a tensor among `inputs` replaced by a
 * copy, so what a transformation returns never aliases what it was given — even when `f` is the
 * identity, a linear op passes a tangent through unchanged, or a custom rule returns its input.
 */
export const unalias = (leaves: readonly Val[], ...inputs: readonly (readonly Val[])[]): Val[] => {
  if (!leaves.some((l) => l instanceof Tensor)) return leaves.slice()
  const buffers = new Set<ArrayBufferLike>()
  for (const list of inputs)
    for (const x of list) if (x instanceof Tensor) buffers.add(x.data.buffer)
  return leaves.map((l) =>
    l instanceof Tensor && buffers.has(l.data.buffer) ? new Tensor(l.data.slice(), l.shape) : l,
  )
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
  if (typeof argnums !== 'number' && !Array.isArray(argnums)) {
    throw new InvalidArgumentError(`argnums must be an index or a list, got ${show(argnums)}`, {
      transformation,
      hint: `argnums are indices in [0, ${count - 1}], e.g. { argnums: 0 } or { argnums: [0, 1] }`,
    })
  }
  const list: readonly unknown[] = typeof argnums === 'number' ? [argnums] : argnums
  for (const a of list) {
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= count) {
      throw new InvalidArgumentError(
        `argnums ${show(a)} is out of range for ${count} argument(s)`,
        {
          transformation,
          hint: `argnums are indices in [0, ${count - 1}]`,
        },
      )
    }
  }
  if (new Set(list).size !== list.length) {
    throw new InvalidArgumentError(`argnums [${list.join(', ')}] repeats an index`, {
      transformation,
      hint: 'name each argument once',
    })
  }
  return list as number[]
}

/**
 * Auxiliary output with every value traced by the finishing transformation replaced by its
 * primal (`unwrap`); anything else — strings, flags, nested data — passes through unchanged.
 * Arrays and plain objects are copied once each, so shared and cyclic references survive.
 */
export const stripAux = (aux: unknown, unwrap: (v: Val) => Val): unknown => {
  const copies = new Map<object, unknown>()
  const strip = (a: unknown): unknown => {
    if (a instanceof Tracer) return unwrap(a)
    if (typeof a !== 'object' || a === null) return a
    const done = copies.get(a)
    if (done !== undefined) return done
    if (Array.isArray(a)) {
      const out: unknown[] = []
      copies.set(a, out)
      for (const item of a) out.push(strip(item))
      return out
    }
    // null-prototype objects are plain data too (trees accept them): their traced values must
    // be stripped as well, or they would escape the transformation
    const proto: unknown = Object.getPrototypeOf(a)
    if (proto !== Object.prototype && proto !== null) return a
    const out: Record<string, unknown> = {}
    copies.set(a, out)
    for (const [k, v] of Object.entries(a)) {
      Object.defineProperty(out, k, {
        value: strip(v),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    return out
  }
  return strip(aux)
}
