/**
 * The registry: every primitive, by name, in one exhaustively typed object. A name added to
 * `primitiveNames` without a record (or a record without its rules and domain) fails `tsc`, and
 * the law suites iterate over this object, so every primitive is checked by every law that
 * applies to it.
 * @module
 */
import type { Primitive } from '../core/primitive.ts'
import { argExtremeP } from './arg-extreme.ts'
import { atan2P, divP, maximumP, minimumP, mulP, negP, powP, subP } from './arithmetic.ts'
import { astypeP } from './astype.ts'
import { betaincP } from './betainc.ts'
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
import { cumprodP, cumsumP } from './cumulative.ts'
import { cummaxP, logcumsumexpP } from './cumulative-max.ts'
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
import { copysignP, hypotP, logaddexp2P, logaddexpP } from './elementwise-binary.ts'
import { acoshP, asinhP, atanhP, exp2P, log2P, log10P } from './elementwise-extra.ts'
import { cbrtP, logitP, sincDerivativeP, sincP } from './elementwise-more.ts'
import { addP, broadcastToP, reshapeP, safeMulP, sumP } from './families.ts'
import { gammainccP, gammaincDerivAP, gammaincP } from './gammainc.ts'
import { scatterAddP, takeP } from './gather.ts'
import { choleskyP } from './linalg/cholesky.ts'
import { detP, slogdetP } from './linalg/det.ts'
import { eighP } from './linalg/eigh.ts'
import { pinvP } from './linalg/lstsq.ts'
import { luP } from './linalg/lu.ts'
import { matmulP } from './linalg/matmul.ts'
import { qrP } from './linalg/qr.ts'
import { solveP } from './linalg/solve.ts'
import { svdP } from './linalg/svd.ts'
import { triangularSolveP } from './linalg/triangular.ts'
import { linearRecurrenceP } from './recurrence.ts'
import { maxP } from './reduction.ts'
import { floorDivideP, fmodP, remainderP } from './remainder.ts'
import { scatterMaxP } from './scatter.ts'
import { argsortP } from './sort.ts'
import { digammaP, gammaP, lgammaP, polygammaP } from './special.ts'
import { erfcP, erfcxP, erfinvP, logNdtrP, ndtriP, ndtrP } from './special-erf.ts'
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
  'astype',
  'matmul',
  'cumsum',
  'cumprod',
  'cummax',
  'logcumsumexp',
  'linearRecurrence',
  'triangularSolve',
  'solve',
  'lu',
  'cholesky',
  'det',
  'slogdet',
  'log2',
  'log10',
  'exp2',
  'acosh',
  'asinh',
  'atanh',
  'cbrt',
  'logit',
  'sinc',
  'sincDerivative',
  'hypot',
  'logaddexp',
  'logaddexp2',
  'remainder',
  'fmod',
  'floorDivide',
  'copysign',
  'lgamma',
  'digamma',
  'polygamma',
  'gamma',
  'erfc',
  'erfcx',
  'erfinv',
  'ndtr',
  'logNdtr',
  'ndtri',
  'gammainc',
  'gammaincc',
  'gammaincDerivA',
  'take',
  'scatterAdd',
  'scatterMax',
  'argsort',
  'qr',
  'eigh',
  'svd',
  'pinv',
  'betainc',
  'argExtreme',
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
  astype: astypeP as Primitive,
  matmul: matmulP as Primitive,
  cumsum: cumsumP as Primitive,
  cumprod: cumprodP as Primitive,
  cummax: cummaxP as Primitive,
  logcumsumexp: logcumsumexpP as Primitive,
  linearRecurrence: linearRecurrenceP as Primitive,
  triangularSolve: triangularSolveP as Primitive,
  solve: solveP as Primitive,
  lu: luP as Primitive,
  cholesky: choleskyP as Primitive,
  det: detP as Primitive,
  slogdet: slogdetP as Primitive,
  log2: log2P,
  log10: log10P,
  exp2: exp2P,
  acosh: acoshP,
  asinh: asinhP,
  atanh: atanhP,
  cbrt: cbrtP,
  logit: logitP,
  sinc: sincP,
  sincDerivative: sincDerivativeP as Primitive,
  hypot: hypotP,
  logaddexp: logaddexpP,
  logaddexp2: logaddexp2P,
  remainder: remainderP,
  fmod: fmodP,
  floorDivide: floorDivideP,
  copysign: copysignP,
  lgamma: lgammaP,
  digamma: digammaP,
  polygamma: polygammaP as Primitive,
  gamma: gammaP,
  erfc: erfcP,
  erfcx: erfcxP,
  erfinv: erfinvP,
  ndtr: ndtrP,
  logNdtr: logNdtrP,
  ndtri: ndtriP,
  gammainc: gammaincP,
  gammaincc: gammainccP,
  gammaincDerivA: gammaincDerivAP as Primitive,
  take: takeP as Primitive,
  scatterAdd: scatterAddP as Primitive,
  scatterMax: scatterMaxP as Primitive,
  argsort: argsortP as Primitive,
  qr: qrP as Primitive,
  eigh: eighP as Primitive,
  svd: svdP as Primitive,
  pinv: pinvP as Primitive,
  betainc: betaincP,
  argExtreme: argExtremeP as Primitive,
}
