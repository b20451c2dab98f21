/**
 * Plain-JS references for the linear-algebra benchmarks: what a careful programmer writes by
 * hand over `Float64Array`s, row-major. They validate fluxion's results and are the floor its
 * timings are compared with (issue #13 §5):
 *
 * - LU with partial pivoting, blocked right-looking (panels of 32 columns, the trailing update
 *   as an i-k-j product over contiguous rows), and the two triangular substitutions;
 * - Cholesky–Banachiewicz: each entry one dot product of two contiguous rows of L;
 * - the symmetric eigenproblem by Householder tridiagonalization and implicit QL with Wilkinson
 *   shifts (the classical two-phase method, O(n³) with small constants). fluxion's `eigh`
 *   kernel runs a port of this routine, checks its result and falls back to Jacobi, so the
 *   suite checks its eigenvectors by their residual ‖A·v − λ·v‖, not against these.
 */

/** A well-conditioned n×n matrix: deterministic entries in [−1, 1] plus n on the diagonal. */
export const wellConditioned = (n: number, phase = 0.3): Float64Array => {
  const a = new Float64Array(n * n)
  for (let i = 0; i < n * n; i++) a[i] = Math.sin(i * 0.7 + phase)
  for (let i = 0; i < n; i++) a[i * n + i]! += n
  return a
}

/** A symmetric positive-definite n×n matrix: M + Mᵀ of `wellConditioned` (diagonal 2n). */
export const spd = (n: number): Float64Array => {
  const m = wellConditioned(n)
  const a = new Float64Array(n * n)
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) a[i * n + j] = m[i * n + j]! + m[j * n + i]!
  return a
}

/** LU factors packed in one array (unit L below the diagonal), the row order and det's sign. */
export interface Lu {
  readonly lu: Float64Array
  readonly perm: Int32Array
  readonly sign: number
}

const block = 32

/** Blocked LU with partial pivoting of the n×n matrix `a` (not modified). */
export const luPlain = (a: Float64Array, n: number): Lu => {
  const lu = a.slice()
  const perm = new Int32Array(n)
  for (let i = 0; i < n; i++) perm[i] = i
  let sign = 1
  for (let k0 = 0; k0 < n; k0 += block) {
    const k1 = Math.min(k0 + block, n)
    // the panel: columns k0..k1 of rows k0..n, unblocked, swapping whole rows
    for (let k = k0; k < k1; k++) {
      let p = k
      for (let i = k + 1; i < n; i++) if (Math.abs(lu[i * n + k]!) > Math.abs(lu[p * n + k]!)) p = i
      if (p !== k) {
        for (let j = 0; j < n; j++) {
          const t = lu[k * n + j]!
          lu[k * n + j] = lu[p * n + j]!
          lu[p * n + j] = t
        }
        const t = perm[k]!
        perm[k] = perm[p]!
        perm[p] = t
        sign = -sign
      }
      const pivot = lu[k * n + k]!
      if (pivot === 0) throw new Error('luPlain: singular matrix')
      for (let i = k + 1; i < n; i++) {
        lu[i * n + k]! /= pivot
        const l = lu[i * n + k]!
        for (let j = k + 1; j < k1; j++) lu[i * n + j]! -= l * lu[k * n + j]!
      }
    }
    // U₁₂ = L₁₁⁻¹ A₁₂ within the panel's rows
    for (let k = k0; k < k1; k++) {
      for (let i = k + 1; i < k1; i++) {
        const l = lu[i * n + k]!
        for (let j = k1; j < n; j++) lu[i * n + j]! -= l * lu[k * n + j]!
      }
    }
    // the trailing update A₂₂ −= L₂₁ U₁₂, one row at a time: the panel's rows of U stay in cache
    for (let i = k1; i < n; i++) {
      for (let k = k0; k < k1; k++) {
        const l = lu[i * n + k]!
        if (l === 0) continue
        for (let j = k1; j < n; j++) lu[i * n + j]! -= l * lu[k * n + j]!
      }
    }
  }
  return { lu, perm, sign }
}

/** x with A x = b, from A's LU factors. */
export const luSolvePlain = ({ lu, perm }: Lu, b: Float64Array, n: number): Float64Array => {
  const x = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = b[perm[i]!]!
    for (let k = 0; k < i; k++) s -= lu[i * n + k]! * x[k]!
    x[i] = s
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!
    for (let k = i + 1; k < n; k++) s -= lu[i * n + k]! * x[k]!
    x[i] = s / lu[i * n + i]!
  }
  return x
}

/** log|det A| from the LU factors. */
export const logAbsDetPlain = ({ lu }: Lu, n: number): number => {
  let s = 0
  for (let i = 0; i < n; i++) s += Math.log(Math.abs(lu[i * n + i]!))
  return s
}

/** A⁻ᵀ, the gradient of log|det A|: column j of A⁻¹ solves A x = e_j, and becomes row j. */
export const inverseTransposePlain = (f: Lu, n: number): Float64Array => {
  const out = new Float64Array(n * n)
  const e = new Float64Array(n)
  for (let j = 0; j < n; j++) {
    e.fill(0)
    e[j] = 1
    out.set(luSolvePlain(f, e, n), j * n)
  }
  return out
}

/** Lower L with A = L Lᵀ (A symmetric positive definite; its upper triangle is not read). */
export const choleskyPlain = (a: Float64Array, n: number): Float64Array => {
  const l = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!
      if (i === j) {
        if (!(s > 0)) throw new Error('choleskyPlain: not positive definite')
        l[i * n + i] = Math.sqrt(s)
      } else l[i * n + j] = s / l[j * n + j]!
    }
  }
  return l
}

/**
 * Eigenvalues (ascending) of the symmetric n×n matrix `a`, with the eigenvectors as the
 * columns of `vectors`: Householder reduction to tridiagonal form, accumulating the
 * transformations, then implicit QL with Wilkinson shifts on the tridiagonal matrix.
 */
export const eighPlain = (
  a: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } => {
  const v = a.slice() // becomes the accumulated orthogonal transformation
  const d = new Float64Array(n)
  const e = new Float64Array(n)
  // tridiagonalization, from the last row up (each step annihilates row i left of i − 1)
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1
    let h = 0
    let scale = 0
    for (let k = 0; k <= l; k++) scale += Math.abs(v[i * n + k]!)
    if (l === 0 || scale === 0) {
      e[i] = v[i * n + l]!
    } else {
      for (let k = 0; k <= l; k++) {
        v[i * n + k]! /= scale
        h += v[i * n + k]! * v[i * n + k]!
      }
      let f = v[i * n + l]!
      const g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h)
      e[i] = scale * g
      h -= f * g
      v[i * n + l] = f - g
      f = 0
      for (let j = 0; j <= l; j++) {
        v[j * n + i] = v[i * n + j]! / h
        let s = 0
        for (let k = 0; k <= j; k++) s += v[j * n + k]! * v[i * n + k]!
        for (let k = j + 1; k <= l; k++) s += v[k * n + j]! * v[i * n + k]!
        e[j] = s / h
        f += e[j]! * v[i * n + j]!
      }
      const hh = f / (h + h)
      for (let j = 0; j <= l; j++) {
        const fj = v[i * n + j]!
        const gj = e[j]! - hh * fj
        e[j] = gj
        for (let k = 0; k <= j; k++) v[j * n + k]! -= fj * e[k]! + gj * v[i * n + k]!
      }
    }
    d[i] = h
  }
  d[0] = 0
  e[0] = 0
  // accumulate the transformations into v
  for (let i = 0; i < n; i++) {
    if (d[i] !== 0) {
      for (let j = 0; j < i; j++) {
        let s = 0
        for (let k = 0; k < i; k++) s += v[i * n + k]! * v[k * n + j]!
        for (let k = 0; k < i; k++) v[k * n + j]! -= s * v[k * n + i]!
      }
    }
    d[i] = v[i * n + i]!
    v[i * n + i] = 1
    for (let j = 0; j < i; j++) v[j * n + i] = v[i * n + j] = 0
  }
  // implicit QL on the tridiagonal (d, e)
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!
  e[n - 1] = 0
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      let m = l
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!)
        if (Math.abs(e[m]!) <= Number.EPSILON * dd) break
      }
      if (m === l) break
      if (iter === 60) throw new Error('eighPlain: no convergence')
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!)
      let r = Math.hypot(g, 1)
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r))
      let s = 1
      let c = 1
      let p = 0
      let i = m - 1
      for (; i >= l; i--) {
        let f = s * e[i]!
        const b = c * e[i]!
        r = Math.hypot(f, g)
        e[i + 1] = r
        if (r === 0) {
          d[i + 1]! -= p
          e[m] = 0
          break
        }
        s = f / r
        c = g / r
        g = d[i + 1]! - p
        r = (d[i]! - g) * s + 2 * c * b
        p = s * r
        d[i + 1] = g + p
        g = c * r - b
        for (let k = 0; k < n; k++) {
          f = v[k * n + i + 1]!
          v[k * n + i + 1] = s * v[k * n + i]! + c * f
          v[k * n + i] = c * v[k * n + i]! - s * f
        }
      }
      if (r === 0 && i >= l) continue
      d[l]! -= p
      e[l] = g
      e[m] = 0
    }
  }
  // ascending order, columns moved with their values
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i]! - d[j]!)
  const values = new Float64Array(n)
  const vectors = new Float64Array(n * n)
  order.forEach((from, to) => {
    values[to] = d[from]!
    for (let k = 0; k < n; k++) vectors[k * n + to] = v[k * n + from]!
  })
  return { values, vectors }
}
