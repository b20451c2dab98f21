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
import { bindN } from '../core/bind.ts'
import { zeroLike } from '../core/jet.ts'
import { JvpInterpreter } from '../core/jvp.ts'
import type { Primitive } from '../core/primitive.ts'
import type { Val } from '../core/tracer.ts'
import { add, div, mul, neg, safeMul, sub } from './arithmetic.ts'

/** Taylor coefficients x₀ … x_K of one argument. */
export type Series = readonly Val[]

/**
 * Σ_{j=0..k} aⱼ·b_{k−j}: coefficient k of a product. For k ≥ 1 every term holds a coefficient
 * of order ≥ 1 — a tangent — so the terms are zero-annihilating products (`safeMul`), the
 * convention of every mode: 0 · ∞ is 0. Coefficient 0 is the primal, plain IEEE arithmetic. A
 * given `product` (matmul's, linear) is used as it is.
 */
export function cauchy(a: Series, b: Series, k: number, product?: (x: Val, y: Val) => Val): Val {
  const times = product ?? (k === 0 ? mul : safeMul)
  let acc: Val = times(a[0]!, b[k]!)
  for (let j = 1; j <= k; j++) acc = add(acc, times(a[j]!, b[k - j]!))
  return acc
}

/** The series of a product, to the order of `a`. */
export function productSeries(a: Series, b: Series, product?: (x: Val, y: Val) => Val): Val[] {
  return a.map((_, k) => cauchy(a, b, k, product))
}

/** j·x_j for each coefficient: the weights every ODE step multiplies with (x′'s coefficients, shifted). */
export function weighted(x: Series): Val[] {
  return x.map((xj, j) => (j === 0 ? 0 : mul(j, xj)))
}

/**
 * Coefficient k ≥ 1 of y where y′ = g·x′: (1/k) Σ_{j=1..k} j·xⱼ·g_{k−j}, given `jx` = j·xⱼ
 * (from `weighted`, computed once per series). Each term is a tangent times a partial's
 * coefficient: zero-annihilating.
 */
export function odeStepWeighted(jx: Series, g: Series, k: number): Val {
  let acc: Val = safeMul(jx[1]!, g[k - 1]!)
  for (let j = 2; j <= k; j++) acc = add(acc, safeMul(jx[j]!, g[k - j]!))
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

/**
 * The series of y with y(0) = y0 and u·y′ = x′ (log: u = x; atan: u = 1 + x²). Each step is a
 * tangent times 1/u₀, zero-annihilating: log at 0 has coefficients ±∞, not NaN.
 */
export function quotientOde(x: Series, u: Series, y0: Val): Val[] {
  const r = div(1, u[0]!)
  const y: Val[] = [y0]
  for (let k = 1; k < x.length; k++) {
    // k·u₀·y_k = k·x_k − Σ_{j=1..k−1} j·y_j·u_{k−j}
    let acc: Val = x[k]!
    for (let j = 1; j < k; j++) acc = sub(acc, div(safeMul(mul(j, y[j]!), u[k - j]!), k))
    y.push(safeMul(acc, r))
  }
  return y
}

/** Coefficient m of y² from y₀ … y_m. */
export function squareAt(y: readonly Val[], m: number): Val {
  return cauchy(y, y, m)
}

/**
 * The series of a quotient a / b: y_k = (a_k − Σ_{j=1..k} b_j·y_{k−j}) · (1/b₀), products
 * zero-annihilating, so x/0 has coefficients ±∞ where the tangent is nonzero and 0 where it is 0.
 */
export function quotientSeries(a: Series, b: Series): Val[] {
  const r = div(1, b[0]!)
  const y: Val[] = [div(a[0]!, b[0]!)]
  for (let k = 1; k < a.length; k++) {
    let acc: Val = a[k]!
    for (let j = 1; j <= k; j++) acc = sub(acc, safeMul(b[j]!, y[k - j]!))
    y.push(safeMul(acc, r))
  }
  return y
}

/** The series of √x: 2y₀·y_k = x_k − Σ_{j=1..k−1} y_j·y_{k−j}, with sqrt's partial 0.5/y₀. */
export function sqrtSeries(x: Series, y0: Val): Val[] {
  const r = div(0.5, y0)
  const y: Val[] = [y0]
  for (let k = 1; k < x.length; k++) {
    let acc: Val = x[k]!
    for (let j = 1; j < k; j++) acc = sub(acc, safeMul(y[j]!, y[k - j]!))
    y.push(safeMul(acc, r))
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

/**
 * Taylor rule of any primitive, from its forward rule: with x(t) = Σ xₖ tᵏ for each argument,
 * y(t) = p(x(t)) has coefficients yₖ = y⁽ᵏ⁾(0)/k!, and K forward passes nested along the one
 * scalar t give y′ … y⁽ᴷ⁾. It costs O(2ᴷ) evaluations of `p` and its rules: the documented
 * fallback for primitives without a recurrence of their own (the matrix factorizations).
 * Arguments flagged in `constant` enter as their value alone.
 */
export function seriesByNestedJvp<P>(
  p: Primitive<P>,
  series: readonly Series[],
  params: P,
  constant?: readonly boolean[],
): Val[] {
  const order = series[0]!.length - 1
  // Horner in t: x₀ + t·(x₁ + t·(x₂ + …)); t enters only where a coefficient does, and never
  // into an argument flagged constant (its tangent stays a symbolic zero: `betainc`'s a and b)
  const at = (t: Val): Val =>
    bindN(
      p,
      series.map((xs, i) => {
        if (constant?.[i] === true) return xs[0]!
        let acc: Val = xs[order]!
        for (let k = order - 1; k >= 0; k--) acc = add(xs[k]!, mul(t, acc))
        return acc
      }),
      params,
    )
  // [g(t), g′(t), …, g⁽ᵐ⁾(t)]: one more forward pass turns m − 1 derivatives into m
  const derivatives = (m: number, t: Val): Val[] => {
    if (m === 0) return [at(t)]
    const interp = new JvpInterpreter('derivative')
    try {
      const outs = derivatives(m - 1, interp.lift(t, 1))
      const value = interp.primalOf(outs[0]!)
      return [value, ...outs.map((o) => interp.tangentOf(o) ?? zeroLike(interp.primalOf(o)))]
    } finally {
      interp.close()
    }
  }
  let factorial = 1
  return derivatives(order, 0).map((d, k) => {
    if (k > 1) factorial *= k
    return k < 2 ? d : mul(d, 1 / factorial)
  })
}
