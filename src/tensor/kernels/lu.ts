/**
 * LU factorization with partial pivoting, P·A = L·U, of a batch of square matrices, and what is
 * computed from it: solves with A or Aᵀ, determinants, the packed factors.
 *
 * Factorizations are cached per input array (a WeakMap keyed by the `Float64Array`, so a cache
 * entry lives exactly as long as the matrix does). A derivative rule of `solve`, `det` or
 * `slogdet` solves again with the same matrix, and finds its factors here instead of paying
 * O(n³) again. An entry keeps a copy of the data it factored and is used only while the array
 * still holds exactly that data (an O(n²) check): writing into a tensor's `data` can never
 * return a stale factorization.
 * @module
 */

import { LinAlgError } from '../../core/errors.ts'
import { type Shape, sizeOf } from '../shape.ts'
import type { Floats } from '../tensor.ts'
import { matrixStarts, refuseNonFinite, solveShape, squareSize } from './matrix-batch.ts'
import { triangularSolveInPlace } from './triangular.ts'

/** P·A = L·U for each matrix of a batch. */
export interface LuFactors {
  readonly n: number
  readonly count: number
  /** Per matrix, row-major: L below the diagonal (its unit diagonal implied), U on and above. */
  readonly lu: Float64Array
  /** Per matrix: row i of P·A is row `perm[i]` of A. */
  readonly perm: Int32Array
  /** Per matrix: the permutation's sign, ±1. */
  readonly sign: Int8Array
  /** Per matrix: the first pivot that is exactly zero, or −1 when U is invertible. */
  readonly zeroPivot: Int32Array
}

/**
 * Factors `count` n × n matrices stored one after another in `a` (not modified). Right-looking
 * elimination: each pivot row is subtracted from the rows below it along contiguous memory.
 * The pivot is the entry of largest magnitude in its column, the first of equals (LAPACK's
 * choice); a zero pivot (a singular matrix) is recorded and its column left as it is.
 */
export function luFactorK(a: Floats, n: number, count: number): LuFactors {
  const lu = Float64Array.from(a.subarray(0, count * n * n))
  const perm = new Int32Array(count * n)
  const sign = new Int8Array(count)
  const zeroPivot = new Int32Array(count)
  for (let m = 0; m < count; m++) {
    const base = m * n * n
    const p0 = m * n
    for (let i = 0; i < n; i++) perm[p0 + i] = i
    let s = 1
    let zero = -1
    for (let k = 0; k < n; k++) {
      let p = k
      let best = Math.abs(lu[base + k * n + k]!)
      for (let i = k + 1; i < n; i++) {
        const v = Math.abs(lu[base + i * n + k]!)
        if (v > best) {
          best = v
          p = i
        }
      }
      if (p !== k) {
        const rk = base + k * n
        const rp = base + p * n
        for (let j = 0; j < n; j++) {
          const tmp = lu[rk + j]!
          lu[rk + j] = lu[rp + j]!
          lu[rp + j] = tmp
        }
        const tp = perm[p0 + k]!
        perm[p0 + k] = perm[p0 + p]!
        perm[p0 + p] = tp
        s = -s
      }
      const rk = base + k * n
      const pivot = lu[rk + k]!
      if (pivot === 0) {
        if (zero < 0) zero = k
        continue
      }
      for (let i = k + 1; i < n; i++) {
        const ri = base + i * n
        const l = lu[ri + k]! / pivot
        lu[ri + k] = l
        if (l === 0) continue
        for (let j = k + 1; j < n; j++) lu[ri + j] = lu[ri + j]! - l * lu[rk + j]!
      }
    }
    sign[m] = s
    zeroPivot[m] = zero
  }
  return { n, count, lu, perm, sign, zeroPivot }
}

interface CacheEntry {
  /** The data that was factored, to compare with the array's data now. */
  readonly copy: Floats
  readonly factors: LuFactors
}

const cache = new WeakMap<Floats, CacheEntry>()

/**
 * How many factorizations `luOf` has computed (cache misses): for tests that check a derivative
 * reuses the forward pass's factors. Internal; not exported from the package.
 */
export const luStats: { factorizations: number } = { factorizations: 0 }

/** Whether two arrays hold the same bits (−0 is not 0). */
const sameData = (x: Floats, y: Floats): boolean => {
  if (x.length !== y.length) return false
  for (let i = 0; i < x.length; i++) {
    const u = x[i]!
    const v = y[i]!
    if (u !== v || (u === 0 && 1 / u !== 1 / v)) return false
  }
  return true
}

/**
 * The LU factors of the matrices `[..., n, n]` in `a`, from the cache when `a` still holds
 * the data they were computed from. Throws `ShapeError` for a non-square `shape`, and
 * `LinAlgError` naming `op` for a non-finite entry.
 */
export function luOf(a: Floats, shape: Shape, op: string, shapes?: readonly Shape[]): LuFactors {
  const n = squareSize(shape, op, shapes)
  const count = sizeOf(shape.slice(0, -2))
  const hit = cache.get(a)
  if (hit !== undefined && hit.factors.n === n && sameData(hit.copy, a)) return hit.factors
  refuseNonFinite(a, op, shapes ?? [shape])
  const factors = luFactorK(a, n, count)
  luStats.factorizations++
  cache.set(a, { copy: a.slice(), factors })
  return factors
}

/**
 * Batched op(A)·X = B, A `[..., n, n]` and B `[..., n, k]` with broadcast batch axes, op the
 * identity or (with `transpose`) the transpose, through A's cached LU factors. Throws
 * `ShapeError` as `solveShape` does and `LinAlgError` naming `op` for a singular or non-finite
 * A. B's entries propagate as IEEE arithmetic does, a zero of the factors contributing nothing.
 */
export function luSolveK(
  a: Floats,
  aShape: Shape,
  b: Floats,
  bShape: Shape,
  transpose: boolean,
  op: string,
): { data: Float64Array; shape: number[] } {
  const shape = solveShape(aShape, bShape, op)
  const f = luOf(a, aShape, op, [aShape, bShape])
  for (let m = 0; m < f.count; m++) {
    const k = f.zeroPivot[m]!
    if (k >= 0) {
      throw new LinAlgError(`${op}: the matrix is singular (pivot ${k} of its LU is exactly 0)`, {
        primitive: op,
        shapes: [aShape, bShape],
        hint: 'a singular system has no unique solution: lstsq or pinv give a least-squares one',
      })
    }
  }
  const r = shape.length
  const n = shape[r - 2]!
  const k = shape[r - 1]!
  const batch = shape.slice(0, -2)
  const aStarts = matrixStarts(aShape.slice(0, -2), batch, n * n)
  const bStarts = matrixStarts(bShape.slice(0, -2), batch, n * k)
  const data = new Float64Array(sizeOf(shape))
  if (n === 0 || k === 0) return { data, shape }
  const { lu, perm } = f
  for (let m = 0; m < aStarts.length; m++) {
    const out = m * n * k
    const la = aStarts[m]!
    const p0 = (la / (n * n)) * n
    const b0 = bStarts[m]!
    if (!transpose) {
      // L·U·x = P·b: permute b's rows, then forward and back substitution
      for (let i = 0; i < n; i++) {
        data.set(b.subarray(b0 + perm[p0 + i]! * k, b0 + (perm[p0 + i]! + 1) * k), out + i * k)
      }
      triangularSolveInPlace(lu, la, n, data, out, k, true, false, true)
      triangularSolveInPlace(lu, la, n, data, out, k, false, false, false)
    } else {
      // Aᵀ = Uᵀ·Lᵀ·P: solve with Uᵀ, then Lᵀ, then undo the permutation
      const w = b.slice(b0, b0 + n * k)
      triangularSolveInPlace(lu, la, n, w, 0, k, false, true, false)
      triangularSolveInPlace(lu, la, n, w, 0, k, true, true, true)
      for (let i = 0; i < n; i++) data.set(w.subarray(i * k, (i + 1) * k), out + perm[p0 + i]! * k)
    }
  }
  return { data, shape }
}

/**
 * The packed LU of `[..., n, n]`: `[..., n + 1, n]`, row 0 the permutation (row i of P·A is
 * row `perm[i]` of A, as floats), rows 1…n the factors as LAPACK packs them (L strictly below
 * the diagonal, U on and above). Singular matrices factor too.
 */
export function luPackedK(a: Floats, shape: Shape): Float64Array {
  const f = luOf(a, shape, 'lu')
  const { n, count } = f
  const out = new Float64Array(count * (n + 1) * n)
  for (let m = 0; m < count; m++) {
    const o = m * (n + 1) * n
    for (let i = 0; i < n; i++) out[o + i] = f.perm[m * n + i]!
    out.set(f.lu.subarray(m * n * n, (m + 1) * n * n), o + n)
  }
  return out
}

/** det A = sign(P)·Π Uᵢᵢ for each matrix (+0 for a singular one), from the cached factors. */
export function detK(a: Floats, shape: Shape): Float64Array {
  const f = luOf(a, shape, 'det')
  const { n, count, lu } = f
  const out = new Float64Array(count)
  for (let m = 0; m < count; m++) {
    let d: number = f.sign[m]!
    for (let i = 0; i < n; i++) d *= lu[m * n * n + i * n + i]!
    // a zero pivot times negative ones is −0; NumPy's 0 is unsigned in spirit, so +0
    out[m] = f.zeroPivot[m]! >= 0 ? 0 : d
  }
  return out
}

/**
 * (sign, log|det A|) for each matrix, packed `[count, 2]`: the log-magnitude sums logs of the
 * pivots, so it neither overflows nor underflows where det would. A singular matrix gives
 * (0, −∞), as NumPy's slogdet.
 */
export function slogdetK(a: Floats, shape: Shape): Float64Array {
  const f = luOf(a, shape, 'slogdet')
  const { n, count, lu } = f
  const out = new Float64Array(count * 2)
  for (let m = 0; m < count; m++) {
    let s: number = f.sign[m]!
    let log = 0
    for (let i = 0; i < n; i++) {
      const u = lu[m * n * n + i * n + i]!
      if (u < 0) s = -s
      log += Math.log(Math.abs(u))
    }
    const singular = f.zeroPivot[m]! >= 0
    out[2 * m] = singular ? 0 : s
    out[2 * m + 1] = singular ? -Infinity : log
  }
  return out
}
