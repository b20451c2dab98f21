/**
 * How a fused loop reads its operands: element by element, as one number, as a block repeated
 * along leading axes, or in place by a primitive's read lowering (a slice or pad of a vector).
 * @module
 */

import type { Primitive } from '../../core/primitive.ts'
import { shapesEqual, sizeOf } from '../../tensor/shape.ts'
import type { VarInfo } from '../ir.ts'
import { readOf } from '../lower.ts'

/** How a fused loop reads an operand: every element, one value, or a repeated trailing block. */
export type Access = { kind: 'full' } | { kind: 'scalar' } | { kind: 'suffix'; size: number }

export const SCALAR: Access = { kind: 'scalar' }
const FULL: Access = { kind: 'full' }

/** How an operand of shape `v` is read in a loop over `out`, or undefined if it cannot be. */
export const accessOf = (v: VarInfo, out: VarInfo): Access | undefined => {
  if (v.number || sizeOf(v.shape) === 1) return SCALAR
  if (shapesEqual(v.shape, out.shape)) return FULL
  // a block repeated along leading axes: [m] or [1, m] read against [k, m]
  let first = 0
  while (first < v.shape.length && v.shape[first] === 1) first++
  const tail = v.shape.slice(first)
  const offset = out.shape.length - tail.length
  if (offset <= 0) return undefined
  for (let i = 0; i < tail.length; i++) if (tail[i] !== out.shape[offset + i]) return undefined
  return { kind: 'suffix', size: sizeOf(tail) }
}

/**
 * Whether an application of `p` to `arity` operands, the first of kind `x`, reads its tensor
 * input in place (a vector slice or pad): see `Lowering`.
 */
export const isMappedRead = (
  p: Primitive,
  params: unknown,
  arity: number,
  x: VarInfo | undefined,
): boolean =>
  arity === 1 && x !== undefined && !x.number && readOf(p, params, x.shape) !== undefined
