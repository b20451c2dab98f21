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
import { ConcretizationError, TreeMismatchError } from '../../core/errors.ts'
import { type Concrete, dtypeOf, type Val } from '../../core/tracer.ts'
import { compile, type NumberProgram, type Program } from '../../jit/compile.ts'
import { type NumberWhile, numberWhile } from '../../jit/emit/number-loop.ts'
import { evalTrace } from '../../jit/eval.ts'
import { printTrace, type StructuredOp, type Trace } from '../../jit/ir.ts'
import { traceSubprogram } from '../../jit/subprogram.ts'
import { Staged, type StagingInterpreter, Unstageable } from '../../jit/trace.ts'
import { withWeak } from '../../jit/weak.ts'
import type { DType } from '../../tensor/tensor.ts'
import { toDtypes } from './shared.ts'

/** A traced and compiled sub-program, and the enclosing values it reads. */
export interface Body {
  readonly trace: Trace
  readonly program: Program
  readonly captured: readonly Staged[]
}

export const concreteOf = (v: Val): Concrete => (v instanceof Staged ? v.concrete : (v as Concrete))

/**
 * Traces and compiles `fn` on `inputs`; `optional` says a failure there is not the user's —
 * `'branch'`: but for a `TreeMismatchError`, which no value causes (a switch's branches must
 * agree whichever runs); `keptOutputs` as `compile` has it.
 */
export const subprogram = (
  fn: (xs: readonly Val[]) => Val[],
  inputs: readonly Concrete[],
  optional: boolean | 'branch',
  keptOutputs = false,
): Body => {
  let sub: ReturnType<typeof traceSubprogram>
  try {
    sub = traceSubprogram((...xs) => fn(xs), inputs)
  } catch (e) {
    // a body this call never runs, failing on its values: no program replays it, f runs eagerly
    if (
      optional !== false &&
      !(e instanceof ConcretizationError) &&
      !(e instanceof Unstageable) &&
      !(optional === 'branch' && e instanceof TreeMismatchError)
    )
      throw new Unstageable()
    throw e
  }
  let program: Program
  try {
    program = compile(sub.trace, { keptOutputs, body: true })
  } catch (e) {
    // a page that forbids generated code, or an engine limit: as for jit itself, run eagerly
    if (e instanceof EvalError || e instanceof RangeError) throw new Unstageable()
    throw e
  }
  return { trace: sub.trace, program, captured: sub.captured }
}

export const print = (
  params: { readonly text: string },
  sub: Record<string, Trace>,
  indent: string,
): string =>
  [
    params.text,
    ...Object.entries(sub).map(([k, t]) => `${k}=${printTrace(t, `${indent}  `)}`),
  ].join(', ')

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
  /** The condition and body run in place, where all their values in and out are numbers. */
  readonly numbers:
    | {
        readonly cond: NumberProgram
        readonly body: NumberProgram
        /** The whole loop as one generated function, where both are straight-line chains. */
        readonly loop: NumberWhile | undefined
      }
    | undefined
}

/**
 * The loop with a condition and body of plain numbers, run in place: no arrays per pass. The
 * same passes as `run`'s, so the same numbers.
 */
const runNumbers = (
  args: readonly Concrete[],
  p: WhileParams,
  { cond, body, loop }: NonNullable<WhileParams['numbers']>,
): Concrete[] => {
  const { nc } = p
  const n = args.length - p.cond.captured.length - p.body.captured.length
  // each program's inputs: the carry, the loop's other inputs, then its captured values
  const fill = (from: number, count: number): Float64Array => {
    const v = new Float64Array(n + count)
    for (let j = 0; j < n; j++) v[j] = args[j] as number
    for (let j = 0; j < count; j++) v[n + j] = args[from + j] as number
    return v
  }
  const condIn = fill(n, p.cond.captured.length)
  const bodyIn = fill(n + p.cond.captured.length, p.body.captured.length)
  // the whole loop generated, where condition and body are each one straight-line chain
  if (loop !== undefined) loop(condIn, bodyIn)
  else
    for (;;) {
      for (let j = 0; j < condIn.length; j++) cond.N[cond.inputs[j]!] = condIn[j]!
      cond.run()
      if (!p.holds(cond.N[cond.outputs[0]!]!)) break
      for (let j = 0; j < bodyIn.length; j++) body.N[body.inputs[j]!] = bodyIn[j]!
      body.run()
      for (let j = 0; j < nc; j++) condIn[j] = bodyIn[j] = body.N[body.outputs[j]!]!
    }
  return Array.from(condIn.subarray(0, nc))
}

const whileOp: StructuredOp = {
  name: 'whileLoop',
  run(args, params) {
    const p = params as WhileParams
    const { numbers } = p
    if (numbers !== undefined) return runNumbers(args, p, numbers)
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
  // staging runs the body on this call's values: an abstract trace is redone on values
  interp.needsValues()
  const values = args.map(concreteOf)
  const condBody = subprogram((xs) => [cond(xs.slice(0, nc), xs.slice(nc))], values, false)
  // the body is traced even where this call does not run it (its condition is false at once)
  const runs = holds(
    condBody.program.runFlat([...values, ...condBody.captured.map(concreteOf)])[0]!,
  )
  const loopBody = subprogram((xs) => body(xs.slice(0, nc), xs.slice(nc)), values, !runs)
  const [condNumbers, bodyNumbers] = [condBody.program.numbers, loopBody.program.numbers]
  const params: WhileParams = {
    text: '',
    cond: condBody,
    body: loopBody,
    nc,
    holds,
    rebind,
    numbers:
      condNumbers !== undefined && bodyNumbers !== undefined
        ? {
            cond: condNumbers,
            body: bodyNumbers,
            loop: numberWhile(condNumbers, bodyNumbers, nc, holds),
          }
        : undefined,
  }
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
  /** Which outputs are weakly typed (every branch's is; undefined if none). */
  readonly weak: readonly boolean[] | undefined
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
    const outs = branch.program.runFlat([
      ...args.slice(1, own),
      ...args.slice(from, from + branch.captured.length),
    ])
    return withWeak(outs, p.weak)
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
  join: (ran: readonly (readonly Val[])[]) => (DType | undefined)[],
  rebind: SwitchParams['rebind'],
): Val[] => {
  // staging runs the body on this call's values: an abstract trace is redone on values
  interp.needsValues()
  const values = args.map(concreteOf)
  const chosen = pick(values[0]!)
  const ran: Val[][] = []
  const traced = (k: number, dtypes?: readonly (DType | undefined)[]): Body =>
    subprogram(
      (xs) => {
        ran[k] = run(k, xs)
        return dtypes === undefined ? ran[k] : toDtypes(ran[k], dtypes)
      },
      values.slice(1),
      k !== chosen && 'branch',
    )
  const first = Array.from({ length: count }, (_, k) => traced(k))
  // the output dtypes whichever branch runs: a branch whose weakly typed outputs took another
  // dtype in another branch is traced again, converting them
  const dtypes = join(ran)
  const branches = first.map((b, k) =>
    ran[k]!.every((o, j) => dtypes[j] === undefined || dtypeOf(o) === dtypes[j])
      ? b
      : traced(k, dtypes),
  )
  // weakly typed where every branch's output is
  const weak = dtypes.map((d) => d === undefined)
  const params: SwitchParams = {
    text: name === 'cond' ? 'cond' : '',
    branches,
    pick,
    rebind,
    weak: weak.includes(true) ? weak : undefined,
  }
  const ins = [...args, ...branches.flatMap((b) => b.captured)]
  const outs = switchOp.run(ins.map(concreteOf), params)
  return interp.stageStructured(switchOp, params, ins, outs)
}
