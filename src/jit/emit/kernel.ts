/**
 * Steps that call kernels: a primitive's `impl`, or a structured operation's `run`, on operands
 * read from slots (shapes were checked when the program was traced).
 * @module
 */
import { withDtype } from '../../core/dtype.ts'
import type { Concrete } from '../../core/tracer.ts'
import type { ShapeParams } from '../../primitives/families.ts'
import { primitives } from '../../primitives/registry.ts'
import type { SliceParams } from '../../primitives/structural.ts'
import { type Shape, sizeOf } from '../../tensor/shape.ts'
import { Tensor } from '../../tensor/tensor.ts'
import type { Equation } from '../ir.ts'
import type { SlotOf } from '../passes/slots.ts'
import type { Table } from '../table.ts'

/**
 * A step of a run. Variables that outlive a step live in storage slots: plain numbers unboxed in
 * `N` (a Float64Array), tensors in `E`. Values inside a fused chain live in locals only.
 */
export type Step = (N: Float64Array, E: Tensor[]) => void

/** A scalar kernel called from generated code. */
export type ScalarFn = (...xs: number[]) => number

/**
 * Where a slice of an array of `inShape` starts in its data, if the elements it takes are
 * consecutive there (one element per axis before some axis, a step-1 range along it, every
 * axis after it whole); undefined otherwise.
 */
export const contiguousStart = (
  { starts, ends, steps }: SliceParams,
  inShape: Shape,
): number | undefined => {
  const rank = inShape.length
  if (sizeOf(inShape) === 0) return undefined
  // the axes after `a` are whole; `a` is the first from the end that is not
  let a = rank - 1
  while (a >= 0 && starts[a] === 0 && ends[a] === inShape[a] && steps[a] === 1) a--
  if (a >= 0 && steps[a] !== 1 && ends[a]! - starts[a]! !== 1) return undefined
  for (let ax = 0; ax < a; ax++) {
    const step = steps[ax]!
    const count = step > 0 ? Math.ceil((ends[ax]! - starts[ax]!) / step) : 0
    if (count !== 1) return undefined
  }
  let offset = 0
  for (let ax = 0, stride = sizeOf(inShape); ax < rank; ax++) {
    stride /= inShape[ax]!
    offset += starts[ax]! * stride
  }
  return offset
}

/** One equation as a call of its kernel. */
export const kernelStep = (e: Equation, table: Table, slots: SlotOf): Step => {
  const numberIn = e.ins.map((i) => table.isNumber(i))
  const slotIn = e.ins.map((v) => slots.of(v))
  const arity = e.ins.length
  const read = (N: Float64Array, E: Tensor[]): Concrete[] => {
    const args = new Array<Concrete>(arity)
    for (let k = 0; k < arity; k++) args[k] = numberIn[k] ? N[slotIn[k]!]! : E[slotIn[k]!]!
    return args
  }
  if (e.kind === 'primitive') {
    const { p, params } = e
    const numberOut = table.isNumber(e.out)
    const slotOut = slots.of(e.out)
    const offset =
      p === primitives.slice && !numberIn[0] && !numberOut
        ? contiguousStart(params as SliceParams, table.info(e.ins[0]!).shape)
        : undefined
    if (offset !== undefined) {
      // a block of consecutive elements (a row of a matrix, say): a view, as reshape's
      const size = sizeOf(table.info(e.out).shape)
      const shape = table.info(e.out).shape
      const slot = slotIn[0]!
      const dtype = table.info(e.out).dtype ?? 'float64'
      return (_N, E) => {
        const x = E[slot]!
        E[slotOut] = withDtype(new Tensor(x.data.subarray(offset, offset + size), shape), dtype)
      }
    }
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
  const slotOut = e.outs.map((v) => slots.of(v))
  return (N, E) => {
    const ys = op.run(read(N, E), params)
    for (let k = 0; k < slotOut.length; k++) {
      if (numberOut[k]) N[slotOut[k]!] = ys[k] as number
      else E[slotOut[k]!] = ys[k] as Tensor
    }
  }
}
