/**
 * What the peers-higher workloads share: the check relative to the largest reference entry, and
 * builders of jax-js and TensorFlow.js tasks (each read back, as a user must, and validated at
 * its precision before it is timed).
 */
import type { Task } from './harness.ts'
import type { Jax, JaxArray, Tf, TfTensor } from './peers.ts'

export type Check = (got: ArrayLike<number>, rtol: number) => void

/** |aᵢ − bᵢ| ≤ rtol·max|b| for every i: relative to the largest entry of the reference. */
export const nearScaled = (a: ArrayLike<number>, b: ArrayLike<number>, rtol: number): void => {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`)
  let scale = 0
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!))
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i]! - b[i]!) <= rtol * scale)) {
      throw new Error(`at ${i}: ${a[i]} ≠ ${b[i]} (rtol ${rtol} of max ${scale.toPrecision(3)})`)
    }
  }
}

/**
 * jax-js's wasm backend evaluates sin, exp and tanh in float32 even on float64 arrays (about
 * 1e-7 relative): its float64 rows fail at 1e-9 and are dropped. This row times the same run
 * under an honest label, and only if that is what it is: wrong at 1e-9, right at 1e-5.
 */
const intrinsicsTask = (base: string, run: () => ArrayLike<number>, check: Check): Task => ({
  name: `${base} (float64 storage, float32 intrinsics; checked at 1e-5)`,
  peer: true,
  fn: run,
  validate: () => {
    const got = run()
    let strict = true
    try {
      check(got, 1e-9)
    } catch {
      strict = false
    }
    if (strict) throw new Error('right at 1e-9: the float64 row stands, this label does not apply')
    check(got, 1e-5)
  },
})

/** One jax-js derivative, run as `jitted` says on an input of `dtype`; result read back. */
export interface JaxVariant {
  readonly label: string
  readonly dtype: 'float64' | 'float32'
  readonly jit: boolean
  /** The derivative function, built for inputs of this dtype (constants captured in it). */
  readonly make: (dtype: unknown) => (x: JaxArray) => JaxArray
}

/** jax-js tasks on `values` (reshaped to `shape`); float64 rows get an intrinsics twin. */
export const jaxTasks = (
  jax: Jax,
  values: number[],
  shape: number[],
  check: Check,
  variants: readonly JaxVariant[],
  intrinsics = true,
): Task[] =>
  variants.flatMap((v) => {
    const dtype = jax.numpy[v.dtype]
    const x = jax.numpy.array(values, { dtype }).reshape(shape)
    const f = v.make(dtype)
    const g = v.jit ? jax.jit(f) : f
    // the input is lent with .ref; dataSync consumes the result
    const run = () => g(x.ref).dataSync()
    const base = `jax-js wasm ${v.jit ? 'jit ' : ''}${v.label}`
    const name = `${base} (${v.dtype})`
    const rtol = v.dtype === 'float64' ? 1e-9 : 1e-3
    const task: Task = { name, peer: true, fn: run, validate: () => check(run(), rtol) }
    return v.dtype === 'float64' && intrinsics ? [task, intrinsicsTask(base, run, check)] : [task]
  })

/** A TensorFlow.js task on `backend` (tensors are made on cpu; setup moves the engine). */
export const tfTask = (
  tf: Tf,
  backend: string,
  label: string,
  f: () => TfTensor,
  check: Check,
): Task => {
  const run = (): Float32Array => {
    const out = tf.tidy(f)
    const data = out.dataSync()
    out.dispose()
    return data
  }
  return {
    name: `TensorFlow.js ${backend} ${label} (float32)`,
    peer: true,
    setup: async () => {
      await tf.setBackend(backend)
    },
    fn: run,
    validate: () => check(run(), 1e-3),
  }
}

export const backends = ['cpu', 'wasm'] as const
/** The jax-js runs of a workload: float64 eager and jit, float32 jit (and eager where cheap). */
export type Runs = readonly (readonly ['float64' | 'float32', boolean])[]
export const runs: Runs = [
  ['float64', false],
  ['float64', true],
  ['float32', true],
]
