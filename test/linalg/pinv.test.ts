/**
 * pinv: the Penrose conditions on matrices built with known singular values, NumPy's cutoff,
 * the Golub–Pereyra derivative (−P·dA·P for square A; finite at repeated singular values;
 * exact along rank-preserving paths of a rank-deficient A) against closed forms and central
 * differences, vmap and jit; bad input.
 *
 * Tolerances: Penrose conditions to 64·κ·ε·‖A‖ (κ ≤ 20, ‖A‖ ≤ 10); derivatives to 1e-13
 * against closed forms and 1e-7 against central differences (h = 1e-6).
 */
import fc from 'fast-check'
import {
  grad,
  InvalidArgumentError,
  jit,
  jvp,
  matmul,
  mul,
  ShapeError,
  sum,
  type Tensor,
  tensor,
  vmap,
} from 'fluxion'
import { pinv } from 'fluxion/linalg'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import {
  diag,
  eps,
  fdGrad,
  identity,
  type M,
  maxDiff,
  mm,
  orthogonal,
  rowsOf,
  separated,
  t,
  tr,
} from './helpers.ts'

// biome-ignore format: one matrix row per bracket
const A: M = [[2, -1], [1, 3], [0.5, 1], [-1, 0.5]]

describe('pinv', () => {
  it('the Penrose conditions: A·P·A = A, P·A·P = P, A·P and P·A symmetric', () => {
    const any = fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
      .chain(([m, n]) =>
        fc.tuple(orthogonal(m), orthogonal(n), separated(Math.min(m, n), 0.5, 10, 0)),
      )
      .map(([u, v, s]) =>
        mm(
          mm(
            u.map((r) => r.slice(0, s.length)),
            diag(s),
          ),
          tr(v.map((r) => r.slice(0, s.length))),
        ),
      )
    fc.assert(
      fc.property(any, (a) => {
        const p = rowsOf(pinv(t(a)))
        const tol = 64 * 20 * eps * 10
        expect(maxDiff(mm(mm(a, p), a), a)).toBeLessThanOrEqual(tol * 10)
        expect(maxDiff(mm(mm(p, a), p), p)).toBeLessThanOrEqual(tol)
        expect(maxDiff(mm(a, p), tr(mm(a, p)))).toBeLessThanOrEqual(tol)
        expect(maxDiff(mm(p, a), tr(mm(p, a)))).toBeLessThanOrEqual(tol)
      }),
    )
  })

  it('the cutoff: singular values ≤ rtol·max(s) count as zero', () => {
    expectClose(
      pinv(
        t([
          [1, 0],
          [0, 1e-20],
        ]),
      ),
      t([
        [1, 0],
        [0, 0],
      ]),
      0,
      0,
    )
    expectClose(
      pinv(
        t([
          [1, 0],
          [0, 1e-3],
        ]),
      ),
      t([
        [1, 0],
        [0, 1000],
      ]),
      1e-12,
      0,
    )
    expectClose(
      pinv(
        t([
          [1, 0],
          [0, 1e-3],
        ]),
        1e-2,
      ),
      t([
        [1, 0],
        [0, 0],
      ]),
      0,
      0,
    )
    expectClose(
      pinv(
        t([
          [2, 0],
          [0, 0],
          [0, 0],
        ]),
      ),
      t([
        [0.5, 0, 0],
        [0, 0, 0],
      ]),
      0,
      0,
    )
    expect(() => pinv(t(A), -1)).toThrow(InvalidArgumentError)
    expect(() => pinv(t([1]))).toThrow(ShapeError)
  })

  it('derivative: −P·dA·P for square A; finite at repeated singular values (−W at I)', () => {
    const sq = [
      [3, 1],
      [1, 2],
    ]
    const da = t([
      [0.5, -1],
      [2, 0.25],
    ])
    const p = pinv(t(sq))
    const [, pDot] = jvp((x: Tensor) => pinv(x), [t(sq)], [da])
    expectClose(pDot, mul(-1, matmul(matmul(p, da), p)), 1e-13, 1e-14)
    // at I all singular values are 1: the gradient of ⟨W, pinv(A)⟩ is −Pᵀ·W·Pᵀ = −W
    const w = t([
      [1, 2],
      [3, 4],
    ])
    expectClose(grad((x: Tensor) => sum(mul(pinv(x), w)))(t(identity(2))), mul(-1, w), 0, 1e-15)
  })

  it('derivative at a rank-deficient A: exact along rank-preserving paths', () => {
    const a = t([
      [1, 0],
      [0, 0],
    ])
    // A + s·[[1, 0], [0, 0]]: pinv = [[1/(1+s), 0], [0, 0]]
    expectClose(
      jvp(
        (x: Tensor) => pinv(x),
        [a],
        [
          t([
            [1, 0],
            [0, 0],
          ]),
        ],
      )[1],
      t([
        [-1, 0],
        [0, 0],
      ]),
      0,
      1e-15,
    )
    // A + s·[[0, 1], [0, 0]] = [[1, s], [0, 0]]: pinv = [[1, 0], [s, 0]]/(1 + s²)
    expectClose(
      jvp(
        (x: Tensor) => pinv(x),
        [a],
        [
          t([
            [0, 1],
            [0, 0],
          ]),
        ],
      )[1],
      t([
        [0, 0],
        [1, 0],
      ]),
      0,
      1e-15,
    )
  })

  it('grad = central differences for tall and wide A; jit both calls; vmap', () => {
    const w = (m: number, n: number) =>
      t(
        Array.from({ length: n }, (_, i) =>
          Array.from({ length: m }, (_, j) => Math.sin(i + 3 * j)),
        ),
      )
    for (const a of [A, tr(A)]) {
      const f = (x: Tensor) => sum(mul(pinv(x), w(a.length, a[0]!.length)))
      expectClose(grad(f)(t(a)), t(fdGrad((x) => f(x).item(), a)), 1e-7, 1e-8)
    }
    const mats = [
      A,
      mm(A, [
        [2, 0],
        [1, 1],
      ]),
    ]
    const each = mats.map((m) => rowsOf(pinv(t(m))))
    expectClose(vmap((x: Tensor) => pinv(x))(tensor(mats)), tensor(each), 0, 0)
    const compiled = jit((x: Tensor) => pinv(x))
    expect(compiled(t(mats[0]!)).data).toEqual(pinv(t(mats[0]!)).data)
    expect(compiled(t(mats[1]!)).data).toEqual(pinv(t(mats[1]!)).data)
  })
})
