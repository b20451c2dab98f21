/**
 * The named error of the verification kit.
 * @module
 */
import { FluxionError } from '../index.ts'
import type { Tolerance } from './approx.ts'

/** What a failed check was and how it was judged. */
export interface GradientCheckDetails {
  /** The law that failed (`fd-agreement`, `vjp-jvp-adjoint`, …). */
  readonly law: string
  /** Which derivative was checked, e.g. `JVP of VJP` for `checkGrads` at order 2. */
  readonly check?: string
  /** The tolerance the two results had to meet. */
  readonly tolerance: Tolerance
}

/**
 * A derivative that disagrees with what it was checked against: forward mode with finite
 * differences, reverse mode with forward mode, or any other law. The message shows the input,
 * both results, their difference and the tolerance; `law`, `check` and `tolerance` say the same
 * as fields.
 * @example
 * const wrong = customJvp(sin, ([x]: readonly [number], [t]: readonly [number]) => [sin(x), t] as const)
 * const caught = (() => { try { checkJvp(wrong, [1]) } catch (e) { return e } })()
 * caught instanceof GradientCheckError // => true
 * @category errors
 */
export class GradientCheckError extends FluxionError {
  /** Always `'GradientCheckError'` (a literal, so it survives minification). */
  override readonly name: string = 'GradientCheckError'
  /** The law that failed. */
  readonly law: string
  /** Which derivative was checked (`JVP`, `VJP`, `JVP of VJP`, …), if `checkGrads` ran it. */
  readonly check: string | undefined
  /** The tolerance the results had to meet. */
  readonly tolerance: Tolerance

  constructor(message: string, details: GradientCheckDetails) {
    super(message, {
      hint:
        'a custom rule (customJvp, customVjp) or a hand-written derivative disagrees with ' +
        'the function; if the function has a kink or pole near the input, move the input ' +
        'or widen the tolerance',
    })
    this.law = details.law
    this.check = details.check
    this.tolerance = details.tolerance
  }
}
