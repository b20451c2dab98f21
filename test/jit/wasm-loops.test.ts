/**
 * Fused loops as WebAssembly SIMD (src/jit/emit/wasm/): the encoder's modules validate; random
 * elementwise chains, slices and pads through `jit` give eager's bits with wasm on and off —
 * ±0, ±∞, NaN, subnormals, odd sizes (the scalar tail), empty shapes, size 1, several rows,
 * float32 (wasm and JS loops agree) — and wasm really runs them; chains it cannot translate,
 * a missing or failing WebAssembly, and the switch turned off all leave the JS loop.
 */
import { fc, test } from '@fast-check/vitest'
import {
  add,
  div,
  exp,
  full,
  grad,
  jit,
  mul,
  neg,
  pad,
  safeMul,
  slice,
  sqrt,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
} from 'fluxion'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Bytes, I32, Locals, moduleBytes } from '../../src/jit/emit/wasm/encode.ts'
import { setWasmLoopMinElements, wasmLoopStats } from '../../src/jit/emit/wasm/step.ts'
import { setWasmKernels } from '../../src/tensor/kernels/gemm-select.ts'

/** The WebAssembly API as used here (the build's lib has no DOM or Node types for it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Memory: new (d: { initial: number }) => { readonly buffer: ArrayBuffer }
  Module: new (bytes: Uint8Array) => object
  Instance: new (m: object, imports: object) => { readonly exports: Record<string, unknown> }
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

let threshold = 0
beforeEach(() => {
  // every size through wasm, the smallest included
  threshold = setWasmLoopMinElements(0)
})
afterEach(() => {
  setWasmLoopMinElements(threshold)
  setWasmKernels(true)
  vi.unstubAllGlobals()
  vi.resetModules()
})

const special = [0, -0, 1, -1, 0.5, 3, 1e308, -1e308, 5e-324, -5e-324, 2.2250738585072014e-308]
const value = fc.oneof(
  fc.constantFrom(...special, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN),
  fc.double(),
)
const shapes: number[][] = [[0], [1], [2], [3], [7], [17], [3, 5], [2, 0], [1, 4], [4, 3]]

/** Entries equal as Object.is sees them (bits, up to NaN payloads). */
const sameBits = (x: ArrayLike<number>, y: ArrayLike<number>, what: string): void => {
  expect(x.length).toBe(y.length)
  for (let i = 0; i < x.length; i++) {
    if (!Object.is(x[i], y[i])) expect.fail(`${what}, entry ${i}: ${x[i]} vs ${y[i]}`)
  }
}

/** Runs the jitted `f` three times (the trace, then the program twice) with wasm on or off. */
const jitted = (f: (...xs: Tensor[]) => Tensor, xs: Tensor[], wasm: boolean): Float64Array[] => {
  const was = setWasmKernels(wasm)
  try {
    const g = jit(f)
    g(...xs)
    return [g(...xs), g(...xs)].map((t) => Float64Array.from(t.data))
  } finally {
    setWasmKernels(was)
  }
}

/** Checks jit (wasm on and off) against `want`; returns how many runs wasm did. */
const agree = (f: (...xs: Tensor[]) => Tensor, xs: Tensor[], want: ArrayLike<number>): number => {
  const before = wasmLoopStats.runs
  for (const got of jitted(f, xs, true)) sameBits(got, want, 'wasm on')
  const runs = wasmLoopStats.runs - before
  for (const got of jitted(f, xs, false)) sameBits(got, want, 'wasm off')
  expect(wasmLoopStats.runs - before).toBe(runs)
  return runs
}

// ---- random chains -----------------------------------------------------------------------
type Tree =
  | { leaf: 'x' | 'y' }
  | { constant: number }
  | { unary: 'neg' | 'square' | 'sqrt'; of: Tree }
  | { binary: 'add' | 'sub' | 'mul' | 'div' | 'safeMul'; a: Tree; b: Tree }

const { tree } = fc.letrec<{ tree: Tree }>((t) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Tree>({ leaf: 'x' }, { leaf: 'y' }),
    fc.record({ constant: fc.constantFrom(...special, 2, -2.75, Number.POSITIVE_INFINITY) }),
    fc.record({ unary: fc.constantFrom('neg', 'square', 'sqrt'), of: t('tree') }),
    fc.record({
      binary: fc.constantFrom('add', 'sub', 'mul', 'div', 'safeMul'),
      a: t('tree'),
      b: t('tree'),
    }),
  ),
}))

const unaries = { neg, square, sqrt }
const binaries = { add, sub, mul, div, safeMul }
/** The tree as a function of x and y (a leaf or constant alone still adds 0·x, to be a tensor). */
const build = (t: Tree): ((x: Tensor, y: Tensor) => Tensor | number) => {
  if ('leaf' in t) return (x, y) => (t.leaf === 'x' ? x : y)
  if ('constant' in t) return () => t.constant
  if ('unary' in t) {
    const of = build(t.of)
    const u = unaries[t.unary] as (v: Tensor | number) => Tensor | number
    return (x, y) => u(of(x, y))
  }
  const a = build(t.a)
  const b = build(t.b)
  const op = binaries[t.binary] as (p: Tensor | number, q: Tensor | number) => Tensor | number
  return (x, y) => op(a(x, y), b(x, y))
}
const asTensor =
  (f: (x: Tensor, y: Tensor) => Tensor | number) =>
  (x: Tensor, y: Tensor): Tensor =>
    add(f(x, y), sub(x, x)) as Tensor

describe('random elementwise chains', () => {
  let runs = 0
  const data = (shape: number[]) =>
    fc.array(value, {
      minLength: shape.reduce((p, q) => p * q, 1),
      maxLength: shape.reduce((p, q) => p * q, 1),
    })
  // y: x's shape (read element by element), its last axis (by column), or rank 0 (one number)
  const shaped = fc
    .tuple(
      fc.constantFrom(...shapes),
      fc.constantFrom<'same' | 'row' | 'one'>('same', 'row', 'one'),
    )
    .chain(([s, how]) => {
      const ys = how === 'same' ? s : how === 'row' ? s.slice(-1) : []
      return fc.tuple(fc.constant(s), data(s), data(ys), fc.constant(ys))
    })

  test.prop([tree, shaped], { numRuns: 150 })(
    'float64: eager bits, wasm on and off',
    (t, [s, xv, yv, ys]) => {
      const f = asTensor(build(t))
      const x = tensor(Float64Array.from(xv), s)
      const y = tensor(Float64Array.from(yv), ys)
      runs += agree(f, [x, y], f(x, y).data)
    },
  )

  test.prop([tree, shaped], { numRuns: 100 })(
    'float32: wasm and JS loops agree',
    (t, [s, xv, yv, ys]) => {
      const f = asTensor(build(t))
      const x = tensor(Float32Array.from(xv), s)
      const y = tensor(Float32Array.from(yv), ys)
      const js = jitted(f, [x, y], false)[0]!
      const before = wasmLoopStats.runs
      for (const got of jitted(f, [x, y], true)) sameBits(got, js, 'float32')
      runs += wasmLoopStats.runs - before
    },
  )

  it('ran in wasm', () => {
    expect(runs).toBeGreaterThan(50)
  })
})

// ---- reads in place: slices and pads ----------------------------------------------------
describe('slices and pads read in place', () => {
  const vec = fc
    .integer({ min: 1, max: 41 })
    .chain((n) => fc.array(value, { minLength: n, maxLength: n }))

  test.prop([vec], { numRuns: 60 })('the gradient of vector Rosenbrock (W1)', (xs) => {
    const f = (x: Tensor): Tensor => {
      const n = x.shape[0]!
      const head = slice(x, [0], [n - 1])
      const tail = slice(x, [1])
      return sum(add(mul(100, square(sub(tail, square(head)))), square(sub(1, head))))
    }
    const x = tensor(Float64Array.from(xs))
    const g = grad(f)
    agree(g, [x], g(x).data)
  })

  test.prop([vec, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })], { numRuns: 60 })(
    'pads of every width, with a fill, added to slices',
    (xs, lo, hi) => {
      const f = (x: Tensor): Tensor => {
        const n = x.shape[0]!
        const p = pad(x, [[lo, hi]], 2.5)
        const q = pad(x, [[hi, lo]])
        const s = n > 1 ? add(slice(x, [1]), slice(x, [0], [n - 1])) : x
        return add(mul(p, q), sum(s))
      }
      const x = tensor(Float64Array.from(xs))
      expect(agree(f, [x], f(x).data)).toBeGreaterThan(0)
    },
  )

  test.prop([fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 13 })], { numRuns: 30 })(
    'rows: pads and slices along the last axis of a matrix',
    (rows, cols) => {
      const xs = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(i) * 10 ** (i % 7))
      const f = (x: Tensor): Tensor => {
        const a = pad(
          x,
          [
            [0, 0],
            [2, 1],
          ],
          -1,
        )
        const b = pad(slice(x, [0, 0], [rows, cols]), [
          [0, 0],
          [1, 2],
        ])
        return add(mul(a, b), 0.5)
      }
      const x = tensor(xs, [rows, cols])
      agree(f, [x], f(x).data)
    },
  )
})

// ---- lowerings specialized to known constants (W1's safeMul by 1 and 100) ------------------
describe('specialized lowerings', () => {
  it('safeMul, mul and div by uniform constant tensors: eager bits, in wasm', () => {
    const xs = [...special, Number.POSITIVE_INFINITY, Number.NaN, 1e-310, -1e-20, 1e10]
    const x = tensor([...xs, ...xs.map((v) => -v)])
    const n = x.shape[0]!
    let runs = 0
    for (const c of [0, -0, 1, -1, 0.5, -0.5, 100, 1e-300, Number.POSITIVE_INFINITY, Number.NaN]) {
      const k = full([n], c)
      const fs = [
        (v: Tensor): Tensor => safeMul(k, v),
        (v: Tensor): Tensor => safeMul(v, k),
        (v: Tensor): Tensor => mul(v, k),
        (v: Tensor): Tensor => div(v, k),
        (v: Tensor): Tensor => safeMul(k, mul(k, add(v, v))),
      ]
      for (const f of fs) runs += agree(f, [x], f(x).data)
    }
    expect(runs).toBeGreaterThan(40)
  })
})

// ---- the memory: replaced by a bigger one, the modules instantiated again -------------------
describe('the memory', () => {
  it('grows by replacement: a loop made on a smaller memory runs on the bigger one', () => {
    const f = (v: Tensor): Tensor => add(mul(v, v), neg(v))
    const g = (v: Tensor): Tensor => sub(mul(v, 3), square(v))
    const small = tensor(Float64Array.from({ length: 37 }, (_, i) => i - 18.5))
    const before = wasmLoopStats.runs
    const was = setWasmKernels(true)
    try {
      const jf = jit(f)
      jf(small)
      sameBits(jf(small).data, f(small).data, 'small, first')
      // ≥ 3 × 8·10⁵ bytes: past any memory made so far in this file
      for (const n of [100_003, 300_001]) {
        const big = tensor(Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 1e3))
        const jg = jit(g)
        jg(big)
        sameBits(jg(big).data, g(big).data, `big ${n}`)
      }
      sameBits(jf(small).data, f(small).data, 'small, after')
    } finally {
      setWasmKernels(was)
    }
    expect(wasmLoopStats.runs - before).toBe(4)
  })
})

// ---- what stays JS ----------------------------------------------------------------------
describe('the JS loop runs instead', () => {
  const x = tensor(Float64Array.from({ length: 33 }, (_, i) => i / 7 - 2))
  const f = (v: Tensor): Tensor => add(mul(v, v), neg(v))

  it('for a chain with a Math call (no exact wasm)', () => {
    const g = (v: Tensor): Tensor => add(exp(v), v)
    expect(agree(g, [x], g(x).data)).toBe(0)
  })

  it('when turned off, and below the size threshold', () => {
    const before = wasmLoopStats.runs
    jitted(f, [x], false)
    setWasmLoopMinElements(34)
    jitted(f, [x], true)
    expect(wasmLoopStats.runs).toBe(before)
    setWasmLoopMinElements(33)
    jitted(f, [x], true)
    expect(wasmLoopStats.runs).toBeGreaterThan(before)
  })

  it('when WebAssembly is missing', async () => {
    vi.stubGlobal('WebAssembly', undefined)
    vi.resetModules()
    const fl = await import('fluxion')
    const step = await import('../../src/jit/emit/wasm/step.ts')
    step.setWasmLoopMinElements(0)
    const y = fl.tensor(Float64Array.from(x.data))
    const g = (v: Tensor): Tensor => fl.add(fl.mul(v, v), fl.neg(v))
    const h = fl.jit(g)
    h(y)
    sameBits(h(y).data, g(y).data, 'no WebAssembly')
    expect(step.wasmLoopStats.runs).toBe(0)
  })

  it('when compiling throws (a Content-Security-Policy, no SIMD)', async () => {
    const real = WebAssembly
    vi.stubGlobal('WebAssembly', {
      ...real,
      Memory: real.Memory,
      Module: class {
        constructor() {
          throw new Error('refused')
        }
      },
    })
    vi.resetModules()
    const fl = await import('fluxion')
    const step = await import('../../src/jit/emit/wasm/step.ts')
    step.setWasmLoopMinElements(0)
    const y = fl.tensor(Float64Array.from(x.data))
    const g = (v: Tensor): Tensor => fl.add(fl.mul(v, v), fl.neg(v))
    const h = fl.jit(g)
    h(y)
    sameBits(h(y).data, g(y).data, 'compile refused')
    expect(step.wasmLoopStats.runs).toBe(0)
  })
})

// ---- the encoder ------------------------------------------------------------------------
describe('the WebAssembly encoder', () => {
  it('writes LEB128 integers', () => {
    const hex = (b: Bytes) => Array.from(b.view(), (v) => v.toString(16).padStart(2, '0')).join('')
    expect(hex(new Bytes().u32(0))).toBe('00')
    expect(hex(new Bytes().u32(624485))).toBe('e58e26')
    expect(hex(new Bytes().s32(-1))).toBe('7f')
    expect(hex(new Bytes().s32(63))).toBe('3f')
    expect(hex(new Bytes().s32(64))).toBe('c000')
    expect(hex(new Bytes().s32(-123456))).toBe('c0bb78')
  })

  it('makes modules that validate, run, and import the memory', () => {
    // run(a): memory[a] = 42
    const code = new Bytes().bytes([0x20, 0, 0x41, 42, 0x3a, 0, 0]) // local.get 0; i32.const 42; i32.store8
    const bytes = moduleBytes([I32], new Locals(1), code)
    expect(WebAssembly.validate(bytes)).toBe(true)
    const memory = new WebAssembly.Memory({ initial: 1 })
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { memory } })
    ;(exports.run as (a: number) => void)(5)
    expect(new Uint8Array(memory.buffer)[5]).toBe(42)
  })

  it("every generated loop's module validates", () => {
    const before = wasmLoopStats.modules
    const g = (v: Tensor): Tensor =>
      add(pad(sqrt(safeMul(v, 3)), [[0, 1]]), div(pad(v, [[1, 0]]), pad(v, [[0, 1]])))
    const x = tensor(Float64Array.from({ length: 9 }, (_, i) => i - 4))
    agree(g, [x], g(x).data)
    expect(wasmLoopStats.modules).toBeGreaterThan(before)
    expect(WebAssembly.validate(wasmLoopStats.last)).toBe(true)
  })
})
