/**
 * Custom rules and checkpointing: `customJvp`, `customVjp` and `checkpoint` wrap a function so
 * that transformations treat it as one primitive, with a derivative (or a memory policy) given
 * by the user. The rules are ordinary fluxion code, so they nest: `grad(grad(g))` through a
 * `customVjp` function differentiates its `fwd` and `bwd` like any other code.
 * @module
 */
import { bindCustom, type CustomPullback, type CustomRule } from '../core/custom.ts'
import { TreeMismatchError } from '../core/errors.ts'
import type { MaybeZero } from '../core/primitive.ts'
import { isNumberKind, shapeOf, Tracer, type Val } from '../core/tracer.ts'
import { flatten, type TreeDef, unflatten } from '../core/tree.ts'
import { withBatch } from '../primitives/families.ts'
import { sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { checkFunction, checkSync } from './common.ts'
import { jvp } from './jvp.ts'
import { vjp } from './vjp.ts'
import { vmap } from './vmap.ts'

type Fn = (...args: readonly unknown[]) => unknown

/** Structure of the outputs, found by whichever level computes them first. */
interface OutState {
  def: TreeDef | undefined
}

/** A concrete zero shaped like `v`. */
const zeroLike = (v: Val): Val => {
  if (isNumberKind(v)) return 0
  const s = shapeOf(v)
  return new Tensor(new Float64Array(sizeOf(s)), s)
}

const fill = (values: readonly MaybeZero[], like: readonly Val[]): Val[] =>
  values.map((v, i) => v ?? zeroLike(like[i]!))

const leavesOf = (tree: unknown, state: OutState | undefined, name: string): Val[] => {
  checkSync(tree, name)
  const flat = flatten(tree, 'output')
  if (state !== undefined) state.def = flat.def
  return flat.leaves
}

/** Input cotangents returned by a user rule, checked against the inputs. */
const cotangentLeaves = (tree: unknown, inputs: readonly Val[], name: string): Val[] => {
  const leaves = flatten(tree, 'cotangents').leaves
  if (leaves.length !== inputs.length) {
    throw new TreeMismatchError(
      `${name} returned ${leaves.length} cotangent leaves for ${inputs.length} input leaves`,
      {
        transformation: name,
        hint: 'return one cotangent per argument, with the argument’s structure',
      },
    )
  }
  return leaves
}

/** Wraps `rule` as a function of trees: untraced arguments call `direct` straight away. */
const wrap = <A extends readonly unknown[], B>(
  name: string,
  direct: (...args: A) => B,
  makeRule: (argsDef: TreeDef, state: OutState) => CustomRule,
): ((...args: A) => B) => {
  return (...args: A): B => {
    const { leaves, def } = flatten(args, 'arguments')
    if (!leaves.some((l) => l instanceof Tracer)) {
      const out = direct(...args)
      checkSync(out, name)
      return out
    }
    const state: OutState = { def: undefined }
    const outs = bindCustom(makeRule(def, state), leaves)
    return unflatten(state.def!, outs) as B
  }
}

const vjpRule = (
  f: Fn,
  fwd: Fn,
  bwd: (res: unknown, outBar: unknown) => unknown,
  argsDef: TreeDef,
  state: OutState,
): CustomRule => {
  const args = (leaves: readonly Val[]) => unflatten(argsDef, leaves) as readonly unknown[]
  const rule: CustomRule = {
    name: 'customVjp',
    call: (leaves) => leavesOf(f(...args(leaves)), state, 'customVjp'),
    // forward mode differentiates f itself; lower levels still see the custom rule
    jvp: (primals, tangents) => {
      const outs = bindCustom(rule, primals)
      const outDot = jvp(f, args(primals), args(fill(tangents, primals)) as never)[1]
      return [outs, flatten(outDot, 'tangent').leaves]
    },
    vjp: (primals) => {
      const pair = fwd(...args(primals)) as readonly [unknown, unknown]
      const outs = leavesOf(pair[0], state, 'customVjp')
      const pullback: CustomPullback = (outBars) =>
        cotangentLeaves(
          bwd(pair[1], unflatten(state.def!, fill(outBars, outs))),
          primals,
          'customVjp',
        )
      return [outs, pullback]
    },
    batch: (values, batched, size) => {
      const all = values.map((v, i) => withBatch(v, batched[i]!, size))
      return bindCustom(vjpRule(vmap(f), vmap(fwd), vmap(bwd), argsDef, state), all)
    },
  }
  return rule
}

/**
 * A function with its own reverse-mode rule, JAX's `custom_vjp`: `fwd(...args)` returns
 * `[output, residuals]`, and `bwd(residuals, outBar)` returns the cotangents of the arguments
 * as a tuple (one tree per argument). Use it for a stable formula, an implicit solve, or an
 * adjoint you know better than the tape.
 *
 * Reverse mode (`grad`, `vjp`, `jacrev`) uses `fwd` and `bwd`; since they are fluxion code,
 * higher orders differentiate them in turn. Forward mode (`jvp`, `jacfwd`) differentiates `f`
 * itself. `vmap` maps `f`, `fwd` and `bwd`. Throws `TreeMismatchError` when `bwd`'s result
 * does not match the arguments.
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
  return wrap('customVjp', f, (argsDef, state) =>
    vjpRule(f as Fn, fwd as Fn, bwd as (res: unknown, outBar: unknown) => unknown, argsDef, state),
  )
}

const jvpRule = (
  f: Fn,
  rule: (primals: unknown, tangents: unknown) => unknown,
  argsDef: TreeDef,
  state: OutState,
): CustomRule => {
  const args = (leaves: readonly Val[]) => unflatten(argsDef, leaves) as readonly unknown[]
  const tangentOf = (primals: readonly Val[], t: readonly unknown[]) =>
    (rule(args(primals), t) as readonly [unknown, unknown])[1]
  const custom: CustomRule = {
    name: 'customJvp',
    call: (leaves) => leavesOf(f(...args(leaves)), state, 'customJvp'),
    jvp: (primals, tangents) => {
      const [out, outDot] = rule(args(primals), args(fill(tangents, primals))) as readonly [
        unknown,
        unknown,
      ]
      return [leavesOf(out, state, 'customJvp'), flatten(outDot, 'tangent').leaves]
    },
    // reverse mode transposes the (linear) tangent map of the rule, as JAX does
    vjp: (primals) => {
      const outs = bindCustom(custom, primals)
      const pullback: CustomPullback = (outBars) => {
        const zeros = args(primals.map(zeroLike))
        const [, pb] = vjp((...t: readonly unknown[]) => tangentOf(primals, t), ...zeros)
        return flatten(pb(unflatten(state.def!, fill(outBars, outs)) as never), 'cotangents').leaves
      }
      return [outs, pullback]
    },
    batch: (values, batched, size) => {
      const all = values.map((v, i) => withBatch(v, batched[i]!, size))
      return bindCustom(jvpRule(vmap(f), vmap(rule), argsDef, state), all)
    },
  }
  return custom
}

/**
 * A function with its own forward-mode rule, JAX's `custom_jvp`: `rule(primals, tangents)`
 * returns `[output, outputTangent]`, where primals and tangents are the argument tuples and the
 * tangent output must be linear in the tangents.
 *
 * Forward mode uses the rule; reverse mode transposes its linear tangent map (so one rule
 * serves both); `vmap` maps `f` and the rule. Rules are fluxion code and nest.
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
  return wrap('customJvp', f, (argsDef, state) =>
    jvpRule(f as Fn, rule as (p: unknown, t: unknown) => unknown, argsDef, state),
  )
}

const checkpointRule = (f: Fn, argsDef: TreeDef, state: OutState): CustomRule => {
  const args = (leaves: readonly Val[]) => unflatten(argsDef, leaves) as readonly unknown[]
  const rule: CustomRule = {
    name: 'checkpoint',
    call: (leaves) => leavesOf(f(...args(leaves)), state, 'checkpoint'),
    jvp: (primals, tangents) => {
      const [out, outDot] = jvp(f, args(primals), args(fill(tangents, primals)) as never)
      return [leavesOf(out, state, 'checkpoint'), flatten(outDot, 'tangent').leaves]
    },
    // keep only the inputs; the pullback runs f again under its own tape
    vjp: (primals) => {
      const outs = bindCustom(rule, primals)
      const pullback: CustomPullback = (outBars) => {
        const [, pb] = vjp(f, ...args(primals))
        return flatten(pb(unflatten(state.def!, fill(outBars, outs)) as never), 'cotangents').leaves
      }
      return [outs, pullback]
    },
    batch: (values, batched, size) => {
      const all = values.map((v, i) => withBatch(v, batched[i]!, size))
      return bindCustom(checkpointRule(vmap(f), argsDef, state), all)
    },
  }
  return rule
}

/**
 * `f` with rematerialization: reverse mode stores only its inputs, and runs `f` again during
 * the backward pass to rebuild what it needs — trading about one extra forward pass of `f` for
 * the memory of its interior. Values and derivatives are exactly those of `f`.
 * @example
 * const block = checkpoint((x: number) => sin(mul(x, x)))
 * grad(block)(1) // ≈ 2 * Math.cos(1)
 * @category transformations
 */
export function checkpoint<A extends readonly unknown[], B>(
  f: (...args: A) => B,
): (...args: A) => B {
  checkFunction(f, 'checkpoint')
  return wrap('checkpoint', f, (argsDef, state) => checkpointRule(f as Fn, argsDef, state))
}
