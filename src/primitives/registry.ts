/**
 * The registry: every primitive, by name, in one exhaustively typed object. A name added to
 * `primitiveNames` without a record (or a record without its rules and domain) fails `tsc`, and
 * the law suites iterate over this object, so every primitive is checked by every law that
 * applies to it.
 * @module
 */
import type { Primitive } from '../core/primitive.ts'
import { atan2P, divP, maximumP, minimumP, mulP, negP, powP, subP } from './arithmetic.ts'
import {
  equalP,
  greaterEqualP,
  greaterP,
  lessEqualP,
  lessP,
  notEqualP,
  stopGradientP,
  whereP,
} from './comparison.ts'
import { concatP } from './concat.ts'
import {
  absP,
  erfP,
  expm1P,
  expP,
  log1pP,
  logisticP,
  logP,
  signP,
  softplusP,
  sqrtP,
  squareP,
} from './elementwise.ts'
import { addP, broadcastToP, reshapeP, safeMulP, sumP } from './families.ts'
import { eighP } from './linalg/eigh.ts'
import { pinvP } from './linalg/lstsq.ts'
import { matmulP } from './linalg/matmul.ts'
import { qrP } from './linalg/qr.ts'
import { svdP } from './linalg/svd.ts'
import { maxP } from './reduction.ts'
import { castP, padP, sliceP, transposeP } from './structural.ts'
import { acosP, asinP, atanP, coshP, cosP, sinhP, sinP, tanhP, tanP } from './trigonometric.ts'

/** Every primitive's name: the closed set that all other ops are composed from. */
export const primitiveNames = [
  'add',
  'sub',
  'mul',
  'div',
  'neg',
  'pow',
  'safeMul',
  'maximum',
  'minimum',
  'atan2',
  'exp',
  'log',
  'log1p',
  'expm1',
  'sqrt',
  'square',
  'abs',
  'sign',
  'logistic',
  'softplus',
  'erf',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'sinh',
  'cosh',
  'tanh',
  'less',
  'lessEqual',
  'greater',
  'greaterEqual',
  'equal',
  'notEqual',
  'where',
  'stopGradient',
  'sum',
  'max',
  'reshape',
  'transpose',
  'broadcastTo',
  'slice',
  'pad',
  'concat',
  'cast',
  'matmul',
  'qr',
  'eigh',
  'svd',
  'pinv',
] as const

/** A primitive's name. */
export type PrimitiveName = (typeof primitiveNames)[number]

/** The registry: name → record. */
export const primitives: { readonly [N in PrimitiveName]: Primitive } = {
  add: addP,
  sub: subP,
  mul: mulP,
  div: divP,
  neg: negP,
  pow: powP,
  safeMul: safeMulP,
  maximum: maximumP,
  minimum: minimumP,
  atan2: atan2P,
  exp: expP,
  log: logP,
  log1p: log1pP,
  expm1: expm1P,
  sqrt: sqrtP,
  square: squareP,
  abs: absP,
  sign: signP,
  logistic: logisticP,
  softplus: softplusP,
  erf: erfP,
  sin: sinP,
  cos: cosP,
  tan: tanP,
  asin: asinP,
  acos: acosP,
  atan: atanP,
  sinh: sinhP,
  cosh: coshP,
  tanh: tanhP,
  less: lessP,
  lessEqual: lessEqualP,
  greater: greaterP,
  greaterEqual: greaterEqualP,
  equal: equalP,
  notEqual: notEqualP,
  where: whereP,
  stopGradient: stopGradientP,
  sum: sumP as Primitive,
  max: maxP as Primitive,
  reshape: reshapeP as Primitive,
  transpose: transposeP as Primitive,
  broadcastTo: broadcastToP as Primitive,
  slice: sliceP as Primitive,
  pad: padP as Primitive,
  concat: concatP as Primitive,
  cast: castP as Primitive,
  matmul: matmulP as Primitive,
  qr: qrP as Primitive,
  eigh: eighP as Primitive,
  svd: svdP as Primitive,
  pinv: pinvP as Primitive,
}
