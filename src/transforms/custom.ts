/**
 * Custom rules and checkpointing: `customJvp`, `customVjp` and `checkpoint` wrap a function so
 * that transformations treat it as one primitive, with a derivative (or a memory policy) given
 * by the user. The rules are ordinary fluxion code, so they nest: `grad(grad(g))` through a
 * `customVjp` function differentiates its `fwd` and `bwd` like any other code.
 * @module
 */
import { bindCustom, type CustomRule } from '../core/custom.ts'
import { Tracer } from '../core/tracer.ts'
import { flatten, unflatten } from '../core/tree.ts'
import { checkFunction, checkSync } from './common.ts'
import { checkFwdResult, conformCotangents, conformJvpResult } from './custom-check.ts'
import type { Fn } from './custom-rules.ts'
import { checkpointRule, jvpRule, type Site, vjpRule } from './custom-rules.ts'

/** Wraps a rule as a function of trees: untraced arguments call `direct` straight away. */
const wrap = <A extends readonly unknown[], B>(
  name: string,
  direct: (...args: A) => B,
  makeRule: (site: Site) => CustomRule,
): ((...args: A) => B) => {
  return (...args: A): B => {
    const { leaves, def } = flatten(args, 'arguments')
    if (!leaves.some((l) => l instanceof Tracer)) {
      const out = direct(...args)
      checkSync(out, name)
      return out
    }
    // flatten of an argument list is always an array def
    const site: Site = { argsDef: def as Site['argsDef'], out: { def: undefined } }
    const outs = bindCustom(makeRule(site), leaves)
    return unflatten(site.out.def!, outs) as B
  }
}

/**
 * A function with its own reverse-mode rule, JAX's `custom_vjp`: `fwd(...args)` returns
 * `[output, residuals]`, and `bwd(residuals, outBar)` returns the cotangents of the arguments
 * as a tuple (one tree per argument, `null` for a zero). Use it for a stable formula, an
 * implicit solve, or an adjoint you know better than the tape.
 *
 * Reverse mode (`grad`, `vjp`, `jacrev`) uses `fwd` and `bwd`, at every nesting; since they are
 * fluxion code, higher orders differentiate them in turn. Forward mode (`jvp`, `jacfwd`,
 * `derivative`) transposes `bwd`, which must be linear in `outBar` (one that is not, like a
 * clipper, is linearized at zero), so both modes agree with the rule. `vmap` maps `f`, `fwd`
 * and `bwd`. Traced values the functions close over are differentiated through `fwd`. Throws
 * `TreeMismatchError` when `bwd`'s result does not match the arguments, leaf shapes included.
 * @example
 * const clipGrad = customVjp(
 *   (x: number) => x,
 *   (x: number) => [x, null] as const,
 *   (_res: null, g: number) => [clip(g, -1, 1)] as const,
 * )
 * grad((x: number) => mul(10, clipGrad(x)))(3) // => 1
 * @category transformations
 */
export function customVjp<A extends readonly unknown[], B, R>(
  f: (...args: A) => B,
  fwd: (...args: A) => readonly [B, R],
  bwd: (residuals: R, outBar: B) => { readonly [K in keyof A]: unknown },
): (...args: A) => B {
  checkFunction(f, 'customVjp')
  checkFunction(fwd, 'customVjp', 'fwd')
  checkFunction(bwd, 'customVjp', 'bwd')
  const userBwd = bwd as (res: unknown, outBar: unknown) => unknown
  return wrap('customVjp', f, (site) =>
    vjpRule(
      {
        f: f as Fn,
        fwd: (...args) => checkFwdResult((fwd as Fn)(...args)),
        bwd: (res, outBar) => conformCotangents(site.argsDef, userBwd(res, outBar)),
      },
      site,
      [],
    ),
  )
}

/**
 * A function with its own forward-mode rule, JAX's `custom_jvp`: `rule(primals, tangents)`
 * returns `[output, outputTangent]`, where primals and tangents are the argument tuples and the
 * tangent output must be linear in the tangents (and shaped like the output).
 *
 * Forward mode uses the rule; reverse mode transposes its linear tangent map (so one rule
 * serves both); `vmap` maps `f` and the rule. Rules are fluxion code and nest. Traced values
 * the functions close over are differentiated through the rule's primal output.
 * @example
 * // log(1 + eˣ) with its derivative σ(x), stable at ±1000
 * const softplus2 = customJvp(
 *   (x: number) => softplus(x),
 *   ([x]: readonly [number], [t]: readonly [number]) => [softplus(x), mul(logistic(x), t)] as const,
 * )
 * grad(softplus2)(0) // => 0.5
 * @category transformations
 */
export function customJvp<A extends readonly unknown[], B>(
  f: (...args: A) => B,
  rule: (primals: A, tangents: A) => readonly [B, B],
): (...args: A) => B {
  checkFunction(f, 'customJvp')
  checkFunction(rule, 'customJvp', 'the rule')
  const userRule = rule as (primals: unknown, tangents: unknown) => unknown
  return wrap('customJvp', f, (site) =>
    jvpRule(
      { f: f as Fn, rule: (primals, tangents) => conformJvpResult(userRule(primals, tangents)) },
      site,
      [],
    ),
  )
}

/**
 * `f` with rematerialization: reverse mode stores only its inputs, and runs `f` again during
 * the backward pass to rebuild what it needs — trading about one extra forward pass of `f` for
 * the memory of its interior. Values and derivatives are exactly those of `f`, also for traced
 * values `f` closes over.
 * @example
 * const block = checkpoint((x: number) => sin(mul(x, x)))
 * grad(block)(1) // ≈ 2 * Math.cos(1)
 * @category transformations
 */
export function checkpoint<A extends readonly unknown[], B>(
  f: (...args: A) => B,
): (...args: A) => B {
  checkFunction(f, 'checkpoint')
  return wrap('checkpoint', f, (site) => checkpointRule(f as Fn, site, []))
}
