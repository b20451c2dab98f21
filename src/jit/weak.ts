/**
 * Weak types at a program's outputs. A compiled program's steps make strongly typed tensors, but
 * a value the trace computed from JS numbers alone is weakly typed (`Tensor.weak`): the outputs
 * that were are marked again, so every call of a program gives eager's dtypes and weak types.
 * @module
 */
import type { Concrete, Val } from '../core/tracer.ts'
import { Tensor } from '../tensor/tensor.ts'
import { Staged } from './trace.ts'

/** Which of a trace's output leaves are weakly typed tensors; undefined if none is. */
export const weakOutputs = (leaves: readonly Val[]): readonly boolean[] | undefined => {
  const weak = leaves.map((v) => {
    const c = v instanceof Staged ? v.concrete : v
    return c instanceof Tensor && c.weak
  })
  return weak.includes(true) ? weak : undefined
}

/**
 * A program's outputs `outs` (a fresh array, returned as it is when no output is weak) with the
 * weak types of the trace's outputs, so that every call gives eager's dtypes.
 */
export function withWeak(outs: Concrete[], weak: readonly boolean[] | undefined): Concrete[]
export function withWeak(outs: Val[], weak: readonly boolean[] | undefined): Val[]
export function withWeak(outs: Val[], weak: readonly boolean[] | undefined): Val[] {
  if (weak === undefined) return outs
  return outs.map((o, k) => (weak[k] === true && o instanceof Tensor && !o.weak ? weakCopy(o) : o))
}

/** A weakly typed tensor sharing `t`'s storage. */
const weakCopy = (t: Tensor): Tensor => new Tensor(t.data, t.shape, true)
