/**
 * The custom rule behind `linearSolve`, `customRoot` and `fixedPoint` (./implicit.ts): the
 * solution x(u, θ) of a problem given by user functions — u the right-hand side or the initial
 * guess, θ the parameters — whose derivatives come from the implicit function theorem, never
 * from differentiating the solver's iterations.
 *
 * The rule's inputs are the leaves of u, of the explicit parameters, and the tracers the user's
 * functions close over (captured by the machinery of ../core/custom.ts, `bindClosed` included,
 * so that a closure is found even where no argument is traced); θ is the last two together. A
 * `Problem` says how to solve, and gives the tangent and cotangent maps at a solution in fluxion
 * code that calls `linearSolve` for its linear solves: the derivative computations are
 * themselves solutions with IFT rules, so they differentiate again (hessian, grad of grad).
 *
 * Every mode reaches the solver only through `call`, on concrete values: forward and reverse
 * mode bind the rule on their primals (so lower levels see the rule too), and `vmap` loops over
 * the examples (so a solver may read values to test convergence). Under `jit` a solver that
 * reads values cannot be staged; the call then raises `Unstageable`, and jit runs eagerly.
 * @module
 */
import {
  activeSubstitutions,
  bindClosed,
  type CustomPullback,
  type CustomRule,
  dropping,
  guardLeaves,
  withSubstitution,
  withSubstitutions,
} from '../core/custom.ts'
import { ConcretizationError, InvalidArgumentError, TreeMismatchError } from '../core/errors.ts'
import { zeroLike } from '../core/jet.ts'
import type { MaybeZero } from '../core/primitive.ts'
import type { Tracer, Val } from '../core/tracer.ts'
import { flatten, flattenAs, leafDefs, leafOf, type TreeDef, unflatten } from '../core/tree.ts'
import { Unstageable } from '../jit/trace.ts'
import { stack } from '../primitives/concat.ts'
import { index } from '../primitives/structural.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { asLeaf, checkSync } from './common.ts'
import { sameStructure } from './custom-check.ts'
import { jvp } from './jvp.ts'
import { vjp } from './vjp.ts'

/** The parameters θ of one application of the rule, as the problem's functions see them. */
export interface Theta {
  /** Runs `fn` on the explicit parameters, with the captured tracers read as θ's values. */
  at<T>(fn: (params: unknown) => T): T
  /** Whether θ has a nonzero tangent (forward mode). */
  readonly moving: boolean
  /** The tangent of `fn(θ)` along θ's tangents: ∂_θ fn · θ̇. */
  tangent(fn: (params: unknown) => unknown): unknown
  /** θ's cotangents (its leaves) for `outBar`, a cotangent of `fn(θ)`: (∂_θ fn)ᵀ · outBar. */
  cotangent(fn: (params: unknown) => unknown, outBar: unknown): MaybeZero[]
}

/** A problem solved by user code, with the maps of its implicit derivative. */
export interface Problem {
  /** The public function's name, for errors. */
  readonly name: string
  /** The tree of u (the right-hand side, or the initial guess). */
  readonly inDef: TreeDef
  /** The tree of the explicit parameters (an empty array when there are none). */
  readonly paramsDef: TreeDef
  /** The tree the solution must have, when known in advance (a root has its guess's). */
  readonly outDef: TreeDef | undefined
  /** The solution for u at θ, computed by the user's solver. */
  solve(u: unknown, theta: Theta): unknown
  /** ẋ for u̇ (`null`: zero) and θ's tangents at the solution x; `null` for a zero tangent. */
  tangent(x: unknown, uDot: unknown, theta: Theta): unknown
  /** [ū, θ̄] for x̄ at the solution x: a tree like u (or `null`), and θ's leaves. */
  cotangent(x: unknown, xBar: unknown, theta: Theta): readonly [unknown, readonly MaybeZero[]]
}

/** `tree` with its leaves substituted and checked (a function may return a captured value). */
export const settle = (tree: unknown, name: string): unknown => {
  checkSync(tree, name)
  const { leaves, def } = flatten(tree, 'result')
  return unflatten(def, guardLeaves(leaves, name))
}

/** `leaves` with each leaf's kind made that of the value it is the derivative of. */
const kinds = (leaves: readonly Val[], like: readonly Val[]): Val[] =>
  leaves.map((v, i) => asLeaf(v, leafOf(like[i]!)))

/** Runs `run` (a solver) where a read of a value `jit` traces makes it run eagerly instead. */
const staged = <T>(run: () => T): T => {
  try {
    return run()
  } catch (e) {
    // the solver decided something on a value (a convergence test): no program can replay
    // that decision, so the call runs eagerly, which gives the same numbers
    if (e instanceof ConcretizationError && e.transformation === 'jit') throw new Unstageable()
    throw e
  }
}

/** The solution's tree, found by the first solve and shared by every conversion of a rule. */
interface Out {
  def: TreeDef | undefined
}

/** The implicit-differentiation rule of `problem`, over its captured tracers. */
const implicitRule = (problem: Problem, out: Out, captured: readonly Tracer[]): CustomRule => {
  const { name, inDef, paramsDef } = problem
  const nu = leafDefs(inDef).length
  const np = leafDefs(paramsDef).length

  const runAt =
    (values: readonly Val[]) =>
    <T>(fn: (params: unknown) => T): T =>
      withSubstitution(captured, values.slice(np), () => {
        const result = fn(unflatten(paramsDef, values.slice(0, np)))
        return settle(result, name) as T
      })

  const thetaOf = (values: readonly Val[], dots?: readonly MaybeZero[]): Theta => {
    const at = runAt(values)
    const moving = dots?.some((d) => d !== null) === true
    // θ as a function of the entries at `which`, the others fixed: a captured tracer that this
    // level passed through (it is not this interpreter's) must stay fixed, or the transform
    // differentiating θ would read it as its own input, whose primal is that same tracer
    const ofTheta =
      (fn: (params: unknown) => unknown, which: readonly number[]) => (part: readonly Val[]) => {
        const all = values.slice()
        which.forEach((i, j) => {
          all[i] = part[j]!
        })
        return runAt(all)(fn)
      }
    const pick = (which: readonly number[]) => which.map((i) => values[i]!)
    const indices = values.flatMap((v, i) => (i >= np && v === captured[i - np] ? [] : [i]))
    return {
      at,
      moving,
      tangent: (fn) => {
        const which = values.flatMap((_, i) => (dots?.[i] == null ? [] : [i]))
        const part = jvp(ofTheta(fn, which), [pick(which)], [which.map((i) => dots![i]!)])
        return part[1]
      },
      cotangent: (fn, outBar) => {
        if (indices.length === 0) return values.map(() => null)
        const [, pullback] = vjp(ofTheta(fn, indices), pick(indices))
        const bars = (pullback(outBar as never) as readonly [readonly Val[]])[0]
        const all: MaybeZero[] = values.map(() => null)
        indices.forEach((i, j) => {
          all[i] = bars[j]!
        })
        return all
      },
    }
  }

  /** The solution's leaves, its tree recorded or checked. */
  const outputs = (tree: unknown): Val[] => {
    const { leaves, def } = flatten(tree, `${name} solution`)
    if (out.def === undefined) out.def = def
    else if (!sameStructure(out.def, def)) {
      throw new TreeMismatchError(`${name}: the solver returned a tree of another structure`, {
        transformation: name,
        hint: 'the solver must return a solution of one structure (for customRoot and fixedPoint, that of the initial guess)',
      })
    }
    if (problem.outDef !== undefined) {
      flattenAs(problem.outDef, tree, `${name} solution`, name, { against: 'the initial guess' })
    }
    return guardLeaves(leaves, name)
  }
  const outTree = (leaves: readonly Val[]): unknown => unflatten(out.def!, leaves)
  const split = (xs: readonly Val[]) => [xs.slice(0, nu), xs.slice(nu)] as const

  const rule: CustomRule = {
    name,
    call: (xs) => {
      const [u, theta] = split(xs)
      return staged(() => outputs(problem.solve(unflatten(inDef, u), thetaOf(theta))))
    },
    jvp: (xs, xDots) => {
      const outs = bindClosed(rule, xs)
      // a run whose result is dropped for the converted rule's: spare the tangent solve
      if (dropping()) return [outs, outs.map(() => null)]
      const [u, theta] = split(xs)
      const uDots = xDots.slice(0, nu)
      const uDot = uDots.every((d) => d === null)
        ? null
        : unflatten(
            inDef,
            u.map((v, i) => uDots[i] ?? zeroLike(v)),
          )
      const xDot = problem.tangent(outTree(outs), uDot, thetaOf(theta, xDots.slice(nu)))
      if (xDot === null) return [outs, outs.map(() => null)]
      const leaves = flattenAs(out.def!, xDot, `${name} tangent`, name, {
        against: 'the solution',
      })
      return [outs, kinds(guardLeaves(leaves, name), outs)]
    },
    vjp: (xs) => {
      const outs = bindClosed(rule, xs)
      // the pullback runs later, under the substitutions active now (a rule nested in another)
      const saved = activeSubstitutions()
      const pullback: CustomPullback = (outBars) =>
        withSubstitutions(saved, () => {
          const [u, theta] = split(xs)
          const xBar = outTree(outs.map((y, i) => outBars[i] ?? zeroLike(y)))
          const [uBar, thetaBar] = problem.cotangent(outTree(outs), xBar, thetaOf(theta))
          const uBars =
            uBar === null
              ? u.map(() => null)
              : kinds(flattenAs(inDef, uBar, `${name} cotangent`, name), u)
          return [...uBars, ...thetaBar]
        })
      return [outs, pullback]
    },
    // one solve per example: the solver then sees plain values, and may read them
    batch: (values, batched, size) => {
      if (size === 0) {
        throw new InvalidArgumentError(`${name} cannot be mapped over an empty batch`, {
          transformation: 'vmap',
          hint: 'vmap over at least one example',
        })
      }
      const each = Array.from({ length: size }, (_, i) =>
        bindClosed(
          rule,
          values.map((v, j) => (batched[j] ? index(v as Tensor, i) : v)),
        ),
      )
      return each[0]!.map((_, k) => stack(each.map((o) => o[k] as Tensor)))
    },
    convert: (more) => implicitRule(problem, out, [...captured, ...more]),
  }
  return rule
}

/** The solution of `problem` for u and the explicit parameters (trees), differentiable by IFT. */
export const solveImplicit = (problem: Problem, u: unknown, params: unknown): unknown => {
  const uLeaves = flattenAs(problem.inDef, u, 'u', problem.name)
  const pLeaves = flattenAs(problem.paramsDef, params, 'params', problem.name)
  const out: Out = { def: problem.outDef }
  const outs = bindClosed(implicitRule(problem, out, []), [...uLeaves, ...pLeaves])
  return unflatten(out.def!, outs)
}
