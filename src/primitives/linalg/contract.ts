/**
 * Contractions with NumPy's rank rules: `tensordot`, `dot`, `inner`, `vdot`. Each is one
 * pairwise contraction of the einsum engine (a batched `matmul`, or a product and a `sum`), so
 * derivatives, `vmap` and `jit` come from the primitives.
 *
 * Laws: those of `matmul`, `mul`, `sum`, `transpose` and `reshape` — fd-agreement,
 * vjp-jvp-adjoint, jvp-linearity (in each argument).
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../../core/errors.ts'
import { shapeOf } from '../../core/tracer.ts'
import { normalizeAxis, type Shape, show, sizeOf } from '../../tensor/shape.ts'
import type { Tensor } from '../../tensor/tensor.ts'
import { mul } from '../arithmetic.ts'
import { arrange, contractPair } from '../einsum-contract.ts'
import { Builder, execute } from '../einsum-program.ts'
import { sum } from '../reduction.ts'
import { reshape } from '../structural.ts'

type Value = number | Tensor

const asTensor = (x: Value): Tensor => (typeof x === 'number' ? reshape(x, []) : x)

/** a·b for a rank-0 operand: NumPy's dot and inner multiply by a scalar. */
const scale = (a: Value, b: Value): Tensor => asTensor(mul(a, b))

/**
 * `a` and `b` contracted over the axis pairs (axesA[i], axesB[i]): the result has a's other
 * axes, then b's, each in order. Checks ranges, repeats and sizes, naming `op`.
 */
function contractAxes(
  a: Value,
  b: Value,
  axesA: readonly number[],
  axesB: readonly number[],
  op: string,
): Tensor {
  const sa = shapeOf(a)
  const sb = shapeOf(b)
  const shapes = [sa, sb]
  if (axesA.length !== axesB.length) {
    throw new InvalidArgumentError(
      `${axesA.length} axes of a but ${axesB.length} of b to contract`,
      { primitive: op, shapes, hint: 'give the axes in pairs: two lists of the same length' },
    )
  }
  const ia = axesA.map((x) => normalizeAxis(x, sa.length, op))
  const ib = axesB.map((x) => normalizeAxis(x, sb.length, op))
  for (const [list, name] of [
    [ia, 'a'],
    [ib, 'b'],
  ] as const) {
    if (new Set(list).size !== list.length) {
      throw new InvalidArgumentError(`an axis of ${name} is contracted twice`, {
        primitive: op,
        shapes,
        hint: 'list each axis once',
      })
    }
  }
  ia.forEach((x, i) => {
    const y = ib[i]!
    if (sa[x] !== sb[y]) {
      throw new ShapeError(
        `axis ${x} of a has size ${sa[x]} but axis ${y} of b has size ${sb[y]}`,
        { primitive: op, shapes, hint: 'contracted axes must have equal sizes' },
      )
    }
  })
  // labels: a's axes are 0…ra−1, b's contracted axes take a's labels, b's others ra, ra+1, …
  const labelsA = sa.map((_, i) => i)
  const labelsB = sb.map((_, j) => (ib.includes(j) ? ia[ib.indexOf(j)]! : sa.length + j))
  const sizes = new Map<number, number>([
    ...labelsA.map((l, i): [number, number] => [l, sa[i]!]),
    ...labelsB.map((l, j): [number, number] => [l, sb[j]!]),
  ])
  const output = [
    ...labelsA.filter((l) => !ia.includes(l)),
    ...labelsB.filter((l) => l >= sa.length),
  ]
  const kept = new Set(output)
  const builder = new Builder([sa, sb])
  const y = contractPair(
    builder,
    { id: 0, labels: labelsA },
    { id: 1, labels: labelsB },
    (l) => kept.has(l),
    sizes,
    output,
  )
  const program = builder.program(arrange(builder, y, output).id)
  return execute(program, [asTensor(a), asTensor(b)]) as Tensor
}

const axisList = (x: unknown, op: string): number[] => {
  if (typeof x === 'number') return [x]
  if (Array.isArray(x) && x.every((v) => typeof v === 'number')) return x as number[]
  throw new InvalidArgumentError(`axes must be a number or a list of numbers, got ${show(x)}`, {
    primitive: op,
    hint: 'e.g. tensordot(a, b, [[1], [0]])',
  })
}

/**
 * Sum of products over pairs of axes, NumPy's `tensordot`: with `axes` an integer N, the last N
 * axes of `a` against the first N of `b`; with `axes = [axesA, axesB]`, axis `axesA[i]` of `a`
 * against `axesB[i]` of `b` (negative axes count from the end). The result has the remaining
 * axes of `a`, then those of `b`. One batched `matmul` after at most a transpose of each side.
 *
 * Derivative: bilinear, d(a⊗b) = da⊗b + a⊗db; ā contracts ȳ with b over b's free axes, b̄ likewise.
 * Throws `InvalidArgumentError` for an axis out of range or listed twice, or N larger than a
 * rank; `ShapeError` when paired axes differ in size.
 * @example
 * const a = tensor([[1, 2], [3, 4]])
 * tensordot(a, a).item() // => 30
 * tensordot(a, a, 1).toArray() // => [[7, 10], [15, 22]]
 * tensordot(a, a, [[0], [0]]).toArray() // => [[10, 14], [14, 20]]
 * @category linalg
 */
export function tensordot(
  a: Value,
  b: Value,
  axes: number | readonly [number | readonly number[], number | readonly number[]] = 2,
): Tensor {
  if (typeof axes === 'number') {
    const ra = shapeOf(a).length
    const rb = shapeOf(b).length
    if (!Number.isInteger(axes) || axes < 0 || axes > ra || axes > rb) {
      throw new InvalidArgumentError(
        `cannot contract ${show(axes)} axes of operands of ranks ${ra} and ${rb}`,
        {
          primitive: 'tensordot',
          shapes: [shapeOf(a), shapeOf(b)],
          hint: 'N is an integer from 0 to the smaller rank',
        },
      )
    }
    const lastA = Array.from({ length: axes }, (_, i) => ra - axes + i)
    const firstB = Array.from({ length: axes }, (_, i) => i)
    return contractAxes(a, b, lastA, firstB, 'tensordot')
  }
  if (!Array.isArray(axes) || axes.length !== 2) {
    throw new InvalidArgumentError(
      `axes must be an integer or a pair of axis lists, got ${show(axes)}`,
      {
        primitive: 'tensordot',
        hint: 'e.g. tensordot(a, b, 1) or tensordot(a, b, [[1], [0]])',
      },
    )
  }
  return contractAxes(
    a,
    b,
    axisList(axes[0], 'tensordot'),
    axisList(axes[1], 'tensordot'),
    'tensordot',
  )
}

/**
 * NumPy's `dot`: a rank-0 operand multiplies; two vectors give their inner product (a rank-0
 * tensor); a matrix times a matrix is the matrix product; an N-d `a` and a vector `b` sum over
 * the last axis of `a`; an N-d `a` and an M-d `b` (M ≥ 2) contract the last axis of `a` with
 * the second-to-last of `b`, giving `[...a.shape[:-1], ...b.shape[:-2], b.shape[-1]]`. For a
 * batch of matrix products (broadcast leading axes) use `matmul`.
 *
 * Derivative: bilinear, d(a·b) = da·b + a·db.
 * Throws `ShapeError` when the contracted sizes differ.
 * @example
 * dot(tensor([1, 2, 3]), tensor([4, 5, 6])).item() // => 32
 * dot(tensor([[1, 2], [3, 4]]), tensor([1, 1])).toArray() // => [3, 7]
 * dot(2, tensor([1, 2])).toArray() // => [2, 4]
 * dot(ones([2, 3, 4]), ones([5, 4, 6])).shape // => [2, 3, 5, 6]
 * @category linalg
 */
export function dot(a: Value, b: Value): Tensor {
  const ra = shapeOf(a).length
  const rb = shapeOf(b).length
  if (ra === 0 || rb === 0) return scale(a, b)
  return contractAxes(a, b, [ra - 1], [rb === 1 ? 0 : rb - 2], 'dot')
}

/**
 * NumPy's `inner`: the sum of products over the last axes of `a` and `b`, giving
 * `[...a.shape[:-1], ...b.shape[:-1]]`; a rank-0 operand multiplies.
 *
 * Derivative: bilinear, d inner(a, b) = inner(da, b) + inner(a, db).
 * Throws `ShapeError` when the last axes differ in size.
 * @example
 * inner(tensor([1, 2, 3]), tensor([4, 5, 6])).item() // => 32
 * inner(tensor([[1, 2], [3, 4]]), tensor([[1, 0], [1, 1]])).toArray() // => [[1, 3], [3, 7]]
 * @category linalg
 */
export function inner(a: Value, b: Value): Tensor {
  const ra = shapeOf(a).length
  const rb = shapeOf(b).length
  if (ra === 0 || rb === 0) return scale(a, b)
  return contractAxes(a, b, [ra - 1], [rb - 1], 'inner')
}

/**
 * NumPy's `vdot`: the inner product of `a` and `b` flattened, Σ aᵢbᵢ over all elements in
 * row-major order, as a rank-0 tensor (real numbers: no conjugation).
 *
 * Derivative: d vdot(a, b) = vdot(da, b) + vdot(a, db); ā = ȳ·b, b̄ = ȳ·a (reshaped).
 * Throws `ShapeError` when the element counts differ.
 * @example
 * vdot(tensor([[1, 2], [3, 4]]), tensor([1, 1, 1, 1])).item() // => 10
 * @category linalg
 */
export function vdot(a: Value, b: Value): Tensor {
  const sa: Shape = shapeOf(a)
  const sb: Shape = shapeOf(b)
  const n = sizeOf(sa)
  if (n !== sizeOf(sb)) {
    throw new ShapeError(`vdot of ${n} and ${sizeOf(sb)} elements`, {
      primitive: 'vdot',
      shapes: [sa, sb],
      hint: 'both operands need the same number of elements',
    })
  }
  return asTensor(sum(mul(reshape(a, [n]), reshape(b, [n]))))
}
