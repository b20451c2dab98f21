/**
 * GradBench `det`: the determinant by expansion by minors along the first row, recursively —
 * the reference's ℓ!-term algorithm with the same multiply-adds, evaluated level by level as
 * tensors instead of one scalar call per minor. Row d's level holds one value per way of
 * choosing the columns of rows 0…d (a "prefix" of a permutation, in lexicographic order):
 * ±A[d, π(d)] · det(minor of the rows below without those columns). The children of a prefix
 * are contiguous, so a minor's determinant is a reshape and a sum over the level below, and
 * each level needs one gather from row d (signs folded in as a gather from [A[d], −A[d]]).
 * The gradient is fluxion's `grad` of that program.
 */
import { concat, grad, index, mul, neg, reshape, sum, Tensor, take, tensor } from 'fluxion'
import { maybeJit, multipleRuns, type Runs, type Timing } from '../runs.ts'
import { toList, toNumber } from './common.ts'

interface Input extends Runs {
  readonly A: number[]
  readonly ell: number
}

/**
 * For each row d, which entry of [A[d], −A[d]] each prefix of length d+1 takes: column π(d),
 * plus ℓ when π(d) is at an odd position among the columns rows 0…d−1 left (the minus sign of
 * the expansion). Built once per ℓ: the structure of the recursion, not data.
 */
const tables = (ell: number): Tensor[] => {
  const sizes: number[] = []
  for (let d = 0, p = ell; d < ell; d++, p *= ell - d) sizes.push(p)
  const out = sizes.map((n) => new Float64Array(n))
  const counts = new Array<number>(ell).fill(0)
  const used = new Array<boolean>(ell).fill(false)
  const visit = (d: number): void => {
    let position = 0
    for (let c = 0; c < ell; c++) {
      if (used[c]) continue
      const row = out[d]!
      row[counts[d]!++] = position % 2 === 0 ? c : c + ell
      position++
      if (d + 1 < ell) {
        used[c] = true
        visit(d + 1)
        used[c] = false
      }
    }
  }
  visit(0)
  // the typed arrays are fresh and finite: wrap them without a copy
  return out.map((data) => new Tensor(data, [data.length]))
}

const cache = new Map<number, Tensor[]>()
const tablesFor = (ell: number): Tensor[] => {
  let t = cache.get(ell)
  if (t === undefined) {
    t = tables(ell)
    cache.set(ell, t)
  }
  return t
}

/**
 * Builds the tables of ℓ if needed, timed as a `tables` entry: O(ℓ!) work the reference does
 * inside its recursion (10 s at ℓ = 11), kept apart from `evaluate` like a compile step.
 */
const tablesTiming = (ell: number): Timing => {
  const t0 = process.hrtime.bigint()
  tablesFor(ell)
  return { name: 'tables', nanoseconds: Number(process.hrtime.bigint() - t0) }
}

/** det A (A flat, row-major, ℓ×ℓ) by expansion by minors. */
export const determinant =
  (ell: number) =>
  (a: Tensor): Tensor => {
    const picks = tablesFor(ell)
    const m = reshape(a, [ell, ell])
    const signed = (d: number): Tensor => {
      const row = index(m, d)
      return concat([row, neg(row)])
    }
    let level = take(signed(ell - 1), picks[ell - 1]!)
    for (let d = ell - 2; d >= 0; d--) {
      const minors = sum(reshape(level, [-1, ell - d - 1]), 1)
      level = mul(take(signed(d), picks[d]!), minors)
    }
    return sum(level)
  }

export const module = {
  primal: multipleRuns(({ A, ell }: Input) => {
    const setup = tablesTiming(ell)
    const f = maybeJit(determinant(ell))
    const a = tensor(A)
    return { run: () => f(a), toJson: toNumber, setup }
  }),
  gradient: multipleRuns(({ A, ell }: Input) => {
    const setup = tablesTiming(ell)
    const g = maybeJit(grad(determinant(ell)))
    const a = tensor(A)
    return { run: () => g(a), toJson: toList, setup }
  }),
}
