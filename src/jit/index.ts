/**
 * `jit`: trace once per input shapes, replay a fused program. The first call with a new
 * structure of arguments (tree, kinds, shapes) runs `f` under the staging interpreter, which
 * records every primitive application; the recording is compiled — dead code dropped, chains of
 * elementwise ops fused into single loops — and cached. Later calls with the same structure run
 * the compiled program, at top level only (see `jit`). A tensor argument of 1024 elements or
 * more is traced abstractly (./abstract.ts: no kernel runs on it, the first result is the
 * program's), unless `f`'s trace needs its values, and then `f` is traced again on them.
 * Results are the eager ones, to the bit: the same operations in the same order. (One
 * exception: a zero cotangent of a plain-number argument can be −0 where eager reverse mode
 * gives +0; laws/runners/jit.ts.)
 * @module
 */

import { bindCustom, type CustomRule } from '../core/custom.ts'
import { debugState } from '../core/debug.ts'
import { ConcretizationError, InvalidArgumentError } from '../core/errors.ts'
import {
  activeLevels,
  type Concrete,
  concreteOf,
  isTracer,
  Tracer,
  type Val,
} from '../core/tracer.ts'
import { flatten, type LeafDef, type TreeDef, unflatten } from '../core/tree.ts'
import { shapesEqual, sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { checkFunction, checkOptions, checkSync, unalias } from '../transforms/common.ts'
import { abstractStats } from './abstract.ts'
import { callRule } from './call.ts'
import { type CompileStats, compile, type Program, plan } from './compile.ts'
import { printPlan, printTrace } from './ir.ts'
import { scan } from './scan.ts'
import { checkStaticArgnums, checkStaticCount, staticKey } from './static.ts'
import {
  Staged,
  StagingInterpreter,
  type Trace,
  TraceTooLong,
  traceLimit,
  Unstageable,
} from './trace.ts'
import { weakOutputs, withWeak } from './weak.ts'

/**
 * Compiles a trace, or gives undefined where this environment cannot run it as generated code:
 * a page that forbids such code (a Content-Security-Policy without 'unsafe-eval' makes
 * `Function` throw EvalError), or an engine limit met by a huge program (a RangeError). Calls of
 * that structure then run `f` itself, as they would without `jit`.
 */
const compileOrNot = (trace: Trace): Program | undefined => {
  try {
    return compile(trace)
  } catch (e) {
    if (e instanceof EvalError || e instanceof RangeError) return undefined
    throw e
  }
}

/** Compiled programs kept per jitted function (one per structure of arguments). */
const MAX_PROGRAMS = 64

/**
 * A cached compilation, or `eager` for a structure that could not be traced or compiled.
 * `weak`: which outputs the trace gave weakly typed (undefined if none), since a program's steps
 * make strongly typed tensors.
 */
type Entry =
  | {
      readonly program: Program
      readonly outDef: TreeDef
      readonly weak: readonly boolean[] | undefined
    }
  | 'eager'

/** Options of `jit`. */
export interface JitOptions {
  /**
   * Positions of arguments that are configuration, not data — numbers, strings, booleans,
   * functions, plain objects: passed to `f` as they are, never traced, and part of the cache key
   * (by value for numbers, strings and booleans; by identity for functions and objects), so each
   * distinct value traces its own program, as JAX's `static_argnums`.
   */
  readonly staticArgnums?: number | readonly number[]
}

/** Every option's name, for `checkOptions` to refuse others (`satisfies` keeps it complete). */
const jitOptionNames = Object.keys({ staticArgnums: true } satisfies {
  readonly [K in keyof JitOptions]-?: true
})

/** A program as `jit` traced it, for reading (see `Jitted.trace`). */
export interface StagedProgram {
  /** The program, jaxpr-like: `{ lambda consts ; inputs . let equations in (outputs) }`. */
  toString(): string
  /**
   * The program after dead-code elimination and fusion: each fused loop (`loop`) or run of
   * plain-number instructions (`scalar`) with its equations, and each kernel call (`kernel`).
   */
  readonly fused: string
  /** Equations kept, kernel calls, fused loops, and equations fused into them. */
  readonly stats: CompileStats
}

/** A jitted function: `f`, compiled, with `trace` to read the program it runs. */
export type Jitted<A extends unknown[], R> = ((...args: A) => R) & {
  /** Traces `f` on these arguments (concrete values), without running or caching a program. */
  trace(...args: A): StagedProgram
}

/** The result of tracing `f` once. */
interface Traced {
  readonly trace: Trace
  readonly outLeaves: Val[]
  readonly outDef: TreeDef
  /** Whether some values were placeholders: the outputs' values are then the program's to give. */
  readonly abstract: boolean
}

/** What `stage` returns when an abstract trace met a read of a placeholder: trace on values. */
const ON_VALUES = 'on values'

/**
 * Runs `f` under a new staging interpreter on `args`, the dynamic leaves `inputs` (of the tree
 * `def`, in place of the non-static arguments) staged; undefined where a value of another
 * transformation was met, or the program grew past `traceLimit` (see `Unstageable`), unless
 * `strict`, which raises the named error instead (for `jit(f).trace`). `abstract`: large tensor
 * inputs are placeholders (./abstract.ts); `ON_VALUES` if one was read.
 */
function stage<A extends unknown[], R>(
  f: (...args: A) => R,
  args: A,
  dynamic: readonly number[],
  def: TreeDef,
  inputs: readonly Concrete[],
  strict?: boolean,
): Traced | undefined
function stage<A extends unknown[], R>(
  f: (...args: A) => R,
  args: A,
  dynamic: readonly number[],
  def: TreeDef,
  inputs: readonly Concrete[],
  strict: boolean,
  abstract: true,
): Traced | undefined | typeof ON_VALUES
function stage<A extends unknown[], R>(
  f: (...args: A) => R,
  args: A,
  dynamic: readonly number[],
  def: TreeDef,
  inputs: readonly Concrete[],
  strict = false,
  abstract = false,
): Traced | undefined | typeof ON_VALUES {
  const interp = new StagingInterpreter(false, abstract)
  try {
    const staged = unflatten(
      def,
      inputs.map((x) => interp.input(x)),
    ) as unknown[]
    const full = [...args] as unknown[] as A
    dynamic.forEach((i, k) => {
      full[i] = staged[k]
    })
    const out = f(...full)
    checkSync(out, 'jit')
    const outFlat = flatten(out, 'output')
    const trace = interp.finish(outFlat.leaves)
    // (checked last: code that read a placeholder may have caught the error)
    if (interp.abstractFailed) return ON_VALUES
    const used = interp.placeholders?.used ?? false
    return { outLeaves: outFlat.leaves, outDef: outFlat.def, trace, abstract: used }
  } catch (e) {
    // whatever followed a read of a placeholder, the trace on values says what f does
    if (interp.abstractFailed) return ON_VALUES
    // a traced value of a transformation that has returned was captured: f raises the
    // escaped-tracer error; or the program is too long to compile in bounded memory
    if (strict && e instanceof TraceTooLong) throw tooLong()
    if (!(e instanceof Unstageable)) throw e
    return undefined
  } finally {
    interp.close()
  }
}

/**
 * A concrete value of `leaf`'s kind and shape under `v`, to trace with: the value itself, or,
 * under `vmap` (whose values hold a whole batch, its axes in front), the first example's.
 */
const exampleOf = (v: Val, leaf: LeafDef): Concrete => {
  // an abstract trace around has no value to give: it is redone on values
  for (let x = v; x instanceof Tracer; x = x.inner) if (x instanceof Staged) x.interp.needsValues()
  const c = concreteOf(v)
  if (typeof c === 'number') return c
  const n = sizeOf(leaf.shape)
  if (shapesEqual(c.shape, leaf.shape)) return leaf.number ? c.data[0]! : c
  const first = new Tensor(c.data.slice(0, n), leaf.shape)
  return leaf.number ? first.data[0]! : first
}

/**
 * `stage` for a call under a transformation: where `f` reads a value (a JS branch on data),
 * undefined — the call then runs `f` itself, as it always did there.
 */
const stageOrNot = <A extends unknown[], R>(
  f: (...args: A) => R,
  args: A,
  dynamic: readonly number[],
  def: TreeDef,
  inputs: readonly Concrete[],
): Traced | undefined => {
  try {
    return stage(f, args, dynamic, def, inputs)
  } catch (e) {
    if (e instanceof ConcretizationError && e.transformation === 'jit') return undefined
    throw e
  }
}

/** What `trace` returns for a program. */
const stagedProgram = (trace: Trace): StagedProgram => ({
  toString: () => printTrace(trace),
  get fused() {
    return printPlan(plan(trace))
  },
  get stats() {
    return compile(trace).stats
  },
})

/**
 * Compiles `f`: the same function, traced once per structure of its arguments (tree shape, and
 * each leaf's kind and shape) and replayed from then on, with chains of elementwise ops fused
 * into single loops over memory. It composes with every transformation: `jit(grad(f))` compiles
 * the gradient, backward pass included.
 *
 * Under another transformation — `grad(jit(f))`, `jvp`, `vjp`, `vmap`, `hessian` of it — a
 * jitted function is a primitive that transformation sees through (JAX's `pjit`): it traces `f`
 * once, on the values under its arguments, and binds the program as one operation whose
 * forward mode, reverse mode and batching are themselves compiled programs, so `f` never runs
 * again. Inside another jitted function it is inlined into the outer program. If `f` closes over
 * a value of a running transformation (no program could hold it), or reads a value, that call
 * runs `f` itself, so no derivative is ever lost.
 *
 * The first call runs `f` once, on the arguments' values, while recording — except that a tensor
 * argument of 1024 elements or more is traced abstractly, as JAX traces: by its shape and dtype,
 * with no kernel run, the first call's result then being the compiled program's (so the first
 * call costs about what an eager call does less its arithmetic, plus compiling, and the second
 * is a fast replay). Where `f` needs values while traced — a `scan`, `foriLoop`, `whileLoop`,
 * `cond` or `switchCase` (traced by running their bodies), or a jitted function inside — `jit`
 * traces it again on the values, so `f` runs twice on that first call, and traces on values
 * for every later structure.
 *
 * Like JAX's `jit`, the traced function must not depend on the values of its arguments: reading
 * one (`value(x)`, `x.item()`, `x.data`, a JS branch on data) throws `ConcretizationError`.
 * Arguments that are configuration — a number of steps, a mode string, a function — can be made
 * static with `{ staticArgnums }`: they are passed as they are, and each value gets its own
 * program. Values `f` closes over are constants of the compiled program: a replay uses the ones
 * of the call that traced it, even if a variable it reads has been reassigned since; pass a value
 * that changes as an argument instead. With `debugNans` on, calls run eagerly so the check can
 * name the primitive. Where a page forbids generated code (a Content-Security-Policy without
 * 'unsafe-eval'), or a program meets a limit of the JS engine, calls run `f` itself. Any program
 * that runs eagerly compiles: no generated function grows with its length; but a program of more
 * than 2²² recorded values (a 2·10⁶-op scalar gradient) is not compiled — tracing it would take
 * several times an eager run's memory — and calls of that structure run `f` itself. Each jitted
 * function keeps the programs of its 64 most recently traced argument structures.
 *
 * The result has a method `trace(...args)`, like JAX's `make_jaxpr`: the program `f` stages for
 * those arguments, printed by its `toString()`, with `fused` showing what fusion made of it.
 *
 * Throws `InvalidArgumentError` if `f` is not a function, or `staticArgnums` are not distinct
 * non-negative integers (when `jit` is called), or a call has no argument at a static index.
 * @example
 * const loss = (x: Tensor) => sum(mul(sin(x), x))
 * const fastGrad = jit(grad(loss))
 * const x = tensor([0.5, 1, 2])
 * // traced and compiled on the first call, replayed after: the same bits as grad(loss)
 * fastGrad(x).data.join() === grad(loss)(x).data.join() // => true
 * @example
 * // the program of a function, jaxpr-like; plain-number constants are written inline
 * const f = jit((x: Tensor, y: number) => add(mul(exp(x), 2), y))
 * String(f.trace(tensor([1, 2, 3]), 1)).split('\n')[1] // => '  let c:f64[3] = exp a'
 * // the three elementwise ops fused into one loop
 * f.trace(tensor([1, 2, 3]), 1).stats.loops // => 1
 * @example
 * // under grad, the program is differentiated: f is traced once, never run again
 * let runs = 0
 * const h = (x: Tensor) => sum(mul(sin(x), x))
 * const g = jit((x: Tensor) => {
 *   runs++
 *   return h(x)
 * })
 * grad(g)(tensor([1, 2])).data.join() === grad(h)(tensor([1, 2])).data.join() // => true
 * grad(g)(tensor([3, 4]))
 * runs // => 1
 * @example
 * // a static argument: the number of steps is configuration, one program per value
 * const power = jit((x: Tensor, n: number) => {
 *   let y = x
 *   for (let i = 1; i < n; i++) y = mul(y, x)
 *   return y
 * }, { staticArgnums: [1] })
 * power(tensor([2, 3]), 3).data // => Float64Array [8, 27]
 * @category transformations
 */
export function jit<A extends unknown[], R>(
  f: (...args: A) => R,
  options?: JitOptions,
): Jitted<A, R> {
  checkFunction(f, 'jit')
  checkOptions(options, 'jit', jitOptionNames)
  const statics = checkStaticArgnums(options?.staticArgnums)
  const cache = new Map<string, Entry>()
  // first traces are abstract until one reads a placeholder: then this f traces on values
  let abstract = true
  // a function called with ever new shapes must not keep every program: the oldest goes
  const remember = (key: string, entry: Entry): void => {
    if (cache.size >= MAX_PROGRAMS) cache.delete(cache.keys().next().value!)
    cache.set(key, entry)
  }
  // f itself, refusing a Promise as the traced path does
  const direct = (args: A): R => {
    const out = f(...args)
    checkSync(out, 'jit')
    return out
  }
  // the positions of the traced arguments, and the static arguments' key
  const split = (args: A): { dynamic: number[]; values: unknown[]; key: string } => {
    if (statics.length === 0) return { dynamic: args.map((_, i) => i), values: args, key: '' }
    checkStaticCount(statics, args.length)
    const dynamic = args.map((_, i) => i).filter((i) => !statics.includes(i))
    const key = `${statics.map((i) => staticKey(args[i])).join(',')}|`
    return { dynamic, values: dynamic.map((i) => args[i]), key }
  }
  // programs traced under transformations, bound as rules (a cache of their own: a structure
  // traced there may close over other values than at top level)
  const rules = new Map<string, { readonly rule: CustomRule; readonly outDef: TreeDef } | 'eager'>()
  const throughProgram = (
    args: A,
    parts: { dynamic: number[]; values: unknown[]; key: string },
  ): R => {
    const flat = flatten(parts.values, 'argument')
    const key = parts.key + JSON.stringify(flat.def)
    let entry = rules.get(key)
    if (entry === undefined) {
      const inputs = flat.leaves.map((v, i) => exampleOf(v, flat.leafDefs[i]!))
      const traced = stageOrNot(f, args, parts.dynamic, flat.def, inputs)
      const program = traced === undefined ? undefined : compileOrNot(traced.trace)
      entry =
        traced === undefined || program === undefined
          ? 'eager'
          : {
              rule: callRule('jit', traced.trace, program, jit, weakOutputs(traced.outLeaves)),
              outDef: traced.outDef,
            }
      if (rules.size >= MAX_PROGRAMS) rules.delete(rules.keys().next().value!)
      rules.set(key, entry)
    }
    if (entry === 'eager') return direct(args)
    return unflatten(entry.outDef, bindCustom(entry.rule, flat.leaves)) as R
  }
  const jitted = (...args: A): R => {
    // with NaN checks on, run f itself, so the check can name the primitive
    if (debugState.on) return direct(args)
    const parts = split(args)
    const scanned = scan(parts.values)
    // a tree to reject: flatten raises the named error (a traced argument passes)
    if (scanned === undefined) flatten(parts.values, 'argument')
    // under another transformation: the program of the values under the arguments, bound as
    // one rule that transformation sees through (./call.ts)
    if (activeLevels() > 0) return throughProgram(args, parts)
    if (scanned === undefined) return direct(args)
    const { numbers, tensors } = scanned
    const key = parts.key + scanned.key
    const entry = cache.get(key)
    if (entry === 'eager') return direct(args)
    if (entry !== undefined) {
      const outs = entry.program.run(numbers, tensors)
      // only a tensor output can share storage with a tensor input
      const leaves = entry.program.tensorOutputs ? unalias(outs, tensors) : outs
      return unflatten(entry.outDef, withWeak(leaves, entry.weak)) as R
    }
    const flat = flatten(parts.values, 'argument')
    const inputs = flat.leaves as Concrete[]
    let traced = abstract
      ? stage(f, args, parts.dynamic, flat.def, inputs, false, true)
      : stage(f, args, parts.dynamic, flat.def, inputs)
    if (traced === ON_VALUES) {
      abstractStats.onValues++
      abstract = false
      traced = stage(f, args, parts.dynamic, flat.def, inputs)
    } else if (traced?.abstract) abstractStats.traces++
    const program = traced === undefined ? undefined : compileOrNot(traced.trace)
    if (traced === undefined || program === undefined) {
      remember(key, 'eager')
      return direct(args)
    }
    const { outLeaves, outDef } = traced
    const weak = weakOutputs(outLeaves)
    remember(key, { program, outDef, weak })
    // an abstract trace has no values to give; and a float32 program's fused loops round once
    // per chain, not per op as the trace did: its first result is the program's too, so every
    // call gives the same bits
    if (traced.abstract || traced.trace.table.types.some((v) => v.dtype === 'float32')) {
      const outs = program.run(numbers, tensors)
      const leaves = program.tensorOutputs ? unalias(outs, tensors) : outs
      return unflatten(outDef, withWeak(leaves, weak)) as R
    }
    // this call's result is the trace's own (eager) values
    const values = outLeaves.map((v) => (v instanceof Staged ? v.concrete : (v as Concrete)))
    return unflatten(outDef, withWeak(unalias(values, inputs), weak)) as R
  }
  const trace = (...args: A): StagedProgram => {
    const parts = split(args)
    const flat = flatten(parts.values, 'argument')
    if (flat.leaves.some(isTracer)) throw untraceable()
    const traced = stage(f, args, parts.dynamic, flat.def, flat.leaves as Concrete[], true)
    if (traced === undefined) throw untraceable()
    return stagedProgram(traced.trace)
  }
  return Object.assign(jitted, { trace })
}

const tooLong = (): InvalidArgumentError =>
  new InvalidArgumentError(
    `jit(f).trace: the program records more than ${traceLimit.vars} values, past what jit compiles (calls of f run it eagerly)`,
    {
      transformation: 'jit',
      hint: 'jit a smaller function — one step of a loop, say — or express the repetition with scan or foriLoop, whose body is traced once',
    },
  )

const untraceable = (): InvalidArgumentError =>
  new InvalidArgumentError(
    'jit(f).trace met a value of another transformation: only concrete values can be traced',
    {
      transformation: 'jit',
      hint: 'call trace with plain numbers and tensors, outside grad/vmap, on a function that closes over no traced value',
    },
  )
