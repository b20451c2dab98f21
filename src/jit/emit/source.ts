/**
 * Lowered scalar expressions (src/jit/lower.ts) as JS source, the only translation of
 * lowerings to text. Every operation is parenthesized, so the source computes the tree as
 * written: the same operations in the same order, hence the same bits as the scalar kernel.
 * @module
 */
import type { ScalarExpr } from '../lower.ts'

/** What the leaves of an expression are named in the generated code. */
export interface SourceNames {
  /** The operands' values, by index. */
  readonly args: readonly string[]
  /** The input's data array, for reads in place. */
  readonly data?: string
  readonly row?: string
  readonly column?: string
}

/** A number as a JS literal: −0, ±∞ and NaN included. */
const literal = (v: number): string => {
  if (Object.is(v, -0)) return '(-0)'
  if (Number.isNaN(v)) return '(0 / 0)'
  if (v === Number.POSITIVE_INFINITY) return '(1 / 0)'
  if (v === Number.NEGATIVE_INFINITY) return '(-1 / 0)'
  return v < 0 ? `(${v})` : String(v)
}

/** `e` as a JS expression. */
export function toSource(e: ScalarExpr, names: SourceNames): string {
  const go = (x: ScalarExpr): string => toSource(x, names)
  switch (e.kind) {
    case 'const':
      return literal(e.value)
    case 'arg':
      return names.args[e.index]!
    case 'loop':
      return (e.axis === 'row' ? names.row : names.column)!
    case 'call':
      return `Math.${e.fn}(${e.args.map(go).join(', ')})`
    case 'binary':
    case 'compare':
      return `(${go(e.a)} ${e.op} ${go(e.b)})`
    case 'neg':
      return `(-${go(e.x)})`
    case 'or':
      return `(${go(e.a)} || ${go(e.b)})`
    case 'and':
      return `(${go(e.a)} && ${go(e.b)})`
    case 'cond':
      return `(${go(e.test)} ? ${go(e.then)} : ${go(e.else)})`
    case 'read':
      return `${names.data!}[${go(e.index)}]`
  }
}
