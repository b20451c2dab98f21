/**
 * Derivatives of an elementwise op through every transformation, at chosen points: grad and
 * grad∘grad against central differences of the op and of its grad; Taylor mode (`derivative`,
 * orders 1–3) against nested grads; jacfwd and jacrev of the op on a tensor (diagonal: the
 * grads); the Hessian of Σ op (diagonal: the second derivatives); vmap of grad; jit of grad,
 * first call and replay, against eager bits. For a binary op, the same in each argument with
 * the other held fixed, and the mixed second derivative.
 */
import {
  derivative,
  grad,
  hessian,
  jacfwd,
  jacrev,
  jit,
  sum,
  type Tensor,
  tensor,
  vmap,
} from 'fluxion'
import { expect } from 'vitest'
import { expectClose } from '../helpers.ts'

/** An elementwise op of one argument, on numbers and tensors. */
export type UnaryOp = { (x: number): number; (x: Tensor): Tensor }
/** An elementwise op of two arguments, with broadcasting. */
export type BinaryOp = {
  (a: number, b: number): number
  (a: Tensor, b: number | Tensor): Tensor
  (a: number | Tensor, b: Tensor): Tensor
}

/** Central difference of f at x, step h·max(1, |x|). */
const central = (f: (x: number) => number, x: number, h = 1e-5): number => {
  const step = h * Math.max(1, Math.abs(x))
  return (f(x + step) - f(x - step)) / (2 * step)
}

/** The diagonal of a square matrix tensor. */
const diagonal = (m: Tensor): number[] => {
  const n = m.shape[0]!
  return Array.from({ length: n }, (_, i) => m.data[i * n + i]!)
}

/** Checks op's derivatives at each point (well inside its domain) in every mode. */
export function checkUnary(op: UnaryOp, xs: readonly number[], rtol = 1e-6): void {
  const f = (x: number): number => op(x)
  const d1 = grad(f)
  const d2 = grad(d1)
  for (const x of xs) {
    const label = `at x = ${x}`
    expect(Number.isFinite(d1(x)), `grad ${label}`).toBe(true)
    expectClose(d1(x), central(f, x), rtol, rtol)
    expectClose(d2(x), central(d1, x), rtol, rtol)
    // Taylor mode agrees with nested first-order rules to rounding
    for (const k of [1, 2, 3]) {
      let nested: (y: number) => number = f
      for (let i = 0; i < k; i++) nested = grad(nested)
      expectClose(derivative(f, k)(x), nested(x), 1e-9, 1e-12)
    }
  }
  const t = tensor([...xs])
  const grads = xs.map((x) => d1(x))
  const seconds = xs.map((x) => d2(x))
  const jf = jacfwd((v: Tensor) => op(v))(t) as Tensor
  const jr = jacrev((v: Tensor) => op(v))(t) as Tensor
  expectClose(jf, jr, 1e-14, 1e-14)
  expectClose(diagonal(jf), grads, 1e-13, 1e-14)
  expectClose(diagonal(hessian((v: Tensor) => sum(op(v)))(t) as Tensor), seconds, 1e-12, 1e-13)
  expectClose(vmap((v: Tensor) => grad((u: Tensor) => sum(op(u)))(v))(t), grads, 1e-13, 1e-14)
  const eager = grad((v: Tensor) => sum(op(v)))(t)
  const compiled = jit(grad((v: Tensor) => sum(op(v))))
  expect([...compiled(t).data]).toEqual([...eager.data])
  expect([...compiled(t).data]).toEqual([...eager.data])
}

/** Checks a binary op's derivatives at each point (a, b) in every mode. */
export function checkBinary(
  op: BinaryOp,
  points: readonly (readonly [number, number])[],
  rtol = 1e-6,
): void {
  for (const [a, b] of points) {
    const left = ((x: number | Tensor) => (typeof x === 'number' ? op(x, b) : op(x, b))) as UnaryOp
    const right = ((y: number | Tensor) => (typeof y === 'number' ? op(a, y) : op(a, y))) as UnaryOp
    checkUnary(left, [a], rtol)
    checkUnary(right, [b], rtol)
    // the mixed second derivative, both ways round
    const dA = (x: number, y: number): number => grad((u: number) => op(u, y))(x)
    const mixed = grad((y: number) => dA(a, y))(b)
    const other = grad((x: number) => grad((v: number) => op(x, v))(b))(a)
    expectClose(mixed, other, 1e-12, 1e-13)
    expectClose(
      mixed,
      central((y) => dA(a, y), b),
      rtol,
      rtol,
    )
  }
  // broadcasting: a vector against a scalar, reverse mode sums the scalar's cotangent
  const as = tensor(points.map(([a]) => a))
  const b0 = points[0]![1]
  const gb = grad((y: number) => sum(op(as, y)))(b0)
  const each = points.reduce((acc, [a]) => acc + grad((y: number) => op(a, y))(b0), 0)
  expectClose(gb, each, 1e-12, 1e-13)
}
