/**
 * `linearize`: the value of `f` and its linear map at a point, to apply many times.
 * @module
 */
import { flatten, flattenAs, unflatten } from '../core/tree.ts'
import { asLeaf, checkFunction } from './common.ts'
import { type Loose, traceVjp } from './vjp.ts'

/**
 * Linearizes `f` at `primals`: returns `[f(...primals), pushforward]` where
 * `pushforward(...tangents)` is the Jacobian–vector product J·tangents. `f` runs once; each
 * pushforward call runs a recorded tape, never `f` again.
 *
 * The pushforward is the transpose of the pullback: `vjp` records the backward pass once,
 * with a symbolic cotangent, and running that record backwards maps tangents to J·tangents
 * (JAX's `linear_transpose` applied to the VJP).
 *
 * Laws: linearize-jvp (equal to `jvp` at the same point), jvp-linearity.
 * @example
 * const [y, push] = linearize((x: number) => mul(x, x), 3)
 * y // => 9
 * push(1) // => 6
 * push(2) // => 12
 * @category transformations
 */
export function linearize<A extends readonly unknown[], B>(
  f: (...args: A) => B,
  ...primals: A
): [B, (...tangents: Loose<A>) => B] {
  checkFunction(f, 'linearize')
  const [out, push] = linearizeImpl(f, primals, false)
  return [out as B, push as (...tangents: Loose<A>) => B]
}

/**
 * `linearize` for a function returning `[output, aux]`: returns `[output, pushforward, aux]`,
 * with aux passed through undifferentiated (JAX's `has_aux`; a separate name because the
 * primals are rest arguments, as for `vjpWithAux`).
 * @example
 * const [y, push, aux] = linearizeWithAux((x: number) => [mul(x, x), 'note'] as const, 3)
 * y // => 9
 * push(1) // => 6
 * aux // => 'note'
 * @category transformations
 */
export function linearizeWithAux<A extends readonly unknown[], B, Aux>(
  f: (...args: A) => readonly [B, Aux],
  ...primals: A
): [B, (...tangents: Loose<A>) => B, Aux] {
  checkFunction(f, 'linearize')
  const [out, push, aux] = linearizeImpl(f, primals, true)
  return [out as B, push as (...tangents: Loose<A>) => B, aux as Aux]
}

const linearizeImpl = <A extends readonly unknown[]>(
  f: (...args: A) => unknown,
  primals: A,
  hasAux: boolean,
): [unknown, (...tangents: readonly unknown[]) => unknown, unknown] => {
  const forward = traceVjp(f, primals, hasAux, 'linearize', true)
  const { leaves, def, leafDefs } = flatten(forward.out, 'output')
  // a zero cotangent of the output's structure: the point at which the (linear) pullback is
  // itself differentiated; any point gives the same transpose
  const zero = unflatten(
    def,
    leaves.map((_, i) => asLeaf(null, leafDefs[i]!)),
  )
  const transposed = traceVjp(
    (outBar: unknown) => forward.pullback(outBar),
    [zero],
    false,
    'linearize',
    true,
  )
  const inDef = flatten(primals, 'primals').def
  const push = (...tangents: readonly unknown[]): unknown => {
    // checked here, as `jvp` checks them: the transposed pullback would call them cotangents
    flattenAs(inDef, tangents, 'tangents', 'linearize')
    return (transposed.pullback(tangents) as readonly unknown[])[0]
  }
  return [forward.out, push, forward.aux]
}
