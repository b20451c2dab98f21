/**
 * fluxion: composable automatic differentiation for TypeScript.
 *
 * Values are numbers and `Tensor`s (float64, row-major). Ops accept both and broadcast like
 * NumPy. Transformations — `grad`, `valueAndGrad`, `jvp`, `vjp` — turn functions into
 * functions and nest without limit.
 * @module
 */

export { debugNans } from './core/debug.ts'
export * from './core/errors.ts'
export { loadParams, saveParams } from './core/params.ts'
export { saveParamsBinary } from './core/safetensors.ts'
export { loadParamsBinary } from './core/safetensors-read.ts'
export type { Tree } from './core/tree.ts'
export {
  type TreeLeaf,
  type TreeLeafOf,
  TreeStructure,
  treeFlatten,
  treeLeaves,
  treeMap,
  treeReduce,
  treeUnflatten,
} from './core/tree-util.ts'
export { value } from './core/value.ts'
export * as Dual from './instances/Dual.ts'
export type { CompileStats } from './jit/compile.ts'
export { type JitOptions, type Jitted, jit, type StagedProgram } from './jit/index.ts'
export * as linalg from './linalg/index.ts'
export {
  add,
  atan2,
  clip,
  div,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  safeMul,
  sub,
} from './primitives/arithmetic.ts'
export { astype } from './primitives/astype.ts'
export { type AtUpdate, at, gather, type Indexer } from './primitives/at.ts'
export { betainc } from './primitives/betainc.ts'
export {
  equal,
  greater,
  greaterEqual,
  less,
  lessEqual,
  notEqual,
  stopGradient,
  where,
} from './primitives/comparison.ts'
export { concat, stack } from './primitives/concat.ts'
export { cumprod, cumsum } from './primitives/cumulative.ts'
export { cummax, cummin, logcumsumexp } from './primitives/cumulative-max.ts'
export { einsum } from './primitives/einsum.ts'
export {
  abs,
  erf,
  exp,
  expm1,
  log,
  log1p,
  logistic,
  sign,
  softplus,
  sqrt,
  square,
} from './primitives/elementwise.ts'
export {
  copysign,
  heaviside,
  hypot,
  logaddexp,
  logaddexp2,
  xlog1py,
  xlogy,
} from './primitives/elementwise-binary.ts'
export {
  acosh,
  asinh,
  atanh,
  deg2rad,
  exp2,
  log2,
  log10,
  rad2deg,
} from './primitives/elementwise-extra.ts'
export { cbrt, expit, logit, sinc } from './primitives/elementwise-more.ts'
export { gammainc, gammaincc } from './primitives/gammainc.ts'
export { type Indices, take, takeAlongAxis } from './primitives/indexing.ts'
export { dot, inner, tensordot, vdot } from './primitives/linalg/contract.ts'
export { matmul, outer } from './primitives/linalg/matmul.ts'
export { oneHot, tril, triu } from './primitives/masks.ts'
export { type PadMode, type PadOptions, pad } from './primitives/pad-modes.ts'
export { ravel } from './primitives/ravel.ts'
export type { ScanOptions } from './primitives/recurrence.ts'
export {
  type LogSumExpOptions,
  logSumExp,
  max,
  mean,
  min,
  prod,
  type ReduceOptions,
  sum,
} from './primitives/reduction.ts'
export { floorDivide, fmod, mod, remainder } from './primitives/remainder.ts'
export {
  dynamicSlice,
  dynamicUpdateSlice,
  flip,
  type Starts,
  segmentMax,
  segmentSum,
} from './primitives/segment.ts'
export { moveaxis, repeat, roll, swapaxes, tile } from './primitives/shape-extra.ts'
export { type ArgsortOptions, argsort, sort, type TopK, topK } from './primitives/sort.ts'
export { beta, betaln, digamma, gamma, gammaln, lgamma, polygamma } from './primitives/special.ts'
export { erfc, erfcx, erfinv, logNdtr, ndtr, ndtri } from './primitives/special-erf.ts'
export {
  arraySplit,
  type MeshgridOptions,
  meshgrid,
  split,
} from './primitives/split-grid.ts'
export {
  all,
  any,
  argmax,
  argmin,
  countNonzero,
  std,
  type VarianceOptions,
  variance,
} from './primitives/statistics.ts'
export {
  broadcastTo,
  expandDims,
  flatten,
  index,
  reshape,
  slice,
  squeeze,
  transpose,
} from './primitives/structural.ts'
export { treeAdd, treeDot, treeNorm, treeScale, treeSub } from './primitives/tree-math.ts'
export {
  acos,
  asin,
  atan,
  cos,
  cosh,
  sin,
  sinh,
  tan,
  tanh,
} from './primitives/trigonometric.ts'
export * as stats from './stats/index.ts'
export {
  arange,
  type DtypeOptions,
  eye,
  full,
  linspace,
  logspace,
  ones,
  type SpaceOptions,
  scalar,
  tensor,
  zeros,
} from './tensor/create.ts'
export { tensorFromJSON, tensorReviver } from './tensor/from-json.ts'
export type { JsonNumber, TensorJSON } from './tensor/json.ts'
export * as random from './tensor/random.ts'
export type { Shape } from './tensor/shape.ts'
export { type DType, type Floats, type NestedArray, Tensor } from './tensor/tensor.ts'
export { foriLoop, type ScanLoopOptions, scan } from './transforms/control/scan.ts'
export { cond, switchCase } from './transforms/control/switch.ts'
export { whileLoop } from './transforms/control/while.ts'
export { checkpoint, customJvp, customVjp } from './transforms/custom.ts'
export { derivative } from './transforms/derivative.ts'
export { type FixedPointOptions, fixedPoint } from './transforms/fixed-point.ts'
export {
  type Argnums,
  type ElementwiseFn,
  type ElementwiseGrad,
  type GradOptions,
  grad,
  type IsElementwise,
  type ParamOf,
  type Scalar,
  type Selected,
  valueAndGrad,
} from './transforms/grad.ts'
export { customRoot, type LinearSolveOptions, linearSolve } from './transforms/implicit.ts'
export {
  hessian,
  hvp,
  type Jacobian,
  type JacobianOptions,
  jacfwd,
  jacrev,
} from './transforms/jacobian.ts'
export { type JvpOptions, jvp } from './transforms/jvp.ts'
export { linearize, linearizeWithAux } from './transforms/linearize.ts'
export { type Loose, type Pullback, vjp, vjpWithAux } from './transforms/vjp.ts'
export { type AxisSpec, type VmapOptions, vmap } from './transforms/vmap.ts'
