/**
 * A whole training step under `jit` — gradient, optimizer update, θ + u — for every optimizer,
 * transformation and schedule of fluxion/optim, and for `trainStep`: three steps eagerly and
 * three through one jitted step, compared to the bit after each step (parameters and state,
 * the kind of every leaf included). The jitted step must be traced once: the second and third
 * calls replay the compiled program, with the step count as its input.
 */
import {
  add,
  ConcretizationError,
  grad,
  IndexError,
  InvalidArgumentError,
  jit,
  mul,
  pow,
  random,
  square,
  sub,
  sum,
  type Tensor,
  TracedArithmeticError,
  tensor,
  treeLeaves,
  value,
  where,
} from 'fluxion'
import { type MlpParams, mlp, softmaxCrossEntropy, tanh } from 'fluxion/nn'
import {
  adagrad,
  adam,
  adamw,
  addDecayedWeights,
  applyUpdates,
  chain,
  clipByGlobalNorm,
  constantSchedule,
  cosineDecay,
  exponentialDecay,
  type GradientTransformation,
  linearWarmup,
  rmsprop,
  type Schedule,
  scaleByAdam,
  scaleByLearningRate,
  scaleByRms,
  scaleByRss,
  sgd,
  trace,
  train,
  trainStep,
} from 'fluxion/optim'
import { describe, expect, it } from 'vitest'

/** Every leaf as its kind, shape and exact bits (so −0, NaN and number-vs-tensor all count). */
const bits = (tree: unknown): string[] => {
  const view = new DataView(new ArrayBuffer(8))
  const hex = (x: number) => {
    view.setFloat64(0, x)
    return view.getBigUint64(0).toString(16)
  }
  return treeLeaves(tree).map((leaf) =>
    typeof leaf === 'number'
      ? `n:${hex(leaf)}`
      : `t[${leaf.shape.join(',')}]:${Array.from(leaf.data, hex).join(',')}`,
  )
}

type Params = { w: Tensor; b: number }
const x = tensor([0.3, -0.2, 0.1])
const loss = (p: Params, data: Tensor) =>
  add(sum(square(sub(mul(p.w, data), 1))), mul(3, square(p.b)))
const start: Params = { w: tensor([1, 2, -3]), b: 0.5 }

/**
 * Three steps of `optimizer` on `loss`, eagerly and under one `jit` of the whole step, compared
 * after each step; returns how many times the jitted step was traced (1: once, then replayed).
 */
const compareSteps = (optimizer: GradientTransformation, steps = 3): number => {
  let traces = 0
  const step = (params: Params, state: unknown, data: Tensor) => {
    traces++
    const g = grad(loss)(params, data)
    const [updates, next] = optimizer.update(g, state, params)
    return [applyUpdates(params, updates), next] as const
  }
  const compiled = jit(step)
  let eager: readonly [Params, unknown] = [start, optimizer.init(start)]
  let fast: readonly [Params, unknown] = [start, optimizer.init(start)]
  for (let i = 0; i < steps; i++) {
    eager = step(eager[0], eager[1], x)
    const before = traces
    fast = compiled(fast[0], fast[1], x)
    if (i > 0) expect(traces, `step ${i + 1} replays the program`).toBe(before)
    expect(bits(fast), `step ${i + 1}`).toEqual(bits(eager))
    // the state keeps its structure: a step count stays a JS number
    expect(fast[1]).toEqual(eager[1])
  }
  // the eager steps ran step itself `steps` times
  return traces - steps
}

const schedules: [string, Schedule][] = [
  ['constantSchedule', constantSchedule(0.1)],
  ['exponentialDecay', exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 1.5 })],
  [
    'exponentialDecay (staircase, begin, end)',
    exponentialDecay({
      init: 0.2,
      decayRate: 0.3,
      transitionSteps: 1,
      staircase: true,
      begin: 1,
      end: 0.05,
    }),
  ],
  [
    'exponentialDecay (growing, ceiling)',
    exponentialDecay({ init: 0.01, decayRate: 3, transitionSteps: 1, end: 0.05 }),
  ],
  ['cosineDecay', cosineDecay({ init: 0.1, decaySteps: 2, alpha: 0.1 })],
  ['linearWarmup', linearWarmup({ peak: 0.1, steps: 2, init: 0.01 })],
  [
    'linearWarmup then cosineDecay',
    linearWarmup({ peak: 0.1, steps: 1, after: cosineDecay({ init: 0.1, decaySteps: 3 }) }),
  ],
  // a schedule of one's own, written in ops: halving every step
  ['a user schedule in ops', (step) => mul(0.1, pow(0.5, step))],
  // piecewise with where, never a JS branch on the step
  ['a user piecewise schedule', (step) => where(sub(step, 1), 0.1, 0.3)],
]

const optimizers: [string, GradientTransformation][] = [
  ['sgd', sgd(0.1)],
  ['sgd with momentum', sgd(0.1, { momentum: 0.9 })],
  ['sgd with Nesterov momentum', sgd(0.1, { momentum: 0.9, nesterov: true })],
  ['adam', adam(0.1)],
  ['adam (epsRoot)', adam(0.1, { b1: 0.8, b2: 0.99, epsRoot: 1e-3 })],
  ['adamw', adamw(0.1, { weightDecay: 0.3 })],
  // under jit a number leaf arrives traced (typeof 'object', rank 0): a mask tests the rank
  [
    'adamw with a mask',
    adamw(0.1, { weightDecay: 0.3, mask: (p) => typeof p !== 'number' && p.rank >= 1 }),
  ],
  ['rmsprop', rmsprop(0.1)],
  ['rmsprop with momentum', rmsprop(0.1, { momentum: 0.5, nesterov: true })],
  ['adagrad', adagrad(0.1)],
  ['trace', trace({ decay: 0.9 })],
  ['scaleByAdam', scaleByAdam()],
  ['scaleByRms', scaleByRms({ initialScale: 1 })],
  ['scaleByRss', scaleByRss()],
  ['addDecayedWeights', addDecayedWeights(0.1)],
  ['clipByGlobalNorm, clipping', chain(clipByGlobalNorm(0.5), sgd(0.1))],
  ['clipByGlobalNorm, not clipping', chain(clipByGlobalNorm(1e6), sgd(0.1))],
  ['chain of chains', chain(chain(clipByGlobalNorm(1)), adam(0.05))],
  ...schedules.map(([name, s]): [string, GradientTransformation] => [
    `scaleByLearningRate(${name})`,
    scaleByLearningRate(s),
  ]),
  ['adam with a schedule', adam(linearWarmup({ peak: 0.1, steps: 2 }))],
]

describe('a whole training step under jit', () => {
  for (const [name, optimizer] of optimizers) {
    it(`${name}: bit-identical to eager over 3 steps, traced once`, () => {
      expect(compareSteps(optimizer)).toBe(1)
    })
  }

  it('takes hyperparameters as arguments of the jitted step (traced, so not checked there)', () => {
    const step = (p: Params, s: unknown, lr: number, b1: number) => {
      const opt = adam(lr, { b1 })
      const [u, next] = opt.update(grad(loss)(p, x), s, p)
      return [applyUpdates(p, u), next] as const
    }
    const compiled = jit(step)
    let e: readonly [Params, unknown] = [start, adam(0.1).init(start)]
    let f = e
    for (const [lr, b1] of [
      [0.1, 0.9],
      [0.05, 0.8],
      [0.2, 0.95],
    ] as const) {
      e = step(e[0], e[1], lr, b1)
      f = compiled(f[0], f[1], lr, b1)
      expect(bits(f)).toEqual(bits(e))
    }
    expect(() => step(start, e[1], 0.1, 1)).toThrow(InvalidArgumentError)
  })

  it('keeps eager step counts as numbers (no state change): adam counts 1, 2, 3', () => {
    const opt = adam(0.1)
    const step = jit((p: Params, s: unknown) => opt.update(grad(loss)(p, x), s, p))
    let state: unknown = opt.init(start)
    for (let t = 1; t <= 3; t++) {
      state = step(start, state)[1]
      expect((state as readonly [{ count: unknown }])[0].count).toBe(t)
    }
  })

  it('refuses a state that is not the transformation’s with eager’s named error', () => {
    const opt = adam(0.1)
    const eager = (p: Params, s: unknown) => opt.update(grad(loss)(p, x), s, p)
    const step = jit(eager)
    const thrown = (f: () => unknown): unknown => {
      try {
        f()
      } catch (e) {
        return e
      }
      return undefined
    }
    const bad = [
      [{}, { count: 0 }], // no moments: TreeMismatchError (an InvalidArgumentError's sibling)
      [{ count: 'one', mu: start, nu: start }, { count: 0 }], // a count that is no number
      [{ count: 0, mu: start, nu: start }, {}], // scaleByLearningRate's count missing
      [opt.init(start)], // a chain's state of the wrong length
      0, // no state at all
    ]
    for (const state of bad) {
      const error = thrown(() => eager(start, state))
      expect(error).toBeInstanceOf(Error)
      expect(error).not.toBeInstanceOf(TypeError)
      expect(thrown(() => step(start, state))?.constructor).toBe(error?.constructor)
    }
    expect(thrown(() => step(start, bad[1]))).toBeInstanceOf(InvalidArgumentError)
    expect(thrown(() => step(start, bad[2]))).toBeInstanceOf(InvalidArgumentError)
    expect(thrown(() => step(start, bad[3]))).toBeInstanceOf(InvalidArgumentError)
    // eagerly a missing count is named too, where it once made a silent NaN (undefined + 1)
    expect(() => scaleByLearningRate(0.1).update([1], {} as { count: number })).toThrow(
      InvalidArgumentError,
    )
  })

  it('a user schedule in JS arithmetic names the problem under jit', () => {
    const opt = sgd((step) => 0.1 * 0.5 ** step)
    const step = jit((p: Params, s: unknown) => opt.update(grad(loss)(p, x), s, p))
    expect(() => step(start, opt.init(start))).toThrow(TracedArithmeticError)
    const branching = sgd((step) => (step < 10 ? 0.1 : 0.01))
    const step2 = jit((p: Params, s: unknown) => branching.update(grad(loss)(p, x), s, p))
    expect(() => step2(start, branching.init(start))).toThrow(TracedArithmeticError)
    const reading = sgd((step) => (value(step) < 10 ? 0.1 : 0.01))
    const step3 = jit((p: Params, s: unknown) => reading.update(grad(loss)(p, x), s, p))
    expect(() => step3(start, reading.init(start))).toThrow(ConcretizationError)
  })
})

describe('built-in schedules', () => {
  for (const [name, schedule] of schedules) {
    it(`${name}: the same bits on a JS number and on a traced count`, () => {
      const compiled = jit(schedule)
      for (let step = 0; step < 12; step++) {
        expect(bits(compiled(step))).toEqual(bits(schedule(step)))
      }
    })
  }

  it('give numbers for numbers', () => {
    for (const [, schedule] of schedules) expect(typeof schedule(3)).toBe('number')
  })

  it('a non-finite rate is still refused eagerly', () => {
    const opt = sgd(() => Number.NaN)
    expect(() => opt.update([1], opt.init([0]))).toThrow(InvalidArgumentError)
  })
})

describe('trainStep under jit', () => {
  const net = mlp([4, 5, 3], tanh)
  const params0 = net.init(random.key(1))
  const xs = random.normal(random.key(2), [6, 4])
  const labels = tensor([0, 2, 1, 1, 0, 2])
  const mlpLoss = (p: MlpParams, xb: Tensor, yb: Tensor) =>
    softmaxCrossEntropy(net.apply(p, xb), yb)

  for (const [name, optimizer] of [
    ['adam', adam(0.05)],
    ['sgd with a cosine schedule', sgd(cosineDecay({ init: 0.1, decaySteps: 2 }))],
    ['adamw after clipping', chain(clipByGlobalNorm(0.1), adamw(0.05))],
  ] as const) {
    it(`jit(trainStep(loss, ${name})) on an MLP with integer labels: eager bits, traced once`, () => {
      let traces = 0
      const counted = (p: MlpParams, xb: Tensor, yb: Tensor) => {
        traces++
        return mlpLoss(p, xb, yb)
      }
      const eagerStep = trainStep(mlpLoss, optimizer as GradientTransformation)
      const compiled = jit(trainStep(counted, optimizer as GradientTransformation))
      let e: [MlpParams, unknown, number] = [params0, optimizer.init(params0), 0]
      let f: [MlpParams, unknown, number] = [params0, optimizer.init(params0), 0]
      for (let i = 0; i < 3; i++) {
        e = eagerStep(e[0], e[1], xs, labels)
        f = compiled(f[0], f[1], xs, labels)
        expect(bits(f[0]), `params after step ${i + 1}`).toEqual(bits(e[0]))
        expect(bits(f[1]), `state after step ${i + 1}`).toEqual(bits(e[1]))
        // the loss, traced, comes out of the program as the same JS number
        expect(typeof f[2]).toBe('number')
        expect(bits(f[2])).toEqual(bits(e[2]))
      }
      expect(traces).toBe(1)
    })
  }

  it("train({ jit: 'step' }) trains to eager's bits: parameters, state and losses", () => {
    const x40 = random.normal(random.key(4), [40, 4])
    const y40 = tensor(Array.from({ length: 40 }, (_, i) => (i * 7) % 3))
    const run = (jit: boolean | 'step') =>
      train(params0, {
        loss: mlpLoss,
        optimizer: adam(linearWarmup({ peak: 0.05, steps: 4 })),
        x: x40,
        y: y40,
        key: random.key(5),
        epochs: 3,
        batchSize: 16, // two full minibatches and a smaller last one: two programs
        jit,
      })
    const eager = run(false)
    const compiled = run('step')
    expect(bits(compiled.params)).toEqual(bits(eager.params))
    expect(bits(compiled.state)).toEqual(bits(eager.state))
    expect(bits(compiled.losses)).toEqual(bits(eager.losses))
    expect(() => trainStep(mlpLoss, adam(0.1), { jit: 'all' } as never)).toThrow(
      InvalidArgumentError,
    )
  })

  it('trainStep({ jit: true }) inside jit inlines: the same bits', () => {
    const opt = adam(0.05)
    const inner = trainStep(mlpLoss, opt, { jit: true })
    const compiled = jit(inner)
    const eager = trainStep(mlpLoss, opt)
    let e = [params0, opt.init(params0)] as [MlpParams, unknown]
    let f = [params0, opt.init(params0)] as [MlpParams, unknown]
    for (let i = 0; i < 3; i++) {
      const [ep, es] = eager(e[0], e[1], xs, labels)
      const [fp, fs] = compiled(f[0], f[1], xs, labels)
      e = [ep, es]
      f = [fp, fs]
      expect(bits(f)).toEqual(bits(e))
    }
  })

  it('softmaxCrossEntropy with integer labels: value and gradient under jit are eager’s', () => {
    const g = (p: MlpParams, yb: Tensor) => grad(mlpLoss)(p, xs, yb)
    const compiled = jit(g)
    for (const y of [labels, tensor([2, 2, 0, 1, 0, 1])]) {
      expect(bits(compiled(params0, y))).toEqual(bits(g(params0, y)))
    }
    const value = jit((p: MlpParams, yb: Tensor) => mlpLoss(p, xs, yb))
    expect(bits(value(params0, labels))).toEqual(bits(mlpLoss(params0, xs, labels)))
  })

  it('labels as an array of numbers: eagerly, and under jit as an argument or a constant', () => {
    const asArray = [0, 2, 1, 1, 0, 2]
    const reference = bits(mlpLoss(params0, xs, labels))
    const arrayLoss = (p: MlpParams, ys: readonly number[]) =>
      softmaxCrossEntropy(net.apply(p, xs), ys)
    expect(bits(arrayLoss(params0, asArray))).toEqual(reference)
    // as an argument each entry is a traced number; the kernel still checks them on a replay
    const compiled = jit(arrayLoss)
    expect(bits(compiled(params0, asArray))).toEqual(reference)
    expect(bits(compiled(params0, asArray))).toEqual(reference)
    expect(() => compiled(params0, [0, 2, 1, 1, 0, 7])).toThrow(IndexError)
    expect(bits(jit((p: MlpParams) => arrayLoss(p, asArray))(params0))).toEqual(reference)
    expect(bits(jit(grad(arrayLoss))(params0, asArray))).toEqual(
      bits(grad(mlpLoss)(params0, xs, labels)),
    )
    expect(() => arrayLoss(params0, [0, 2, 1, 1, 0, 1.5])).toThrow(InvalidArgumentError)
    expect(() => softmaxCrossEntropy(xs, 'labels' as never)).toThrow(InvalidArgumentError)
  })

  it('labels that are no class index: named errors eagerly and on a replay of the step', () => {
    const opt = adam(0.05)
    const compiled = jit(trainStep(mlpLoss, opt))
    compiled(params0, opt.init(params0), xs, labels)
    for (const bad of [tensor([0, 3, 1, 1, 0, 2]), tensor([0, -1, 1, 1, 0, 2])]) {
      expect(() => mlpLoss(params0, xs, bad)).toThrow(InvalidArgumentError)
      // the kernel checks the labels of each replay: no silent 0 or NaN loss
      expect(() => compiled(params0, opt.init(params0), xs, bad)).toThrow(IndexError)
    }
  })

  it('a loss that reads its values still throws ConcretizationError under jit', () => {
    const reading = (w: number) => (value(w) > 0 ? mul(w, w) : w)
    const step = jit(trainStep(reading, sgd(0.1)))
    expect(() => step(1, sgd(0.1).init(1))).toThrow(ConcretizationError)
  })
})
