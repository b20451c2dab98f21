/**
 * `scan` under `jit` (see ./stage.ts): one structured equation whose params hold the body — one
 * step, and with `unroll: k` also k steps as one body — compiled once and run per step, the ys
 * written into preallocated stacks.
 * @module
 */
import type { Concrete, Val } from '../../core/tracer.ts'
import type { LeafDef } from '../../core/tree.ts'
import type { NumberProgram } from '../../jit/compile.ts'
import { type NumberScan, numberScan } from '../../jit/emit/number-loop.ts'
import { evalTrace } from '../../jit/eval.ts'
import type { StructuredOp } from '../../jit/ir.ts'
import { compileNumbers } from '../../jit/numbers.ts'
import type { StagingInterpreter } from '../../jit/trace.ts'
import { zerosK } from '../../tensor/kernels/dtype.ts'
import { type Floats, Tensor } from '../../tensor/tensor.ts'
import { type Body, concreteOf, print, subprogram } from './stage.ts'

/** Below this many elements, copies are element loops (`slice` and `set` cost ~0.1 µs a call). */
const SHORT = 32

/** The stacked ys of a scan: one preallocated tensor per y leaf, filled step by step. */
const stackInto = (stacks: Floats[], i: number, ys: readonly Concrete[]): void => {
  for (let j = 0; j < ys.length; j++) {
    const y = ys[j]!
    if (typeof y === 'number') stacks[j]![i] = y
    else if (y.size >= SHORT) stacks[j]!.set(y.data, i * y.size)
    else {
      const to = stacks[j]!
      const from = y.data
      for (let e = 0, o = i * y.size; e < from.length; e++) to[o + e] = from[e]!
    }
  }
}

/** Tensors of the carry's shapes and dtypes (undefined for a number), owned by one scan run. */
const carrySet = (args: readonly Concrete[], nc: number): (Tensor | undefined)[] =>
  args
    .slice(0, nc)
    .map((x) => (typeof x === 'number' ? undefined : new Tensor(zerosK(x.size, x.dtype), x.shape)))

/** The carry of a body's outputs, tensors copied into `set` (numbers as they are). */
const copyCarry = (out: readonly Concrete[], set: readonly (Tensor | undefined)[]): Concrete[] => {
  const c: Concrete[] = new Array<Concrete>(set.length)
  for (let j = 0; j < set.length; j++) {
    const o = out[j]!
    const t = set[j]
    if (typeof o === 'number') {
      c[j] = o
      continue
    }
    const from = o.data
    const to = t?.data
    if (t === undefined || to === undefined || from.length !== to.length || o.dtype !== t.dtype) {
      // not the carry's type (scan's rule forbids it): a copy of its own
      c[j] = new Tensor(from.slice(), o.shape)
      continue
    }
    if (from.length < SHORT) for (let e = 0; e < from.length; e++) to[e] = from[e]!
    else to.set(from)
    c[j] = t
  }
  return c
}

/** A loop body over flat leaves, as a construct's rule takes it. */
export type Step = (c: readonly Val[], x: readonly Val[]) => readonly [Val[], Val[]]

interface ScanParams {
  readonly text: string
  /** One step, and (unrolled) `unroll` steps as one body. */
  readonly body: Body
  readonly block: Body | undefined
  readonly unroll: number
  /** Binds the construct again with another body (for `bind`). */
  readonly rebind: (step: Step, args: readonly Val[]) => Val[]
  readonly length: number
  readonly reverse: boolean
  readonly nc: number
  readonly nx: number
  readonly y: readonly LeafDef[]
  /** The body on plain numbers (each xs slice a number), where it runs so: see `runNumbers`. */
  readonly numbers: NumberProgram | undefined
  /** The whole scan as one generated loop, where `numbers` is one straight-line chain. */
  readonly loop: NumberScan | undefined
}

/** Slice `i` of a stacked tensor (a copy: a body's input is never a view of another value). */
const sliceAt = (x: Tensor, i: number): Tensor => {
  const n = x.size / x.shape[0]!
  const from = x.data
  if (n >= SHORT) return new Tensor(from.slice(i * n, (i + 1) * n), x.shape.slice(1))
  const to = from instanceof Float32Array ? new Float32Array(n) : new Float64Array(n)
  for (let e = 0, o = i * n; e < n; e++) to[e] = from[o + e]!
  return new Tensor(to, x.shape.slice(1))
}

/**
 * The scan of a body of plain numbers (`p.numbers`: carry, slices and the rest all numbers, a
 * slice read from the stacked float64 data), run in place: no arrays, tensors or slices per
 * step. The same steps as `run`'s, so the same numbers.
 */
const runNumbers = (args: readonly Concrete[], p: ScanParams, body: NumberProgram): Concrete[] => {
  const { nc, nx, length } = p
  const { N, inputs, outputs } = body
  const n = inputs.length
  const ny = p.y.length
  const ins = new Float64Array(n)
  for (let j = 0; j < n; j++) if (j < nc || j >= nc + nx) ins[j] = args[j] as number
  const xs = args.slice(nc, nc + nx).map((x) => (x as Tensor).data as Float64Array)
  const stacks = p.y.map(() => new Float64Array(length))
  // the whole loop generated, where the body is one straight-line chain
  if (p.loop !== undefined) p.loop(ins, xs, stacks, length)
  else
    for (let k = 0; k < length; k++) {
      const i = p.reverse ? length - 1 - k : k
      for (let j = 0; j < nx; j++) ins[nc + j] = xs[j]![i]!
      for (let j = 0; j < n; j++) if (inputs[j]! >= 0) N[inputs[j]!] = ins[j]!
      body.run()
      for (let j = 0; j < ny; j++) stacks[j]![i] = N[outputs[nc + j]!]!
      for (let j = 0; j < nc; j++) ins[j] = N[outputs[j]!]!
    }
  const carry: Concrete[] = Array.from(ins.subarray(0, nc))
  return [...carry, ...stacks.map((s) => new Tensor(s, [length]))]
}

const scanOp: StructuredOp = {
  name: 'scan',
  run(args, params) {
    const p = params as ScanParams
    if (p.numbers !== undefined) return runNumbers(args, p, p.numbers)
    const { nc, nx, length, block, unroll } = p
    const ny = p.y.length
    const own = args.length - p.body.captured.length - (block?.captured.length ?? 0)
    const xs = args.slice(nc, nc + nx) as Tensor[]
    const rest = args.slice(nc + nx, own)
    const at = own + p.body.captured.length
    // the inputs of each body: carry, slices of xs (one set per step), then the rest
    const oneIn = [...args.slice(0, nc + nx), ...rest, ...args.slice(own, at)]
    const blockIn =
      block === undefined
        ? oneIn
        : [
            ...args.slice(0, nc),
            ...new Array<Concrete>(nx * unroll).fill(0),
            ...rest,
            ...args.slice(at),
          ]
    const stacks = p.y.map((d) =>
      zerosK(d.shape.reduce((a, b) => a * b, 1) * length, d.dtype ?? 'float64'),
    )
    // the bodies' outputs live in buffers their next run overwrites (`keptOutputs`): each
    // step's carry is copied into one of two sets of tensors of the scan's own, the one the
    // step did not read (an output may be one of its inputs), and its ys into the stacks
    const sets = [carrySet(args, nc), carrySet(args, nc)]
    let c: Concrete[] = args.slice(0, nc)
    for (let k = 0, parity = 0; k < length; parity ^= 1) {
      const m = block !== undefined && length - k >= unroll ? unroll : 1
      const inputs = m > 1 ? blockIn : oneIn
      for (let j = 0; j < nc; j++) inputs[j] = c[j]!
      for (let s = 0; s < m; s++) {
        const i = p.reverse ? length - 1 - (k + s) : k + s
        for (let j = 0; j < nx; j++) inputs[nc + s * nx + j] = sliceAt(xs[j]!, i)
      }
      const out = (m > 1 ? block! : p.body).program.runFlat(inputs)
      c = copyCarry(out, sets[parity]!)
      for (let s = 0; s < m; s++) {
        const i = p.reverse ? length - 1 - (k + s) : k + s
        stackInto(stacks, i, out.slice(nc + s * ny, nc + (s + 1) * ny))
      }
      k += m
    }
    return [...c, ...stacks.map((s, j) => new Tensor(s, [length, ...p.y[j]!.shape]))]
  },
  bind(args, params) {
    const p = params as ScanParams
    const own = p.nc + p.nx
    const end = args.length - (p.block?.captured.length ?? 0)
    const rest = args.slice(own, end)
    const step: Step = (c, x) => {
      const out = evalTrace(p.body.trace, [...c, ...x, ...rest])
      return [out.slice(0, p.nc), out.slice(p.nc)]
    }
    return p.rebind(step, args.slice(0, own))
  },
  print: (params, indent) => {
    const p = params as ScanParams
    return print(
      p,
      p.block === undefined
        ? { body: p.body.trace }
        : { body: p.body.trace, unrolled: p.block.trace },
      indent,
    )
  },
}

/**
 * Stages a scan of `length ≥ 1` steps on `args` (carry, xs, then the rule's captured values):
 * its `step` traced once, on the first step's values.
 */
export const stageScan = (
  interp: StagingInterpreter,
  args: readonly Val[],
  shape: {
    readonly nc: number
    readonly nx: number
    readonly length: number
    readonly reverse: boolean
    readonly unroll: number
  },
  step: (c: readonly Val[], x: readonly Val[], cap: readonly Val[]) => [Val[], Val[]],
  y: () => readonly LeafDef[],
  rebind: ScanParams['rebind'],
): Val[] => {
  // staging runs the body on this call's values: an abstract trace is redone on values
  interp.needsValues()
  const { nc, nx, length, reverse, unroll } = shape
  const values = args.map(concreteOf)
  const order = (k: number) => (reverse ? length - 1 - k : k)
  const slices = (k: number) => values.slice(nc, nc + nx).map((x) => sliceAt(x as Tensor, order(k)))
  const rest = values.slice(nc + nx)
  const body = subprogram(
    (xs) => {
      const [next, ys] = step(xs.slice(0, nc), xs.slice(nc, nc + nx), xs.slice(nc + nx))
      return [...next, ...ys]
    },
    [...values.slice(0, nc), ...slices(0), ...rest],
    false,
    true,
  )
  // `unroll` steps as one body: fewer calls, and elementwise chains fused across steps
  const m = Math.min(unroll, length)
  const block =
    m < 2
      ? undefined
      : subprogram(
          (xs) => {
            let c = xs.slice(0, nc)
            const cap = xs.slice(nc + m * nx)
            const ys: Val[] = []
            for (let s = 0; s < m; s++) {
              const [next, y] = step(c, xs.slice(nc + s * nx, nc + (s + 1) * nx), cap)
              c = next
              ys.push(...y)
            }
            return [...c, ...ys]
          },
          [
            ...values.slice(0, nc),
            ...Array.from({ length: m }, (_, k) => slices(k)).flat(),
            ...rest,
          ],
          false,
          true,
        )
  const ys = y()
  const numbers =
    block === undefined &&
    ys.every((d) => d.number) &&
    values
      .slice(nc, nc + nx)
      .every((x) => x instanceof Tensor && x.shape.length === 1 && x.dtype === 'float64')
      ? compileNumbers(
          body.trace,
          body.trace.inputs.map((_, k) => k >= nc && k < nc + nx),
        )
      : undefined
  const params: ScanParams = {
    text: `length=${length}${reverse ? ', reverse' : ''}${m > 1 ? `, unroll=${m}` : ''}`,
    body,
    block,
    unroll: m,
    length,
    reverse,
    nc,
    nx,
    y: ys,
    rebind,
    numbers,
    loop: numbers === undefined ? undefined : numberScan(numbers, nc, nx, ys.length, reverse),
  }
  const ins = [...args, ...body.captured, ...(block?.captured ?? [])]
  const outs = scanOp.run(ins.map(concreteOf), params)
  return interp.stageStructured(scanOp, params, ins, outs)
}
