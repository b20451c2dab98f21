/**
 * `npm run bench:peers -- conv` (issue #14 §8): the conv.bench.ts workload beside the peers —
 * ⟨conv2d(x, w), G⟩ with 'same' padding and its gradient in x and w, batch 32, 28×28, 3×3
 * kernel, 32 → 32 channels (batch 8 in `--quick`) — by the direct loops of bench/conv.ts (the
 * float64 reference and baseline), fluxion (eager and `jit`), TensorFlow.js on cpu and wasm
 * (float32; `tf.conv2d` under `tf.valueAndGrads`) and jax-js on wasm (`lax.conv` under
 * `valueAndGrad`; float64 eager and `jit`, float32 `jit`), in GFLOP/s of the three products.
 *
 * Each peer gets the data in its own layout before timing: TensorFlow.js takes NHWC and HWIO as
 * fluxion does; jax-js's `lax.conv` takes only NCHW input and OIHW kernels, so its inputs are
 * transposed once and its gradients checked against the reference transposed the same way.
 * Every result is checked before timing relative to the largest reference entry: float64 at
 * 1e-9, float32 at 1e-3 (the sums have 288 terms each for x̄ and 25,088 for w̄). Peer timings
 * include reading every result back (`dataSync`), as a user must.
 */
import { jit, mul, sum, type Tensor, tensor, valueAndGrad } from 'fluxion'
import { conv2d } from 'fluxion/nn'
import { type ConvSizes, convPlain } from '../conv.ts'
import { type Group, type Task, warmUp, warmUpMs } from '../harness.ts'
import { lazy, wave } from '../kernels.ts'
import { backends, nearScaled, runs } from '../peer-tasks.ts'
import { type Jax, type JaxArray, loadJax, loadTf, type Tf, type TfTensor } from '../peers.ts'

/** A loss value and the gradients in x and w, as read back. */
interface Result {
  readonly loss: number
  readonly xBar: ArrayLike<number>
  readonly wBar: ArrayLike<number>
}

/** Checks every part of `got` relative to the largest entry of the same part of `want`. */
const check = (got: Result, want: Result, rtol: number): void => {
  for (const [what, a, b] of [
    ['loss', [got.loss], [want.loss]],
    ['x̄', got.xBar, want.xBar],
    ['w̄', got.wBar, want.wBar],
  ] as const) {
    try {
      nearScaled(a, b, rtol)
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`)
    }
  }
}

/** a[d0, d1, d2, d3] (row-major) with its axes permuted by `perm`. */
const permute4 = (a: Float64Array, dims: readonly number[], perm: readonly number[]) => {
  const out = new Float64Array(a.length)
  const stride = [dims[1]! * dims[2]! * dims[3]!, dims[2]! * dims[3]!, dims[3]!, 1]
  const od = perm.map((p) => dims[p]!)
  let at = 0
  for (let i = 0; i < od[0]!; i++)
    for (let j = 0; j < od[1]!; j++)
      for (let k = 0; k < od[2]!; k++)
        for (let l = 0; l < od[3]!; l++) {
          const idx = [i, j, k, l]
          let src = 0
          for (let q = 0; q < 4; q++) src += idx[q]! * stride[perm[q]!]!
          out[at++] = a[src]!
        }
  return out
}

interface ConvData {
  readonly x: Float64Array
  readonly wt: Float64Array
  readonly g: Float64Array
  /** The loops' result, made on first use (the parent process only reads titles). */
  readonly reference: () => Result
}

const tfTask = (tf: Tf, backend: string, s: ConvSizes, d: ConvData): Task => {
  const { n, h, w, c, k, o } = s
  const f32 = (v: Float64Array) => Float32Array.from(v)
  const x = tf.tensor4d(f32(d.x), [n, h, w, c], 'float32')
  const wt = tf.tensor4d(f32(d.wt), [k, k, c, o], 'float32')
  const g = tf.tensor4d(f32(d.g), [n, h, w, o], 'float32')
  const lossAndGrad = tf.valueAndGrads((xv: TfTensor, wv: TfTensor) =>
    tf.sum(tf.mul(tf.conv2d(xv, wv, 1, 'same'), g)),
  )
  const run = (): Result => {
    // tidy frees the forward pass's intermediates; the results are read, then freed
    const out = tf.tidy(() => {
      const { value, grads } = lossAndGrad([x, wt])
      return [value, ...grads]
    })
    const [value, xBar, wBar] = out.map((t) => t.dataSync())
    for (const t of out) t.dispose()
    return { loss: value![0]!, xBar: xBar!, wBar: wBar! }
  }
  return {
    name: `TensorFlow.js ${backend} (float32)`,
    peer: true,
    setup: async () => {
      await tf.setBackend(backend)
    },
    fn: run,
    validate: () => check(run(), d.reference(), 1e-3),
  }
}

const jaxTasks = (jax: Jax, s: ConvSizes, d: ConvData): Task[] => {
  const { n, h, w, c, k, o } = s
  const np = jax.numpy
  // jax-js's conv is NCHW × OIHW only: the data are given to it in that layout
  const nchw = (v: Float64Array, ch: number) => permute4(v, [n, h, w, ch], [0, 3, 1, 2])
  const xT = nchw(d.x, c)
  const gT = nchw(d.g, o)
  const wT = permute4(d.wt, [k, k, c, o], [3, 2, 0, 1])
  const want = lazy((): Result => {
    const r = d.reference()
    return {
      loss: r.loss,
      xBar: nchw(Float64Array.from(r.xBar), c),
      wBar: permute4(Float64Array.from(r.wBar), [k, k, c, o], [3, 2, 0, 1]),
    }
  })
  type Params = { x: JaxArray; w: JaxArray }
  return runs.map(([dtypeName, jitted]): Task => {
    const dtype = np[dtypeName]
    const values = (v: Float64Array) => (dtypeName === 'float64' ? v : Float32Array.from(v))
    const x = np.array(values(xT), { dtype, shape: [n, c, h, w] })
    const wv = np.array(values(wT), { dtype, shape: [o, c, k, k] })
    const g = np.array(values(gT), { dtype, shape: [n, o, h, w] })
    const f = jax.valueAndGrad((p: Params, gv: JaxArray) =>
      jax.lax.conv(p.x, p.w, [1, 1], 'SAME').mul(gv).sum(),
    )
    const fn = jitted ? jax.jit(f) : f
    const run = (): Result => {
      // every argument is lent with .ref; dataSync consumes each result
      const [value, grads] = fn({ x: x.ref, w: wv.ref }, g.ref)
      return { loss: value.dataSync()[0]!, xBar: grads.x.dataSync(), wBar: grads.w.dataSync() }
    }
    return {
      name: `jax-js wasm ${jitted ? 'jit ' : ''}(${dtypeName})`,
      peer: true,
      fn: run,
      validate: () => check(run(), want(), dtypeName === 'float64' ? 1e-9 : 1e-3),
    }
  })
}

export const peerConvGroups = async (quick: boolean): Promise<Group[]> => {
  const s: ConvSizes = { n: quick ? 8 : 32, h: 28, w: 28, c: 32, k: 3, o: 32 }
  const { n, h, w, c, k, o } = s
  const flops = { units: 3 * 2 * n * h * w * k * k * c * o, unitName: 'flop' } as const
  const x = wave(n * h * w * c, 1, 0.29)
  const wt = wave(k * k * c * o, 0.3, 1.37)
  const g = wave(n * h * w * o, 1, 2.11)
  const d: ConvData = { x, wt, g, reference: lazy(() => convPlain(s, x, wt, g)) }
  const [tf, jax] = [await loadTf(), await loadJax()]
  const xT = tensor(x, [n, h, w, c])
  const wT = tensor(wt, [k, k, c, o])
  const gT = tensor(g, [n, h, w, o])
  const loss = (xv: Tensor, wv: Tensor) => sum(mul(conv2d(xv, wv, { padding: 'same' }), gT))
  const eager = valueAndGrad(loss, { argnums: [0, 1] })
  const compiled = jit(valueAndGrad(loss, { argnums: [0, 1] }))
  const fluxion = (run: typeof eager) => (): Result => {
    const [value, [xBar, wBar]] = run(xT, wT)
    return { loss: value.item(), xBar: xBar.data, wBar: wBar.data }
  }
  const tasks: Task[] = [
    {
      name: 'hand-written direct loops (float64)',
      fn: () => convPlain(s, x, wt, g),
      validate: () => check(convPlain(s, x, wt, g), d.reference(), 0),
    },
    {
      name: 'fluxion valueAndGrad (float64)',
      fn: () => eager(xT, wT),
      validate: () => check(fluxion(eager)(), d.reference(), 1e-9),
    },
    {
      name: 'fluxion jit(valueAndGrad) (float64)',
      setup: warmUp(() => compiled(xT, wT), warmUpMs(quick)),
      fn: () => compiled(xT, wT),
      validate: () => check(fluxion(compiled)(), d.reference(), 1e-9),
    },
    ...(tf === undefined ? [] : backends.map((b) => tfTask(tf, b, s, d))),
    ...(jax === undefined ? [] : jaxTasks(jax, s, d)),
  ]
  return [
    {
      title: `peers conv2d forward+backward, ${n}×${h}×${w}×${c} * ${k}×${k}×${c}×${o}, 'same' (GFLOP/s)`,
      baseline: 'hand-written direct loops (float64)',
      tasks: tasks.map((t) => ({ ...t, ...flops })),
    },
  ]
}
