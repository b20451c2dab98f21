/**
 * The peers, loaded from bench/peers (its own package.json and lockfile: `npm --prefix bench/peers
 * ci`), and typed here by the parts the workloads use, so `tsc` needs no peer install. Every peer
 * suite imports them from here; a missing peer prints a hint and its tasks are left out.
 */
import { createRequire } from 'node:module'

/** The part of TensorFlow.js these workloads use, typed here so `tsc` needs no peer install. */
export interface TfTensor {
  dataSync(): Float32Array
  dispose(): void
}
export interface Tf {
  setBackend(name: string): Promise<boolean>
  tensor1d(values: Float32Array, dtype: 'float32'): TfTensor
  tensor1d(values: Int32Array, dtype: 'int32'): TfTensor
  grad(f: (x: TfTensor) => TfTensor): (x: TfTensor, dy?: TfTensor) => TfTensor
  tidy<T extends TfTensor>(f: () => T): T
  tidy<T extends TfTensor[]>(f: () => T): T
  slice(x: TfTensor, begin: number[], size: number[]): TfTensor
  add(a: TfTensor | number, b: TfTensor | number): TfTensor
  sub(a: TfTensor | number, b: TfTensor | number): TfTensor
  mul(a: TfTensor | number, b: TfTensor | number): TfTensor
  square(x: TfTensor): TfTensor
  sum(x: TfTensor): TfTensor
  // scalar, higher-order and Jacobian workloads (suites/peers-scalar, suites/peers-higher)
  scalar(value: number, dtype: 'float32'): TfTensor
  tensor2d(values: Float32Array, shape: [number, number], dtype: 'float32'): TfTensor
  grads(f: (...xs: TfTensor[]) => TfTensor): (xs: TfTensor[]) => TfTensor[]
  stack(xs: TfTensor[]): TfTensor
  sin(x: TfTensor): TfTensor
  exp(x: TfTensor): TfTensor
  tanh(x: TfTensor): TfTensor
  matMul(a: TfTensor, b: TfTensor, transposeA?: boolean, transposeB?: boolean): TfTensor
  tile(x: TfTensor, reps: number[]): TfTensor
  expandDims(x: TfTensor, axis: number): TfTensor
  eye(n: number): TfTensor
  // the W3 MLP (suites/peers-mlp)
  relu(x: TfTensor): TfTensor
  oneHot(indices: TfTensor, depth: number): TfTensor
  valueAndGrads(
    f: (...xs: TfTensor[]) => TfTensor,
  ): (xs: TfTensor[]) => { value: TfTensor; grads: TfTensor[] }
  losses: { softmaxCrossEntropy(onehotLabels: TfTensor, logits: TfTensor): TfTensor }
  // conv2d (suites/peers-conv): NHWC input, [kh, kw, in, out] filter
  tensor4d(
    values: Float32Array,
    shape: [number, number, number, number],
    dtype: 'float32',
  ): TfTensor
  conv2d(x: TfTensor, filter: TfTensor, strides: number, pad: 'same' | 'valid'): TfTensor
}

/** The part of jax-js these workloads use: arrays with move semantics (`.ref` keeps one). */
export interface JaxArray {
  readonly ref: JaxArray
  slice(range: [number, number]): JaxArray
  sub(other: JaxArray): JaxArray
  add(other: JaxArray): JaxArray
  mul(other: JaxArray | number): JaxArray
  reshape(shape: number[]): JaxArray
  sum(): JaxArray
  dataSync(): Float32Array | Float64Array
}
export interface Jax {
  init(device: string): Promise<string[]>
  grad(f: (x: JaxArray) => JaxArray): (x: JaxArray) => JaxArray
  /** Over a list of arrays (a pytree): the gradient is a list too. */
  grad(f: (xs: JaxArray[]) => JaxArray): (xs: JaxArray[]) => JaxArray[]
  jacfwd(f: (x: JaxArray) => JaxArray): (x: JaxArray) => JaxArray
  jacrev(f: (x: JaxArray) => JaxArray): (x: JaxArray) => JaxArray
  hessian(f: (x: JaxArray) => JaxArray): (x: JaxArray) => JaxArray
  jit<F>(f: F): F
  // the W3 MLP (suites/peers-mlp): gradient with respect to the first argument, a pytree
  valueAndGrad<P, A extends unknown[]>(
    f: (params: P, ...rest: A) => JaxArray,
  ): (params: P, ...rest: A) => [JaxArray, P]
  nn: {
    relu(x: JaxArray): JaxArray
    logSoftmax(x: JaxArray): JaxArray
    oneHot(x: JaxArray, numClasses: number): JaxArray
  }
  // conv2d (suites/peers-conv): NCHW input, OIHW kernel, no other layout
  lax: {
    conv(lhs: JaxArray, rhs: JaxArray, windowStrides: number[], padding: 'SAME' | 'VALID'): JaxArray
  }
  numpy: {
    readonly float32: unknown
    readonly float64: unknown
    readonly int32: unknown
    array(values: number[], options: { dtype: unknown }): JaxArray
    array(
      values: Float64Array | Float32Array | Int32Array,
      options: { dtype: unknown; shape: number[] },
    ): JaxArray
    square(x: JaxArray): JaxArray
    subtract(a: number, b: JaxArray): JaxArray
    sin(x: JaxArray): JaxArray
    exp(x: JaxArray): JaxArray
    tanh(x: JaxArray): JaxArray
    matmul(a: JaxArray, b: JaxArray): JaxArray
    stack(xs: JaxArray[]): JaxArray
  }
}

const requirePeer = createRequire(new URL('./peers/package.json', import.meta.url))

/** TensorFlow.js with its cpu and wasm backends, or undefined (with a hint) when not installed. */
export const loadTf = async (): Promise<Tf | undefined> => {
  try {
    const tf = requirePeer('@tensorflow/tfjs') as Tf
    requirePeer('@tensorflow/tfjs-backend-wasm')
    // tensors are made on cpu; each task's setup moves the engine to its own backend
    await tf.setBackend('cpu')
    return tf
  } catch {
    process.stderr.write('bench:peers: TensorFlow.js missing; run npm --prefix bench/peers ci\n')
    return undefined
  }
}

/** jax-js on its wasm device, or undefined (with a hint) when not installed. */
export const loadJax = async (): Promise<Jax | undefined> => {
  try {
    // jax-js tests `instanceof Float16Array`, a global Node 20 lacks; an empty class answers no
    const g = globalThis as { Float16Array?: unknown }
    g.Float16Array ??= class Float16Array {}
    const jax = (await import(requirePeer.resolve('@jax-js/jax'))) as Jax
    await jax.init('wasm')
    return jax
  } catch {
    process.stderr.write('bench:peers: jax-js missing; run npm --prefix bench/peers ci\n')
    return undefined
  }
}
