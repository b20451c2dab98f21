/**
 * `checkGrads`, `checkJvp`, `checkVjp`: JAX's `check_grads` for fluxion. Forward mode is checked
 * against central finite differences along a random direction (`fd-agreement`); reverse mode is
 * checked through the adjoint identity ⟨ȳ, J·v⟩ = ⟨Jᵀ·ȳ, v⟩ (`vjp-jvp-adjoint`), with J·v from
 * finite differences and, when forward mode is checked too, from `jvp`. Higher orders recurse
 * on the derivative: the JVP check of order n + 1 checks x, ẋ ↦ jvp(f)(x, ẋ), the VJP check
 * checks x ↦ vjp(f)(x)(f(x)), exactly as JAX does.
 *
 * Default tolerances, for float64: atol = rtol = 1e-5 (JAX's), and step eps = 1e-5, near the
 * optimal central-difference step ∛u ≈ 6e-6 (u = 2⁻⁵³): central differences then err by about
 * eps²/6·|f‴| ≈ 2e-11·|f‴| (truncation) plus u·|f|/eps ≈ 1e-11·|f| (rounding), far inside the
 * tolerance for smooth functions at moderate scale — also at higher orders, where f‴ is a
 * derivative of the derivative code. Directions and cotangents have entries uniform in
 * [−1, 1]. Functions with a kink or pole within eps of the input fail, as they should.
 *
 * Laws: fd-agreement, vjp-jvp-adjoint.
 * @module
 */
import { InvalidArgumentError, jvp, random, type Tensor, vjp } from '../index.ts'
import {
  approxEqual,
  describeDifference,
  formatTree,
  type Numeric,
  type Tolerance,
} from './approx.ts'
import { GradientCheckError } from './errors.ts'
import { type FlatFn, flatFunction, leavesOf } from './flat.ts'
import type { Mode } from './law.ts'
import { combineAll, concrete, vdotAbsAll, vdotAll, zipWith } from './vector.ts'

/** Options of `checkGrads`, `checkJvp` and `checkVjp`. */
export interface CheckOptions {
  /** Highest derivative order to check (default 1). Only `checkGrads` recurses. */
  readonly order?: number
  /** Which modes to check (default both). */
  readonly modes?: readonly Mode[]
  /** Absolute tolerance (default 1e-5). */
  readonly atol?: number
  /** Relative tolerance (default 1e-5). */
  readonly rtol?: number
  /** Finite-difference step (default 1e-5). */
  readonly eps?: number
  /** Seed of the random directions and cotangents (default 0: the same checks every run). */
  readonly seed?: number
}

/** The defaults of every option of the checks, for float64. */
export const checkDefaults = {
  /** Check first derivatives only. */
  order: 1,
  /** Check forward and reverse mode. */
  modes: ['fwd', 'rev'],
  /** Absolute tolerance. */
  atol: 1e-5,
  /** Relative tolerance. */
  rtol: 1e-5,
  /** Finite-difference step. */
  eps: 1e-5,
  /** Seed of the random directions and cotangents. */
  seed: 0,
} as const satisfies Required<CheckOptions>

const modeNames: readonly string[] = ['fwd', 'rev'] satisfies readonly Mode[]

/** Every option's name, to refuse a misspelt one (`satisfies` keeps the list complete). */
const optionNames = Object.keys({
  order: true,
  modes: true,
  atol: true,
  rtol: true,
  eps: true,
  seed: true,
} satisfies { readonly [K in keyof CheckOptions]-?: true })

/**
 * Throws `InvalidArgumentError` for options that would check nothing, check something else than
 * asked, or fail the user's function for the options' fault: no or unknown modes, an order that
 * is not a positive integer, a step that is not positive, a negative or NaN tolerance.
 */
const checkOptions = (check: string, options: CheckOptions): void => {
  const bad = (what: string, hint: string): never => {
    throw new InvalidArgumentError(`${check}: ${what}`, { hint })
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    bad(`options must be an object, got ${formatTree(options)}`, 'pass e.g. { order: 2 }')
  }
  const unknown = Object.keys(options).filter((k) => !optionNames.includes(k))
  if (unknown.length > 0) {
    bad(
      `unknown option ${unknown.join(', ')} (known: ${optionNames.join(', ')})`,
      'check the spelling',
    )
  }
  const { order, modes, atol, rtol, eps, seed } = options
  if (order !== undefined && !(Number.isInteger(order) && order >= 1)) {
    bad(`order must be an integer ≥ 1, got ${String(order)}`, 'order 1 checks first derivatives')
  }
  if (modes !== undefined) {
    const list: readonly unknown[] = Array.isArray(modes) ? modes : []
    const wrong = list.filter((m) => typeof m !== 'string' || !modeNames.includes(m))
    if (list.length === 0 || wrong.length > 0) {
      const got = Array.isArray(modes) ? `[${list.map(String).join(', ')}]` : String(modes)
      bad(`modes must list 'fwd', 'rev' or both, got ${got}`, 'omit modes to check both')
    }
  }
  for (const [name, value] of [
    ['atol', atol],
    ['rtol', rtol],
  ] as const) {
    if (value !== undefined && !(value >= 0)) {
      bad(`${name} must be a number ≥ 0, got ${String(value)}`, `omit ${name} for the default`)
    }
  }
  if (eps !== undefined && !(Number.isFinite(eps) && eps > 0)) {
    bad(`eps must be a finite number > 0, got ${String(eps)}`, 'omit eps for 1e-5')
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    bad(`seed must be a safe integer, got ${String(seed)}`, 'use a whole number such as 0')
  }
}

interface Context {
  readonly input: string
  readonly tol: Tolerance
  readonly eps: number
  readonly seed: number
  readonly modes: readonly Mode[]
  /** The next fresh PRNG key. */
  readonly key: () => random.Key
}

const contextOf = (check: string, args: readonly unknown[], options: CheckOptions): Context => {
  checkOptions(check, options)
  let k = random.key(options.seed ?? checkDefaults.seed)
  return {
    input: formatTree(args),
    tol: { atol: options.atol ?? checkDefaults.atol, rtol: options.rtol ?? checkDefaults.rtol },
    eps: options.eps ?? checkDefaults.eps,
    seed: options.seed ?? checkDefaults.seed,
    modes: options.modes ?? checkDefaults.modes,
    key: () => {
      const [next, use] = random.split(k)
      k = next
      return use
    },
  }
}

/** Values uniform in [−1, 1] of the kinds and shapes of `leaves`. */
const randomLike = (leaves: readonly Numeric[], k: random.Key): Numeric[] => {
  const keys = random.split(k, Math.max(leaves.length, 1))
  return leaves.map((leaf, i) => {
    const t: Tensor = random.uniform(keys[i]!, typeof leaf === 'number' ? [] : leaf.shape, -1, 1)
    return typeof leaf === 'number' ? t.item() : t
  })
}

/** The central difference of `F` at `x` along `v`. */
const centralDifference = (F: FlatFn, x: Numeric[], v: Numeric[], eps: number): Numeric[] => {
  const plus = F(...combineAll(1, x, eps, v))
  const minus = F(...combineAll(1, x, -eps, v))
  return plus.map((p, i) => zipWith(p, minus[i]!, (a, b) => (a - b) / (2 * eps)))
}

const fail = (
  ctx: Context,
  check: string,
  law: string,
  what: string,
  [nameA, a]: readonly [string, readonly Numeric[]],
  [nameB, b]: readonly [string, readonly Numeric[]],
  tol: Tolerance,
): never => {
  const differences = a.flatMap((x, i) =>
    approxEqual(x, b[i]!, tol) ? [] : [`output leaf ${i}: ${describeDifference(x, b[i]!)}`],
  )
  throw new GradientCheckError(
    [
      `${check}: ${what}`,
      `  input: ${ctx.input}`,
      `  ${nameA}: ${formatTree(a)}`,
      `  ${nameB}: ${formatTree(b)}`,
      `  difference: ${differences.join('; ')}`,
      `  tolerance: |a − b| ≤ atol + rtol·max(|a|, |b|) with atol ${tol.atol}, rtol ${tol.rtol}` +
        ` (finite-difference step ${ctx.eps}, seed ${ctx.seed})`,
    ].join('\n'),
    { law, check, tolerance: tol },
  )
}

const agree = (a: readonly Numeric[], b: readonly Numeric[], tol: Tolerance): boolean =>
  a.length === b.length && a.every((x, i) => approxEqual(x, b[i]!, tol))

/** The primal output of a transformation must be f(x) itself. */
const checkPrimal = (ctx: Context, check: string, F: FlatFn, x: Numeric[], y: Numeric[]) => {
  const expected = F(...x)
  if (!agree(y, expected, ctx.tol)) {
    const what = 'its primal output differs from f at the input'
    fail(ctx, check, 'fd-agreement', what, ['transformed', y], ['f', expected], ctx.tol)
  }
}

/** One JVP check: the primal, and the tangent against central differences. */
const jvpOnce = (ctx: Context, check: string, F: FlatFn, x: Numeric[]): void => {
  const v = randomLike(x, ctx.key())
  const [y, yDot] = jvp(F, x, v)
  checkPrimal(ctx, check, F, x, y.map(concrete))
  const fd = centralDifference(F, x, v, ctx.eps)
  const tangent = yDot.map(concrete)
  if (!agree(tangent, fd, ctx.tol)) {
    const what = 'forward mode disagrees with central finite differences along a random direction'
    fail(ctx, check, 'fd-agreement', what, ['jvp', tangent], ['finite differences', fd], ctx.tol)
  }
}

/** One VJP check: the primal, and ⟨ȳ, J·v⟩ = ⟨Jᵀ·ȳ, v⟩ with J·v by differences (and jvp). */
const vjpOnce = (ctx: Context, check: string, F: FlatFn, x: Numeric[]): void => {
  const [y, pullback] = vjp(F, ...x)
  checkPrimal(ctx, check, F, x, y.map(concrete))
  const v = randomLike(x, ctx.key())
  const yBar = randomLike(y, ctx.key())
  const xBar = pullback(yBar).map(concrete)
  const routes: [string, Numeric[]][] = [
    ['finite differences', centralDifference(F, x, v, ctx.eps)],
  ]
  if (ctx.modes.includes('fwd')) routes.push(['jvp', jvp(F, x, v)[1].map(concrete)])
  for (const [name, jv] of routes) {
    const reverse = vdotAll(xBar, v)
    const forward = vdotAll(yBar, jv)
    // relative to the terms summed, so cancellation in either inner product cannot fail it
    const scale = vdotAbsAll(xBar, v) + vdotAbsAll(yBar, jv)
    const tol = { rtol: 0, atol: ctx.tol.atol + ctx.tol.rtol * scale }
    if (!approxEqual(reverse, forward, tol)) {
      const what = `reverse mode is not the transpose of ${name}: ⟨Jᵀ·ȳ, v⟩ ≠ ⟨ȳ, J·v⟩ for random v, ȳ`
      fail(
        ctx,
        check,
        'vjp-jvp-adjoint',
        what,
        ['⟨vjp(ȳ), v⟩', [reverse]],
        [`⟨ȳ, ${name}(v)⟩`, [forward]],
        tol,
      )
    }
  }
}

const recurse = (ctx: Context, F: FlatFn, x: Numeric[], order: number, label: string): void => {
  const named = (mode: string) => (label === '' ? mode : `${mode} of ${label}`)
  if (ctx.modes.includes('fwd')) {
    const check = named('JVP')
    jvpOnce(ctx, check, F, x)
    if (order > 1) {
      const n = x.length
      const pushforward: FlatFn = (...ls) => {
        const [y, yDot] = jvp(F, ls.slice(0, n), ls.slice(n))
        return [...y, ...yDot]
      }
      recurse(ctx, pushforward, [...x, ...x], order - 1, check)
    }
  }
  if (ctx.modes.includes('rev')) {
    const check = named('VJP')
    vjpOnce(ctx, check, F, x)
    if (order > 1) {
      const pulled: FlatFn = (...ls) => {
        const [y, pullback] = vjp(F, ...ls)
        return pullback(y)
      }
      recurse(ctx, pulled, x, order - 1, check)
    }
  }
}

/**
 * Checks the derivatives of `f` at `args` up to `order`, in the modes asked (JAX's
 * `check_grads`): forward mode against central finite differences along random directions,
 * reverse mode against finite differences (and against forward mode) through the adjoint
 * identity; then the same for the derivative functions, recursively, up to `order`.
 *
 * `f` takes and returns trees of numbers and tensors. Defaults: order 1, both modes,
 * atol = rtol = 1e-5, step 1e-5, seed 0 (`checkDefaults`). Throws `GradientCheckError` whose
 * message shows the input, both results, their difference and the tolerance, and
 * `InvalidArgumentError` for options out of range: an unknown option, `modes` empty or with
 * anything but 'fwd' and 'rev', `order` not an integer ≥ 1, `eps` not finite and > 0, `atol`
 * or `rtol` negative or NaN, `seed` not a safe integer.
 *
 * @example
 * checkGrads((x: Tensor) => sum(mul(x, sin(x))), [tensor([1, 2, 3])], { order: 2 }) // no throw
 * @category checks
 */
export function checkGrads<A extends readonly unknown[]>(
  f: (...args: A) => unknown,
  args: A,
  options: CheckOptions = {},
): void {
  const ctx = contextOf('checkGrads', args, options)
  recurse(ctx, flatFunction(f, args), leavesOf(args), options.order ?? checkDefaults.order, '')
}

/**
 * Checks forward mode once (order 1): `jvp(f)` at `args` along a random direction against
 * central finite differences, and its primal output against `f(args)`. Law: fd-agreement.
 * Options and errors as for `checkGrads`.
 *
 * @example
 * checkJvp((x: number) => mul(x, exp(x)), [0.5]) // no throw
 * @category checks
 */
export function checkJvp<A extends readonly unknown[]>(
  f: (...args: A) => unknown,
  args: A,
  options: CheckOptions = {},
): void {
  jvpOnce(contextOf('checkJvp', args, options), 'JVP', flatFunction(f, args), leavesOf(args))
}

/**
 * Checks reverse mode once (order 1): for a random direction v and cotangent ȳ,
 * ⟨vjp(f)(ȳ), v⟩ equals ⟨ȳ, J·v⟩ with J·v by central finite differences and, unless `modes`
 * excludes 'fwd', by `jvp`. Law: vjp-jvp-adjoint. Options and errors as for `checkGrads`.
 *
 * @example
 * checkVjp((x: Tensor) => mul(x, x), [tensor([1, 2])]) // no throw
 * @category checks
 */
export function checkVjp<A extends readonly unknown[]>(
  f: (...args: A) => unknown,
  args: A,
  options: CheckOptions = {},
): void {
  vjpOnce(contextOf('checkVjp', args, options), 'VJP', flatFunction(f, args), leavesOf(args))
}
