/**
 * `jvp`: forward mode. One pass of `f` on dual numbers gives the output and its directional
 * derivative along the given tangents.
 * @module
 */

import { InvalidArgumentError } from '../core/errors.ts'
import { JvpInterpreter } from '../core/jvp.ts'
import { Tracer, type Val } from '../core/tracer.ts'
import { flatten, flattenAs, leafOf, unflatten } from '../core/tree.ts'
import { show } from '../tensor/shape.ts'
import { asLeaf, checkFunction, checkOptions, splitAux, stripAux, unalias } from './common.ts'
import type { Loose } from './vjp.ts'

/** Options of `jvp`. */
export interface JvpOptions {
  /** `f` returns `[output, aux]`; aux is returned as is, not differentiated. */
  readonly hasAux?: boolean
}

/** `jvp` takes its primals and tangents as tuples, one entry per argument of `f`. */
const checkTuple = (v: unknown, what: string): void => {
  if (!Array.isArray(v)) {
    throw new InvalidArgumentError(
      `${what} must be an array (one entry per argument), got ${show(v)}`,
      {
        transformation: 'jvp',
        hint: `wrap them in arrays: jvp(f, [x], [xDot])`,
      },
    )
  }
}

/**
 * Jacobian–vector product: runs `f` at `primals` once, pushing `tangents` forward, and returns
 * `[f(primals), J·tangents]`. Primals and tangents are tuples of trees of the same structure.
 *
 * Laws: jvp-linearity, chain-rule, vjp-jvp-adjoint, fd-agreement. Throws `TreeMismatchError`
 * when tangents do not match primals.
 * @example
 * const [y, yDot] = jvp((x: number) => mul(x, x), [3], [1])
 * y // => 9
 * yDot // => 6
 * @category transformations
 */
export function jvp<A extends readonly unknown[], B>(
  f: (...args: A) => B,
  primals: A,
  tangents: Loose<A>,
): [B, B]
export function jvp<A extends readonly unknown[], B, Aux>(
  f: (...args: A) => readonly [B, Aux],
  primals: A,
  tangents: Loose<A>,
  options: { readonly hasAux: true },
): [B, B, Aux]
export function jvp<A extends readonly unknown[], B>(
  f: (...args: A) => B,
  primals: A,
  tangents: Loose<A>,
  options?: JvpOptions,
): unknown[] {
  checkFunction(f, 'jvp')
  checkTuple(primals, 'primals')
  checkTuple(tangents, 'tangents')
  checkOptions(options, 'jvp', ['hasAux'], ['hasAux'])
  return jvpNamed(f, primals, tangents, options?.hasAux === true, 'jvp')
}

/**
 * `jvp` for transformations built on it (`jacfwd`, `hessian`, `hvp`): errors raised while `f`
 * runs name `transformation`, the one the user called.
 */
export function jvpNamed<A extends readonly unknown[]>(
  f: (...args: A) => unknown,
  primals: A,
  tangents: unknown,
  hasAux: boolean,
  transformation: string,
): unknown[] {
  if (!hasAux && numbersOnly(primals, tangents))
    return jvpNumbers(f, primals, tangents, transformation)
  const { leaves: xs, def, leafDefs: inLeaves } = flatten(primals, 'primals')
  const xDots = flattenAs(def, tangents, 'tangents', transformation)
  const interp = new JvpInterpreter(transformation)
  try {
    // each tangent in its primal's kind and dtype, as the derivative will be
    const lifted: Val[] = new Array<Val>(xs.length)
    for (let i = 0; i < xs.length; i++) {
      lifted[i] = interp.lift(xs[i]!, asLeaf(xDots[i]!, inLeaves[i]!))
    }
    const result = f(...(unflatten(def, lifted) as A))
    return jvpOutputs(interp, result, xs, xDots, hasAux, transformation)
  } finally {
    interp.close()
  }
}

/** Whether the primals and tangents are tuples of plain numbers of one length. */
const numbersOnly = (
  primals: readonly unknown[],
  tangents: unknown,
): tangents is readonly number[] => {
  if (!Array.isArray(tangents) || tangents.length !== primals.length) return false
  for (let i = 0; i < primals.length; i++) {
    if (typeof primals[i] !== 'number' || typeof tangents[i] !== 'number') return false
  }
  return true
}

/**
 * `jvpNamed` for scalar code, the commonest call inside nested derivatives: numbers in, so no
 * trees to flatten and rebuild and nothing to alias; an output that is one leaf is returned as
 * it is, any other goes the general way (`jvpOutputs`).
 */
const jvpNumbers = (
  f: (...args: never[]) => unknown,
  primals: readonly unknown[],
  tangents: readonly unknown[],
  transformation: string,
): unknown[] => {
  const interp = new JvpInterpreter(transformation)
  try {
    const lifted: Val[] = new Array<Val>(primals.length)
    for (let i = 0; i < primals.length; i++) {
      lifted[i] = interp.lift(primals[i] as number, tangents[i] as number)
    }
    const y = (f as (...args: Val[]) => unknown)(...lifted)
    if (typeof y !== 'number' && !(y instanceof Tracer)) {
      return jvpOutputs(interp, y, primals as number[], tangents as number[], false, transformation)
    }
    return [interp.primalOf(y), asLeaf(interp.tangentOf(y), leafOf(y))]
  } finally {
    interp.close()
  }
}

/**
 * `[output, output tangent]` (and aux) from what `f` returned under `interp` (still open), for
 * inputs `xs` with tangents `xDots`: trees of primals and of tangents, aliasing neither.
 */
export function jvpOutputs(
  interp: JvpInterpreter,
  result: unknown,
  xs: readonly Val[],
  xDots: readonly Val[],
  hasAux: boolean,
  transformation: string,
): unknown[] {
  const { out, aux } = splitAux(result, hasAux, transformation)
  const { leaves: ys, def: outDef, leafDefs: leaves } = flatten(out, 'output')
  const ps: Val[] = new Array<Val>(ys.length)
  const ts: Val[] = new Array<Val>(ys.length)
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i]!
    ps[i] = interp.primalOf(y)
    ts[i] = asLeaf(interp.tangentOf(y), leaves[i]!)
  }
  const primalsOut = unalias(ps, xs, xDots)
  const tangentsOut = unalias(ts, xs, xDots)
  const outputs: unknown[] = [unflatten(outDef, primalsOut), unflatten(outDef, tangentsOut)]
  if (hasAux) outputs.push(stripAux(aux, (a) => interp.primalOf(a)))
  return outputs
}
