/**
 * The structural key of a fused chain (src/jit/emit/loop.ts) and the source made from it. A
 * chain's key is a short list of small integers — what each equation computes, how each operand
 * is read, which locals are written — read from the trace's typed arrays; chains of one key
 * share one generated function. Its source text is made from the key alone, and only when no
 * function of that key exists yet: most chains of a long program repeat a structure, and building
 * each one's text (~2 kB) was about 40% of a tensor program's first call (bench/NOTES.md §19).
 * @module
 */
import type { Primitive } from '../../core/primitive.ts'
import { type Lowering, loweringOf, type ScalarExpr } from '../lower.ts'
import type { Table } from '../table.ts'
import { toSource } from './source.ts'

// ---- the key: a chain's structure as small integers ---------------------------------------
//
// [float32, equations, written; per equation: what, arity, operands…, its local;
//  per written value: its local]. `what` is 4·id + kind: a lowering's id, a scalar kernel's call
// (id 0), a read in place (id: the length of the read's text, whose characters follow), or a
// lowering specialized to known constants (id: the length of its text, `$0`, `$1` … for its
// operands and the constants written in, whose characters follow). An operand is 8·local + how
// it is read; a `ROWS` operand is followed by its column stride (0 or 1).

export const LOWERED = 0
export const CALL = 1
export const READ = 2
export const SPECIAL = 3

/** How an operand is read: already a local, or declared by this read. */
export const LOCAL = 0
export const NUMBER = 1 // a plain number: N[slot]
export const UNIFORM = 2 // a tensor of one value: its element 0
export const FULL = 3 // element by element: data[i]
export const COLUMN = 4 // a block of one row, repeated: data[j]
// (5 was a trailing block of several rows, repeated: now read by row offsets, as ROWS)
export const IN_PLACE = 6 // its data array, for a read in place
export const ROWS = 7 // broadcast along other axes: data[M[r] + j·stride], M its row offsets

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
}

const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
  const b = new Int32Array(a.length * 2)
  b.set(a)
  return b
}

/** The opcode of `p` (4·id + kind); −2 if it may read in place (decided per equation). */
export const opcodeOf = (p: Primitive): number => {
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
export const localOf = (x: ChainScratch, v: number): number => {
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

/** A chain's function source, made from its key alone (so one key is always one text). */
export const sourceOf = (words: Int32Array): string => {
  let at = 0
  const next = (): number => words[at++]!
  next() // float32: the buffers' kind, outside the text (it keeps V8's feedback apart)
  const equations = next()
  const writtenCount = next()
  const before: string[] = []
  const reads: string[] = []
  const body: string[] = []
  let slot = 0
  let rowMap = 0
  let fn = 0
  for (let q = 0; q < equations; q++) {
    const what = next()
    let read = ''
    if ((what & 3) === READ || (what & 3) === SPECIAL) {
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
      else if (how === ROWS) {
        before.push(`const b${k} = ${ref}.data;`, `const m${k} = M[${rowMap++}];`)
        reads.push(`const v${k} = b${k}[${next() === 1 ? `m${k}[r] + j` : `m${k}[r]`}];`)
      } else {
        before.push(`const b${k} = ${ref}.data;`)
        reads.push(`const v${k} = b${k}[${how === COLUMN ? 'j' : 'i'}];`)
      }
    }
    const names = args.map((k) => `v${k}`)
    let expr: string
    if ((what & 3) === READ) expr = read.split('$').join(`a${args[0]!}`)
    else if ((what & 3) === SPECIAL)
      expr = read.replace(/\$(\d)/g, (_, d: string) => names[Number(d)]!)
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
