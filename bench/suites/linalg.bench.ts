/**
 * Linear algebra (issue #13 §5): fluxion's `fluxion/linalg` beside the plain-JS references of
 * `../linalg.ts` (blocked LU, Cholesky–Banachiewicz, Householder tridiagonalization + implicit
 * QL), each validated against the reference before it is timed.
 *
 * - `solve` (a vector right-hand side) and `cholesky` of n = 100 and 500 (100 in `--quick`), in
 *   GFLOP/s of the factorization's flop count (⅔n³ for LU, ⅓n³ for Cholesky). fluxion caches a
 *   matrix's LU factors with its data array, so its timed calls get a fresh copy of A each time
 *   (`fresh`); one more row solves with the same tensor again, the cached case;
 * - the gradient of log|det A| (through `slogdet`) and of det A at n = 100, each call on a fresh
 *   A: the group's baseline is fluxion's forward `slogdet`, so the ratio column of `valueAndGrad`
 *   is the gradient's cost over the forward pass. That gradient is the dense A⁻ᵀ — n solves
 *   after the factorization — so the plain rows (the LU alone, and LU + A⁻ᵀ) give the floor of
 *   that ratio (about 4 at n = 100, above the cheap-gradient 3 of functions whose gradient is
 *   not a dense inverse);
 * - `eigh` of a 100×100 symmetric matrix, eigenvalues and eigenvectors.
 *
 * No JavaScript peer has these ops in both float64 and a differentiable form (TensorFlow.js has
 * `qr` and Gram–Schmidt only; jax-js none of these), so the floor is the hand-written loop.
 */
import { grad, type Tensor, tensor, valueAndGrad } from 'fluxion'
import { cholesky, det, eigh, slogdet, solve } from 'fluxion/linalg'
import type { Group } from '../harness.ts'
import { lazy } from '../kernels.ts'
import {
  choleskyPlain,
  eighPlain,
  inverseTransposePlain,
  logAbsDetPlain,
  luPlain,
  luSolvePlain,
  spd,
  wellConditioned,
} from '../linalg.ts'
import { near } from '../rosenbrock.ts'

/**
 * A new tensor over a copy of `a` per call: fluxion caches LU factors per data array, so timing
 * the same tensor twice would time the cache (which the solve group shows separately).
 */
const fresh = (a: Float64Array, n: number): Tensor => tensor(a.slice(), [n, n])

const solveGroup = (n: number): Group => {
  const inputs = lazy(() => {
    const a = wellConditioned(n)
    const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i))
    return { a, b, at: tensor(a, [n, n]), bt: tensor(b, [n]), x: luSolvePlain(luPlain(a, n), b, n) }
  })
  const units = (2 / 3) * n ** 3
  return {
    title: `linalg solve n=${n}`,
    baseline: 'plain JS blocked LU + substitution',
    tasks: [
      {
        name: 'plain JS blocked LU + substitution',
        fn: () => luSolvePlain(luPlain(inputs().a, n), inputs().b, n),
        validate: () => {},
        units,
        unitName: 'flop',
      },
      {
        name: 'fluxion linalg.solve',
        fn: () => solve(fresh(inputs().a, n), inputs().bt),
        validate: () => near(solve(fresh(inputs().a, n), inputs().bt).data, inputs().x, 1e-10),
        units,
        unitName: 'flop',
      },
      {
        // the same tensor again: its LU factors are cached (checked against a copy of A, O(n²))
        name: 'fluxion linalg.solve, the same A again',
        fn: () => solve(inputs().at, inputs().bt),
        validate: () => near(solve(inputs().at, inputs().bt).data, inputs().x, 1e-10),
        units,
        unitName: 'flop',
      },
    ],
  }
}

const choleskyGroup = (n: number): Group => {
  const inputs = lazy(() => {
    const a = spd(n)
    return { a, at: tensor(a, [n, n]), l: choleskyPlain(a, n) }
  })
  const units = n ** 3 / 3
  return {
    title: `linalg cholesky n=${n}`,
    baseline: 'plain JS Cholesky–Banachiewicz',
    tasks: [
      {
        name: 'plain JS Cholesky–Banachiewicz',
        fn: () => choleskyPlain(inputs().a, n),
        validate: () => {},
        units,
        unitName: 'flop',
      },
      {
        name: 'fluxion linalg.cholesky',
        fn: () => cholesky(inputs().at),
        validate: () => near(cholesky(inputs().at).data, inputs().l, 1e-10),
        units,
        unitName: 'flop',
      },
    ],
  }
}

const logAbsDet = (a: Tensor): Tensor => slogdet(a).logabsdet

const detGradientGroup = (n: number): Group => {
  const inputs = lazy(() => {
    const a = wellConditioned(n)
    const f = luPlain(a, n)
    return { a, at: tensor(a, [n, n]), value: logAbsDetPlain(f, n), g: inverseTransposePlain(f, n) }
  })
  const detGrad = grad((a: Tensor) => det(a))
  return {
    title: `linalg slogdet and det gradient n=${n}`,
    baseline: 'fluxion slogdet',
    tasks: [
      {
        name: 'plain JS LU (log|det|)',
        fn: () => logAbsDetPlain(luPlain(inputs().a, n), n),
        validate: () => {},
      },
      {
        name: 'plain JS LU + A⁻ᵀ (gradient)',
        fn: () => inverseTransposePlain(luPlain(inputs().a, n), n),
        validate: () => {},
      },
      {
        name: 'fluxion slogdet',
        fn: () => logAbsDet(fresh(inputs().a, n)),
        validate: () => near([logAbsDet(fresh(inputs().a, n)).item()], [inputs().value], 1e-10),
      },
      {
        name: 'fluxion valueAndGrad(slogdet)',
        fn: () => valueAndGrad(logAbsDet)(fresh(inputs().a, n)),
        validate: () => near(valueAndGrad(logAbsDet)(inputs().at)[1].data, inputs().g, 1e-9),
      },
      {
        name: 'fluxion grad(det)',
        fn: () => detGrad(fresh(inputs().a, n)),
        validate: () => {
          // ∇det = det·A⁻ᵀ
          const d = det(inputs().at).item()
          near(
            detGrad(inputs().at).data,
            inputs().g.map((v) => v * d),
            1e-8,
          )
        },
      },
    ],
  }
}

/** max |A·v_j − λ_j·v_j| over every eigenpair: eigenvectors checked without fixing signs. */
const residual = (
  a: Float64Array,
  values: ArrayLike<number>,
  vectors: ArrayLike<number>,
  n: number,
) => {
  let r = 0
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      let s = 0
      for (let k = 0; k < n; k++) s += a[i * n + k]! * vectors[k * n + j]!
      r = Math.max(r, Math.abs(s - values[j]! * vectors[i * n + j]!))
    }
  }
  return r
}

const eighGroup = (n: number): Group => {
  const inputs = lazy(() => {
    // spd(n) has repeated eigenvalues; i/2 on the diagonal separates them (gaps ≳ 0.1)
    const a = spd(n)
    for (let i = 0; i < n; i++) a[i * n + i]! += i / 2
    return { a, at: tensor(a, [n, n]), ...eighPlain(a, n) }
  })
  return {
    title: `linalg eigh n=${n}`,
    baseline: 'plain JS tridiagonal QL',
    tasks: [
      {
        name: 'plain JS tridiagonal QL',
        fn: () => eighPlain(inputs().a, n),
        validate: () => {},
      },
      {
        name: 'fluxion linalg.eigh',
        fn: () => eigh(inputs().at),
        validate: () => {
          const { eigenvalues, eigenvectors } = eigh(inputs().at)
          near(eigenvalues.data, inputs().values, 1e-10)
          const r = residual(inputs().a, eigenvalues.data, eigenvectors.data, n)
          if (!(r < 1e-10 * n * n)) throw new Error(`eigh residual ${r}`)
        },
      },
    ],
  }
}

export const linalgGroups = (quick: boolean): Group[] => {
  const sizes = quick ? [100] : [100, 500]
  return [
    ...sizes.map(solveGroup),
    ...sizes.map(choleskyGroup),
    detGradientGroup(100),
    eighGroup(100),
  ]
}
