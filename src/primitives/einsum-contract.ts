/**
 * The contraction planner of `einsum` (and `tensordot`): operands whose axes carry integer
 * labels, reduced to the output with existing primitives only — `slice` for diagonals, `sum`,
 * `transpose`, `reshape`, broadcasting `mul`, and the batched `matmul` primitive with its
 * transpose flags — recorded into a `Builder` (einsum-program.ts) from shapes alone. Each
 * derivative is therefore the primitives' own rules, and so is every transformation.
 *
 * A pair of operands maps to one batched matrix product: batch axes are the labels both have
 * and that stay (in the output or a later operand), the contracted axis is the labels both have
 * that do not stay, and each side's free labels make its rows or columns. Operand layouts that
 * already fit (up to a transpose of the last two axes) are used as they are.
 * @module
 */
import type { Builder } from './einsum-program.ts'

/** An operand with one label per axis. */
export interface Labeled {
  /** Its register in the program being built. */
  readonly id: number
  readonly labels: readonly number[]
}

/** Size of each label. */
export type Sizes = ReadonlyMap<number, number>

/** The element count of axes with these labels. */
export const sizeOfLabels = (labels: readonly number[], sizes: Sizes): number =>
  labels.reduce((n, l) => n * sizes.get(l)!, 1)

const same = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

/** `t` with its axes permuted into the label order `to` (a permutation of its labels). */
export function arrange(b: Builder, t: Labeled, to: readonly number[]): Labeled {
  if (same(t.labels, to)) return t
  return {
    id: b.transpose(
      t.id,
      to.map((l) => t.labels.indexOf(l)),
    ),
    labels: to,
  }
}

/**
 * Each label written twice or more in one operand reduced to its diagonal (`ii → i`). The axes
 * of label L (size n, k of them) move to the end and merge into one axis of n^k entries; the
 * diagonal is then every s-th entry from 0, s = 1 + n + … + n^(k−1) — one strided `slice`,
 * exact and O(n^k), whose transpose (a `pad` with interior zeros) gives the derivative.
 */
export function diagonals(b: Builder, t: Labeled, sizes: Sizes): Labeled {
  let cur = t
  for (;;) {
    const repeated = cur.labels.find((l, i) => cur.labels.indexOf(l) !== i)
    if (repeated === undefined) return cur
    const rest = cur.labels.filter((l) => l !== repeated)
    const k = cur.labels.length - rest.length
    const n = sizes.get(repeated)!
    // the other axes first, in order, then the k axes of the repeated label
    const perm = [
      ...cur.labels.flatMap((l, i) => (l === repeated ? [] : [i])),
      ...cur.labels.flatMap((l, i) => (l === repeated ? [i] : [])),
    ]
    const restShape = rest.map((l) => sizes.get(l)!)
    const flat = b.reshape(b.transpose(cur.id, perm), [...restShape, n ** k])
    const diag = b.strideLast(flat, n <= 1 ? 1 : (n ** k - 1) / (n - 1))
    cur = { id: diag, labels: [...rest, repeated] }
  }
}

/** `t` summed over the labels that `keep` rejects. */
export function sumOut(b: Builder, t: Labeled, keep: (label: number) => boolean): Labeled {
  const axes = t.labels.flatMap((l, i) => (keep(l) ? [] : [i]))
  if (axes.length === 0) return t
  return { id: b.sum(t.id, axes), labels: t.labels.filter((l) => keep(l)) }
}

/** `t` with the labels that `drop` names removed: axes of size 1 (a broadcast `...` axis). */
export function dropUnit(
  b: Builder,
  t: Labeled,
  drop: (label: number, axis: number) => boolean,
): Labeled {
  const labels = t.labels.filter((l, i) => !drop(l, i))
  if (labels.length === t.labels.length) return t
  const shape = b.shape(t.id).filter((_, i) => !drop(t.labels[i]!, i))
  return { id: b.reshape(t.id, shape), labels }
}

interface Layout {
  readonly left: Labeled
  readonly right: Labeled
  readonly batch: readonly number[]
  readonly con: readonly number[]
  readonly leftFree: readonly number[]
  readonly rightFree: readonly number[]
  readonly transA: boolean
  readonly transB: boolean
  readonly cost: number
}

/**
 * The cheapest layout for `left·right`: which orders of batch and contracted labels to use, and
 * whether each operand fits as stored (possibly with a transpose flag) or must be transposed.
 * The cost counts the elements a transpose copies, the result's too when `target` is given.
 */
function layout(
  left: Labeled,
  right: Labeled,
  batchSet: readonly number[],
  conSet: readonly number[],
  sizes: Sizes,
  target: readonly number[] | undefined,
): Layout {
  const leftFree = left.labels.filter((l) => !batchSet.includes(l) && !conSet.includes(l))
  const rightFree = right.labels.filter((l) => !batchSet.includes(l) && !conSet.includes(l))
  const inOrder = (of: readonly number[], set: readonly number[]) =>
    of.filter((l) => set.includes(l))
  let best: Layout | undefined
  for (const batch of [inOrder(left.labels, batchSet), inOrder(right.labels, batchSet)]) {
    for (const con of [inOrder(left.labels, conSet), inOrder(right.labels, conSet)]) {
      const aFits = same(left.labels, [...batch, ...leftFree, ...con])
      const transA = !aFits && same(left.labels, [...batch, ...con, ...leftFree])
      const bFits = same(right.labels, [...batch, ...con, ...rightFree])
      const transB = !bFits && same(right.labels, [...batch, ...rightFree, ...con])
      let cost = 0
      if (!aFits && !transA) cost += sizeOfLabels(left.labels, sizes)
      if (!bFits && !transB) cost += sizeOfLabels(right.labels, sizes)
      const out = [...batch, ...leftFree, ...rightFree]
      if (target !== undefined && !same(out, target)) cost += sizeOfLabels(out, sizes)
      if (best === undefined || cost < best.cost) {
        best = { left, right, batch, con, leftFree, rightFree, transA, transB, cost }
      }
    }
  }
  return best!
}

/**
 * The contraction of two operands over the labels they share that `keep` rejects; labels kept
 * in both become batch axes, labels in one only stay free. `target`, when given, is the label
 * order wanted for the result (the output, at the last step). Assumes no label repeats within
 * an operand and every label of exactly one operand is kept.
 */
export function contractPair(
  builder: Builder,
  a: Labeled,
  b: Labeled,
  keep: (label: number) => boolean,
  sizes: Sizes,
  target?: readonly number[],
): Labeled {
  const shared = a.labels.filter((l) => b.labels.includes(l))
  const batchSet = shared.filter(keep)
  const conSet = shared.filter((l) => !keep(l))
  const [big, small] =
    sizeOfLabels(a.labels, sizes) >= sizeOfLabels(b.labels, sizes) ? [a, b] : [b, a]
  if (conSet.length === 0) {
    // nothing to sum: a broadcasting product, the larger operand used as it is
    const smallFree = small.labels.filter((l) => !big.labels.includes(l))
    const arranged = arrange(builder, small, [
      ...smallFree,
      ...big.labels.filter((l) => small.labels.includes(l)),
    ])
    const shape = [
      ...smallFree.map((l) => sizes.get(l)!),
      ...big.labels.map((l) => (small.labels.includes(l) ? sizes.get(l)! : 1)),
    ]
    // leading axes of size 1 broadcast anyway: no reshape (a copy) for them
    while (smallFree.length === 0 && shape.length > 0 && shape[0] === 1) shape.shift()
    const y = builder.mul(big.id, builder.reshape(arranged.id, shape))
    return { id: y, labels: [...smallFree, ...big.labels] }
  }
  if (shared.length === a.labels.length && shared.length === b.labels.length) {
    // no free axes (a batch of inner products): multiply, then sum the contracted axes
    const y = builder.mul(big.id, arrange(builder, small, big.labels).id)
    return sumOut(builder, { id: y, labels: big.labels }, (l) => !conSet.includes(l))
  }
  const candidates = [
    layout(a, b, batchSet, conSet, sizes, target),
    layout(b, a, batchSet, conSet, sizes, target),
  ]
  const c = candidates[1]!.cost < candidates[0]!.cost ? candidates[1]! : candidates[0]!
  const dims = (ls: readonly number[]) => ls.map((l) => sizes.get(l)!)
  const [m, k, n] = [c.leftFree, c.con, c.rightFree].map((ls) => sizeOfLabels(ls, sizes))
  const batchShape = dims(c.batch)
  const leftOrder = c.transA
    ? [...c.batch, ...c.con, ...c.leftFree]
    : [...c.batch, ...c.leftFree, ...c.con]
  const rightOrder = c.transB
    ? [...c.batch, ...c.rightFree, ...c.con]
    : [...c.batch, ...c.con, ...c.rightFree]
  const lhs = builder.reshape(arrange(builder, c.left, leftOrder).id, [
    ...batchShape,
    ...(c.transA ? [k!, m!] : [m!, k!]),
  ])
  const rhs = builder.reshape(arrange(builder, c.right, rightOrder).id, [
    ...batchShape,
    ...(c.transB ? [n!, k!] : [k!, n!]),
  ])
  const y = builder.matmul(lhs, rhs, c.transA, c.transB)
  const labels = [...c.batch, ...c.leftFree, ...c.rightFree]
  return { id: builder.reshape(y, dims(labels)), labels }
}
