/**
 * Custom rules: a user function with its own derivative (`customJvp`, `customVjp`) or its own
 * memory policy (`checkpoint`) behaves like one primitive with several inputs and outputs. Each
 * interpreter asks the rule for what it needs: forward mode for output tangents, reverse mode
 * for a pullback to keep on its tape, vmap for a batched version of the rule.
 *
 * Closed-over tracers (closure conversion, as JAX's `closure_convert`). An interpreter I of
 * level L hands a rule values one level down, so a tracer of a level in [L, D] that the rule's
 * functions close over (D: the depth when I began, so this includes transformations opened
 * since I and still running) would be processed out of order — its derivative lost, or its
 * tracer leaked. `processCustom` runs under `runCustom`, which opens a capture window [L, D];
 * `bind`, `bindCustom` and the checks of the rule's outputs raise a private `Capture` signal on a
 * live tracer of a window (or, for the window's own interpreter, note it and read its primal,
 * so that one run finds them all). The outermost window holding it binds
 * `rule.convert(captured)` on its arguments and the captured tracers: the converted rule takes
 * them as extra inputs and, while its functions run, reads each captured tracer as the value it
 * received for it (a substitution applied by `bind`). Derivatives then flow into captured
 * values, vmap batches them, and no tracer leaks. The check costs `bind` one flag test when no
 * rule is running.
 * @module
 */
import { InvalidArgumentError } from './errors.ts'
import type { MaybeZero } from './primitive.ts'
import { activeLevels, escaped, type Interpreter, Tracer, type Val } from './tracer.ts'

/** A pullback from output cotangents (`null` = zero) to input cotangents. */
export type CustomPullback = (outBars: readonly MaybeZero[]) => readonly MaybeZero[]

/** A function of flat leaves with its own derivative rules. */
export interface CustomRule {
  /** Name for error messages. */
  readonly name: string
  /** Evaluates on values none of which is traced above the rule's level. */
  call(args: readonly Val[]): Val[]
  /** Forward mode: outputs and output tangents for input tangents (`null` = zero). */
  jvp(primals: readonly Val[], tangents: readonly MaybeZero[]): [Val[], MaybeZero[]]
  /** Reverse mode: outputs, and the pullback to record. */
  vjp(primals: readonly Val[]): [Val[], CustomPullback]
  /** `vmap`: outputs (all batched) for inputs of which those flagged carry a batch axis. */
  batch(args: readonly Val[], batched: readonly boolean[], size: number): Val[]
  /**
   * `vmap` where some outputs may not depend on the batch (a loop's carry that no batched
   * value reaches): the outputs, and which carry a batch axis. Used instead of `batch` when
   * present, so unbatched values stay unbatched (and are computed once, not once per example).
   */
  batchSome?(
    args: readonly Val[],
    batched: readonly boolean[],
    size: number,
  ): { readonly outs: Val[]; readonly batched: readonly boolean[] }
  /**
   * Under `jit`: stages the rule as one structured equation of the running trace (`interp`)
   * instead of its primal's operations — a loop staged as a loop. Without it, `call` is staged.
   */
  stage?(interp: Interpreter, args: readonly Val[]): Val[]
  /**
   * The same rule with `captured` as extra trailing inputs: while its functions run, each
   * captured tracer reads as the value the rule received for it.
   */
  convert(captured: readonly Tracer[]): CustomRule
}

/** On while a rule runs or a substitution is active: only then does `bind` check arguments. */
export const captureGuard = { on: false }

/**
 * Levels [lo, hi] whose tracers a rule run by `interp` must not meet directly (`undefined`: a
 * probe of `bindClosed`, which owns no tracer).
 */
interface Window {
  readonly lo: number
  readonly hi: number
  readonly interp: Interpreter | undefined
  /** Tracers of `interp` met so far, read as their primals until the rule is converted. */
  readonly found: Set<Tracer>
}

/** Open windows, outermost first. */
const windows: Window[] = []
/** Active substitutions, innermost last, and their total number of entries. */
const substitutions: ReadonlyMap<Tracer, Val>[] = []
let entries = 0

const refresh = (): void => {
  captureGuard.on = windows.length > 0 || substitutions.length > 0
}

/** The private signal: a rule met `tracer`, which its window's owner must pass explicitly. */
class Capture extends Error {
  readonly tracer: Tracer
  constructor(tracer: Tracer) {
    super('a custom rule met a traced value it closes over (handled by fluxion)')
    this.tracer = tracer
  }
}

/** The outermost window holding a live tracer's level: the rule that must take it as input. */
const ownerOf = (t: Tracer): Window | undefined => {
  if (!t.interp.alive) return undefined // dead: processing it raises EscapedTracerError
  const level = t.interp.level
  for (const w of windows) if (level >= w.lo && level <= w.hi) return w
  return undefined
}

/** `v` after the active substitutions (a substituted value may itself be substituted). */
const substitute = (v: Val): Val => {
  let x = v
  // a map sends a tracer one level down or to a value created later, so chains end; the
  // bound turns a cycle, which would be a bug, into an error instead of a hang
  for (let hops = 0; x instanceof Tracer; hops++) {
    let next: Val | undefined
    for (let i = substitutions.length - 1; i >= 0 && next === undefined; i--) {
      next = substitutions[i]!.get(x)
    }
    if (next === undefined) return x
    if (hops > entries) throw new InvalidArgumentError('cyclic closure substitution (a bug)')
    x = next
  }
  return x
}

/**
 * `v` as a rule's functions must see it: substituted, and signalling a capture if it is a live
 * tracer of an open window. Called by `bind` when `captureGuard.on`.
 */
export const guardValue = (v: Val): Val => {
  let x = substitutions.length === 0 ? v : substitute(v)
  while (x instanceof Tracer && windows.length > 0) {
    const owner = ownerOf(x)
    if (owner === undefined) return x
    if (x.interp !== owner.interp || x.wholeBatch) throw new Capture(x)
    // the owner's own tracer: read it as the converted rule will receive it, its primal (which
    // an outer window may capture in turn), so one run finds all; the run's result is dropped
    owner.found.add(x)
    x = substitutions.length === 0 ? x.primal : substitute(x.primal)
  }
  return x
}

/**
 * Leaves a rule's user function returned: substituted, a dead tracer refused with
 * `EscapedTracerError`, a captured one signalled (a function can return a closed-over value
 * without any primitive seeing it).
 */
export const guardLeaves = (leaves: readonly Val[], name: string): Val[] =>
  leaves.map((v) => {
    const x = captureGuard.on ? guardValue(v) : v
    if (x instanceof Tracer && !x.interp.alive) escaped(x.interp, name)
    return x
  })

/** Runs `run` with each tracer of `captured` read as the value of the same index. */
export const withSubstitution = <T>(
  captured: readonly Tracer[],
  values: readonly Val[],
  run: () => T,
): T => {
  const map = new Map<Tracer, Val>()
  captured.forEach((c, i) => {
    // an interpreter that does not own c passes it through: nothing to substitute
    if (values[i] !== c) map.set(c, values[i]!)
  })
  if (map.size === 0) return run()
  substitutions.push(map)
  entries += map.size
  captureGuard.on = true
  try {
    return run()
  } finally {
    substitutions.pop()
    entries -= map.size
    refresh()
  }
}

/** A stack of substitutions, innermost last. */
export type Substitutions = readonly ReadonlyMap<Tracer, Val>[]

/** The substitutions active now: what a pullback recorded now must see when it runs later. */
export const activeSubstitutions = (): Substitutions => substitutions.slice()

/**
 * Runs `run` (a pullback) under `saved` as well: its functions close over the same tracers as
 * when it was recorded, which those substitutions replaced (a rule nested in a converted one).
 */
export const withSubstitutions = <T>(saved: Substitutions, run: () => T): T => {
  if (saved.length === 0) return run()
  let size = 0
  for (const map of saved) {
    substitutions.push(map)
    size += map.size
  }
  entries += size
  captureGuard.on = true
  try {
    return run()
  } finally {
    substitutions.length -= saved.length
    entries -= size
    refresh()
  }
}

/**
 * The body of `interp.processCustom(rule, args)`, run with a capture window open. When the rule
 * meets tracers it closes over, the rule is converted to take them as inputs and bound again:
 * all of `interp`'s own in one go, a tracer of a later transformation as soon as it is met.
 */
export const runCustom = (
  interp: Interpreter,
  rule: CustomRule,
  args: readonly Val[],
  body: () => Val[],
): Val[] => {
  const window: Window = { lo: interp.level, hi: activeLevels(), interp, found: new Set() }
  windows.push(window)
  captureGuard.on = true
  let captured: Tracer[]
  try {
    const outs = body()
    if (window.found.size === 0) return outs
    captured = [...window.found]
  } catch (e) {
    if (!(e instanceof Capture) || ownerOf(e.tracer) !== window) throw e
    captured = [...window.found, e.tracer]
  } finally {
    windows.pop()
    refresh()
  }
  return bindCustom(rule.convert(captured), [...args, ...captured])
}

/**
 * Whether the innermost running rule has met tracers it closes over: its result will be dropped
 * for the converted rule's, so an interpreter need not record it.
 */
export const dropping = (): boolean => (windows[windows.length - 1]?.found.size ?? 0) > 0

/** Applies a custom rule: the interpreter of the highest-level traced argument handles it. */
export const bindCustom = (rule: CustomRule, args: readonly Val[]): Val[] => {
  const xs = captureGuard.on ? args.map(guardValue) : args
  let top: Interpreter | undefined
  for (const a of xs) {
    if (a instanceof Tracer && (top === undefined || a.interp.level > top.level)) top = a.interp
  }
  return top === undefined ? rule.call(xs) : top.processCustom(rule, xs)
}

/**
 * `bindCustom` for a rule whose derivatives must never come from running its functions (an
 * implicit solve, see src/transforms/implicit-rule.ts). Where no argument is traced, `bindCustom`
 * calls the rule directly, and a tracer its functions close over would be differentiated through
 * them — through a solver's iterations — by its own interpreter. So that call runs under a
 * probe: a window over every live level that owns none of them. The first live tracer met that
 * no enclosing window owns is taken as an input of the converted rule, which is bound on it (its
 * interpreter then finds the rest, as for any rule).
 */
export const bindClosed = (rule: CustomRule, args: readonly Val[]): Val[] => {
  const xs = captureGuard.on ? args.map(guardValue) : args
  if (activeLevels() === 0 || xs.some((a) => a instanceof Tracer)) return bindCustom(rule, xs)
  const probe: Window = { lo: 1, hi: activeLevels(), interp: undefined, found: new Set() }
  windows.push(probe)
  captureGuard.on = true
  let captured: Tracer
  try {
    return rule.call(xs)
  } catch (e) {
    if (!(e instanceof Capture) || ownerOf(e.tracer) !== probe) throw e
    captured = e.tracer
  } finally {
    windows.pop()
    refresh()
  }
  return bindCustom(rule.convert([captured]), [...xs, captured])
}
