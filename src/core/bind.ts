/**
 * `bind`: the single door through which every primitive application passes. Concrete arguments
 * run the kernel; otherwise the interpreter owning the highest-level tracer processes the call,
 * and every lower-level value is a constant to it. Dispatch is by data, so rules need no context.
 *
 * While a custom rule runs (`captureGuard.on`, see ./custom.ts), traced arguments first pass
 * `guardValue`: a closed-over tracer is substituted or signalled. Otherwise that costs one test.
 * @module
 */
import { Tensor } from '../tensor/tensor.ts'
import { captureGuard, guardValue } from './custom.ts'
import { checkFinite, debugState } from './debug.ts'
import { anyFloat32, resultDtype, weakResult, withDtype } from './dtype.ts'
import type { Primitive } from './primitive.ts'
import { type Concrete, type Interpreter, notAValue, Tracer, type Val } from './tracer.ts'

/** Checks that a kernel's argument is concrete: a bad value fails here, not inside a loop. */
const concrete = (v: Val, op: string): Concrete => {
  if (typeof v === 'number' || v instanceof Tensor) return v
  throw notAValue(v, op)
}

/**
 * Runs the kernel on concrete arguments, after the shape rule has checked them. Kernels read
 * either storage and may write float64: where float32 is involved, the output takes the
 * promoted dtype here, so computing in float64 and rounding once gives float32's correctly
 * rounded result for every basic operation.
 */
const evaluate = <P>(p: Primitive<P>, args: readonly Concrete[], params: P): Concrete => {
  const shapes = args.map((a) => (typeof a === 'number' ? [] : a.shape))
  p.shape(shapes, params)
  let out = p.impl(args, params)
  if (out instanceof Tensor) {
    if (out.dtype === 'float32' || p.outDtype !== undefined || anyFloat32(args)) {
      out = withDtype(out, resultDtype(p, args, params))
    }
    // made of JS numbers (and weak tensors) alone: weakly typed, as the numbers are
    if (weakResult(p, args)) out = new Tensor(out.data, out.shape, true)
    else if (out.weak) out = new Tensor(out.data, out.shape)
  }
  if (debugState.on) checkFinite(out, p.name, shapes)
  return out
}

/** Applies a unary primitive. */
export const bind1 = <P>(p: Primitive<P>, x: Val, params: P): Val => {
  if (x instanceof Tracer) {
    if (!captureGuard.on) return x.interp.process1(p as Primitive, x, params)
    x = guardValue(x)
    if (x instanceof Tracer) return x.interp.process1(p as Primitive, x, params)
  }
  return evaluate(p, [concrete(x, p.name)], params)
}

/** Applies a binary primitive. */
export const bind2 = <P>(p: Primitive<P>, a: Val, b: Val, params: P): Val => {
  let top = topOf2(a, b)
  if (top !== undefined && captureGuard.on) {
    a = guardValue(a)
    b = guardValue(b)
    top = topOf2(a, b)
  }
  return top === undefined
    ? evaluate(p, [concrete(a, p.name), concrete(b, p.name)], params)
    : top.process2(p as Primitive, a, b, params)
}

/** Applies a primitive of any arity. */
export const bindN = <P>(p: Primitive<P>, args: readonly Val[], params: P): Val => {
  let top = topOf(args)
  if (top !== undefined && captureGuard.on) {
    args = args.map(guardValue)
    top = topOf(args)
  }
  return top === undefined
    ? evaluate(
        p,
        args.map((a) => concrete(a, p.name)),
        params,
      )
    : top.processN(p as Primitive, args, params)
}

/** The interpreter of the highest-level tracer among `a` and `b`. */
const topOf2 = (a: Val, b: Val): Interpreter | undefined => {
  let top: Interpreter | undefined
  if (a instanceof Tracer) top = a.interp
  if (b instanceof Tracer && (top === undefined || b.interp.level > top.level)) top = b.interp
  return top
}

/** The interpreter of the highest-level tracer among `args`. */
const topOf = (args: readonly Val[]): Interpreter | undefined => {
  let top: Interpreter | undefined
  for (const a of args) {
    if (a instanceof Tracer && (top === undefined || a.interp.level > top.level)) top = a.interp
  }
  return top
}
