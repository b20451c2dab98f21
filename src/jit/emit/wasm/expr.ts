/**
 * Lowered scalar expressions (src/jit/lower.ts) as WebAssembly code, in two forms: over two
 * neighbouring columns at once (f64x2 lanes; booleans are lane masks) and over one element
 * (f64; booleans are i32). Only what is exact in both forms is translated — constants,
 * operands, the loop indices, + − × ÷, negation, √, comparisons, and/or, conditionals and reads
 * in place at an affine index — and `Math`'s functions as calls of the JS functions themselves,
 * imported by the module. IEEE-754 gives the operations one result in wasm and in JS (the JS
 * loop's bits, NaN payloads aside), and the calls are JS's, so a chain translated here computes
 * what its JS loop computes. Anything else (%, **) throws `Untranslatable`, and the chain stays
 * JS.
 * @module
 */
import type { MathFunction, ScalarExpr } from '../../lower.ts'
import { type Asm, Op, RESULT_F64, Simd } from './asm.ts'

/** Thrown for what has no exact translation: the chain keeps its JS loop. */
export class Untranslatable extends Error {}

/** What names an expression's leaves in the code being emitted. */
export interface ExprContext {
  /** Two lanes (columns j, j + 1) or one element. */
  readonly vector: boolean
  /** The local holding each operand's value (v128 or f64, by the form). */
  readonly args: readonly number[]
  /** The i32 locals of the row and the column. */
  readonly row: number
  readonly column: number
  /**
   * The index of the imported function `Math.<fn>` (the module imports it), and a v128 local
   * to hold a call's operand while each lane is computed; without them a call is untranslatable.
   */
  readonly imported?: (fn: MathFunction) => number
  readonly scratch?: number
  /** Emits the read in place at `index` (an f64x2 or f64 on the stack). */
  readonly read?: (index: ScalarExpr) => void
  /**
   * Vector form: records that the SIMD range lies inside `[from, to)`, the columns where a test
   * of the column alone holds (see `columnRange`), so the test is emitted as true.
   */
  readonly within?: (from: number, to: number) => void
}

/**
 * The columns `[from, to)` where a comparison of the column with a constant holds (a pad's
 * bounds test), if it is one: the SIMD range is restricted to them, where the test is true, and
 * the elements outside are computed one at a time with the test as written. Without this, the
 * vector form would compute the column, both sides and a select per lane pair.
 */
export const columnRange = (e: ScalarExpr): { from: number; to: number } | undefined => {
  if (e.kind !== 'compare' || e.op === '===') return undefined
  const a = affineOf(e.a)
  const b = affineOf(e.b)
  if (a === undefined || b === undefined || a.row !== 0 || b.row !== 0) return undefined
  // the test is k·j + c op 0
  const k = a.column - b.column
  const c = a.constant - b.constant
  const all = { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY }
  if (k === 0) {
    const holds = e.op === '<' ? c < 0 : e.op === '<=' ? c <= 0 : e.op === '>' ? c > 0 : c >= 0
    return holds ? all : { from: 0, to: 0 }
  }
  if (k !== 1 && k !== -1) return undefined
  // j op' t, with t = −c/k and op' the operator flipped for k = −1
  const t = -c * k
  const op = k === 1 ? e.op : ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const)[e.op]
  if (op === '>=') return { ...all, from: t }
  if (op === '>') return { ...all, from: t + 1 }
  if (op === '<') return { ...all, to: t }
  return { ...all, to: t + 1 }
}

/** Whether test `e` holds in the SIMD range by `columnRange` (recording the range), vector form. */
const holdsInRange = (e: ScalarExpr, cx: ExprContext): boolean => {
  if (!cx.vector || cx.within === undefined) return false
  if (e.kind === 'and') {
    // (a test of both, recorded only when both fold)
    if (!isColumnTest(e.a) || !isColumnTest(e.b)) return false
    return holdsInRange(e.a, cx) && holdsInRange(e.b, cx)
  }
  const range = columnRange(e)
  if (range === undefined) return false
  cx.within(range.from, range.to)
  return true
}
const isColumnTest = (e: ScalarExpr): boolean =>
  e.kind === 'and' ? isColumnTest(e.a) && isColumnTest(e.b) : columnRange(e) !== undefined

type Kind = 'number' | 'boolean'

const ALL_ONES = new Uint8Array(16).fill(0xff)

const vectorBinary = {
  '+': Simd.f64x2Add,
  '-': Simd.f64x2Sub,
  '*': Simd.f64x2Mul,
  '/': Simd.f64x2Div,
}
const scalarBinary = { '+': Op.f64Add, '-': Op.f64Sub, '*': Op.f64Mul, '/': Op.f64Div }
const vectorCompare = {
  '===': Simd.f64x2Eq,
  '<': Simd.f64x2Lt,
  '<=': Simd.f64x2Le,
  '>': Simd.f64x2Gt,
  '>=': Simd.f64x2Ge,
}
const scalarCompare = {
  '===': Op.f64Eq,
  '<': Op.f64Lt,
  '<=': Op.f64Le,
  '>': Op.f64Gt,
  '>=': Op.f64Ge,
}

/** Emits `e`; returns whether it left a number or a boolean (mask) on the stack. */
export function emitExpr(a: Asm, e: ScalarExpr, cx: ExprContext): Kind {
  const number = (x: ScalarExpr): void => {
    if (emitExpr(a, x, cx) !== 'number') throw new Untranslatable('a boolean used as a number')
  }
  const boolean = (x: ScalarExpr): void => {
    if (emitExpr(a, x, cx) !== 'boolean') throw new Untranslatable('a number used as a boolean')
  }
  const v = cx.vector
  switch (e.kind) {
    case 'const':
      if (v) a.f64x2c(e.value)
      else a.f64c(e.value)
      return 'number'
    case 'arg':
      a.get(cx.args[e.index]!)
      return 'number'
    case 'loop': {
      a.get(e.axis === 'row' ? cx.row : cx.column).op(Op.f64ConvertI32S)
      if (!v) return 'number'
      a.simd(Simd.f64x2Splat)
      // lanes j, j + 1 (the row is one number across both)
      if (e.axis === 'column') a.simd(Simd.const).f64(0).f64(1).simd(Simd.f64x2Add)
      return 'number'
    }
    case 'binary': {
      if (!(e.op in scalarBinary)) throw new Untranslatable(`operator ${e.op}`)
      const op = e.op as keyof typeof scalarBinary
      number(e.a)
      number(e.b)
      if (v) a.simd(vectorBinary[op])
      else a.op(scalarBinary[op])
      return 'number'
    }
    case 'neg':
      number(e.x)
      if (v) a.simd(Simd.f64x2Neg)
      else a.op(Op.f64Neg)
      return 'number'
    case 'call': {
      if (e.args.length !== 1) throw new Untranslatable(`Math.${e.fn}`)
      if (e.fn === 'sqrt') {
        number(e.args[0]!)
        if (v) a.simd(Simd.f64x2Sqrt)
        else a.op(Op.f64Sqrt)
        return 'number'
      }
      // the JS loop's Math function itself, imported: the same bits, one call per element
      if (cx.imported === undefined || cx.scratch === undefined) {
        throw new Untranslatable(`Math.${e.fn}`)
      }
      const fn = cx.imported(e.fn)
      number(e.args[0]!)
      if (!v) {
        a.op(Op.call).u32(fn)
        return 'number'
      }
      // lane by lane: (the operand is evaluated whole first, so a call inside it is done)
      const t = cx.scratch
      a.set(t).get(t).simd(Simd.f64x2ExtractLane).byte(0).op(Op.call).u32(fn)
      a.simd(Simd.f64x2Splat)
      a.get(t).simd(Simd.f64x2ExtractLane).byte(1).op(Op.call).u32(fn)
      a.simd(Simd.f64x2ReplaceLane).byte(1)
      return 'number'
    }
    case 'compare':
      if (holdsInRange(e, cx)) {
        a.simd(Simd.const).bytes(ALL_ONES) // true in both lanes
        return 'boolean'
      }
      number(e.a)
      number(e.b)
      if (v) a.simd(vectorCompare[e.op])
      else a.op(scalarCompare[e.op])
      return 'boolean'
    case 'and':
    case 'or':
      // both sides evaluated: tests are comparisons, without effects or traps
      boolean(e.a)
      boolean(e.b)
      if (v) a.simd(e.kind === 'and' ? Simd.and : Simd.or)
      else a.op(e.kind === 'and' ? Op.i32And : Op.i32Or)
      return 'boolean'
    case 'cond':
      if (holdsInRange(e.test, cx)) {
        number(e.then)
        return 'number'
      }
      if (v) {
        // both sides, then the lanes chosen by the mask (reads are in bounds in the SIMD range)
        number(e.then)
        number(e.else)
        boolean(e.test)
        a.simd(Simd.bitselect)
      } else {
        // a branch: the side not taken may read out of bounds (a pad's edge)
        boolean(e.test)
        a.open(Op.if, RESULT_F64)
        number(e.then)
        a.byte(Op.else)
        number(e.else)
        a.end()
      }
      return 'number'
    case 'read':
      if (cx.read === undefined) throw new Untranslatable('a read outside a read in place')
      cx.read(e.index)
      return 'number'
  }
}

/** An index `row·r + column·j + constant` of integers. */
export interface Affine {
  readonly row: number
  readonly column: number
  readonly constant: number
}

/** `e` as an affine function of the loop indices, if it is one (with integer coefficients). */
export const affineOf = (e: ScalarExpr): Affine | undefined => {
  const sum = (x: Affine, y: Affine, s: number): Affine => ({
    row: x.row + s * y.row,
    column: x.column + s * y.column,
    constant: x.constant + s * y.constant,
  })
  const scale = (x: Affine, c: number): Affine => ({
    row: c * x.row,
    column: c * x.column,
    constant: c * x.constant,
  })
  const go = (x: ScalarExpr): Affine | undefined => {
    switch (x.kind) {
      case 'const':
        return Number.isInteger(x.value) ? { row: 0, column: 0, constant: x.value } : undefined
      case 'loop':
        return x.axis === 'row'
          ? { row: 1, column: 0, constant: 0 }
          : { row: 0, column: 1, constant: 0 }
      case 'neg': {
        const y = go(x.x)
        return y === undefined ? undefined : scale(y, -1)
      }
      case 'binary': {
        const p = go(x.a)
        const q = go(x.b)
        if (p === undefined || q === undefined) return undefined
        if (x.op === '+') return sum(p, q, 1)
        if (x.op === '-') return sum(p, q, -1)
        if (x.op !== '*') return undefined
        // a product is affine when one side is a constant
        if (p.row === 0 && p.column === 0) return scale(q, p.constant)
        if (q.row === 0 && q.column === 0) return scale(p, q.constant)
        return undefined
      }
      default:
        return undefined
    }
  }
  return go(e)
}
