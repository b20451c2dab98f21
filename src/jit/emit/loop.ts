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
 * @module
 */
import { uninitialized, uninitialized32 } from '../../tensor/kernels/alloc.ts'
import { type Shape, sizeOf } from '../../tensor/shape.ts'
import { type Floats, Tensor } from '../../tensor/tensor.ts'
import type { PrimitiveEquation, VarInfo } from '../ir.ts'
import { loweringOf, readOf, specialized } from '../lower.ts'
import { accessOf, SCALAR } from '../passes/access.ts'
import type { ScalarFn, Step } from './kernel.ts'
import { toSource } from './source.ts'

/** A fused chain, as the planner hands it over. */
export interface FusedChain {
  /** Its equations, in order; every output has the shape `shape`. */
  readonly equations: readonly PrimitiveEquation[]
  readonly shape: Shape
  /**
   * Whether its outputs are float32. The chain's values then stay float64 in the loop's locals
   * and are rounded where they are written to their Float32Array buffers: a chain of one op is
   * exactly the eager op (computed in float64, rounded once); a longer chain rounds fewer times
   * than eager mode, so it is at least as accurate and may differ from eager in the last bits.
   * (Rounding every op with `Math.fround`, for eager bits, measured 2.5× slower in V8.)
   */
  readonly float32: boolean
  /** Outputs used after the chain (they are written to memory), in equation order. */
  readonly written: readonly number[]
  /** Which of `written` may live in one buffer reused by every run (see `Program`). */
  readonly reusable: readonly boolean[]
}

/** A chain's code with the slots, sizes and kernels it names bound as arguments. */
type ChainFactory = (
  F: readonly ScalarFn[],
  alloc: (k: number) => Floats,
  T: typeof Tensor,
  S: Shape,
  s: Int32Array,
  w: Int32Array,
  Z: Int32Array,
  R: number,
  C: number,
) => Step

/** Generated chain code of one program, by source text: equal structures share a function. */
export type ChainCache = Map<string, ChainFactory>

/**
 * The step of a fused chain: reads its operands, loops once over its shape computing every
 * equation per element, and writes the values used after it. `slotOf` gives a variable's slot,
 * `uniform` the constant tensors read as one number.
 */
export function chainStep(
  chain: FusedChain,
  info: (v: number) => VarInfo,
  slotOf: (v: number) => number,
  uniform: Uint8Array,
  cache: ChainCache,
  known?: ReadonlyMap<number, number>,
): Step {
  const { equations, shape, written } = chain
  const out: VarInfo = chain.float32
    ? { shape, number: false, dtype: 'float32' }
    : { shape, number: false }
  // variables get local names by order of appearance, so the text depends only on structure
  const local = new Map<number, number>()
  const name = (v: number): number => {
    let k = local.get(v)
    if (k === undefined) {
      k = local.size
      local.set(v, k)
    }
    return k
  }
  const produced = new Set(equations.map((e) => e.out))
  const slots: number[] = []
  const sizes: number[] = []
  const before: string[] = []
  const reads: string[] = []
  const seen = new Set<number>()
  // an operand read element by element, and an array read in place by slices and pads
  const operand = (i: number, inPlace: boolean): void => {
    const key = inPlace ? -1 - i : i
    if (produced.has(i) || seen.has(key)) return
    seen.add(key)
    const k = name(i)
    const ref = `${info(i).number ? 'N' : 'E'}[s[${slots.push(slotOf(i)) - 1}]]`
    if (inPlace) {
      before.push(`const a${k} = ${ref}.data;`)
      return
    }
    const a = uniform[i] ? SCALAR : accessOf(info(i), out)!
    if (a.kind === 'scalar') {
      before.push(`const v${k} = ${ref}${info(i).number ? '' : '.data[0]'};`)
      return
    }
    before.push(`const b${k} = ${ref}.data;`)
    let index = 'i'
    if (a.kind === 'suffix') {
      before.push(`const z${k} = Z[${sizes.push(a.size) - 1}];`)
      index = a.size === shape[shape.length - 1] ? 'j' : `i % z${k}`
    }
    reads.push(`const v${k} = b${k}[${index}];`)
  }
  // scalar functions of the primitives that are not written inline
  const fns: ScalarFn[] = []
  const body: string[] = []
  for (const e of equations) {
    let expr: string
    const x = e.ins[0]!
    const inPlace = info(x).number ? undefined : readOf(e.p, e.params, info(x).shape)
    if (e.ins.length === 1 && inPlace !== undefined) {
      operand(x, true)
      expr = toSource(inPlace, { args: [], data: `a${name(x)}`, row: 'r', column: 'j' })
    } else {
      for (const i of e.ins) operand(i, false)
      const args = e.ins.map((i) => `v${name(i)}`)
      const lowering = loweringOf(e.p)
      // an op with a constant operand known now may lower to a simpler exact expression
      const special =
        known &&
        specialized(
          e.p,
          e.ins.map((i) => known.get(i)),
        )
      if (special !== undefined) expr = toSource(special, { args })
      else if (lowering?.kind === 'elementwise') expr = toSource(lowering.expr, { args })
      else {
        fns.push((e.p.scalar1 ?? e.p.scalar2)! as ScalarFn)
        expr = `F[${fns.length - 1}](${args.join(', ')})`
      }
    }
    body.push(`const v${name(e.out)} = ${expr};`)
  }
  const outs = written.map((v, k) => {
    before.push(`const o${k} = alloc(${k});`)
    return `o${k}[i] = v${name(v)};`
  })
  const after = written.map((_, k) => `E[w[${k}]] = new T(o${k}, S);`)
  const inner = [...reads, ...body, ...outs].join('\n')
  const loop = `for (let r = 0, i = 0; r < rows; r++) {\nfor (let j = 0; j < columns; j++, i++) {\n${inner}\n}\n}`
  const source = `return function chain(N, E) {\nconst rows = R, columns = C;\n${[...before, loop, ...after].join('\n')}\n}`
  let factory = cache.get(source)
  if (factory === undefined) {
    factory = new Function('F', 'alloc', 'T', 'S', 's', 'w', 'Z', 'R', 'C', source) as ChainFactory
    cache.set(source, factory)
  }
  // rows (every axis but the last) by columns (the last axis); i is the flat index
  const n = sizeOf(shape)
  const columns = shape.length === 0 ? 1 : shape[shape.length - 1]!
  const rows = columns === 0 ? 0 : n / columns
  // a reusable buffer is allocated on the first run and kept (no allocation, no page faults)
  const buffers = written.map((): Floats | undefined => undefined)
  const fresh = chain.float32 ? (): Floats => uninitialized32(n) : (): Floats => uninitialized(n)
  const alloc = (k: number): Floats => {
    if (!chain.reusable[k]) return fresh()
    const buffer = buffers[k] ?? fresh()
    buffers[k] = buffer
    return buffer
  }
  return factory(
    fns,
    alloc,
    Tensor,
    shape,
    Int32Array.from(slots),
    Int32Array.from(written, slotOf),
    Int32Array.from(sizes),
    rows,
    columns,
  )
}
