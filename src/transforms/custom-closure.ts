/**
 * Closure conversion of custom rules (JAX's `closure_convert`): the user's functions, rewritten
 * to take the traced values they close over (`captured`, see ../core/custom.ts) as one more
 * argument — an array, after the k arguments of the call site. While they run, each captured
 * tracer reads as the value received for it.
 *
 * A rule says nothing of captured values, so their derivatives go through the user's own
 * computation of the output: `f` for `checkpoint`, `fwd` for `customVjp`, the rule's primal
 * output for `customJvp`. The rule still gives the derivatives of the arguments.
 * @module
 */
import { guardValue, withSubstitution } from '../core/custom.ts'
import type { Tracer, Val } from '../core/tracer.ts'
import { flatten, unflatten } from '../core/tree.ts'
import { add } from '../primitives/arithmetic.ts'
import { Tensor } from '../tensor/tensor.ts'
import type { Fn, Site } from './custom-rules.ts'
import { jvp } from './jvp.ts'
import { vjp } from './vjp.ts'

/** The checked functions of a `customVjp`: `fwd` returns a pair, `bwd` a full tuple. */
export interface VjpFns {
  readonly f: Fn
  readonly fwd: Fn
  readonly bwd: (res: unknown, outBar: unknown) => unknown
}

/** The checked functions of a `customJvp`: the rule returns `[output, tangent]`. */
export interface JvpFns {
  readonly f: Fn
  readonly rule: (primals: readonly unknown[], tangents: readonly unknown[]) => unknown
}

/** A tree with the active substitution applied to its leaves (returned values bypass `bind`). */
const settled = (tree: unknown): unknown => {
  const { leaves, def } = flatten(tree, 'result')
  return unflatten(def, leaves.map(guardValue))
}

/** Runs `run` with `captured` read as `values`, its result settled. */
const reading = (captured: readonly Tracer[], values: unknown, run: () => unknown): unknown =>
  withSubstitution(captured, values as readonly Val[], () => settled(run()))

/** `fn` of the site's k arguments as a function of k + 1, the last giving the captured values. */
export const closed = (fn: Fn, captured: readonly Tracer[], site: Site): Fn => {
  const k = site.argsDef.children.length
  return (...a) => reading(captured, a[k], () => fn(...a.slice(0, k)))
}

/** A concrete zero (an all-zero number or tensor): a tangent that contributes nothing. */
const isZero = (v: Val): boolean =>
  typeof v === 'number' ? v === 0 : v instanceof Tensor && v.data.every((x) => x === 0)

/**
 * `customVjp` over captured values: fwd keeps its arguments as residuals, and bwd adds the
 * captured values' cotangents, the pullback of fwd's output in them (fwd runs again for it).
 */
export const closeOverVjp = (base: VjpFns, captured: readonly Tracer[], site: Site): VjpFns => {
  const k = site.argsDef.children.length
  const output = (a: readonly unknown[], c: unknown): unknown =>
    reading(captured, c, () => (base.fwd(...a.slice(0, k)) as readonly [unknown, unknown])[0])
  return {
    f: closed(base.f, captured, site),
    fwd: (...a) => {
      const [out, res] = reading(captured, a[k], () => base.fwd(...a.slice(0, k))) as readonly [
        unknown,
        unknown,
      ]
      return [out, [res, a]]
    },
    bwd: (r, outBar) => {
      const [res, a] = r as readonly [unknown, readonly unknown[]]
      const xBars = reading(captured, a[k], () => base.bwd(res, outBar)) as readonly unknown[]
      const [, pullback] = vjp((c: unknown) => output(a, c), a[k])
      return [...xBars, pullback(outBar as never)[0]]
    },
  }
}

/**
 * `customJvp` over captured values: the output tangent is the rule's, plus the tangent of the
 * rule's primal output along the captured values' tangents (skipped where those are zero).
 */
export const closeOverJvp = (base: JvpFns, captured: readonly Tracer[], site: Site): JvpFns => {
  const k = site.argsDef.children.length
  return {
    f: closed(base.f, captured, site),
    rule: (primals, tangents) => {
      const [xs, xDots] = [primals.slice(0, k), tangents.slice(0, k)]
      const [c, cDot] = [primals[k] as readonly Val[], tangents[k] as readonly Val[]]
      const body = (values: unknown) => reading(captured, values, () => base.rule(xs, xDots))
      if (cDot.every(isZero)) return body(c)
      const [pair, pairDot] = jvp(body, [c], [cDot]) as readonly [
        readonly [unknown, unknown],
        readonly [unknown, unknown],
      ]
      // pairDot[1] is second order (the rule's tangent moved along cDot): not part of J·ẋ
      const { leaves, def } = flatten(pair[1], 'tangent')
      const extra = flatten(pairDot[0], 'tangent').leaves
      return [
        pair[0],
        unflatten(
          def,
          leaves.map((t, i) => add(t, extra[i]!)),
        ),
      ]
    },
  }
}
