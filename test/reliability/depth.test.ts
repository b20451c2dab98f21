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
 * the user's own frames, so the claims are: (1) transformations add no stack per level of
 * recursion — measured with `--jitless`, where frame sizes are deterministic (under the JIT they
 * depend on when background compilation finishes, and vary by a third from run to run); (2) under
 * default flags, a recursion whose warm frames fit 10⁴ deep in plain JS also runs 10⁴ deep inside
 * `grad`, `jvp` and `vjp`; (3) with a larger stack, 10⁴ and 3·10⁴ levels work. All results are
 * checked against closed forms.
 */
/** One copy of the lean recursion per mode (see `leanModes` in the child). */
const leanCopies = ['Plain', 'Grad', 'Jvp', 'Vjp']
  .map((m) => `const lean${m} = (x: number): number => (--leanLeft <= 0 ? x : mul(x, lean${m}(x)))`)
  .join('\n')

const recursion = (depths: readonly number[], other: number, leanN: number) => `
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

/**
 * xⁿ by a lean recursion: one argument, the depth kept in a variable, so its frames are small.
 * One copy per mode, as a program uses a function under one transformation: V8 compiles a
 * function once for every type it has met, and one used with numbers and with the tracers of
 * three transformations is recompiled with frames half again as large (7.7·10³ calls deep in
 * the default stack, against 1.1–1.4·10⁴ for each copy).
 */
let leanLeft = 0
${leanCopies}
const leanModes = {
  plain: (n: number) => { leanLeft = n; return leanPlain(x) },
  grad: (n: number) => grad((y: number) => { leanLeft = n; return leanGrad(y) })(x),
  jvp: (n: number) => jvp((y: number) => { leanLeft = n; return leanJvp(y) }, [x], [1])[1],
  vjp: (n: number) => vjp((y: number) => { leanLeft = n; return leanVjp(y) }, x)[1](1)[0],
}

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

/**
 * The lean recursion n deep, in plain JS and inside each transformation. Cold (interpreted)
 * frames are larger than optimized ones (10⁴ of them do not fit the default stack, in plain JS
 * either): each mode warms up as hot code is, in rounds, until its call n deep fits. V8
 * optimizes on a background thread, which a loaded machine (npm test runs type-check, lint
 * and docs beside the tests) starves: a round that does not fit waits a little for it.
 * Returns each mode's value and the round it fit in (-1: never).
 */
const pause = new Int32Array(new SharedArrayBuffer(4))
const leanAt = (n: number) => {
  const values: Record<string, number> = {}
  const rounds: Record<string, number> = {}
  for (const [mode, run] of Object.entries(leanModes)) {
    rounds[mode] = -1
    for (let round = 1; round <= 20; round++) {
      for (let i = 0; i < 3000; i++) run(50)
      try {
        values[mode] = run(n)
        rounds[mode] = round
        break
      } catch (e) {
        if (!(e instanceof RangeError)) throw e
        Atomics.wait(pause, 0, 0, 100)
      }
    }
  }
  return { n, values, rounds }
}
const leanReport = ${leanN} > 0 ? leanAt(${leanN}) : undefined

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
console.log(JSON.stringify({ limits, afterwards, results, others, lean: leanReport }))
`

type LeanMode = 'plain' | 'grad' | 'jvp' | 'vjp'

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
  readonly lean?: {
    readonly n: number
    readonly values: Record<LeanMode, number>
    readonly rounds: Record<LeanMode, number>
  }
}

const x = 1 + 1e-4

const checkResults = (report: DepthReport) => {
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
  expect(report.afterwards).toBe(6)
}

describe('recursion inside transformations (child processes)', () => {
  const { dir, dispose } = scratchDir('fluxion-depth-')
  afterAll(dispose)

  it('transformations add no stack per level: they reach the depth plain JS reaches', () => {
    const report = runChild<DepthReport>(dir, 'jitless', recursion([8_000], 4_000, 0), [
      '--jitless',
    ])
    const { plain, ...transformed } = report.limits
    console.log(`[depth] deepest recursion, --jitless: ${JSON.stringify(report.limits)}`)
    // a few frames of fluxion's own sit below the recursion; none are added per level
    for (const [name, depth] of Object.entries(transformed)) {
      expect(depth, name).toBeGreaterThanOrEqual(plain - 100)
    }
    checkResults(report)
  })

  it('under default flags: 10⁴ recursive calls inside grad, jvp and vjp', () => {
    const report = runChild<DepthReport>(
      dir,
      'default-flags',
      recursion([4_000], 4_000, 10_000),
      [],
    )
    console.log(`[depth] default flags: ${JSON.stringify({ ...report.limits, lean: report.lean })}`)
    const { n, values, rounds } = report.lean!
    expect(n).toBe(10_000)
    // every mode fit 10⁴ calls once warm (round -1: it never did)
    for (const mode of ['plain', 'grad', 'jvp', 'vjp'] as const) {
      expect(rounds[mode], `${mode}: the round 10⁴ calls fit in`).toBeGreaterThan(0)
    }
    expectClose(values.plain, x ** n, 1e-9)
    // d/dx xⁿ = n·xⁿ⁻¹
    for (const d of [values.grad, values.jvp, values.vjp]) expectClose(d, n * x ** (n - 1), 1e-9)
    checkResults(report)
  })

  it('with a 4 MB stack: 10⁴ and 3·10⁴ recursive calls deep', () => {
    const report = runChild<DepthReport>(
      dir,
      'larger-stack',
      recursion([10_000, 30_000], 10_000, 0),
      ['--stack-size=4000'],
    )
    console.log(`[depth] deepest recursion with a 4 MB stack: ${JSON.stringify(report.limits)}`)
    checkResults(report)
  })
})
