/**
 * W1's generated loops in isolation (bench/NOTES.md §18): the two loops `jit(grad(rosenbrockVec))`
 * compiles to at n = 10⁵ (the forward values and backward products; the two `pad`s read in
 * place and added), written as emit/loop.ts writes them, against variants — the `safeMul`s by
 * known constants specialized (src/jit/lower.ts `specialized`), plain products (a bound: not
 * exact), one loop with the pads as a loop-carried value, and the hand-written gradient's loop;
 * and the two loops as `jit` runs them in WebAssembly SIMD (src/jit/emit/wasm/), alone on data
 * already in wasm memory and with the copies in and out that each run does.
 * No allocation is timed (every variant writes preallocated arrays); each time is the minimum
 * over rounds of 20 calls, which is stable under load where a median is not.
 *
 * `npx tsx --conditions @fluxion/source bench/w1-loops.ts`
 */
import { grad, jit, type Tensor, tensor } from 'fluxion'
import type { LoopModule } from '../src/jit/emit/wasm/loop-module.ts'
import { loopMemory, type Run, wasmLoopStats } from '../src/jit/emit/wasm/step.ts'
import { points, rosenbrockGradPlain, rosenbrockVec } from './rosenbrock.ts'

const n = 100_000
const m = n - 1
const x = Float64Array.from(points(n))
const r = new Float64Array(m)
const v = new Float64Array(m)
const y = new Float64Array(n)

type Loop = (a0: Float64Array, v5: number, v7: number, v9: number, v13: number) => void
/** `safeMul` as the lowering writes it. */
const sm = (a: string, b: string) => `(((${a} === 0) || (${b} === 0)) ? 0 : (${a} * ${b}))`
/** The first loop's body, with the three products given (v9 = 1 and v13 = 100 are constants). */
const body = (p10: string, p14: string, p17: string) => `
    const v1 = a0[j]; const v2 = a0[1 + j];
    const v3 = v1 * v1; const v4 = v2 - v3; const v6 = v5 - v1; const v8 = v7 * v6;
    const v10 = ${p10}; const v11 = -v10; const v12 = v7 * v4;
    const v14 = ${p14}; const v15 = -v14; const v16 = v7 * v1;
    const v17 = ${p17};`
const twoOutputs = (p10: string, p14: string, p17: string): Loop =>
  new Function(
    'r',
    'v',
    'm',
    `return function(a0, v5, v7, v9, v13) { for (let j = 0; j < m; j++) { ${body(p10, p14, p17)}
    r[j] = v14; v[j] = v11 + v17; } }`,
  )(r, v, m) as Loop
// the pads as a loop-carried value: y[j] = r[j − 1] + v[j], in the order of `add w x`
const carried = (p10: string, p14: string, p17: string): Loop =>
  new Function(
    'y',
    'm',
    `return function(a0, v5, v7, v9, v13) { let prev = 0; for (let j = 0; j < m; j++) { ${body(p10, p14, p17)}
    y[j] = prev + (v11 + v17); prev = v14; } y[m] = prev + 0; }`,
  )(y, m) as Loop
const pads = new Function(
  'y',
  'n',
  'm',
  `return function(a0, a2) { for (let j = 0; j < n; j++) {
  const v1 = (((j >= 1) && (j < n)) ? a0[(j - 1)] : 0); const v3 = (((j >= 0) && (j < m)) ? a2[(j - 0)] : 0);
  y[j] = v1 + v3; } }`,
)(y, n, m) as (a: Float64Array, b: Float64Array) => void

const exact = [sm('v9', 'v8'), sm('v13', 'v12'), sm('v15', 'v16')] as const
const folded = ['(v8 + 0)', '((100 * v12) + 0)', sm('v15', 'v16')] as const
const plain = ['(v9 * v8)', '(v13 * v12)', '(v15 * v16)'] as const
const loop1 = twoOutputs(...exact)
const loop1Folded = twoOutputs(...folded)
const loop1Plain = twoOutputs(...plain)
const carry = carried(...exact)
const carryFolded = carried(...folded)
const run = (f: Loop) => () => f(x, 1, 2, 1, 100)

const cases: Record<string, () => void> = {
  'loop 1 (as generated)': run(loop1),
  'loop 1, safeMul specialized': run(loop1Folded),
  'loop 1, plain products (bound)': run(loop1Plain),
  'loop 2 (the pads)': () => pads(r, v),
  'both loops (as generated)': () => {
    loop1(x, 1, 2, 1, 100)
    pads(r, v)
  },
  'both loops, specialized': () => {
    loop1Folded(x, 1, 2, 1, 100)
    pads(r, v)
  },
  'one loop, pads carried': run(carry),
  'one loop, carried + specialized': run(carryFolded),
  'hand-written (zero fill + loop)': () => {
    y.fill(0)
    for (let i = 0; i < m; i++) {
      const xi = x[i]!
      const d = x[i + 1]! - xi * xi
      y[i]! += -400 * xi * d - 2 * (1 - xi)
      y[i + 1]! += 200 * d
    }
  },
}

// the wasm loops of the program itself: its runs' arguments, captured from one call
const captured: { run: Run; args: number[]; module: LoopModule }[] = []
wasmLoopStats.onRun = (run, args, module) => {
  if (captured.length < 2) captured.push({ run, args: [...args], module })
}
const program = jit(grad(rosenbrockVec))
const xt = tensor(x)
program(xt)
program(xt)
delete wasmLoopStats.onRun
if (captured.length !== 2) throw new Error(`expected two wasm loops, ran ${captured.length}`)
const [w1, w2] = captured as [(typeof captured)[0], (typeof captured)[0]]
const heap = () => new Float64Array(loopMemory()!)
// loop 1 reads x (in place, its only array); loop 2 reads its two arrays (the cotangents)
const outAt = (w: typeof w1, k: number) => w.args[4 + w.module.arrays.length + k]! / 8
const loop1Wasm = () => {
  const h = heap()
  h.set(x, w1.args[4]! / 8)
  w1.run(...w1.args)
  r.set(h.subarray(outAt(w1, 0), outAt(w1, 0) + m))
  v.set(h.subarray(outAt(w1, 1), outAt(w1, 1) + m))
}
const loop2Wasm = () => {
  const h = heap()
  h.set(r, w2.args[4]! / 8)
  h.set(v, w2.args[5]! / 8)
  w2.run(...w2.args)
  y.set(h.subarray(outAt(w2, 0), outAt(w2, 0) + n))
}
// which output is which: the program's order; check by the gradient below
loop1Wasm()
loop2Wasm()
const yWasm = Float64Array.from(y)
const wantWasm = (program(xt) as Tensor).data
for (let i = 0; i < n; i++) {
  if (!Object.is(yWasm[i], wantWasm[i])) throw new Error(`wasm loops: element ${i}`)
}
cases['wasm loop 1 (+ copies in/out)'] = loop1Wasm
cases['wasm loop 2 (+ copies in/out)'] = loop2Wasm
cases['wasm both loops (+ copies)'] = () => {
  loop1Wasm()
  loop2Wasm()
}
// the loops alone: data left in memory by the setup (loop 1's input, then loop 2's)
cases['wasm loop 1 alone'] = () => w1.run(...w1.args)
cases['wasm loop 2 alone'] = () => w2.run(...w2.args)
const setup: Record<string, () => void> = {
  'wasm loop 1 alone': () => heap().set(x, w1.args[4]! / 8),
  'wasm loop 2 alone': () => {
    heap().set(r, w2.args[4]! / 8)
    heap().set(v, w2.args[5]! / 8)
  },
}

// every variant that claims exactness gives the gradient (the plain products do here too)
const check = (got: Float64Array, name: string) => {
  const want = rosenbrockGradPlain(x)
  for (let i = 0; i < n; i++) {
    if (Math.abs(got[i]! - want[i]!) > 1e-9 * Math.max(1, Math.abs(want[i]!))) {
      throw new Error(`${name}: element ${i}`)
    }
  }
}
for (const [name, f] of Object.entries(cases)) {
  y.fill(Number.NaN)
  f()
  if (name.startsWith('both') || name.startsWith('wasm both')) check(y, name)
  if (name.startsWith('one') || name.startsWith('hand')) check(y, name)
}

const best: Record<string, number> = {}
for (let round = 0; round < 40; round++) {
  for (const [name, f] of Object.entries(cases)) {
    setup[name]?.()
    const t0 = performance.now()
    for (let k = 0; k < 20; k++) f()
    const t = ((performance.now() - t0) / 20) * 1000
    if (round >= 4) best[name] = Math.min(best[name] ?? Number.POSITIVE_INFINITY, t)
  }
}
const hand = best['hand-written (zero fill + loop)']!
for (const [name, t] of Object.entries(best)) {
  console.log(`${name.padEnd(34)} ${t.toFixed(1).padStart(7)} µs  ${(t / hand).toFixed(2)}×`)
}
