/**
 * W2 beside the peers (issue: performance): Rosenbrock Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² written
 * as a JS loop over scalars, n = 10³, so the time is per-op overhead, not arithmetic. Each
 * library runs the loop the way its users would write it over scalars: fluxion over a number[]
 * (eagerly and under `jit`, warmed up before timing);
 * TensorFlow.js over one `tf.scalar` per element with `tf.grads`; jax-js over a list of rank-0
 * arrays (a pytree) with `grad`, eagerly and under `jit`. Every task is checked against the
 * hand-written gradient before it is timed; a peer that throws (jax-js's eager tracer overflows
 * the stack at about 8,000 scalar ops) or is wrong is dropped with its message.
 *
 * Peer timings include gathering the gradient into one array and reading it back, as a user
 * must: the list of scalar gradients is stacked (inside `jit` for jax-js) and read once.
 */
import { grad, jit } from 'fluxion'
import { type Group, type Task, warmUp, warmUpMs } from '../harness.ts'
import { type Jax, type JaxArray, loadJax, loadTf, type Tf, type TfTensor } from '../peers.ts'
import { near, opsPerTerm, points, rosenbrockGradPlain, rosenbrockLoop } from '../rosenbrock.ts'

/** The scalar loop in TensorFlow.js: every element its own scalar tensor, every op a kernel. */
const tfRosenbrock =
  (tf: Tf) =>
  (...x: TfTensor[]): TfTensor => {
    let acc: TfTensor | undefined
    for (let i = 0; i < x.length - 1; i++) {
      const xi = x[i]!
      const d = tf.sub(x[i + 1]!, tf.square(xi))
      const term = tf.add(tf.mul(100, tf.square(d)), tf.square(tf.sub(1, xi)))
      acc = acc === undefined ? term : tf.add(acc, term)
    }
    return acc!
  }

/**
 * The scalar loop in jax-js. Operations consume their operands (move semantics), so every use
 * of an element but its last lends it with `.ref`: x[i] is used once as xᵢ₊₁ (lent) and twice as
 * xᵢ (lent to the square, given to 1 − xᵢ); the last element is used once, and given.
 */
const jaxRosenbrock =
  (jax: Jax) =>
  (x: JaxArray[]): JaxArray => {
    const np = jax.numpy
    const n = x.length
    let acc: JaxArray | undefined
    for (let i = 0; i < n - 1; i++) {
      const xi = x[i]!
      const next = i + 2 < n ? x[i + 1]!.ref : x[i + 1]!
      const d = next.sub(np.square(xi.ref))
      const term = np
        .square(d)
        .mul(100)
        .add(np.square(np.subtract(1, xi)))
      acc = acc === undefined ? term : acc.add(term)
    }
    return acc!
  }

const w2 = (n: number, warm: number, tf: Tf | undefined, jax: Jax | undefined): Group => {
  const xs = points(n)
  const expected = rosenbrockGradPlain(xs)
  const fluxionGrad = grad(rosenbrockLoop)
  const fluxionJit = jit(grad(rosenbrockLoop))
  // the primitive applications of the loop (7 a term), the same program in every library
  const perOp = { units: opsPerTerm * (n - 1), unitName: 'op' } as const
  const tfTasks = (backend: string): Task[] => {
    if (tf === undefined) return []
    const scalars = xs.map((v) => tf.scalar(v, 'float32'))
    const g = tf.grads(tfRosenbrock(tf))
    const run = (): Float32Array => {
      const out = tf.tidy(() => tf.stack(g(scalars)))
      const data = out.dataSync()
      out.dispose()
      return data
    }
    return [
      {
        name: `TensorFlow.js ${backend} tf.grads over scalars (float32)`,
        peer: true,
        setup: async () => {
          await tf.setBackend(backend)
        },
        fn: run,
        validate: () => near(run(), expected, 1e-3),
        ...perOp,
      },
    ]
  }
  const jaxTasks = (): Task[] => {
    if (jax === undefined) return []
    const np = jax.numpy
    const variants = [
      ['float64', np.float64, false, 1e-9],
      ['float64', np.float64, true, 1e-9],
      ['float32', np.float32, true, 1e-3],
    ] as const
    return variants.map(([dtypeName, dtype, jitted, rtol]) => {
      const scalars = xs.map((v) => np.array([v], { dtype }).reshape([]))
      // stacked where the gradient is computed: under jit, one program returns one array
      const stacked = (x: JaxArray[]) => np.stack(jax.grad(jaxRosenbrock(jax))(x))
      const gradient = jitted ? jax.jit(stacked) : stacked
      // every element is lent with .ref; dataSync consumes the result
      const run = () => gradient(scalars.map((s) => s.ref)).dataSync()
      return {
        name: `jax-js wasm ${jitted ? 'jit ' : ''}grad over scalars (${dtypeName})`,
        peer: true,
        fn: run,
        validate: () => near(run(), expected, rtol),
        ...perOp,
      }
    })
  }
  return {
    title: `peers W2: scalar Rosenbrock loop gradient, n=${n}`,
    baseline: 'hand-written gradient',
    tasks: [
      {
        name: 'hand-written gradient',
        fn: () => rosenbrockGradPlain(xs),
        validate: () => near(rosenbrockGradPlain(xs), expected, 0),
      },
      {
        name: 'fluxion grad over number[] (float64)',
        fn: () => fluxionGrad(xs),
        validate: () => near(fluxionGrad(xs), expected, 1e-12),
        ...perOp,
      },
      {
        name: 'fluxion jit(grad) over number[] (float64)',
        setup: warmUp(() => fluxionJit(xs), warm),
        fn: () => fluxionJit(xs),
        validate: () => near(fluxionJit(xs), expected, 1e-12),
        ...perOp,
      },
      ...tfTasks('cpu'),
      ...tfTasks('wasm'),
      ...jaxTasks(),
    ],
  }
}

export const peerScalarGroups = async (quick: boolean): Promise<Group[]> => {
  const [tf, jax] = [await loadTf(), await loadJax()]
  // n = 10³ in the quick run too: the workload is per-op overhead at this size, and the issue's
  // figures are for it
  return [w2(1000, warmUpMs(quick), tf, jax)]
}
