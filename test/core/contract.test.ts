/**
 * `tensordot`, `dot`, `inner`, `vdot` and `outer` against the loop-by-loop reference
 * (einsum-reference.ts) and NumPy's rank rules: random ranks 0–3 and sizes, small integer
 * entries so values agree exactly; known values computed with NumPy; derivatives through grad
 * (as an adjoint identity), jacfwd = jacrev, vmap and jit; and the named errors.
 */
import fc from 'fast-check'
import {
  arange,
  dot,
  grad,
  InvalidArgumentError,
  index,
  inner,
  jacfwd,
  jacrev,
  jit,
  matmul,
  mul,
  outer,
  reshape,
  ShapeError,
  stack,
  sub,
  sum,
  Tensor,
  tensor,
  tensordot,
  transpose,
  vdot,
  vmap,
} from 'fluxion'
import * as linalg from 'fluxion/linalg'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import { type Arr, fromTensor, tensordotRef, toTensor } from './einsum-reference.ts'

const exact = (actual: unknown, expected: Arr | Tensor | number) =>
  expectClose(
    actual,
    typeof expected === 'number' || expected instanceof Tensor ? expected : toTensor(expected),
    0,
    0,
  )
const range = (shape: number[], shift = 0) =>
  sub(reshape(arange(shape.reduce((a, b) => a * b, 1)), shape), shift)

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1)
const arrOf = (shape: number[]) =>
  fc
    .array(fc.integer({ min: -3, max: 3 }), { minLength: size(shape), maxLength: size(shape) })
    .map((data): Arr => ({ shape, data }))
const dims = (rank: number) =>
  fc.array(fc.integer({ min: 1, max: 3 }), { minLength: rank, maxLength: rank })

/** Two operands whose axes `axesA[i]`, `axesB[i]` have equal sizes, with those axis lists. */
const pairArb = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }))
  .chain(([ra, rb]) =>
    fc
      .tuple(dims(ra), dims(rb), fc.integer({ min: 0, max: Math.min(ra, rb) }))
      .chain(([sa, sb, n]) =>
        fc
          .tuple(
            fc.shuffledSubarray([...sa.keys()], { minLength: n, maxLength: n }),
            fc.shuffledSubarray([...sb.keys()], { minLength: n, maxLength: n }),
          )
          .chain(([axesA, axesB]) => {
            const sb2 = sb.slice()
            axesA.forEach((x, i) => {
              sb2[axesB[i]!] = sa[x]!
            })
            return fc.tuple(arrOf(sa), arrOf(sb2), fc.constant(axesA), fc.constant(axesB))
          }),
      ),
  )

describe('tensordot', () => {
  it('known values (NumPy)', () => {
    const a = range([2, 3, 4])
    const b = sub(range([3, 4, 2]), 10)
    exact(
      tensordot(a, reshape(b, [4, 3, 2]), [
        [1, 2],
        [1, 0],
      ]),
      tensor([
        [220, 286],
        [364, 574],
      ]),
    )
    expect(tensordot(a, b, 0).shape).toEqual([2, 3, 4, 3, 4, 2])
    expect(tensordot(a, b, [[2], [1]]).shape).toEqual([2, 3, 3, 2])
    exact(tensordot(range([2, 2]), range([2, 2])), 14)
    exact(tensordot(range([2, 2]), range([2, 2]), [1, 0]), matmul(range([2, 2]), range([2, 2])))
  })

  it('random axis pairs agree with the loops, negative axes too', () => {
    fc.assert(
      fc.property(pairArb, ([a, b, axesA, axesB]) => {
        const ref = tensordotRef(a, b, axesA, axesB)
        exact(tensordot(toTensor(a), toTensor(b), [axesA, axesB]), ref)
        const neg = axesA.map((x) => x - a.shape.length)
        exact(tensordot(toTensor(a), toTensor(b), [neg, axesB]), ref)
      }),
    )
  })

  it('an integer N: the last N axes of a against the first N of b', () => {
    fc.assert(
      fc.property(dims(2), dims(1), dims(2), (lead, mid, tail) => {
        const a = range([...lead, ...mid], 2)
        const b = range([...mid, ...tail], 5)
        const r = lead.length
        exact(tensordot(a, b, 1), tensordotRef(fromTensor(a), fromTensor(b), [r], [0]))
      }),
    )
  })

  it('errors: N too large, axes out of range or repeated, sizes differing, bad axes', () => {
    const m = range([2, 3])
    expect(() => tensordot(m, m, 3)).toThrow(InvalidArgumentError)
    expect(() => tensordot(m, m, -1)).toThrow(InvalidArgumentError)
    expect(() => tensordot(m, m, [[2], [0]])).toThrow(InvalidArgumentError)
    expect(() =>
      tensordot(m, m, [
        [0, 0],
        [0, 1],
      ]),
    ).toThrow(/contracted twice/)
    expect(() => tensordot(m, m, [[0], [0, 1]])).toThrow(/1 axes of a but 2 of b/)
    expect(() => tensordot(m, m, [[1], [1]])).not.toThrow()
    expect(() => tensordot(m, m, [[1], [0]])).toThrow(ShapeError)
    expect(() => tensordot(m, m, [[1], [0]])).toThrow(
      /axis 1 of a has size 3 but axis 0 of b has size 2/,
    )
    expect(() => tensordot(m, m, 'x' as unknown as number)).toThrow(InvalidArgumentError)
    expect(() => tensordot(m, m, [['0'], [0]] as unknown as [number[], number[]])).toThrow(
      InvalidArgumentError,
    )
  })
})

describe('dot: NumPy rank rules', () => {
  it('known values (NumPy)', () => {
    const r = dot(range([2, 3, 4]), sub(range([3, 4, 2]), 10))
    expect(r.shape).toEqual([2, 3, 3, 2])
    expect(r.data[1 * 18 + 2 * 6 + 0 * 2 + 1]).toBe(-506)
    expect(r.data[0 * 18 + 1 * 6 + 2 * 2 + 0]).toBe(208)
    exact(sum(r), 2844)
    exact(dot(range([2, 3]), range([3])), tensor([5, 14]))
    exact(
      dot(range([3]), range([2, 3, 2])),
      tensor([
        [10, 13],
        [28, 31],
      ]),
    )
    exact(dot(tensor([1, 2, 3]), tensor([4, -5, 6])), 12)
    exact(dot(2, tensor([1, 2])), tensor([2, 4]))
    exact(dot(tensor([[1, 2]]), 3), tensor([[3, 6]]))
    exact(dot(2, 3), tensor(6))
  })

  it('random ranks 0–3: shape and values by the rules', () => {
    const ranksArb = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }))
    fc.assert(
      fc.property(
        ranksArb.chain(([ra, rb]) =>
          fc.tuple(dims(ra), dims(rb)).chain(([sa, sb]) => {
            // the contracted axes share a size
            if (ra > 0 && rb > 0) sb[rb === 1 ? 0 : rb - 2] = sa[ra - 1]!
            return fc.tuple(arrOf(sa), arrOf(sb))
          }),
        ),
        ([a, b]) => {
          const [ra, rb] = [a.shape.length, b.shape.length]
          const y = dot(toTensor(a), toTensor(b))
          if (ra === 0 || rb === 0) {
            exact(y, mul(toTensor(a), toTensor(b)))
            return
          }
          const expectedShape =
            rb === 1
              ? a.shape.slice(0, -1)
              : [...a.shape.slice(0, -1), ...b.shape.slice(0, -2), b.shape[rb - 1]!]
          expect(y.shape).toEqual(expectedShape)
          exact(y, tensordotRef(a, b, [ra - 1], [rb === 1 ? 0 : rb - 2]))
          if (ra <= 2 && rb <= 2) exact(y, matmul(toTensor(a), toTensor(b)))
        },
      ),
    )
  })

  it('vectors of different sizes throw (they used to broadcast)', () => {
    expect(() => dot(tensor([1]), tensor([1, 2, 3]))).toThrow(ShapeError)
    expect(() => dot(range([2, 3]), range([2, 3]))).toThrow(/in dot/)
  })

  it('derivatives of N-d · M-d: grad is the adjoint contraction; jacfwd = jacrev; vmap; jit', () => {
    const a = range([2, 2, 3], 4)
    const b = range([2, 3, 2], 7)
    const w = range([2, 2, 2, 2], 3)
    // ⟨w, dot(a, b)⟩ = Σ w[i,j,k,l] a[i,j,p] b[k,p,l]: ā[i,j,p] = Σ w[i,j,k,l] b[k,p,l]
    const aBar = grad((x: Tensor) => sum(mul(dot(x, b), w)))(a)
    exact(aBar, tensordotRef(fromTensor(w), fromTensor(b), [2, 3], [0, 2]))
    const bBar = grad((x: Tensor) => sum(mul(dot(a, x), w)))(b)
    // b̄[k,p,l] = Σ a[i,j,p] w[i,j,k,l], as [p, k, l] moved to [k, p, l]
    const ref = tensordotRef(fromTensor(a), fromTensor(w), [0, 1], [0, 1])
    exact(bBar, transpose(toTensor(ref), [1, 0, 2]))
    exact(jacfwd((x: Tensor) => dot(x, b))(a), jacrev((x: Tensor) => dot(x, b))(a))
    exact(vmap((x: Tensor) => dot(x, b))(a), stack([dot(index(a, 0), b), dot(index(a, 1), b)]))
    const f = jit((x: Tensor, y: Tensor) => dot(x, y))
    f(b, a)
    exact(f(a, b), dot(a, b))
  })
})

describe('inner, vdot, outer', () => {
  it('known values (NumPy)', () => {
    exact(
      inner(range([2, 3]), range([4, 3])),
      tensor([
        [5, 14, 23, 32],
        [14, 50, 86, 122],
      ]),
    )
    expect(inner(range([2, 3, 4]), range([2, 4])).shape).toEqual([2, 3, 2])
    exact(inner(tensor([1, 2, 3]), tensor([4, 5, 6])), 32)
    exact(inner(2, tensor([1, 2])), tensor([2, 4]))
    exact(vdot(range([2, 3]), range([3, 2])), 55)
    exact(
      outer(range([2, 2]), tensor([[1, -1]])),
      tensor([
        [0, -0],
        [1, -1],
        [2, -2],
        [3, -3],
      ]),
    )
    exact(outer(2, 3), tensor([[6]]))
  })

  it('inner contracts the last axes; vdot the flattened operands', () => {
    fc.assert(
      fc.property(dims(2), dims(2), fc.integer({ min: 1, max: 3 }), (sa, sb, n) => {
        const a = range([...sa, n], 3)
        const b = range([...sb, n], 8)
        exact(inner(a, b), tensordotRef(fromTensor(a), fromTensor(b), [-1], [-1]))
        const flatA = fromTensor(a).data
        const c = reshape(range([flatA.length], 5), [...a.shape].reverse())
        exact(
          vdot(a, c),
          flatA.reduce((s, x, i) => s + x * fromTensor(c).data[i]!, 0),
        )
      }),
    )
  })

  it('errors name the op and the shapes', () => {
    expect(() => inner(range([2, 3]), range([3, 2]))).toThrow(/in inner/)
    expect(() => vdot(range([2, 3]), range([5]))).toThrow(ShapeError)
    expect(() => vdot(range([2, 3]), range([5]))).toThrow(/vdot of 6 and 5 elements/)
  })

  it('gradients: ∂ vdot(a, b)/∂a = b (in a’s shape); ∂ Σ inner(a, b)/∂a = Σ_rows b', () => {
    const a = range([2, 3], 1)
    const b = range([3, 2], 2)
    exact(grad((x: Tensor) => vdot(x, b))(a), reshape(b, [2, 3]))
    const c = range([4, 3], 6)
    exact(grad((x: Tensor) => sum(inner(x, c)))(a), stack([sum(c, 0), sum(c, 0)]))
  })

  it('are exported from fluxion/linalg too', () => {
    expect(linalg.tensordot).toBe(tensordot)
    expect(linalg.inner).toBe(inner)
    expect(linalg.vdot).toBe(vdot)
    expect(linalg.dot).toBe(dot)
  })
})
