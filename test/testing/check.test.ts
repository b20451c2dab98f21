/**
 * `checkGrads`, `checkJvp`, `checkVjp` (fluxion/testing): they pass on correct derivatives —
 * numbers, tensors, trees in and out, several arguments, orders 1–3 — and throw
 * `GradientCheckError` on wrong ones: a `customVjp` with a wrong `bwd`, one whose `bwd` is
 * right only to first order, a `customJvp` with a wrong rule. The error's message shows the
 * input, both results, their difference and the tolerance.
 */
import {
  add,
  customJvp,
  customVjp,
  exp,
  FluxionError,
  InvalidArgumentError,
  mul,
  neg,
  sin,
  stopGradient,
  sum,
  type Tensor,
  tanh,
  tensor,
} from 'fluxion'
import {
  type CheckOptions,
  checkDefaults,
  checkGrads,
  checkJvp,
  checkVjp,
  GradientCheckError,
} from 'fluxion/testing'
import { describe, expect, it } from 'vitest'

/** x·sin(x) with a bwd that forgets the x·cos(x) term: wrong at first order. */
const wrongBwd = customVjp(
  (x: Tensor) => mul(x, sin(x)),
  (x: Tensor) => [mul(x, sin(x)), x] as const,
  (x: Tensor, yBar: Tensor) => [mul(yBar, sin(x))] as const,
)

/** eˣ with a bwd right in value but treating its residual as a constant: wrong at order 2. */
const constantResidual = customVjp(
  (x: Tensor) => exp(x),
  (x: Tensor) => [exp(x), exp(x)] as const,
  (y: Tensor, yBar: Tensor) => [mul(yBar, stopGradient(y))] as const,
)

/** tanh with a forward rule whose tangent has the wrong sign. */
const wrongJvp = customJvp(
  (x: Tensor) => tanh(x),
  ([x]: readonly [Tensor], [t]: readonly [Tensor]) =>
    [tanh(x), neg(mul(t, add(1, neg(mul(tanh(x), tanh(x))))))] as const,
)

const thrown = (run: () => void): GradientCheckError => {
  try {
    run()
  } catch (e) {
    if (e instanceof GradientCheckError) return e
    throw e
  }
  throw new Error('expected a GradientCheckError, but the check passed')
}

describe('checkGrads passes on correct derivatives', () => {
  it('of a number function, to order 3', () => {
    checkGrads((x: number) => mul(x, sin(x)), [0.7], { order: 3 })
  })

  it('of a tensor function with a tensor output, to order 2', () => {
    checkGrads((x: Tensor) => mul(x, tanh(x)), [tensor([0.5, -1, 2])], { order: 2 })
  })

  it('of several arguments and trees in and out', () => {
    const f = (p: { w: Tensor; b: number }, x: Tensor) => ({
      y: add(mul(p.w, x), p.b),
      s: [sum(mul(x, x))],
    })
    checkGrads(f, [{ w: tensor([1, 2]), b: 0.5 }, tensor([0.3, -0.4])], { order: 2 })
  })

  it('in one mode only', () => {
    checkGrads(sin, [1], { modes: ['fwd'], order: 2 })
    checkGrads(sin, [1], { modes: ['rev'], order: 2 })
  })

  it('of correct custom rules', () => {
    const right = customVjp(
      (x: Tensor) => mul(x, sin(x)),
      (x: Tensor) => [mul(x, sin(x)), x] as const,
      (x: Tensor, yBar: Tensor) =>
        [mul(yBar, add(sin(x), mul(x, sin(add(x, Math.PI / 2)))))] as const,
    )
    checkGrads(right, [tensor([0.2, 1.1])], { order: 2 })
  })

  it('with checkJvp and checkVjp at order 1', () => {
    checkJvp((x: number) => mul(x, exp(x)), [0.5])
    checkVjp((x: Tensor) => mul(x, x), [tensor([1, 2])])
  })

  it('documents its defaults', () => {
    expect(checkDefaults).toEqual({
      order: 1,
      modes: ['fwd', 'rev'],
      atol: 1e-5,
      rtol: 1e-5,
      eps: 1e-5,
      seed: 0,
    })
  })
})

describe('checkGrads throws GradientCheckError on wrong derivatives', () => {
  const x = tensor([0.5, 1.5])

  it('a customVjp with a wrong bwd: the adjoint identity fails, with a useful message', () => {
    const e = thrown(() => checkGrads(wrongBwd, [x], { modes: ['rev'] }))
    expect(e).toBeInstanceOf(FluxionError)
    expect(e.name).toBe('GradientCheckError')
    expect(e.law).toBe('vjp-jvp-adjoint')
    expect(e.check).toBe('VJP')
    expect(e.tolerance).toEqual({ rtol: 0, atol: expect.any(Number) })
    expect(e.message).toContain('reverse mode is not the transpose of finite differences')
    expect(e.message).toContain('input: [tensor([0.5, 1.5], shape=[2])]')
    expect(e.message).toMatch(/⟨vjp\(ȳ\), v⟩: \[-?\d/)
    expect(e.message).toMatch(/⟨ȳ, finite differences\(v\)⟩: \[-?\d/)
    expect(e.message).toMatch(/difference: output leaf 0: max abs diff \d/)
    expect(e.message).toMatch(
      /tolerance: .*atol [\d.e-]+, rtol 0 \(finite-difference step 0.00001, seed 0\)/,
    )
  })

  it('a customVjp with a wrong bwd, checked in both modes: forward mode transposes bwd', () => {
    expect(thrown(() => checkGrads(wrongBwd, [x])).law).toBe('fd-agreement')
    expect(thrown(() => checkGrads(wrongBwd, [x], { modes: ['fwd'] })).check).toBe('JVP')
  })

  it('a bwd right only to first order: order 1 passes, order 2 fails', () => {
    checkGrads(constantResidual, [x])
    // forward mode transposes bwd, so forward over forward meets the stopped residual first
    expect(thrown(() => checkGrads(constantResidual, [x], { order: 2 })).check).toBe('JVP of JVP')
    const e = thrown(() => checkGrads(constantResidual, [x], { order: 2, modes: ['rev'] }))
    expect(e.check).toMatch(/of VJP$/)
  })

  it('a customJvp with a wrong rule: forward mode disagrees with finite differences', () => {
    const e = thrown(() => checkGrads(wrongJvp, [x]))
    expect(e.law).toBe('fd-agreement')
    expect(e.check).toBe('JVP')
    expect(e.message).toContain('forward mode disagrees with central finite differences')
    // the rule's tangent has the wrong sign: the two results are negatives of each other
    const [jvpLine, fdLine] = ['jvp', 'finite differences'].map(
      (name) => e.message.split('\n').find((l) => l.startsWith(`  ${name}: [tensor([`)) ?? '',
    )
    const numbers = (line: string) => [...line.matchAll(/-?\d+\.\d+/g)].map((m) => Number(m[0]))
    const forward = numbers(jvpLine!)
    const differences = numbers(fdLine!)
    expect(forward).toHaveLength(2)
    for (const [i, a] of forward.entries()) expect(a).toBeCloseTo(-differences[i]!, 4)
    expect(e.message).toContain('atol 0.00001, rtol 0.00001')
  })

  it('a customJvp with a wrong rule, in reverse mode (which transposes the rule)', () => {
    expect(thrown(() => checkGrads(wrongJvp, [x], { modes: ['rev'] })).check).toBe('VJP')
  })

  it('with checkJvp and checkVjp', () => {
    expect(thrown(() => checkJvp(wrongJvp, [x])).law).toBe('fd-agreement')
    expect(thrown(() => checkVjp(wrongBwd, [x])).law).toBe('vjp-jvp-adjoint')
  })

  it('unless the tolerance is loose enough', () => {
    checkGrads(wrongJvp, [tensor([3, 3])], { modes: ['fwd'], atol: 0.1 })
  })
})

describe('checkGrads directions', () => {
  it('are the same for the same seed, and differ between seeds', () => {
    const message = (seed: number) =>
      thrown(() => checkJvp(wrongJvp, [tensor([1, 2])], { seed })).message
    expect(message(7)).toBe(message(7))
    expect(message(7)).not.toBe(message(8))
  })
})

describe('checkGrads refuses options that would check nothing or blame f', () => {
  const x = tensor([0.5, 1.5])
  const invalid = (options: CheckOptions, message: RegExp) => {
    for (const check of [checkGrads, checkJvp, checkVjp]) {
      let caught: unknown
      try {
        check(wrongJvp, [x], options)
      } catch (e) {
        caught = e
      }
      expect(caught, `${check.name} ${JSON.stringify(options)}`).toBeInstanceOf(
        InvalidArgumentError,
      )
      expect((caught as Error).message).toMatch(message)
    }
  }

  it('modes empty or unknown (QA: passed a wrong rule)', () => {
    invalid({ modes: [] }, /modes must list 'fwd', 'rev' or both, got \[\]/)
    invalid({ modes: ['fdw' as 'fwd'] }, /got \[fdw\]/)
    invalid({ modes: 'fwd' as unknown as ['fwd'] }, /got fwd/)
  })

  it('order not an integer ≥ 1 (QA: ran as order 1)', () => {
    for (const order of [0, -1, 1.5, Number.NaN]) invalid({ order }, /order must be an integer ≥ 1/)
  })

  it('eps not finite and positive, tolerances negative or NaN (QA: blamed the function)', () => {
    for (const eps of [0, -1e-5, Number.NaN, Number.POSITIVE_INFINITY]) {
      invalid({ eps }, /eps must be a finite number > 0/)
    }
    for (const atol of [Number.NaN, -1]) invalid({ atol }, /atol must be a number ≥ 0/)
    invalid({ rtol: -1 }, /rtol must be a number ≥ 0/)
    invalid({ seed: 0.5 }, /seed must be a safe integer/)
  })

  it('an unknown option, named with the known ones', () => {
    invalid(
      { step: 1e-3 } as CheckOptions,
      /unknown option step \(known: order, modes, atol, rtol, eps, seed\)/,
    )
  })

  it('and still runs the options in range', () => {
    checkGrads((t: Tensor) => mul(t, sin(t)), [x], {
      order: 2,
      modes: ['rev'],
      atol: 0,
      rtol: 1e-4,
    })
    expect(thrown(() => checkGrads(wrongJvp, [x], { modes: ['fwd', 'rev'], order: 1 })).law).toBe(
      'fd-agreement',
    )
  })
})
