/**
 * The float32 matrix-product kernels (src/tensor/kernels/gemm-f32.ts and wasm/matmul-f32.wat,
 * reached through `matmulKF32`): the f32x4 WebAssembly kernel and the JavaScript float32
 * kernel give the same bits, which are those of a naive float32 loop summing p = 0 … k−1 with
 * each step rounded to float32; both are within float32's error bound of the float64 product;
 * odd, empty, transposed, batched and broadcast shapes; NaN, ±∞ and −0; the fallbacks.
 */
import { fc, test } from '@fast-check/vitest'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { jsBackendF32 } from '../../src/tensor/kernels/gemm-f32.ts'
import {
  gemmBackendF32,
  setWasmKernels,
  WASM_MIN_MULADDS,
  wasmKernelsF32,
} from '../../src/tensor/kernels/gemm-select.ts'
import { matmulK, matmulKF32 } from '../../src/tensor/kernels/matmul.ts'
import { refMatmulWith as naive, sizeOf } from './reference.ts'

afterEach(() => {
  setWasmKernels(true)
  vi.unstubAllGlobals()
  vi.unstubAllEnvs()
  vi.resetModules()
})

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

/** Entries equal as Object.is sees them: the same bits, up to NaN payloads and with ±0 apart. */
const sameBits = (x: Float32Array, y: Float32Array): void => {
  expect(x.length).toBe(y.length)
  for (let i = 0; i < x.length; i++) {
    if (!Object.is(x[i], y[i])) expect.fail(`entry ${i}: ${x[i]} vs ${y[i]}`)
  }
}

/** Float32 values over several magnitudes, different for each seed. */
const noise = (n: number, seed: number): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * 10 ** ((i % 5) - 2))

const f32Step = (acc: number, x: number, y: number) => Math.fround(acc + Math.fround(x * y))
const f64Step = (acc: number, x: number, y: number) => acc + x * y
const absStep = (acc: number, x: number, y: number) => acc + Math.abs(x * y)

/** Shapes for mode 0 plain, 1 batch of 3 both varying, 2 A shared (broadcast), 3 B shared. */
const shapes = (
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  mode: number,
) => {
  const batchA = mode === 1 || mode === 3 ? [3] : []
  const batchB = mode === 1 || mode === 2 ? [3] : []
  return {
    aShape: [...batchA, ...(transA ? [k, m] : [m, k])],
    bShape: [...batchB, ...(transB ? [n, k] : [k, n])],
  }
}

describe('float32 kernels: WebAssembly f32x4 and JavaScript agree bit for bit', () => {
  it('the f32x4 kernel compiles and runs in Node, and is used above the size threshold only', () => {
    expect(wasmKernelsF32()?.name).toBe('wasm-simd128-f32')
    expect(gemmBackendF32(WASM_MIN_MULADDS).name).toBe('wasm-simd128-f32')
    expect(gemmBackendF32(WASM_MIN_MULADDS - 1).name).toBe('js-f32')
    setWasmKernels(false)
    expect(gemmBackendF32(1e9).name).toBe('js-f32')
  })

  const dim = fc.integer({ min: 1, max: 37 })
  test.prop([dim, dim, dim, fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 3 })], {
    numRuns: 40,
  })('with either operand transposed and batched or shared', (m, k, n, transA, transB, mode) => {
    const { aShape, bShape } = shapes(m, k, n, transA, transB, mode)
    const a = noise(sizeOf(aShape), m)
    const b = noise(sizeOf(bShape), n + 0.5)
    const { wasm, js } = both(() => matmulKF32(a, aShape, b, bShape, transA, transB))
    expect(wasm.data).toBeInstanceOf(Float32Array)
    expect(wasm.shape).toEqual(
      matmulK(new Float64Array(a), aShape, new Float64Array(b), bShape, transA, transB).shape,
    )
    sameBits(wasm.data, js.data)
    // and both are the naive float32 sum in order p = 0 … k−1 (so no tolerance is needed)
    sameBits(wasm.data, Float32Array.from(naive(a, aShape, b, bShape, transA, transB, f32Step)))
  })

  test.prop([dim, fc.integer({ min: 1, max: 700 }), dim, fc.boolean(), fc.boolean()], {
    numRuns: 20,
  })('within k·2⁻²⁴·(|A|·|B|) of the float64 product of the same inputs', (m, k, n, tA, tB) => {
    const { aShape, bShape } = shapes(m, k, n, tA, tB, 0)
    const a = noise(sizeOf(aShape), k)
    const b = noise(sizeOf(bShape), m + n)
    const got = matmulKF32(a, aShape, b, bShape, tA, tB).data
    const exact = naive(a, aShape, b, bShape, tA, tB, f64Step)
    const scale = naive(a, aShape, b, bShape, tA, tB, absStep)
    // first-order bound γ_k ≈ k·u, u = 2⁻²⁴, plus the final rounding and subnormal slack
    for (let i = 0; i < got.length; i++) {
      const bound = (k + 1) * 2 ** -24 * 1.01 * scale[i]! + 2 ** -140
      if (!(Math.abs(got[i]! - exact[i]!) <= bound)) {
        expect.fail(`entry ${i}: ${got[i]} vs ${exact[i]} (bound ${bound}, k = ${k})`)
      }
    }
  })

  test.prop(
    [
      fc.integer({ min: 1, max: 30 }),
      fc.integer({ min: 1, max: 30 }),
      fc.integer({ min: 1, max: 30 }),
      fc.integer({ min: 1, max: 12 }),
      fc.boolean(),
    ],
    { numRuns: 30 },
  )('on any listed rows and columns (the packing and scatter paths)', (m, k, n, gap, scatter) => {
    // rows of op(A) and columns of op(B) picked `gap` apart and reversed, from larger matrices:
    // not evenly spaced (packed, not read as stored) unless gap leaves them so
    const lda = k + 3
    const a = noise((m * gap + 2) * lda, gap)
    const b = noise(k * (n * gap + 2), n)
    const ldb = n * gap + 2
    const rowOffsets = Int32Array.from({ length: m }, (_, i) => (m - 1 - i) * gap * lda)
    const colOffsets = Int32Array.from({ length: n }, (_, j) => (j * gap) % ldb)
    const outRow = Int32Array.from({ length: m }, (_, i) => i * (scatter ? 2 * n : n))
    const outCol = Int32Array.from({ length: n }, (_, j) => (scatter ? 2 * j + 1 : j))
    const problem = (c: Float32Array) => ({
      a: { data: a, rowStride: lda, colStride: 1 },
      rowOffsets,
      b: { data: b, rowStride: ldb, colStride: 1 },
      colOffsets,
      k,
      c,
      outRow,
      outCol,
    })
    const size = m * n * (scatter ? 2 : 1)
    const viaWasm = new Float32Array(size)
    const viaJs = new Float32Array(size)
    wasmKernelsF32()!.gemm(problem(viaWasm))
    jsBackendF32.gemm(problem(viaJs))
    sameBits(viaWasm, viaJs)
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0
        for (let p = 0; p < k; p++) {
          acc = f32Step(acc, a[rowOffsets[i]! + p]!, b[colOffsets[j]! + p * ldb]!)
        }
        expect(Object.is(viaJs[outRow[i]! + outCol[j]!], Math.fround(acc))).toBe(true)
      }
    }
  })

  it('odd and empty sizes: 0, 1, 3, 5, 17 in every position', () => {
    const sizes = [0, 1, 3, 5, 17]
    for (const m of sizes) {
      for (const k of sizes) {
        for (const n of sizes) {
          const a = noise(m * k, 1)
          const b = noise(k * n, 2)
          const { wasm, js } = both(() => matmulKF32(a, [m, k], b, [k, n], false, false))
          expect(wasm.shape).toEqual([m, n])
          sameBits(wasm.data, js.data)
          sameBits(wasm.data, Float32Array.from(naive(a, [m, k], b, [k, n], false, false, f32Step)))
          // k = 0: the empty sum, +0 everywhere
          if (k === 0) for (const v of wasm.data) expect(Object.is(v, 0)).toBe(true)
        }
      }
    }
  })

  it('a batch broadcast from both sides, [2, 1]·[1, 3]', () => {
    const aShape = [2, 1, 9, 13]
    const bShape = [1, 3, 13, 11]
    const a = noise(sizeOf(aShape), 3)
    const b = noise(sizeOf(bShape), 4)
    const { wasm, js } = both(() => matmulKF32(a, aShape, b, bShape, false, false))
    expect(wasm.shape).toEqual([2, 3, 9, 11])
    sameBits(wasm.data, js.data)
    sameBits(wasm.data, Float32Array.from(naive(a, aShape, b, bShape, false, false, f32Step)))
  })

  it('over several k-blocks (k = 1100), and on the MLP product 128×784 · 784×256', () => {
    for (const [m, k, n] of [
      [9, 1100, 13],
      [128, 784, 256],
    ] as const) {
      const a = noise(m * k, 5)
      const b = noise(k * n, 6)
      const { wasm, js } = both(() => matmulKF32(a, [m, k], b, [k, n], false, false).data)
      sameBits(wasm, js)
    }
  })

  it('after growing its memory and on a smaller product again', () => {
    for (const s of [20, 300, 20]) {
      const a = noise(s * 40, s)
      const b = noise(40 * s, 3)
      const { wasm, js } = both(() => matmulKF32(a, [s, 40], b, [40, s], false, false).data)
      sameBits(wasm, js)
    }
  })

  it('propagates NaN and ±∞, and overflows to ±∞ where float64 would not', () => {
    const m = 24
    const k = 20
    const n = 24
    const a = noise(m * k, 4)
    const b = noise(k * n, 5)
    a[3 * k + 7] = Number.NaN // row 3 all NaN
    a[5 * k + 2] = Number.POSITIVE_INFINITY // row 5: ±∞, or NaN where b[2][j] = 0
    b[2 * n + 4] = 0
    a[9 * k + 1] = Number.NEGATIVE_INFINITY
    a[9 * k + 6] = Number.POSITIVE_INFINITY // row 9: ∞ − ∞ = NaN
    b[1 * n + 10] = 1
    b[6 * n + 10] = 1
    a[11 * k] = 3e38 // row 11, column 12: 3e38 · 2 overflows float32
    b[12] = 2
    const { wasm, js } = both(() => matmulKF32(a, [m, k], b, [k, n], false, false).data)
    sameBits(wasm, js)
    for (let j = 0; j < n; j++) expect(wasm[3 * n + j]).toBeNaN()
    expect(wasm[5 * n + 4]).toBeNaN()
    expect(Math.abs(wasm[5 * n + 0]!)).toBe(Number.POSITIVE_INFINITY)
    expect(wasm[9 * n + 10]).toBeNaN()
    expect(wasm[11 * n + 12]).toBe(Number.POSITIVE_INFINITY)
    expect(Number.isFinite(wasm[4 * n + 4]!)).toBe(true)
  })

  it('keeps the sign of zero as the naive loop does (sums start at +0)', () => {
    const m = 16
    const k = 12
    const n = 16
    const a = noise(m * k, 10)
    const b = noise(k * n, 11).map((v) => -Math.abs(v) - 1)
    for (let p = 0; p < k; p++) a[2 * k + p] = 0 // row 2: +0 · negative = −0, and +0 + −0 = +0
    for (let p = 0; p < k; p++) a[7 * k + p] = -0 // row 7: −0 · negative = +0
    const { wasm, js } = both(() => matmulKF32(a, [m, k], b, [k, n], false, false).data)
    sameBits(wasm, js)
    for (let j = 0; j < n; j++) {
      expect(Object.is(wasm[2 * n + j], 0)).toBe(true)
      expect(Object.is(wasm[7 * n + j], 0)).toBe(true)
    }
  })

  it('rounds every step to float32 (not a float64 sum rounded at the end)', () => {
    // 1 + 2⁻²⁴ + 2⁻²⁴: float32 steps lose both halves (ties to even), float64 keeps them
    const a = Float32Array.of(1, 2 ** -24, 2 ** -24)
    const b = Float32Array.of(1, 1, 1)
    const { wasm, js } = both(() => matmulKF32(a, [1, 3], b, [3, 1], false, false).data)
    expect(wasm[0]).toBe(1)
    expect(js[0]).toBe(1)
    // a product big enough to reach WebAssembly, with the same column in every row
    const m = 16
    const big = new Float32Array(m * 3)
    for (let i = 0; i < m; i++) big.set(a, 3 * i)
    const c = matmulKF32(
      big,
      [m, 3],
      Float32Array.from({ length: 3 * 16 }, () => 1),
      [3, 16],
      false,
      false,
    )
    expect(gemmBackendF32(m * 16 * 3).name).toBe('wasm-simd128-f32')
    for (const v of c.data) expect(v).toBe(1)
  })
})

describe('float32 fallback to the JavaScript kernel', () => {
  const fresh = async () => {
    vi.resetModules()
    return await import('../../src/tensor/kernels/gemm-select.ts')
  }

  it('FLUXION_WASM=0 turns the f32x4 kernel off too', async () => {
    vi.stubEnv('FLUXION_WASM', '0')
    const select = await fresh()
    expect(select.wasmKernelsF32()).toBeNull()
    expect(select.gemmBackendF32(1e9).name).toBe('js-f32')
  })

  it('where WebAssembly is missing', async () => {
    vi.stubGlobal('WebAssembly', undefined)
    const select = await fresh()
    expect(select.wasmKernelsF32()).toBeNull()
    expect(select.gemmBackendF32(1e9).name).toBe(jsBackendF32.name)
  })

  it('where compiling throws (no SIMD, or a Content-Security-Policy without wasm-unsafe-eval)', async () => {
    const refuse = function Module(): never {
      throw new Error('WebAssembly.Module(): Wasm code generation disallowed by embedder')
    }
    vi.stubGlobal('WebAssembly', { Module: refuse, Instance: refuse })
    const select = await fresh()
    expect(select.wasmKernelsF32()).toBeNull()
    const { matmulKF32: freshMatmul } = await import('../../src/tensor/kernels/matmul.ts')
    const a = noise(40 * 40, 1)
    const got = freshMatmul(a, [40, 40], a, [40, 40], false, true).data
    sameBits(got, Float32Array.from(naive(a, [40, 40], a, [40, 40], false, true, f32Step)))
  })
})
