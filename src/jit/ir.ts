/**
 * The program `jit` records (src/jit/trace.ts) and compiles (src/jit/compile.ts): a straight-line
 * program over numbered variables, in single assignment, and its text form, jaxpr-like, for
 * tests and debugging:
 *
 * ```text
 * { lambda c:f64[3] ; a:f64[3] b:num .
 *   let d:f64[3] = exp a
 *       e:f64[3] = mul d 2
 *   in (e) }
 * ```
 *
 * Tensor constants are listed before `;`, plain-number constants are written where they are
 * used; `num` is a plain JS number, `f64[…]` a float64 tensor (`f64[]` a rank-0 one) and
 * `f32[…]` a float32 one.
 * @module
 */
import type { Primitive } from '../core/primitive.ts'
import type { Concrete, Val } from '../core/tracer.ts'
import type { Shape } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import type { Plan } from './passes/fuse.ts'
import type { Table } from './table.ts'

/** One primitive application: `vars[out] = p(vars[ins[0]], …; params)`. */
export interface PrimitiveEquation {
  readonly kind: 'primitive'
  readonly p: Primitive
  readonly params: unknown
  readonly ins: readonly number[]
  readonly out: number
}

/**
 * An operation with structure — a loop, a branch — that the compiler runs as one step: never
 * fused, called with its inputs' values, giving several outputs. Its params may hold sub-programs
 * (`Trace`s, compiled by the op itself). `run` must not re-enter the program that calls it.
 */
export interface StructuredOp {
  readonly name: string
  run(args: readonly Concrete[], params: unknown): Concrete[]
  /**
   * The op applied again to values that may be traced (src/jit/eval.ts), so that a
   * transformation of a staged program sees it: a loop binds its construct on the values.
   */
  bind?(args: readonly Val[], params: unknown): Val[]
  /**
   * The params as text after the op's name (default: `printParams`, sub-programs printed
   * nested); `indent` is the indentation of the equation's line.
   */
  print?(params: unknown, indent: string): string
}

/** A structured application: `vars[outs[0]], … = op(vars[ins[0]], …; params)`. */
export interface StructuredEquation {
  readonly kind: 'structured'
  readonly op: StructuredOp
  readonly params: unknown
  readonly ins: readonly number[]
  readonly outs: readonly number[]
}

export type Equation = PrimitiveEquation | StructuredEquation

/**
 * What is known of a variable without its value: its shape, whether it is a JS number, and
 * (absent for float64) its dtype.
 */
export interface VarInfo {
  readonly shape: Shape
  readonly number: boolean
  readonly dtype?: 'float32'
}

/**
 * A recorded program: inputs, equations in order, constants and outputs, all by variable. The
 * equations and variables are kept in typed arrays (`table`, what the passes read); `vars` and
 * `equations` are made from them when first read (for printing, tests, small programs).
 */
export interface Trace {
  readonly vars: readonly VarInfo[]
  readonly inputs: readonly number[]
  readonly equations: readonly Equation[]
  /**
   * Constant variables — values closed over by the function, or computed from constants only —
   * and their values, index for index.
   */
  readonly constants: { readonly vars: readonly number[]; readonly values: readonly Concrete[] }
  readonly outputs: readonly number[]
  /** The equations and variables in typed arrays (src/jit/table.ts). */
  readonly table: Table
  /** The indices in `table` of this program's equations, in order; all of them if undefined. */
  readonly order: Int32Array | undefined
}

/** The parts of a trace besides its table. */
export interface TraceParts {
  readonly inputs: readonly number[]
  readonly constants: Trace['constants']
  readonly outputs: readonly number[]
}

/** A trace over a table; `vars` and `equations` made on first read. */
class TableTrace implements Trace {
  readonly table: Table
  readonly order: Int32Array | undefined
  readonly inputs: readonly number[]
  readonly constants: Trace['constants']
  readonly outputs: readonly number[]
  private madeVars: VarInfo[] | undefined = undefined
  private madeEquations: Equation[] | undefined = undefined
  constructor(table: Table, parts: TraceParts, order: Int32Array | undefined) {
    this.table = table
    this.order = order
    this.inputs = parts.inputs
    this.constants = parts.constants
    this.outputs = parts.outputs
  }
  get vars(): readonly VarInfo[] {
    const t = this.table
    this.madeVars ??= Array.from({ length: t.varCount }, (_, v) => t.info(v))
    return this.madeVars
  }
  get equations(): readonly Equation[] {
    const t = this.table
    this.madeEquations ??= Array.from({ length: countOf(this) }, (_, q) =>
      t.equation(indexOf(this, q)),
    )
    return this.madeEquations
  }
}

/** A trace of `table`'s equations (those of `order` only, if given). */
export const makeTrace = (table: Table, parts: TraceParts, order?: Int32Array): Trace =>
  new TableTrace(table, parts, order)

/** How many equations a trace has. */
export const countOf = (t: Trace): number =>
  t.order === undefined ? t.table.count : t.order.length

/** The table index of a trace's `q`-th equation. */
export const indexOf = (t: Trace, q: number): number => (t.order === undefined ? q : t.order[q]!)

/** The variables an equation defines. */
export const outsOf = (e: Equation): readonly number[] =>
  e.kind === 'primitive' ? [e.out] : e.outs

/** The name of an equation's operation. */
export const nameOf = (e: Equation): string => (e.kind === 'primitive' ? e.p.name : e.op.name)

const typeOf = (v: VarInfo): string =>
  v.number ? 'num' : `${v.dtype === 'float32' ? 'f32' : 'f64'}[${v.shape.join(',')}]`

/**
 * Variable names of one program: a…z, aa…, by order of creation, which is the order of
 * definition, so a program and its plan after dead-code elimination name each value alike;
 * plain-number constants are written as their values instead.
 */
export class Names {
  private readonly trace: Trace
  private readonly rank: Int32Array
  private readonly literals = new Map<number, number>()
  constructor(trace: Trace) {
    this.trace = trace
    const { vars, values } = trace.constants
    for (let k = 0; k < vars.length; k++) {
      const value = values[k]!
      if (typeof value === 'number') this.literals.set(vars[k]!, value)
    }
    this.rank = new Int32Array(trace.table.varCount)
    for (let v = 0, k = 0; v < this.rank.length; v++) {
      this.rank[v] = this.literals.has(v) ? -1 : k++
    }
  }
  /** `v`'s name with its type: `d:f64[3]`. */
  define(v: number): string {
    return `${this.use(v)}:${typeOf(this.trace.table.info(v))}`
  }
  /** How a use of `v` reads: its name, or a number constant's value. */
  use(v: number): string {
    const literal = this.literals.get(v)
    if (literal !== undefined) return Object.is(literal, -0) ? '-0' : String(literal)
    let k = this.rank[v]!
    let name = ''
    do {
      name = String.fromCharCode(97 + (k % 26)) + name
      k = Math.floor(k / 26) - 1
    } while (k >= 0)
    return name
  }
}

const isTrace = (x: unknown): x is Trace =>
  typeof x === 'object' && x !== null && 'equations' in x && 'vars' in x && 'outputs' in x

/** A param value, compactly; sub-programs printed nested at `indent`. */
const printValue = (x: unknown, indent: string): string => {
  if (isTrace(x)) return printTrace(x, `${indent}  `)
  if (x instanceof Tensor) return `${x.dtype === 'float32' ? 'f32' : 'f64'}[${x.shape.join(',')}]`
  if (typeof x === 'function') return `<fn ${x.name || 'anonymous'}>`
  if (Array.isArray(x)) return `[${x.map((e) => printValue(e, indent)).join(',')}]`
  if (typeof x === 'object' && x !== null) return `{${printParams(x, indent)}}`
  if (typeof x === 'number' && Object.is(x, -0)) return '-0'
  return String(x)
}

/**
 * Params as `k=v, …`, leaving out those undefined or false (the defaults of flags); sub-programs
 * printed nested at `indent`.
 */
export const printParams = (params: unknown, indent: string): string => {
  if (params === undefined || params === null) return ''
  if (typeof params !== 'object' || Array.isArray(params) || isTrace(params)) {
    return printValue(params, indent)
  }
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => `${k}=${printValue(v, indent)}`)
    .join(', ')
}

/** One equation's line (without indentation): `d:f64[3] = exp a`. */
export const printEquation = (e: Equation, names: Names, indent: string): string => {
  const ins = e.ins.map((i) => names.use(i)).join(' ')
  const params =
    e.kind === 'structured' && e.op.print !== undefined
      ? e.op.print(e.params, indent)
      : printParams(e.params, indent)
  const outs = outsOf(e)
    .map((o) => names.define(o))
    .join(' ')
  return `${outs} = ${nameOf(e)}${params === '' ? '' : `[${params}]`} ${ins}`.trimEnd()
}

/**
 * The head of a program's text, `{ lambda consts ; inputs .`, naming its constants and inputs
 * in `names`.
 */
export const printHead = (trace: Trace, names: Names): string => {
  const constants = trace.constants.vars
    .filter((_, k) => typeof trace.constants.values[k] !== 'number')
    .map((v) => names.define(v))
  const inputs = trace.inputs.map((v) => names.define(v))
  return `{ lambda ${constants.join(' ')}${constants.length > 0 ? ' ' : ''}; ${inputs.join(' ')} .`
}

/** A program as text (see the module comment); lines after the first start with `indent`. */
export function printTrace(trace: Trace, indent = ''): string {
  const names = new Names(trace)
  const lines = [printHead(trace, names)]
  trace.equations.forEach((e, k) => {
    const lead = k === 0 ? `${indent}  let ` : `${indent}      `
    lines.push(lead + printEquation(e, names, `${indent}      `))
  })
  lines.push(`${indent}  in (${trace.outputs.map((o) => names.use(o)).join(', ')}) }`)
  return lines.join('\n')
}

/**
 * A plan (passes/fuse.ts) as text: the program's text with its equations grouped into steps —
 * `loop f64[…] → (written)` for a fused tensor loop, `scalar` for a run of plain-number
 * instructions, each followed by its equations, and `kernel` for an equation run by its kernel.
 */
export function printPlan(plan: Plan): string {
  const names = new Names(plan.trace)
  const lines = [printHead(plan.trace, names)]
  const body = '    '
  const table = plan.trace.table
  for (const item of plan.items) {
    if ('kernel' in item) {
      lines.push(`  kernel ${printEquation(table.equation(item.kernel), names, body)}`)
      continue
    }
    const c = item.chain
    const at = lines.push('') - 1
    for (let q = 0; q < c.equations.length; q++) {
      lines.push(body + printEquation(table.equation(c.equations.data[q]!), names, body))
    }
    lines[at] =
      c.index < 0
        ? '  scalar'
        : `  loop ${c.out.dtype === 'float32' ? 'f32' : 'f64'}[${c.out.shape.join(',')}] → (${c.written.map((v) => names.use(v)).join(', ')})`
  }
  lines.push(`  in (${plan.trace.outputs.map((o) => names.use(o)).join(', ')}) }`)
  return lines.join('\n')
}
