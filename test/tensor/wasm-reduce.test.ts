/**
 * The WebAssembly reductions (src/tensor/kernels/wasm/reduce.wat): their bytes are the assembly
 * of the source; sums and maxima give the JavaScript kernels' bits — and the bits of main's
 * one-leaf-at-a-time pairwise sum — over any shape and axes, ±0, ±∞ and NaN, float32 too; they
 * run from `WASM_MIN_REDUCE` elements and not when turned off; and where WebAssembly is missing
 * or refuses to compile, the JavaScript loops run.
 */
import { readFileSync } from 'node:fs'
import { fc, test } from '@fast-check/vitest'
import { type Floats, jit, max, min, sum, Tensor } from 'fluxion'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { assemble, bytesModule, kernels } from '../../scripts/build-wasm.ts'
import { setWasmKernels } from '../../src/tensor/kernels/gemm-select.ts'
import { maxK, sumK } from '../../src/tensor/kernels/reduce.ts'
import { reduceWasm, WASM_MIN_REDUCE } from '../../src/tensor/kernels/wasm/reduce-wasm.ts'
import { refReduce } from './reference.ts'

afterEach(() => {
  setWasmKernels(true)
  vi.unstubAllGlobals()
  vi.unstubAllEnvs()
  vi.resetModules()
})

/** The backend whatever the size (the tests call it on small inputs too). */
const backend = () => {
  const w = reduceWasm(Number.POSITIVE_INFINITY)
  if (w === null) throw new Error('WebAssembly SIMD does not run here')
  return w
}

/** Runs `f` with the WebAssembly kernels on, then off; returns both results. */
const both = <T>(f: () => T): { wasm: T; js: T } => {
  const wasm = f()
  const was = setWasmKernels(false)
  try {
    return { wasm, js: f() }
  } finally {
    setWasmKernels(was)
  }
}

/** Entries equal as Object.is sees them: the same bits, up to NaN payloads, ±0 apart. */
const sameBits = (x: Floats, y: Floats): void => {
  expect(x.length).toBe(y.length)
  for (let i = 0; i < x.length; i++) {
    if (!Object.is(x[i], y[i])) expect.fail(`entry ${i}: ${x[i]} vs ${y[i]}`)
  }
}

/** main's pairwise sum before the interleaving: each 128-leaf one sequential loop. */
const refPairwise = (x: Floats, start: number, n: number): number => {
  if (n <= 128) {
    let s = 0
    for (let i = start; i < start + n; i++) s += x[i]!
    return s
  }
  const half = Math.ceil(n / 256) * 128
  return refPairwise(x, start, half) + refPairwise(x, start + half, n - half)
}

const specials = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]
/**
 * `n` values from a seed (a cheap generator: fast-check arrays of 10⁴ doubles are slow) over
 * twelve orders of magnitude, so a changed order of additions shows in the last bits; with
 * `withSpecials`, one entry in 40 is ±0, ±∞ or NaN.
 */
const data = (n: number, f32: boolean, withSpecials: boolean) =>
  fc.integer({ min: 1, max: 2 ** 30 }).map((seed) => {
    const x = f32 ? new Float32Array(n) : new Float64Array(n)
    let h = seed
    for (let i = 0; i < n; i++) {
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + 0x9e3779b9
      const u = (h >>> 0) / 2 ** 32
      x[i] =
        withSpecials && u < 0.025
          ? specials[Math.floor(u * 200)]!
          : (u - 0.5) * 10 ** (((h >>> 7) % 12) - 6)
    }
    return x
  })

const size = fc.constantFrom(1, 2, 3, 7, 8, 9, 17, 127, 128, 129, 255, 257, 300, 1025)

describe('WebAssembly reduction kernel source', () => {
  it('the committed bytes are the assembly of reduce.wat', async () => {
    const k = kernels().find((x) => x.name === 'reduce')!
    const bytes = await assemble(readFileSync(k.wat, 'utf8'), 'reduce.wat')
    expect(readFileSync(k.out, 'utf8')).toBe(bytesModule('reduce', bytes))
  })

  it('compiles in Node and runs from WASM_MIN_REDUCE elements only', () => {
    expect(reduceWasm(WASM_MIN_REDUCE)).not.toBeNull()
    expect(reduceWasm(WASM_MIN_REDUCE - 1)).toBeNull()
    setWasmKernels(false)
    expect(reduceWasm(1e9)).toBeNull()
  })
})

describe('WebAssembly and JavaScript reductions agree bit for bit', () => {
  const dims = fc.tuple(
    fc.integer({ min: 1, max: 12 }),
    size,
    fc.integer({ min: 1, max: 11 }),
    fc.boolean(),
    fc.boolean(),
  )
  test.prop([dims], { numRuns: 60 })(
    'over the middle axis of [outer, r, inner], float64 and float32',
    ([outer, r, inner, f32, sp]) => {
      fc.assert(
        fc.property(data(outer * r * inner, f32, sp), (x) => {
          const w = backend()
          const shape = [outer, r, inner]
          const js = both(() => [sumK(x, shape, [1]), maxK(x, shape, [1])])
          const s = new Float64Array(outer * inner)
          const m = new Float64Array(outer * inner)
          if (inner === 1) {
            expect(w.rowSums(x, outer, r, s)).toBe(true)
            expect(w.maxRows(x, outer, r, m)).toBe(true)
          } else {
            expect(w.columns(x, outer, r, inner, s, false)).toBe(true)
            expect(w.columns(x, outer, r, inner, m, true)).toBe(true)
          }
          sameBits(s, js.js[0]!)
          sameBits(m, js.js[1]!)
          // sums over rows are main's pairwise tree, leaf by leaf
          if (inner === 1) {
            for (let o = 0; o < outer; o++)
              expect(Object.is(s[o], refPairwise(x, o * r, r))).toBe(true)
          } else
            sameBits(
              s,
              refReduce((a, b) => a + b, 0, Float64Array.from(x), shape, [1]),
            )
        }),
        { numRuns: 3 },
      )
    },
  )

  const dim = fc.constantFrom(1, 2, 3, 5, 8, 13, 40, 129)
  const shapes = fc
    .array(
      dim.map((d): number => d),
      { minLength: 1, maxLength: 4 },
    )
    .filter((s) => s.reduce((a, b) => a * b, 1) <= 100_000)
  test.prop([shapes, fc.boolean()], { numRuns: 60 })(
    'through sumK and maxK over any axes (wasm from WASM_MIN_REDUCE elements)',
    (shape, f32) => {
      const n = shape.reduce((a, b) => a * b, 1)
      fc.assert(
        fc.property(data(n, f32, true), fc.subarray(shape.map((_d, ax) => ax)), (x, axes) => {
          const s = both(() => sumK(x, shape, axes))
          const m = both(() => maxK(x, shape, axes))
          sameBits(s.wasm, s.js)
          sameBits(m.wasm, m.js)
          sameBits(
            m.js,
            refReduce(Math.max, Number.NEGATIVE_INFINITY, Float64Array.from(x), shape, axes),
          )
        }),
        { numRuns: 2 },
      )
    },
  )

  it('keeps signed zeros: sums start at +0, max orders −0 < +0', () => {
    const w = backend()
    const n = 2000
    const negZeros = new Float64Array(n).fill(-0)
    const out = new Float64Array(1)
    w.rowSums(negZeros, 1, n, out)
    expect(Object.is(out[0], 0)).toBe(true) // +0 + −0 = +0, as in JavaScript
    w.maxRows(negZeros, 1, n, out)
    expect(Object.is(out[0], -0)).toBe(true)
    const mixed = negZeros.slice()
    mixed[1234] = 0
    w.maxRows(mixed, 1, n, out)
    expect(Object.is(out[0], 0)).toBe(true)
    const cols = new Float64Array(10)
    w.columns(negZeros, 1, 200, 10, cols, true)
    for (const v of cols) expect(Object.is(v, -0)).toBe(true)
    w.columns(negZeros, 1, 200, 10, cols, false)
    for (const v of cols) expect(Object.is(v, 0)).toBe(true)
    sameBits(sumK(negZeros, [n], [0]), Float64Array.of(0))
  })

  it('propagates NaN and ±∞ as Math.max and IEEE addition do', () => {
    const n = 3000
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i))
    x[17] = Number.POSITIVE_INFINITY
    x[2900] = Number.NEGATIVE_INFINITY // ∞ − ∞ = NaN in the sum; max is +∞
    const s = both(() => sumK(x, [n], [0]))
    const m = both(() => maxK(x, [n], [0]))
    expect(s.wasm[0]).toBeNaN()
    expect(m.wasm[0]).toBe(Number.POSITIVE_INFINITY)
    x[2900] = Number.NaN
    const m2 = both(() => maxK(x, [3, 1000], [1]))
    expect(m2.wasm[0]).toBe(Number.POSITIVE_INFINITY)
    expect(m2.wasm[2]).toBeNaN()
    sameBits(m2.wasm, m2.js)
  })

  it('gives 0 and −∞ for empty axes, and copies size-1 reductions', () => {
    expect(sumK(new Float64Array(0), [2000, 0], [1])).toEqual(new Float64Array(2000))
    expect(maxK(new Float64Array(0), [2000, 0], [1])).toEqual(
      new Float64Array(2000).fill(Number.NEGATIVE_INFINITY),
    )
    const x = Float64Array.from({ length: 4096 }, (_, i) => i - 2048.5)
    sameBits(sumK(x, [4096, 1], [1]), x)
    sameBits(maxK(x, [4096, 1], [1]), x)
    sameBits(sumK(x, [4096], []), x)
  })

  it('after growing its memory, on a smaller input again, and on float32 rows', () => {
    for (const n of [2000, 1_000_000, 3000]) {
      const x = Float32Array.from({ length: n }, (_, i) => Math.cos(i) * 10 ** (i % 7))
      const s = both(() => sumK(x, [n / 1000, 1000], [1]))
      sameBits(s.wasm, s.js)
      const m = both(() => maxK(x, [n / 1000, 1000], [0]))
      sameBits(m.wasm, m.js)
    }
  })

  it('sum, max and min agree eagerly and under jit, with the kernels on and off', () => {
    const x = new Tensor(
      Float64Array.from({ length: 6000 }, (_, i) => Math.sin(i) * 1e3),
      [60, 100],
    )
    const f = (t: Tensor): Tensor[] => [sum(t), sum(t, 0), sum(t, 1), max(t, 1), min(t, 0)]
    const g = jit(f)
    const ref = both(() => f(x).map((t) => t.data))
    for (let call = 0; call < 2; call++) {
      const got = g(x).map((t) => t.data)
      got.forEach((d, i) => {
        sameBits(d, ref.wasm[i]!)
        sameBits(d, ref.js[i]!)
      })
    }
  })
})

describe('fallback to the JavaScript loops', () => {
  const fresh = async () => {
    vi.resetModules()
    return {
      wasm: await import('../../src/tensor/kernels/wasm/reduce-wasm.ts'),
      reduce: await import('../../src/tensor/kernels/reduce.ts'),
    }
  }
  const x = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i * 0.37) * 10 ** ((i % 5) - 2))

  it('FLUXION_WASM=0 turns WebAssembly off', async () => {
    vi.stubEnv('FLUXION_WASM', '0')
    const m = await fresh()
    expect(m.wasm.reduceWasm(1e9)).toBeNull()
    sameBits(m.reduce.sumK(x, [x.length], [0]), sumK(x, [x.length], [0]))
  })

  it('where WebAssembly is missing', async () => {
    vi.stubGlobal('WebAssembly', undefined)
    const m = await fresh()
    expect(m.wasm.reduceWasm(1e9)).toBeNull()
    sameBits(m.reduce.sumK(x, [50, 100], [0]), sumK(x, [50, 100], [0]))
    sameBits(m.reduce.maxK(x, [50, 100], [1]), maxK(x, [50, 100], [1]))
  })

  it('where compiling throws (no SIMD, or a Content-Security-Policy without wasm-unsafe-eval)', async () => {
    const refuse = function Module(): never {
      throw new Error('WebAssembly.Module(): Wasm code generation disallowed by embedder')
    }
    vi.stubGlobal('WebAssembly', { Module: refuse, Instance: refuse })
    const m = await fresh()
    expect(m.wasm.reduceWasm(1e9)).toBeNull()
    sameBits(m.reduce.sumK(x, [x.length], [0]), Float64Array.of(refPairwise(x, 0, x.length)))
  })
})
