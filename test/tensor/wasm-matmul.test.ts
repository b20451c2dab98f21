/**
 * The WebAssembly SIMD matrix-product backend (src/tensor/kernels/wasm/): its bytes are the
 * assembly of its .wat source; it gives the JavaScript kernel's bits (same summation order and
 * operations), NaN and ±∞ included; it runs for big products and not when turned off; and when
 * WebAssembly is missing or refuses to compile, the JavaScript kernel runs.
 */
import { readFileSync } from 'node:fs'
import { fc, test } from '@fast-check/vitest'
import { einsum, type Floats, matmul, Tensor, tensor } from 'fluxion'
import { conv2d } from 'fluxion/nn'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { assemble, bytesModule, kernels } from '../../scripts/build-wasm.ts'
import { jsBackend } from '../../src/tensor/kernels/gemm.ts'
import {
  gemmBackend,
  setWasmKernels,
  WASM_MIN_MULADDS,
  wasmKernels,
} from '../../src/tensor/kernels/gemm-select.ts'
import { matmulK } from '../../src/tensor/kernels/matmul.ts'
import { refMatmul } from './reference.ts'

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
const sameBits = (x: Floats, y: Floats): void => {
  expect(x.length).toBe(y.length)
  for (let i = 0; i < x.length; i++) {
    if (!Object.is(x[i], y[i])) expect.fail(`entry ${i}: ${x[i]} vs ${y[i]}`)
  }
}

const noise = (n: number, seed: number): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * 10 ** ((i % 5) - 2))

describe('WebAssembly matmul kernel source', () => {
  it('the committed bytes are the assembly of the .wat source', async () => {
    for (const { name, wat, out } of kernels()) {
      const bytes = await assemble(readFileSync(wat, 'utf8'), `${name}.wat`)
      expect(readFileSync(out, 'utf8')).toBe(bytesModule(name, bytes))
    }
  })

  it('compiles and runs in Node, and is used above the size threshold only', () => {
    expect(wasmKernels()?.name).toBe('wasm-simd128')
    expect(gemmBackend(WASM_MIN_MULADDS).name).toBe('wasm-simd128')
    expect(gemmBackend(WASM_MIN_MULADDS - 1).name).toBe('js')
    setWasmKernels(false)
    expect(gemmBackend(1e9).name).toBe('js')
  })
})

describe('WebAssembly and JavaScript kernels agree bit for bit', () => {
  const dim = fc.integer({ min: 1, max: 37 })
  test.prop([dim, dim, dim, fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 3 })], {
    numRuns: 40,
  })('with either operand transposed and batched or shared', (m, k, n, transA, transB, mode) => {
    // mode: 0 plain, 1 batch of 3 both varying, 2 A shared (broadcast), 3 B shared
    const batchA = mode === 1 || mode === 3 ? [3] : []
    const batchB = mode === 1 || mode === 2 ? [3] : []
    const aShape = [...batchA, ...(transA ? [k, m] : [m, k])]
    const bShape = [...batchB, ...(transB ? [n, k] : [k, n])]
    const a = noise(
      aShape.reduce((x, y) => x * y, 1),
      m,
    )
    const b = noise(
      bShape.reduce((x, y) => x * y, 1),
      n + 0.5,
    )
    const { wasm, js } = both(() => matmulK(a, aShape, b, bShape, transA, transB).data)
    sameBits(wasm, js)
    // and both are the naive sum in order p = 0 … k−1 (so no tolerance is needed)
    sameBits(wasm, refMatmul(a, aShape, b, bShape, transA, transB).data)
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
  )(
    'on any listed rows and columns (A packed or read as stored, B packed in JS or wasm)',
    (m, k, n, gap, scatter) => {
      // rows of op(A) picked `gap` apart and reversed (packed unless m = 1), columns of op(B)
      // `gap` apart (neighbours, so packed in wasm, when gap = 1), from larger matrices
      const lda = k + 3
      const ldb = n * gap + 2
      const a = noise((m * gap + 2) * lda, gap)
      const b = noise(k * ldb, n)
      const rowOffsets = Int32Array.from({ length: m }, (_, i) => (m - 1 - i) * gap * lda)
      const colOffsets = Int32Array.from({ length: n }, (_, j) => j * gap)
      const outRow = Int32Array.from({ length: m }, (_, i) => i * (scatter ? 2 * n : n))
      const outCol = Int32Array.from({ length: n }, (_, j) => (scatter ? 2 * j + 1 : j))
      const problem = (c: Float64Array) => ({
        a: { data: a, rowStride: lda, colStride: 1 },
        rowOffsets,
        b: { data: b, rowStride: ldb, colStride: 1 },
        colOffsets,
        k,
        c,
        outRow,
        outCol,
      })
      const viaWasm = new Float64Array(m * n * (scatter ? 2 : 1))
      const viaJs = new Float64Array(viaWasm.length)
      wasmKernels()!.gemm(problem(viaWasm))
      jsBackend.gemm(problem(viaJs))
      sameBits(viaWasm, viaJs)
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0
          for (let p = 0; p < k; p++) acc += a[rowOffsets[i]! + p]! * b[colOffsets[j]! + p * ldb]!
          expect(Object.is(viaJs[outRow[i]! + outCol[j]!], acc)).toBe(true)
        }
      }
    },
  )

  it('copies C out at an offset, with or without gaps between rows, short rows or long', () => {
    // the copy-out paths: one block (rows contiguous, width a multiple of 4), short rows
    // element by element, long rows by `set`; each placed after 5 leading entries of the result
    for (const n of [3, 4, 10, 12, 31, 32, 36, 40]) {
      for (const gap of [0, 1]) {
        const m = 23
        const k = 9
        const a = noise(m * k, n)
        const b = noise(k * n, gap)
        const outRow = Int32Array.from({ length: m }, (_, i) => 5 + i * (n + gap))
        const problem = (c: Float64Array) => ({
          a: { data: a, rowStride: k, colStride: 1 },
          rowOffsets: Int32Array.from({ length: m }, (_, i) => i * k),
          b: { data: b, rowStride: n, colStride: 1 },
          colOffsets: Int32Array.from({ length: n }, (_, j) => j),
          k,
          c,
          outRow,
          outCol: Int32Array.from({ length: n }, (_, j) => j),
        })
        const viaWasm = new Float64Array(5 + m * (n + gap)).fill(-7)
        const viaJs = viaWasm.slice()
        wasmKernels()!.gemm(problem(viaWasm))
        jsBackend.gemm(problem(viaJs))
        sameBits(viaWasm, viaJs)
        // the gaps and the leading entries are left alone
        expect(viaWasm[4]).toBe(-7)
        if (gap === 1) expect(viaWasm[5 + n]).toBe(-7)
      }
    }
  })

  it('on the MLP product 128×784 · 784×256, deterministically', () => {
    const a = tensor(noise(128 * 784, 1), [128, 784])
    const b = tensor(noise(784 * 256, 2), [784, 256])
    const { wasm, js } = both(() => matmul(a, b).data)
    sameBits(wasm, js)
    sameBits(matmul(a, b).data, wasm)
  })

  it('after growing its memory and on a smaller product again', () => {
    for (const s of [20, 300, 20]) {
      const a = tensor(noise(s * 40, s), [s, 40])
      const b = tensor(noise(40 * s, 3), [40, s])
      const { wasm, js } = both(() => matmul(a, b).data)
      sameBits(wasm, js)
    }
  })

  it('propagates NaN and ±∞ as IEEE arithmetic does', () => {
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
    const { wasm, js } = both(() => matmulK(a, [m, k], b, [k, n], false, false).data)
    sameBits(wasm, js)
    for (let j = 0; j < n; j++) expect(wasm[3 * n + j]).toBeNaN()
    expect(wasm[5 * n + 4]).toBeNaN()
    expect(Math.abs(wasm[5 * n + 0]!)).toBe(Number.POSITIVE_INFINITY)
    expect(wasm[9 * n + 10]).toBeNaN()
    expect(Number.isFinite(wasm[4 * n + 4]!)).toBe(true)
  })

  it('keeps the sign of zero as the JavaScript kernel does (sums start at +0)', () => {
    const m = 16
    const k = 12
    const n = 16
    const a = noise(m * k, 10)
    const b = noise(k * n, 11).map((v) => -Math.abs(v) - 1)
    for (let p = 0; p < k; p++) a[2 * k + p] = 0 // row 2: +0 · negative = −0, and +0 + −0 = +0
    for (let p = 0; p < k; p++) a[7 * k + p] = -0 // row 7: −0 · negative = +0
    const { wasm, js } = both(() => matmulK(a, [m, k], b, [k, n], false, false).data)
    sameBits(wasm, js)
    for (let j = 0; j < n; j++) {
      expect(Object.is(wasm[2 * n + j], 0)).toBe(true)
      expect(Object.is(wasm[7 * n + j], 0)).toBe(true)
    }
  })

  it('einsum and conv2d (im2col) reach the same kernel', () => {
    const x = tensor(noise(4 * 30 * 40, 6), [4, 30, 40])
    const y = tensor(noise(4 * 40 * 30, 7), [4, 40, 30])
    const e = both(() => einsum('bij,bjk->bik', x, y).data)
    sameBits(e.wasm, e.js)
    const img = new Tensor(noise(2 * 12 * 12 * 8, 8), [2, 12, 12, 8])
    const w = new Tensor(noise(3 * 3 * 8 * 16, 9), [3, 3, 8, 16])
    const c = both(() => conv2d(img, w, { padding: 'same' }).data)
    sameBits(c.wasm, c.js)
  })
})

describe('fallback to the JavaScript kernel', () => {
  const fresh = async () => {
    vi.resetModules()
    return await import('../../src/tensor/kernels/gemm-select.ts')
  }

  it('FLUXION_WASM=0 turns WebAssembly off', async () => {
    vi.stubEnv('FLUXION_WASM', '0')
    const select = await fresh()
    expect(select.wasmKernels()).toBeNull()
    expect(select.gemmBackend(1e9).name).toBe('js')
  })

  it('where WebAssembly is missing', async () => {
    vi.stubGlobal('WebAssembly', undefined)
    const select = await fresh()
    expect(select.wasmKernels()).toBeNull()
    expect(select.gemmBackend(1e9).name).toBe(jsBackend.name)
  })

  it('where compiling throws (no SIMD, or a Content-Security-Policy without wasm-unsafe-eval)', async () => {
    const refuse = function Module(): never {
      throw new Error('WebAssembly.Module(): Wasm code generation disallowed by embedder')
    }
    vi.stubGlobal('WebAssembly', { Module: refuse, Instance: refuse })
    const select = await fresh()
    expect(select.wasmKernels()).toBeNull()
    const { matmulK: freshMatmul } = await import('../../src/tensor/kernels/matmul.ts')
    const a = noise(40 * 40, 1)
    const got = freshMatmul(a, [40, 40], a, [40, 40], false, true).data
    sameBits(got, refMatmul(a, [40, 40], a, [40, 40], false, true).data)
  })
})
