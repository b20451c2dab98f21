/**
 * Fused loops: one generated function per fused chain of elementwise equations on tensors (the
 * scalar interpreter, src/jit/emit/scalar.ts, is the other generated code of a program).
 *
 * Every generated function has a bounded size, whatever the program's length: a fused chain
 * holds at most `MAX_CHAIN` equations (the planner splits longer ones). A function with one local per equation of a
 * 10⁵-op chain overflows the JS stack when called (each local is a slot of its frame), and V8
 * takes superlinear time to optimize long functions. A chain's code names no slot, variable or
 * size — those are arguments of a factory — so chains of one structure (the steps of a loop)
 * share one generated function, compiled once.
 *
 * A chain is looked up by its structural key (./chain-key.ts); its source is made only for a
 * key not seen before.
 * @module
 */

import type { Primitive } from '../../core/primitive.ts'
import { uninitialized, uninitialized32 } from '../../tensor/kernels/alloc.ts'
import { type Shape, sizeOf } from '../../tensor/shape.ts'
import { type Floats, Tensor } from '../../tensor/tensor.ts'
import type { VarInfo } from '../ir.ts'
import { readOf, specialized } from '../lower.ts'
import { accessOf, rowOffsets } from '../passes/access.ts'
import type { SlotOf } from '../passes/slots.ts'
import type { IntList, Table } from '../table.ts'
import {
  CALL,
  type ChainScratch,
  COLUMN,
  FULL,
  IN_PLACE,
  LOCAL,
  localOf,
  NUMBER,
  opcodeOf,
  READ,
  ROWS,
  SPECIAL,
  sourceOf,
  UNIFORM,
} from './chain-key.ts'
import type { ScalarFn, Step } from './kernel.ts'
import { toSource } from './source.ts'
import { chainExprs, wasmChainStep } from './wasm/step.ts'

/** A fused chain, as the planner hands it over. */
export interface FusedChain {
  /** Its equations, by index in the trace's table, in order; every output is of kind `out`. */
  readonly equations: IntList
  /**
   * The kind of its outputs. Float32 outputs: the chain's values then stay float64 in the loop's
   * locals and are rounded where they are written to their Float32Array buffers: a chain of one
   * op is exactly the eager op (computed in float64, rounded once); a longer chain rounds fewer
   * times than eager mode, so it is at least as accurate and may differ from eager in the last
   * bits. (Rounding every op with `Math.fround`, for eager bits, measured 2.5× slower in V8.)
   */
  readonly out: VarInfo
  /** Outputs used after the chain (they are written to memory), in equation order. */
  readonly written: readonly number[]
  /** Which of `written` may live in one buffer reused by every run (see `Program`). */
  readonly reusable: readonly boolean[]
}

/**
 * The output buffers of one chain: a reusable buffer is allocated on its first run and kept (no
 * allocation, no page faults); any other is fresh for every run.
 */
class Buffers {
  private readonly kept: (Floats | undefined)[]
  private readonly n: number
  private readonly float32: boolean
  private readonly reusable: readonly boolean[]
  constructor(n: number, float32: boolean, reusable: readonly boolean[]) {
    this.n = n
    this.float32 = float32
    this.reusable = reusable
    this.kept = new Array<Floats | undefined>(reusable.length)
  }
  /** The buffer of written output `k` for this run. */
  take(k: number): Floats {
    if (!this.reusable[k]) return this.fresh()
    const buffer = this.kept[k] ?? this.fresh()
    this.kept[k] = buffer
    return buffer
  }
  private fresh(): Floats {
    return this.float32 ? uninitialized32(this.n) : uninitialized(this.n)
  }
}

/**
 * A chain's code with what it names bound as arguments: `s` the slots of its operands, then
 * those of its written values; `M` the row offsets of operands broadcast along other axes than
 * the last, or repeated in blocks of several rows; `R` by `C` its loop.
 */
type ChainFactory = (
  F: readonly ScalarFn[],
  B: Buffers,
  T: typeof Tensor,
  S: Shape,
  s: Int32Array,
  M: readonly Int32Array[],
  R: number,
  C: number,
) => Step

/** A chain's key, and its generated JS code once a JS loop of that key has been needed. */
interface ChainCode {
  readonly key: Int32Array
  /**
   * Made on first use: a chain whose wasm loop runs never makes its text (~6% of a CPU profile
   * of a tensor program's first call, bench/NOTES.md §35), nor has V8 parse it.
   */
  factory: ChainFactory | undefined
}

/** The JS code of `code`'s key, made now if not yet (the text from the key alone). */
const factoryOf = (code: ChainCode): ChainFactory => {
  code.factory ??= new Function(
    'F',
    'B',
    'T',
    'S',
    's',
    'M',
    'R',
    'C',
    sourceOf(code.key),
  ) as ChainFactory
  return code.factory
}

/**
 * Generated chain code of one process, by a hash of its structural key (a list: keys may
 * collide): equal structures share a function.
 */
export type ChainCache = Map<number, ChainCode[]>

/** What chains without scalar-kernel calls or row offsets share (never written). */
const NO_FNS: ScalarFn[] = []
const NO_ROW_MAPS: Int32Array[] = []

/**
 * The step of a fused chain: reads its operands, loops once over its shape computing every
 * equation per element, and writes the values used after it. `slotsOf` gives a variable's slot,
 * `uniform` the constant tensors read as one number.
 */
export function chainStep(
  table: Table,
  chain: FusedChain,
  slotsOf: SlotOf,
  uniform: Uint8Array,
  cache: ChainCache,
  x: ChainScratch,
  known?: ReadonlyMap<number, number>,
): Step {
  const { out, written } = chain
  const { shape } = out
  const float32 = out.dtype === 'float32'
  const { data: list, length: m } = chain.equations
  const { ins, insStart } = table
  const { stamp, mark } = x
  const chainNo = ++x.chain
  x.length = 0
  x.locals = 0
  x.hash = -2128831035 // FNV-1a's offset basis, as an int32
  x.slotCount = 0
  for (let q = 0; q < m; q++) {
    const v = table.out[list[q]!]!
    stamp[v] = chainNo
    mark[v] = 1
  }
  const lastAxis = shape.length === 0 ? 1 : shape[shape.length - 1]!
  let fns: ScalarFn[] = NO_FNS
  let rowMaps: Int32Array[] = NO_ROW_MAPS
  x.put(float32 ? 1 : 0)
  x.put(m)
  x.put(written.length)
  for (let q = 0; q < m; q++) {
    const e = list[q]!
    const t = table.op[e]!
    const p = table.primitive(e)
    let code = x.opcodes[t]!
    if (code === -1) code = x.opcodes[t] = opcodeOf(p)
    const first = insStart[e]!
    const arity = insStart[e + 1]! - first
    const x0 = ins[first]!
    const readText =
      code === -2 && arity === 1 && !table.isNumber(x0)
        ? readOf(p, table.paramsOf(e), table.info(x0).shape)
        : undefined
    if (readText !== undefined) {
      // a read in place: its text (constants of its params) is part of the key
      const text = toSource(readText, { args: [], data: '$', row: 'r', column: 'j' })
      x.put(4 * text.length + READ)
      for (let c = 0; c < text.length; c++) x.put(text.charCodeAt(c))
      x.put(1)
      const seen = stamp[x0] === chainNo ? mark[x0]! & 5 : 0
      const k = localOf(x, x0)
      if (seen === 0) {
        mark[x0] = mark[x0]! | 4
        x.slot(slotsOf.of(x0))
        x.put(8 * k + IN_PLACE)
      } else x.put(8 * k + LOCAL)
    } else {
      if (code < 0) code = CALL
      // an op with a constant operand known now may lower to a simpler exact expression: its
      // text (the constants written in) is part of the key
      const special =
        known === undefined || known.size === 0 ? undefined : specialOf(p, e, table, known)
      if (special !== undefined) {
        x.put(4 * special.length + SPECIAL)
        for (let c = 0; c < special.length; c++) x.put(special.charCodeAt(c))
      } else {
        if (code === CALL) {
          if (fns === NO_FNS) fns = []
          fns.push((p.scalar1 ?? p.scalar2)! as ScalarFn)
        }
        x.put(code)
      }
      x.put(arity)
      for (let a = 0; a < arity; a++) {
        const i = ins[first + a]!
        const seen = stamp[i] === chainNo ? mark[i]! & 3 : 0
        const k = localOf(x, i)
        if (seen !== 0) {
          x.put(8 * k + LOCAL)
          continue
        }
        mark[i] = mark[i]! | 2
        const info = table.info(i)
        const access = uniform[i] ? undefined : accessOf(info, out)!
        let how: number
        if (info.number) how = NUMBER
        else if (access === undefined || access.kind === 'scalar') how = UNIFORM
        else if (access.kind === 'full') how = FULL
        else if (access.kind === 'suffix' && access.size === lastAxis) how = COLUMN
        else {
          // broadcast along other axes, or a block of several rows repeated: by row offsets
          // (a block's row r starts at (r·columns) mod its size; its columns are whole)
          how = ROWS
          if (rowMaps === NO_ROW_MAPS) rowMaps = []
          rowMaps.push(rowOffsets(info.shape, shape))
        }
        x.slot(slotsOf.of(i))
        x.put(8 * k + how)
        if (how === ROWS) x.put(access?.kind === 'rows' ? access.columnStride : 1)
      }
    }
    x.put(localOf(x, table.out[e]!))
  }
  for (const v of written) {
    x.put(localOf(x, v))
    x.slot(slotsOf.of(v))
  }
  let made = lookUp(x, cache)
  if (made === undefined) {
    made = { key: x.words.slice(0, x.length), factory: undefined }
    const codes = cache.get(x.hash)
    if (codes === undefined) cache.set(x.hash, [made])
    else codes.push(made)
  }
  const code = made
  // rows (every axis but the last) by columns (the last axis); i is the flat index
  const n = sizeOf(shape)
  const rows = lastAxis === 0 ? 0 : n / lastAxis
  const buffers = new Buffers(n, float32, chain.reusable)
  const slots = x.slots.slice(0, x.slotCount)
  const js = (): Step =>
    factoryOf(code)(fns, buffers, Tensor, shape, slots, rowMaps, rows, lastAxis)
  // the loop as WebAssembly SIMD where it translates and pays off (./wasm/step.ts), else JS
  const exprs = () => chainExprs(table, chain.equations, known)
  // the JS loop over the first `elements` (whole rows, or the start of row 0), into buffers of
  // its own: computes what the full loop computes there
  const warmUp = (elements: number): Step => {
    const c = Math.min(lastAxis, elements)
    const b = new Buffers(elements, float32, chain.reusable)
    return factoryOf(code)(fns, b, Tensor, [elements], slots, rowMaps, elements / c, c)
  }
  const bind = { buffers, shape, slots, rows, columns: lastAxis, rowMaps }
  return wasmChainStep(code, exprs, bind, js, warmUp)
}

/** The text of `p`'s lowering specialized to the known constants among equation `e`'s operands. */
const specialOf = (
  p: Primitive,
  e: number,
  table: Table,
  known: ReadonlyMap<number, number>,
): string | undefined => {
  const first = table.insStart[e]!
  const arity = table.insStart[e + 1]! - first
  const values: (number | undefined)[] = []
  let any = false
  for (let a = 0; a < arity; a++) {
    const v = known.get(table.ins[first + a]!)
    values.push(v)
    if (v !== undefined) any = true
  }
  if (!any) return undefined
  const expr = specialized(p, values)
  if (expr === undefined) return undefined
  return toSource(expr, { args: values.map((_, a) => `$${a}`) })
}

/** The code of the key in `x`, if made already (`cache` holds lists of codes by key hash). */
const lookUp = (x: ChainScratch, cache: ChainCache): ChainCode | undefined => {
  const codes = cache.get(x.hash)
  if (codes === undefined) return undefined
  const { words, length } = x
  for (const code of codes) {
    const key = code.key
    if (key.length !== length) continue
    let k = 0
    while (k < length && key[k] === words[k]) k++
    if (k === length) return code
  }
  return undefined
}
