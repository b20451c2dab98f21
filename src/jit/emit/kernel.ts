/**
 * Steps that call kernels: a primitive's `impl`, or a structured operation's `run`, on operands
 * read from slots (shapes were checked when the program was traced).
 * @module
 */
import { withDtype } from '../../core/dtype.ts'
import type { Concrete } from '../../core/tracer.ts'
import type { ShapeParams } from '../../primitives/families.ts'
import { primitives } from '../../primitives/registry.ts'
import { Tensor } from '../../tensor/tensor.ts'
import type { Equation } from '../ir.ts'
import type { Table } from '../table.ts'

/**
 * A step of a run. Variables that outlive a step live in storage slots: plain numbers unboxed in
 * `N` (a Float64Array), tensors in `E`. Values inside a fused chain live in locals only.
 */
export type Step = (N: Float64Array, E: Tensor[]) => void

/** A scalar kernel called from generated code. */
export type ScalarFn = (...xs: number[]) => number

/** One equation as a call of its kernel. */
export const kernelStep = (e: Equation, table: Table, slotOf: (v: number) => number): Step => {
  const numberIn = e.ins.map((i) => table.isNumber(i))
  const slotIn = e.ins.map(slotOf)
  const arity = e.ins.length
  const read = (N: Float64Array, E: Tensor[]): Concrete[] => {
    const args = new Array<Concrete>(arity)
    for (let k = 0; k < arity; k++) args[k] = numberIn[k] ? N[slotIn[k]!]! : E[slotIn[k]!]!
    return args
  }
  if (e.kind === 'primitive') {
    const { p, params } = e
    const numberOut = table.isNumber(e.out)
    const slotOut = slotOf(e.out)
    if (p === primitives.reshape && !numberIn[0] && !numberOut) {
      // a view of its operand, not the eager copy: no step of a program writes into a tensor it
      // did not allocate, and `jit` copies an output that shares an argument's storage
      const { shape } = params as ShapeParams
      const slot = slotIn[0]!
      const dtype = table.info(e.out).dtype ?? 'float64'
      return (_N, E) => {
        E[slotOut] = withDtype(new Tensor(E[slot]!.data, shape), dtype)
      }
    }
    // float32 anywhere: the output takes the dtype the trace recorded, as `bind` gave it
    const dtype = table.info(e.out).dtype
    if (dtype !== undefined || p.outDtype !== undefined || e.ins.some((i) => table.info(i).dtype)) {
      const want = dtype ?? 'float64'
      return (N, E) => {
        const y = p.impl(read(N, E), params)
        if (numberOut) N[slotOut] = y as number
        else E[slotOut] = withDtype(y as Tensor, want)
      }
    }
    // the primitive step reads its operands inline: it is the hot one
    return (N, E) => {
      const args = new Array<Concrete>(arity)
      for (let k = 0; k < arity; k++) args[k] = numberIn[k] ? N[slotIn[k]!]! : E[slotIn[k]!]!
      const y = p.impl(args, params)
      if (numberOut) N[slotOut] = y as number
      else E[slotOut] = y as Tensor
    }
  }
  const { op, params } = e
  const numberOut = e.outs.map((o) => table.isNumber(o))
  const slotOut = e.outs.map(slotOf)
  return (N, E) => {
    const ys = op.run(read(N, E), params)
    for (let k = 0; k < slotOut.length; k++) {
      if (numberOut[k]) N[slotOut[k]!] = ys[k] as number
      else E[slotOut[k]!] = ys[k] as Tensor
    }
  }
}
