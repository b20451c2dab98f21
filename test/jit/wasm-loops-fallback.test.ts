/**
 * Fused loops as WebAssembly SIMD (src/jit/emit/wasm/), the edges: the memory replaced by a
 * bigger one; chains it cannot translate, a missing or failing WebAssembly, the switch turned
 * off and sizes under the threshold leave the JS loop (with eager's bits); the encoder's modules
 * validate and run.
 */
import {
  add,
  div,
  exp,
  exp2,
  jit,
  mul,
  neg,
  pad,
  safeMul,
  sqrt,
  square,
  sub,
  type Tensor,
  tensor,
} from 'fluxion'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { abstractStats } from '../../src/jit/abstract.ts'
import { Bytes, I32, Locals, moduleBytes } from '../../src/jit/emit/wasm/encode.ts'
import { CALL_SHARE } from '../../src/jit/emit/wasm/loop-module.ts'
import { setWasmLoopMinElements, wasmLoopStats } from '../../src/jit/emit/wasm/step.ts'
import { setWasmKernels } from '../../src/tensor/kernels/gemm-select.ts'
import { agree, jitted, sameBits, WebAssembly } from './wasm-helpers.ts'

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

// ---- the memory: replaced by a bigger one, the modules instantiated again -------------------
describe('the memory', () => {
  it('grows by replacement: a loop made on a smaller memory runs on the bigger one', () => {
    const f = (v: Tensor): Tensor => add(mul(v, v), neg(v))
    const g = (v: Tensor): Tensor => sub(mul(v, 3), square(v))
    const small = tensor(Float64Array.from({ length: 37 }, (_, i) => i - 18.5))
    const before = wasmLoopStats.runs
    const abstractBefore = abstractStats.traces
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
    // each replay runs the loop, and so does each first call traced abstractly (the big inputs')
    expect(wasmLoopStats.runs - before).toBe(4 + abstractStats.traces - abstractBefore)
  })
})

// ---- what stays JS ----------------------------------------------------------------------
describe('the JS loop runs instead', () => {
  const x = tensor(Float64Array.from({ length: 33 }, (_, i) => i / 7 - 2))
  const f = (v: Tensor): Tensor => add(mul(v, v), neg(v))

  it('for a chain with a power (no exact wasm: `**` has no instruction, and no import)', () => {
    const g = (v: Tensor): Tensor => add(exp2(v), v)
    expect(agree(g, [x], g(x).data)).toBe(0)
  })

  it('not for a chain with few Math calls: the wasm loop imports the function', () => {
    const g = (v: Tensor): Tensor => {
      let a = v
      for (let k = 0; k < CALL_SHARE / 2; k++) a = add(mul(a, 0.5), v)
      return add(a, exp(v))
    }
    expect(agree(g, [x], g(x).data)).toBeGreaterThan(0)
  })

  it('not while a chain of many Math calls races its JS loop (test/jit/loop-race.test.ts)', () => {
    // more than one call in CALL_SHARE equations: the wasm loop runs while the JS loop warms
    const g = (v: Tensor): Tensor => add(exp(v), v)
    expect(agree(g, [x], g(x).data)).toBeGreaterThan(0)
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
