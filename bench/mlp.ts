/**
 * What the W3 suites share (issue: performance, W3): an MLP 784-256-10 (dense → relu → dense)
 * on a batch of 128, softmax cross-entropy against integer labels, in float64. Here are the
 * deterministic inputs and parameters, the fluxion loss, the validation check, and a forward
 * and backward pass written by hand as naive loops over Float64Array — the "hand-written
 * naive loops" peer of the issue, and the float64 reference every task is checked against.
 *
 * Weights follow fluxion's `dense` convention: w is [inputs, outputs] and a layer is x·w + b.
 */
import { type Tensor, tensor } from 'fluxion'
import { type MlpParams, mlp, softmaxCrossEntropy } from 'fluxion/nn'

export const batch = 128
export const inputs = 784
export const hidden = 256
export const classes = 10

/** The W3 data as plain arrays: what every peer builds its own tensors from. */
export interface MlpData {
  /** Inputs, [batch, inputs] row-major. */
  readonly x: Float64Array
  /** Class indices in [0, classes), [batch]. */
  readonly labels: Int32Array
  /** [inputs, hidden], [hidden], [hidden, classes], [classes], row-major. */
  readonly w1: Float64Array
  readonly b1: Float64Array
  readonly w2: Float64Array
  readonly b2: Float64Array
}

/** mulberry32: a tiny seeded generator, so the data do not depend on the code under test. */
const generator = (seed: number): (() => number) => {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The W3 inputs: pixel-like inputs in [0, 1), Glorot-uniform weights and small non-zero biases
 * (zero biases would leave their gradients unchecked in the forward pass), from a fixed seed.
 */
export const mlpData = (seed = 3): MlpData => {
  const random = generator(seed)
  const fill = (n: number, scale: number, shift = 0) =>
    Float64Array.from({ length: n }, () => (random() - shift) * scale)
  const glorot = (fanIn: number, fanOut: number) =>
    fill(fanIn * fanOut, 2 * Math.sqrt(6 / (fanIn + fanOut)), 0.5)
  return {
    x: fill(batch * inputs, 1),
    labels: Int32Array.from({ length: batch }, () => Math.floor(random() * classes)),
    w1: glorot(inputs, hidden),
    b1: fill(hidden, 0.2, 0.5),
    w2: glorot(hidden, classes),
    b2: fill(classes, 0.2, 0.5),
  }
}

/** Flop count of x·w1, the large product (128×784 · 784×256: one multiply and one add each). */
export const matmulFlops = 2 * batch * inputs * hidden

/** The data as fluxion tensors: parameters in `mlp`'s tree, inputs and labels apart. */
export const fluxionData = (d: MlpData): { params: MlpParams; x: Tensor; labels: Tensor } => ({
  params: [
    { w: tensor(d.w1, [inputs, hidden]), b: tensor(d.b1) },
    { w: tensor(d.w2, [hidden, classes]), b: tensor(d.b2) },
  ],
  x: tensor(d.x, [batch, inputs]),
  labels: tensor(Float64Array.from(d.labels)),
})

const net = mlp([inputs, hidden, classes])

/** The W3 loss in fluxion: mean softmax cross-entropy of the MLP's logits. */
export const fluxionLoss =
  (x: Tensor, labels: Tensor) =>
  (params: MlpParams): Tensor =>
    softmaxCrossEntropy(net.apply(params, x), labels)

/** The loss and the gradient with respect to every parameter, flattened in order. */
export interface LossAndGrad {
  readonly loss: number
  readonly w1: ArrayLike<number>
  readonly b1: ArrayLike<number>
  readonly w2: ArrayLike<number>
  readonly b2: ArrayLike<number>
}

/** fluxion's `[loss, gradient]`, flattened for the check. */
export const flattenGrad = ([loss, g]: readonly [Tensor, MlpParams]): LossAndGrad => ({
  loss: loss.item(),
  w1: g[0]!.w.data,
  b1: g[0]!.b.data,
  w2: g[1]!.w.data,
  b2: g[1]!.b.data,
})

/** C[m×n] = A[m×k]·B[k×n], row-major, by the cache-friendly i-k-j loop order. */
export const matmulPlain = (a: Float64Array, b: Float64Array, m: number, k: number, n: number) => {
  const c = new Float64Array(m * n)
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!
      for (let j = 0; j < n; j++) c[i * n + j]! += aip * b[p * n + j]!
    }
  }
  return c
}

/** Forward pass by hand: the hidden pre-activations h, activations a and log-softmax. */
const forwardPlain = (d: MlpData) => {
  const h = matmulPlain(d.x, d.w1, batch, inputs, hidden)
  const a = new Float64Array(batch * hidden)
  for (let i = 0; i < batch * hidden; i++) {
    h[i]! += d.b1[i % hidden]!
    a[i] = Math.max(h[i]!, 0)
  }
  const z = matmulPlain(a, d.w2, batch, hidden, classes)
  let loss = 0
  for (let i = 0; i < batch; i++) {
    const row = i * classes
    let top = -Infinity
    for (let c = 0; c < classes; c++) {
      z[row + c]! += d.b2[c]!
      top = Math.max(top, z[row + c]!)
    }
    // log-softmax shifted by the row maximum, so exp never overflows
    let s = 0
    for (let c = 0; c < classes; c++) s += Math.exp(z[row + c]! - top)
    const logSum = top + Math.log(s)
    for (let c = 0; c < classes; c++) z[row + c]! -= logSum
    loss -= z[row + d.labels[i]!]!
  }
  return { h, a, logp: z, loss: loss / batch }
}

/** The loss alone, by hand. */
export const lossPlain = (d: MlpData): number => forwardPlain(d).loss

/** The loss and its gradient, by hand: backpropagation written out as loops. */
export const lossAndGradPlain = (d: MlpData): LossAndGrad => {
  const { h, a, logp, loss } = forwardPlain(d)
  // z̄ = (softmax − one-hot) / batch, the mean's factor included
  const zBar = new Float64Array(batch * classes)
  for (let i = 0; i < batch; i++) {
    for (let c = 0; c < classes; c++) zBar[i * classes + c] = Math.exp(logp[i * classes + c]!)
    zBar[i * classes + d.labels[i]!]! -= 1
  }
  for (let i = 0; i < zBar.length; i++) zBar[i]! /= batch
  const w2 = new Float64Array(hidden * classes)
  const b2 = new Float64Array(classes)
  const hBar = new Float64Array(batch * hidden)
  for (let i = 0; i < batch; i++) {
    for (let c = 0; c < classes; c++) b2[c]! += zBar[i * classes + c]!
    for (let j = 0; j < hidden; j++) {
      const aij = a[i * hidden + j]!
      let s = 0
      for (let c = 0; c < classes; c++) {
        const zb = zBar[i * classes + c]!
        w2[j * classes + c]! += aij * zb
        s += zb * d.w2[j * classes + c]!
      }
      // relu′(h) = 1 for h > 0 and 0 otherwise (the left derivative at 0, like fluxion's)
      hBar[i * hidden + j] = h[i * hidden + j]! > 0 ? s : 0
    }
  }
  // w̄1 = xᵀ·h̄ by i-k-j loops over the batch: each row of h̄ is added, scaled, to every row
  const w1 = new Float64Array(inputs * hidden)
  const b1 = new Float64Array(hidden)
  for (let i = 0; i < batch; i++) {
    for (let j = 0; j < hidden; j++) b1[j]! += hBar[i * hidden + j]!
    for (let p = 0; p < inputs; p++) {
      const xip = d.x[i * inputs + p]!
      for (let j = 0; j < hidden; j++) w1[p * hidden + j]! += xip * hBar[i * hidden + j]!
    }
  }
  return { loss, w1, b1, w2, b2 }
}

/**
 * |aᵢ − bᵢ| ≤ rtol·max(|bᵢ|, floor·max|b|) for every i, or throws naming the first index that
 * is not. The floor, a fraction of the largest entry, is for entries that are sums with
 * cancellation (a gradient entry near 0 is as precise as its largest terms, not its own size).
 */
export const close = (
  what: string,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  rtol: number,
  floor = 1e-3,
): void => {
  if (a.length !== b.length) throw new Error(`${what}: length ${a.length} ≠ ${b.length}`)
  let scale = 0
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!))
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!)
    if (!(d <= rtol * Math.max(Math.abs(b[i]!), floor * scale))) {
      throw new Error(`${what} at ${i}: ${a[i]} ≠ ${b[i]} (rtol ${rtol})`)
    }
  }
}

/** Checks a loss and gradient against the reference at `rtol` (and `floor`, as `close`). */
export const closeLossAndGrad = (
  got: LossAndGrad,
  want: LossAndGrad,
  rtol: number,
  floor = 1e-3,
): void => {
  close('loss', [got.loss], [want.loss], rtol)
  for (const k of ['w1', 'b1', 'w2', 'b2'] as const) {
    close(`∂/∂${k}`, got[k], want[k], rtol, floor)
  }
}
