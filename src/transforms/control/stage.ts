/**
 * Control flow under `jit`: a loop or a branch is staged as one structured equation
 * (src/jit/ir.ts) whose params hold its body, condition or branches as compiled sub-programs,
 * traced once each — so compile time does not grow with the trip count, and the loop runs as
 * many times as each call's values ask. Each sub-program takes the construct's own inputs and
 * then the values of the enclosing program it reads (closure conversion, src/jit/trace.ts).
 *
 * Tracing runs a body on this call's values once more than the eager loop would (a loop's first
 * step, every branch of a switch). Where that run fails — a branch not taken, or the body of a
 * loop that does not run, raising on these values — the construct cannot be staged, and `jit`
 * runs the function eagerly for that argument structure (`Unstageable`), which gives the same
 * result as without `jit`.
 * @module
 */
import { ConcretizationError } from '../../core/errors.ts'
import type { Concrete, Val } from '../../core/tracer.ts'
import type { LeafDef } from '../../core/tree.ts'
import { compile, type Program } from '../../jit/compile.ts'
import { evalTrace } from '../../jit/eval.ts'
import { printTrace, type StructuredOp, type Trace } from '../../jit/ir.ts'
import { traceSubprogram } from '../../jit/subprogram.ts'
import { Staged, type StagingInterpreter, Unstageable } from '../../jit/trace.ts'
import { Tensor } from '../../tensor/tensor.ts'

/** A traced and compiled sub-program, and the enclosing values it reads. */
interface Body {
  readonly trace: Trace
  readonly program: Program
  readonly captured: readonly Staged[]
}

const concreteOf = (v: Val): Concrete => (v instanceof Staged ? v.concrete : (v as Concrete))

/** Traces and compiles `fn` on `inputs`; `optional` says a failure there is not the user's. */
const subprogram = (
  fn: (xs: readonly Val[]) => Val[],
  inputs: readonly Concrete[],
  optional: boolean,
): Body => {
  let sub: ReturnType<typeof traceSubprogram>
  try {
    sub = traceSubprogram((...xs) => fn(xs), inputs)
  } catch (e) {
    // a body this call never runs, failing on its values: no program replays it, f runs eagerly
    if (optional && !(e instanceof ConcretizationError) && !(e instanceof Unstageable))
      throw new Unstageable()
    throw e
  }
  let program: Program
  try {
    program = compile(sub.trace)
  } catch (e) {
    // a page that forbids generated code, or an engine limit: as for jit itself, run eagerly
    if (e instanceof EvalError || e instanceof RangeError) throw new Unstageable()
    throw e
  }
  return { trace: sub.trace, program, captured: sub.captured }
}

const print = (
  params: { readonly text: string },
  sub: Record<string, Trace>,
  indent: string,
): string =>
  [
    params.text,
    ...Object.entries(sub).map(([k, t]) => `${k}=${printTrace(t, `${indent}  `)}`),
  ].join(', ')

/** The stacked ys of a scan: one preallocated tensor per y leaf, filled step by step. */
const stackInto = (stacks: Float64Array[], i: number, ys: readonly Concrete[]): void => {
  for (let j = 0; j < ys.length; j++) {
    const y = ys[j]!
    if (typeof y === 'number') stacks[j]![i] = y
    else stacks[j]!.set(y.data, i * y.size)
  }
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
}

/** Slice `i` of a stacked tensor (a copy: a body's input is never a view of another value). */
const sliceAt = (x: Tensor, i: number): Tensor => {
  const n = x.size / x.shape[0]!
  return new Tensor(x.data.slice(i * n, (i + 1) * n), x.shape.slice(1))
}

const scanOp: StructuredOp = {
  name: 'scan',
  run(args, params) {
    const p = params as ScanParams
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
    const stacks = p.y.map((d) => new Float64Array(d.shape.reduce((a, b) => a * b, 1) * length))
    let c = args.slice(0, nc)
    for (let k = 0; k < length; ) {
      const m = block !== undefined && length - k >= unroll ? unroll : 1
      const inputs = m > 1 ? blockIn : oneIn
      for (let j = 0; j < nc; j++) inputs[j] = c[j]!
      for (let s = 0; s < m; s++) {
        const i = p.reverse ? length - 1 - (k + s) : k + s
        for (let j = 0; j < nx; j++) inputs[nc + s * nx + j] = sliceAt(xs[j]!, i)
      }
      const out = (m > 1 ? block! : p.body).program.runFlat(inputs)
      c = out.slice(0, nc)
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
        )
  const params: ScanParams = {
    text: `length=${length}${reverse ? ', reverse' : ''}${m > 1 ? `, unroll=${m}` : ''}`,
    body,
    block,
    unroll: m,
    length,
    reverse,
    nc,
    nx,
    y: y(),
    rebind,
  }
  const ins = [...args, ...body.captured, ...(block?.captured ?? [])]
  const outs = scanOp.run(ins.map(concreteOf), params)
  return interp.stageStructured(scanOp, params, ins, outs)
}

interface WhileParams {
  readonly text: string
  /** Binds the construct again with another condition and body (for `bind`). */
  readonly rebind: (
    cond: (c: readonly Val[]) => Val,
    body: (c: readonly Val[]) => Val[],
    carry: readonly Val[],
  ) => Val[]
  readonly cond: Body
  readonly body: Body
  readonly nc: number
  readonly holds: (v: Concrete) => boolean
}

const whileOp: StructuredOp = {
  name: 'whileLoop',
  run(args, params) {
    const p = params as WhileParams
    const n = args.length - p.cond.captured.length - p.body.captured.length
    const rest = args.slice(p.nc, n)
    const condRest = [...rest, ...args.slice(n, n + p.cond.captured.length)]
    const bodyRest = [...rest, ...args.slice(n + p.cond.captured.length)]
    let c = args.slice(0, p.nc)
    while (p.holds(p.cond.program.runFlat([...c, ...condRest])[0]!)) {
      c = p.body.program.runFlat([...c, ...bodyRest])
    }
    return c
  },
  bind(args, params) {
    const p = params as WhileParams
    const [cc, bc] = [p.cond.captured.length, p.body.captured.length]
    const n = args.length - cc - bc
    const rest = args.slice(p.nc, n)
    const condRest = [...rest, ...args.slice(n, n + cc)]
    const bodyRest = [...rest, ...args.slice(n + cc)]
    return p.rebind(
      (c) => evalTrace(p.cond.trace, [...c, ...condRest])[0]!,
      (c) => evalTrace(p.body.trace, [...c, ...bodyRest]),
      args.slice(0, p.nc),
    )
  },
  print: (params, indent) => {
    const p = params as WhileParams
    return print(p, { cond: p.cond.trace, body: p.body.trace }, indent)
  },
}

/** Stages a while loop on `args` (carry, then captured values): condition and body traced once. */
export const stageWhile = (
  interp: StagingInterpreter,
  args: readonly Val[],
  nc: number,
  cond: (c: readonly Val[], cap: readonly Val[]) => Val,
  body: (c: readonly Val[], cap: readonly Val[]) => Val[],
  holds: (v: Val) => boolean,
  rebind: WhileParams['rebind'],
): Val[] => {
  const values = args.map(concreteOf)
  const condBody = subprogram((xs) => [cond(xs.slice(0, nc), xs.slice(nc))], values, false)
  // the body is traced even where this call does not run it (its condition is false at once)
  const runs = holds(
    condBody.program.runFlat([...values, ...condBody.captured.map(concreteOf)])[0]!,
  )
  const loopBody = subprogram((xs) => body(xs.slice(0, nc), xs.slice(nc)), values, !runs)
  const params: WhileParams = { text: '', cond: condBody, body: loopBody, nc, holds, rebind }
  const ins = [...args, ...condBody.captured, ...loopBody.captured]
  const outs = whileOp.run(ins.map(concreteOf), params)
  return interp.stageStructured(whileOp, params, ins, outs)
}

interface SwitchParams {
  readonly text: string
  /** Binds the construct again with other branches, over operands `args[1…]` (for `bind`). */
  readonly rebind: (
    branches: readonly ((operands: readonly Val[]) => Val[])[],
    args: readonly Val[],
  ) => Val[]
  readonly branches: readonly Body[]
  readonly pick: (v: Concrete) => number
}

const switchOp: StructuredOp = {
  name: 'switch',
  run(args, params) {
    const p = params as SwitchParams
    const captured = p.branches.reduce((n, b) => n + b.captured.length, 0)
    const own = args.length - captured
    const k = p.pick(args[0]!)
    let from = own
    for (let j = 0; j < k; j++) from += p.branches[j]!.captured.length
    const branch = p.branches[k]!
    return branch.program.runFlat([
      ...args.slice(1, own),
      ...args.slice(from, from + branch.captured.length),
    ])
  },
  bind(args, params) {
    const p = params as SwitchParams
    const captured = p.branches.reduce((n, b) => n + b.captured.length, 0)
    const own = args.length - captured
    let from = own
    const branches = p.branches.map((b) => {
      const mine = args.slice(from, from + b.captured.length)
      from += b.captured.length
      return (operands: readonly Val[]) => evalTrace(b.trace, [...operands, ...mine])
    })
    return p.rebind(branches, args.slice(0, own))
  },
  print: (params, indent) => {
    const p = params as SwitchParams
    return print(p, Object.fromEntries(p.branches.map((b, k) => [`branch${k}`, b.trace])), indent)
  },
}

/** Stages a switch on `args` (index, operands, captured values): every branch traced once. */
export const stageSwitch = (
  interp: StagingInterpreter,
  args: readonly Val[],
  name: string,
  count: number,
  run: (k: number, rest: readonly Val[]) => Val[],
  pick: (v: Val) => number,
  rebind: SwitchParams['rebind'],
): Val[] => {
  const values = args.map(concreteOf)
  const chosen = pick(values[0]!)
  const branches = Array.from({ length: count }, (_, k) =>
    subprogram((xs) => run(k, xs), values.slice(1), k !== chosen),
  )
  const params: SwitchParams = { text: name === 'cond' ? 'cond' : '', branches, pick, rebind }
  const ins = [...args, ...branches.flatMap((b) => b.captured)]
  const outs = switchOp.run(ins.map(concreteOf), params)
  return interp.stageStructured(switchOp, params, ins, outs)
}
