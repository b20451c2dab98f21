/**
 * Fused loops run as WebAssembly SIMD (./loop-module.ts), chosen per chain where that is
 * possible and worth it, with the JS loop as the fallback in every other case. The modules are
 * generated at run time from the chain's key, as its JS is: a hand-written kernel cannot cover
 * the chains a program fuses. One key is one module, compiled once per process.
 *
 * Data: the operands are JS typed arrays, so each run copies them into one process-wide memory,
 * runs, and copies the written values out into the buffers the JS loop would have written
 * (~18 µs per 800 KB each way, measured). The wasm loop computes the JS loop's bits: IEEE
 * + − × ÷ √ and comparisons are exact in both, and float32 chains round on store in both.
 * @module
 */
import type { Primitive } from '../../../core/primitive.ts'
import { wasmEnabled } from '../../../tensor/kernels/gemm-select.ts'
import {
  MAX_BYTES,
  type WasmApi,
  type WasmMemory,
  wasmApi,
} from '../../../tensor/kernels/wasm/instance.ts'
import type { Shape } from '../../../tensor/shape.ts'
import { type Floats, Tensor } from '../../../tensor/tensor.ts'
import { loweringOf, type MathFunction, readOf, type ScalarExpr, specialized } from '../../lower.ts'
import type { IntList, Table } from '../../table.ts'
import type { Step } from '../kernel.ts'
import { type LoopModule, loopModule } from './loop-module.ts'
import { LoopRace, racingStep, rentFor } from './race.ts'

/**
 * Loops over fewer elements run in JS: below this, the call and the copies in and out cost
 * about what SIMD saves (bench/wasm-loops-crossover.ts: whole `jit` calls of a 3-op and a
 * 12-op chain, wasm 1.04–1.22× JS's time up to 512 elements, 0.59–0.93× from 1024;
 * bench/NOTES.md, the wasm loops).
 */
export const WASM_MIN_ELEMENTS = 1024

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
const fromEnv = Number(env?.FLUXION_WASM_MIN_ELEMENTS ?? Number.NaN)
/** The threshold in force: `FLUXION_WASM_MIN_ELEMENTS` (for running test suites through wasm). */
let minElements = Number.isInteger(fromEnv) && fromEnv >= 0 ? fromEnv : WASM_MIN_ELEMENTS

/** Sets the loops' size threshold (for tests and benchmarks); returns the previous one. */
export function setWasmLoopMinElements(n: number): number {
  const was = minElements
  minElements = n
  return was
}

/**
 * Modules larger than this stay JS: browsers refuse to compile a module of more than 4 KB
 * synchronously on the main thread (`new WebAssembly.Module`), and a chain's step is made
 * synchronously when `jit` compiles. A chain of a few dozen equations fits.
 */
export const MAX_MODULE_BYTES = 4096

/**
 * Node has no such limit (it is the browsers' main-thread rule): there, modules up to this size
 * compile — a 32-equation chain of a derivative's products takes 4–5 KB, and ba's backward
 * chains ran as JS loops for it, slower and, for their first calls, unoptimized
 * (bench/NOTES.md, ba).
 */
export const MAX_MODULE_BYTES_NODE = 65536

const isNode =
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node ===
  'string'

/** The size limit in force here (`MAX_MODULE_BYTES`, or `MAX_MODULE_BYTES_NODE` under Node). */
let maxModuleBytes = isNode ? MAX_MODULE_BYTES_NODE : MAX_MODULE_BYTES

/** Sets the modules' size limit (for tests); returns the previous one. */
export function setWasmModuleMaxBytes(n: number): number {
  const was = maxModuleBytes
  maxModuleBytes = n
  return was
}

/**
 * Whether a chain looping over `n` elements will likely run as a wasm loop here: wasm on, `n` at
 * least the size threshold, and modules of a long chain allowed (Node). The planner lets such
 * chains grow longer (src/jit/passes/fuse.ts): V8's superlinear time to optimize a long JS loop
 * is not a wasm module's.
 */
export const longChainsFit = (n: number): boolean =>
  n >= minElements && maxModuleBytes > MAX_MODULE_BYTES && wasmEnabled()

/** The memory the loops may use (bytes), as every wasm kernel; a run needing more runs in JS. */
export const MAX_MEMORY_BYTES = MAX_BYTES
const PAGE = 65536

export type Run = (...args: number[]) => void

/**
 * The process-wide memory of the loops (null where WebAssembly is missing), its views, and its
 * generation. It is never grown: a bigger one replaces it, and each module is instantiated
 * again on it at its next run. Growing a memory detaches its old ArrayBuffer, and one detached
 * buffer anywhere in the process makes V8 check for detachment in every optimized typed-array
 * access from then on (its "array buffer detaching" protector): measured, the hand-written W1
 * loop went from 131 to 201 µs once the loops' memory had grown (bench/NOTES.md).
 */
let memory: WasmMemory | null | undefined
let generation = 0
let f64 = new Float64Array(0)
let f32 = new Float32Array(0)
let i32 = new Int32Array(0)

/** Makes the memory hold `bytes`; false when it cannot (the run then is JS). */
const reserve = (api: WasmApi, bytes: number): boolean => {
  const have = memory!.buffer.byteLength
  if (have < bytes) {
    try {
      // (at least doubled, so a growing program replaces it a few times only; within the cap)
      const size = Math.min(Math.max(bytes, 2 * have), MAX_MEMORY_BYTES)
      memory = new api.Memory({ initial: Math.ceil(size / PAGE) })
      generation++
    } catch {
      return false
    }
  }
  if (f64.buffer !== memory!.buffer) {
    f64 = new Float64Array(memory!.buffer)
    f32 = new Float32Array(memory!.buffer)
    i32 = new Int32Array(memory!.buffer)
  }
  return true
}

/** Counts, for tests and benchmarks: modules compiled, and runs done in wasm. */
export const wasmLoopStats: {
  modules: number
  runs: number
  /** The last module's bytes. */
  last: Uint8Array
  /** Called before each run (bench/w1-loops.ts times a program's loops with it). */
  onRun?: (run: Run, args: readonly number[], module: LoopModule) => void
} = { modules: 0, runs: 0, last: new Uint8Array(0) }

/** The loops' memory as it is now (for benchmarks), if made. */
export const loopMemory = (): ArrayBuffer | undefined => memory?.buffer

interface Compiled {
  readonly module: LoopModule
  /** Which loop runs, for a module whose Math calls dominate (./race.ts). */
  readonly race: LoopRace | undefined
  /** The compiled module, instantiated on each memory it runs with. */
  readonly code: object
  run: Run
  generation: number
}
/** Modules by chain code (one per key); null for a key that stays JS. */
const compiled = new WeakMap<object, Compiled | null>()

const api = wasmApi

/** `c`'s run function on the current memory. */
/**
 * The functions a loop may import (src/jit/emit/wasm/expr.ts): `Math`'s own, so a wasm loop
 * computes the JS loop's bits.
 */
const math: Record<Exclude<MathFunction, 'sqrt'>, (x: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  cbrt: Math.cbrt,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
}

const instantiate = (wasm: WasmApi, code: object): Run =>
  new wasm.Instance(code, { m: { memory, ...math } }).exports.run as Run

const compile = (key: Int32Array, exprs: readonly (ScalarExpr | undefined)[]): Compiled | null => {
  const wasm = api()
  if (wasm === undefined || memory === null) return null
  let module: LoopModule | undefined
  try {
    module = loopModule(key, exprs)
  } catch {
    // (not expected: the translator refuses what it cannot do by returning undefined)
    return null
  }
  if (module === undefined || module.bytes.length > maxModuleBytes) return null
  try {
    memory ??= new wasm.Memory({ initial: 1 })
  } catch {
    memory = null // no memory here: every loop stays JS
    return null
  }
  try {
    // compiling validates: an engine without SIMD rejects the module here (as does a page
    // whose Content-Security-Policy forbids WebAssembly)
    const code = new wasm.Module(module.bytes)
    const run = instantiate(wasm, code)
    wasmLoopStats.modules++
    wasmLoopStats.last = module.bytes
    return {
      module,
      code,
      run,
      generation,
      race: module.callHeavy ? new LoopRace(rentFor(module.equations)) : undefined,
    }
  } catch {
    return null
  }
}

/** What a chain's step binds: the same as its JS loop's. */
export interface ChainRun {
  readonly buffers: { take(k: number): Floats }
  readonly shape: Shape
  /** The slots of the chain's operands, then of its written values, in key order. */
  readonly slots: Int32Array
  readonly rows: number
  readonly columns: number
  /** The row offsets of each operand broadcast along other axes than the last, in key order. */
  readonly rowMaps: readonly Int32Array[]
}

const align16 = (bytes: number): number => (bytes + 15) & ~15

/**
 * The step of a chain as a wasm loop, or its JS loop (`jsLoop()`, made only if needed) where
 * that is off, missing, not exact, or not worth it; for a module whose Math calls dominate, the
 * wasm loop until the JS loop, warmed on slices made by `warmUp(elements)`, proves faster
 * (./race.ts). `code` is the chain's cached code entry (its key): its module, and its race, are
 * made once.
 */
export function wasmChainStep(
  code: { readonly key: Int32Array },
  exprs: () => (ScalarExpr | undefined)[],
  bind: ChainRun,
  jsLoop: () => Step,
  warmUp: (elements: number) => Step,
): Step {
  const { rows, columns, slots, shape, buffers, rowMaps } = bind
  const n = rows * columns
  if (n < minElements || !wasmEnabled()) return jsLoop()
  let c = compiled.get(code)
  if (c === undefined) {
    c = compile(code.key, exprs())
    compiled.set(code, c)
  }
  if (c === null) return jsLoop()
  // the JS loop, made when first needed: a fallback, or the race
  let made: Step | undefined
  const js: Step = (N, E) => {
    made ??= jsLoop()
    made(N, E)
  }
  const { module } = c
  const { arrays, scalars, reads, written, float32 } = module
  const elem = float32 ? 4 : 8
  const outBytes = align16(n * elem)
  const offsets = new Int32Array(arrays.length)
  const data: Floats[] = new Array<Floats>(arrays.length)
  const maps = 4 + arrays.length + written.length + scalars.length
  const args = new Array<number>(maps + module.rowMaps).fill(0)
  const mapOffsets = new Int32Array(module.rowMaps)
  args[0] = rows
  args[1] = columns
  let broken = false
  const { race } = c
  const run: Step = (N, E) => {
    if (broken || !wasmEnabled()) return js(N, E)
    let bytes = 0
    for (let k = 0; k < arrays.length; k++) {
      const d = E[slots[arrays[k]!]!]!.data
      // a chain of one kind may read a tensor of the other (float32 into float64)
      if (float32 !== d instanceof Float32Array) return js(N, E)
      data[k] = d
      offsets[k] = bytes
      bytes += align16(d.length * elem)
    }
    for (let b = 0; b < mapOffsets.length; b++) {
      mapOffsets[b] = bytes
      bytes += align16(rowMaps[b]!.length * 4)
    }
    const total = bytes + written.length * outBytes
    const wasm = api()
    if (total > MAX_MEMORY_BYTES || wasm === undefined || !reserve(wasm, total)) return js(N, E)
    const heap = float32 ? f32 : f64
    for (let k = 0; k < arrays.length; k++) {
      heap.set(data[k]!, offsets[k]! / elem)
      args[4 + k] = offsets[k]!
    }
    for (let b = 0; b < mapOffsets.length; b++) {
      i32.set(rowMaps[b]!, mapOffsets[b]! >> 2)
      args[maps + b] = mapOffsets[b]!
    }
    for (let w = 0; w < written.length; w++) args[4 + arrays.length + w] = bytes + w * outBytes
    for (let s = 0; s < scalars.length; s++) {
      const { slot, uniform } = scalars[s]!
      args[4 + arrays.length + written.length + s] = uniform
        ? E[slots[slot]!]!.data[0]!
        : N[slots[slot]!]!
    }
    // the SIMD range: columns where both lanes of every read in place are inside its input
    let from = Math.max(0, module.from)
    let to = Math.min(columns, module.to)
    for (const x of reads) {
      // an input's row length: the index's row coefficient, or (a vector) its length
      const width = x.row > 0 ? x.row : data[x.array]!.length
      if (x.column === 1) {
        from = Math.max(from, -x.constant)
        to = Math.min(to, width - x.constant)
      } else if (x.constant < 0 || x.constant >= width) to = 0
    }
    from = Math.min(from, columns)
    args[2] = from
    args[3] = Math.max(to, from)
    try {
      // a module made for an older memory: instantiated again on this one
      if (c.generation !== generation) {
        c.run = instantiate(wasm, c.code)
        c.generation = generation
      }
      wasmLoopStats.onRun?.(c.run, args, module)
      c.run(...args)
    } catch {
      // a trap (not expected: every read is in bounds) or an engine out of memory: the JS loop
      // runs from now on
      broken = true
      return js(N, E)
    }
    wasmLoopStats.runs++
    for (let w = 0; w < written.length; w++) {
      const out = buffers.take(w)
      const at = (bytes + w * outBytes) / elem
      out.set(heap.subarray(at, at + n))
      E[slots[written[w]!]!] = new Tensor(out, shape)
    }
  }
  // (an empty loop has nothing to time)
  if (race === undefined || n === 0) return run
  return racingStep(race, { rows, columns }, run, js, warmUp, () => !broken && wasmEnabled())
}

/**
 * The lowered expression of each of a chain's equations, as its key encodes it (emit/loop.ts
 * `chainStep`): a read in place, the lowering specialized to known constants, or the lowering;
 * undefined for a scalar kernel's call.
 */
export const chainExprs = (
  table: Table,
  equations: IntList,
  known: ReadonlyMap<number, number> | undefined,
): (ScalarExpr | undefined)[] => {
  const out: (ScalarExpr | undefined)[] = []
  for (let q = 0; q < equations.length; q++) {
    const e = equations.data[q]!
    const p: Primitive = table.primitive(e)
    const first = table.insStart[e]!
    const arity = table.insStart[e + 1]! - first
    const x0 = table.ins[first]!
    const lowering = loweringOf(p)
    if (lowering?.kind === 'read') {
      out.push(
        arity === 1 && !table.isNumber(x0)
          ? readOf(p, table.paramsOf(e), table.info(x0).shape)
          : undefined,
      )
      continue
    }
    if (lowering?.kind !== 'elementwise') {
      out.push(undefined)
      continue
    }
    let special: ScalarExpr | undefined
    if (known !== undefined && known.size !== 0) {
      const values: (number | undefined)[] = []
      for (let a = 0; a < arity; a++) values.push(known.get(table.ins[first + a]!))
      if (values.some((v) => v !== undefined)) special = specialized(p, values)
    }
    out.push(special ?? lowering.expr)
  }
  return out
}
