/**
 * Determinants: the `det` and `slogdet` primitives, from the LU factors that `solve` caches.
 *
 * Derivative (Jacobi's formula): d det A = det A · tr(A⁻¹·dA) and d log|det A| = tr(A⁻¹·dA),
 * each through one solve with A — the factorization the forward pass cached. The cotangent
 * A⁻ᵀ (times det A, or not) is one transposed solve against the identity. det A enters as
 * m·2ᵉ (`detParts`), so the derivative is right where det A under- or overflows but the
 * adjugate does not, with the bits of ȳ·det A·A⁻ᵀ wherever det A is a normal double. At an exactly
 * singular matrix the derivative of det is the adjugate, which this route cannot reach: there
 * the rules throw `LinAlgError`, never a NaN.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, and every registry law (at well-conditioned matrices).
 * @module
 */
import { bind1 } from '../../core/bind.ts'
import { define, type Primitive } from '../../core/primitive.ts'
import { shapeOf, type Val } from '../../core/tracer.ts'
import { eye, tensor } from '../../tensor/create.ts'
import { detK, slogdetK } from '../../tensor/kernels/lu.ts'
import { squareSize } from '../../tensor/kernels/matrix-batch.ts'
import type { Shape } from '../../tensor/shape.ts'
import { Tensor } from '../../tensor/tensor.ts'
import { add, mul, neg, sub } from '../arithmetic.ts'
import { greaterEqual, less, stopGradient, where } from '../comparison.ts'
import { abs, exp } from '../elementwise.ts'
import { exp2 } from '../elementwise-extra.ts'
import { asTensor } from '../families.ts'
import { floorDivide } from '../remainder.ts'
import { expandDims, index, pad } from '../structural.ts'
import { identity, lastSize, mm, traceOf } from './helpers.ts'
import { drawBatch, drawDominant } from './sampling.ts'
import { luSolve, type SolveCaller } from './solve.ts'

type Value = number | Tensor

/** The batch shape of `[..., n, n]`, after checking it is square. */
const batchShape = (s: Shape, op: string): Shape => {
  squareSize(s, op)
  return s.slice(0, -2)
}

/**
 * The solves of `op`'s derivative rules: at an exactly singular matrix they throw an error that
 * names `op` and says its derivative is missing there (eagerly and on every `jit` replay).
 */
const derivativeOf = (op: string): SolveCaller => ({ op, derivative: true })

/** tr(A⁻¹·Ȧ) for each matrix: one solve with A's cached factors. */
const traceSolve = (a: Val, aDot: Val, op: string): Val =>
  traceOf(luSolve(a, aDot, false, derivativeOf(op)))

/** c·A⁻ᵀ for `[...]`-shaped c: one transposed solve against the identity. */
const scaledInverseT = (a: Val, c: Val, op: string): Val =>
  mul(expandDims(expandDims(c, -1), -1), luSolve(a, identity(lastSize(a)), true, derivativeOf(op)))

/** The smallest positive normal double, 2⁻¹⁰²²: below it a product of pivots has lost bits. */
const minNormal = 2 ** -1022

/**
 * det A = y as m·2ᵉ, e an integer [...] and |m| within a factor 2 of 1, so that det A can
 * scale a derivative whose value is representable where det A is not (it under- or overflows
 * as a product of pivots long before the adjugate does). Where y is a normal double, m = y·2⁻ᵉ
 * exactly; elsewhere m = sign·exp(log|det A| − e·ln 2), ~1e−13 relative, from slogdet on the
 * same cached factors. e is a constant: the derivative of m·2ᵉ is that of det.
 */
const detParts = (a: Val, y: Val): { m: Val; e: Val } => {
  const sl = bind1(slogdetP, a, undefined)
  const logAbs = index(sl, 1, -1)
  const e = floorDivide(stopGradient(logAbs as Tensor), Math.LN2)
  const normal = mul(greaterEqual(abs(y as Tensor), minNormal), less(abs(y as Tensor), Infinity))
  const fromLog = mul(index(sl, 0, -1), exp(sub(logAbs, mul(e, Math.LN2))))
  return { m: where(normal, mul(y, exp2(neg(e))), fromLog), e }
}

/**
 * x·2ᵉ for `[...]`-shaped integers e (x `[...]`, or `[..., n, n]` with `matrix`), as two exact
 * power-of-two products, so neither factor leaves the doubles where the result does not.
 */
const timesPow2 = (x: Val, e: Val, matrix: boolean): Val => {
  const lift = (v: Val): Val => (matrix ? expandDims(expandDims(v, -1), -1) : v)
  const e1 = floorDivide(e, 2)
  return mul(mul(x, lift(exp2(e1))), lift(exp2(sub(e, e1))))
}

/**
 * g_m = tr(X_m), m = 0 … K−1, for the series X(t) = A(t)⁻¹·A′(t): A′ has coefficients
 * (m+1)·A_{m+1}, and A·X = A′ gives X_m = A₀⁻¹·((m+1)·A_{m+1} − Σ_{i=1..m} A_i·X_{m−i}).
 */
const traceSeries = (a: readonly Val[], op: string): Val[] => {
  const x: Val[] = []
  const g: Val[] = []
  for (let m = 0; m + 1 < a.length; m++) {
    let rhs = m === 0 ? a[1]! : mul(a[m + 1]!, m + 1)
    for (let i = 1; i <= m; i++) rhs = sub(rhs, mm(a[i]!, x[m - i]!))
    x.push(luSolve(a[0]!, rhs, false, derivativeOf(op)))
    g.push(traceOf(x[m]!))
  }
  return g
}

/** Primitive record of {@link det}: `[..., n, n]` → `[...]`. */
export const detP: Primitive<void> = define<void>({
  name: 'det',
  arity: 1,
  zeroDerivative: false,
  impl: ([a]) => {
    const t = asTensor(a!)
    return new Tensor(detK(t.data, t.shape), t.shape.slice(0, -2))
  },
  shape: ([s]) => batchShape(s!, 'det'),
  // det A·tr(A⁻¹·Ȧ), formed as (m·tr)·2ᵉ: the bits of y·tr wherever y is a normal double
  jvp: ([a], [aDot], y) => {
    if (aDot == null) return null
    const { m, e } = detParts(a!, y)
    return timesPow2(mul(m, traceSolve(a!, aDot, 'det')), e, false)
  },
  // Ā = ȳ·det A·A⁻ᵀ (the cofactor matrix, scaled), formed as ((ȳ·m)·A⁻ᵀ)·2ᵉ
  vjp: (yBar, [a], y) => {
    const { m, e } = detParts(a!, y)
    return [timesPow2(scaledInverseT(a!, mul(yBar, m), 'det'), e, true)]
  },
  batch: ([a]) => bind1(detP, a!, undefined),
  // a recurrence: y′ = y·g with g = tr(A⁻¹·A′), so k·y_k = Σ_{j=0..k−1} g_j·y_{k−1−j}
  taylor: ([a]) => {
    const y: Val[] = [bind1(detP, a![0]!, undefined)]
    if (a!.length === 1) return y
    const g = traceSeries(a!, 'det')
    for (let k = 1; k < a!.length; k++) {
      let acc = mul(y[0]!, g[k - 1]!)
      for (let j = 1; j < k; j++) acc = add(acc, mul(y[j]!, g[k - 1 - j]!))
      y.push(k === 1 ? acc : mul(acc, 1 / k))
    }
    return y
  },
  domain: {
    sample: (draw) => {
      const n = draw.integer(1, 4)
      return { args: [drawDominant(draw, drawBatch(draw), n, true)], params: undefined }
    },
    special: () => specialMatrices(),
  },
})

/** Special points of det and slogdet: non-singular, and kept so by square, exp and abs. */
const specialMatrices = () => [
  { args: [eye(3)], params: undefined },
  {
    args: [
      tensor([
        [0, -2],
        [1, -0],
      ]),
    ],
    params: undefined,
  },
  {
    args: [
      tensor([
        [
          [2, -0, 1],
          [0, -3, 0],
          [-0, 1, 4],
        ],
        [
          [-0.5, 0, 0],
          [0, 2, -0],
          [0, 0, -1],
        ],
      ]),
    ],
    params: undefined,
  },
]

/** Primitive record of {@link slogdet}: `[..., n, n]` → `[..., 2]` packing (sign, log|det|). */
export const slogdetP: Primitive<void> = define<void>({
  name: 'slogdet',
  arity: 1,
  zeroDerivative: false,
  impl: ([a]) => {
    const t = asTensor(a!)
    return new Tensor(slogdetK(t.data, t.shape), [...t.shape.slice(0, -2), 2])
  },
  shape: ([s]) => [...batchShape(s!, 'slogdet'), 2],
  // the sign is locally constant: its tangent is 0, packed before log|det|'s
  jvp: ([a], [aDot]) => (aDot == null ? null : packLog(traceSolve(a!, aDot, 'slogdet'))),
  vjp: (yBar, [a]) => [scaledInverseT(a!, index(yBar, 1, -1), 'slogdet')],
  batch: ([a]) => bind1(slogdetP, a!, undefined),
  // log|det|′ = g, so its k-th coefficient is g_{k−1}/k; the sign's are 0
  taylor: ([a]) => {
    const y0 = bind1(slogdetP, a![0]!, undefined)
    if (a!.length === 1) return [y0]
    const g = traceSeries(a!, 'slogdet')
    return [y0, ...g.map((gk, k) => packLog(k === 0 ? gk : mul(gk, 1 / (k + 1))))]
  },
  domain: {
    sample: (draw) => {
      const n = draw.integer(1, 4)
      return { args: [drawDominant(draw, drawBatch(draw), n, true)], params: undefined }
    },
    special: () => specialMatrices(),
  },
})

/** `[...]` log|det| tangents packed as `[..., 2]` under a zero sign tangent. */
const packLog = (l: Val): Val => {
  const r = shapeOf(l).length
  return pad(
    expandDims(l, -1),
    Array.from({ length: r + 1 }, (_, i) => (i === r ? [1, 0] : [0, 0]) as [number, number]),
  )
}

/**
 * The determinant of each matrix of `[..., n, n]` (shape `[...]`), from its LU factorization
 * with partial pivoting: sign(P)·Π uᵢᵢ. An exactly singular matrix gives 0, as NumPy; the
 * product may overflow to ±∞ or underflow to 0 for large n — `slogdet` does not.
 *
 * Derivative: d det a = det a · tr(a⁻¹·da) (Jacobi), cotangent ā = ȳ·det a·a⁻ᵀ, each one solve
 * with the factors the forward pass cached. det a enters as m·2ᵉ, so these are right (to
 * ~1e−13) where det a itself under- or overflows but they do not: ∇det at 1e−110·A (3 × 3) is
 * 1e−220·adj(A)ᵀ, not 0. At an exactly singular matrix the derivative (the
 * adjugate) is not computed: it throws `LinAlgError`. Taylor mode by the recurrence
 * k·y_k = Σ_j g_j·y_{k−1−j}, g the series of tr(a⁻¹·a′).
 *
 * Throws `ShapeError` when `a` is not `[..., n, n]`, `LinAlgError` for a non-finite entry.
 * @example
 * linalg.det(tensor([[1, 2], [3, 4]])).item() // ≈ -2
 * grad((a: Tensor) => linalg.det(a))(tensor([[1, 2], [3, 4]])).toArray() // ≈ [[4, -3], [-2, 1]]
 * @category linalg
 */
export function det(a: Value): Tensor {
  squareSize(shapeOf(a), 'det')
  return bind1(detP, a, undefined) as Tensor
}

/** Sign and log-magnitude of determinants: the result of {@link slogdet}. */
export interface SlogdetResult {
  /** The sign of det: 1, −1, or 0 for a singular matrix. Shape `[...]`. */
  readonly sign: Tensor
  /** log|det|: −∞ for a singular matrix. Shape `[...]`. */
  readonly logabsdet: Tensor
}

/**
 * The sign and natural log of the absolute value of the determinant of each matrix of
 * `[..., n, n]` (numpy.linalg.slogdet): det = sign·exp(logabsdet), without the overflow of a
 * product of pivots. An exactly singular matrix gives sign 0 and logabsdet −∞, as NumPy.
 *
 * Derivative: d logabsdet = tr(a⁻¹·da), ā = ȳ·a⁻ᵀ (one solve with the cached factors); the
 * sign's derivative is 0. At an exactly singular matrix the derivative throws `LinAlgError`.
 * Taylor mode by the recurrence of tr(a⁻¹·a′).
 *
 * Throws `ShapeError` when `a` is not `[..., n, n]`, `LinAlgError` for a non-finite entry.
 * @example
 * const s = linalg.slogdet(tensor([[1, 2], [3, 4]]))
 * s.sign.item() // => -1
 * s.logabsdet.item() // ≈ Math.log(2)
 * @category linalg
 */
export function slogdet(a: Value): SlogdetResult {
  squareSize(shapeOf(a), 'slogdet')
  const y = bind1(slogdetP, a, undefined)
  return { sign: index(y, 0, -1), logabsdet: index(y, 1, -1) }
}
