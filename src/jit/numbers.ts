/**
 * Loop bodies of plain numbers: a body compiled so that a loop can run it in place
 * (`NumberProgram`, ./compile.ts), with the slices of stacked numbers a reverse scan hands its
 * body given as numbers.
 * @module
 */
import { compile, type NumberProgram } from './compile.ts'
import { countOf, indexOf, makeTrace, type Trace } from './ir.ts'
import { dce } from './passes/dce.ts'

/**
 * `trace` compiled as a `NumberProgram`, where each input flagged in `asNumber` that is a rank-0
 * float64 tensor is given as its number instead: such an input must be read only by one
 * `cast` to a number (what a loop's transpose does with a slice of stacked numbers), which then
 * goes — the number is the cast's value, bit for bit. Undefined where that does not hold, or
 * some input or output is still not a number.
 */
export function compileNumbers(
  trace: Trace,
  asNumber: readonly boolean[],
): NumberProgram | undefined {
  const live = dce(trace)
  const t = live.table
  const inputs = [...live.inputs]
  const outputs = new Set(live.outputs)
  // the one reader of each input to give as a number (−1: none yet, −2: more than one)
  const reader = new Map<number, number>()
  for (let k = 0; k < inputs.length; k++) {
    const v = inputs[k]!
    if (!asNumber[k] || t.isNumber(v)) continue
    const info = t.info(v)
    if (info.shape.length !== 0 || info.dtype !== undefined || outputs.has(v)) return undefined
    reader.set(v, -1)
  }
  if (reader.size === 0) return compile(live, { body: true }).numbers
  const m = countOf(live)
  for (let q = 0; q < m; q++) {
    const k = indexOf(live, q)
    for (let j = t.insStart[k]!, end = t.insStart[k + 1]!; j < end; j++) {
      const r = reader.get(t.ins[j]!)
      if (r !== undefined) reader.set(t.ins[j]!, r === -1 ? k : -2)
    }
  }
  const dropped = new Set<number>()
  // inputs no equation reads (−1 in the result's `inputs`: not set)
  const unread = new Set<number>()
  for (let k = 0; k < inputs.length; k++) {
    const r = reader.get(inputs[k]!)
    if (r === undefined) continue
    if (r === -1) {
      unread.add(k)
      continue
    }
    if (r < 0 || t.isStructured(r)) return undefined
    const params = t.paramsOf(r) as { readonly to?: unknown } | undefined
    if (t.primitive(r).name !== 'cast' || params?.to !== 'number') return undefined
    inputs[k] = t.out[r]!
    dropped.add(r)
  }
  const order: number[] = []
  for (let q = 0; q < m; q++) if (!dropped.has(indexOf(live, q))) order.push(indexOf(live, q))
  const read = inputs.filter((_, k) => !unread.has(k))
  const parts = { inputs: read, constants: live.constants, outputs: live.outputs }
  const program = compile(makeTrace(t, parts, Int32Array.from(order)), { body: true }).numbers
  if (program === undefined || unread.size === 0) return program
  const slots = new Int32Array(inputs.length)
  for (let k = 0, j = 0; k < inputs.length; k++) {
    slots[k] = unread.has(k) ? -1 : program.inputs[j++]!
  }
  return { ...program, inputs: slots }
}
