/**
 * Runner of law `taylor-nested-agreement` over the registry: for a differentiable elementwise
 * primitive (a `scalar1` or `scalar2` kernel and not `zeroDerivative`), its Taylor rule agrees
 * with its first-order rules applied k times: derivative(x ↦ p(x), k) equals k nested `grad`s
 * of the same function, for k = 1…4, at points sampled from the primitive's own domain. A
 * binary primitive is checked in each argument with the other held at its sampled value.
 *
 * Points: the domain's sample, reduced to its first element per argument (domains draw
 * tensors; `derivative` is for ℝ → ℝ). The primitive is applied through `bind1`/`bind2`, the
 * door every op uses. Tolerance: |Taylor − nested| ≤ 1e-9·max(|Taylor|, |nested|) + 1e-12 (the
 * absolute part only matters where a derivative vanishes, e.g. sin″ near 0).
 * @module
 */
import fc, { type GeneratorValue } from 'fast-check'
import { derivative, grad } from 'fluxion'
import { valuesOf } from 'fluxion/testing'
import { bind1, bind2 } from '../../src/core/bind.ts'
import type { Primitive } from '../../src/core/primitive.ts'
import { drawFrom } from '../draw.ts'
import type { Runner } from './point.ts'

type Fn = (x: number) => number

/** The law's tolerance. */
const rtol = 1e-9
const atol = 1e-12

/** k nested grads of f. */
const nestedGrad = (f: Fn, k: number): Fn => {
  let g = f
  for (let i = 0; i < k; i++) g = grad(g)
  return g
}

/** The functions of one variable a sampled call gives: one per differentiable argument. */
const functionsOf = (
  p: Primitive,
  args: readonly number[],
): { label: string; f: Fn; x: number }[] => {
  // a traced result travels as its primal's type (a number here), like every public op's
  const apply1 = (x: number) => bind1(p, x, undefined) as number
  if (p.arity === 1) return [{ label: `${p.name}(x) at x = ${args[0]}`, f: apply1, x: args[0]! }]
  const [a, b] = args as [number, number]
  return [
    {
      label: `${p.name}(x, ${b}) at x = ${a}`,
      f: (x) => bind2(p, x, b, undefined) as number,
      x: a,
    },
    {
      label: `${p.name}(${a}, x) at x = ${b}`,
      f: (x) => bind2(p, a, x, undefined) as number,
      x: b,
    },
  ]
}

/** Why the law fails at this point, or undefined where it holds. */
const violation = (f: Fn, x: number, k: number): string | undefined => {
  const taylor = derivative(f, k)(x)
  const nested = nestedGrad(f, k)(x)
  const gap = Math.abs(taylor - nested)
  const bound = rtol * Math.max(Math.abs(taylor), Math.abs(nested)) + atol
  return gap <= bound
    ? undefined
    : `order ${k}: derivative ${taylor}, nested grads ${nested} (gap ${gap.toExponential(2)} > ${bound.toExponential(2)})`
}

/** The runner of `taylor-nested-agreement` at the check's order. */
export const taylorRunners = {
  'taylor-nested-agreement': (p, { order = 1 }) =>
    fc.assert(
      fc.property(fc.gen(), (g: GeneratorValue) => {
        const { args } = p.domain.sample(drawFrom(g))
        const point = args.map((a) => valuesOf(a)[0]!)
        for (const { label, f, x } of functionsOf(p, point)) {
          const why = violation(f, x, order)
          if (why !== undefined) throw new Error(`${label}: ${why}`)
        }
      }),
    ),
} as const satisfies { readonly [law: string]: Runner }
