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
 * A chain's structure is first written as a short key of small integers (what each equation
 * computes, how each operand is read, which locals are written), read from the trace's typed
 * arrays; the source text is made from the key only when no function of that key exists yet.
 * Most chains of a long program repeat a structure, and building each one's text (~2 kB) was
 * about 40% of a tensor program's first call (bench/NOTES.md §18).
 * @module
 */

import type { Primitive } from '../../core/primitive.ts'
import { uninitialized, uninitialized32 } from '../../tensor/kernels/alloc.ts'
import { type Shape, sizeOf } from '../../tensor/shape.ts'
import { type Floats, Tensor } from '../../tensor/tensor.ts'
import type { VarInfo } from '../ir.ts'
import { type Lowering, loweringOf, readOf, type ScalarExpr } from '../lower.ts'
import { accessOf } from '../passes/access.ts'
import type { IntList, Table } from '../table.ts'
import type { ScalarFn, Step } from './kernel.ts'
import { toSource } from './source.ts'

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
 * those of its written values; `Z` the sizes of repeated blocks; `R` by `C` its loop.
 */
type ChainFactory = (
  F: readonly ScalarFn[],
  B: Buffers,
  T: typeof Tensor,
  S: Shape,
  s: Int32Array,
  Z: Int32Array,
  R: number,
  C: number,
) => Step

/** A chain's generated code, and its key. */
interface ChainCode {
  readonly key: Int32Array
  readonly factory: ChainFactory
}

/**
 * Generated chain code of one process, by a hash of its structural key (a list: keys may
 * collide): equal structures share a function.
 */
export type ChainCache = Map<number, ChainCode[]>

// ---- the key: a chain's structure as small integers ---------------------------------------
//
// [float32, equations, written; per equation: what, arity, operands…, its local;
//  per written value: its local]. `what` is 4·id + kind: a lowering's id, a scalar kernel's call
// (id 0), or a read in place (id: the length of the read's text, whose characters follow).
// An operand is 8·local + how it is read.

const LOWERED = 0
const CALL = 1
const READ = 2

/** How an operand is read: already a local, or declared by this read. */
const LOCAL = 0
const NUMBER = 1 // a plain number: N[slot]
const UNIFORM = 2 // a tensor of one value: its element 0
const FULL = 3 // element by element: data[i]
const COLUMN = 4 // a block of one row, repeated: data[j]
const SUFFIX = 5 // a trailing block, repeated: data[i % size]
const IN_PLACE = 6 // its data array, for a read in place

/** What chains without scalar-kernel calls or repeated blocks share (never written). */
const NO_FNS: ScalarFn[] = []
const NO_SIZES = new Int32Array(0)

/** Lowerings by id (ids are never reused: the registry's lowerings, numbered at first use). */
const loweringIds = new Map<Lowering<unknown>, number>()
const loweredExprs: ScalarExpr[] = []

/**
 * Per program: the marks of variables in the chain being keyed (stamped with its number, so
 * nothing is cleared between chains), the opcode of each of the table's operations, and the
 * key's words. Made at the first tensor chain.
 */
export class ChainScratch {
  chain = 0
  /** The chain number a variable's mark belongs to. */
  readonly stamp: Int32Array
  /** 16·local + flags: 1 produced in the chain, 2 read by element, 4 read in place, 8 named. */
  readonly mark: Int32Array
  /** Per table operation: 4·id + kind, −1 not yet asked, −2 a read in place for some params. */
  readonly opcodes: Int32Array
  words = new Int32Array(256)
  length = 0
  slots = new Int32Array(64)
  slotCount = 0
  sizes = new Int32Array(16)
  sizeCount = 0
  /** Locals named so far in the chain being keyed. */
  locals = 0
  /** The key's hash (FNV-1a over its words). */
  hash = 0
  constructor(table: Table) {
    this.stamp = new Int32Array(table.varCount)
    this.mark = new Int32Array(table.varCount)
    this.opcodes = new Int32Array(table.ops.length).fill(-1)
  }
  put(w: number): void {
    if (this.length === this.words.length) this.words = grow(this.words)
    this.words[this.length++] = w
    this.hash = Math.imul(this.hash ^ w, 16777619)
  }
  slot(s: number): number {
    if (this.slotCount === this.slots.length) this.slots = grow(this.slots)
    this.slots[this.slotCount] = s
    return this.slotCount++
  }
  size(z: number): void {
    if (this.sizeCount === this.sizes.length) this.sizes = grow(this.sizes)
    this.sizes[this.sizeCount++] = z
  }
}

const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
  const b = new Int32Array(a.length * 2)
  b.set(a)
  return b
}

/** The opcode of `p` (4·id + kind); −2 if it may read in place (decided per equation). */
const opcodeOf = (p: Primitive): number => {
  const lowering = loweringOf(p)
  if (lowering?.kind === 'read') return -2
  if (lowering?.kind !== 'elementwise') return CALL
  let id = loweringIds.get(lowering)
  if (id === undefined) {
    id = loweredExprs.push(lowering.expr) - 1
    loweringIds.set(lowering, id)
  }
  return 4 * id + LOWERED
}

/** The local of variable `v` in the chain being keyed (named by order of appearance). */
const localOf = (x: ChainScratch, v: number): number => {
  if (x.stamp[v] !== x.chain) {
    x.stamp[v] = x.chain
    x.mark[v] = 0
  }
  const m = x.mark[v]!
  if (m & 8) return m >> 4
  const k = x.locals++
  x.mark[v] = (k << 4) | (m & 7) | 8
  return k
}

/**
 * The step of a fused chain: reads its operands, loops once over its shape computing every
 * equation per element, and writes the values used after it. `slotOf` gives a variable's slot,
 * `uniform` the constant tensors read as one number.
 */
export function chainStep(
  table: Table,
  chain: FusedChain,
  slotOf: (v: number) => number,
  uniform: Uint8Array,
  cache: ChainCache,
  x: ChainScratch,
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
  x.sizeCount = 0
  for (let q = 0; q < m; q++) {
    const v = table.out[list[q]!]!
    stamp[v] = chainNo
    mark[v] = 1
  }
  const lastAxis = shape.length === 0 ? 1 : shape[shape.length - 1]!
  let fns: ScalarFn[] = NO_FNS
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
        x.slot(slotOf(x0))
        x.put(8 * k + IN_PLACE)
      } else x.put(8 * k + LOCAL)
    } else {
      if (code < 0) code = CALL
      if (code === CALL) {
        if (fns === NO_FNS) fns = []
        fns.push((p.scalar1 ?? p.scalar2)! as ScalarFn)
      }
      x.put(code)
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
        else if (access.size === lastAxis) how = COLUMN
        else {
          how = SUFFIX
          x.size(access.size)
        }
        x.slot(slotOf(i))
        x.put(8 * k + how)
      }
    }
    x.put(localOf(x, table.out[e]!))
  }
  for (const v of written) {
    x.put(localOf(x, v))
    x.slot(slotOf(v))
  }
  let made = lookUp(x, cache)
  if (made === undefined) {
    // the text only now, from the key alone: one key is always one text
    const factory = new Function('F', 'B', 'T', 'S', 's', 'Z', 'R', 'C', sourceOf(x.words))
    made = { key: x.words.slice(0, x.length), factory: factory as ChainFactory }
    const codes = cache.get(x.hash)
    if (codes === undefined) cache.set(x.hash, [made])
    else codes.push(made)
  }
  const { factory } = made
  // rows (every axis but the last) by columns (the last axis); i is the flat index
  const n = sizeOf(shape)
  const rows = lastAxis === 0 ? 0 : n / lastAxis
  return factory(
    fns,
    new Buffers(n, float32, chain.reusable),
    Tensor,
    shape,
    x.slots.slice(0, x.slotCount),
    x.sizeCount === 0 ? NO_SIZES : x.sizes.slice(0, x.sizeCount),
    rows,
    lastAxis,
  )
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

/** A chain's function source, made from its key alone (so one key is always one text). */
const sourceOf = (words: Int32Array): string => {
  let at = 0
  const next = (): number => words[at++]!
  next() // float32: the buffers' kind, outside the text (it keeps V8's feedback apart)
  const equations = next()
  const writtenCount = next()
  const before: string[] = []
  const reads: string[] = []
  const body: string[] = []
  let slot = 0
  let size = 0
  let fn = 0
  for (let q = 0; q < equations; q++) {
    const what = next()
    let read = ''
    if ((what & 3) === READ) {
      for (let c = what >> 2; c > 0; c--) read += String.fromCharCode(next())
    }
    const args: number[] = []
    for (let a = next(); a > 0; a--) {
      const word = next()
      const k = word >> 3
      args.push(k)
      const how = word & 7
      if (how === LOCAL) continue
      const ref = `${how === NUMBER ? 'N' : 'E'}[s[${slot++}]]`
      if (how === NUMBER) before.push(`const v${k} = ${ref};`)
      else if (how === UNIFORM) before.push(`const v${k} = ${ref}.data[0];`)
      else if (how === IN_PLACE) before.push(`const a${k} = ${ref}.data;`)
      else {
        before.push(`const b${k} = ${ref}.data;`)
        let index = how === COLUMN ? 'j' : 'i'
        if (how === SUFFIX) {
          before.push(`const z${k} = Z[${size++}];`)
          index = `i % z${k}`
        }
        reads.push(`const v${k} = b${k}[${index}];`)
      }
    }
    const names = args.map((k) => `v${k}`)
    let expr: string
    if ((what & 3) === READ) expr = read.split('$').join(`a${args[0]!}`)
    else if ((what & 3) === CALL) expr = `F[${fn++}](${names.join(', ')})`
    else expr = toSource(loweredExprs[what >> 2]!, { args: names })
    body.push(`const v${next()} = ${expr};`)
  }
  const outs: string[] = []
  const after: string[] = []
  for (let k = 0; k < writtenCount; k++) {
    before.push(`const o${k} = B.take(${k});`)
    outs.push(`o${k}[i] = v${next()};`)
    after.push(`E[s[${slot++}]] = new T(o${k}, S);`)
  }
  const inner = [...reads, ...body, ...outs].join('\n')
  const loop = `for (let r = 0, i = 0; r < rows; r++) {\nfor (let j = 0; j < columns; j++, i++) {\n${inner}\n}\n}`
  return `return function chain(N, E) {\nconst rows = R, columns = C;\n${[...before, loop, ...after].join('\n')}\n}`
}
