/**
 * W3 beside the peers (issue: performance): the MLP 784-256-10 loss with its gradient with
 * respect to every parameter, batch 128, and the large product x·w1 alone, by hand, by fluxion
 * (float64 and float32, the gradient eagerly and under `jit`, warmed up before timing), by
 * TensorFlow.js on cpu and
 * wasm (float32 only) and by jax-js on wasm (float64 and float32, with and without `jit`).
 * `npm run bench:peers` runs it.
 *
 * Every result is checked against the hand-written float64 reference at its precision: float64
 * at rtol 1e-9, float32 at 1e-3. Below a floor of 1% of an array's largest entry the tolerance
 * stops shrinking: float32 gradients were measured off by up to 5e-7 of the largest entry (sums
 * with cancellation), so a 0.1% floor would leave a margin of 2, this one 20. jax-js's wasm
 * backend evaluates exp and log in float32 even on float64 arrays (its loss is off by 5e-7);
 * where its float64 result fails 1e-9, that task is dropped and a separately labelled one,
 * checked at 1e-5 with the float32 floor, says what it measures. Peer timings include reading
 * every result back (`dataSync`), as a user must.
 */
import { astype, jit, matmul, type Tensor, treeMap, valueAndGrad } from 'fluxion'
import { type Group, type Task, warmUp, warmUpMs } from '../harness.ts'
import {
  batch,
  classes,
  close,
  closeLossAndGrad,
  flattenGrad,
  fluxionData,
  fluxionLoss,
  hidden,
  inputs,
  type LossAndGrad,
  lossAndGradPlain,
  type MlpData,
  matmulFlops,
  matmulPlain,
  mlpData,
} from '../mlp.ts'
import { type Jax, type JaxArray, loadJax, loadTf, type Tf, type TfTensor } from '../peers.ts'

/** A peer's tasks: the loss with its gradient, and the product alone. */
interface PeerTasks {
  readonly lossAndGrad: Task[]
  readonly matmul: Task[]
}

/** What each task is checked against. */
interface Reference {
  readonly lossAndGrad: LossAndGrad
  readonly product: Float64Array
}

const flops = { units: matmulFlops, unitName: 'flop' } as const
const f32 = (v: Float64Array): Float32Array => Float32Array.from(v)

const tfTasks = (tf: Tf, d: MlpData, ref: Reference, backend: string): PeerTasks => {
  const x = tf.tensor2d(f32(d.x), [batch, inputs], 'float32')
  const labels = tf.tensor1d(d.labels, 'int32')
  const params = [
    tf.tensor2d(f32(d.w1), [inputs, hidden], 'float32'),
    tf.tensor1d(f32(d.b1), 'float32'),
    tf.tensor2d(f32(d.w2), [hidden, classes], 'float32'),
    tf.tensor1d(f32(d.b2), 'float32'),
  ]
  const loss = (w1: TfTensor, b1: TfTensor, w2: TfTensor, b2: TfTensor): TfTensor => {
    const a = tf.relu(tf.add(tf.matMul(x, w1), b1))
    const logits = tf.add(tf.matMul(a, w2), b2)
    return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits)
  }
  const lossAndGrad = tf.valueAndGrads(loss)
  const run = (): LossAndGrad => {
    // tidy frees the forward pass's intermediates; the results are read, then freed
    const out = tf.tidy(() => {
      const { value, grads } = lossAndGrad(params)
      return [value, ...grads]
    })
    const [value, w1, b1, w2, b2] = out.map((t) => t.dataSync())
    for (const t of out) t.dispose()
    return { loss: value![0]!, w1: w1!, b1: b1!, w2: w2!, b2: b2! }
  }
  const product = (): Float32Array => {
    const out = tf.matMul(x, params[0]!)
    const data = out.dataSync()
    out.dispose()
    return data
  }
  const name = `TensorFlow.js ${backend} (float32)`
  const setup = async () => {
    await tf.setBackend(backend)
  }
  return {
    lossAndGrad: [
      {
        name,
        peer: true,
        setup,
        fn: run,
        validate: () => closeLossAndGrad(run(), ref.lossAndGrad, 1e-3, 1e-2),
      },
    ],
    matmul: [
      {
        name,
        peer: true,
        setup,
        fn: product,
        validate: () => close('x·w1', product(), ref.product, 1e-3, 1e-2),
        ...flops,
      },
    ],
  }
}

type JaxParams = { w1: JaxArray; b1: JaxArray; w2: JaxArray; b2: JaxArray }

const jaxLoss =
  (jax: Jax) =>
  (p: JaxParams, x: JaxArray, labels: JaxArray): JaxArray => {
    const { numpy: np, nn } = jax
    const a = nn.relu(np.matmul(x, p.w1).add(p.b1))
    const logits = np.matmul(a, p.w2).add(p.b2)
    // the mean of −log p[label]: the one-hot rows pick each example's label
    return nn
      .logSoftmax(logits)
      .mul(nn.oneHot(labels, classes))
      .sum()
      .mul(-1 / batch)
  }

/** Whether a check passes, for the float64 tasks that jax-js's float32 intrinsics may fail. */
const passes = (check: () => void): boolean => {
  try {
    check()
    return true
  } catch {
    return false
  }
}

const jaxTasks = (jax: Jax, d: MlpData, ref: Reference, precision: 32 | 64): PeerTasks => {
  const np = jax.numpy
  const dtype = precision === 64 ? np.float64 : np.float32
  const values = (v: Float64Array) => (precision === 64 ? v : f32(v))
  const array = (v: Float64Array, shape: number[]) => np.array(values(v), { dtype, shape })
  const x = array(d.x, [batch, inputs])
  const labels = np.array(d.labels, { dtype: np.int32, shape: [batch] })
  const p: JaxParams = {
    w1: array(d.w1, [inputs, hidden]),
    b1: array(d.b1, [hidden]),
    w2: array(d.w2, [hidden, classes]),
    b2: array(d.b2, [classes]),
  }
  const [rtol, floor] = precision === 64 ? [1e-9, 1e-3] : [1e-3, 1e-2]
  const dtypeName = `float${precision}`
  const lossAndGrad = (jitted: boolean): Task[] => {
    const f = jax.valueAndGrad(jaxLoss(jax))
    const g = jitted ? jax.jit(f) : f
    const run = (): LossAndGrad => {
      // every argument is lent with .ref; dataSync consumes each result
      const lent = { w1: p.w1.ref, b1: p.b1.ref, w2: p.w2.ref, b2: p.b2.ref }
      const [value, grads] = g(lent, x.ref, labels.ref)
      const loss = value.dataSync()[0]!
      const [w1, b1, w2, b2] = [grads.w1, grads.b1, grads.w2, grads.b2].map((a) => a.dataSync())
      return { loss, w1: w1!, b1: b1!, w2: w2!, b2: b2! }
    }
    const name = `jax-js wasm ${jitted ? 'jit ' : ''}`
    const task = (label: string, tol: number, tolFloor: number): Task => ({
      name: `${name}(${label})`,
      peer: true,
      fn: run,
      validate: () => closeLossAndGrad(run(), ref.lossAndGrad, tol, tolFloor),
    })
    const strict = task(dtypeName, rtol, floor)
    if (precision === 32 || passes(strict.validate)) return [strict]
    // the strict task stays, to be dropped with its message; this one says what it measures
    return [strict, task('float64 storage, float32 intrinsics; checked at 1e-5', 1e-5, 1e-2)]
  }
  const product = () => np.matmul(x.ref, p.w1.ref).dataSync()
  return {
    lossAndGrad: [...lossAndGrad(false), ...lossAndGrad(true)],
    matmul: [
      {
        name: `jax-js wasm (${dtypeName})`,
        peer: true,
        fn: product,
        validate: () => close('x·w1', product(), ref.product, rtol, floor),
        ...flops,
      },
    ],
  }
}

export const peerMlpGroups = async (quick: boolean): Promise<Group[]> => {
  const [tf, jax] = [await loadTf(), await loadJax()]
  const d = mlpData()
  const ref: Reference = {
    lossAndGrad: lossAndGradPlain(d),
    product: matmulPlain(d.x, d.w1, batch, inputs, hidden),
  }
  const { params, x, labels } = fluxionData(d)
  const fluxionLossAndGrad = valueAndGrad(fluxionLoss(x, labels))
  // x and the labels, closed over, are constants of the compiled program
  const fluxionJit = jit(valueAndGrad(fluxionLoss(x, labels)))
  const w1 = params[0]!.w
  // the same data in float32: parameters, inputs and (the labels are indices) the same labels
  const params32 = treeMap((t: Tensor) => astype(t, 'float32'), params)
  const x32 = astype(x, 'float32')
  const w132 = params32[0]!.w
  const fluxion32 = valueAndGrad(fluxionLoss(x32, labels))
  const fluxionJit32 = jit(valueAndGrad(fluxionLoss(x32, labels)))
  const peers: PeerTasks[] = [
    ...(tf === undefined ? [] : [tfTasks(tf, d, ref, 'cpu'), tfTasks(tf, d, ref, 'wasm')]),
    ...(jax === undefined ? [] : [jaxTasks(jax, d, ref, 64), jaxTasks(jax, d, ref, 32)]),
  ]
  return [
    {
      title: 'peers W3: MLP 784-256-10 loss and gradient, batch 128',
      baseline: 'hand-written forward+backward (float64)',
      tasks: [
        {
          name: 'hand-written forward+backward (float64)',
          fn: () => lossAndGradPlain(d),
          validate: () => closeLossAndGrad(lossAndGradPlain(d), ref.lossAndGrad, 0),
        },
        {
          name: 'fluxion valueAndGrad (float64)',
          fn: () => fluxionLossAndGrad(params),
          validate: () =>
            closeLossAndGrad(flattenGrad(fluxionLossAndGrad(params)), ref.lossAndGrad, 1e-9),
        },
        {
          name: 'fluxion jit(valueAndGrad) (float64)',
          setup: warmUp(() => fluxionJit(params), warmUpMs(quick)),
          fn: () => fluxionJit(params),
          validate: () => closeLossAndGrad(flattenGrad(fluxionJit(params)), ref.lossAndGrad, 1e-9),
        },
        {
          name: 'fluxion valueAndGrad (float32)',
          fn: () => fluxion32(params32),
          validate: () =>
            closeLossAndGrad(flattenGrad(fluxion32(params32)), ref.lossAndGrad, 1e-3, 1e-2),
        },
        {
          name: 'fluxion jit(valueAndGrad) (float32)',
          setup: warmUp(() => fluxionJit32(params32), warmUpMs(quick)),
          fn: () => fluxionJit32(params32),
          validate: () =>
            closeLossAndGrad(flattenGrad(fluxionJit32(params32)), ref.lossAndGrad, 1e-3, 1e-2),
        },
        ...peers.flatMap((t) => t.lossAndGrad),
      ],
    },
    {
      title: `peers W3: matmul ${batch}×${inputs} · ${inputs}×${hidden} (GFLOP/s)`,
      baseline: 'hand-written i-k-j loop (float64)',
      tasks: [
        {
          name: 'hand-written i-k-j loop (float64)',
          fn: () => matmulPlain(d.x, d.w1, batch, inputs, hidden),
          validate: () =>
            close('x·w1', matmulPlain(d.x, d.w1, batch, inputs, hidden), ref.product, 0),
          ...flops,
        },
        {
          name: 'fluxion matmul (float64)',
          fn: () => matmul(x, w1),
          validate: () => close('x·w1', matmul(x, w1).data, ref.product, 1e-9),
          ...flops,
        },
        {
          name: 'fluxion matmul (float32)',
          fn: () => matmul(x32, w132),
          validate: () => close('x·w1', matmul(x32, w132).data, ref.product, 1e-3, 1e-2),
          ...flops,
        },
        ...peers.flatMap((t) => t.matmul),
      ],
    },
  ]
}
