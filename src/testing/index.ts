/**
 * `fluxion/testing`: the verification kit fluxion proves itself with, for your own functions
 * and custom rules. `checkGrads` (JAX's `check_grads`), `checkJvp` and `checkVjp` check
 * derivatives against finite differences and each other; the law predicates state what every
 * derivative must satisfy, as `Equation`s to `holds`/`explain`/`assertHolds`; the arbitraries
 * feed them from fast-check, a peer dependency of this entry point only.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, jvp-linearity, vjp-linearity, chain-rule,
 * grad-jvp-agreement, grad-jacrev-jacfwd, hessian-symmetry, hessian-agreement, hvp-fd,
 * transpose-involution, unbroadcast, tree-roundtrip, perturbation-confusion, zero-derivative,
 * ring-associativity, ring-commutativity, ring-distributivity, ring-identity, ring-inverse,
 * ring-annihilation.
 * @module
 */

export {
  approxEqual,
  describeDifference,
  exact,
  formatTree,
  type Numeric,
  shapeOfNumeric,
  type Tolerance,
  valuesOf,
} from './approx.ts'
export {
  broadcastablePair,
  broadcastableTensors,
  dualNumber,
  dyadic,
  positive,
  real,
  type Shape,
  type ShapeOptions,
  shape,
  type TreeOptions,
  tensorOf,
  tree,
  treeLike,
  unitInterval,
} from './arbitraries.ts'
export {
  type CheckOptions,
  checkDefaults,
  checkGrads,
  checkJvp,
  checkVjp,
} from './check.ts'
export { type GradientCheckDetails, GradientCheckError } from './errors.ts'
export type { Like } from './flat.ts'
export {
  assertHolds,
  type Equation,
  explain,
  holds,
  type LawName,
  lawNames,
  type Mode,
  scaleAtol,
} from './law.ts'
export {
  chainRule,
  compositionTolerance,
  gradJacrevJacfwd,
  gradJvpAgreement,
} from './laws/composition.ts'
export {
  type FdSettings,
  fdAgreement,
  fdExact,
  fdFloat32,
  fdOrder1,
  fdOrder2,
  type HvpFdSettings,
  hvpFd,
  hvpFdDefaults,
} from './laws/finite-difference.ts'
export { hessianAgreement, hessianSymmetry, hessianTolerance } from './laws/hessian.ts'
export {
  jvpLinearity,
  linearTolerance,
  transposeInvolution,
  vjpJvpAdjoint,
  vjpLinearity,
  zeroDerivative,
} from './laws/linear-maps.ts'
export {
  type RingLaw,
  ringAnnihilation,
  ringAssociativity,
  ringCommutativity,
  ringDistributivity,
  ringIdentity,
  ringInverse,
  ringLaws,
} from './laws/ring.ts'
export {
  perturbationConfusion,
  structureDifference,
  treeRoundtrip,
  unbroadcast,
  unbroadcastTolerance,
} from './laws/structure.ts'
export { show } from './program-text.ts'
export {
  type NodeParams,
  type OutputTerm,
  type Program,
  type ProgramCase,
  type ProgramCaseOptions,
  type ProgramNode,
  type ProgramOp,
  type ProgramOptions,
  type ProgramShape,
  program,
  programCase,
  programOps,
  run,
} from './programs.ts'
