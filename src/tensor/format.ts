/**
 * NumPy-repr-like text for tensors: nested brackets, one style of number per tensor, columns
 * right-aligned to a common width, rows wrapped at 75 columns, and large tensors summarized with
 * `...`. Output depends only on the values, shape and dtype, so it is safe to snapshot.
 * @module
 */

import { shortestFloat32 } from './json.ts'
import { stridesOf } from './shape.ts'
import type { Floats } from './tensor.ts'

const PREFIX = 'tensor('
/** Above this many elements, long axes show only their first and last EDGE entries. */
const SUMMARY_THRESHOLD = 1000
const EDGE = 3
const LINE_WIDTH = 75
const ELLIPSIS = '...'
/** Placeholder index meaning "the elided middle of this axis". */
const ELIDED = -1

/**
 * One style per tensor so values line up and read alike: integers without decimals, fixed
 * notation with up to 6 significant digits, or scientific when magnitudes are very large or
 * very small (like `%g`, but decided once for the whole tensor).
 */
type Style = 'integer' | 'fixed' | 'scientific'

function styleOf(values: readonly number[]): Style {
  let allIntegers = true
  let maxAbs = 0
  let minAbs = Number.POSITIVE_INFINITY
  for (const v of values) {
    if (!Number.isFinite(v)) continue
    const a = Math.abs(v)
    if (!Number.isInteger(v)) allIntegers = false
    if (a > maxAbs) maxAbs = a
    if (a !== 0 && a < minAbs) minAbs = a
  }
  // Beyond 1e16 consecutive integers are no longer all representable, so digits would mislead.
  if (allIntegers && maxAbs < 1e16) return 'integer'
  return maxAbs >= 1e6 || minAbs < 1e-4 ? 'scientific' : 'fixed'
}

/**
 * `v` in `style`; `short` is the value as its shortest decimal (`v` itself for float64): an
 * integer prints from it, so a float32 1e11 prints 100000000000, not 99999997952.
 */
function formatValue(v: number, short: number, style: Style): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Number.POSITIVE_INFINITY) return 'Infinity'
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity'
  if (v === 0) return Object.is(v, -0) ? '-0' : '0'
  if (style === 'integer') return String(short)
  // Round to 6 significant digits, then let String drop trailing zeros (2.50000 → 2.5).
  if (style === 'fixed') return String(Number(v.toPrecision(6)))
  const [mantissa = '', exponent = ''] = v.toExponential(5).split('e')
  return `${mantissa.replace(/\.?0+$/, '')}e${exponent}`
}

/** Indices shown along an axis of length n: all, or the first and last EDGE around ELIDED. */
function shownIndices(n: number, summarize: boolean): number[] {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i)
  const out: number[] = []
  for (let i = 0; i < EDGE; i++) out.push(i)
  out.push(ELIDED)
  for (let i = n - EDGE; i < n; i++) out.push(i)
  return out
}

/** Appends the shown values in row-major order (recursion depth = rank). */
function collect(
  data: Floats,
  shown: readonly (readonly number[])[],
  strides: readonly number[],
  axis: number,
  offset: number,
  out: number[],
): void {
  const last = axis === shown.length - 1
  for (const i of shown[axis]!) {
    if (i === ELIDED) continue
    const o = offset + i * strides[axis]!
    if (last) out.push(data[o]!)
    else collect(data, shown, strides, axis + 1, o, out)
  }
}

/** One innermost row, wrapped so no line passes LINE_WIDTH; `indent` is the column of `[`. */
function renderRow(items: readonly string[], indent: number): string {
  let text = '['
  let column = indent + 1
  for (let i = 0; i < items.length; i++) {
    const piece = i < items.length - 1 ? `${items[i]},` : items[i]!
    if (i > 0 && column + 1 + piece.length > LINE_WIDTH) {
      text += `\n${' '.repeat(indent + 1)}`
      column = indent + 1
    } else if (i > 0) {
      text += ' '
      column++
    }
    text += piece
    column += piece.length
  }
  return `${text}]`
}

/** Renders `axis` and below, consuming formatted values through `cursor`. */
function render(
  items: readonly string[],
  shown: readonly (readonly number[])[],
  axis: number,
  indent: number,
  cursor: { next: number },
): string {
  const indices = shown[axis]!
  if (axis === shown.length - 1) {
    const row = indices.map((i) => (i === ELIDED ? ELLIPSIS : items[cursor.next++]!))
    return renderRow(row, indent)
  }
  const parts = indices.map((i) =>
    i === ELIDED ? ELLIPSIS : render(items, shown, axis + 1, indent + 1, cursor),
  )
  // NumPy separates blocks of rank r by r − 1 blank lines, so 3-D slabs stand apart.
  const separator = `,${'\n'.repeat(shown.length - axis - 1)}${' '.repeat(indent + 1)}`
  return `[${parts.join(separator)}]`
}

/**
 * Formats row-major `data` of the given `shape` like NumPy's repr, e.g.
 * `tensor([[1, 2],\n        [3, 4]], shape=[2, 2])`; rank 0 gives `tensor(3.5, shape=[])`.
 * A `Float32Array` ends `, shape=[2, 2], dtype=float32)`, as NumPy names a dtype that is not its
 * default. Its style and integers come from the shortest decimals that read back to the same
 * float32 (`0.0001` is fixed, though its float32 is 9.99999974e-5; `1e11` prints 100000000000,
 * not 99999997952), while the rounding to 6 digits starts from the exact value, as for float64:
 * rounding the shortest decimal again would round twice (1.108855 to 1.10885). Where the
 * shortest decimal has at most 6 digits both give it: `0.1`, not `0.10000000149011612`.
 */
export function formatTensor(data: Floats, shape: readonly number[]): string {
  const float32 = data instanceof Float32Array
  const suffix = `, shape=[${shape.join(', ')}]${float32 ? ', dtype=float32' : ''})`
  if (shape.length === 0) {
    const v = data[0] ?? Number.NaN
    const short = float32 ? shortestFloat32(v) : v
    return `${PREFIX}${formatValue(v, short, styleOf([short]))}${suffix}`
  }
  if (data.length === 0) return `${PREFIX}[]${suffix}`
  const summarize = data.length > SUMMARY_THRESHOLD
  const shown = shape.map((n) => shownIndices(n, summarize))
  const values: number[] = []
  collect(data, shown, stridesOf(shape), 0, 0, values)
  const shorts = float32 ? values.map(shortestFloat32) : values
  const style = styleOf(shorts)
  const texts = values.map((v, i) => formatValue(v, shorts[i]!, style))
  let width = 0
  for (const t of texts) width = Math.max(width, t.length)
  const items = texts.map((t) => t.padStart(width))
  return `${PREFIX}${render(items, shown, 0, PREFIX.length, { next: 0 })}${suffix}`
}
