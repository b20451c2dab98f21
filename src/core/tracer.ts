/**
 * Values, tracers and interpreters: the vocabulary every transformation shares.
 *
 * A value is a concrete `number` or `Tensor`, or a `Tracer` owned by one running transformation
 * (an interpreter). Tracers travel through user code under the static type of their primal (a
 * traced scalar is typed `number`), which is why JS operators on them are caught at run time.
 * @module
 */
import type { Shape } from '../tensor/shape.ts'
import type { NestedArray, Tensor } from '../tensor/tensor.ts'
import type { CustomRule } from './custom.ts'
import { EscapedTracerError, InvalidArgumentError, TracedArithmeticError } from './errors.ts'
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
}

const operatorHint =
  'use fluxion ops instead of JS operators (+ add, - sub, * mul, / div, ** pow, ' +
  '< less, > greater, === equal); read a primal for a JS branch with value(x)'

/**
 * A value traced by an interpreter. It offers the read-only face of a `Tensor` (`shape`,
 * `item()`, `toArray()`), reading the primal explicitly; JS arithmetic on it throws
 * `TracedArithmeticError`, because it would silently drop the derivative.
 */
export abstract class Tracer {
  /** The interpreter that owns this tracer. */
  abstract readonly interp: Interpreter
  /** The value one level down (concrete, or a tracer of an outer transformation). */
  abstract readonly primal: Val

  /** True when `primal` holds a whole batch rather than one example's value (`vmap`). */
  get wholeBatch(): boolean {
    return false
  }

  /** Called before user code reads the primal; a staged value (`jit`) refuses to be read. */
  beforeRead(): void {}

  /** Shape of the traced value. */
  get shape(): Shape {
    return shapeOf(this.primal)
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
  /** The concrete primal's single value (reading it drops the derivative, on purpose). */
  item(): number {
    const v = readPrimal(this)
    return typeof v === 'number' ? v : v.item()
  }
  /** The concrete primal as nested arrays. */
  toArray(): NestedArray {
    const v = readPrimal(this)
    return typeof v === 'number' ? v : v.toArray()
  }
  /** The concrete primal's data. */
  get data(): Float64Array {
    const v = readPrimal(this)
    return typeof v === 'number' ? Float64Array.of(v) : v.data
  }
  toString(): string {
    return `Traced<${this.interp.transformation}>(${String(concreteOf(this))})`
  }
  /** What every JS operator calls first (`x + 1`, `x * 2`, `x < y`): refused. */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === 'string') return this.toString()
    throw arithmeticError(this)
  }
  /** Refused as well, for code that calls `valueOf()` directly. */
  valueOf(): never {
    throw arithmeticError(this)
  }
}

const arithmeticError = (t: Tracer): TracedArithmeticError =>
  new TracedArithmeticError('a JavaScript operator was applied to a traced value', {
    transformation: t.interp.transformation,
    shapes: [t.shape],
    hint: operatorHint,
  })

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
      throw new InvalidArgumentError('cannot read the primal of a value inside vmap', {
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
  while (x instanceof Tracer) x = x.primal
  return x
}

/** Shape of any value: `[]` for numbers. Throws `InvalidArgumentError` for a non-value. */
export const shapeOf = (v: Val): Shape => {
  if (typeof v === 'number') return []
  const s = (v as { shape?: unknown } | null)?.shape
  if (!Array.isArray(s)) throw notAValue(v)
  return s
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
