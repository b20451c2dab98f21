/**
 * What the transformations share: the cotangent ops handed to the tape, zeros and kinds of
 * leaves, and checks of what user functions return.
 * @module
 */

import { bind1 } from '../core/bind.ts'
import { InvalidArgumentError } from '../core/errors.ts'
import type { MaybeZero } from '../core/primitive.ts'
import type { CotangentOps } from '../core/tape.ts'
import { concreteOf, dtypeOf, Tracer, type Val } from '../core/tracer.ts'
import { type LeafDef, readError } from '../core/tree.ts'
import { add, neg, safeMul } from '../primitives/arithmetic.ts'
import { astypeP } from '../primitives/astype.ts'
import { conformKind } from '../primitives/structural.ts'
import { zerosK } from '../tensor/kernels/dtype.ts'
import { show, sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'

/** The ops the reverse-mode tape uses on cotangents. */
export const cotangentOps: CotangentOps = { add, safeMul, neg }

/** A concrete zero with the shape, kind and dtype of a leaf. */
export const zeroOf = (leaf: LeafDef): Val =>
  leaf.number ? 0 : new Tensor(zerosK(sizeOf(leaf.shape), leaf.dtype ?? 'float64'), leaf.shape)

/**
 * `v` (or zero, for a symbolic zero) with the kind and dtype of `leaf`: a number for a number
 * leaf, and a derivative of a float32 value float32 even where a float64 constant promoted it.
 */
export const asLeaf = (v: MaybeZero, leaf: LeafDef): Val => {
  if (typeof v === 'number' && leaf.number) return v
  if (v === null) return zeroOf(leaf)
  const number = typeof concreteOf(v) === 'number'
  const kinded = number === leaf.number ? v : conformKind(v, leaf.number ? 'number' : 'tensor')
  if (leaf.number || dtypeOf(kinded) === (leaf.dtype ?? 'float64')) return kinded
  return bind1(astypeP, kinded, { dtype: leaf.dtype ?? 'float64' })
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

/**
 * Throws when a user function returned a Promise (a thenable): transformations are synchronous.
 * The promise is fluxion's, never the caller's, so its later failure is marked handled first:
 * an async function's continuation runs after the transformation has returned, meets a dead
 * tracer and rejects — which would otherwise kill Node as an unhandled rejection (issue #12).
 */
export const checkSync = (out: unknown, transformation: string): void => {
  if (typeof out !== 'object' || out === null) return
  const then = (out as { then?: unknown }).then
  if (typeof then !== 'function') return
  try {
    then.call(out, undefined, ignore)
  } catch {
    // a thenable whose `then` throws has nothing left to reject
  }
  throw new InvalidArgumentError('the function returned a Promise', {
    transformation,
    hint: 'transformations are synchronous: make the function synchronous',
  })
}

const ignore = (): void => {}

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

/**
 * Throws unless `options` is an object (or omitted) with only `known` keys, whose `flags` are
 * booleans (or omitted): checked when the transformation is built, so `grad(f, 1)` — JAX's
 * positional argnums —, `{ argnum: 1 }` and `{ hasAux: 'yes' }` fail there, instead of being
 * read as the defaults.
 */
export const checkOptions = (
  options: unknown,
  transformation: string,
  known: readonly string[],
  flags: readonly string[] = [],
): void => {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const example = known.includes('argnums') ? 'argnums: 1' : `${known[0] ?? 'option'}: …`
    throw new InvalidArgumentError(
      `the options of ${transformation} must be an object, got ${show(options)}`,
      {
        transformation,
        hint: `name each option, e.g. ${transformation}(f, { ${example} })`,
      },
    )
  }
  const unknown = Object.keys(options).filter((k) => !known.includes(k))
  if (unknown.length > 0) {
    const names = known.length === 0 ? 'it takes none' : `known: ${known.join(', ')}`
    throw new InvalidArgumentError(
      `unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} of ${transformation} (${names})`,
      { transformation, hint: 'check the spelling of each option' },
    )
  }
  for (const flag of flags) {
    const v: unknown = (options as Record<string, unknown>)[flag]
    if (v !== undefined && typeof v !== 'boolean') {
      throw new InvalidArgumentError(`${flag} must be true or false, got ${show(v)}`, {
        transformation,
        hint: `pass { ${flag}: true }, or leave it out for false`,
      })
    }
  }
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
  if (count === 0) {
    throw new InvalidArgumentError('the function was called with no arguments', {
      transformation,
      hint: `call it with the values to differentiate at, e.g. ${transformation}(f)(x)`,
    })
  }
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
  if (list.length > 1 && new Set(list).size !== list.length) {
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
 * Arrays and plain objects are copied once each, so shared and cyclic references survive, and
 * holes stay holes. A worklist, not recursion: aux nested 10⁵ deep costs no JS stack.
 */
export const stripAux = (aux: unknown, unwrap: (v: Val) => Val): unknown => {
  const copies = new Map<object, unknown>()
  // [original, copy] pairs whose entries are still to be copied
  const pending: [object, unknown[] | Record<string, unknown>][] = []
  const strip = (a: unknown): unknown => {
    if (a instanceof Tracer) return unwrap(a)
    if (typeof a !== 'object' || a === null) return a
    const done = copies.get(a)
    if (done !== undefined) return done
    let out: unknown[] | Record<string, unknown>
    if (Array.isArray(a)) out = new Array<unknown>(a.length)
    else {
      // null-prototype objects are plain data too (trees accept them): their traced values
      // must be stripped as well, or they would escape the transformation
      const proto: unknown = Object.getPrototypeOf(a)
      if (proto !== Object.prototype && proto !== null) return a
      out = {}
    }
    copies.set(a, out)
    pending.push([a, out])
    return out
  }
  try {
    const root = strip(aux)
    for (let job = pending.pop(); job !== undefined; job = pending.pop()) {
      const [a, out] = job
      if (Array.isArray(out)) {
        const from = a as readonly unknown[]
        for (let i = 0; i < from.length; i++) if (Object.hasOwn(from, i)) out[i] = strip(from[i])
        continue
      }
      for (const [k, v] of Object.entries(a)) {
        Object.defineProperty(out, k, {
          value: strip(v),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
    }
    return root
  } catch (e) {
    // a getter or a Proxy trap of the aux threw while fluxion copied it
    throw readError(e, 'the auxiliary output', 'return plain data as aux')
  }
}
