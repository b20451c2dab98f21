/**
 * `vjp`: reverse mode. One pass of `f` records a tape of pullback continuations; the returned
 * pullback runs it backwards as often as asked, without running `f` again.
 * @module
 */
import { Node, VjpInterpreter } from '../core/tape.ts'
import type { Val } from '../core/tracer.ts'
import { flatten, flattenAs, leafDefs, type TreeDef, unflatten } from '../core/tree.ts'
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

interface Traced {
  readonly out: unknown
  readonly aux: unknown
  /** With `last`, the tape is consumed (its buffers go to the next transformation). */
  readonly pullback: (outBar: unknown, last?: boolean) => unknown
}

/** Runs `f` under a fresh reverse-mode interpreter and packages the tape as a pullback. */
export const traceVjp = <A extends readonly unknown[]>(
  f: (...args: A) => unknown,
  primals: A,
  hasAux: boolean,
  transformation: string,
): Traced => {
  checkFunction(f, transformation)
  const { leaves: xs, def } = flatten(primals, 'primals')
  const inLeaves = leafDefs(def)
  const interp = new VjpInterpreter(transformation, cotangentOps)
  let outDef: TreeDef
  let outIds: number[]
  let out: unknown
  let aux: unknown
  const mine = (v: Val): v is Node => v instanceof Node && v.interp === interp
  const nodes = xs.map((x) => interp.input(x))
  try {
    const args = unflatten(def, nodes) as A
    const split = splitAux(f(...args), hasAux, transformation)
    const flat = flatten(split.out, 'output')
    outDef = flat.def
    outIds = flat.leaves.map((y) => (mine(y) ? y.id : -1))
    out = unflatten(
      outDef,
      unalias(
        flat.leaves.map((y) => (mine(y) ? y.primal : y)),
        xs,
      ),
    )
    aux = hasAux ? stripAux(split.aux, (a) => (mine(a) ? a.primal : a)) : undefined
  } finally {
    interp.close()
  }
  const outLeaves = leafDefs(outDef)
  const pullback = (outBar: unknown, last = false): unknown => {
    // each cotangent in its output's kind and dtype (a float64 one for a float32 output would
    // promote the backward pass to float64)
    const bars = flattenAs(outDef, outBar, 'the output cotangent', transformation).map((b, i) =>
      asLeaf(b, outLeaves[i]!),
    )
    const live = outIds.flatMap((id, i) => (id >= 0 ? [i] : []))
    const xBars = interp.backward(
      live.map((i) => outIds[i]!),
      live.map((i) => bars[i]!),
      nodes.map((n) => n.id),
      last,
    )
    return unflatten(
      def,
      unalias(
        xBars.map((b, i) => asLeaf(b, inLeaves[i]!)),
        bars,
        xs,
      ),
    )
  }
  return { out, aux, pullback }
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
  const t = traceVjp(f, primals, false, 'vjp')
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
  const t = traceVjp(f, primals, true, 'vjp')
  return [t.out as B, (outBar: Loose<B>) => t.pullback(outBar) as A, t.aux as Aux]
}
