/**
 * `derivative(f, k)`: the k-th derivative of a function of one real variable, by Taylor mode.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { JetInterpreter } from '../core/jet.ts'
import { concreteOf, shapeOf, type Val } from '../core/tracer.ts'
import { add, mul } from '../primitives/arithmetic.ts'
import { conformKind } from '../primitives/structural.ts'
import { show } from '../tensor/shape.ts'
import { checkFunction, checkSync } from './common.ts'

/**
 * The highest order: f⁽ᵏ⁾ = k!·(coefficient k), and 171! overflows float64, so beyond this the
 * result would be ∞ or NaN whatever f is.
 */
const MAX_ORDER = 170

/**
 * The `order`-th derivative of f: ℝ → ℝ (default: the first). One pass of `f` propagates the
 * truncated Taylor series of x + t through every primitive, so order k costs O(k²) work rather
 * than the O(2ᵏ) of k nested `grad`s; f⁽ᵏ⁾(x) = k!·(coefficient k).
 *
 * The series are fluxion values, so `derivative` nests inside every transformation
 * (`grad(derivative(f, 3))` is f⁗). `order` 0 gives f itself. Throws `InvalidArgumentError` for
 * a negative, fractional or too high order (above 170, where k! overflows float64), or a
 * non-scalar output.
 * @example
 * derivative(sin, 2)(0.5) // ≈ -Math.sin(0.5)
 * derivative((x: number) => mul(x, mul(x, x)), 3)(7) // => 6
 * @category transformations
 */
export function derivative(f: (x: number) => number, order = 1): (x: number) => number {
  checkFunction(f, 'derivative')
  if (!Number.isInteger(order) || order < 0) {
    throw new InvalidArgumentError(`order ${show(order)} is not a whole number ≥ 0`, {
      transformation: 'derivative',
      hint: 'derivative(f, k) takes k = 0, 1, 2, …',
    })
  }
  if (order > MAX_ORDER) {
    throw new InvalidArgumentError(`order ${order} is above ${MAX_ORDER}`, {
      transformation: 'derivative',
      hint: `f⁽ᵏ⁾ = k!·(Taylor coefficient k), and k! overflows float64 for k > ${MAX_ORDER}`,
    })
  }
  return (x: number): number => {
    if (order === 0) return f(x)
    const interp = new JetInterpreter('derivative', order, { add, mul })
    let coefficient: Val
    try {
      // x + t: the traced value travels under its primal's type, like every tracer
      const seed: unknown = interp.wrap([x, 1, ...new Array<number>(order - 1).fill(0)])
      const y = f(seed as number)
      checkSync(y, 'derivative')
      if (shapeOf(y).length !== 0) {
        throw new InvalidArgumentError(
          `derivative needs a scalar output, got shape [${shapeOf(y).join(', ')}]`,
          {
            transformation: 'derivative',
            hint: 'derivative is for functions ℝ → ℝ; use jacfwd or vmap for more',
          },
        )
      }
      coefficient = interp.seriesOf(y)?.[order] ?? 0
    } finally {
      interp.close()
    }
    let factorial = 1
    for (let k = 2; k <= order; k++) factorial *= k
    const d = mul(coefficient, factorial)
    return (typeof concreteOf(d) === 'number' ? d : conformKind(d, 'number')) as number
  }
}
