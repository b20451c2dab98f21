/**
 * Taylor arithmetic: the rules that propagate truncated Taylor series x(t) = Σ xₖ tᵏ through
 * primitives (Taylor mode, as in JAX's `jet`). Each rule computes output coefficients up to the
 * order of its inputs with the classical recurrences (Griewank & Walther, ch. 13), so order K
 * costs O(K²) per primitive instead of the O(2ᴷ) of K nested first-order passes.
 *
 * Coefficients are values, and the rules are written in fluxion ops: a Taylor pass runs inside
 * every other transformation (`grad(derivative(f, 3))` works).
 * @module
 */
import type { Val } from '../core/tracer.ts'
import { add, div, mul, neg, sub } from './arithmetic.ts'

/** Taylor coefficients x₀ … x_K of one argument. */
export type Series = readonly Val[]

/** Σ_{j=0..k} aⱼ·b_{k−j}: coefficient k of a product. */
export function cauchy(
  a: Series,
  b: Series,
  k: number,
  product: (x: Val, y: Val) => Val = mul,
): Val {
  let acc: Val = product(a[0]!, b[k]!)
  for (let j = 1; j <= k; j++) acc = add(acc, product(a[j]!, b[k - j]!))
  return acc
}

/** The series of a product, to the order of `a`. */
export function productSeries(a: Series, b: Series, product: (x: Val, y: Val) => Val = mul): Val[] {
  return a.map((_, k) => cauchy(a, b, k, product))
}

/** j·x_j for each coefficient: the weights every ODE step multiplies with (x′'s coefficients, shifted). */
export function weighted(x: Series): Val[] {
  return x.map((xj, j) => (j === 0 ? 0 : mul(j, xj)))
}

/**
 * Coefficient k ≥ 1 of y where y′ = g·x′: (1/k) Σ_{j=1..k} j·xⱼ·g_{k−j}, given `jx` = j·xⱼ
 * (from `weighted`, computed once per series).
 */
export function odeStepWeighted(jx: Series, g: Series, k: number): Val {
  let acc: Val = mul(jx[1]!, g[k - 1]!)
  for (let j = 2; j <= k; j++) acc = add(acc, mul(jx[j]!, g[k - j]!))
  return div(acc, k)
}

/**
 * The series of y with y(0) = y0 and y′ = g(y)·x′, where `gAt(y, m)` gives coefficient m of g
 * from y₀ … y_m (exp: g = y; tanh: g = 1 − y²; logistic: g = y − y²).
 */
export function solveOde(x: Series, y0: Val, gAt: (y: readonly Val[], m: number) => Val): Val[] {
  const jx = weighted(x)
  const y: Val[] = [y0]
  const g: Val[] = []
  for (let k = 1; k < x.length; k++) {
    g.push(gAt(y, k - 1))
    y.push(odeStepWeighted(jx, g, k))
  }
  return y
}

/** The series of y with y(0) = y0 and u·y′ = x′ (log: u = x; atan: u = 1 + x²). */
export function quotientOde(x: Series, u: Series, y0: Val): Val[] {
  const y: Val[] = [y0]
  for (let k = 1; k < x.length; k++) {
    // k·u₀·y_k = k·x_k − Σ_{j=1..k−1} j·y_j·u_{k−j}
    let acc: Val = x[k]!
    for (let j = 1; j < k; j++) acc = sub(acc, div(mul(mul(j, y[j]!), u[k - j]!), k))
    y.push(div(acc, u[0]!))
  }
  return y
}

/** Coefficient m of y² from y₀ … y_m. */
export function squareAt(y: readonly Val[], m: number): Val {
  return cauchy(y, y, m)
}

/** The series of a quotient a / b. */
export function quotientSeries(a: Series, b: Series): Val[] {
  const y: Val[] = [div(a[0]!, b[0]!)]
  for (let k = 1; k < a.length; k++) {
    let acc: Val = a[k]!
    for (let j = 1; j <= k; j++) acc = sub(acc, mul(b[j]!, y[k - j]!))
    y.push(div(acc, b[0]!))
  }
  return y
}

/** The series of √x. */
export function sqrtSeries(x: Series, y0: Val): Val[] {
  const y: Val[] = [y0]
  for (let k = 1; k < x.length; k++) {
    let acc: Val = x[k]!
    for (let j = 1; j < k; j++) acc = sub(acc, mul(y[j]!, y[k - j]!))
    y.push(div(acc, mul(2, y0)))
  }
  return y
}

/** sin and cos series together: s′ = c·x′, c′ = −s·x′. */
export function trigSeries(x: Series, s0: Val, c0: Val, hyperbolic: boolean): [Val[], Val[]] {
  const jx = weighted(x)
  const s: Val[] = [s0]
  const c: Val[] = [c0]
  for (let k = 1; k < x.length; k++) {
    const sk = odeStepWeighted(jx, c, k)
    const ck = odeStepWeighted(jx, s, k)
    s.push(sk)
    c.push(hyperbolic ? ck : neg(ck))
  }
  return [s, c]
}

/** Coefficientwise map (linear rules). */
export function coefficientwise(
  series: readonly Series[],
  f: (coeffs: readonly Val[]) => Val,
): Val[] {
  return series[0]!.map((_, k) => f(series.map((s) => s[k]!)))
}

/** The series of a constant: c, 0, 0, … */
export function constantSeries(c: Val, order: number): Val[] {
  return [c, ...new Array<Val>(order).fill(0)]
}
