/**
 * Solvers for the implicit-differentiation tests, written by hand: conjugate gradients over any
 * tree (fixed iteration count, no value reads, so jit compiles it; or to a tolerance, reading
 * values), Gaussian elimination with partial pivoting in fluxion ops (pivots chosen on values),
 * a dense solve of a linear function through its Jacobian, Cramer's rule for 2×2 systems (no
 * reads: differentiable and batchable when unrolled), and a plain-JS solve for closed forms.
 */
import {
  add,
  div,
  index,
  jacfwd,
  mul,
  stack,
  sub,
  type Tensor,
  treeAdd,
  treeDot,
  treeScale,
  treeSub,
  value,
  zeros,
} from 'fluxion'

/** A guard against 0/0 when the residual vanishes exactly (a zero right-hand side). */
const TINY = 1e-300

/** Conjugate gradients with a fixed number of iterations, over trees; `counter.calls` counts calls. */
export const cg =
  (iterations: number, counter?: { calls: number }) =>
  <T>(matvec: (x: T) => T, b: T): T => {
    if (counter !== undefined) counter.calls++
    let x = treeScale(0, b)
    let r = b
    let p = r
    let rr = treeDot(r, r)
    for (let k = 0; k < iterations; k++) {
      const ap = matvec(p)
      const alpha = div(rr, add(treeDot(p, ap), TINY))
      x = treeAdd(x, treeScale(alpha, p))
      r = treeSub(r, treeScale(alpha, ap))
      const next = treeDot(r, r)
      p = treeAdd(r, treeScale(div(next, add(rr, TINY)), p))
      rr = next
    }
    return x
  }

/** Conjugate gradients until ‖r‖ ≤ 1e-14·‖b‖, deciding on values (so jit runs it eagerly). */
export const cgTol =
  (counter?: { calls: number }) =>
  <T>(matvec: (x: T) => T, b: T): T => {
    if (counter !== undefined) counter.calls++
    let x = treeScale(0, b)
    let r = b
    let p = r
    let rr = treeDot(r, r)
    const stop = 1e-28 * (value(rr) as number)
    for (let k = 0; k < 1000 && (value(rr) as number) > stop; k++) {
      const ap = matvec(p)
      const alpha = div(rr, treeDot(p, ap))
      x = treeAdd(x, treeScale(alpha, p))
      r = treeSub(r, treeScale(alpha, ap))
      const next = treeDot(r, r)
      p = treeAdd(r, treeScale(div(next, rr), p))
      rr = next
    }
    return x
  }

const abs = (t: Tensor): number => Math.abs((value(t) as Tensor).item())

/** A·x = b by Gaussian elimination with partial pivoting, in fluxion ops. */
export const gauss = (A: Tensor, b: Tensor): Tensor => {
  const n = b.shape[0]!
  const rows = Array.from({ length: n }, (_, i) => index(A, i))
  const rhs = Array.from({ length: n }, (_, i) => index(b, i))
  for (let k = 0; k < n; k++) {
    let pivot = k
    for (let i = k + 1; i < n; i++) {
      if (abs(index(rows[i]!, k)) > abs(index(rows[pivot]!, k))) pivot = i
    }
    ;[rows[k], rows[pivot]] = [rows[pivot]!, rows[k]!]
    ;[rhs[k], rhs[pivot]] = [rhs[pivot]!, rhs[k]!]
    for (let i = k + 1; i < n; i++) {
      const m = div(index(rows[i]!, k), index(rows[k]!, k))
      rows[i] = sub(rows[i]!, mul(m, rows[k]!))
      rhs[i] = sub(rhs[i]!, mul(m, rhs[k]!))
    }
  }
  const x: Tensor[] = new Array<Tensor>(n)
  for (let i = n - 1; i >= 0; i--) {
    let acc = rhs[i]!
    for (let j = i + 1; j < n; j++) acc = sub(acc, mul(index(rows[i]!, j), x[j]!))
    x[i] = div(acc, index(rows[i]!, i))
  }
  return stack(x)
}

/** Solves op(v) = y for a linear op on vectors: Gaussian elimination on its Jacobian. */
export const denseSolve = (op: (v: Tensor) => Tensor, y: Tensor): Tensor =>
  gauss(jacfwd(op)(zeros(y.shape)), y)

/** A·x = b for a 2×2 A by Cramer's rule (no value reads). */
export const cramer = (A: Tensor, b: Tensor): Tensor => {
  const [r0, r1] = [index(A, 0), index(A, 1)]
  const [a, bb, c, d] = [index(r0, 0), index(r0, 1), index(r1, 0), index(r1, 1)]
  const det = sub(mul(a, d), mul(bb, c))
  const [b0, b1] = [index(b, 0), index(b, 1)]
  return stack([div(sub(mul(d, b0), mul(bb, b1)), det), div(sub(mul(a, b1), mul(c, b0)), det)])
}

/** A·x = b in plain JS (partial pivoting), for closed forms. */
export const jsSolve = (A: readonly (readonly number[])[], b: readonly number[]): number[] => {
  const n = b.length
  const M = A.map((row, i) => [...row, b[i]!])
  for (let k = 0; k < n; k++) {
    let p = k
    for (let i = k + 1; i < n; i++) if (Math.abs(M[i]![k]!) > Math.abs(M[p]![k]!)) p = i
    ;[M[k], M[p]] = [M[p]!, M[k]!]
    for (let i = k + 1; i < n; i++) {
      const [row, top] = [M[i]!, M[k]!]
      const m = row[k]! / top[k]!
      for (let j = k; j <= n; j++) row[j] = row[j]! - m * top[j]!
    }
  }
  const x = new Array<number>(n).fill(0)
  for (let i = n - 1; i >= 0; i--) {
    let acc = M[i]![n]!
    for (let j = i + 1; j < n; j++) acc -= M[i]![j]! * x[j]!
    x[i] = acc / M[i]![i]!
  }
  return x
}

/** The transpose of a plain-JS matrix. */
export const jsTranspose = (A: readonly (readonly number[])[]): number[][] =>
  A[0]!.map((_, j) => A.map((row) => row[j]!))
