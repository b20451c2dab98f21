/**
 * `zero-derivative`: a function whose outputs are constants to every transformation
 * (comparisons, `sign`, `stopGradient`) has a tangent that is exactly zero for every input
 * tangent, and input cotangents that are exactly zero for every output cotangent. Exact: no
 * arithmetic happens, so no tolerance.
 *
 * Laws: zero-derivative.
 * @module
 */
import { jvp, vjp } from 'fluxion'
import { exact, type Numeric } from '../approx.ts'
import type { Fn } from '../subject.ts'
import { concrete, zerosLike } from '../vector.ts'
import type { Equation } from './law.ts'

/** zero-derivative at `xs` for tangents `xDots` (one per argument) and output cotangent `yBar`. */
export const zeroDerivative =
  (f: Fn) =>
  (xs: readonly Numeric[], xDots: readonly Numeric[], yBar: Numeric): Equation => {
    const yDot = concrete(jvp(f, [...xs], [...xDots])[1])
    const [, pullback] = vjp(f, ...xs)
    const derivatives = [yDot, ...pullback(yBar).map(concrete)]
    return { law: 'zero-derivative', lhs: derivatives, rhs: derivatives.map(zerosLike), tol: exact }
  }
