/**
 * `checkpoint`: rematerialization changes memory, never values. For a 1,000-step residual loop
 * y ← y + h·tanh(W·y + b), the gradient with every step checkpointed, and with nested
 * checkpoints (blocks of 10 checkpointed steps, each block checkpointed), equals the plain
 * gradient exactly (`toEqual`), also under jvp(grad) and vmap(grad). The plain gradient itself
 * is checked against central differences, so all of them are right, not merely equal.
 *
 * The same holds for a parameter W shared by every step when every step is checkpointed; with
 * nested blocks W's cotangent is summed per block first, so it agrees to rounding only.
 *
 * Under grad(grad) the values agree to a few ulps but not bit for bit, by design: the outer
 * reverse pass records the forward that the inner pullback reruns as new nodes, so the
 * contributions to an input's cotangent are added in another order than in the plain program
 * (a + b + c versus a + (b + c)).
 *
 * A closure counter shows the recomputation: a checkpointed function runs once forward and
 * once more in the backward pass (per pullback call).
 */
import {
  add,
  checkpoint,
  grad,
  jvp,
  matmul,
  mul,
  square,
  sum,
  type Tensor,
  tanh,
  tensor,
  vjp,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

const W = tensor([
  [0.5, -0.3, 0.1, 0.7],
  [0.2, 0.4, -0.6, 0.1],
  [-0.1, 0.3, 0.2, -0.5],
  [0.3, -0.2, 0.6, 0.1],
])
const b = tensor([0.1, -0.2, 0.05, 0.3])
const y0 = tensor([0.3, -0.7, 1.1, 0.2])

/** One Euler step of y′ = tanh(W·y + b), h = 0.01: gradients neither vanish nor explode. */
const step = (y: Tensor): Tensor => add(y, mul(0.01, tanh(add(matmul(W, y), b))))

type Step = (y: Tensor) => Tensor

/** `n` steps. */
const run =
  (s: Step, n: number): Step =>
  (y) => {
    let v = y
    for (let i = 0; i < n; i++) v = s(v)
    return v
  }

/** |y_n|² after `n` steps from y. */
const lossOf = (s: Step, n: number) => (y: Tensor) => sum(square(run(s, n)(y)))

/** The same loss as a function of a scale θ of the start: θ ↦ |y_n(θ·y₀)|². */
const scaled = (s: Step, n: number) => (theta: number) => lossOf(s, n)(mul(theta, y0))

const everyStep = checkpoint(step)
/** Blocks of 10 checkpointed steps, each block checkpointed too. */
const nested = checkpoint(run(everyStep, 10))

const n = 1000

describe('checkpointed and plain gradients are identical: 1,000 steps', () => {
  const plain = grad(lossOf(step, n))(y0)

  it('the plain gradient is right (central differences, h = 1e-6)', () => {
    const f = lossOf(step, n)
    const h = 1e-6
    const fd = [0, 1, 2, 3].map((i) => {
      const e = tensor([0, 1, 2, 3].map((j) => (j === i ? h : 0)))
      return (f(add(y0, e)).item() - f(add(y0, mul(-1, e))).item()) / (2 * h)
    })
    expectClose(plain, tensor(fd), 1e-7, 1e-7)
    // not vanishing: the test would not be vacuous
    expect(Math.min(...Array.from(plain.data, Math.abs))).toBeGreaterThan(1)
  })

  it('every step checkpointed: toEqual the plain gradient', () => {
    expect(grad(lossOf(everyStep, n))(y0)).toEqual(plain)
  })

  it('nested checkpoints (100 checkpointed blocks of 10 checkpointed steps): toEqual', () => {
    expect(grad(lossOf(nested, n / 10))(y0)).toEqual(plain)
  })

  it('jvp(grad): toEqual, checkpointed every step and nested', () => {
    const reference = jvp(grad(scaled(step, n)), [0.7], [1])
    expect(jvp(grad(scaled(everyStep, n)), [0.7], [1])).toEqual(reference)
    expect(jvp(grad(scaled(nested, n / 10)), [0.7], [1])).toEqual(reference)
    // and it is a second derivative: compare with central differences of grad
    const g = grad(scaled(step, n))
    const h = 1e-5
    expectClose(reference[1], (g(0.7 + h) - g(0.7 - h)) / (2 * h), 1e-7, 1e-7)
  })

  it('vmap(grad): toEqual, per example', () => {
    const ys = tensor([
      [0.3, -0.7, 1.1, 0.2],
      [1, 2, -1, 0.5],
      [-0.4, 0.1, 0.9, -1.3],
    ])
    const reference = vmap(grad(lossOf(step, n)))(ys)
    expect(vmap(grad(lossOf(everyStep, n)))(ys)).toEqual(reference)
    expect(vmap(grad(lossOf(nested, n / 10)))(ys)).toEqual(reference)
    // row 0 is the gradient at y₀
    expect(reference.data.slice(0, 4)).toEqual(plain.data)
  })

  it('grad(grad): equal to a few ulps (summation order differs by design, see top)', () => {
    const reference = grad(grad(scaled(step, n)))(0.7)
    expectClose(grad(grad(scaled(everyStep, n)))(0.7), reference, 1e-14, 0)
    expectClose(grad(grad(scaled(nested, n / 10)))(0.7), reference, 1e-14, 0)
    const g = grad(scaled(step, n))
    const h = 1e-5
    expectClose(reference, (g(0.7 + h) - g(0.7 - h)) / (2 * h), 1e-7, 1e-7)
  })
})

describe('a parameter shared by every step', () => {
  // L(W) = |y_n|² with W an argument of every step: W's cotangent sums one term per step
  type StepW = (Wm: Tensor, y: Tensor) => Tensor
  const stepW: StepW = (Wm, y) => add(y, mul(0.01, tanh(add(matmul(Wm, y), b))))
  const runW =
    (s: StepW, count: number): StepW =>
    (Wm, y) => {
      let v = y
      for (let i = 0; i < count; i++) v = s(Wm, v)
      return v
    }
  const lossW = (s: StepW, count: number) => (Wm: Tensor) => sum(square(runW(s, count)(Wm, y0)))
  const plain = grad(lossW(stepW, n))(W)

  it('every step checkpointed: toEqual the plain gradient', () => {
    expect(grad(lossW(checkpoint(stepW), n))(W)).toEqual(plain)
  })

  it('nested blocks: equal to rounding (a block sums its steps’ terms first, by design)', () => {
    const blocks = checkpoint(runW(checkpoint(stepW), 10))
    expectClose(grad(lossW(blocks, n / 10))(W), plain, 1e-13, 1e-13)
  })
})

/**
 * Issue #12 §3: a checkpointed step that closes over a traced value — the usual way to write a
 * layer over parameters being differentiated — takes it as an extra input (closure conversion),
 * so derivatives flow into it. The forward pass runs such a step twice: once to find what it
 * closes over, once converted.
 */
describe('a step closing over a parameter being differentiated', () => {
  const n = 200
  type StepW = (Wm: Tensor, y: Tensor) => Tensor
  const stepW: StepW = (Wm, y) => add(y, mul(0.01, tanh(add(matmul(Wm, y), b))))
  /** |y_n|² with W closed over by every step; `wrap` makes `per` steps into one. */
  const closing =
    (wrap: (s: (y: Tensor) => Tensor) => (y: Tensor) => Tensor, per = 1) =>
    (Wm: Tensor) =>
      lossOf(
        wrap((y) => stepW(Wm, y)),
        n / per,
      )(y0)
  const plain = closing((s) => s)
  const remat = closing(checkpoint)
  const reference = grad(plain)(W)

  it('grad in W: toEqual the plain gradient, checkpointed every step or in nested blocks', () => {
    expect(grad(remat)(W)).toEqual(reference)
    const blocks = closing((s) => checkpoint(run(checkpoint(s), 10)), 10)
    expectClose(grad((Wm: Tensor) => blocks(Wm))(W), reference, 1e-13, 1e-13)
  })

  it('jvp(grad) and vmap(grad) in W', () => {
    const E = mul(0.1, W)
    expect(jvp(grad(remat), [W], [E])).toEqual(jvp(grad(plain), [W], [E]))
    const Ws = tensor([W.toArray() as number[][], mul(0.5, W).toArray() as number[][]])
    expect(vmap(grad(remat))(Ws)).toEqual(vmap(grad(plain))(Ws))
  })

  it('the forward pass runs the step twice, the backward pass once more', () => {
    let calls = 0
    const counted = (Wm: Tensor) =>
      lossOf(
        checkpoint((y: Tensor) => {
          calls++
          return stepW(Wm, y)
        }),
        n,
      )(y0)
    grad(counted)(W)
    // the first step, on the constant y₀, has nothing traced among its arguments: it is f
    expect(calls).toBe(1 + 3 * (n - 1))
  })
})

describe('the checkpointed function runs again in the backward pass', () => {
  let calls = 0
  const counted = (y: Tensor): Tensor => {
    calls++
    return step(y)
  }

  it('plain: once; checkpointed: once forward plus once in backward', () => {
    calls = 0
    grad(lossOf(counted, 1))(y0)
    expect(calls).toBe(1)
    calls = 0
    grad(lossOf(checkpoint(counted), 1))(y0)
    expect(calls).toBe(2)
  })

  it('each pullback call reruns it once; the forward pass alone runs it once', () => {
    calls = 0
    const [y, pullback] = vjp(checkpoint(counted), y0)
    expect(calls).toBe(1)
    expect(y).toEqual(step(y0))
    pullback(tensor([1, 0, 0, 0]))
    pullback(tensor([0, 1, 0, 0]))
    pullback(tensor([0, 0, 1, 0]))
    expect(calls).toBe(4)
  })

  it('1,000 steps: 1,000 forward + 1,000 in backward; nested blocks: 3 runs per step', () => {
    calls = 0
    grad(lossOf(checkpoint(counted), n))(y0)
    expect(calls).toBe(2 * n)
    // a block runs its steps forward (10), then, in the backward pass, reruns them under a tape
    // (10, each a checkpoint) whose own backward pass reruns every step once more (10)
    calls = 0
    grad(lossOf(checkpoint(run(checkpoint(counted), 10)), n / 10))(y0)
    expect(calls).toBe(3 * n)
  })

  it('evaluation and forward mode run it once', () => {
    calls = 0
    checkpoint(counted)(y0)
    expect(calls).toBe(1)
    calls = 0
    jvp(checkpoint(counted), [y0], [y0])
    expect(calls).toBe(1)
  })
})
