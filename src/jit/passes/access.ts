/**
 * How a fused loop reads its operands: element by element, as one number, as a block repeated
 * along leading axes, broadcast along any axes (by a table of row offsets), or in place by a
 * primitive's read lowering (a slice or pad of a vector).
 * @module
 */

import type { Primitive } from '../../core/primitive.ts'
import { type Shape, shapesEqual, sizeOf } from '../../tensor/shape.ts'
import type { VarInfo } from '../ir.ts'
import { loweringOf, readOf } from '../lower.ts'

/**
 * How a fused loop reads an operand: every element, one value, a repeated trailing block (by
 * column when it is one row, else by row offsets as `rows`: src/jit/emit/loop.ts), or
 * broadcast along other axes — `rows`: the loop's row r (every axis but the last) starts at
 * `rowOffsets(…)[r]`, and its column j adds `j · columnStride` (0 where the last axis is
 * broadcast), as `[n, 1, k]` read against `[n, m, k]` (batched Jacobians).
 */
export type Access =
  | { kind: 'full' }
  | { kind: 'scalar' }
  | { kind: 'suffix'; size: number }
  | { kind: 'rows'; columnStride: 0 | 1 }

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
  let suffix = offset > 0
  for (let i = 0; i < tail.length && suffix; i++)
    if (tail[i] !== out.shape[offset + i]) suffix = false
  if (suffix) return { kind: 'suffix', size: sizeOf(tail) }
  return broadcastAccess(v.shape, out.shape)
}

/** `rows` access of `shape` broadcast to `outShape`, or undefined if it does not broadcast. */
const broadcastAccess = (shape: Shape, outShape: Shape): Access | undefined => {
  const lead = outShape.length - shape.length
  if (lead < 0 || outShape.length === 0) return undefined
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!
    if (d !== 1 && d !== outShape[lead + i]) return undefined
  }
  return { kind: 'rows', columnStride: shape[shape.length - 1] === 1 ? 0 : 1 }
}

/**
 * Where each row of a loop over `outShape` (every axis but the last, row-major) starts in an
 * operand of `shape` broadcast to it: Σ index·stride over the row's axes, stride 0 along the
 * broadcast ones. One int per row, made when the loop is generated.
 */
export const rowOffsets = (shape: Shape, outShape: Shape): Int32Array => {
  const rank = outShape.length
  const lead = rank - shape.length
  // the operand's strides, aligned to the output's axes (0 where broadcast or absent)
  const strides = new Array<number>(rank).fill(0)
  for (let i = shape.length - 1, s = 1; i >= 0; i--) {
    if (shape[i] !== 1) strides[lead + i] = s
    s *= shape[i]!
  }
  let rows = 1
  for (let a = 0; a < rank - 1; a++) rows *= outShape[a]!
  const offsets = new Int32Array(rows)
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0)
  for (let r = 0, at = 0; r < rows; r++) {
    offsets[r] = at
    // the odometer over the row axes, last fastest
    for (let a = rank - 2; a >= 0; a--) {
      at += strides[a]!
      if (++index[a]! < outShape[a]!) break
      at -= strides[a]! * index[a]!
      index[a] = 0
    }
  }
  return offsets
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

/**
 * Whether `p` on `arity` operands computes each element from its operands' elements alone: a
 * unary or binary scalar kernel, or (in a loop over tensors only: the plain-number
 * interpreter runs one- and two-operand instructions) `where`'s elementwise lowering.
 */
export const isElementwise = (p: Primitive, arity: number, tensor: boolean): boolean =>
  (arity === 1 && p.scalar1 !== undefined) ||
  (arity === 2 && p.scalar2 !== undefined) ||
  (arity === 3 && tensor && loweringOf(p)?.kind === 'elementwise')
