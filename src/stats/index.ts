/**
 * fluxion/stats: log-densities, densities and distribution functions of the common
 * distributions, as `jax.scipy.stats` (camelCase, SciPy's argument order and loc/scale
 * defaults, NumPy broadcasting). Each is a composition of fluxion ops — special functions,
 * `where`, and `cholesky` for the multivariate normal — so it differentiates in its values and
 * its parameters in every mode (`grad`, `jacfwd`, `hessian`, `vmap`, `jit`).
 *
 * Conventions, the same for every distribution: outside the support logpdf/logpmf is −∞ and
 * pdf/pmf/cdf 0 (or 1 above it), with derivatives 0, not NaN; invalid parameters (a scale,
 * shape or rate out of range, a non-integer trial count) raise `InvalidArgumentError`, also
 * under `grad` and `jvp`. Under `jit` and `vmap` parameters are traced and cannot be read, so
 * there invalid ones give NaN, as in JAX.
 *
 * Also reachable as the `stats` namespace of the main entry (`import { stats } from 'fluxion'`).
 * @module
 */

export * as beta from './beta.ts'
export * as binom from './binom.ts'
export * as cauchy from './cauchy.ts'
export * as dirichlet from './dirichlet.ts'
export * as expon from './expon.ts'
export * as gamma from './gamma.ts'
export * as laplace from './laplace.ts'
export * as logistic from './logistic.ts'
export * as multivariateNormal from './multivariate-normal.ts'
export * as norm from './norm.ts'
export * as poisson from './poisson.ts'
export type {
  LocScaleFn,
  RateLocFn,
  ShapeLocScaleFn,
  TrialsLocFn,
  TwoShapeLocScaleFn,
} from './shared.ts'
export * as t from './t.ts'
