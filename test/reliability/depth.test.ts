/**
 * Depth (issue "Reliability", item 6), under default Node flags: nesting `grad` eight deep,
 * mixing forward and reverse levels, and user recursion 10⁴ calls deep inside `grad`, `jvp`,
 * `vjp` and a nested `grad`. Each result is checked against a closed form. (Chains of 10⁶ scalar
 * and 10⁵ tensor primitives are in test/transforms/stack-safety.test.ts.)
 */
import { cos, derivative, exp, grad, jvp, mul, sin, sum, tensor } from 'fluxion'
import { afterAll, describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'
import { fluxionUrl, runChild, scratchDir } from './helpers.ts'

type F = (x: number) => number
/** `grad` applied n times. */
const nest = (f: F, n: number): F => (n === 0 ? f : grad(nest(f, n - 1)))

describe('nesting depth 8', () => {
  it('the 8th derivative of sin by eight nested grads is sin', () => {
    // sin⁽⁸⁾ = sin
    expectClose(nest(sin, 8)(0.7), Math.sin(0.7), 1e-12, 1e-12)
    expectClose(nest(cos, 8)(-1.3), Math.cos(-1.3), 1e-12, 1e-12)
  })

  it('the 8th derivative of x·eˣ is (x + 8)·eˣ', () => {
    const f = (x: number) => mul(x, exp(x))
    expectClose(nest(f, 8)(0.5), (0.5 + 8) * Math.exp(0.5), 1e-11)
    // Taylor mode agrees, in one pass
    expectClose(derivative(f, 8)(0.5), (0.5 + 8) * Math.exp(0.5), 1e-11)
  })

  it('eight levels alternating forward and reverse mode', () => {
    // each level differentiates once, by jvp on even levels and grad on odd ones
    const forward =
      (f: F): F =>
      (x) =>
        jvp(f, [x], [1])[1]
    let g: F = (x) => mul(x, exp(x))
    for (let level = 0; level < 8; level++) g = level % 2 === 0 ? forward(g) : grad(g)
    expectClose(g(-0.25), (-0.25 + 8) * Math.exp(-0.25), 1e-11)
  })

  it('eight nested grads of a function of a tensor', () => {
    // f(x) = Σ sin(w·x) along the direction 1: d⁸/dx⁸ = Σ w⁸ sin(w·x)
    const w = tensor([0.5, 1, -1.5])
    const f = (x: number) => sum(sin(mul(w, x))) as unknown as number
    const expected = [0.5, 1, -1.5].reduce((acc, wi) => acc + wi ** 8 * Math.sin(wi * 0.3), 0)
    expectClose(nest(f, 8)(0.3), expected, 1e-10)
  })
})

/**
 * The recursion runs in child processes: the vitest worker itself sits some frames deep, and
 * the question is what a user's program gets. Recursion depth is bounded by the JS stack holding
 * the user's own frames — under default flags (984 KB) Node 20 holds about 9,000–10,000 frames
 * of `power` below, with or without fluxion — so the claim tested is that transformations add
 * no stack per level of recursion: each reaches the depth plain JS reaches, and with a larger
 * stack 10⁴ and 3·10⁴ levels work, against closed forms.
 */
const recursion = (depths: readonly number[], other: number) => `
import { grad, jvp, mul, sum, index, add, tensor, vjp, value, type Tensor } from '${fluxionUrl}'

/** xⁿ as n nested calls (the multiplication after the recursive call, as users write it). */
const power = (x: number, n: number): number => (n === 0 ? 1 : mul(x, power(x, n - 1)))

/** Σ (i + 1)·xs[i] as one recursive call per element. */
const weighted = (xs: Tensor, i: number, n: number): number | Tensor =>
  i === n ? 0 : add(mul(index(xs, i), i + 1), weighted(xs, i + 1, n))

/** Mutual recursion whose branch reads a primal value. */
const even = (x: number, n: number): number => (n === 0 ? x : odd(mul(x, 1.0001), n - 1))
const odd = (x: number, n: number): number =>
  n === 0 ? x : even(value(x) > 0 ? add(x, 0.5) : mul(x, -1), n - 1)

const deepest = (run: (n: number) => unknown) => {
  let lo = 100
  let hi = 400_000
  while (hi - lo > 20) {
    const mid = (lo + hi) >> 1
    try {
      run(mid)
      lo = mid
    } catch {
      hi = mid
    }
  }
  return lo
}

const x = 1 + 1e-4
const limits = {
  plain: deepest((n) => power(x, n)),
  grad: deepest((n) => grad((y: number) => power(y, n))(x)),
  jvp: deepest((n) => jvp((y: number) => power(y, n), [x], [1])),
  vjp: deepest((n) => vjp((y: number) => power(y, n), x)[1](1)),
  gradOfGrad: deepest((n) => grad(grad((y: number) => power(y, n)))(x)),
}
// after all those stack overflows inside transformations, everything still works
const afterwards = grad((y: number) => mul(y, y))(3)

const results = ${JSON.stringify(depths)}.map((n) => ({
  n,
  grad: grad((y: number) => power(y, n))(x),
  jvp: jvp((y: number) => power(y, n), [x], [1])[1],
  vjp: vjp((y: number) => power(y, n), x)[1](1)[0],
  gradOfGrad: grad(grad((y: number) => power(y, n)))(x),
}))
// functions with more arguments per frame, so fewer frames fit
const n = ${other}
const xs = tensor(Array.from({ length: n }, (_, i) => Math.sin(i)))
const g = grad((v: Tensor) => weighted(v, 0, n))(xs)
const others = {
  n,
  weightedOk: g.data.every((gi, i) => gi === i + 1),
  mutual: grad((y: number) => even(y, n))(1),
}
console.log(JSON.stringify({ limits, afterwards, results, others }))
`

interface DepthReport {
  readonly limits: Record<'plain' | 'grad' | 'jvp' | 'vjp' | 'gradOfGrad', number>
  readonly afterwards: number
  readonly results: readonly {
    readonly n: number
    readonly grad: number
    readonly jvp: number
    readonly vjp: number
    readonly gradOfGrad: number
  }[]
  readonly others: { readonly n: number; readonly weightedOk: boolean; readonly mutual: number }
}

const checkResults = (report: DepthReport) => {
  const x = 1 + 1e-4
  for (const r of report.results) {
    // d/dx xⁿ = n·xⁿ⁻¹, d²/dx² xⁿ = n(n − 1)·xⁿ⁻²
    const first = r.n * x ** (r.n - 1)
    for (const d of [r.grad, r.jvp, r.vjp]) expectClose(d, first, 1e-9)
    expectClose(r.gradOfGrad, r.n * (r.n - 1) * x ** (r.n - 2), 1e-9)
  }
  const { n, weightedOk, mutual } = report.others
  expect(weightedOk, `weighted sum of ${n}`).toBe(true)
  // half the steps multiply by 1.0001, the others add a constant
  expectClose(mutual, 1.0001 ** (n / 2), 1e-9)
}

describe('recursion inside transformations (child processes)', () => {
  const { dir, dispose } = scratchDir('fluxion-depth-')
  afterAll(dispose)

  it('under default flags: transformations reach the depth plain JS reaches', () => {
    const report = runChild<DepthReport>(dir, 'default-flags', recursion([8_000], 4_000), [])
    const { plain, ...transformed } = report.limits
    console.log(`[depth] deepest recursion under default flags: ${JSON.stringify(report.limits)}`)
    for (const [name, depth] of Object.entries(transformed)) {
      expect(depth, name).toBeGreaterThanOrEqual(Math.floor(0.9 * plain))
    }
    expect(report.afterwards).toBe(6)
    checkResults(report)
  })

  it('with a 4 MB stack: 10⁴ and 3·10⁴ recursive calls deep', () => {
    const report = runChild<DepthReport>(dir, 'larger-stack', recursion([10_000, 30_000], 10_000), [
      '--stack-size=4000',
    ])
    console.log(`[depth] deepest recursion with a 4 MB stack: ${JSON.stringify(report.limits)}`)
    const { plain, ...transformed } = report.limits
    for (const [name, depth] of Object.entries(transformed)) {
      expect(depth, name).toBeGreaterThanOrEqual(Math.floor(0.9 * plain))
    }
    checkResults(report)
  })
})
