/**
 * `pad` with NumPy's modes: `constant` (the `pad` primitive), and `edge`, `reflect`,
 * `symmetric`, composed from slices, broadcasts and `concat` along each axis in turn (so the
 * corners are padded from already padded values, as NumPy does).
 *
 * Laws: fd-agreement, vjp-jvp-adjoint (through their parts).
 * @module
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.ts'
import { shapeOf } from '../core/tracer.ts'
import { checkResultSize, type Shape, show } from '../tensor/shape.ts'
import type { Tensor } from '../tensor/tensor.ts'
import { concat } from './concat.ts'
import { checkValue } from './shape-extra.ts'
import { broadcastTo, pad as padConstant, slice } from './structural.ts'

type Value = number | Tensor

/** How `pad` fills: NumPy's mode names. */
export type PadMode = 'constant' | 'edge' | 'reflect' | 'symmetric'

/** Options of {@link pad}. */
export interface PadOptions {
  /** 'constant' (default), 'edge', 'reflect' or 'symmetric'. */
  readonly mode?: PadMode
  /** The fill of 'constant' mode (default 0). */
  readonly value?: number
}

const modes: readonly string[] = ['constant', 'edge', 'reflect', 'symmetric']

/**
 * Options are a plain object setting `mode`, `value` or both, and nothing else: an array, a
 * tensor, a lookalike or an empty object in the fill's place is a mistake, not the defaults.
 */
const checkOptions = (options: unknown): void => {
  const proto: unknown =
    typeof options === 'object' && options !== null ? Object.getPrototypeOf(options) : undefined
  const keys = proto === Object.prototype ? Object.keys(options as object) : []
  if (keys.length === 0 || keys.some((k) => k !== 'mode' && k !== 'value')) {
    throw new InvalidArgumentError(`pad takes a fill value or options, got ${show(options)}`, {
      primitive: 'pad',
      hint: "pass a number, or options such as { mode: 'edge' } or { value: 1 }",
    })
  }
  const { value } = options as PadOptions
  if (value !== undefined && typeof value !== 'number') {
    throw new InvalidArgumentError(`the pad value must be a number, got ${show(value)}`, {
      primitive: 'pad',
      hint: 'pad with a constant number such as 0',
    })
  }
}

/** The entry of an axis of n entries that padded position p (−lo ≤ p < n + hi) copies. */
const source = (mode: PadMode, p: number, n: number): number => {
  if (mode === 'edge') return Math.min(Math.max(p, 0), n - 1)
  if (mode === 'reflect') {
    if (n === 1) return 0
    const period = 2 * (n - 1)
    const q = ((p % period) + period) % period
    return q < n ? q : period - q
  }
  const period = 2 * n
  const q = ((p % period) + period) % period
  return q < n ? q : period - 1 - q
}

/** The padded axis as runs of source entries: consecutive ones (a slice) or one repeated. */
const runs = (positions: readonly number[]): [start: number, length: number, step: 0 | 1][] => {
  const out: [number, number, 0 | 1][] = []
  for (let i = 0; i < positions.length; ) {
    const first = positions[i]!
    const step = positions[i + 1] === first ? 0 : 1
    let j = i + 1
    while (j < positions.length && positions[j] === first + step * (j - i)) j++
    out.push([first, j - i, step])
    i = j
  }
  return out
}

/** The widths as one [before, after] pair per axis, checked as the constant pad checks them. */
const checkWidths = (
  s: Shape,
  widths: number | readonly (readonly [number, number])[],
): readonly (readonly [number, number])[] => {
  const w = typeof widths === 'number' ? s.map(() => [widths, widths] as const) : widths
  const isWidth = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 0
  if (
    !Array.isArray(w) ||
    w.length !== s.length ||
    w.some((p: unknown) => !Array.isArray(p) || p.length !== 2 || !isWidth(p[0]) || !isWidth(p[1]))
  ) {
    throw new InvalidArgumentError(
      'pad widths must be one [before, after] pair of integers ≥ 0 per axis',
      { primitive: 'pad', shapes: [s], hint: `give ${s.length} pairs` },
    )
  }
  checkResultSize(
    s.map((n, i) => n + w[i]![0] + w[i]![1]),
    'pad',
    [s],
  )
  return w
}

const padAxis = (x: Value, axis: number, lo: number, hi: number, mode: PadMode): Tensor => {
  const s = shapeOf(x)
  const n = s[axis]!
  const positions = Array.from({ length: lo + n + hi }, (_, i) => source(mode, i - lo, n))
  const part = (start: number, length: number): Tensor =>
    slice(
      x,
      s.map((_, i) => (i === axis ? start : 0)),
      s.map((d, i) => (i === axis ? start + length : d)),
    )
  const pieces = runs(positions).map(([start, length, step]) =>
    step === 1
      ? part(start, length)
      : broadcastTo(
          part(start, 1),
          s.map((d, i) => (i === axis ? length : d)),
        ),
  )
  return concat(pieces, axis)
}

/**
 * `x` padded by `widths[i] = [before, after]` entries along axis i (one number pads every side
 * of every axis alike), as `numpy.pad`. The third argument is the constant fill (default 0), or
 * options: `mode` 'constant' (fill with `value`), 'edge' (repeat the edge entry), 'reflect'
 * (mirror without repeating the edge: [1, 2, 3] → 3 2 | 1 2 3 | 2 1) or 'symmetric' (mirror
 * repeating it: 2 1 | 1 2 3 | 3 2). Widths beyond the axis keep mirroring, as NumPy's.
 *
 * In mode 'constant' a width may be negative: it removes that many entries from that end, as
 * `jax.lax.pad` does, so `pad(y, [[1, -1]], c)` shifts a vector right by one, filling with `c`
 * (one read in place inside `jit`'s fused loops, where `pad(slice(y, …))` copies the slice).
 *
 * Derivative: linear in `x`; the pullback adds the cotangent of every copy back onto the entry
 * it copies (the fill of 'constant' is a constant; an entry a negative width removed gets 0).
 * Throws `InvalidArgumentError` for widths that are not one pair of integers per axis (≥ 0 in
 * the copying modes), an unknown mode, or a `value` with another mode, or options that are not
 * a plain object setting `mode` or `value`; `ShapeError` for padding an empty axis by copying,
 * or for negative widths that remove more entries than an axis has.
 * @example
 * pad(tensor([1, 2]), [[1, 0]]).toArray() // => [0, 1, 2]
 * pad(tensor([1, 2, 3]), 2, { mode: 'reflect' }).toArray() // => [3, 2, 1, 2, 3, 2, 1]
 * pad(tensor([1, 2, 3]), [[1, 2]], { mode: 'edge' }).toArray() // => [1, 1, 2, 3, 3, 3]
 * pad(tensor([1, 2, 3]), [[1, -1]], 9).toArray() // => [9, 1, 2]
 * @category shape
 */
export function pad(
  x: Value,
  widths: number | readonly (readonly [number, number])[],
  options: number | PadOptions = 0,
): Tensor {
  if (typeof options === 'number') return padConstant(x, widths, options)
  checkOptions(options)
  const mode = options.mode === undefined ? 'constant' : options.mode
  if (!modes.includes(mode)) {
    throw new InvalidArgumentError(`unknown pad mode ${show(mode)}`, {
      primitive: 'pad',
      hint: `use one of ${modes.join(', ')}`,
    })
  }
  if (mode === 'constant') return padConstant(x, widths, options.value ?? 0)
  if (options.value !== undefined) {
    throw new InvalidArgumentError(`a fill value does not apply to mode '${mode}'`, {
      primitive: 'pad',
      hint: "drop value, or use mode: 'constant'",
    })
  }
  checkValue(x, 'pad')
  const s = shapeOf(x)
  const w = checkWidths(s, widths)
  let y: Value = x
  w.forEach(([lo, hi], axis) => {
    if (lo === 0 && hi === 0) return
    if (s[axis] === 0) {
      throw new ShapeError(`cannot pad an empty axis in mode '${mode}': there is nothing to copy`, {
        primitive: 'pad',
        shapes: [s],
        hint: "pad empty axes with mode 'constant'",
      })
    }
    y = padAxis(y, axis, lo, hi, mode)
  })
  return y as Tensor
}
