/**
 * What the law predicates are stated about: a function of numbers and tensors, as users write
 * them. A sampled primitive call becomes one by fixing its params and its non-differentiable
 * arguments, so the same predicates later check compositions and user code.
 * @module
 */

import type { Numeric } from 'fluxion/testing'
import { bindN } from '../src/core/bind.ts'
import type { Primitive, Sample } from '../src/core/primitive.ts'
import type { Val } from '../src/core/tracer.ts'

/**
 * A function of numbers and tensors. Inside a transformation its arguments are traced values,
 * which travel under their primal's static type (as in the public ops).
 */
export type Fn = (...xs: Numeric[]) => Numeric

/** A function and the point its laws are checked at. */
export interface Subject {
  readonly f: Fn
  /** The point: one value per argument of `f`. */
  readonly xs: Numeric[]
  /** What `f` is, for failure messages. */
  readonly label: string
}

/**
 * Positions of `p`'s differentiable arguments among `count` arguments: all but those its
 * domain lists as `fixed` (`where`'s condition, index tensors), which laws hold fixed.
 */
export const differentiableArguments = (p: Primitive, count: number): number[] => {
  const fixed = p.domain.fixed ?? []
  return Array.from({ length: count }, (_, i) => i).filter((i) => !fixed.includes(i))
}

const describeArgument = (x: Numeric): string =>
  typeof x === 'number' ? 'number' : `[${x.shape.join(', ')}]`

/**
 * A sampled call of `p` as a function of its differentiable arguments: the params and the
 * fixed arguments are closed over, and the primitive is applied through `bindN`, the door every
 * op uses, so each transformation processes it exactly as it would inside user code.
 */
export const subjectOf = (p: Primitive, { args, params }: Sample<unknown>): Subject => {
  const free = differentiableArguments(p, args.length)
  const f: Fn = (...xs) => {
    const full: Val[] = args.slice()
    free.forEach((position, i) => {
      full[position] = xs[i]!
    })
    // a traced result travels as its primal's type, like every public op's result
    return bindN(p, full, params) as Numeric
  }
  return {
    f,
    xs: free.map((i) => args[i]!),
    label: `${p.name}(${args.map(describeArgument).join(', ')}) with params ${JSON.stringify(params) ?? 'none'}`,
  }
}
