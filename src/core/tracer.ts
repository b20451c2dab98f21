/**
 * Values, tracers and interpreters: the vocabulary every transformation shares.
 *
 * A value is a concrete `number` or `Tensor`, or a `Tracer` owned by one running transformation
 * (an interpreter). Tracers travel through user code under the static type of their primal (a
 * traced scalar is typed `number`), which is why JS operators on them are caught at run time.
 * @module
 */
import type { Shape } from '../tensor/shape.ts'
import type { DType, Floats, NestedArray, Tensor } from '../tensor/tensor.ts'
import type { CustomRule } from './custom.ts'
import {
  ConcretizationError,
  EscapedTracerError,
  InvalidArgumentError,
  TracedArithmeticError,
} from './errors.ts'
import type { Primitive } from './primitive.ts'

/** A value no transformation is tracing: a JS number or a concrete `Tensor`. */
export type Concrete = number | Tensor

/** Any value inside fluxion: concrete, or traced by some interpreter. */
export type Val = Concrete | Tracer

/**
 * A running transformation. Each call of `jvp`, `vjp`, `grad`, … opens one with a fresh level
 * (its nesting depth); values of other interpreters are constants to it. `process*` is called by
 * `bind` when this interpreter owns the highest-level tracer among a primitive's arguments.
 */
export interface Interpreter {
  /** Nesting depth when opened: inner transformations have higher levels. */
  readonly level: number
  /** The transformation's public name, for error messages. */
  readonly transformation: string
  /** False once the transformation has returned; its tracers are then dead. */
  readonly alive: boolean
  process1(p: Primitive, x: Val, params: unknown): Val
  process2(p: Primitive, a: Val, b: Val, params: unknown): Val
  processN(p: Primitive, args: readonly Val[], params: unknown): Val
  /** Applies a custom rule (`customJvp`, `customVjp`, `checkpoint`) to flat arguments. */
  processCustom(rule: CustomRule, args: readonly Val[]): Val[]
  /**
   * Optional: a handle (a small non-negative integer) for a tracer of this interpreter that
   * `unpack` turns back into an equivalent tracer, or −1 for one it does not pack. A reverse-mode
   * tape keeps the primals of its records for the backward pass; under `jit(grad(f))` those are
   * millions of staged values, and a handle takes no object (src/core/tape.ts).
   */
  pack?(v: Tracer): number
  unpack?(handle: number): Tracer
}

const operatorHint =
  'use fluxion ops instead of JS operators and Math functions (+ add, - sub or neg, * mul, ' +
  '/ div, ** pow, < less, > greater, == equal, Math.exp exp, Math.max maximum, …); to branch ' +
  'on a value, read it with value(x) — the branch itself carries no derivative'

const readHint =
  'keep x a value and use fluxion ops; read it with value(x) only for a JS branch or a print ' +
  '(no derivative flows through the number), or make it a constant with stopGradient(x)'

/** The `util.inspect` hook of Node, so `console.log` of a traced value prints its short form. */
const inspectCustom = Symbol.for('nodejs.util.inspect.custom')

/**
 * A value traced by an interpreter. It offers the face of a `Tensor` that carries no value —
 * `shape`, `rank`, `size` — and refuses every read of its numbers (`item()`, `data`,
 * `toArray()`, `String(x)`, `JSON.stringify`, iteration) with `ConcretizationError`: such a
 * read would silently drop the derivative (or, under `jit`, fix one call's value in the
 * program). `value(x)` is the one explicit read. JS arithmetic on it throws
 * `TracedArithmeticError`.
 */
export abstract class Tracer {
  /** The interpreter that owns this tracer. */
  abstract readonly interp: Interpreter
  /** The value one level down (concrete, or a tracer of an outer transformation). */
  abstract readonly primal: Val

  /**
   * The value one level down, for fluxion's own walks through levels (`concreteOf`, shapes).
   * Equal to `primal`, except for a staged value, whose `primal` refuses to be read.
   */
  get inner(): Val {
    return this.primal
  }

  /** True when `primal` holds a whole batch rather than one example's value (`vmap`). */
  get wholeBatch(): boolean {
    return false
  }

  /** Called before user code reads the primal; a staged value (`jit`) refuses to be read. */
  beforeRead(): void {}

  /** Shape of the traced value. */
  get shape(): Shape {
    return shapeOf(this.inner)
  }
  /** Element type of the traced value (a traced JS number reads as `'float64'`). */
  get dtype(): DType {
    return dtypeOf(this.inner)
  }
  /** Whether the traced value is weakly typed (see `Tensor.weak`). */
  get weak(): boolean {
    const c = concreteOf(this)
    return typeof c === 'number' || c.weak
  }
  /** Number of axes. */
  get rank(): number {
    return this.shape.length
  }
  /** Number of elements. */
  get size(): number {
    let n = 1
    for (const d of this.shape) n *= d
    return n
  }
  /** Refused: the number would carry no derivative. Use `value(x)` to read it on purpose. */
  item(): number {
    throw readError(this, 'item()')
  }
  /** Refused: the numbers would carry no derivative. Use `value(x)` to read them on purpose. */
  toArray(): NestedArray {
    throw readError(this, 'toArray()')
  }
  /** Refused: the numbers would carry no derivative. Use `value(x)` to read them on purpose. */
  get data(): Floats {
    throw readError(this, 'data')
  }
  /** Refused: text made from the value could steer a JS branch the derivative cannot see. */
  toString(): string {
    throw readError(this, 'String(x)')
  }
  /** Refused, as `toString`: `JSON.stringify` of a traced value. */
  toJSON(): never {
    throw readError(this, 'JSON.stringify(x)')
  }
  /** Refused: spreading or iterating reads the numbers. */
  [Symbol.iterator](): never {
    throw readError(this, 'iteration')
  }
  /**
   * What every JS operator calls first (`x + 1`, `x * 2`, `x < y`, `Math.exp(x)`): refused,
   * with `ConcretizationError` for a conversion to text (a template literal).
   */
  [Symbol.toPrimitive](hint: string): never {
    if (hint === 'string') throw readError(this, 'a template literal')
    throw arithmeticError(this)
  }
  /** Refused as well, for code that calls `valueOf()` directly. */
  valueOf(): never {
    throw arithmeticError(this)
  }
  /** `console.log` and `util.inspect` print the short form, `Traced<Tensor[3]> (grad)`. */
  [inspectCustom](): string {
    const shape = this.shape
    const kind = isNumberKind(this) ? 'number' : `Tensor[${shape.join(', ')}]`
    return `Traced<${kind}> (${this.interp.transformation})`
  }
}

const arithmeticError = (t: Tracer): TracedArithmeticError =>
  new TracedArithmeticError('a JavaScript operator was applied to a traced value', {
    transformation: t.interp.transformation,
    shapes: [t.shape],
    hint: operatorHint,
  })

/** The error for a read of a traced value's numbers (`what`: `item()`, `data`, …). */
const readError = (t: Tracer, what: string): ConcretizationError =>
  new ConcretizationError(
    `${what} read the numbers of a value traced by ${t.interp.transformation}; ` +
      (t.interp.transformation === 'jit'
        ? 'they would be fixed in the compiled program'
        : 'they would carry no derivative'),
    { transformation: t.interp.transformation, shapes: [t.shape], hint: readHint },
  )

/**
 * Makes the instances of `cls` tracers (or nodes of `base`) by linking prototypes rather than
 * with `extends`. Tracers are allocated once per traced op, and V8 (Node 20) constructs a
 * derived class about ten times slower once its `name` has been redefined — which esbuild's
 * `keepNames` (used by tsx and some bundlers) does to every class. A base class with a linked
 * prototype keeps `instanceof` and the inherited methods at full speed.
 */
export const linkPrototype = (
  cls: { readonly prototype: object },
  base: { readonly prototype: object },
): void => {
  Object.setPrototypeOf(cls.prototype, base.prototype)
}

/** Whether `v` is traced by some interpreter. */
export const isTracer = (v: unknown): v is Tracer => v instanceof Tracer

/**
 * The concrete value under `v` for user code (`value(x)`, `x.item()`): like `concreteOf`, but
 * refuses to read through a `vmap`, where one value stands for a whole batch and no single
 * primal exists.
 */
export const readPrimal = (v: Val): Concrete => {
  let x = v
  while (x instanceof Tracer) {
    x.beforeRead()
    if (x.wholeBatch) {
      throw new ConcretizationError('value(x) cannot read a value inside vmap', {
        transformation: x.interp.transformation,
        hint: 'inside vmap a value stands for a whole batch: use where() instead of a JS branch, or loop over examples',
      })
    }
    x = x.primal
  }
  return x
}

/** The concrete value under every level of tracing. Never throws on dead tracers. */
export const concreteOf = (v: Val): Concrete => {
  let x = v
  while (x instanceof Tracer) x = x.inner
  return x
}

/** Shape of any value: `[]` for numbers. Throws `InvalidArgumentError` for a non-value. */
export const shapeOf = (v: Val): Shape => {
  if (typeof v === 'number') return []
  const s = (v as { shape?: unknown } | null)?.shape
  if (!Array.isArray(s)) throw notAValue(v)
  return s
}

/**
 * Element type of any value. A JS number is float64 but weakly typed: it takes the dtype of
 * the tensors it meets (see `resultDtype`), as a Python scalar does in JAX.
 */
export const dtypeOf = (v: Val): DType => {
  if (typeof v === 'number') return 'float64'
  const d = (v as { dtype?: unknown } | null)?.dtype
  return d === 'float32' ? 'float32' : 'float64'
}

/** The error for something that is neither a number, a Tensor nor a traced value. */
export const notAValue = (v: unknown, op?: string): InvalidArgumentError =>
  new InvalidArgumentError(
    `expected a number or a Tensor, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? (v.constructor?.name ?? 'an object') : typeof v}`,
    {
      ...(op === undefined ? {} : { primitive: op }),
      hint: 'wrap arrays with tensor(...); fluxion ops take numbers and Tensors',
    },
  )

/** Whether the concrete value under `v` is a JS number (as opposed to a Tensor). */
export const isNumberKind = (v: Val): boolean => typeof concreteOf(v) === 'number'

/** Throws the escaped-tracer error for an interpreter that has returned. */
export const escaped = (interp: Interpreter, primitive: string): never => {
  throw new EscapedTracerError(
    `a value traced by ${interp.transformation} was used after ${interp.transformation} returned`,
    {
      transformation: interp.transformation,
      primitive,
      hint: 'do not keep traced values in closures, globals or outputs; return them instead',
    },
  )
}

// ---- levels -------------------------------------------------------------------------------

let depth = 0

/** Opens a nesting level for a new interpreter; pair with `closeLevel`. */
export const openLevel = (): number => ++depth

/** Closes the innermost level. */
export const closeLevel = (): void => {
  depth--
}

/** How many transformations are running (0 when none is): `jit` replays only at 0. */
export const activeLevels = (): number => depth
