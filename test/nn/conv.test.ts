/**
 * conv1d / conv2d / maxPool / avgPool against naive loop-by-loop references written here
 * (fast-check over small random shapes, strides, paddings and dilations), their gradients
 * against finite differences, and the same results under vmap and jit (second call included).
 */
import fc from 'fast-check'
import {
  add,
  grad,
  InvalidArgumentError,
  jit,
  mul,
  reshape,
  ShapeError,
  sum,
  Tensor,
  tensor,
  vmap,
} from 'fluxion'
import { avgPool, conv1d, conv2d, conv2dLayer, maxPool, type Padding } from 'fluxion/nn'
import { checkGrads } from 'fluxion/testing'
import { describe, expect, it } from 'vitest'
import { expectClose } from '../helpers.ts'

const runs = { numRuns: Number(process.env.FC_NUM_RUNS ?? 60) }

/** Deterministic values in (−1, 1) from a seed. */
const values = (n: number, seed: number): Float64Array => {
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = Math.sin(seed * 12.9898 + i * 78.233) * 0.9
  return out
}

/** [before, after] per axis for a padding spec, as TF/JAX define 'same'. */
const padsOf = (
  padding: Padding,
  sizes: number[],
  span: number[],
  stride: number[],
): [number, number][] => {
  if (padding === 'valid') return sizes.map(() => [0, 0])
  if (padding === 'same') {
    return sizes.map((n, i) => {
      const total = Math.max((Math.ceil(n / stride[i]!) - 1) * stride[i]! + span[i]! - n, 0)
      return [Math.floor(total / 2), total - Math.floor(total / 2)]
    })
  }
  return padding.map(([a, b]) => [a, b])
}

/** Naive 2-d NHWC/HWIO convolution, one loop per index. */
const conv2dLoops = (
  x: Tensor,
  w: Tensor,
  stride: [number, number],
  dilation: [number, number],
  padding: Padding,
): Tensor => {
  const [n, h, wd, c] = x.shape as [number, number, number, number]
  const [kh, kw, , o] = w.shape as [number, number, number, number]
  const span = [(kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1]
  const [[ph, ph2], [pw, pw2]] = padsOf(padding, [h, wd], span, stride) as [
    [number, number],
    [number, number],
  ]
  const ho = Math.floor((h + ph + ph2 - span[0]!) / stride[0]) + 1
  const wo = Math.floor((wd + pw + pw2 - span[1]!) / stride[1]) + 1
  const out = new Float64Array(n * ho * wo * o)
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let q = 0; q < o; q++) {
          let s = 0
          for (let a = 0; a < kh; a++)
            for (let e = 0; e < kw; e++) {
              const r = i * stride[0] + a * dilation[0] - ph
              const col = j * stride[1] + e * dilation[1] - pw
              if (r < 0 || r >= h || col < 0 || col >= wd) continue
              for (let ch = 0; ch < c; ch++) {
                s +=
                  x.data[((b * h + r) * wd + col) * c + ch]! *
                  w.data[((a * kw + e) * c + ch) * o + q]!
              }
            }
          out[((b * ho + i) * wo + j) * o + q] = s
        }
  return new Tensor(out, [n, ho, wo, o])
}

/** Naive 2-d pooling (max or mean over the entries inside the input). */
const poolLoops = (
  x: Tensor,
  window: [number, number],
  stride: [number, number],
  padding: Padding,
  kind: 'max' | 'avg',
): Tensor => {
  const [n, h, wd, c] = x.shape as [number, number, number, number]
  const pads = padsOf(padding, [h, wd], window, stride)
  const ho = Math.floor((h + pads[0]![0] + pads[0]![1] - window[0]) / stride[0]) + 1
  const wo = Math.floor((wd + pads[1]![0] + pads[1]![1] - window[1]) / stride[1]) + 1
  const out = new Float64Array(n * ho * wo * c)
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity
          let total = 0
          let count = 0
          for (let a = 0; a < window[0]; a++)
            for (let e = 0; e < window[1]; e++) {
              const r = i * stride[0] + a - pads[0]![0]
              const col = j * stride[1] + e - pads[1]![0]
              if (r < 0 || r >= h || col < 0 || col >= wd) continue
              const v = x.data[((b * h + r) * wd + col) * c + ch]!
              best = Math.max(best, v)
              total += v
              count++
            }
          out[((b * ho + i) * wo + j) * c + ch] = kind === 'max' ? best : total / count
        }
  return new Tensor(out, [n, ho, wo, c])
}

const paddingArb = (k: number[]): fc.Arbitrary<Padding> =>
  fc.oneof(
    fc.constant<Padding>('valid'),
    fc.constant<Padding>('same'),
    fc.tuple(fc.nat(k[0]!), fc.nat(k[0]!), fc.nat(k[1]!), fc.nat(k[1]!)).map(
      ([a, b, c, d]): Padding => [
        [a, b],
        [c, d],
      ],
    ),
  )

const convCase = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 1, max: 7 }),
    w: fc.integer({ min: 1, max: 7 }),
    c: fc.integer({ min: 1, max: 3 }),
    o: fc.integer({ min: 1, max: 3 }),
    kh: fc.integer({ min: 1, max: 3 }),
    kw: fc.integer({ min: 1, max: 3 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    dh: fc.integer({ min: 1, max: 2 }),
    dw: fc.integer({ min: 1, max: 2 }),
    seed: fc.integer({ min: 1, max: 1000 }),
  })
  .chain((r) => paddingArb([r.kh, r.kw]).map((padding) => ({ ...r, padding })))

const fits = (size: number, pads: [number, number], span: number) =>
  size + pads[0] + pads[1] >= span

describe('conv2d', () => {
  it('equals the naive loops over random shapes, strides, paddings and dilations', () => {
    fc.assert(
      fc.property(convCase, (r) => {
        const x = new Tensor(values(r.n * r.h * r.w * r.c, r.seed), [r.n, r.h, r.w, r.c])
        const w = new Tensor(values(r.kh * r.kw * r.c * r.o, r.seed + 7), [r.kh, r.kw, r.c, r.o])
        const stride: [number, number] = [r.sh, r.sw]
        const dilation: [number, number] = [r.dh, r.dw]
        const span = [(r.kh - 1) * r.dh + 1, (r.kw - 1) * r.dw + 1]
        const pads = padsOf(r.padding, [r.h, r.w], span, stride)
        const options = { stride, dilation, padding: r.padding }
        if (!(fits(r.h, pads[0]!, span[0]!) && fits(r.w, pads[1]!, span[1]!))) {
          expect(() => conv2d(x, w, options)).toThrow(ShapeError)
          return
        }
        expectClose(conv2d(x, w, options), conv2dLoops(x, w, stride, dilation, r.padding))
      }),
      runs,
    )
  })

  it('known value, stride 2, no batch axis', () => {
    const x = reshape(tensor(Array.from({ length: 16 }, (_, i) => i)), [4, 4, 1])
    const y = conv2d(x, new Tensor(new Float64Array(4).fill(1), [2, 2, 1, 1]), { stride: 2 })
    expect(y.shape).toEqual([2, 2, 1])
    expect(Array.from(y.data)).toEqual([10, 18, 42, 50])
  })

  it('gradients in x and w agree with finite differences', () => {
    const x = new Tensor(values(2 * 5 * 4 * 2, 3), [2, 5, 4, 2])
    const w = new Tensor(values(3 * 2 * 2 * 3, 5), [3, 2, 2, 3])
    const loss = (xv: Tensor, wv: Tensor) => {
      const y = conv2d(xv, wv, { stride: [2, 1], padding: 'same', dilation: [1, 2] })
      return sum(mul(y, y))
    }
    checkGrads(loss, [x, w])
  })

  it('second derivatives (grad of grad) agree with finite differences', () => {
    const x = new Tensor(values(1 * 4 * 3 * 2, 17), [1, 4, 3, 2])
    const w = new Tensor(values(2 * 2 * 2 * 2, 19), [2, 2, 2, 2])
    const loss = (xv: Tensor, wv: Tensor) => {
      const y = conv2d(xv, wv, { padding: 'same', stride: [1, 2] })
      return sum(mul(mul(y, y), y))
    }
    checkGrads(loss, [x, w], { order: 2 })
  })

  it('vmap over examples and jit (second call) agree with the batched call', () => {
    const x = new Tensor(values(3 * 6 * 6 * 2, 11), [3, 6, 6, 2])
    const w = new Tensor(values(3 * 3 * 2 * 4, 13), [3, 3, 2, 4])
    const opts = { padding: 'same' as const, stride: 2 }
    const expected = conv2d(x, w, opts)
    expectClose(vmap((xi: Tensor) => conv2d(xi, w, opts))(x), expected)
    const f = jit((xv: Tensor, wv: Tensor) => conv2d(xv, wv, opts))
    expectClose(f(x, w), expected)
    expectClose(f(x, w), expected)
    const g = jit(grad((wv: Tensor) => sum(mul(conv2d(x, wv, opts), conv2d(x, wv, opts)))))
    const gExpected = grad((wv: Tensor) => sum(mul(conv2d(x, wv, opts), conv2d(x, wv, opts))))(w)
    g(w)
    expectClose(g(w), gExpected, 1e-10, 1e-12)
  })

  it('throws named errors for a kernel that does not fit and bad options', () => {
    const x = new Tensor(new Float64Array(2 * 4 * 4 * 3), [2, 4, 4, 3])
    expect(() => conv2d(x, new Tensor(new Float64Array(9 * 2), [3, 3, 2, 1]))).toThrow(ShapeError)
    expect(() => conv2d(x, new Tensor(new Float64Array(25 * 3), [5, 5, 3, 1]))).toThrow(ShapeError)
    const w = new Tensor(new Float64Array(9 * 3), [3, 3, 3, 1])
    expect(() => conv2d(x, w, { stride: 0 })).toThrow(InvalidArgumentError)
    expect(() => conv2d(x, w, { padding: [[1, 1]] })).toThrow(InvalidArgumentError)
    // an empty window is refused by the conv (it was concat's "needs at least one tensor")
    const empty = new Tensor(new Float64Array(0), [0, 3, 3, 1])
    expect(() => conv2d(x, empty)).toThrow(/kernel size must be a positive integer.*in conv2d/)
    expect(() => maxPool(x, 2 as unknown as number[])).toThrow(/window must be an array/)
  })

  it('gives zeros for inputs with no channels (their sum is empty)', () => {
    const y = conv1d(
      new Tensor(new Float64Array(0), [5, 0]),
      new Tensor(new Float64Array(0), [2, 0, 3]),
    )
    expect(y.shape).toEqual([4, 3])
    expect(Array.from(y.data)).toEqual(Array(12).fill(0))
  })
})

describe('conv1d', () => {
  it('equals conv2d on a height-1 image', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 9 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }),
        fc.constantFrom<'valid' | 'same'>('valid', 'same'),
        (len, k, s, d, padding) => {
          fc.pre((k - 1) * d + 1 <= len)
          const x = new Tensor(values(2 * len * 2, len), [2, len, 2])
          const w = new Tensor(values(k * 2 * 3, k), [k, 2, 3])
          const y = conv1d(x, w, { stride: s, dilation: d, padding })
          const y2 = conv2dLoops(
            reshape(x, [2, 1, len, 2]),
            reshape(w, [1, k, 2, 3]),
            [1, s],
            [1, d],
            padding === 'valid'
              ? 'valid'
              : [[0, 0], padsOf('same', [len], [(k - 1) * d + 1], [s])[0]!],
          )
          expectClose(y, reshape(y2, y.shape))
        },
      ),
      runs,
    )
  })
})

describe('conv2dLayer', () => {
  it('adds the bias and keeps the shapes', () => {
    const layer = conv2dLayer(2, 3, [3, 3], { padding: 'same' })
    const p = layer.init([0, 1])
    expect(p.w.shape).toEqual([3, 3, 2, 3])
    const x = new Tensor(values(5 * 5 * 2, 2), [1, 5, 5, 2])
    const b = tensor([1, 2, 3])
    expectClose(layer.apply({ w: p.w, b }, x), add(conv2d(x, p.w, { padding: 'same' }), b))
  })
})

describe('pools', () => {
  const poolCase = fc
    .record({
      h: fc.integer({ min: 1, max: 7 }),
      w: fc.integer({ min: 1, max: 7 }),
      kh: fc.integer({ min: 1, max: 3 }),
      kw: fc.integer({ min: 1, max: 3 }),
      sh: fc.integer({ min: 1, max: 3 }),
      sw: fc.integer({ min: 1, max: 3 }),
      seed: fc.integer({ min: 1, max: 1000 }),
    })
    .chain((r) =>
      fc
        .oneof(
          fc.constant<Padding>('valid'),
          fc.constant<Padding>('same'),
          fc.tuple(fc.nat(r.kh - 1), fc.nat(r.kh - 1), fc.nat(r.kw - 1), fc.nat(r.kw - 1)).map(
            ([a, b, c, d]): Padding => [
              [a, b],
              [c, d],
            ],
          ),
        )
        .map((padding) => ({ ...r, padding })),
    )

  it('maxPool and avgPool equal the naive loops', () => {
    fc.assert(
      fc.property(poolCase, (r) => {
        const x = new Tensor(values(2 * r.h * r.w * 2, r.seed), [2, r.h, r.w, 2])
        const window: [number, number] = [r.kh, r.kw]
        const stride: [number, number] = [r.sh, r.sw]
        const pads = padsOf(r.padding, [r.h, r.w], window, stride)
        const options = { stride, padding: r.padding }
        if (!(fits(r.h, pads[0]!, r.kh) && fits(r.w, pads[1]!, r.kw))) {
          expect(() => maxPool(x, window, options)).toThrow(ShapeError)
          return
        }
        expectClose(maxPool(x, window, options), poolLoops(x, window, stride, r.padding, 'max'))
        expectClose(avgPool(x, window, options), poolLoops(x, window, stride, r.padding, 'avg'))
      }),
      runs,
    )
  })

  it('avgPool keeps float32 where windows cover padding (its counts were float64)', () => {
    const x = new Tensor(new Float32Array(9).fill(1), [3, 3, 1])
    const y = avgPool(x, [2, 2], { padding: 'same' })
    expect(y.dtype).toBe('float32')
    expect(Array.from(y.data)).toEqual(Array(4).fill(1))
  })

  it('avgPool with countPadding divides by the full window', () => {
    const x = new Tensor(new Float64Array(9).fill(1), [3, 3, 1])
    const y = avgPool(x, [2, 2], {
      stride: 1,
      padding: [
        [1, 0],
        [1, 0],
      ],
      countPadding: true,
    })
    expect(Array.from(y.data)).toEqual([0.25, 0.5, 0.5, 0.5, 1, 1, 0.5, 1, 1])
  })

  it('maxPool splits the derivative evenly between tied maxima', () => {
    const x = tensor([
      [[1], [3]],
      [[3], [0]],
    ])
    const g = grad((xv: Tensor) => sum(maxPool(xv, [2, 2])))(x)
    expect(Array.from(g.data)).toEqual([0, 0.5, 0.5, 0])
  })

  it('gradients agree with finite differences, and jit and vmap agree', () => {
    const x = new Tensor(values(2 * 5 * 5 * 2, 9), [2, 5, 5, 2])
    const opts = { stride: 2, padding: 'same' as const }
    checkGrads((xv: Tensor) => sum(mul(maxPool(xv, [3, 3], opts), avgPool(xv, [3, 3], opts))), [x])
    const f = jit((xv: Tensor) => maxPool(xv, [3, 3], opts))
    f(x)
    expectClose(f(x), maxPool(x, [3, 3], opts))
    expectClose(vmap((xi: Tensor) => avgPool(xi, [3, 3], opts))(x), avgPool(x, [3, 3], opts))
  })
})
