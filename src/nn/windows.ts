/**
 * Sliding windows over the spatial axes of a channels-last tensor [..., S₁, …, S_d, C], shared
 * by the convolutions and the pools. A window position is one strided `slice` of the padded
 * input (all output positions at once), so a k₁×…×k_d window costs k₁·…·k_d slices whatever
 * the image size, and derivatives, `vmap` and `jit` come from `pad` and `slice` themselves.
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { pad, slice } from '../primitives/structural.ts'
import type { Tensor } from '../tensor/tensor.ts'

/**
 * Padding of the spatial axes: `'valid'` (none: windows lie inside the input), `'same'` (the
 * output has ⌈size / stride⌉ positions; the extra is split with the smaller half before, as
 * TensorFlow and JAX do), or one explicit `[before, after]` pair per spatial axis.
 */
export type Padding = 'valid' | 'same' | readonly (readonly [number, number])[]

/** A window over d spatial axes, normalized: one entry per axis. */
export interface WindowPlan {
  /** Window size per axis. */
  readonly window: readonly number[]
  /** Step between window positions per axis. */
  readonly stride: readonly number[]
  /** Spacing between the window's taps per axis (1: adjacent). */
  readonly dilation: readonly number[]
  /** [before, after] padding per axis. */
  readonly pads: readonly (readonly [number, number])[]
  /** Number of window positions per axis. */
  readonly out: readonly number[]
}

/** `v` (one number for every axis, or one per axis) as d positive integers. */
export const perAxis = (
  v: number | readonly number[] | undefined,
  d: number,
  fallback: number,
  what: string,
  op: string,
): number[] => {
  const list =
    v === undefined ? Array(d).fill(fallback) : typeof v === 'number' ? Array(d).fill(v) : [...v]
  if (list.length !== d || list.some((n) => !(Number.isInteger(n) && n >= 1))) {
    throw new InvalidArgumentError(
      `${what} must be a positive integer or ${d} of them, got ${String(v)}`,
      {
        primitive: op,
        hint: `give ${what} as a number or an array of ${d} integers ≥ 1`,
      },
    )
  }
  return list
}

/** Plans windows over the d axes before the last of `shape`; throws for sizes that do not fit. */
export function planWindows(
  shape: readonly number[],
  window: readonly number[],
  stride: readonly number[],
  dilation: readonly number[],
  padding: Padding,
  op: string,
): WindowPlan {
  const d = window.length
  if (shape.length < d + 1) {
    throw new ShapeError(
      `${op} needs inputs of rank ≥ ${d + 1} ([..., ${d}-d spatial, channels]), got [${shape.join(', ')}]`,
      {
        primitive: op,
        shapes: [shape],
        hint:
          d === 2
            ? 'give images channels-last: [batch, height, width, channels]'
            : 'give inputs channels-last: [..., spatial, channels]',
      },
    )
  }
  const sizes = shape.slice(shape.length - 1 - d, shape.length - 1)
  const span = window.map((k, i) => (k - 1) * dilation[i]! + 1)
  let pads: (readonly [number, number])[]
  if (padding === 'valid') pads = sizes.map(() => [0, 0] as const)
  else if (padding === 'same') {
    pads = sizes.map((n, i) => {
      const total = Math.max((Math.ceil(n / stride[i]!) - 1) * stride[i]! + span[i]! - n, 0)
      return [Math.floor(total / 2), total - Math.floor(total / 2)] as const
    })
  } else {
    const ok = (n: unknown) => Number.isInteger(n) && (n as number) >= 0
    if (
      !Array.isArray(padding) ||
      padding.length !== d ||
      padding.some((p) => !Array.isArray(p) || p.length !== 2 || !ok(p[0]) || !ok(p[1]))
    ) {
      throw new InvalidArgumentError(
        `padding must be 'valid', 'same' or ${d} [before, after] pairs`,
        {
          primitive: op,
          hint: `e.g. padding: ${JSON.stringify(Array(d).fill([1, 1]))}`,
        },
      )
    }
    pads = padding.map(([lo, hi]) => [lo, hi] as const)
  }
  const out = sizes.map(
    (n, i) => Math.floor((n + pads[i]![0] + pads[i]![1] - span[i]!) / stride[i]!) + 1,
  )
  if (out.some((n) => n < 1)) {
    throw new ShapeError(
      `${op}: a window spanning [${span.join(', ')}] does not fit spatial size [${sizes.join(', ')}] with padding ${JSON.stringify(pads)}`,
      {
        primitive: op,
        shapes: [shape],
        hint: "use a smaller window or dilation, or padding: 'same'",
      },
    )
  }
  return { window, stride, dilation, pads, out }
}

/**
 * One tensor [..., out₁, …, out_d, C] per window tap, in row-major order of the taps: tap
 * (j₁, …, j_d) holds, at output position p, the padded input at p·stride + j·dilation.
 */
export function windowTaps(x: Tensor, plan: WindowPlan, padValue: number): Tensor[] {
  const { window, stride, dilation, pads, out } = plan
  const d = window.length
  const lead = x.rank - 1 - d
  const padded = pads.some(([lo, hi]) => lo > 0 || hi > 0)
    ? pad(x, [...Array(lead).fill([0, 0]), ...pads, [0, 0]], padValue)
    : x
  const taps: Tensor[] = []
  const count = window.reduce((a, b) => a * b, 1)
  for (let t = 0; t < count; t++) {
    // tap t in row-major order over the window
    const at: number[] = []
    for (let i = d - 1, r = t; i >= 0; i--) {
      at[i] = r % window[i]!
      r = Math.floor(r / window[i]!)
    }
    const starts = at.map((j, i) => j * dilation[i]!)
    const ends = starts.map((s, i) => s + (out[i]! - 1) * stride[i]! + 1)
    taps.push(
      slice(
        padded,
        [...Array(lead).fill(0), ...starts, 0],
        [...Array(lead).fill(undefined), ...ends, undefined],
        [...Array(lead).fill(1), ...stride, 1],
      ),
    )
  }
  return taps
}
