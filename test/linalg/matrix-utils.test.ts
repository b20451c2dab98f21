/**
 * `diagonal`, `trace`, `diag`, `cross` and `kron`: values against plain-JS references on random
 * shapes, offsets and axes (fast-check; exact, as they only move and multiply numbers), their
 * derivatives (∂ tr X/∂X = I, the adjoint law, jacfwd = jacrev, hessian), vmap, jit (first and
 * second call) and the named errors for bad input.
 */
import fc from 'fast-check'
import {
  grad,
  hessian,
  InvalidArgumentError,
  jacfwd,
  jacrev,
  jit,
  jvp,
  matmul,
  mul,
  reshape,
  ShapeError,
  sum,
  Tensor,
  tensor,
  transpose,
  vjp,
  vmap,
  zeros,
} from 'fluxion'
import { cross, diag, diagonal, kron, trace } from 'fluxion/linalg'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

/** A tensor of `shape` with distinct entries 1, 2, 3, … (so a misplaced entry shows). */
const counting = (shape: readonly number[]): Tensor => {
  const size = shape.reduce((a, b) => a * b, 1)
  return new Tensor(
    Float64Array.from({ length: size }, (_, i) => i + 1),
    shape,
  )
}

/** Entry of a row-major tensor at a multi-index. */
const at = (t: Tensor, idx: readonly number[]): number => {
  let flat = 0
  t.shape.forEach((d, i) => {
    flat = flat * d + idx[i]!
  })
  return t.data[flat]!
}

/** Every multi-index of `shape`, row-major. */
const indices = (shape: readonly number[]): number[][] =>
  shape.reduce<number[][]>(
    (acc, d) => acc.flatMap((p) => Array.from({ length: d }, (_, i) => [...p, i])),
    [[]],
  )

/** NumPy's diagonal by its definition: out[batch…, i] = x[…, i at axis1, i + k at axis2, …]. */
const referenceDiagonal = (x: Tensor, k: number, a1: number, a2: number): number[] => {
  const s = x.shape
  const [n, m] = [s[a1]!, s[a2]!]
  const length = Math.max(0, k >= 0 ? Math.min(n, m - k) : Math.min(n + k, m))
  const batch = s.filter((_, i) => i !== a1 && i !== a2)
  return indices(batch).flatMap((b) =>
    Array.from({ length }, (_, i) => {
      const idx: number[] = []
      let j = 0
      for (let ax = 0; ax < s.length; ax++) {
        idx.push(ax === a1 ? (k >= 0 ? i : i - k) : ax === a2 ? (k >= 0 ? i + k : i) : b[j++]!)
      }
      return at(x, idx)
    }),
  )
}

const shapeAndAxes = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      a1: fc.integer({ min: -shape.length, max: shape.length - 1 }),
      a2: fc.integer({ min: -shape.length, max: shape.length - 1 }),
      k: fc.integer({ min: -5, max: 5 }),
    }),
  )
  .filter(
    ({ shape, a1, a2 }) =>
      (a1 + shape.length) % shape.length !== (a2 + shape.length) % shape.length,
  )

describe('diagonal and trace', () => {
  it('diagonal agrees with its definition for any shape, offset and axes', () => {
    fc.assert(
      fc.property(shapeAndAxes, ({ shape, a1, a2, k }) => {
        const x = counting(shape)
        const r = shape.length
        const d = diagonal(x, { offset: k, axis1: a1, axis2: a2 })
        const n1 = (a1 + r) % r
        const n2 = (a2 + r) % r
        expect([...d.data]).toEqual(referenceDiagonal(x, k, n1, n2))
        const batch = shape.filter((_, i) => i !== n1 && i !== n2)
        expect(d.shape.slice(0, -1)).toEqual(batch)
        const t = trace(x, { offset: k, axis1: a1, axis2: a2 })
        expect(t.shape).toEqual(batch)
        const m = d.shape[d.shape.length - 1]!
        const sums = indices(batch).map((_, bi) =>
          [...d.data].slice(bi * m, bi * m + m).reduce((a, b) => a + b, 0),
        )
        expect([...t.data]).toEqual(sums)
      }),
    )
  })

  it('known values, batched, and offsets past the matrix', () => {
    const A = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expect(diagonal(A).toArray()).toEqual([1, 5])
    expect(diagonal(A, { offset: 2 }).toArray()).toEqual([3])
    expect(diagonal(A, { offset: 3 }).shape).toEqual([0])
    expect(diagonal(A, { offset: -2 }).shape).toEqual([0])
    expect(trace(A, { offset: -1 }).item()).toBe(4)
    expect(trace(A, { offset: 5 }).item()).toBe(0)
    const B = counting([2, 3, 3])
    expect(trace(B).toArray()).toEqual([15, 42])
    // axes 0 and 2 of B: entries B[i, j, i] = 9i + 3j + i + 1, the middle axis j in front
    expect(diagonal(B, { axis1: 0, axis2: 2 }).toArray()).toEqual([
      [1, 11],
      [4, 14],
      [7, 17],
    ])
  })

  it('∂ tr(X)/∂X = I (shifted by the offset), and the adjoint law', () => {
    expect(grad((X: Tensor) => trace(X))(counting([3, 3])).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ])
    expect(grad((X: Tensor) => trace(X, { offset: 1 }))(counting([2, 3])).toArray()).toEqual([
      [0, 1, 0],
      [0, 0, 1],
    ])
    // ⟨ȳ, diagonal(ẋ)⟩ = ⟨vjp(ȳ), ẋ⟩
    const X = counting([2, 4, 3])
    const xDot = mul(counting([2, 4, 3]), 0.5)
    const yBar = tensor([
      [1, -2, 3],
      [0.5, 2, -1],
    ])
    const f = (x: Tensor) => diagonal(x, { offset: -1, axis1: 1, axis2: 2 })
    const [, yDot] = jvp(f, [X], [xDot])
    const [xBar] = vjp(f, X)[1](yBar)
    expect(sum(mul(yBar, yDot)).item()).toBe(sum(mul(xBar, xDot)).item())
  })

  it('second order: the hessian of tr(X·X) is the transposition', () => {
    // tr(X²) = Σᵢⱼ Xᵢⱼ·Xⱼᵢ: ∂²/∂Xᵢⱼ∂Xₖₗ = 2 when (k, l) = (j, i)
    const H = hessian((x: Tensor) => trace(matmul(x, x)))(counting([2, 2]))
    expect(H.toArray()).toEqual([
      [
        [
          [2, 0],
          [0, 0],
        ],
        [
          [0, 0],
          [2, 0],
        ],
      ],
      [
        [
          [0, 2],
          [0, 0],
        ],
        [
          [0, 0],
          [0, 2],
        ],
      ],
    ])
  })

  it('vmap and jit (first and second call) agree with the batched call', () => {
    const Xs = counting([3, 2, 4])
    expect(vmap((x: Tensor) => diagonal(x, { offset: 1 }))(Xs).toArray()).toEqual(
      diagonal(Xs, { offset: 1 }).toArray(),
    )
    const g = jit(grad((x: Tensor) => sum(mul(trace(x), trace(x)))))
    for (const s of [1, 2]) {
      const X = mul(counting([3, 3]), s)
      const t = trace(X).item()
      expectClose(g(X), [
        [2 * t, 0, 0],
        [0, 2 * t, 0],
        [0, 0, 2 * t],
      ])
    }
  })

  it('named errors: rank < 2, equal or out-of-range axes, a non-integer offset', () => {
    expect(() => diagonal(tensor([1, 2]))).toThrow(ShapeError)
    expect(() => trace(3)).toThrow(ShapeError)
    expect(() => diagonal(zeros([2, 2]), { axis1: 1, axis2: -1 })).toThrow(InvalidArgumentError)
    expect(() => diagonal(zeros([2, 2]), { axis1: 2 })).toThrow(InvalidArgumentError)
    expect(() => trace(zeros([2, 2]), { offset: 0.5 })).toThrow(InvalidArgumentError)
  })
})

describe('diag', () => {
  it('vector → matrix with v on the k-th diagonal, matrix → its k-th diagonal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -4, max: 4 }), (n, k) => {
        const v = counting([n])
        const M = diag(v, k)
        const size = n + Math.abs(k)
        expect(M.shape).toEqual([size, size])
        const expected = indices([size, size]).map(([i, j]) =>
          j! - i! === k && (k >= 0 ? i! : j!) < n ? (k >= 0 ? i! : j!) + 1 : 0,
        )
        expect([...M.data]).toEqual(expected)
        // and back: the k-th diagonal of diag(v, k) is v
        expect([...diag(M, k).data]).toEqual([...v.data])
      }),
    )
  })

  it('derivatives: the vector cotangent is the diagonal of the matrix cotangent', () => {
    const W = counting([3, 3])
    expect(grad((v: Tensor) => sum(mul(W, diag(v, 1))))(tensor([1, 1])).toArray()).toEqual([2, 6])
    const J = jacfwd((v: Tensor) => diag(v, -1))(tensor([1, 2]))
    expectClose(jacrev((v: Tensor) => diag(v, -1))(tensor([1, 2])), J.toArray() as number[][][])
    expect(vmap((v: Tensor) => diag(v))(counting([2, 2])).toArray()).toEqual([
      [
        [1, 0],
        [0, 2],
      ],
      [
        [3, 0],
        [0, 4],
      ],
    ])
  })

  it('named errors: rank 0 or 3, a non-integer k', () => {
    expect(() => diag(2)).toThrow(ShapeError)
    expect(() => diag(zeros([2, 2, 2]))).toThrow(ShapeError)
    expect(() => diag(tensor([1, 2]), 1.5)).toThrow(InvalidArgumentError)
  })
})

describe('cross', () => {
  const jsCross = (a: readonly number[], b: readonly number[]): number[] => [
    a[1]! * b[2]! - a[2]! * b[1]!,
    a[2]! * b[0]! - a[0]! * b[2]!,
    a[0]! * b[1]! - a[1]! * b[0]!,
  ]
  const vec = fc.array(fc.integer({ min: -9, max: 9 }), { minLength: 3, maxLength: 3 })

  it('agrees with the formula, batched with broadcasting, along any axis', () => {
    fc.assert(
      fc.property(fc.array(vec, { minLength: 1, maxLength: 4 }), vec, (as, b) => {
        const out = cross(tensor(as), tensor(b))
        expect(out.toArray()).toEqual(as.map((a) => jsCross(a, b)))
        // the vectors along axis 0: the same products, transposed
        const t = cross(transpose(tensor(as)), reshape(tensor(b), [3, 1]), 0)
        expect(transpose(t).toArray()).toEqual(as.map((a) => jsCross(a, b)))
      }),
    )
    expect(cross(tensor([1, 0, 0]), tensor([0, 1, 0])).toArray()).toEqual([0, 0, 1])
  })

  it('derivatives: d(a × b) = da × b + a × db; jacfwd = jacrev; vmap; jit', () => {
    const a = tensor([1, 2, 3])
    const b = tensor([-1, 0.5, 2])
    const da = tensor([0.5, -1, 1])
    const db = tensor([2, 1, 0])
    const [, t] = jvp((x: Tensor, y: Tensor) => cross(x, y), [a, b], [da, db])
    expectClose(t, [
      ...jsCross([0.5, -1, 1], [-1, 0.5, 2]).map((v, i) => v + jsCross([1, 2, 3], [2, 1, 0])[i]!),
    ])
    // ∂(a × b)/∂a is the matrix of −b×: [[0, b₂, −b₁], [−b₂, 0, b₀], [b₁, −b₀, 0]]
    const J = jacrev((x: Tensor) => cross(x, b))(a)
    expect(J.toArray()).toEqual([
      [0, 2, -0.5],
      [-2, 0, -1],
      [0.5, 1, 0],
    ])
    expect(jacfwd((x: Tensor) => cross(x, b))(a).toArray()).toEqual(J.toArray())
    const pairs = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expect(vmap((x: Tensor) => cross(x, b))(pairs).toArray()).toEqual(cross(pairs, b).toArray())
    const g = jit(grad((x: Tensor) => sum(mul(cross(x, b), x))))
    g(a)
    expect(g(da).toArray()).toEqual(grad((x: Tensor) => sum(mul(cross(x, b), x)))(da).toArray())
  })

  it('named errors: vectors not of length 3, batch shapes that do not broadcast', () => {
    expect(() => cross(tensor([1, 2]), tensor([3, 4]))).toThrow(ShapeError)
    expect(() => cross(zeros([2, 3]), zeros([4, 3]))).toThrow(ShapeError)
    expect(() => cross(zeros([3]), zeros([3]), 1)).toThrow(InvalidArgumentError)
  })
})

describe('kron', () => {
  it('agrees with the definition for any pair of shapes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 }),
        (sa, sb) => {
          const [a, b] = [counting(sa), mul(counting(sb), 10)]
          const K = kron(a, b)
          const rank = Math.max(sa.length, sb.length)
          const pa = [...new Array<number>(rank - sa.length).fill(1), ...sa]
          const pb = [...new Array<number>(rank - sb.length).fill(1), ...sb]
          expect(K.shape).toEqual(pa.map((d, i) => d * pb[i]!))
          const expected = indices(K.shape).map((idx) => {
            const ia = idx.map((v, i) => Math.floor(v / pb[i]!))
            const ib = idx.map((v, i) => v % pb[i]!)
            return at(reshape(a, pa), ia) * at(reshape(b, pb), ib)
          })
          expect([...K.data]).toEqual(expected)
        },
      ),
    )
  })

  it('derivatives (bilinear), vmap and jit', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ])
    const b = tensor([1, -1])
    // Σ kron(a, b) = Σa·Σb: ∂/∂a = Σb everywhere, ∂/∂b = Σa everywhere
    const [ga, gb] = grad((x: Tensor, y: Tensor) => sum(kron(x, y)), { argnums: [0, 1] })(a, b)
    expect(ga.toArray()).toEqual([
      [0, 0],
      [0, 0],
    ])
    expect(gb.toArray()).toEqual([10, 10])
    expectClose(
      jacfwd((x: Tensor) => kron(x, b))(a),
      jacrev((x: Tensor) => kron(x, b))(a).toArray() as number[][][][],
    )
    expect(vmap((x: Tensor) => kron(x, b))(a).toArray()).toEqual([
      [1, -1, 2, -2],
      [3, -3, 4, -4],
    ])
    const f = jit((x: Tensor) => kron(x, b))
    f(a)
    expect(f(mul(a, 2)).toArray()).toEqual(kron(mul(a, 2), b).toArray())
  })
})
