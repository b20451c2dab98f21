/**
 * Implicit differentiation: `customRoot`, `fixedPoint` and `linearSolve` differentiated by the
 * implicit function theorem, checked against central finite differences, closed forms worked
 * out in comments (and computed in plain JS), and the same solvers differentiated through
 * their unrolled iterations — under grad, jvp, vjp, jacfwd, jacrev, hessian, jacfwd∘jacrev,
 * derivative, vmap and jit (first and second call), and nested in each other. Counters in the
 * solvers show that a derivative costs a bounded number of solves (the iterations are not
 * differentiated), and a solver that fluxion cannot differentiate at all (plain JS on values)
 * still gets exact derivatives.
 */
import {
  add,
  cos,
  customRoot,
  derivative,
  fixedPoint,
  grad,
  hessian,
  InvalidArgumentError,
  index,
  jacfwd,
  jacrev,
  jit,
  jvp,
  LinAlgError,
  linearSolve,
  matmul,
  mul,
  stack,
  sub,
  sum,
  type Tensor,
  TreeMismatchError,
  tanh,
  tensor,
  transpose,
  value,
  vjp,
  vmap,
  zeros,
} from 'fluxion'
import * as linalg from 'fluxion/linalg'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import { cg, cgTol, cramer, denseSolve, jsSolve, jsTranspose } from './implicit-helpers.ts'

const arr = (t: Tensor): number[] => [...t.data]
const mat = (t: Tensor): number[][] => t.toArray() as number[][]

/** Central differences of a function of a vector, entry by entry. */
const fdGrad = (f: (x: Tensor) => number | Tensor, x: Tensor, h = 1e-6): number[] =>
  arr(x).map((_, i) => {
    const step = (s: number) => {
      const d = arr(x)
      d[i]! += s
      const y: unknown = f(tensor(d))
      return typeof y === 'number' ? y : (y as Tensor).item()
    }
    return (step(h) - step(-h)) / (2 * h)
  })

// ---- Newton's method for a nonlinear system in ℝ² ---------------------------------------------

// F(x; θ) = [x₀³ + a·x₀ + x₁ − b₀, x₁³ + x₁ − a·x₀/2 − b₁], θ = [a, b₀, b₁]. Its Jacobian in x,
// [[3x₀² + a, 1], [−a/2, 3x₁² + 1]], has determinant > 0 for a > 0: one root, found by Newton.
const F = (x: Tensor, th: Tensor): Tensor => {
  const [x0, x1] = [index(x, 0), index(x, 1)]
  const [a, b0, b1] = [index(th, 0), index(th, 1), index(th, 2)]
  return stack([
    sub(add(add(mul(mul(x0, x0), x0), mul(a, x0)), x1), b0),
    sub(sub(add(mul(mul(x1, x1), x1), x1), mul(mul(a, x0), 0.5)), b1),
  ])
}

/** 30 Newton steps, the Jacobian by jacfwd and the step by Cramer's rule: no value reads. */
const newton = (f: (x: Tensor) => Tensor, x0: Tensor): Tensor => {
  let x = x0
  for (let k = 0; k < 30; k++) x = sub(x, cramer(jacfwd(f)(x), f(x)))
  return x
}

const calls = { solve: 0, tangent: 0 }
const guess = tensor([1, 0.5])
const root = (th: Tensor): Tensor =>
  customRoot(
    (x: Tensor) => F(x, th),
    guess,
    (f, x0) => {
      calls.solve++
      return newton(f, x0)
    },
    (g, y) => {
      calls.tangent++
      return cramer(jacfwd(g)(zeros([2])), y)
    },
  )
/** The same Newton iterations, differentiated step by step. */
const unrolled = (th: Tensor): Tensor => newton((x) => F(x, th), guess)

/** A loss that depends on θ directly too. */
const lossOf =
  (solution: (th: Tensor) => Tensor) =>
  (th: Tensor): Tensor => {
    const x = solution(th)
    return add(sum(mul(x, x)), mul(index(x, 0), index(th, 0)))
  }
const theta = tensor([2, 3, 1])

const reset = (): void => {
  calls.solve = 0
  calls.tangent = 0
}

describe('customRoot: Newton on a nonlinear system', () => {
  it('finds the root', () => {
    expect(Math.max(...arr(F(root(theta), theta)).map(Math.abs))).toBeLessThan(1e-13)
  })

  it('grad agrees with finite differences and with the unrolled iterations', () => {
    const g = grad(lossOf(root))(theta)
    expectClose(g, fdGrad(lossOf(root), theta), 1e-7, 1e-9)
    expectClose(g, grad(lossOf(unrolled))(theta), 1e-10, 1e-12)
  })

  it('a gradient costs one tangent solve, and the solver is not differentiated', () => {
    reset()
    grad(lossOf(root))(theta)
    expect(calls.tangent).toBe(1)
    expect(calls.solve).toBeLessThanOrEqual(2)
    // a solver fluxion cannot see through (plain JS on values) still gets the exact gradient
    const opaque = (th: Tensor): Tensor =>
      customRoot(
        (x: Tensor) => F(x, th),
        guess,
        (f, x0) => tensor(arr(value(newton(f, value(x0))) as Tensor)),
        (g, y) => cramer(jacfwd(g)(zeros([2])), y),
      )
    expectClose(grad(lossOf(opaque))(theta), grad(lossOf(unrolled))(theta), 1e-10, 1e-12)
  })

  it('jvp, vjp, jacfwd and jacrev agree with the unrolled iterations', () => {
    const t = tensor([0.3, -1, 2])
    expectClose(jvp(root, [theta], [t])[1], jvp(unrolled, [theta], [t])[1], 1e-10, 1e-12)
    const c = tensor([1, -2])
    expectClose(vjp(root, theta)[1](c)[0], vjp(unrolled, theta)[1](c)[0], 1e-10, 1e-12)
    const J = jacfwd(unrolled)(theta)
    expectClose(jacfwd(root)(theta), J, 1e-10, 1e-12)
    expectClose(jacrev(root)(theta), J, 1e-10, 1e-12)
  })

  it('second order: hessian, grad∘grad and jacfwd∘jacrev by the implicit function theorem', () => {
    reset()
    const H = hessian(lossOf(root))(theta)
    expect(calls.solve).toBeLessThanOrEqual(6)
    expectClose(H, hessian(lossOf(unrolled))(theta), 1e-9, 1e-11)
    const scalarLoss = (a: number) => lossOf(root)(stack([a, 3, 1]))
    const scalarUnrolled = (a: number) => lossOf(unrolled)(stack([a, 3, 1]))
    expectClose(grad(grad(scalarLoss))(2), grad(grad(scalarUnrolled))(2), 1e-9, 1e-11)
    expectClose(jacfwd(jacrev(root))(theta), jacfwd(jacrev(unrolled))(theta), 1e-9, 1e-11)
  })

  it('Taylor mode: derivative of order 3', () => {
    // derivative takes ℝ → ℝ: a rank-0 tensor stands for the number
    const along = (s: (th: Tensor) => Tensor) => (a: number) =>
      index(s(stack([a, 3, 1])), 0) as unknown as number
    expectClose(derivative(along(root), 3)(2), derivative(along(unrolled), 3)(2), 1e-8, 1e-10)
  })

  it('vmap of grad is the per-example gradient', () => {
    const thetas = tensor([
      [2, 3, 1],
      [1, 0.5, -1],
      [3, -2, 2],
    ])
    const batched = vmap(grad(lossOf(root)))(thetas)
    for (let i = 0; i < 3; i++) {
      expectClose(index(batched, i), grad(lossOf(unrolled))(index(thetas, i)), 1e-10, 1e-12)
    }
  })

  it('jit compiles it (a replay calls no solver) and the second call is right', () => {
    const fast = jit(grad(lossOf(root)))
    const other = tensor([1, 0.5, -1])
    expectClose(fast(theta), grad(lossOf(unrolled))(theta), 1e-10, 1e-12)
    reset()
    expectClose(fast(other), grad(lossOf(unrolled))(other), 1e-10, 1e-12)
    expect(calls.solve + calls.tangent).toBe(0)
  })

  it('a solver that reads values makes jit run eagerly, with the same numbers', () => {
    const reading = (th: Tensor): Tensor =>
      customRoot(
        (x: Tensor) => F(x, th),
        guess,
        (f, x0) => {
          calls.solve++
          let x = x0
          // Newton until the step is tiny: a decision on values
          for (let k = 0; k < 50; k++) {
            const step = cramer(jacfwd(f)(x), f(x))
            x = sub(x, step)
            if (Math.max(...arr(value(step) as Tensor).map(Math.abs)) < 1e-15) break
          }
          return x
        },
        (g, y) => cramer(jacfwd(g)(zeros([2])), y),
      )
    const fast = jit(grad(lossOf(reading)))
    for (const th of [theta, tensor([1, 0.5, -1])]) {
      reset()
      expectClose(fast(th), grad(lossOf(unrolled))(th), 1e-10, 1e-12)
      expect(calls.solve).toBeGreaterThan(0)
    }
  })

  it('scalar roots, with the initial guess traced too (its derivative is zero)', () => {
    // a read that works on a number and on a rank-0 tensor (what vmap's examples are)
    const num = (v: number): number => {
      const c = value(v as number | Tensor)
      return typeof c === 'number' ? c : c.item()
    }
    // Newton's step with f′(x) = 2x read as a plain number: the solver is not differentiable
    const sqrtOf = (a: number) =>
      customRoot(
        (x: number) => sub(mul(x, x), a),
        mul(a, 0.5),
        (f, x0) => {
          let x = x0
          for (let k = 0; k < 60; k++) x = sub(x, mul(f(x), 1 / (2 * num(x))))
          return x
        },
        (g, y) => mul(y, 1 / num(g(1))),
      )
    expectClose(sqrtOf(9), 3)
    expectClose(grad(sqrtOf)(9), 1 / 6)
    expectClose(grad(grad(sqrtOf))(9), -0.25 * 9 ** -1.5, 1e-10)
    // under vmap: one solve per example, scalar solutions stacked
    const as = tensor([4, 9, 16])
    expectClose(vmap((a: Tensor) => sqrtOf(a as unknown as number))(as), [2, 3, 4])
    expectClose(vmap((a: Tensor) => grad(sqrtOf)(a as unknown as number))(as), [
      1 / 4,
      1 / 6,
      1 / 8,
    ])
  })
})

// ---- fixed points --------------------------------------------------------------------------------

describe('fixedPoint', () => {
  // x = cos(θx): x′ = −x·sin(θx)/(1 + θ·sin(θx)), by differentiating both sides
  const x = (th: number) => fixedPoint((x: number, t: number) => cos(mul(t, x)), 0, th)
  const closedGrad = (th: number): number => {
    const s = x(th)
    return (-s * Math.sin(th * s)) / (1 + th * Math.sin(th * s))
  }

  it('x = cos(θx): value and derivatives against the closed form', () => {
    for (const th of [0.5, 1, 1.1]) {
      const s = x(th)
      expect(Math.abs(s - Math.cos(th * s))).toBeLessThan(1e-12)
      expectClose(grad(x)(th), closedGrad(th), 1e-10)
      expectClose(jvp(x, [th], [2])[1], 2 * closedGrad(th), 1e-10)
    }
    // the second derivative: central differences of the closed-form first derivative
    const h = 1e-5
    expectClose(grad(grad(x))(1), (closedGrad(1 + h) - closedGrad(1 - h)) / (2 * h), 1e-7)
    expectClose(derivative(x, 2)(1), grad(grad(x))(1), 1e-10)
  })

  // x = M·x + p with ‖M‖ < 1: x* = (I − M)⁻¹p; for L = cᵀx*, p̄ = u and M̄ = u·x*ᵀ, u = (I − M)⁻ᵀc
  const M = tensor([
    [0.2, -0.1, 0.3],
    [0.1, 0.3, 0],
    [-0.2, 0.1, 0.1],
  ])
  const p = tensor([1, -2, 0.5])
  const c = tensor([1, 2, -1])
  const affine = (params: { M: Tensor; p: Tensor }) =>
    fixedPoint(
      (x: Tensor, q: { M: Tensor; p: Tensor }) => add(matmul(q.M, x), q.p),
      zeros([3]),
      params,
    )
  const IminusM = mat(M).map((row, i) => row.map((m, j) => (i === j ? 1 : 0) - m))

  it('an affine contraction in ℝ³ (a tree of parameters) against the closed form', () => {
    const xs = jsSolve(IminusM, arr(p))
    expectClose(affine({ M, p }), xs, 1e-11)
    const u = jsSolve(jsTranspose(IminusM), arr(c))
    const g = grad((q: { M: Tensor; p: Tensor }) => sum(mul(c, affine(q))))({ M, p })
    expectClose(g.p, u, 1e-10)
    expectClose(
      g.M,
      u.map((ui) => xs.map((xj) => ui * xj)),
      1e-10,
    )
    // ∂x*/∂p = (I − M)⁻¹, column by column
    const J = jacfwd((q: Tensor) => affine({ M, p: q }))(p)
    for (let j = 0; j < 3; j++) {
      expectClose(
        index(J, j, 1),
        jsSolve(
          IminusM,
          [0, 1, 2].map((i) => (i === j ? 1 : 0)),
        ),
        1e-10,
      )
    }
    expectClose(jacrev((q: Tensor) => affine({ M, p: q }))(p), J, 1e-10)
  })

  // a nonlinear contraction, x = ½·tanh(W·x) + p, against 200 unrolled iterations
  const W = tensor([
    [0.5, -1, 0.2],
    [0.3, 0.4, -0.6],
    [1, 0.1, 0.3],
  ])
  const step = (x: Tensor, q: Tensor) => add(mul(0.5, tanh(matmul(W, x))), q)
  const implicitX = (q: Tensor) => fixedPoint(step, zeros([3]), q)
  const unrolledX = (q: Tensor) => {
    let x = zeros([3])
    for (let k = 0; k < 200; k++) x = step(x, q)
    return x
  }
  const loss = (solution: (q: Tensor) => Tensor) => (q: Tensor) =>
    sum(mul(solution(q), tensor([1, -1, 2])))

  it('a nonlinear contraction: grad, hessian, vmap and jit against the unrolled iteration', () => {
    expectClose(grad(loss(implicitX))(p), grad(loss(unrolledX))(p), 1e-10, 1e-12)
    expectClose(hessian(loss(implicitX))(p), hessian(loss(unrolledX))(p), 1e-9, 1e-11)
    const ps = tensor([
      [1, -2, 0.5],
      [0, 0, 0],
    ])
    expectClose(vmap(implicitX)(ps), vmap(unrolledX)(ps), 1e-11, 1e-12)
    const fast = jit(grad(loss(implicitX)))
    for (const q of [p, tensor([0.2, 0.1, -1])]) {
      expectClose(fast(q), grad(loss(unrolledX))(q), 1e-10, 1e-12)
    }
  })

  it('never returns an unconverged answer', () => {
    const slow = () => fixedPoint((x: number, t: number) => cos(mul(t, x)), 0, 1, { maxIter: 5 })
    expect(slow).toThrow(LinAlgError)
    expect(slow).toThrow(/did not converge in 5 iterations/)
    // x ← 2x + 1 runs away: infinite, then NaN
    expect(() => fixedPoint((x: number, t: number) => add(mul(2, x), t), 0, 1)).toThrow(LinAlgError)
    // under grad too
    expect(() =>
      grad((t: number) => fixedPoint((x: number, s: number) => mul(x, s), 1, t, { maxIter: 3 }))(2),
    ).toThrow(LinAlgError)
  })

  it('refuses bad options and a map that changes the tree', () => {
    const f = (x: number, t: number) => cos(mul(t, x))
    expect(() => fixedPoint(f, 0, 1, { tol: 0 })).toThrow(InvalidArgumentError)
    expect(() => fixedPoint(f, 0, 1, { maxIter: 2.5 })).toThrow(InvalidArgumentError)
    expect(() => fixedPoint((x: Tensor) => stack([x, x]), tensor([1]), 0)).toThrow(
      TreeMismatchError,
    )
  })
})

// ---- linear solves by conjugate gradients ------------------------------------------------------

// A(P) = P·Pᵀ + I (SPD), applied without forming it: v ↦ P(Pᵀv) + v. For L = cᵀx, x = A⁻¹b:
// b̄ = u = A⁻¹c (A symmetric), and dL = −uᵀ(dP·Pᵀ + P·dPᵀ)x, so P̄ = −(u·(Pᵀx)ᵀ + x·(Pᵀu)ᵀ).
const P = tensor([
  [1, 0.5, -0.2],
  [0.3, -1, 0.4],
  [0, 0.2, 1.1],
  [-0.5, 0.1, 0.3],
])
const b4 = tensor([1, -1, 2, 0.5])
const c4 = tensor([0.5, 1, -1, 2])
const counter = { calls: 0 }
const apply = (Pm: Tensor) => (v: Tensor) => add(matmul(Pm, matmul(transpose(Pm), v)), v) as Tensor
const solveCG = (Pm: Tensor, b: Tensor) =>
  linearSolve(apply(Pm), b, { solve: cg(4, counter), symmetric: true })
const A4 = (Pm: Tensor): number[][] => {
  const pm = mat(Pm)
  return pm.map((ri, i) =>
    pm.map((rj, j) => ri.reduce((s, v, k) => s + v * rj[k]!, 0) + +(i === j)),
  )
}

describe('linearSolve with conjugate gradients', () => {
  it('solves, and the gradients in P and b are the closed forms', () => {
    const A = A4(P)
    const x = jsSolve(A, arr(b4))
    expectClose(solveCG(P, b4), x, 1e-10)
    const u = jsSolve(A, arr(c4))
    const [gP, gb] = grad((Pm: Tensor, b: Tensor) => sum(mul(c4, solveCG(Pm, b))), {
      argnums: [0, 1],
    })(P, b4)
    expectClose(gb, u, 1e-10)
    const pm = mat(P)
    const Ptx = [0, 1, 2].map((j) => pm.reduce((s, row, i) => s + row[j]! * x[i]!, 0))
    const Ptu = [0, 1, 2].map((j) => pm.reduce((s, row, i) => s + row[j]! * u[i]!, 0))
    expectClose(
      gP,
      pm.map((_, i) => [0, 1, 2].map((j) => -(u[i]! * Ptx[j]! + x[i]! * Ptu[j]!))),
      1e-9,
      1e-12,
    )
  })

  it('a gradient costs one more solve, whatever the iteration count', () => {
    counter.calls = 0
    grad((Pm: Tensor) => sum(mul(c4, solveCG(Pm, b4))))(P)
    // the forward solve (once more where a closed-over parameter is found), the transposed one
    expect(counter.calls).toBeLessThanOrEqual(3)
    counter.calls = 0
    jacrev((b: Tensor) => solveCG(P, b))(b4)
    expect(counter.calls).toBe(1 + 4) // the solve, and one per row of the Jacobian
  })

  it('forward mode, jacfwd = jacrev, and mixed levels (θ under grad, b under jvp)', () => {
    const Jf = jacfwd((Pm: Tensor) => solveCG(Pm, b4))(P)
    expectClose(jacrev((Pm: Tensor) => solveCG(Pm, b4))(P), Jf, 1e-9, 1e-12)
    // h(s) = cᵀ·∂ₜ[A(s)⁻¹(b + t·d)] = cᵀA(s)⁻¹d with A(s) = P·Pᵀ + s·I; h′(s) = −cᵀA⁻²d
    const d = tensor([0, 1, 0, -1])
    const shifted = (s: number) => (v: Tensor) => add(matmul(P, matmul(transpose(P), v)), mul(s, v))
    const h = (s: number) =>
      sum(
        mul(
          c4,
          jvp(
            (b: Tensor) => linearSolve(shifted(s), b, { solve: cg(4), symmetric: true }),
            [b4],
            [d],
          )[1],
        ),
      )
    const A = A4(P)
    const Ainv = (v: number[]) => jsSolve(A, v)
    const expected = -arr(c4).reduce((s, ci, i) => s + ci * Ainv(Ainv(arr(d)))[i]!, 0)
    expectClose(grad(h)(1), expected, 1e-9)
  })

  it('second order in a parameter of A: d²x/ds² = 2A⁻³b for A = K + s·I', () => {
    const K = apply(P)
    const x = (s: number) =>
      linearSolve((v: Tensor) => add(K(v), mul(sub(s, 1), v)), b4, {
        solve: cg(4),
        symmetric: true,
      })
    const Ainv = (v: number[]) => jsSolve(A4(P), v)
    const second = Ainv(Ainv(Ainv(arr(b4)))).map((v) => 2 * v)
    expectClose(jacfwd(jacrev(x))(1), second, 1e-8, 1e-12)
    expectClose(
      hessian((s: number) => sum(x(s)))(1),
      second.reduce((a, v) => a + v),
      1e-8,
    )
  })

  it('vmap over b and over the closed-over matrix, and vmap of grad', () => {
    const bs = stack([b4, c4])
    const xs = vmap((b: Tensor) => solveCG(P, b))(bs)
    expectClose(index(xs, 1), jsSolve(A4(P), arr(c4)), 1e-10)
    const Ps = stack([P, mul(P, 0.5)])
    const ys = vmap((Pm: Tensor) => solveCG(Pm, b4))(Ps)
    expectClose(index(ys, 1), jsSolve(A4(mul(P, 0.5)), arr(b4)), 1e-10)
    const gs = vmap(grad((Pm: Tensor) => sum(solveCG(Pm, b4))))(Ps)
    expectClose(index(gs, 1), grad((Pm: Tensor) => sum(solveCG(Pm, b4)))(mul(P, 0.5)), 1e-12)
  })

  it('jit: a fixed-iteration CG compiles (a replay calls no solver); a tolerance CG runs eagerly', () => {
    const loss = (Pm: Tensor) => sum(mul(c4, solveCG(Pm, b4)))
    const fast = jit(grad(loss))
    expectClose(fast(P), grad(loss)(P), 1e-12)
    const expected = grad(loss)(mul(P, 0.5))
    counter.calls = 0
    expectClose(fast(mul(P, 0.5)), expected, 1e-12)
    expect(counter.calls).toBe(0)
    const eager = { calls: 0 }
    const lossTol = (Pm: Tensor) =>
      sum(mul(c4, linearSolve(apply(Pm), b4, { solve: cgTol(eager), symmetric: true })))
    const slow = jit(grad(lossTol))
    expectClose(slow(P), grad(loss)(P), 1e-10)
    eager.calls = 0
    expectClose(slow(mul(P, 0.5)), grad(loss)(mul(P, 0.5)), 1e-10)
    expect(eager.calls).toBeGreaterThan(0)
  })

  it('over trees: x and b parameter objects', () => {
    // A{u, s} = {K·u, θ·s}: x = {K⁻¹b_u, b_s/θ}, ∂(Σx)/∂θ = −b_s/θ²
    type V = { u: Tensor; s: number }
    const K = tensor([
      [2, 1],
      [1, 3],
    ])
    const b: V = { u: tensor([1, 2]), s: 3 }
    const x = (th: number) =>
      linearSolve((v: V): V => ({ u: matmul(K, v.u), s: mul(th, v.s) }), b, {
        solve: cg(3),
        symmetric: true,
      })
    expectClose(x(2).u, jsSolve(mat(K), [1, 2]), 1e-12)
    expectClose(x(2).s, 1.5, 1e-12)
    expectClose(grad((th: number) => add(sum(x(th).u), x(th).s))(2), -3 / 4, 1e-12)
  })
})

describe('linearSolve with a non-symmetric operator', () => {
  // A(s) = N + s·I; x = A⁻¹b; for L = cᵀx, ∂L/∂s = −uᵀx with u = A⁻ᵀc, and b̄ = u
  const N = tensor([
    [3, 1, 0],
    [-1, 2, 1],
    [0.5, 0, 4],
  ])
  const b = tensor([1, 2, 3])
  const c = tensor([1, -1, 1])
  const op = (s: number) => (v: Tensor) => add(matmul(N, v), mul(s, v))
  const full = (s: number) =>
    linearSolve(op(s), b, { solve: denseSolve, transposeSolve: denseSolve })

  it('reverse mode uses transposeSolve', () => {
    const A = mat(N).map((row, i) => row.map((v, j) => v + (i === j ? 0.5 : 0)))
    const x = jsSolve(A, arr(b))
    const u = jsSolve(jsTranspose(A), arr(c))
    expectClose(full(0.5), x, 1e-12)
    const dL = -u.reduce((s, ui, i) => s + ui * x[i]!, 0)
    expectClose(grad((s: number) => sum(mul(c, full(s))))(0.5), dL, 1e-11)
    expectClose(jvp((s: number) => sum(mul(c, full(s))), [0.5], [1])[1], dL, 1e-11)
    expectClose(
      grad((bb: Tensor) =>
        sum(mul(c, linearSolve(op(0.5), bb, { solve: denseSolve, transposeSolve: denseSolve }))),
      )(b),
      u,
      1e-11,
    )
  })

  it('without transposeSolve: forward mode works, reverse mode is a named error', () => {
    const only = (s: number) => sum(mul(c, linearSolve(op(s), b, { solve: denseSolve })))
    expect(() => grad(only)(0.5)).toThrow(InvalidArgumentError)
    expect(() => grad(only)(0.5)).toThrow(/transposeSolve/)
    expectClose(jvp(only, [0.5], [1])[1], jvp((s: number) => sum(mul(c, full(s))), [0.5], [1])[1])
  })
})

describe('nesting and errors', () => {
  it('a fixed point whose map solves a linear system', () => {
    // x = ½·A⁻¹x + p, A = K + s·I: x* = (I − ½A⁻¹)⁻¹p, against the unrolled iteration
    const K = tensor([
      [2, 0.5],
      [0.5, 1.5],
    ])
    const inner = (s: number, v: Tensor) =>
      linearSolve((w: Tensor) => add(matmul(K, w), mul(s, w)), v, { solve: cg(2), symmetric: true })
    const implicit = (s: number, q: Tensor) =>
      fixedPoint((x: Tensor, r: Tensor) => add(mul(0.5, inner(s, x)), r), zeros([2]), q)
    const unrolledFP = (s: number, q: Tensor) => {
      let x = zeros([2])
      for (let k = 0; k < 80; k++)
        x = add(
          mul(
            0.5,
            cramer(
              add(
                K,
                mul(
                  s,
                  tensor([
                    [1, 0],
                    [0, 1],
                  ]),
                ),
              ),
              x,
            ),
          ),
          q,
        )
      return x
    }
    const q = tensor([1, -1])
    const L = (sol: typeof implicit) => (s: number, r: Tensor) =>
      sum(mul(sol(s, r), tensor([2, 1])))
    const [gs, gq] = grad(L(implicit), { argnums: [0, 1] })(1, q)
    const [us, uq] = grad(L(unrolledFP), { argnums: [0, 1] })(1, q)
    expectClose(gs, us, 1e-10, 1e-12)
    expectClose(gq, uq, 1e-10, 1e-12)
    expectClose(
      hessian((s: number) => L(implicit)(s, q))(1),
      hessian((s: number) => L(unrolledFP)(s, q))(1),
      1e-8,
      1e-10,
    )
  })

  it('closed-over values of two levels: mixed partials and perturbation confusion', () => {
    // x³ + a·x − b = 0 by Newton; both a (outer grad) and b (inner grad) are closed over
    const cubic = (a: number, b: number) => (x: number) => sub(add(mul(mul(x, x), x), mul(a, x)), b)
    const steps = (f: (x: number) => number, x0: number) => {
      let x = x0
      for (let k = 0; k < 40; k++) x = sub(x, mul(f(x), 1 / (value(grad(f)(x)) as number)))
      return x
    }
    const exact = (a: number, b: number) =>
      customRoot(cubic(a, b), 1, steps, (g, y) => mul(y, 1 / (value(g(1)) as number)))
    // ∂x/∂b = 1/(3x² + a); ∂²x/∂a∂b by differentiating that: −(6x·∂x/∂a + 1)/(3x² + a)², with
    // ∂x/∂a = −x/(3x² + a)
    const [a0, b0] = [2, 3]
    const x0 = exact(a0, b0)
    const d = 3 * x0 * x0 + a0
    const mixed = -(6 * x0 * (-x0 / d) + 1) / (d * d)
    expectClose(grad((a: number) => grad((b: number) => exact(a, b))(b0))(a0), mixed, 1e-9)
    expectClose(grad((b: number) => grad((a: number) => exact(a, b))(a0))(b0), mixed, 1e-9)
    // d/da [a · ∂x/∂b at (a, b₀)]: the inner derivative must not see the outer a as its own
    const confusion = grad((a: number) => mul(a, grad((b: number) => exact(a, b))(b0)))(a0)
    expectClose(confusion, 1 / d + a0 * mixed, 1e-9)
  })

  it('composed transformations: vmap∘jacrev, jit∘vmap∘grad, jvp∘grad', () => {
    const thetas = tensor([
      [2, 3, 1],
      [1, 0.5, -1],
    ])
    const J = vmap(jacrev(root))(thetas)
    expectClose(index(J, 1), jacfwd(unrolled)(index(thetas, 1)), 1e-10, 1e-12)
    const fast = jit(vmap(grad(lossOf(root))))
    fast(thetas)
    const other = mul(thetas, 0.9)
    expectClose(fast(other), vmap(grad(lossOf(unrolled)))(other), 1e-10, 1e-12)
    const t = tensor([1, 0, -1])
    expectClose(
      jvp(grad(lossOf(root)), [theta], [t])[1],
      jvp(grad(lossOf(unrolled)), [theta], [t])[1],
      1e-9,
      1e-11,
    )
  })

  it('named errors for bad arguments and mismatched trees', () => {
    const solve = cg(2)
    expect(() => linearSolve(3 as never, tensor([1, 2]), { solve, symmetric: true })).toThrow(
      InvalidArgumentError,
    )
    expect(() => linearSolve((v: Tensor) => v, tensor([1, 2]), undefined as never)).toThrow(
      InvalidArgumentError,
    )
    // matvec's result is not shaped like b
    expect(() =>
      linearSolve((v: Tensor) => sum(v) as unknown as Tensor, tensor([1, 2]), {
        solve,
        symmetric: true,
      }),
    ).toThrow(TreeMismatchError)
    // the solver's root is not shaped like the initial guess
    expect(() =>
      customRoot(
        (x: Tensor) => x,
        tensor([1, 2]),
        () => tensor([0, 0, 0]),
        (_g, y) => y,
      ),
    ).toThrow(TreeMismatchError)
    expect(() =>
      customRoot(
        (x: Tensor) => x,
        tensor([1, 2]),
        'newton' as never,
        (_g, y) => y,
      ),
    ).toThrow(InvalidArgumentError)
  })

  it('is exported from fluxion/linalg too', () => {
    expect(linalg.linearSolve).toBe(linearSolve)
    expect(linalg.customRoot).toBe(customRoot)
    expect(linalg.fixedPoint).toBe(fixedPoint)
  })
})
