/**
 * The named errors of fluxion. Every failure a user can cause is one of these classes, raised at
 * the boundary where the bad value enters, with the transformation, the primitive, the shapes
 * involved and a one-line fix hint.
 *
 * This module is a leaf: the tensor layer may import it without knowing anything of tracing.
 * @module
 */

/** Where an error happened and how to fix it. Every field is optional. */
export interface ErrorContext {
  /** The transformation that was running (`grad`, `jvp`, …). */
  readonly transformation?: string
  /** The primitive or op that raised (`matmul`, `reshape`, …). */
  readonly primitive?: string
  /** The shapes involved, in argument order. */
  readonly shapes?: readonly (readonly number[])[]
  /** One line saying how to fix the call. */
  readonly hint?: string
}

const describeShapes = (shapes: readonly (readonly number[])[]): string =>
  shapes.map((s) => `[${s.join(', ')}]`).join(', ')

/**
 * Base class of every error fluxion raises on purpose. Catch this to handle them all.
 * @category errors
 */
export class FluxionError extends Error {
  /** The transformation that was running, if any. */
  readonly transformation: string | undefined
  /** The primitive or op that raised, if any. */
  readonly primitive: string | undefined
  /** The shapes involved, if any. */
  readonly shapes: readonly (readonly number[])[] | undefined
  /** How to fix it. */
  readonly hint: string | undefined

  constructor(message: string, context: ErrorContext = {}) {
    const where = [
      context.primitive === undefined ? '' : `in ${context.primitive}`,
      context.transformation === undefined ? '' : `under ${context.transformation}`,
      context.shapes === undefined ? '' : `with shapes ${describeShapes(context.shapes)}`,
    ]
      .filter((s) => s !== '')
      .join(' ')
    const hint = context.hint === undefined ? '' : `\nFix: ${context.hint}`
    super(`${message}${where === '' ? '' : ` (${where})`}${hint}`)
    this.transformation = context.transformation
    this.primitive = context.primitive
    this.shapes = context.shapes
    this.hint = context.hint
  }
}

/**
 * Shapes that do not fit: operands that do not broadcast, a reshape that changes the size, a
 * matmul whose inner dimensions differ.
 * @category errors
 */
export class ShapeError extends FluxionError {
  /** Always `'ShapeError'` (a literal, so it survives minification). */
  override readonly name: string = 'ShapeError'
}

/**
 * `grad` (or `valueAndGrad`) of a function whose output is not a scalar.
 * @category errors
 */
export class NonScalarOutputError extends FluxionError {
  /** Always `'NonScalarOutputError'` (a literal, so it survives minification). */
  override readonly name: string = 'NonScalarOutputError'
}

/**
 * A tangent or cotangent tree whose structure or leaf shapes differ from the primal tree.
 * @category errors
 */
export class TreeMismatchError extends FluxionError {
  /** Always `'TreeMismatchError'` (a literal, so it survives minification). */
  override readonly name: string = 'TreeMismatchError'
}

/**
 * A traced value used after the transformation that traced it returned (it escaped through a
 * closure, a global or a returned object).
 * @category errors
 */
export class EscapedTracerError extends FluxionError {
  /** Always `'EscapedTracerError'` (a literal, so it survives minification). */
  override readonly name: string = 'EscapedTracerError'
}

/**
 * A JavaScript operator (`+`, `*`, `<`, …) applied to a traced value. It would read the value and
 * silently drop its derivative, so fluxion refuses it and names the op to use.
 * @category errors
 */
export class TracedArithmeticError extends FluxionError {
  /** Always `'TracedArithmeticError'` (a literal, so it survives minification). */
  override readonly name: string = 'TracedArithmeticError'
}

/**
 * An argument outside what a function accepts: an axis or `argnums` out of range, a negative,
 * fractional or non-finite size, a non-number leaf in a tree, a function that returns a Promise.
 * @category errors
 */
export class InvalidArgumentError extends FluxionError {
  /** Always `'InvalidArgumentError'` (a literal, so it survives minification). */
  override readonly name: string = 'InvalidArgumentError'
}

/**
 * A NaN or infinity produced by a primitive while `debugNans` is on.
 * @category errors
 */
export class NonFiniteError extends FluxionError {
  /** Always `'NonFiniteError'` (a literal, so it survives minification). */
  override readonly name: string = 'NonFiniteError'
}

/**
 * User code read the numbers of a traced value — `item()`, `data`, `toArray()`, `String(x)`, a
 * template literal, `JSON.stringify`, spreading or iteration — under any transformation: the
 * number would carry no derivative, so the result would be silently wrong. Under `jit` and
 * `vmap`, `value(x)` is refused too: `jit` traces once per input shapes and replays the
 * recording, so a decision taken on one call's values would apply to every later call; inside
 * `vmap` one value stands for a whole batch.
 * @category errors
 */
export class ConcretizationError extends FluxionError {
  /** Always `'ConcretizationError'` (a literal, so it survives minification). */
  override readonly name: string = 'ConcretizationError'
}

/**
 * A linear-algebra operation met a matrix it cannot work with: a singular matrix where a
 * non-singular one is needed (`solve`, `inv`), one that is not positive definite (`cholesky`),
 * a rank-deficient one (`lstsq`), non-finite entries, or an iteration that did not converge.
 * The message names the operation and the shapes.
 * @category errors
 */
export class LinAlgError extends FluxionError {
  /** Always `'LinAlgError'` (a literal, so it survives minification). */
  override readonly name: string = 'LinAlgError'
}

/**
 * An index that points at no element: not an integer, not finite, or outside its axis (after
 * a negative index counts once from the end, NumPy style: −n … n − 1 on an axis of size n).
 * Raised by `take`, `gather`, `at`, the scatters and segment ops — eagerly, and on every call
 * of a `jit`-compiled function or a `vmap`, since indices are data. The message names the op,
 * the offending index, its position among the indices and the axis size.
 * @category errors
 */
export class IndexError extends FluxionError {
  /** Always `'IndexError'` (a literal, so it survives minification). */
  override readonly name: string = 'IndexError'
}

/**
 * A control-flow construct asked to do what it cannot: reverse-mode differentiation of
 * `whileLoop` (its trip count is known only when it ends, so there is no bound on what reverse
 * mode would store — use `scan` or `foriLoop` with fixed bounds), or a branch or loop body that
 * could not be traced for `jit`. The message names the construct and the remedy.
 * @category errors
 */
export class ControlFlowError extends FluxionError {
  /** Always `'ControlFlowError'` (a literal, so it survives minification). */
  override readonly name: string = 'ControlFlowError'
}
