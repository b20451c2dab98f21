/**
 * Plain-JS reference for the conv suite: a direct (loop-by-loop) 2-d convolution, NHWC input,
 * HWIO kernel, stride 1, zero 'same' padding for odd kernels, and its two pullbacks for a
 * cotangent G: x̄ = the transposed convolution of G with w, w̄ = the correlation of x with G.
 */

/** Sizes of a conv workload. */
export interface ConvSizes {
  readonly n: number
  readonly h: number
  readonly w: number
  readonly c: number
  readonly k: number
  readonly o: number
}

/** y = conv(x, w), x̄ and w̄ for ȳ = g, and ⟨y, g⟩ (the loss whose gradient they are). */
export function convPlain(
  s: ConvSizes,
  x: Float64Array,
  wt: Float64Array,
  g: Float64Array,
): { loss: number; xBar: Float64Array; wBar: Float64Array } {
  const { n, h, w, c, k, o } = s
  const p = (k - 1) >> 1
  const xBar = new Float64Array(x.length)
  const wBar = new Float64Array(wt.length)
  let loss = 0
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        const yAt = ((b * h + i) * w + j) * o
        for (let a = 0; a < k; a++) {
          const r = i + a - p
          if (r < 0 || r >= h) continue
          for (let e = 0; e < k; e++) {
            const col = j + e - p
            if (col < 0 || col >= w) continue
            const xAt = ((b * h + r) * w + col) * c
            const wAt = (a * k + e) * c * o
            for (let ch = 0; ch < c; ch++) {
              const xv = x[xAt + ch]!
              let xb = 0
              for (let q = 0; q < o; q++) {
                const gv = g[yAt + q]!
                const wv = wt[wAt + ch * o + q]!
                loss += xv * wv * gv
                xb += wv * gv
                wBar[wAt + ch * o + q] = wBar[wAt + ch * o + q]! + xv * gv
              }
              xBar[xAt + ch] = xBar[xAt + ch]! + xb
            }
          }
        }
      }
  return { loss, xBar, wBar }
}
