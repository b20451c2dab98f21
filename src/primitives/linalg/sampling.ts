/**
 * How the law suites sample matrices for the solve and factorization records: well-conditioned
 * ones, so that finite differences measure the derivative and not rounding. Sizes 1–4, with
 * and without a batch axis.
 * @module
 */
import type { Draw } from '../../core/primitive.ts'
import type { Shape } from '../../tensor/shape.ts'
import { sizeOf } from '../../tensor/shape.ts'
import { Tensor } from '../../tensor/tensor.ts'

/** No batch axis, or one of size 1–3. */
export const drawBatch = (draw: Draw): number[] =>
  draw.integer(0, 1) === 0 ? [] : [draw.integer(1, 3)]

/**
 * Batch axes of a matrix and a right-hand side that broadcast: none, the same, or only one
 * of them batched.
 */
export const drawBatchPair = (draw: Draw): [number[], number[]] => {
  const b = draw.integer(1, 3)
  switch (draw.integer(0, 3)) {
    case 0:
      return [[], []]
    case 1:
      return [[b], [b]]
    case 2:
      return [[b], []]
    default:
      return [[], [b]]
  }
}

/**
 * Matrices `[...batch, n, n]` with a diagonal of magnitude 1 to 2 and random sign, and entries
 * off it in [−1, 1]/(n + 1): diagonally dominant by rows and columns (by a margin above 2/5),
 * so condition numbers stay below 8, and |det| below 2ⁿ — small enough for the chain-rule law's
 * exp and sinh. With `permute`, each matrix's rows are shuffled: partial pivoting then picks the
 * dominant entry of each column, clearly (by a margin above 1/2), so the pivot order is locally
 * constant and LU is differentiable at the sample.
 */
export const drawDominant = (draw: Draw, batch: Shape, n: number, permute: boolean): Tensor => {
  const count = sizeOf(batch)
  const data = new Float64Array(count * n * n)
  const row = new Array<number>(n)
  for (let m = 0; m < count; m++) {
    const base = m * n * n
    for (let i = 0; i < n; i++) row[i] = i
    if (permute) {
      for (let i = n - 1; i > 0; i--) {
        const j = draw.integer(0, i)
        ;[row[i], row[j]] = [row[j]!, row[i]!]
      }
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v =
          i === j
            ? (draw.integer(0, 1) === 0 ? -1 : 1) * (1 + draw.real(0, 1))
            : draw.real(-1, 1) / (n + 1)
        data[base + row[i]! * n + j] = v
      }
    }
  }
  return new Tensor(data, [...batch, n, n])
}

/**
 * Symmetric positive-definite matrices M·Mᵀ + n·I, M with entries in [−1, 1]: eigenvalues in
 * [n, n + n²], so condition numbers at most n + 1.
 */
export const drawSpd = (draw: Draw, batch: Shape, n: number): Tensor => {
  const count = sizeOf(batch)
  const data = new Float64Array(count * n * n)
  const m = new Float64Array(n * n)
  for (let t = 0; t < count; t++) {
    for (let i = 0; i < n * n; i++) m[i] = draw.real(-1, 1)
    const base = t * n * n
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = i === j ? n : 0
        for (let p = 0; p < n; p++) s += m[i * n + p]! * m[j * n + p]!
        data[base + i * n + j] = s
        data[base + j * n + i] = s
      }
    }
  }
  return new Tensor(data, [...batch, n, n])
}

/** Entries in [−1, 1], of the given shape. */
export const drawEntries = (draw: Draw, shape: Shape): Tensor => {
  const data = new Float64Array(sizeOf(shape))
  for (let i = 0; i < data.length; i++) data[i] = draw.real(-1, 1)
  return new Tensor(data, shape)
}
