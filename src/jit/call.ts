/**
 * `jit` as a primitive other transformations see through (JAX's `pjit`): called under `grad`,
 * `jvp`, `vmap` or another `jit`, a jitted function traces `f` once on the concrete values under
 * its arguments and binds the program as one custom rule. Each transformation then works on the
 * program, not on `f`:
 * - forward mode runs the program's JVP, itself jitted (traced and compiled once);
 * - reverse mode runs the program forward, and its pullback runs the program's VJP, jitted —
 *   which evaluates the forward pass again inside the compiled backward program (memory of a
 *   checkpoint, for one compiled pass);
 * - `vmap` runs the program's vmap, jitted, per pattern of batched arguments;
 * - an enclosing `jit` inlines the program's equations into its own.
 * Derived programs are jitted functions too, so they compose again: grad(grad(jit(f))).
 * @module
 */
import { bindCustom, type CustomPullback, type CustomRule } from '../core/custom.ts'
import { zeroLike } from '../core/jet.ts'
import type { MaybeZero } from '../core/primitive.ts'
import { type Concrete, isTracer, type Val } from '../core/tracer.ts'
import { Tensor } from '../tensor/tensor.ts'
import { jvp } from '../transforms/jvp.ts'
import { traceVjp } from '../transforms/vjp.ts'
import { vmap } from '../transforms/vmap.ts'
import type { Program } from './compile.ts'
import { evalTrace } from './eval.ts'
import type { Trace } from './ir.ts'
import { withWeak } from './weak.ts'

/** What `jit` gives the derived programs: itself. */
type Jit = <A extends unknown[], R>(f: (...args: A) => R) => (...args: A) => R

const fill = (values: readonly MaybeZero[], like: readonly Val[]): Val[] =>
  values.map((v, i) => v ?? zeroLike(like[i]!))

/** Batched programs kept per rule (one per batch size and pattern of batched inputs). */
const MAX_BATCHED = 64

const isConcrete = (v: Val): v is Concrete => typeof v === 'number' || v instanceof Tensor

/**
 * The custom rule of one traced program (`program` is `trace` compiled; `weak`: which outputs
 * the trace gave weakly typed, see `weakOutputs`).
 */
export const callRule = (
  name: string,
  trace: Trace,
  program: Program,
  jit: Jit,
  weak: readonly boolean[] | undefined,
): CustomRule => {
  const evaluate = (...args: Val[]): Val[] => evalTrace(trace, args)
  let forward: ((xs: readonly Val[], ts: readonly Val[]) => [Val[], Val[]]) | undefined
  let backward: ((xs: readonly Val[], bars: readonly Val[]) => Val[]) | undefined
  const batched = new Map<string, (...args: Val[]) => Val[]>()
  const rule: CustomRule = {
    name,
    call: (args) =>
      args.every(isConcrete)
        ? withWeak(program.runFlat(args as Concrete[]), weak)
        : evalTrace(trace, args),
    jvp: (args, dots) => {
      forward ??= jit(
        (xs: readonly Val[], ts: readonly Val[]) =>
          jvp(evaluate, xs as Val[], ts as Val[]) as [Val[], Val[]],
      )
      return forward(args, fill(dots, args))
    },
    vjp: (args) => {
      const outs = bindCustom(rule, args)
      backward ??= jit((xs: readonly Val[], bars: readonly Val[]) => {
        // traceVjp, not vjp: the pullback of a function of leaves gives the leaves' cotangents
        return traceVjp(evaluate, xs as Val[], false, 'jit', false).pullback(bars, true) as Val[]
      })
      const pullback: CustomPullback = (outBars) => backward!(args, fill(outBars, outs))
      return [outs, pullback]
    },
    batch: (args, flags, size) => {
      const key = `${size}:${flags.map((b) => (b ? 1 : 0)).join('')}`
      let mapped = batched.get(key)
      if (mapped === undefined) {
        mapped = jit(
          vmap(evaluate as (...a: unknown[]) => Val[], {
            inAxes: flags.map((b) => (b ? 0 : null)),
          }),
        )
        // one program per batch size and pattern, the oldest dropped past a bound
        if (batched.size >= MAX_BATCHED) batched.delete(batched.keys().next().value!)
        batched.set(key, mapped)
      }
      return mapped(...args)
    },
    // the program reads no traced value but its inputs (its constants are concrete): a value
    // captured from elsewhere does not change it, and gets no derivative from it
    convert: (more) => withIgnored(rule, more.length),
    stage: (_interp, args) => evalTrace(trace, args),
  }
  return rule
}

/** `rule` taking `extra` more trailing inputs, which it ignores. */
const withIgnored = (rule: CustomRule, extra: number): CustomRule => {
  const own = (args: readonly Val[]) => args.slice(0, args.length - extra)
  const none = new Array<null>(extra).fill(null)
  return {
    name: rule.name,
    call: (args) => rule.call(own(args)),
    jvp: (args, dots) => rule.jvp(own(args), dots.slice(0, args.length - extra)),
    vjp: (args) => {
      const [outs, pullback] = rule.vjp(own(args))
      return [outs, (bars) => [...pullback(bars), ...none]]
    },
    batch: (args, flags, size) => rule.batch(own(args), flags.slice(0, args.length - extra), size),
    convert: (more) => withIgnored(rule, extra + more.length),
    stage: (interp, args) => rule.stage!(interp, own(args)),
  }
}

/** Whether a rule's argument is traced (for the caller's choice of path). */
export const anyTraced = (leaves: readonly Val[]): boolean => leaves.some(isTracer)
