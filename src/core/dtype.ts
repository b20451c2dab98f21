/**
 * Dtype promotion, as JAX's: float32 with float64 gives float64, and a JS number is weakly
 * typed — it takes the dtype of the tensors it meets, so `mul(x32, 2)` stays float32. Arguments
 * that carry no value of their own (conditions, index tensors: a record's `domain.fixed`) do
 * not take part, so `take(x32, indices64)` is float32.
 * @module
 */
import { toDtypeK } from '../tensor/kernels/dtype.ts'
import { type DType, Tensor } from '../tensor/tensor.ts'
import type { Primitive } from './primitive.ts'
import { type Concrete, concreteOf, type Val } from './tracer.ts'

/**
 * The dtype of `v` when it is strongly typed: undefined for a JS number, a weakly typed tensor
 * (computed from numbers alone), and traced ones.
 */
export const strongDtype = (v: Val): DType | undefined => {
  if (typeof v === 'number') return undefined
  if (v instanceof Tensor) return v.weak ? undefined : v.dtype
  const c = concreteOf(v)
  return typeof c === 'number' || c.weak ? undefined : c.dtype
}

/**
 * Whether `p` applied to `args` gives a weakly typed result: no argument that carries a value
 * is strongly typed (they are JS numbers or weak tensors), and `p` sets no dtype of its own.
 */
export const weakResult = <P>(p: Primitive<P>, args: readonly Concrete[]): boolean => {
  if (p.outDtype !== undefined) return false
  const fixed = p.domain.fixed
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (typeof a === 'number' || a.weak) continue
    if (fixed === undefined || !fixed.includes(i)) return false
  }
  return true
}

/**
 * The dtype of `p` applied to `args`: its `outDtype`, else the promoted dtype of its
 * value-carrying arguments — float32 only when every strongly typed one is float32. Float64
 * (the default) when all are weak.
 */
export const resultDtype = <P>(p: Primitive<P>, args: readonly Val[], params: P): DType => {
  if (p.outDtype !== undefined) return p.outDtype(params)
  const fixed = p.domain.fixed
  let sawFloat32 = false
  for (let i = 0; i < args.length; i++) {
    const d = strongDtype(args[i]!)
    if (d === undefined || fixed?.includes(i)) continue
    if (d === 'float64') return 'float64'
    sawFloat32 = true
  }
  return sawFloat32 ? 'float32' : 'float64'
}

/** Whether any argument is a float32 tensor: only then can a kernel's output need a cast. */
export const anyFloat32 = (args: readonly Concrete[]): boolean => {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a instanceof Tensor && a.dtype === 'float32') return true
  }
  return false
}

/** `t` with dtype `dtype`: itself when it has it, else a converted copy (rounded to nearest). */
export const withDtype = (t: Tensor, dtype: DType): Tensor =>
  t.dtype === dtype ? t : new Tensor(toDtypeK(t.data, dtype), t.shape)
