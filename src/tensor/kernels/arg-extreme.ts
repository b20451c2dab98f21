/**
 * The position of the largest (or smallest) entry of each last-axis row in one pass: the first
 * among ties (−0 and +0 tie), and the first NaN wherever a row has one, as NumPy's `argmax` and
 * `argmin`.
 * @module
 */
import type { Shape } from '../shape.ts'
import type { Floats } from '../tensor.ts'

/**
 * Float64 positions, one per row of the last axis (of length ≥ 1): of the first largest entry,
 * or with `smallest` of the first smallest; of the first NaN where a row has one.
 */
export function argExtremeK(x: Floats, shape: Shape, smallest: boolean): Float64Array {
  const n = shape[shape.length - 1]!
  const rows = n === 0 ? 0 : x.length / n
  const out = new Float64Array(rows)
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let best = x[o]!
    let at = 0
    // one comparison per entry: !(v >= best) holds for a new smallest and for NaN (which ends
    // the row); likewise !(v <= best) for a new largest
    if (!Number.isNaN(best)) {
      if (smallest) {
        for (let j = 1; j < n; j++) {
          const v = x[o + j]!
          if (!(v >= best)) {
            at = j
            if (Number.isNaN(v)) break
            best = v
          }
        }
      } else {
        for (let j = 1; j < n; j++) {
          const v = x[o + j]!
          if (!(v <= best)) {
            at = j
            if (Number.isNaN(v)) break
            best = v
          }
        }
      }
    }
    out[r] = at
  }
  return out
}
