/**
 * Convolutions, channels-last (NHWC, as TensorFlow and flax): inputs [..., H, W, C] (any
 * leading batch axes, or none), kernels HWIO [kh, kw, C, O], outputs [..., H′, W′, O]; the 1-d
 * forms drop the W axis. Like every deep-learning library, "convolution" means
 * cross-correlation: the kernel is not flipped.
 *
 * Implementation: im2col — the kh·kw window taps are strided `slice`s of the padded input,
 * concatenated on the channel axis into patches [..., H′, W′, kh·kw·C], then one `matmul` with
 * the kernel reshaped to [kh·kw·C, O]. The derivatives are those of `pad`, `slice`, `concat`
 * and `matmul`, so `grad`, `vmap`, `jit` and higher derivatives all apply.
 * @module
 */
import { ShapeError } from '../core/errors.ts'
import { add } from '../primitives/arithmetic.ts'
import { concat } from '../primitives/concat.ts'
import { matmul } from '../primitives/linalg/matmul.ts'
import { reshape } from '../primitives/structural.ts'
import { zeros } from '../tensor/create.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { glorotUniform, type Initializer } from './init.ts'
import type { Activation, Layer } from './layers.ts'
import { type Padding, perAxis, planWindows, windowTaps } from './windows.ts'

/** Options of `conv1d` and `conv2d`. */
export interface ConvOptions {
  /** Step between output positions: one number for every spatial axis or one per axis (default 1). */
  readonly stride?: number | readonly number[]
  /** `'valid'` (default), `'same'`, or one [before, after] pair per spatial axis. */
  readonly padding?: Padding
  /** Spacing between kernel taps (atrous convolution): a number or one per axis (default 1). */
  readonly dilation?: number | readonly number[]
}

/** The d-dimensional channels-last convolution of `x` with kernel `w` [k₁, …, k_d, C, O]. */
function convolve(
  x: Tensor,
  w: Tensor,
  d: number,
  options: ConvOptions | undefined,
  op: string,
): Tensor {
  const ws = w.shape
  const channels = x.shape[x.rank - 1]
  if (ws.length !== d + 2 || ws[d] !== channels) {
    throw new ShapeError(
      `${op}: kernel [${ws.join(', ')}] does not fit inputs [${x.shape.join(', ')}]`,
      {
        primitive: op,
        shapes: [x.shape, ws],
        hint: `the kernel has shape [${d === 2 ? 'kh, kw' : 'k'}, inChannels, outChannels] with inChannels = the input's last axis`,
      },
    )
  }
  // a kernel with an empty window has no taps: refused here, not by concat of nothing
  const window = perAxis(ws.slice(0, d), d, 1, 'kernel size', op)
  const stride = perAxis(options?.stride, d, 1, 'stride', op)
  const dilation = perAxis(options?.dilation, d, 1, 'dilation', op)
  const plan = planWindows(x.shape, window, stride, dilation, options?.padding ?? 'valid', op)
  const taps = windowTaps(x, plan, 0)
  const patches = taps.length === 1 ? taps[0]! : concat(taps, -1)
  const depth = patches.shape[patches.rank - 1]!
  const outShape = [...patches.shape.slice(0, -1), ws[d + 1]!]
  // one product [rows, kh·kw·C]·[kh·kw·C, O] for all positions of all examples
  // (counted from the shape: with no input channels, depth is 0 and the output all zeros)
  const rows = patches.shape.slice(0, -1).reduce((a, b) => a * b, 1)
  return reshape(matmul(reshape(patches, [rows, depth]), reshape(w, [depth, ws[d + 1]!])), outShape)
}

/**
 * 2-d convolution (cross-correlation) of channels-last images x [..., H, W, C] with an HWIO
 * kernel w [kh, kw, C, O]: y[..., i, j, o] = Σ_{a,b,c} xₚ[..., i·sₕ + a·dₕ, j·s_w + b·d_w, c] ·
 * w[a, b, c, o], with xₚ the zero-padded input. Output [..., H′, W′, O], H′ = ⌊(H + padding −
 * (kh − 1)·dₕ − 1) / sₕ⌋ + 1 (⌈H / sₕ⌉ for `'same'`).
 *
 * Derivative: linear in each argument — x̄ is the transposed convolution of ȳ with w, w̄ the
 * correlation of x with ȳ — obtained from im2col's `slice`/`pad` and `matmul` rules. Throws
 * `ShapeError` for a kernel that does not fit the input or a window larger than the padded
 * input, `InvalidArgumentError` for bad strides, dilations or padding.
 * @example
 * const x = reshape(arange(16), [1, 4, 4, 1])
 * conv2d(x, ones([2, 2, 1, 1]), { stride: 2 }).toArray().flat(3) // => [10, 18, 42, 50]
 * @category layers
 */
export function conv2d(x: Tensor, w: Tensor, options?: ConvOptions): Tensor {
  return convolve(x, w, 2, options, 'conv2d')
}

/**
 * 1-d convolution (cross-correlation) of channels-last sequences x [..., L, C] with a kernel
 * w [k, C, O]: y[..., i, o] = Σ_{a,c} xₚ[..., i·s + a·d, c]·w[a, c, o]. Output [..., L′, O].
 *
 * Derivative: as `conv2d`. Throws as `conv2d`.
 * @example
 * conv1d(reshape(tensor([1, 2, 3, 4]), [4, 1]), ones([2, 1, 1])).toArray().flat() // => [3, 5, 7]
 * @category layers
 */
export function conv1d(x: Tensor, w: Tensor, options?: ConvOptions): Tensor {
  return convolve(x, w, 1, options, 'conv1d')
}

/** Parameters of a convolution layer: kernel `w` [..., inChannels, outChannels], biases `b` [outChannels]. */
export type ConvParams = {
  /** Kernel: [kh, kw, in, out] (2-d) or [k, in, out] (1-d). */
  readonly w: Tensor
  /** Biases, shape [outChannels]. */
  readonly b: Tensor
}

/** Options of `conv1dLayer` and `conv2dLayer`: the convolution's, plus activation and initialiser. */
export interface ConvLayerOptions extends ConvOptions {
  /** Applied to conv(x, w) + b (default: none). */
  readonly activation?: Activation
  /** Draws the kernel (default `glorotUniform`, fans scaled by the window); biases start at 0. */
  readonly init?: Initializer
}

const convLayer = (
  inChannels: number,
  outChannels: number,
  window: readonly number[],
  options: ConvLayerOptions | undefined,
  conv: (x: Tensor, w: Tensor, o: ConvOptions) => Tensor,
  op: string,
): Layer<ConvParams> => {
  const [i, o] = perAxis([inChannels, outChannels], 2, 1, 'channels', op)
  const init = options?.init ?? glorotUniform
  const activation = options?.activation
  return {
    init: (key) => ({ w: init(key, [...window, i!, o!]), b: zeros([o!]) }),
    apply: (params, x) => {
      const y = add(conv(x, params.w, options ?? {}), params.b)
      return activation === undefined ? y : activation(y)
    },
  }
}

/**
 * A 2-d convolution layer y = f(conv2d(x, w) + b) on channels-last images [..., H, W, in],
 * with an HWIO kernel [kh, kw, in, out] (`kernel` is [kh, kw], or one number for a square).
 *
 * Derivative: as `conv2d`, then `add` and the activation. Throws `InvalidArgumentError` for
 * sizes that are not positive integers; `apply` throws as `conv2d`.
 * @example
 * const layer = conv2dLayer(3, 8, 3, { padding: 'same' })
 * layer.apply(layer.init(random.key(0)), zeros([2, 5, 5, 3])).shape // => [2, 5, 5, 8]
 * @category layers
 */
export function conv2dLayer(
  inChannels: number,
  outChannels: number,
  kernel: number | readonly [number, number],
  options?: ConvLayerOptions,
): Layer<ConvParams> {
  const window = perAxis(kernel, 2, 1, 'kernel', 'conv2dLayer')
  return convLayer(inChannels, outChannels, window, options, conv2d, 'conv2dLayer')
}

/**
 * A 1-d convolution layer y = f(conv1d(x, w) + b) on channels-last sequences [..., L, in],
 * with a kernel [k, in, out].
 *
 * Derivative: as `conv1d`. Throws as `conv2dLayer`.
 * @example
 * const layer = conv1dLayer(2, 4, 3)
 * layer.apply(layer.init(random.key(0)), zeros([7, 2])).shape // => [5, 4]
 * @category layers
 */
export function conv1dLayer(
  inChannels: number,
  outChannels: number,
  kernel: number,
  options?: ConvLayerOptions,
): Layer<ConvParams> {
  const window = perAxis(kernel, 1, 1, 'kernel', 'conv1dLayer')
  return convLayer(inChannels, outChannels, window, options, conv1d, 'conv1dLayer')
}
