/**
 * fluxion beside its peers (issue: performance), one run, one table. The peers live in
 * bench/peers with their own lockfile (`npm --prefix bench/peers ci`), so the root install
 * stays lean; `npm run bench:peers` runs this suite. Every peer is validated against the
 * hand-written gradient before it is timed, and dropped if wrong. fluxion runs eagerly and under
 * `jit` (warmed up before timing, see `warmUp` in harness.ts).
 *
 * TensorFlow.js computes in float32 only, so its results are checked at float32 tolerance;
 * jax-js (wasm device) runs in float64 and float32, with and without `jit`. Peer timings include
 * reading the gradient back (`dataSync`), as a user must.
 */
import { grad, jit, tensor } from 'fluxion'
import { type Group, type Task, warmUp, warmUpMs } from '../harness.ts'
import { type Jax, type JaxArray, loadJax, loadTf, type Tf, type TfTensor } from '../peers.ts'
import { near, points, rosenbrockGradPlain, rosenbrockVec } from '../rosenbrock.ts'

const tfRosenbrock =
  (tf: Tf, n: number) =>
  (x: TfTensor): TfTensor => {
    const head = tf.slice(x, [0], [n - 1])
    const tail = tf.slice(x, [1], [n - 1])
    return tf.sum(
      tf.add(tf.mul(100, tf.square(tf.sub(tail, tf.square(head)))), tf.square(tf.sub(1, head))),
    )
  }

const jaxRosenbrock =
  (jax: Jax, n: number) =>
  (x: JaxArray): JaxArray => {
    const np = jax.numpy
    const head = x.ref.slice([0, n - 1])
    const tail = x.slice([1, n])
    const r = tail.sub(np.square(head.ref))
    return np
      .square(r)
      .mul(100)
      .add(np.square(np.subtract(1, head)))
      .sum()
  }

/** W1: the vector Rosenbrock gradient, n = 10³ and 10⁵; `warm`: jit warm-up (ms). */
const w1 = (n: number, warm: number, tf: Tf | undefined, jax: Jax | undefined): Group => {
  const xs = points(n)
  const expected = rosenbrockGradPlain(xs)
  const x = tensor(xs)
  const fluxionGrad = grad(rosenbrockVec)
  const fluxionJit = jit(grad(rosenbrockVec))
  const x32 = tensor(xs, { dtype: 'float32' })
  const fluxionJit32 = jit(grad(rosenbrockVec))
  const tfTasks = (backend: string): Task[] => {
    if (tf === undefined) return []
    const xTf = tf.tensor1d(Float32Array.from(xs), 'float32')
    const g = tf.grad(tfRosenbrock(tf, n))
    const run = (): Float32Array => {
      const out = tf.tidy(() => g(xTf))
      const data = out.dataSync()
      out.dispose()
      return data
    }
    return [
      {
        name: `TensorFlow.js ${backend} (float32)`,
        peer: true,
        setup: async () => {
          await tf.setBackend(backend)
        },
        fn: run,
        validate: () => near(run(), expected, 1e-3),
      },
    ]
  }
  const jaxTasks = (): Task[] => {
    if (jax === undefined) return []
    const variants = [
      ['float64', jax.numpy.float64, false, 1e-12],
      ['float64', jax.numpy.float64, true, 1e-12],
      ['float32', jax.numpy.float32, true, 1e-3],
    ] as const
    return variants.map(([dtypeName, dtype, jitted, rtol]) => {
      const xJax = jax.numpy.array(xs, { dtype })
      const g = jax.grad(jaxRosenbrock(jax, n))
      const gradient = jitted ? jax.jit(g) : g
      // the argument is lent with .ref; dataSync consumes the result
      const run = () => gradient(xJax.ref).dataSync()
      return {
        name: `jax-js wasm ${jitted ? 'jit ' : ''}(${dtypeName})`,
        peer: true,
        fn: run,
        validate: () => near(run(), expected, rtol),
      }
    })
  }
  return {
    title: `peers W1: vector Rosenbrock gradient, n=${n}`,
    baseline: 'hand-written gradient',
    tasks: [
      {
        name: 'hand-written gradient',
        fn: () => rosenbrockGradPlain(xs),
        validate: () => near(rosenbrockGradPlain(xs), expected, 0),
      },
      {
        name: 'fluxion grad (float64)',
        fn: () => fluxionGrad(x),
        validate: () => near(fluxionGrad(x).data, expected, 1e-12),
      },
      {
        name: 'fluxion jit(grad) (float64)',
        setup: warmUp(() => fluxionJit(x), warm),
        fn: () => fluxionJit(x),
        validate: () => near(fluxionJit(x).data, expected, 1e-12),
      },
      {
        name: 'fluxion grad (float32)',
        fn: () => fluxionGrad(x32),
        validate: () => near(fluxionGrad(x32).data, expected, 1e-3),
      },
      {
        name: 'fluxion jit(grad) (float32)',
        setup: warmUp(() => fluxionJit32(x32), warm),
        fn: () => fluxionJit32(x32),
        validate: () => near(fluxionJit32(x32).data, expected, 1e-3),
      },
      ...tfTasks('cpu'),
      ...tfTasks('wasm'),
      ...jaxTasks(),
    ],
  }
}

export const peerGroups = async (quick: boolean): Promise<Group[]> => {
  const [tf, jax] = [await loadTf(), await loadJax()]
  const warm = warmUpMs(quick)
  return [w1(1000, warm, tf, jax), w1(quick ? 10_000 : 100_000, warm, tf, jax)]
}
