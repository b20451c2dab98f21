/**
 * Lowerings: how a primitive's elements are computed inside generated code, as typed data — a
 * tiny scalar-expression tree — rather than JS text. An elementwise primitive lowers to an
 * expression over its operands that computes exactly what its scalar kernel computes (so fused
 * loops give eager runs' numbers, to the bit: test/jit/lower.test.ts checks every entry at ±0,
 * ±∞, NaN and random points); a structural primitive that only moves values (a vector slice or
 * pad, a broadcast of a row, a column or one element) lowers to a read of its input at an index,
 * so a fused loop reads the input in place. A primitive without a lowering is called through its
 * scalar kernel, or run by its kernel.
 * Only src/jit/emit/source.ts turns these trees into source.
 *
 * The table is keyed by primitive name and lists each primitive once, like the registry.
 * @module
 */
import type { Primitive } from '../core/primitive.ts'
import type { ShapeParams } from '../primitives/families.ts'
import { type PrimitiveName, primitives } from '../primitives/registry.ts'
import type { PadParams, SliceParams } from '../primitives/structural.ts'
import { type Shape, sizeOf } from '../tensor/shape.ts'

/** The functions of `Math` a lowering may call. */
export type MathFunction =
  | 'exp'
  | 'log'
  | 'log2'
  | 'log10'
  | 'sqrt'
  | 'cbrt'
  | 'sin'
  | 'cos'
  | 'tanh'

/** A binary JS operator on numbers. */
export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '**'

/** A JS comparison of numbers. */
export type Comparison = '===' | '<' | '<=' | '>' | '>='

/** A scalar expression: what one element of a lowered primitive computes. */
export type ScalarExpr =
  | { readonly kind: 'const'; readonly value: number }
  /** The operand `index` of the equation (its element at the current index). */
  | { readonly kind: 'arg'; readonly index: number }
  /** The loop index: row (over all axes but the last) or column (the last axis). */
  | { readonly kind: 'loop'; readonly axis: 'row' | 'column' }
  | { readonly kind: 'call'; readonly fn: MathFunction; readonly args: readonly ScalarExpr[] }
  | {
      readonly kind: 'binary'
      readonly op: BinaryOperator
      readonly a: ScalarExpr
      readonly b: ScalarExpr
    }
  | { readonly kind: 'neg'; readonly x: ScalarExpr }
  | {
      readonly kind: 'compare'
      readonly op: Comparison
      readonly a: ScalarExpr
      readonly b: ScalarExpr
    }
  | { readonly kind: 'or' | 'and'; readonly a: ScalarExpr; readonly b: ScalarExpr }
  | {
      readonly kind: 'cond'
      readonly test: ScalarExpr
      readonly then: ScalarExpr
      readonly else: ScalarExpr
    }
  /** The input's data array (of the only operand) at a flat index. */
  | { readonly kind: 'read'; readonly index: ScalarExpr }

/** How a primitive lowers: an elementwise expression, or a read of its input in place. */
export type Lowering<P = unknown> =
  | { readonly kind: 'elementwise'; readonly expr: ScalarExpr }
  | {
      readonly kind: 'read'
      /** The element at (row, column) read from the input, or undefined for another call. */
      at(params: P, inShape: Shape): ScalarExpr | undefined
    }

// ---- builders -----------------------------------------------------------------------------

export const constant = (value: number): ScalarExpr => ({ kind: 'const', value })
export const arg = (index: number): ScalarExpr => ({ kind: 'arg', index })
const row: ScalarExpr = { kind: 'loop', axis: 'row' }
const column: ScalarExpr = { kind: 'loop', axis: 'column' }
export const call = (fn: MathFunction, ...args: ScalarExpr[]): ScalarExpr => ({
  kind: 'call',
  fn,
  args,
})
const binary =
  (op: BinaryOperator) =>
  (a: ScalarExpr, b: ScalarExpr): ScalarExpr => ({ kind: 'binary', op, a, b })
export const plus = binary('+')
export const minus = binary('-')
export const times = binary('*')
export const over = binary('/')
export const rem = binary('%')
export const power = binary('**')
export const neg = (x: ScalarExpr): ScalarExpr => ({ kind: 'neg', x })
export const compare = (op: Comparison, a: ScalarExpr, b: ScalarExpr): ScalarExpr => ({
  kind: 'compare',
  op,
  a,
  b,
})
export const or = (a: ScalarExpr, b: ScalarExpr): ScalarExpr => ({ kind: 'or', a, b })
export const and = (a: ScalarExpr, b: ScalarExpr): ScalarExpr => ({ kind: 'and', a, b })
export const cond = (test: ScalarExpr, then: ScalarExpr, otherwise: ScalarExpr): ScalarExpr => ({
  kind: 'cond',
  test,
  then,
  else: otherwise,
})
export const read = (index: ScalarExpr): ScalarExpr => ({ kind: 'read', index })

/** A unary elementwise lowering from its expression of the operand. */
const unop = (f: (x: ScalarExpr) => ScalarExpr): Lowering => ({
  kind: 'elementwise',
  expr: f(arg(0)),
})
/** A binary elementwise lowering from its expression of the operands. */
const binop = (f: (a: ScalarExpr, b: ScalarExpr) => ScalarExpr): Lowering => ({
  kind: 'elementwise',
  expr: f(arg(0), arg(1)),
})

/** Whether every axis but the last is taken whole (so the read is one per row). */
const lastAxisOnly = (inShape: Shape, whole: (ax: number) => boolean): boolean => {
  for (let ax = 0; ax < inShape.length - 1; ax++) if (!whole(ax)) return false
  return inShape.length > 0
}

/** `x[row·n + i]`, or `x[i]` for a vector. */
const rowRead = (inShape: Shape, i: ScalarExpr): ScalarExpr =>
  read(inShape.length === 1 ? i : plus(times(row, constant(inShape[inShape.length - 1]!)), i))

// a slice along the last axis only reads x[row·n + start + step·column]
const slice: Lowering<SliceParams> = {
  kind: 'read',
  at: ({ starts, ends, steps }, inShape) => {
    const k = inShape.length - 1
    const whole = (ax: number) => starts[ax] === 0 && steps[ax] === 1 && ends[ax] === inShape[ax]
    if (!lastAxisOnly(inShape, whole)) return undefined
    return rowRead(inShape, plus(constant(starts[k]!), times(constant(steps[k]!), column)))
  },
}

// padding at the ends of the last axis only reads x[row·n + column − lo] inside, value outside
const pad: Lowering<PadParams> = {
  kind: 'read',
  at: ({ lo, hi, interior, value }, inShape) => {
    const k = inShape.length - 1
    const whole = (ax: number) => lo[ax] === 0 && hi[ax] === 0 && interior[ax] === 0
    if (!lastAxisOnly(inShape, whole) || interior[k] !== 0) return undefined
    const inside = and(
      compare('>=', column, constant(lo[k]!)),
      compare('<', column, constant(lo[k]! + inShape[k]!)),
    )
    return cond(inside, rowRead(inShape, minus(column, constant(lo[k]!))), constant(value))
  },
}

// a broadcast reads one element, a row repeated along the leading axes (x[column]), or a column
// repeated along the last axis (x[row]): a cotangent broadcast back by a sum's or a
// broadcast's derivative is then read by the loop that uses it instead of written out whole
const broadcastTo: Lowering<ShapeParams> = {
  kind: 'read',
  at: ({ shape }, inShape) => {
    const r = shape.length
    if (r === 0) return undefined
    if (sizeOf(inShape) === 1) return read(constant(0))
    const offset = r - inShape.length
    const dim = (ax: number): number => (ax >= offset ? inShape[ax - offset]! : 1)
    let leadingOnes = true
    let leadingWhole = true
    for (let ax = 0; ax < r - 1; ax++) {
      if (dim(ax) !== 1) leadingOnes = false
      if (dim(ax) !== shape[ax]) leadingWhole = false
    }
    if (leadingOnes && dim(r - 1) === shape[r - 1]) return read(column)
    if (leadingWhole && dim(r - 1) === 1) return read(row)
    return undefined
  },
}

const zero = constant(0)

/** The lowerings, by primitive: exactly the arithmetic of each scalar kernel. */
export const lowerings: { readonly [N in PrimitiveName]?: Lowering<never> } = {
  add: binop(plus),
  sub: binop(minus),
  mul: binop(times),
  div: binop(over),
  // a product that annihilates zeros, as the kernel: 0 · ∞ is 0
  safeMul: binop((a, b) =>
    cond(or(compare('===', a, zero), compare('===', b, zero)), zero, times(a, b)),
  ),
  neg: unop(neg),
  square: unop((x) => times(x, x)),
  fmod: binop(rem),
  exp: unop((x) => call('exp', x)),
  exp2: unop((x) => power(constant(2), x)),
  log: unop((x) => call('log', x)),
  log2: unop((x) => call('log2', x)),
  log10: unop((x) => call('log10', x)),
  sqrt: unop((x) => call('sqrt', x)),
  cbrt: unop((x) => call('cbrt', x)),
  sin: unop((x) => call('sin', x)),
  cos: unop((x) => call('cos', x)),
  tanh: unop((x) => call('tanh', x)),
  // comparisons give 1 or 0, as their kernels' +(a > b): NaN compares false
  greater: binop((a, b) => cond(compare('>', a, b), constant(1), zero)),
  greaterEqual: binop((a, b) => cond(compare('>=', a, b), constant(1), zero)),
  less: binop((a, b) => cond(compare('<', a, b), constant(1), zero)),
  lessEqual: binop((a, b) => cond(compare('<=', a, b), constant(1), zero)),
  equal: binop((a, b) => cond(compare('===', a, b), constant(1), zero)),
  notEqual: binop((a, b) => cond(compare('===', a, b), zero, constant(1))),
  // a where the condition is nonzero (NaN included), b where it is ±0: the kernel's c !== 0
  where: { kind: 'elementwise', expr: cond(compare('===', arg(0), zero), arg(2), arg(1)) },
  slice,
  pad,
  broadcastTo,
}

// ---- operands known when the loop is generated ------------------------------------------------

/** `safeMul` with operand `b` unknown and the other one the constant `c` (kernel: `c·b`). */
const safeMulBy = (c: number, b: ScalarExpr): ScalarExpr => {
  // (the product is commutative in IEEE arithmetic: c·b and b·c are one number)
  if (c === 0) return zero
  const plusZero = plus(b, zero) // b, with −0 made +0; NaN and ±∞ pass
  if (c === 1) return plusZero
  // |c| ≥ 1: c·b is 0 only where b is, so + 0 makes exactly that zero +0
  if (Math.abs(c) >= 1 && Number.isFinite(c)) return plus(times(constant(c), b), zero)
  // 0 < c < 1: c·(±0) would keep the sign, c·(+0) is +0; an underflow keeps its sign
  if (c > 0 && c < 1) return times(constant(c), plusZero)
  return cond(compare('===', b, zero), zero, times(constant(c), b))
}

/**
 * The elementwise lowering of `p` with some operands known — `known[i]` is operand i's value at
 * every element (a number constant, or a constant tensor of one value), undefined if not known —
 * simplified where that is exact for every value of the other operands, ±0, ±∞ and NaN included:
 * `safeMul` by a constant needs at most the other operand's zero test and mostly none (a branch
 * per element; W1's gradient has three: bench/NOTES.md §18), `mul` and `div` by 1 are the other
 * operand. Undefined when nothing simplifies (use the lowering as it is).
 */
export const specialized = (
  p: Primitive,
  known: readonly (number | undefined)[],
): ScalarExpr | undefined => {
  const l = loweringOf(p)
  if (l?.kind !== 'elementwise' || known.length !== 2) return undefined
  const [a, b] = known
  switch (p.name) {
    case 'safeMul':
      if (a !== undefined) return safeMulBy(a, b === undefined ? arg(1) : constant(b))
      return b === undefined ? undefined : safeMulBy(b, arg(0))
    // 1·x is x to the bit (−0 and NaN too), and so is x / 1
    case 'mul':
      if (a === 1) return arg(1)
      return b === 1 ? arg(0) : undefined
    case 'div':
      return b === 1 ? arg(0) : undefined
    default:
      return undefined
  }
}

/**
 * The lowering of `p`: its table entry, by name, if `p` is the registry's record of that name
 * (another record of the same name, a test's, say, computes something else).
 */
export const loweringOf = (p: Primitive): Lowering<unknown> | undefined => {
  if (!Object.hasOwn(lowerings, p.name)) return undefined
  const name = p.name as PrimitiveName
  return primitives[name] === p ? (lowerings[name] as Lowering<unknown> | undefined) : undefined
}

/** The read in place of `p` on an input of shape `inShape`, if it is one for these params. */
export const readOf = (p: Primitive, params: unknown, inShape: Shape): ScalarExpr | undefined => {
  const l = loweringOf(p)
  return l?.kind === 'read' ? l.at(params, inShape) : undefined
}
