/**
 * `vjp`: reverse mode. One pass of `f` records a tape of pullback continuations; the returned
 * pullback runs it backwards as often as asked, without running `f` again.
 * @module
 */
import { Node, VjpInterpreter } from '../core/tape.ts'
import type { Val } from '../core/tracer.ts'
import { type Flat, flatten, flattenAs, leafOf, unflatten } from '../core/tree.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { asLeaf, checkFunction, cotangentOps, splitAux, stripAux, unalias } from './common.ts'

/**
 * A tree type whose tensor leaves may also be given as plain numbers (a number stands for a
 * rank-0 tensor; any other shape mismatch is a `TreeMismatchError` at run time).
 */
export type Loose<T, Depth extends unknown[] = []> = Depth['length'] extends 8
  ? T // recursive tree types stop loosening here instead of expanding forever
  : T extends Tensor
    ? Tensor | number
    : T extends number
      ? number
      : T extends readonly unknown[]
        ? { readonly [K in keyof T]: Loose<T[K], [...Depth, unknown]> }
        : T extends object
          ? { readonly [K in keyof T]: Loose<T[K], [...Depth, unknown]> }
          : T

/** A pullback: maps a cotangent of the output to cotangents of the inputs. */
export type Pullback<B, A> = (outBar: Loose<B>) => A

export interface Traced {
  readonly out: unknown
  readonly aux: unknown
  /** With `last`, the tape is consumed (its buffers go to the next transformation). */
  readonly pullback: (outBar: unknown, last?: boolean) => unknown
}

/**
 * Runs `f` under a fresh reverse-mode interpreter and packages the tape as a pullback. With
 * `keep`, the pullback is handed to the caller, who may run it any number of times (or never):
 * the tape gives its pooled buffers back at once (see `VjpInterpreter.keep`). Without it, the
 * caller's last run passes `last` so that the tape hands them on.
 */
export const traceVjp = <A extends readonly unknown[]>(
  f: (...args: A) => unknown,
  primals: A,
  hasAux: boolean,
  transformation: string,
  keep: boolean,
): Traced => {
  checkFunction(f, transformation)
  const inputs = flatten(primals, 'primals')
  const xs = inputs.leaves
  const interp = new VjpInterpreter(transformation, cotangentOps)
  const inIds: number[] = new Array<number>(xs.length)
  const nodes: Node[] = new Array<Node>(xs.length)
  for (let i = 0; i < xs.length; i++) {
    const node = interp.input(xs[i]!)
    nodes[i] = node
    inIds[i] = node.id
  }
  let result: unknown
  try {
    result = f(...(unflatten(inputs.def, nodes) as A))
  } finally {
    interp.close()
  }
  return packageTape(interp, inputs, inIds, result, hasAux, transformation, keep)
}

/**
 * The output, aux and pullback of a recorded tape: `interp` has run (and closed) on input nodes
 * `inIds` for the leaves of `inputs`, and `f` returned `result`. For `traceVjp`, and for
 * transformations that record the tape themselves (`jacrev` of one leaf).
 */
export const packageTape = (
  interp: VjpInterpreter,
  inputs: Flat,
  inIds: readonly number[],
  result: unknown,
  hasAux: boolean,
  transformation: string,
  keep: boolean,
): Traced => {
  const { leaves: xs, def, leafDefs: inLeaves } = inputs
  const mine = (v: Val): v is Node => v instanceof Node && v.interp === interp
  const split = splitAux(result, hasAux, transformation)
  const flat = flatten(split.out, 'output')
  const outDef = flat.def
  const ys = flat.leaves
  const outLeaves = flat.leafDefs
  // the output leaves this tape traced (the others get no cotangent), and their nodes
  const liveAt: number[] = []
  const liveIds: number[] = []
  const primalsOut: Val[] = new Array<Val>(ys.length)
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i]!
    if (mine(y)) {
      liveAt.push(i)
      liveIds.push(y.id)
      primalsOut[i] = y.primal
    } else primalsOut[i] = y
  }
  const out = unflatten(outDef, unalias(primalsOut, xs))
  const aux = hasAux ? stripAux(split.aux, (a) => (mine(a) ? a.primal : a)) : undefined
  if (keep) interp.keep()
  const pullback = (outBar: unknown, last = false): unknown => {
    const bars = flattenAs(outDef, outBar, 'the output cotangent', transformation)
    const liveBars: Val[] = new Array<Val>(liveAt.length)
    // each cotangent in its output's kind and dtype (a float64 one for a float32 output would
    // promote the backward pass to float64)
    for (let i = 0; i < liveAt.length; i++) {
      liveBars[i] = asLeaf(bars[liveAt[i]!]!, outLeaves[liveAt[i]!]!)
    }
    const xBars = interp.backward(liveIds, liveBars, inIds, last)
    const leaves: Val[] = new Array<Val>(xBars.length)
    for (let i = 0; i < xBars.length; i++) leaves[i] = asLeaf(xBars[i]!, inLeaves[i]!)
    return unflatten(def, unalias(leaves, bars, xs))
  }
  return { out, aux, pullback }
}

const NUMBER = leafOf(0)

/** Whether every primal is a plain number. */
const numbersIn = (primals: readonly unknown[]): primals is readonly number[] => {
  for (let i = 0; i < primals.length; i++) if (typeof primals[i] !== 'number') return false
  return true
}

/**
 * `traceVjp` (kept, no aux) for scalar code, the commonest `vjp` inside nested derivatives:
 * numbers in, so no trees to flatten and rebuild and nothing to alias. An output that is not
 * one leaf, and a cotangent that is not a number, take the general way (`packageTape`).
 */
const traceVjpNumbers = (f: (...args: never[]) => unknown, primals: readonly number[]): Traced => {
  checkFunction(f, 'vjp')
  const interp = new VjpInterpreter('vjp', cotangentOps)
  const n = primals.length
  const inIds: number[] = new Array<number>(n)
  const nodes: Node[] = new Array<Node>(n)
  for (let i = 0; i < n; i++) {
    const node = interp.input(primals[i]!)
    nodes[i] = node
    inIds[i] = node.id
  }
  let y: unknown
  try {
    y = (f as (...args: Node[]) => unknown)(...nodes)
  } finally {
    interp.close()
  }
  const node = y instanceof Node && y.interp === interp ? y : undefined
  if (node === undefined && typeof y !== 'number') {
    return packageTape(interp, flatten(primals, 'primals'), inIds, y, false, 'vjp', true)
  }
  interp.keep()
  const number = node === undefined || leafOf(node.primal).number
  // a cotangent other than a number (a rank-0 tensor, a bad one) is checked and converted there
  const general = (outBar: unknown, last: boolean): unknown =>
    packageTape(interp, flatten(primals, 'primals'), inIds, y, false, 'vjp', false).pullback(
      outBar,
      last,
    )
  const pullback = (outBar: unknown, last = false): unknown => {
    if (typeof outBar !== 'number' || !number) return general(outBar, last)
    const xBars = node === undefined ? [] : interp.backward([node.id], [outBar], inIds, last)
    const out: number[] = new Array<number>(n)
    for (let i = 0; i < n; i++) out[i] = asLeaf(xBars[i] ?? null, NUMBER) as number
    return out
  }
  return { out: node === undefined ? y : node.primal, aux: undefined, pullback }
}

/**
 * Vector–Jacobian product: runs `f` at `primals` once and returns `[f(primals), pullback]`,
 * where `pullback(outBar)` is the tuple of input cotangents `outBarᵀ·J` (one per primal, same
 * trees). The pullback can be called many times, also inside other transformations.
 *
 * Laws: vjp-linearity, vjp-jvp-adjoint, chain-rule. Throws `TreeMismatchError` when `outBar`
 * does not match the output. For auxiliary outputs use `vjpWithAux`.
 * @example
 * const [y, pullback] = vjp((x: number) => mul(x, x), 3)
 * y // => 9
 * pullback(1) // => [6]
 * @category transformations
 */
export function vjp<A extends readonly unknown[], B>(
  f: (...args: A) => B,
  ...primals: A
): [B, Pullback<B, A>] {
  const t = numbersIn(primals)
    ? traceVjpNumbers(f, primals)
    : traceVjp(f, primals, false, 'vjp', true)
  return [t.out as B, (outBar: Loose<B>) => t.pullback(outBar) as A]
}

/**
 * `vjp` for a function returning `[output, aux]`: returns `[output, pullback, aux]`, with aux
 * passed through undifferentiated (JAX's `has_aux`).
 * @example
 * const [y, pullback, aux] = vjpWithAux((x: number) => [mul(x, x), 'note'] as const, 3)
 * aux // => 'note'
 * @category transformations
 */
export function vjpWithAux<A extends readonly unknown[], B, Aux>(
  f: (...args: A) => readonly [B, Aux],
  ...primals: A
): [B, Pullback<B, A>, Aux] {
  const t = traceVjp(f, primals, true, 'vjp', true)
  return [t.out as B, (outBar: Loose<B>) => t.pullback(outBar) as A, t.aux as Aux]
}
