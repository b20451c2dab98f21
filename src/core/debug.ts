/**
 * `debugNans`: JAX's debug_nans. When on, the first NaN or infinity that a primitive produces —
 * in a forward pass or while a tape runs backwards — raises `NonFiniteError` naming the
 * primitive, the pass and the shapes. Off by default; when off it costs one boolean test per
 * kernel call.
 * @module
 */
import type { Shape } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { InvalidArgumentError, NonFiniteError } from './errors.ts'

/** Mutable switches, read by the interpreters. */
export const debugState: { on: boolean; pass: 'forward' | 'backward' } = {
  on: false,
  pass: 'forward',
}

/**
 * Turns the NaN/infinity check on (or off with `false`). While on, every primitive's output is
 * checked, in forward and backward passes, and the first non-finite value throws
 * `NonFiniteError`. Plain-number arithmetic on constants outside any transformation is not
 * checked (it is JS arithmetic). Returns the previous setting.
 * @example
 * const before = debugNans(true)
 * let caught = false
 * try { grad((x: number) => log(x))(0) } catch (e) { caught = e instanceof NonFiniteError }
 * debugNans(before)
 * caught // => true
 * @category debugging
 */
export function debugNans(on = true): boolean {
  if (typeof on !== 'boolean') {
    throw new InvalidArgumentError(`debugNans takes true or false, got ${String(on)}`, {
      hint: 'call debugNans(true) to turn the check on and debugNans(false) to turn it off',
    })
  }
  const before = debugState.on
  debugState.on = on
  return before
}

/** Throws `NonFiniteError` if `v` holds a NaN or an infinity. */
export const checkFinite = (
  v: number | Tensor,
  primitive: string,
  shapes: readonly Shape[],
): void => {
  let bad: number | undefined
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) bad = v
  } else if (v instanceof Tensor) {
    for (const x of v.data) {
      if (!Number.isFinite(x)) {
        bad = x
        break
      }
    }
  }
  if (bad === undefined) return
  throw new NonFiniteError(`${primitive} produced ${bad} in the ${debugState.pass} pass`, {
    primitive,
    shapes,
    hint:
      debugState.pass === 'backward'
        ? 'a derivative is not finite here: check the inputs against the op’s domain, or mask with where'
        : 'the value is not finite here: check the inputs against the op’s domain',
  })
}
