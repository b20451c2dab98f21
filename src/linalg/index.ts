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

export { type EighResult, eigh, eigvalsh } from '../primitives/linalg/eigh.ts'
export { lstsq, pinv } from '../primitives/linalg/lstsq.ts'
export { dot, matmul, outer } from '../primitives/linalg/matmul.ts'
export { cond, type NormOrder, norm } from '../primitives/linalg/norm.ts'
export { type QrResult, qr } from '../primitives/linalg/qr.ts'
export { type SvdResult, svd, svdvals } from '../primitives/linalg/svd.ts'
