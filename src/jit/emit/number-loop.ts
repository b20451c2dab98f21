/**
 * A scan whose body is one straight-line chain of numbers (`NumberProgram.straight`) as one
 * generated loop: the carries in locals, the slots of the inputs and outputs written into the
 * code, the body's statements inlined — no call and no indirection per step. Each step sets
 * the body's inputs, runs its statements and reads its outputs exactly as the step-by-step run
 * does (src/transforms/control/stage-scan.ts), so the same numbers.
 * @module
 */
import type { NumberProgram } from '../compile.ts'
import type { ScalarFn } from './kernel.ts'

/** Runs `length` steps from the inputs `ins` (carry, then the rest), carry left in `ins`. */
export type NumberScan = (
  ins: Float64Array,
  xs: readonly Float64Array[],
  stacks: readonly Float64Array[],
  length: number,
) => void

type Generated = (
  N: Float64Array,
  F: readonly ScalarFn[],
  ins: Float64Array,
  xs: readonly Float64Array[],
  stacks: readonly Float64Array[],
  length: number,
) => void

/**
 * The function `text` returns, or undefined where generated code is refused (a page's policy,
 * an engine limit): the loop then runs step by step.
 */
const generate = <F>(text: string): F | undefined => {
  try {
    return new Function(text)() as F
  } catch (e) {
    if (e instanceof EvalError || e instanceof RangeError) return undefined
    throw e
  }
}

/** Loops by source text, shared by every program of this process (bounded: the oldest goes). */
const loops = new Map<string, Generated>()
const MAX_LOOPS = 256

/**
 * The function generated from `text`, from `cache` or made and kept there (at most
 * `MAX_LOOPS`: the oldest goes); undefined where generated code is refused.
 */
const cached = <F>(cache: Map<string, F>, text: string): F | undefined => {
  let fn = cache.get(text)
  if (fn === undefined) {
    fn = generate<F>(text)
    if (fn === undefined) return undefined
    if (cache.size >= MAX_LOOPS) cache.delete(cache.keys().next().value!)
    cache.set(text, fn)
  }
  return fn
}

/**
 * The scan of `body` (inputs: `nc` carries, `nx` slices, then the rest; outputs: the carries,
 * then `ny` ys) as one generated loop, or undefined unless the body is one straight-line chain.
 */
export const numberScan = (
  body: NumberProgram,
  nc: number,
  nx: number,
  ny: number,
  reverse: boolean,
): NumberScan | undefined => {
  const source = body.straight
  if (source === undefined) return undefined
  const { N, inputs, outputs } = body
  const n = inputs.length
  const head: string[] = []
  const set: string[] = []
  for (let j = 0; j < n; j++) {
    const slot = inputs[j]!
    if (j < nc) head.push(`let c${j} = ins[${j}];`)
    else if (j < nc + nx) head.push(`const x${j} = xs[${j - nc}];`)
    else if (slot >= 0) head.push(`const r${j} = ins[${j}];`)
    if (slot < 0) continue
    const value = j < nc ? `c${j}` : j < nc + nx ? `x${j}[i]` : `r${j}`
    set.push(`N[${slot}] = ${value};`)
  }
  const ys = Array.from({ length: ny }, (_, j) => `stacks[${j}][i] = N[${outputs[nc + j]}];`)
  const carry = Array.from({ length: nc }, (_, j) => `c${j} = N[${outputs[j]}];`)
  const text = `return function scan(N, F, ins, xs, stacks, length) {
${head.join('\n')}
for (let k = 0; k < length; k++) {
const i = ${reverse ? 'length - 1 - k' : 'k'};
${set.join('\n')}
${source.lines}
${ys.join('\n')}
${carry.join('\n')}
}
${Array.from({ length: nc }, (_, j) => `ins[${j}] = c${j};`).join('\n')}
}`
  const run = cached(loops, text)
  if (run === undefined) return undefined
  const { fns } = source
  return (ins, xs, stacks, length) => run(N, fns, ins, xs, stacks, length)
}

/** Runs the loop from the inputs `condIn`/`bodyIn` (carry first in each), carry left in both. */
export type NumberWhile = (condIn: Float64Array, bodyIn: Float64Array) => void

type GeneratedWhile = (
  NC: Float64Array,
  FC: readonly ScalarFn[],
  NB: Float64Array,
  FB: readonly ScalarFn[],
  holds: (v: number) => boolean,
  condIn: Float64Array,
  bodyIn: Float64Array,
) => void

const whiles = new Map<string, GeneratedWhile>()

/**
 * A while loop of `nc` number carries whose condition and body are each one straight-line chain,
 * as one generated loop (inputs: the carry, then the rest; `holds` tests the condition's value),
 * or undefined.
 */
export const numberWhile = (
  cond: NumberProgram,
  body: NumberProgram,
  nc: number,
  holds: (v: number) => boolean,
): NumberWhile | undefined => {
  const [cs, bs] = [cond.straight, body.straight]
  if (cs === undefined || bs === undefined) return undefined
  const sets = (p: NumberProgram, from: string): string =>
    Array.from(p.inputs, (slot, j) =>
      slot < 0 ? '' : `N[${slot}] = ${j < nc ? `c${j}` : `${from}[${j}]`};`,
    ).join('\n')
  const carry = Array.from({ length: nc }, (_, j) => `c${j} = N[${body.outputs[j]}];`)
  const text = `return function loop(NC, FC, NB, FB, holds, condIn, bodyIn) {
${Array.from({ length: nc }, (_, j) => `let c${j} = condIn[${j}];`).join('\n')}
for (;;) {
{
const N = NC, F = FC;
${sets(cond, 'condIn')}
${cs.lines}
if (!holds(N[${cond.outputs[0]}])) break;
}
{
const N = NB, F = FB;
${sets(body, 'bodyIn')}
${bs.lines}
${carry.join('\n')}
}
}
${Array.from({ length: nc }, (_, j) => `condIn[${j}] = bodyIn[${j}] = c${j};`).join('\n')}
}`
  const run = cached(whiles, text)
  if (run === undefined) return undefined
  return (condIn, bodyIn) => run(cond.N, cs.fns, body.N, bs.fns, holds, condIn, bodyIn)
}

/** Forgets the shared loops (for tests that make `Function` fail). */
export const clearNumberLoops = (): void => {
  loops.clear()
  whiles.clear()
}
