/**
 * Runner of law `taylor-nested-agreement` over the registry: for a differentiable elementwise
 * primitive (a `scalar1` or `scalar2` kernel and not `zeroDerivative`), its Taylor rule agrees
 * with its first-order rules applied k times: derivative(x ↦ p(x), k) equals k nested `grad`s
 * and k nested `jvp`s of the same function, for k = 1…4, and at order 1 it is jvp's number
 * exactly (Taylor mode's coefficient 1 is jvp's own product). A binary primitive is checked in
 * each argument with the other held at its value.
 *
 * Points: the domain's sample, reduced to its first element per argument (domains draw
 * tensors; `derivative` is for ℝ → ℝ); and, for the 'special points' variant, every special
 * point of the domain given as plain numbers (signed zeros, ±1, ±∞, NaN, ties, a base of 0
 * with integer and half exponents). The primitive is applied through `bind1`/`bind2`, the door
 * every op uses.
 *
 * Tolerance: |Taylor − nested| ≤ 1e-9·max(|Taylor|, |nested|) + 1e-12 (the absolute part only
 * matters where a derivative vanishes, e.g. sin″ near 0); NaN must meet NaN and an infinity
 * the same infinity. One exemption, at special points only: where f(x) or f′(x) is already NaN
 * (0/0 and ∞/∞ in a partial: atan2 at the origin, x/∞ at ∞), nested grads carry that NaN to
 * every higher order while the Taylor recurrences may meet it with a zero partial first
 * (zero annihilates) — there, a NaN of nested grads at order ≥ 2 asks nothing of Taylor mode.
 * @module
 */
import fc, { type GeneratorValue } from 'fast-check'
import { derivative, grad, jvp } from 'fluxion'
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

/** k nested jvps of f along 1: the forward-mode tower. */
const jvpTower = (f: Fn, k: number): Fn => {
  let g = f
  for (let i = 0; i < k; i++) {
    const h = g
    g = (x) => jvp(h, [x], [1])[1]
  }
  return g
}

/** The functions of one variable a call gives: one per differentiable argument. */
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

/** Whether a and b agree: NaN with NaN, an infinity with itself, finite within tolerance. */
const agree = (a: number, b: number): boolean =>
  a === b ||
  (Number.isNaN(a) && Number.isNaN(b)) ||
  Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) + atol

/** Why the law fails at this point and order, or undefined where it holds. */
const violation = (f: Fn, x: number, k: number, special: boolean): string | undefined => {
  const taylor = derivative(f, k)(x)
  const nested = nestedGrad(f, k)(x)
  const tower = jvpTower(f, k)(x)
  if (k === 1 && !(taylor === tower || (Number.isNaN(taylor) && Number.isNaN(tower)))) {
    return `order 1: derivative ${taylor}, jvp ${tower} (must be equal)`
  }
  if (!agree(nested, tower)) return `order ${k}: nested grads ${nested}, jvp tower ${tower}`
  const indeterminate =
    special && k >= 2 && Number.isNaN(nested) && (Number.isNaN(f(x)) || Number.isNaN(grad(f)(x)))
  return agree(taylor, nested) || indeterminate
    ? undefined
    : `order ${k}: derivative ${taylor}, nested grads ${nested}`
}

/** The scalar calls among the domain's special points. */
const specialCalls = (p: Primitive): number[][] =>
  (p.domain.special?.() ?? []).flatMap(({ args }) =>
    args.every((a) => typeof a === 'number') ? [args as number[]] : [],
  )

/** The runner of `taylor-nested-agreement` at the check's order, or at the special points. */
export const taylorRunners = {
  'taylor-nested-agreement': (p, { order = 1, variant }) => {
    if (variant === 'special points') {
      const calls = specialCalls(p)
      if (calls.length === 0) throw new Error(`${p.name} has no scalar special points`)
      for (const args of calls) {
        for (const { label, f, x } of functionsOf(p, args)) {
          for (const k of [1, 2, 3, 4]) {
            const why = violation(f, x, k, true)
            if (why !== undefined) throw new Error(`${label}: ${why}`)
          }
        }
      }
      return
    }
    fc.assert(
      fc.property(fc.gen(), (g: GeneratorValue) => {
        const { args } = p.domain.sample(drawFrom(g))
        const point = args.map((a) => valuesOf(a)[0]!)
        for (const { label, f, x } of functionsOf(p, point)) {
          const why = violation(f, x, order, false)
          if (why !== undefined) throw new Error(`${label}: ${why}`)
        }
      }),
    )
  },
} as const satisfies { readonly [law: string]: Runner }
