/**
 * A fused chain's loop as a WebAssembly module: from the chain's structural key
 * (../chain-key.ts: which operand is read how, which locals are written) and its equations'
 * lowered expressions, the loop over rows × columns that the JS loop runs, with the column
 * index taken two at a time in f64x2 lanes where every read in place is inside its input (the
 * "SIMD range" the host computes per run), and one at a time elsewhere (a pad's edges, an odd
 * tail). Operands and outputs live in the host's memory at addresses given as parameters.
 *
 * Float32 chains load float32 elements promoted to float64, compute in float64 and round on
 * store, as the JS loop does (its locals are doubles, its Float32Array stores round): the two
 * give the same bits.
 * @module
 */
import type { MathFunction, ScalarExpr } from '../../lower.ts'
import {
  ROWS as BROADCAST,
  COLUMN,
  FULL,
  IN_PLACE,
  LOCAL,
  NUMBER,
  READ,
  SPECIAL,
  UNIFORM,
} from '../chain-key.ts'
import { Asm, Op, Simd } from './asm.ts'
import { F64, I32, Locals, moduleBytes, V128, type ValueType } from './encode.ts'
import { type Affine, affineOf, emitExpr, Untranslatable } from './expr.ts'

/** A read in place, for the host's SIMD range: its array and its index's coefficients. */
export interface ReadRange extends Affine {
  /** The index in `LoopModule.arrays`. */
  readonly array: number
}

/**
 * A module and how to call it: `run(rows, columns, simdFrom, simdTo, …arrays' addresses,
 * …outputs' addresses, …scalars)`.
 */
export interface LoopModule {
  readonly bytes: Uint8Array
  readonly float32: boolean
  /** Slots of the tensors whose data the loop reads from memory (element by element or in place). */
  readonly arrays: readonly number[]
  /** Slots of the numbers read once: `N[slot]`, or `E[slot].data[0]` when `uniform`. */
  readonly scalars: readonly { readonly slot: number; readonly uniform: boolean }[]
  readonly reads: readonly ReadRange[]
  /** The SIMD range lies inside these columns (where the column tests folded to true hold). */
  readonly from: number
  readonly to: number
  /** Slots of the written outputs, in order. */
  readonly written: readonly number[]
  /**
   * Operands broadcast along other axes than the last, in key order: each is read at its row
   * map's offset for the row (an i32 array the host copies into memory, its address a parameter
   * after the scalars), plus the column where `stride` is 1.
   */
  readonly rowMaps: number
  /**
   * More than one Math call per `CALL_SHARE` equations: the loop may be slower than the JS loop
   * once V8 has optimized that, so the two race (./race.ts).
   */
  readonly callHeavy: boolean
  /** The chain's equations (what V8's optimization of its JS loop costs grows with). */
  readonly equations: number
}

interface Operand {
  readonly local: number
  readonly how: number
  /** Index among the arrays (FULL, COLUMN, IN_PLACE) or the scalars (NUMBER, UNIFORM). */
  readonly index: number
}

/** The loop of a chain of key `words` whose equations compute `exprs`; undefined if not exact. */
export function loopModule(
  words: Int32Array,
  exprs: readonly (ScalarExpr | undefined)[],
): LoopModule | undefined {
  try {
    return translate(words, exprs)
  } catch (e) {
    if (e instanceof Untranslatable) return undefined
    throw e
  }
}

function translate(words: Int32Array, exprs: readonly (ScalarExpr | undefined)[]): LoopModule {
  // ---- the key, read as sourceOf reads it -------------------------------------------------
  let at = 0
  const next = (): number => words[at++]!
  const float32 = next() === 1
  const m = next()
  const writtenCount = next()
  let slot = 0
  const arrays: number[] = []
  const scalars: { slot: number; uniform: boolean }[] = []
  const loads: Operand[] = [] // read element by element at each index
  const scalarOps: Operand[] = []
  const broadcasts: { local: number; index: number; stride: number; base: number }[] = []
  const inPlace = new Map<number, number>() // local → array index
  const equations: { expr: ScalarExpr; args: number[]; out: number; array: number }[] = []
  let localCount = 0
  for (let q = 0; q < m; q++) {
    const what = next()
    if ((what & 3) === READ || (what & 3) === SPECIAL) at += what >> 2 // the text: the tree is in exprs
    const args: number[] = []
    let array = -1
    for (let a = next(); a > 0; a--) {
      const word = next()
      const k = word >> 3
      const how = word & 7
      localCount = Math.max(localCount, k + 1)
      args.push(k)
      if (how === LOCAL) {
        if ((what & 3) === READ) array = inPlace.get(k) ?? -1
        continue
      }
      const s = slot++
      if (how === BROADCAST) {
        // read at m[r] (+ j where its last axis is not broadcast); the stride follows in the key
        const stride = next()
        broadcasts.push({ local: k, index: arrays.push(s) - 1, stride, base: -1 })
        continue
      }
      if (how !== NUMBER && how !== UNIFORM && how !== FULL && how !== COLUMN && how !== IN_PLACE) {
        throw new Untranslatable(`an operand read of kind ${how}`)
      }
      if (how === NUMBER || how === UNIFORM) {
        scalarOps.push({
          local: k,
          how,
          index: scalars.push({ slot: s, uniform: how === UNIFORM }) - 1,
        })
      } else {
        const index = arrays.push(s) - 1
        if (how === IN_PLACE) {
          inPlace.set(k, index)
          array = index
        } else if (how === FULL || how === COLUMN) loads.push({ local: k, how, index })
      }
    }
    const out = next()
    localCount = Math.max(localCount, out + 1)
    const expr = exprs[q]
    if (expr === undefined) throw new Untranslatable('a scalar kernel call')
    if ((what & 3) === READ && array < 0) throw new Untranslatable('a read of a local')
    equations.push({ expr, args, out, array })
  }
  // a call of an imported function costs more than the JS loop's call of the same builtin
  // (measured, 10⁵ elements: exp(x)·tanh(x) + log(x² + 1) 1.55× the JS loop's time, exp(x) + x
  // 1.06×): where the calls are few among the chain's operations, its SIMD pays for them (ba's
  // rotation: 2 calls in 32 equations, as fast as JS once optimized); where they are many, the
  // wasm loop runs while the JS loop is unoptimized, and the faster one after (./race.ts)
  let calls = 0
  for (const { expr } of equations) calls += callsIn(expr)
  const callHeavy = calls * CALL_SHARE > equations.length
  const written: number[] = []
  const writtenLocals: number[] = []
  for (let k = 0; k < writtenCount; k++) {
    writtenLocals.push(next())
    written.push(slot++)
  }

  // ---- parameters and locals ---------------------------------------------------------------
  const params: ValueType[] = [I32, I32, I32, I32]
  const [ROWS, COLUMNS, FROM, TO] = [0, 1, 2, 3]
  const arrayParam = (a: number) => 4 + a
  const outParam = (w: number) => 4 + arrays.length + w
  const scalarParam = (s: number) => 4 + arrays.length + written.length + s
  const mapParam = (b: number) => 4 + arrays.length + written.length + scalars.length + b
  for (let k = 0; k < arrays.length + written.length; k++) params.push(I32)
  for (let k = 0; k < scalars.length; k++) params.push(F64)
  for (let k = 0; k < broadcasts.length; k++) params.push(I32)
  const L = new Locals(params.length)
  // the address of each broadcast operand's row, set once per row
  for (const b of broadcasts) b.base = L.add(I32)
  const r = L.add(I32)
  const i = L.add(I32) // the flat index of the row's first element
  const j = L.add(I32)
  const f = L.add(I32) // i + j
  const scratch = L.add(V128) // a call's operand, lane by lane
  // the Math functions the loop calls, imported in this order
  const imports: MathFunction[] = []
  const imported = (fn: MathFunction): number => {
    const k = imports.indexOf(fn)
    return k >= 0 ? k : imports.push(fn) - 1
  }
  const vec: number[] = []
  const sca: number[] = []
  for (let k = 0; k < localCount; k++) {
    vec.push(L.add(V128))
    sca.push(L.add(F64))
  }
  for (const s of scalarOps) sca[s.local] = scalarParam(s.index)

  const shift = float32 ? 2 : 3
  const a = new Asm()
  // numbers read once: splat for the two lanes
  for (const s of scalarOps) a.get(scalarParam(s.index)).simd(Simd.f64x2Splat).set(vec[s.local]!)

  // reads in place: the address of each one's row (its index at column 0) is set once per row
  const reads: ReadRange[] = []
  // per equation, by the read's index expression (the node the translation of the read is
  // handed): per equation, because lowerings share index nodes (`broadcastTo`'s column), and
  // two equations reading two arrays at one index node are two reads
  type RowBase = { local: number; range: ReadRange }
  const rowBases: Map<ScalarExpr, RowBase>[] = equations.map(() => new Map())
  const findReads = (e: ScalarExpr, array: number, into: Map<ScalarExpr, RowBase>): void => {
    if (e.kind === 'read') {
      const x = affineOf(e.index)
      if (x === undefined || (x.column !== 0 && x.column !== 1))
        throw new Untranslatable('a strided or non-affine read')
      const range = { ...x, array }
      into.set(e.index, { local: L.add(I32), range })
      reads.push(range)
      return
    }
    for (const c of children(e)) findReads(c, array, into)
  }
  equations.forEach((q, e) => {
    if (q.array >= 0) findReads(q.expr, q.array, rowBases[e]!)
  })

  /** Loads an element (f64 or promoted f32) at the address on the stack. */
  const loadScalar = () =>
    float32 ? a.mem(Op.f32Load, 2).op(Op.f64PromoteF32) : a.mem(Op.f64Load, 3)
  const loadVector = () =>
    float32
      ? a.simdMem(Simd.load64Zero, 2).simd(Simd.f64x2PromoteLowF32x4)
      : a.simdMem(Simd.load, 3)
  /** Pushes `base + (index << shift)`. */
  const address = (base: number, index: number) =>
    a.get(base).get(index).i32(shift).op(Op.i32Shl).op(Op.i32Add)

  let from = Number.NEGATIVE_INFINITY
  let to = Number.POSITIVE_INFINITY
  const within = (lo: number, hi: number): void => {
    from = Math.max(from, lo)
    to = Math.min(to, hi)
  }
  const body = (vector: boolean): void => {
    const locals = vector ? vec : sca
    for (const o of loads) {
      address(arrayParam(o.index), o.how === FULL ? f : j)
      if (vector) loadVector()
      else loadScalar()
      a.set(locals[o.local]!)
    }
    for (const b of broadcasts) {
      if (b.stride === 1) {
        address(b.base, j)
        if (vector) loadVector()
        else loadScalar()
      } else {
        a.get(b.base)
        loadScalar()
        if (vector) a.simd(Simd.f64x2Splat)
      }
      a.set(locals[b.local]!)
    }
    for (const [e, q] of equations.entries()) {
      const rowBase = rowBases[e]!
      emitExpr(a, q.expr, {
        vector,
        args: q.args.map((k) => locals[k]!),
        row: r,
        column: j,
        within,
        imported,
        scratch,
        read: (index) => {
          const node = rowBase.get(index)
          if (node === undefined) throw new Untranslatable('an unknown read')
          const { local } = node
          const { column } = node.range
          if (column === 1) address(local, j)
          else a.get(local)
          if (column === 1 && vector) loadVector()
          else {
            loadScalar()
            if (vector) a.simd(Simd.f64x2Splat)
          }
        },
      })
      a.set(locals[q.out]!)
    }
    writtenLocals.forEach((k, w) => {
      address(outParam(w), f)
      a.get(locals[k]!)
      if (!float32) {
        if (vector) a.simdMem(Simd.store, 3)
        else a.mem(Op.f64Store, 3)
      } else if (vector)
        a.simd(Simd.f32x4DemoteF64x2Zero).simd(Simd.store64Lane).u32(2).u32(0).byte(0)
      else a.op(Op.f32DemoteF64).mem(Op.f32Store, 2)
    })
  }

  // for (r = 0, i = 0; r < rows; r++, i += columns)
  a.open(Op.block).open(Op.loop)
  a.get(r).get(ROWS).op(Op.i32GeS).brIf(1)
  for (const { local, range: x } of rowBases.flatMap((m) => [...m.values()])) {
    // base = array + ((row·r + constant) << shift)
    a.get(arrayParam(x.array)).get(r).i32(x.row).op(Op.i32Mul).i32(x.constant).op(Op.i32Add)
    a.i32(shift).op(Op.i32Shl).op(Op.i32Add).set(local)
  }
  broadcasts.forEach((b, k) => {
    // base = array + (map[r] << shift)
    a.get(arrayParam(b.index)).get(mapParam(k)).get(r).i32(2).op(Op.i32Shl).op(Op.i32Add)
    a.mem(Op.i32Load, 2).i32(shift).op(Op.i32Shl).op(Op.i32Add).set(b.base)
  })
  a.i32(0).set(j)
  // three loops over the row: one column at a time up to `from`, two at a time while j + 2 ≤
  // `to`, then one at a time to the end (the scalar body is emitted twice: a test per pair
  // choosing between the forms measured slower)
  let scalarBody: [number, number] | undefined
  const scalarLoop = (until: number): void => {
    a.open(Op.block).open(Op.loop)
    a.get(j).get(until).op(Op.i32GeS).brIf(1)
    a.get(i).get(j).op(Op.i32Add).set(f)
    // the second scalar body is a copy of the first's bytes (emitting is a first call's cost)
    if (scalarBody === undefined) {
      const start = a.length
      body(false)
      scalarBody = [start, a.length]
    } else a.again(...scalarBody)
    a.get(j).i32(1).op(Op.i32Add).set(j)
    a.br(0).end().end()
  }
  scalarLoop(FROM)
  a.open(Op.block).open(Op.loop)
  a.get(j).i32(2).op(Op.i32Add).get(TO).op(Op.i32GtS).brIf(1)
  a.get(i).get(j).op(Op.i32Add).set(f)
  body(true)
  a.get(j).i32(2).op(Op.i32Add).set(j)
  a.br(0).end().end()
  scalarLoop(COLUMNS)
  a.get(i).get(COLUMNS).op(Op.i32Add).set(i)
  a.get(r).i32(1).op(Op.i32Add).set(r)
  a.br(0).end().end()
  const bytes = moduleBytes(params, L, a, imports)
  return {
    bytes,
    float32,
    arrays,
    scalars,
    reads,
    written,
    from,
    to,
    rowMaps: broadcasts.length,
    callHeavy,
    equations: equations.length,
  }
}

/**
 * A chain with more than one Math call (other than √) per this many equations races its JS loop
 * (./race.ts); with fewer, its wasm loop runs.
 */
export const CALL_SHARE = 8

/** The calls of imported functions in `e` (√ is an instruction). */
const callsIn = (e: ScalarExpr): number =>
  (e.kind === 'call' && e.fn !== 'sqrt' ? 1 : 0) + children(e).reduce((n, c) => n + callsIn(c), 0)

/** The subexpressions of `e`. */
const children = (e: ScalarExpr): readonly ScalarExpr[] => {
  switch (e.kind) {
    case 'call':
      return e.args
    case 'binary':
    case 'compare':
    case 'or':
    case 'and':
      return [e.a, e.b]
    case 'neg':
      return [e.x]
    case 'cond':
      return [e.test, e.then, e.else]
    case 'read':
      return [e.index]
    default:
      return []
  }
}
