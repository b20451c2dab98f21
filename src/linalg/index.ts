/**
 * fluxion/linalg: float64 linear algebra, differentiable in every mode — products, solves,
 * factorizations, determinants and norms, batched over leading axes like NumPy and JAX — and
 * implicit differentiation on top of it.
 *
 * Also reachable as the `linalg` namespace of the main entry (`import { linalg } from
 * 'fluxion'`), so one import serves a notebook-style program; the subpath keeps bundles that
 * need no linear algebra free of it.
 * @module
 */

export { einsum } from '../primitives/einsum.ts'
export { cholesky, choSolve } from '../primitives/linalg/cholesky.ts'
export { dot, inner, tensordot, vdot } from '../primitives/linalg/contract.ts'
export { det, type SlogdetResult, slogdet } from '../primitives/linalg/det.ts'
export { type EighResult, eigh, eigvalsh } from '../primitives/linalg/eigh.ts'
export { lstsq, pinv } from '../primitives/linalg/lstsq.ts'
export { type LuResult, lu } from '../primitives/linalg/lu.ts'
export { matmul, outer } from '../primitives/linalg/matmul.ts'
export {
  cross,
  type DiagonalOptions,
  diag,
  diagonal,
  kron,
  trace,
} from '../primitives/linalg/matrix-utils.ts'
export { cond, type NormOrder, norm } from '../primitives/linalg/norm.ts'
export { matrixPower } from '../primitives/linalg/power.ts'
export { type QrResult, qr } from '../primitives/linalg/qr.ts'
export { inv, solve } from '../primitives/linalg/solve.ts'
export { type SvdResult, svd, svdvals } from '../primitives/linalg/svd.ts'
export {
  type TriangularSolveOptions,
  triangularSolve,
} from '../primitives/linalg/triangular.ts'
export { type FixedPointOptions, fixedPoint } from '../transforms/fixed-point.ts'
export { customRoot, type LinearSolveOptions, linearSolve } from '../transforms/implicit.ts'
