/**
 * Reverse-mode overhead groups of the kernels suite: what recording a primitive on the tape and
 * running its pullback costs, on work so small (numbers, 8-element tensors) that the fixed costs
 * dominate.
 *
 * The workload is a chain of N primitives cycling y ← sin(y), y ← 0.9·y, y ← y + x, whose
 * derivative in x stays of order 1 (a chain of sin and mul alone would underflow it to 0, and a
 * validation against 0 proves nothing). Time per primitive is reported per unit ('op'): the
 * fixed cost of a recorded primitive is `fluxion grad` minus `plain JS` in that column, and the
 * ratio column gives grad over plain evaluation.
 *
 * - scalars: N = 10⁴ numbers, beside plain JS and a hand-written value-and-derivative loop;
 *   forward mode (`jvp`, a dual number per op) in the same table;
 * - tensors: N = 10³ (10⁴ in the full run) ops on an 8-element tensor, summed at the end,
 *   beside a plain loop that allocates a fresh Float64Array(8) per op, as the kernels do.
 *
 * Bytes per recorded step: `vjp` returns a pullback that keeps its tape alive, so the memory it
 * retains, over the number of primitives recorded, is the tape's cost per step. It is measured
 * in a child process per chain (`FLUXION_BENCH_TAPE=<chain>`, `--expose-gc`; see ./memory.ts):
 * live heap + array buffers after a forced GC, before and after the forward pass, for 10⁵ scalar
 * and 10⁴ tensor steps. The table is printed when the scalar group is validated. Tape arrays
 * grow by doubling, so the figure includes their unused capacity (up to 2×, 1.31× at 10⁵).
 */
import { fileURLToPath } from 'node:url'
import { add, grad, jvp, mul, sin, sum, type Tensor, tensor, vjp } from 'fluxion'
import type { Group } from './harness.ts'
import { lazy, wave } from './kernels.ts'
import { jsonFromChild, liveMemory } from './memory.ts'
import { manySmallGroup, perCallGroup } from './overhead-calls.ts'
import { near } from './rosenbrock.ts'

const scalarChain =
  (n: number) =>
  (x: number): number => {
    let y = x
    for (let i = 0; i < n; i++) {
      const r = i % 3
      y = r === 0 ? sin(y) : r === 1 ? mul(y, 0.9) : add(y, x)
    }
    return y
  }

const scalarChainPlain = (n: number, x: number): number => {
  let y = x
  for (let i = 0; i < n; i++) {
    const r = i % 3
    y = r === 0 ? Math.sin(y) : r === 1 ? y * 0.9 : y + x
  }
  return y
}

/** dy/dx of the chain by forward-mode by hand: the reference for every gradient here. */
const scalarChainDerivative = (n: number, x: number): number => {
  let y = x
  let yDot = 1
  for (let i = 0; i < n; i++) {
    const r = i % 3
    if (r === 0) {
      yDot *= Math.cos(y)
      y = Math.sin(y)
    } else if (r === 1) {
      yDot *= 0.9
      y *= 0.9
    } else {
      yDot += 1
      y += x
    }
  }
  return yDot
}

const tensorChain =
  (n: number) =>
  (x: Tensor): Tensor => {
    let y = x
    for (let i = 0; i < n; i++) {
      const r = i % 3
      y = r === 0 ? sin(y) : r === 1 ? mul(y, 0.9) : add(y, x)
    }
    return sum(y)
  }

const tensorChainPlain = (n: number, x: Float64Array): number => {
  let y = x
  for (let i = 0; i < n; i++) {
    const r = i % 3
    const out = new Float64Array(y.length)
    for (let j = 0; j < y.length; j++) {
      out[j] = r === 0 ? Math.sin(y[j]!) : r === 1 ? y[j]! * 0.9 : y[j]! + x[j]!
    }
    y = out
  }
  let acc = 0
  for (let j = 0; j < y.length; j++) acc += y[j]!
  return acc
}

const x0 = 0.7
const width = 8

const scalarGroup = (n: number): Group => {
  const f = scalarChain(n)
  const df = grad(f)
  const units = { units: n, unitName: 'op' }
  return {
    title: `overhead reverse mode, scalar chain of ${n} sin/mul/add (ns/op; and forward mode)`,
    baseline: 'plain JS',
    tasks: [
      { name: 'plain JS', fn: () => scalarChainPlain(n, x0), validate: () => {}, ...units },
      {
        name: 'hand-written value and derivative',
        fn: () => scalarChainDerivative(n, x0),
        validate: () => {},
        ...units,
      },
      {
        name: 'fluxion ops on numbers',
        fn: () => f(x0),
        validate: () => near([f(x0)], [scalarChainPlain(n, x0)], 1e-12),
        ...units,
      },
      {
        name: 'fluxion grad',
        fn: () => df(x0),
        validate: () => {
          near([df(x0)], [scalarChainDerivative(n, x0)], 1e-9)
          reportTapeMemory()
        },
        ...units,
      },
      {
        // forward mode on numbers: one dual number per op (issue #16: ≤ 10 ns/op)
        name: 'fluxion jvp',
        fn: () => jvp(f, [x0], [1])[1],
        validate: () => near([jvp(f, [x0], [1])[1]], [scalarChainDerivative(n, x0)], 1e-9),
        ...units,
      },
    ],
  }
}

const tensorGroup = (n: number): Group => {
  const f = tensorChain(n)
  const df = grad(f)
  const input = lazy(() => {
    const x = wave(width, 1, 0.4)
    return { x, xt: tensor(x) }
  })
  // each element runs the scalar chain on its own
  const reference = () => Array.from(input().x, (xj) => scalarChainDerivative(n, xj))
  const units = { units: n, unitName: 'op' }
  return {
    title: `overhead reverse mode, chain of ${n} sin/mul/add on a ${width}-element tensor (ns/op)`,
    baseline: 'plain JS loop',
    tasks: [
      {
        name: 'plain JS loop',
        fn: () => tensorChainPlain(n, input().x),
        validate: () => {},
        ...units,
      },
      {
        name: 'fluxion ops on tensors',
        fn: () => f(input().xt),
        validate: () => near([f(input().xt).item()], [tensorChainPlain(n, input().x)], 1e-12),
        ...units,
      },
      {
        name: 'fluxion grad',
        fn: () => df(input().xt),
        validate: () => near(df(input().xt).data, reference(), 1e-9),
        ...units,
      },
    ],
  }
}

/** The overhead groups of the kernels suite. */
export const overheadGroups = (quick: boolean): Group[] => [
  scalarGroup(10_000),
  tensorGroup(quick ? 1_000 : 10_000),
  perCallGroup(),
  manySmallGroup(10_000),
]

// ---- bytes per recorded step, measured in a child process ----

const chains = ['scalar', 'tensor'] as const
type Chain = (typeof chains)[number]
const memorySteps: Record<Chain, number> = { scalar: 100_000, tensor: 10_000 }

interface TapeMemory {
  readonly chain: Chain
  readonly steps: number
  readonly heapBytes: number
  readonly bufferBytes: number
}

/** Retained by a pullback over `memorySteps[chain]` steps (run in a child with --expose-gc). */
const measureTape = (chain: Chain): TapeMemory => {
  const steps = memorySteps[chain]
  const xs = wave(width, 1, 0.4)
  const xt = tensor(xs)
  // a short chain first, so that compiled code and type feedback are in the baseline
  if (chain === 'scalar') vjp(scalarChain(3_000), x0)[1](1)
  else vjp(tensorChain(300), xt)[1](1)
  const before = liveMemory()
  const [, pullback] =
    chain === 'scalar' ? vjp(scalarChain(steps), x0) : vjp(tensorChain(steps), xt)
  const after = liveMemory()
  // used after the second sample, so the pullback (and its tape) is alive at it
  const [xBar] = pullback(1)
  const want = chain === 'scalar' ? [x0] : Array.from(xs)
  near(
    typeof xBar === 'number' ? [xBar] : xBar.data,
    want.map((x) => scalarChainDerivative(steps, x)),
    1e-9,
  )
  return {
    chain,
    steps,
    heapBytes: after.heap - before.heap,
    bufferBytes: after.buffers - before.buffers,
  }
}

let memoryReported = false

/** Measures each chain in its own child process and prints a table (once per run). */
const reportTapeMemory = (): void => {
  if (memoryReported) return
  memoryReported = true
  const script = fileURLToPath(import.meta.url)
  const rows = chains.map((c) => jsonFromChild(script, { FLUXION_BENCH_TAPE: c }) as TapeMemory)
  const lines = [
    '',
    'bytes per recorded step: live memory retained by the pullback of vjp over a sin/mul/add chain (forced GC before and after the forward pass, one child process per chain)',
    '',
    '| chain | steps | retained JS heap | retained array buffers | bytes per step |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.chain === 'scalar' ? 'numbers' : `${width}-element tensor`} | ${r.steps} | ${(r.heapBytes / 1024).toFixed(0)} KiB | ${(r.bufferBytes / 1024).toFixed(0)} KiB | ${((r.heapBytes + r.bufferBytes) / r.steps).toFixed(1)} |`,
    ),
    '',
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

// the memory child: measure one chain and print it as JSON
const child = process.env.FLUXION_BENCH_TAPE
if (child !== undefined) {
  const chain = chains.find((c) => c === child)
  if (chain === undefined) throw new Error(`unknown chain ${child}`)
  process.stdout.write(`${JSON.stringify(measureTape(chain))}\n`)
}
