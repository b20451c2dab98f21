/**
 * Can a jitted function be trusted (issue #12 §2)? Its results are the eager ones, to the bit,
 * in three places where they were not:
 * - under another transformation, a program traced at top level is never replayed: it holds the
 *   values its function closes over as constants, and those may now be traced values (grad, jvp,
 *   vmap, jit inside jit, jit of grad, custom rules, a pullback run later);
 * - +0 and −0 constants stay apart;
 * - programs of any length compile and replay (no generated function grows with the program):
 *   2·10⁵-op chains and an LSTM gradient here, 10⁶-op chains with FC_NUM_RUNS ≥ 1000
 *   (`npm run test:deep`).
 * Eager runs of the same functions are the oracle: every comparison is exact.
 */
import {
  add,
  checkpoint,
  customJvp,
  customVjp,
  div,
  grad,
  jit,
  jvp,
  logistic,
  logSumExp,
  mul,
  random,
  reshape,
  sin,
  slice,
  sub,
  sum,
  Tensor,
  tanh,
  tensor,
  vjp,
  vmap,
} from 'fluxion'
import { describe, expect, it } from 'vitest'

/** The numbers of a result tree, in order. */
const numbersOf = (tree: unknown): number[] => {
  if (typeof tree === 'number') return [tree]
  if (tree instanceof Tensor) return Array.from(tree.data)
  if (Array.isArray(tree)) return tree.flatMap(numbersOf)
  if (tree !== null && typeof tree === 'object') return Object.values(tree).flatMap(numbersOf)
  return []
}

/** Same numbers with `Object.is`: a zero's sign counts, NaN equals NaN. */
const expectSameBits = (actual: unknown, expected: unknown, what = ''): void => {
  const [a, b] = [numbersOf(actual), numbersOf(expected)]
  expect(a.length, what).toBe(b.length)
  const k = a.findIndex((v, i) => !Object.is(v, b[i]))
  const show = (v: number | undefined) => (Object.is(v, -0) ? '-0' : String(v))
  if (k >= 0) expect.fail(`${what}: element ${k} is ${show(a[k])}, eagerly ${show(b[k])}`)
}

/** `jit(f)` on its tracing call and on two replays gives exactly `f`'s numbers. */
const expectJitExact = <A extends unknown[]>(f: (...args: A) => unknown, ...args: A): void => {
  const eager = f(...args)
  const jitted = jit(f)
  for (const call of ['traced', 'replay 1', 'replay 2'])
    expectSameBits(jitted(...args), eager, call)
}

describe('under another transformation, a program traced at top level is not replayed', () => {
  const x = tensor([0.5, -0.3])
  const p0 = tensor([1, 2])
  const p1 = tensor([0.75, -1.25])
  // predict closes over w, which the functions below set to the value they differentiate
  let w = p0
  const predict = (v: Tensor) => sum(tanh(mul(w, v)))
  /** A jitted predict whose program (traced with w = p0 a constant) is in its cache. */
  const warm = () => {
    w = p0
    const jitted = jit(predict)
    jitted(x)
    return jitted
  }
  const through =
    (g: (v: Tensor) => Tensor) =>
    (p: Tensor): Tensor => {
      w = p
      return g(x)
    }

  it('grad, jvp and vmap differentiate and batch what f closes over', () => {
    const jitted = warm()
    for (const p of [p0, p1]) {
      expectSameBits(grad(through(jitted))(p), grad(through(predict))(p), 'grad')
      const v = tensor([1, -0.5])
      expectSameBits(jvp(through(jitted), [p], [v]), jvp(through(predict), [p], [v]), 'jvp')
    }
    const batch = tensor([
      [1, 2],
      [0.75, -1.25],
      [-3, 0.5],
    ])
    expectSameBits(vmap(through(jitted))(batch), vmap(through(predict))(batch), 'vmap')
  })

  it('inside another jit (inlined into its program) and inside jit of grad', () => {
    const jitted = warm()
    const outer = jit(through(jitted))
    const outerGrad = jit(grad(through(jitted)))
    // the outer programs are traced on the first call, replayed on the others
    for (const p of [p1, p0, tensor([2, -0.5])]) {
      expectSameBits(outer(p), through(predict)(p), 'jit of jit')
      expectSameBits(outerGrad(p), grad(through(predict))(p), 'jit of grad')
    }
  })

  describe('custom rules calling a jitted function that closes over a traced value', () => {
    let scale = 3
    const times = (c: Tensor) => mul(c, scale)
    const warmTimes = () => {
      scale = 3
      const jitted = jit(times)
      jitted(tensor([1, 1]))
      return jitted
    }
    // a deliberate custom derivative: ∂ = scale, so d/ds of the derivative is 1 per element
    const scaledVjp = (h: (c: Tensor) => Tensor) =>
      customVjp(
        (v: Tensor) => mul(v, 2),
        (v: Tensor) => [mul(v, 2), null] as const,
        (_r: null, c: Tensor) => [h(c)] as const,
      )
    const scaledJvp = (h: (c: Tensor) => Tensor) =>
      customJvp(
        (v: Tensor) => mul(v, 2),
        ([v], [vDot]: [Tensor]) => [mul(v, 2), h(vDot)] as const,
      )
    const bySlope = (f: (s: number) => Tensor | number) => grad(f)(1.5)

    it('customVjp: its bwd, run in the backward pass of an inner grad', () => {
      const h = warmTimes()
      const outer = (g: (c: Tensor) => Tensor) => (s: number) => {
        scale = s
        return sum(grad((v: Tensor) => sum(scaledVjp(g)(v)))(x))
      }
      expectSameBits(bySlope(outer(h)), bySlope(outer(times)))
      expect(bySlope(outer(times))).toBe(2)
    })

    it('customJvp: its rule, under jvp inside grad', () => {
      const h = warmTimes()
      const outer = (g: (c: Tensor) => Tensor) => (s: number) => {
        scale = s
        return sum(jvp(scaledJvp(g), [x], [tensor([1, 1])])[1])
      }
      expectSameBits(bySlope(outer(h)), bySlope(outer(times)))
      expect(bySlope(outer(times))).toBe(2)
    })

    it('checkpoint: its function, called directly under grad', () => {
      const h = warmTimes()
      const outer = (g: (c: Tensor) => Tensor) => (s: number) => {
        scale = s
        return sum(checkpoint(g)(x))
      }
      expectSameBits(bySlope(outer(h)), bySlope(outer(times)))
    })

    it('a pullback run after its vjp returned: replayed at top level, f under grad', () => {
      const h = warmTimes()
      const [, pullback] = vjp((v: Tensor) => sum(scaledVjp(h)(v)), x)
      const [, eagerPullback] = vjp((v: Tensor) => sum(scaledVjp(times)(v)), x)
      // no transformation running: the warm program (scale 3, as the variable now holds) runs
      expectSameBits(pullback(1), eagerPullback(1), 'top level')
      const outer = (pb: typeof pullback) => (s: number) => {
        scale = s
        return sum(pb(1)[0])
      }
      expectSameBits(bySlope(outer(pullback)), bySlope(outer(eagerPullback)), 'under grad')
      expect(bySlope(outer(eagerPullback))).toBe(2)
    })
  })
})

describe('+0 and −0 constants stay apart', () => {
  it('as factors: x·0 and 1/(x·−0)', () => {
    expectJitExact((v: number) => [mul(v, 0), div(1, mul(v, -0))], 2)
    expectJitExact((v: number) => [div(1, mul(v, -0)), mul(v, 0), div(1, mul(v, 0))], 2)
  })

  it('as addends and as outputs, beside tensors of zeros of either sign', () => {
    expectJitExact((v: number) => [add(v, 0), add(v, -0), 0, -0], -0)
    const zeros = tensor([0, 0])
    const negativeZeros = tensor([-0, -0])
    expectJitExact(
      (t: Tensor) => [add(t, zeros), add(t, negativeZeros), div(1, add(mul(t, 0), negativeZeros))],
      tensor([-0, 1]),
    )
  })
})

/** FC_NUM_RUNS ≥ 1000 (npm run test:deep) also runs the 10⁶-op programs (10–40 s each). */
const deep = Number(process.env.FC_NUM_RUNS ?? 100) >= 1000

/** n primitives in a chain: sin, a scaling and a shift in turn (values stay in [−1.5, 1.5]). */
const scalarChain =
  (n: number) =>
  (x: number): number => {
    let y = x
    for (let k = 0; k < n; k++) y = k % 3 === 0 ? sin(y) : k % 3 === 1 ? mul(y, 0.75) : add(y, 0.5)
    return y
  }
/** The same chain on a tensor, elementwise. */
const tensorChain =
  (n: number) =>
  (x: Tensor): Tensor => {
    let y = x
    for (let k = 0; k < n; k++) y = k % 3 === 0 ? sin(y) : k % 3 === 1 ? mul(y, 0.75) : add(y, 0.5)
    return y
  }

describe('long programs compile and replay', () => {
  const t = tensor([0.25, -1, 0.5, 1.25])

  it('a 2·10⁵-op tensor chain, and the gradient of a 10⁵-op one', () => {
    expectJitExact(tensorChain(200_000), t)
    expectJitExact(
      grad((v: Tensor) => sum(tensorChain(100_000)(v))),
      t,
    )
  })

  it('a 2·10⁵-op scalar chain and its gradient', () => {
    expectJitExact(scalarChain(200_000), 0.3)
    expectJitExact(grad(scalarChain(200_000)), 0.3)
  })

  it.runIf(deep)(
    '10⁶-op chains: scalar and tensor, and their gradients',
    () => {
      expectJitExact(scalarChain(1_000_000), 0.3)
      expectJitExact(tensorChain(1_000_000), t)
      expectJitExact(grad(scalarChain(1_000_000)), 0.3)
      expectJitExact(
        grad((v: Tensor) => sum(tensorChain(1_000_000)(v))),
        t,
      )
    },
    600_000,
  )

  /** A diagonal LSTM (GradBench's model): `layers` cells over the rows of `text`. */
  const lstmLoss = (layers: number, text: Tensor) => {
    const bits = text.shape[1]!
    const row = (m: Tensor, i: number) => reshape(slice(m, [i, 0], [i + 1, bits]), [bits])
    return (p: { weights: Tensor; extra: Tensor; state: Tensor }): Tensor => {
      const hidden = Array.from({ length: layers }, (_, l) => row(p.state, 2 * l))
      const cell = Array.from({ length: layers }, (_, l) => row(p.state, 2 * l + 1))
      let total: Tensor = tensor(0)
      for (let c = 0; c + 1 < text.shape[0]!; c++) {
        let input = mul(row(text, c), row(p.extra, 0))
        for (let l = 0; l < layers; l++) {
          const gate = (k: number, v: Tensor) =>
            add(mul(v, row(p.weights, 8 * l + k)), row(p.weights, 8 * l + 4 + k))
          const forget = logistic(gate(0, input))
          const ingate = logistic(gate(1, hidden[l]!))
          const outgate = logistic(gate(2, input))
          const change = tanh(gate(3, hidden[l]!))
          cell[l] = add(mul(cell[l]!, forget), mul(ingate, change))
          hidden[l] = mul(outgate, tanh(cell[l]!))
          input = hidden[l]!
        }
        const y = add(mul(input, row(p.extra, 1)), row(p.extra, 2))
        total = add(total, sum(mul(row(text, c + 1), sub(y, logSumExp(y)))))
      }
      return div(total, 1 - text.shape[0]!)
    }
  }
  const lstmParams = (layers: number) => ({
    weights: random.normal(random.key(1), [8 * layers, 7]),
    extra: random.normal(random.key(2), [3, 7]),
    state: random.normal(random.key(3), [2 * layers, 7]),
  })
  const text = (characters: number) => random.uniform(random.key(4), [characters, 7], 0, 1)

  it('an LSTM gradient: 2 layers over 128 characters', () => {
    expectJitExact(grad(lstmLoss(2, text(128))), lstmParams(2))
  })

  it.runIf(deep)(
    'an LSTM gradient: 2 layers over 1,024 characters',
    () => {
      expectJitExact(grad(lstmLoss(2, text(1024))), lstmParams(2))
    },
    600_000,
  )
})
