/**
 * Implicit differentiation, as JAX's `lax.custom_linear_solve` and `lax.custom_root` and
 * JAXopt's implicit diff: the solution of a linear system, of a root-finding problem or of a
 * fixed-point iteration is computed by a solver of the user's choice — conjugate gradients,
 * Newton's method, any loop — and differentiated by the implicit function theorem, so a
 * derivative costs one linear solve, never the unrolled iterations. The rule is in
 * ./implicit-rule.ts; `fixedPoint` is in ./fixed-point.ts.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint, grad-jacrev-jacfwd (test/linalg/implicit.test.ts).
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { flatten, flattenAs, type TreeDef } from '../core/tree.ts'
import { treeScale, treeSub } from '../primitives/tree-math.ts'
import { checkFunction } from './common.ts'
import { type Problem, solveImplicit, type Theta } from './implicit-rule.ts'
import { jvp } from './jvp.ts'
import { vjp } from './vjp.ts'

/** Options of {@link linearSolve}: the solvers, and whether the operator is symmetric. */
export interface LinearSolveOptions<X, B> {
  /** Solves `matvec(x) = b` for x (any method: it is never differentiated). */
  readonly solve: (matvec: (x: X) => B, b: B) => X
  /**
   * Solves the transposed system `vecmat(y) = c` for y, where `vecmat` is the transpose of
   * `matvec`. Reverse mode needs it, unless `symmetric` is set.
   */
  readonly transposeSolve?: (vecmat: (y: B) => X, c: X) => B
  /** `matvec` is symmetric (self-adjoint): `solve` serves for the transposed system too. */
  readonly symmetric?: boolean
}

const noParams: TreeDef = { kind: 'array', children: [] }

/** A solver wrapped to run at θ (the functions it is given close over θ themselves). */
type Solver = (op: (v: unknown) => unknown, rhs: unknown) => unknown

const atTheta =
  (solver: Solver, theta: Theta): Solver =>
  (op, rhs) =>
    theta.at(() => solver(op, rhs))

/** The linear problem A(θ)·x = b, A given by `matvec`. */
const linearProblem = (
  matvec: (x: unknown) => unknown,
  bDef: TreeDef,
  solve: Solver,
  transposeSolve: Solver | undefined,
  symmetric: boolean,
): Problem => {
  const name = 'linearSolve'
  // matvec's result must be shaped like b: a mismatch would broadcast into a wrong solution
  const checked = (x: unknown): unknown => {
    const y = matvec(x)
    flattenAs(bDef, y, 'matvec(x)', name, { against: 'b' })
    return y
  }
  return {
    name,
    inDef: bDef,
    paramsDef: noParams,
    outDef: undefined,
    solve: (b, theta) => theta.at(() => solve(checked, b)),
    // A·ẋ + Ȧ·x = ḃ, so ẋ = A⁻¹(ḃ − Ȧx), Ȧx the tangent of matvec(x) along θ
    tangent: (x, bDot, theta) => {
      const aDotX = theta.moving ? theta.tangent(() => checked(x)) : null
      const rhs =
        aDotX === null ? bDot : bDot === null ? treeScale(-1, aDotX) : treeSub(bDot, aDotX)
      if (rhs === null) return null
      return linearSolve((v: unknown) => theta.at(() => checked(v)), rhs, {
        solve: atTheta(solve, theta),
        ...(transposeSolve === undefined ? {} : { transposeSolve: atTheta(transposeSolve, theta) }),
        symmetric,
      })
    },
    // b̄ = A⁻ᵀx̄ by the transposed solve; θ̄ = −(∂_θ A·x)ᵀ b̄
    cotangent: (x, xBar, theta) => {
      const back = symmetric ? solve : transposeSolve
      if (back === undefined) {
        throw new InvalidArgumentError('linearSolve: reverse mode needs the transposed solve', {
          transformation: name,
          hint: 'pass transposeSolve (a solver of the transposed system), or symmetric: true when matvec is symmetric',
        })
      }
      const op = (v: unknown) => theta.at(() => checked(v))
      const opT = symmetric
        ? op
        : (y: unknown) => (vjp(op, x)[1](y as never) as readonly unknown[])[0]
      const bBar = linearSolve(opT, xBar, {
        solve: atTheta(back, theta),
        transposeSolve: atTheta(solve, theta),
        symmetric,
      })
      return [bBar, theta.cotangent(() => checked(x), treeScale(-1, bBar))]
    },
  }
}

/**
 * The solution x of the linear system `matvec(x) = b`, computed by `options.solve(matvec, b)`
 * and differentiated implicitly — JAX's `lax.custom_linear_solve`. The solver may be any
 * method (conjugate gradients, a factorization, a loop that tests convergence on values); it
 * is never differentiated. `matvec` must be linear in x; it may close over traced values (the
 * matrix's parameters θ), and `x` and `b` may be trees.
 *
 * Derivative: with A the operator of `matvec`, forward mode solves A·ẋ = ḃ − (∂_θ A·x)·θ̇ with
 * `solve`; reverse mode solves Aᵀ·b̄ = x̄ with `transposeSolve` (`solve` again when
 * `symmetric`), and θ̄ = −(∂_θ A·x)ᵀ·b̄, a vjp of `matvec` at x. Each derivative is one more
 * `linearSolve`, so derivatives of any order follow the same rule. Works under `grad`, `jvp`,
 * `vjp`, `jacfwd`, `jacrev`, `hessian`, `vmap` (one solve per example) and `jit` (a solver
 * that reads values makes the jitted function run eagerly, with the same numbers).
 *
 * Throws `InvalidArgumentError` when reverse mode is asked of a non-symmetric system without
 * `transposeSolve`, and `TreeMismatchError` when `matvec(x)` is not shaped like `b`.
 * @example
 * // A = diag(θ, 4): the solver divides; the derivative comes from the IFT
 * const x = (theta: number) =>
 *   linearSolve((v: Tensor) => mul(stack([theta, 4]), v), tensor([2, 8]), {
 *     solve: (mv, b) => div(b, stack([theta, 4])),
 *     symmetric: true,
 *   })
 * x(2).toArray() // => [1, 2]
 * grad((theta: number) => index(x(theta), 0))(2) // => -0.5
 * @category linalg
 */
export function linearSolve<X, B>(matvec: (x: X) => B, b: B, options: LinearSolveOptions<X, B>): X {
  checkFunction(matvec, 'linearSolve', 'matvec')
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('linearSolve needs options with a solve function', {
      transformation: 'linearSolve',
      hint: 'linearSolve(matvec, b, { solve: (matvec, b) => x, symmetric: true })',
    })
  }
  checkFunction(options.solve, 'linearSolve', 'options.solve')
  if (options.transposeSolve !== undefined) {
    checkFunction(options.transposeSolve, 'linearSolve', 'options.transposeSolve')
  }
  const { def } = flatten(b, 'b')
  const problem = linearProblem(
    matvec as (x: unknown) => unknown,
    def,
    options.solve as Solver,
    options.transposeSolve as Solver | undefined,
    options.symmetric === true,
  )
  return solveImplicit(problem, b, []) as X
}

/** The root problem F(x, p) = 0 for x, solved by `solve`, with `tangentSolve` for its linearization. */
export const rootProblem = (
  name: string,
  F: (x: unknown, params: unknown) => unknown,
  guessDef: TreeDef,
  paramsDef: TreeDef,
  solve: (guess: unknown, params: unknown) => unknown,
  tangentSolve: Solver,
): Problem => {
  // the linearization of F in x at the root, g(v) = ∂ₓF·v, and its transpose
  const g = (x: unknown, theta: Theta) => (v: unknown) =>
    theta.at((p) => jvp((y: unknown) => F(y, p), [x], [v as never])[1])
  const gT = (x: unknown, theta: Theta) => (w: unknown) =>
    theta.at((p) => (vjp((y: unknown) => F(y, p), x)[1](w as never) as readonly unknown[])[0])
  const linear = (op: (v: unknown) => unknown, rhs: unknown, theta: Theta) =>
    linearSolve(op, rhs, {
      solve: atTheta(tangentSolve, theta),
      transposeSolve: atTheta(tangentSolve, theta),
    })
  return {
    name,
    inDef: guessDef,
    paramsDef,
    outDef: guessDef,
    solve: (guess, theta) => theta.at((p) => solve(guess, p)),
    // F(x(θ), θ) = 0, so ∂ₓF·ẋ = −∂_θF·θ̇; the guess has no influence
    tangent: (x, _guessDot, theta) => {
      if (!theta.moving) return null
      const rhs = theta.tangent((p) => F(x, p))
      return treeScale(-1, linear(g(x, theta), rhs, theta))
    },
    // u = (∂ₓF)⁻ᵀx̄, θ̄ = −(∂_θF)ᵀu
    cotangent: (x, xBar, theta) => {
      const u = linear(gT(x, theta), xBar, theta)
      return [null, theta.cotangent((p) => F(x, p), treeScale(-1, u))]
    },
  }
}

/**
 * A root x* of `f` (f(x*) = 0), found by `solve(f, initialGuess)` and differentiated
 * implicitly with respect to everything `f` closes over — JAX's `lax.custom_root`. `solve`
 * may be any method (Newton's, bisection, a loop that tests convergence on values); it is never
 * differentiated, so grad through a Newton solve costs one linear solve, not the unrolled loop.
 * `f` maps a tree to a tree of the same structure (a square system).
 *
 * `tangentSolve(g, y)` solves the linear system g(v) = y for v, g a linear function of trees
 * like x; it is called with g = ∂ₓf at x* (forward mode) and with its transpose (reverse mode),
 * so it must solve any such system — a dense solve of `jacfwd(g)`, conjugate gradients, or
 * `y / g(1)` for a scalar.
 *
 * Derivative: ẋ = −(∂ₓf)⁻¹·(∂_θf·θ̇) at x*; in reverse, u = (∂ₓf)⁻ᵀx̄ and θ̄ = −(∂_θf)ᵀu. The
 * initial guess gets a zero derivative. The solves are `linearSolve`s, so derivatives of any
 * order follow the implicit function theorem too. Works under every transformation, as
 * {@link linearSolve}. Throws `TreeMismatchError` when the solver's result is not shaped like
 * the initial guess.
 * @example
 * // √a as the root of x² − a, by Newton's method
 * const newton = (f: (x: number) => number, x0: number) => {
 *   let x = x0
 *   for (let i = 0; i < 30; i++) x = sub(x, div(f(x), grad(f)(x)))
 *   return x
 * }
 * const sqrtOf = (a: number) =>
 *   customRoot((x: number) => sub(mul(x, x), a), 1, newton, (g, y) => div(y, g(1)))
 * sqrtOf(4) // ≈ 2
 * grad(sqrtOf)(4) // ≈ 0.25
 * @category linalg
 */
export function customRoot<X>(
  f: (x: X) => X,
  initialGuess: X,
  solve: (f: (x: X) => X, initialGuess: X) => X,
  tangentSolve: (g: (v: X) => X, y: X) => X,
): X {
  checkFunction(f, 'customRoot', 'f')
  checkFunction(solve, 'customRoot', 'solve')
  checkFunction(tangentSolve, 'customRoot', 'tangentSolve')
  const { def } = flatten(initialGuess, 'initialGuess')
  // f must keep x's structure: the linear systems of its derivative are square
  const F = (x: unknown): unknown => {
    const y = (f as (x: unknown) => unknown)(x)
    flattenAs(def, y, 'f(x)', 'customRoot', { against: 'x' })
    return y
  }
  const problem = rootProblem(
    'customRoot',
    (x) => F(x),
    def,
    noParams,
    (guess) => (solve as (f: (x: unknown) => unknown, x0: unknown) => unknown)(F, guess),
    tangentSolve as Solver,
  )
  return solveImplicit(problem, initialGuess, []) as X
}
