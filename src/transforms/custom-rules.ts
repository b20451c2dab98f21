/**
 * The custom rules behind `customVjp`, `customJvp` and `checkpoint` (see ./custom.ts), over flat
 * leaves. Each is built from the user's functions — already checked, see ./custom-check.ts — a
 * call site (the arguments' tree, the outputs' tree) and the tracers it closes over
 * (`captured`, see ../core/custom.ts), which become extra trailing arguments.
 *
 * Two principles keep every transformation on the rule: lower levels must see the rule, so
 * where an interpreter's primals are themselves traced, the outputs are `bindCustom(rule, …)`
 * and only the derivative comes from the user's functions (checkpoint's forward mode excepted:
 * its tangent needs f's interior at those levels anyway); and each mode derives what the user
 * did not write by transposition — reverse mode of a `customJvp` transposes its tangent map,
 * forward mode of a `customVjp` transposes its (linear) bwd.
 * @module
 */
import {
  activeSubstitutions,
  bindCustom,
  type CustomPullback,
  type CustomRule,
  guardLeaves,
  withSubstitutions,
} from '../core/custom.ts'
import { EscapedTracerError, TreeMismatchError } from '../core/errors.ts'
import { zeroLike } from '../core/jet.ts'
import type { MaybeZero } from '../core/primitive.ts'
import { isTracer, type Tracer, type Val } from '../core/tracer.ts'
import { flatten, leafOf, type TreeDef, unflatten } from '../core/tree.ts'
import { withBatch } from '../primitives/families.ts'
import { checkSync } from './common.ts'
import { sameStructure } from './custom-check.ts'
import { closed, closeOverJvp, closeOverVjp, type JvpFns, type VjpFns } from './custom-closure.ts'
import { jvp } from './jvp.ts'
import { vjp } from './vjp.ts'
import { vmap } from './vmap.ts'

/** A function of the argument tuple. */
export type Fn = (...args: readonly unknown[]) => unknown

/** Where a custom function was called: its arguments' tree and its outputs'. */
export interface Site {
  /** The arguments, a tuple: one child per argument. */
  readonly argsDef: TreeDef & { readonly kind: 'array' }
  /** The outputs' tree, found by whichever level computes them first. */
  readonly out: { def: TreeDef | undefined }
}

/** The site with `captured` as one more argument: an array of its leaves. */
const extend = (site: Site, captured: readonly Tracer[]): Site => {
  const leaves = captured.map(leafOf)
  const caps: TreeDef = { kind: 'array', children: leaves }
  return { argsDef: { kind: 'array', children: [...site.argsDef.children, caps] }, out: site.out }
}

const fill = (values: readonly MaybeZero[], like: readonly Val[]): Val[] =>
  values.map((v, i) => v ?? zeroLike(like[i]!))

/** Helpers bound to a site and a rule name. */
const siteTools = (site: Site, name: string) => ({
  args: (leaves: readonly Val[]) => unflatten(site.argsDef, leaves) as readonly unknown[],
  /** Output leaves, the outputs' tree recorded (or compared with the one recorded). */
  outputs: (tree: unknown): Val[] => {
    checkSync(tree, name)
    const { leaves, def } = flatten(tree, 'output')
    if (site.out.def === undefined) site.out.def = def
    else if (!sameStructure(site.out.def, def)) {
      throw new TreeMismatchError(`${name}: the functions’ outputs differ in structure`, {
        transformation: name,
        hint: 'f, fwd and the rule must return outputs of the same tree structure',
      })
    }
    return guardLeaves(leaves, name)
  },
  leaves: (tree: unknown, where: string): Val[] => guardLeaves(flatten(tree, where).leaves, name),
  /** A tree with its leaves guarded, as `leaves` does. */
  tree: (tree: unknown, where: string): unknown => {
    const flat = flatten(tree, where)
    return unflatten(flat.def, guardLeaves(flat.leaves, name))
  },
  outTree: (leaves: readonly Val[]) => unflatten(site.out.def!, leaves),
})

/**
 * Runs pullbacks later as they would run now — under the substitutions active now (a rule
 * nested in a converted one) — naming the likely cause when user code meets a dead tracer.
 */
const deferred = (name: string, what: string): ((run: () => Val[]) => Val[]) => {
  const saved = activeSubstitutions()
  return (run) => {
    try {
      return withSubstitutions(saved, run)
    } catch (e) {
      if (!(e instanceof EscapedTracerError)) throw e
      throw new EscapedTracerError(
        `${name}: ${what} used a traced value after its transformation returned (${e.message.split('\n')[0]})`,
        {
          transformation: name,
          hint: `${what} runs in the backward pass: pass traced values it needs as arguments of the custom function (or, for customVjp, as residuals from fwd) instead of closing over them`,
        },
      )
    }
  }
}

/**
 * `customVjp`: reverse mode runs `fwd` and `bwd`; forward mode transposes `bwd`, which is
 * linear in the output cotangent, so J·ẋ = (ȳ ↦ bwd(res, ȳ))ᵀ ẋ and both modes use the rule.
 */
export const vjpRule = (base: VjpFns, baseSite: Site, captured: readonly Tracer[]): CustomRule => {
  const fns = captured.length === 0 ? base : closeOverVjp(base, captured, baseSite)
  const site = captured.length === 0 ? baseSite : extend(baseSite, captured)
  const name = 'customVjp'
  const { args, outputs, leaves, tree, outTree } = siteTools(site, name)
  // outputs as lower levels must see them (the rule when they trace the primals), residuals
  const forward = (xs: readonly Val[]): [Val[], unknown] => {
    const [out, res] = fns.fwd(...args(xs)) as readonly [unknown, unknown]
    const residuals = tree(res, 'residuals')
    return [xs.some(isTracer) ? bindCustom(rule, xs) : outputs(out), residuals]
  }
  const cotangents = (res: unknown, outBars: readonly Val[]): Val[] =>
    leaves(fns.bwd(res, outTree(outBars)), 'cotangents')
  const rule: CustomRule = {
    name,
    call: (xs) => outputs(fns.f(...args(xs))),
    jvp: (xs, xDots) => {
      const [outs, res] = forward(xs)
      const [, transposed] = vjp(
        (...outBars: readonly Val[]) => cotangents(res, outBars),
        ...outs.map(zeroLike),
      )
      return [outs, guardLeaves(transposed(fill(xDots, xs) as never), name)]
    },
    vjp: (xs) => {
      const [outs, res] = forward(xs)
      const later = deferred(name, 'bwd')
      const pullback: CustomPullback = (outBars) =>
        later(() => cotangents(res, fill(outBars, outs)))
      return [outs, pullback]
    },
    batch: (values, batched, size) => {
      const all = values.map((v, i) => withBatch(v, batched[i]!, size))
      const mapped: VjpFns = { f: vmap(fns.f), fwd: vmap(fns.fwd), bwd: vmap(fns.bwd) }
      return bindCustom(vjpRule(mapped, site, []), all)
    },
    convert: (more) => vjpRule(base, baseSite, [...captured, ...more]),
  }
  return rule
}

/**
 * `customJvp`: forward mode runs the rule; reverse mode transposes its tangent map, which is
 * linear in the tangents (as JAX does).
 */
export const jvpRule = (base: JvpFns, baseSite: Site, captured: readonly Tracer[]): CustomRule => {
  const fns = captured.length === 0 ? base : closeOverJvp(base, captured, baseSite)
  const site = captured.length === 0 ? baseSite : extend(baseSite, captured)
  const name = 'customJvp'
  const { args, outputs, leaves, outTree } = siteTools(site, name)
  const custom: CustomRule = {
    name,
    call: (xs) => outputs(fns.f(...args(xs))),
    jvp: (xs, xDots) => {
      const [out, outDot] = fns.rule(args(xs), args(fill(xDots, xs))) as readonly [unknown, unknown]
      const outs = xs.some(isTracer) ? bindCustom(custom, xs) : outputs(out)
      return [outs, leaves(outDot, 'tangent')]
    },
    vjp: (xs) => {
      const outs = bindCustom(custom, xs)
      const later = deferred(name, 'the rule')
      const pullback: CustomPullback = (outBars) =>
        later(() => {
          const tangentMap = (...t: readonly unknown[]) =>
            (fns.rule(args(xs), t) as readonly [unknown, unknown])[1]
          const [, transposed] = vjp(tangentMap, ...args(xs.map(zeroLike)))
          return leaves(transposed(outTree(fill(outBars, outs)) as never), 'cotangents')
        })
      return [outs, pullback]
    },
    batch: (values, batched, size) => {
      const all = values.map((v, i) => withBatch(v, batched[i]!, size))
      const mapped: JvpFns = { f: vmap(fns.f), rule: vmap(fns.rule) }
      return bindCustom(jvpRule(mapped, site, []), all)
    },
    convert: (more) => jvpRule(base, baseSite, [...captured, ...more]),
  }
  return custom
}

/** `checkpoint`: reverse mode keeps only the inputs and runs `f` again under its own tape. */
export const checkpointRule = (
  base: Fn,
  baseSite: Site,
  captured: readonly Tracer[],
): CustomRule => {
  const f = captured.length === 0 ? base : closed(base, captured, baseSite)
  const site = captured.length === 0 ? baseSite : extend(baseSite, captured)
  const name = 'checkpoint'
  const { args, outputs, leaves, outTree } = siteTools(site, name)
  const rule: CustomRule = {
    name,
    call: (xs) => outputs(f(...args(xs))),
    jvp: (xs, xDots) => {
      const [out, outDot] = jvp(f, args(xs), args(fill(xDots, xs)) as never)
      return [outputs(out), leaves(outDot, 'tangent')]
    },
    vjp: (xs) => {
      const outs = bindCustom(rule, xs)
      const later = deferred(name, 'the checkpointed function')
      const pullback: CustomPullback = (outBars) =>
        later(() => {
          const [, pb] = vjp(f, ...args(xs))
          return leaves(pb(outTree(fill(outBars, outs)) as never), 'cotangents')
        })
      return [outs, pullback]
    },
    batch: (values, batched, size) => {
      const all = values.map((v, i) => withBatch(v, batched[i]!, size))
      return bindCustom(checkpointRule(vmap(f), site, []), all)
    },
    convert: (more) => checkpointRule(base, baseSite, [...captured, ...more]),
  }
  return rule
}
