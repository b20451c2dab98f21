/**
 * Higher-order workloads (issue: Jacobians, Hessians, Taylor-mode higher order, custom rules,
 * checkpointing). W5, Taylor mode against nested grads, is in taylor.bench.ts.
 *
 * Checkpointing — the gradient with respect to W of L(W) = Σ y₁₀₀₀ for the loop
 * y ← tanh(W·y + b), W 64×64, y 64×16 (16 columns: a batch, so that every step's interior is
 * worth storing; the quick run uses a vector y, 64×1, as tinybench times every task at least 64
 * times), plain versus every step checkpointed versus blocks of 25 checkpointed steps
 * inside checkpointed blocks. Time is measured by the harness. Memory is measured in a separate
 * child Node process per variant (`--expose-gc`), so that nothing else lives on its heap: the
 * live memory (heapUsed + arrayBuffers after a forced GC) is sampled before the forward pass, at
 * every fifth call of the step function (forward and backward passes), when the forward pass is done
 * (everything the pullback keeps is alive) and after the backward pass; the table reports the
 * peak over the baseline and what the pullback retains. The child runs this file with
 * `FLUXION_BENCH_MEMORY=<variant>`; the memory table is printed when the checkpoint group is
 * validated (so only when it runs). All three gradients are validated against a hand-written
 * backpropagation in plain JS, and the checkpointed ones against the plain one: exactly for
 * every step checkpointed; to rounding for blocks, where W's cotangent is summed per block
 * before it is summed over blocks.
 */
import { fileURLToPath } from 'node:url'
import { add, checkpoint, grad, matmul, random, sum, type Tensor, tanh, vjp } from 'fluxion'
import type { Group, Task } from '../harness.ts'
import { jsonFromChild, liveMemory } from '../memory.ts'

/** |aᵢ − bᵢ| ≤ rtol·max(|bᵢ|, floor) for every i. */
export const near = (
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  rtol: number,
  what: string,
  floor = 1e-300,
): void => {
  if (a.length !== b.length) throw new Error(`${what} length ${a.length} ≠ ${b.length}`)
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!)
    if (!(d <= rtol * Math.max(floor, Math.abs(b[i]!)))) {
      throw new Error(`${what} at ${i}: ${a[i]} ≠ ${b[i]} (rtol ${rtol})`)
    }
  }
}

const identical = (a: ArrayLike<number>, b: ArrayLike<number>, what: string): void => {
  if (a.length !== b.length) throw new Error(`${what}: length ${a.length} ≠ ${b.length}`)
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) throw new Error(`${what}: at ${i}: ${a[i]} ≠ ${b[i]} (must be identical)`)
  }
}

// ---- checkpointing ---------------------------------------------------------------------------

const n = 64
const steps = 1000
const block = 25
/** Columns of y: a batch in the full run; one (y a vector) in the quick run. */
const columnsFor = (quick: boolean): number => (quick ? 1 : 16)

interface Problem {
  readonly W: Tensor
  readonly b: Tensor
  readonly y0: Tensor
  readonly columns: number
}

const problem = (columns: number): Problem => {
  const [k1, k2, k3] = random.split(random.key(5), 3)
  return {
    columns,
    // spectral radius about 1.2: the states neither die out nor saturate over 1,000 steps
    W: random.normal(k1!, [n, n], 0, 1.2 / Math.sqrt(n)),
    b: random.normal(k2!, [n, 1], 0, 0.1),
    y0: random.normal(k3!, [n, columns]),
  }
}

type Step = (W: Tensor, y: Tensor) => Tensor
type Variant = 'plain' | 'every step' | `blocks of ${number}`
const variants: readonly Variant[] = ['plain', 'every step', `blocks of ${block}`]

/** L(W) = Σ y_steps, with the step function of the variant; `onStep` runs at every step call. */
const lossFor = (variant: Variant, { b, y0 }: Problem, onStep: () => void = () => {}) => {
  const step: Step = (W, y) => {
    onStep()
    return tanh(add(matmul(W, y), b))
  }
  const run =
    (s: Step, count: number): Step =>
    (W, y) => {
      let v = y
      for (let i = 0; i < count; i++) v = s(W, v)
      return v
    }
  const loop =
    variant === 'plain'
      ? run(step, steps)
      : variant === 'every step'
        ? run(checkpoint(step), steps)
        : run(checkpoint(run(checkpoint(step), block)), steps / block)
  return (W: Tensor) => sum(loop(W, y0))
}

/** ∂L/∂W by hand: forward states, then backpropagation through tanh and W·y. */
const referenceGradient = ({ W, b, y0, columns }: Problem): Float64Array => {
  const w = W.data
  const states: Float64Array[] = [Float64Array.from(y0.data)]
  for (let s = 0; s < steps; s++) {
    const y = states[s]!
    const next = new Float64Array(n * columns)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < columns; j++) {
        let acc = b.data[i]!
        for (let k = 0; k < n; k++) acc += w[i * n + k]! * y[k * columns + j]!
        next[i * columns + j] = Math.tanh(acc)
      }
    }
    states.push(next)
  }
  const gW = new Float64Array(n * n)
  let yBar = new Float64Array(n * columns).fill(1)
  for (let s = steps - 1; s >= 0; s--) {
    const out = states[s + 1]!
    const y = states[s]!
    const zBar = yBar.map((v, i) => v * (1 - out[i]! * out[i]!))
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        let acc = 0
        for (let j = 0; j < columns; j++) acc += zBar[i * columns + j]! * y[k * columns + j]!
        gW[i * n + k]! += acc
      }
    }
    const next = new Float64Array(n * columns)
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < columns; j++) {
        let acc = 0
        for (let i = 0; i < n; i++) acc += w[i * n + k]! * zBar[i * columns + j]!
        next[k * columns + j] = acc
      }
    }
    yBar = next
  }
  return gW
}

/** Memory of one variant, measured in this process (run in a child with --expose-gc). */
interface Memory {
  readonly variant: Variant
  /** Live memory while the pullback exists, after the forward pass, over the baseline (MB). */
  readonly retainedMB: number
  /** Peak live memory sampled over the baseline (MB). */
  readonly peakMB: number
  /** The same peak split into JS heap and array buffers (MB). */
  readonly peakHeapMB: number
  readonly peakArrayBuffersMB: number
  readonly samples: number
}

const MB = 1024 * 1024

const measureMemory = (variant: Variant, columns: number): Memory => {
  const live = liveMemory
  const p = problem(columns)
  let peak = { heap: 0, buffers: 0 }
  let samples = 0
  const sample = () => {
    const m = live()
    samples++
    if (m.heap + m.buffers > peak.heap + peak.buffers) peak = m
  }
  // a forced GC per sample is slow on a large heap: sample every `stride`-th step call (the
  // passes are periodic in the steps, so the peak is not missed by more than a step or two)
  let calls = 0
  const stride = 5
  const loss = lossFor(variant, p, () => {
    if (calls++ % stride === 0) sample()
  })
  const base = live()
  peak = base
  const [, pullback] = vjp(loss, p.W)
  const afterForward = live()
  sample()
  const [gW] = pullback(1)
  sample()
  if (gW.shape[0] !== n) throw new Error('unexpected gradient')
  return {
    variant,
    retainedMB: (afterForward.heap + afterForward.buffers - base.heap - base.buffers) / MB,
    peakMB: (peak.heap + peak.buffers - base.heap - base.buffers) / MB,
    peakHeapMB: (peak.heap - base.heap) / MB,
    peakArrayBuffersMB: (peak.buffers - base.buffers) / MB,
    samples,
  }
}

/** Runs `measureMemory(variant)` in a fresh Node process and returns its result. */
const memoryInChild = (variant: Variant, columns: number): Memory =>
  jsonFromChild(fileURLToPath(import.meta.url), {
    FLUXION_BENCH_MEMORY: variant,
    FLUXION_BENCH_COLUMNS: String(columns),
  }) as Memory

let memoryReported = false

/** Measures every variant in its own child process and prints a table (once per run). */
const reportMemory = (columns: number): void => {
  if (memoryReported) return
  memoryReported = true
  const rows = variants.map((v) => memoryInChild(v, columns))
  const plain = rows[0]!
  const lines = [
    '',
    `checkpoint memory: ∂/∂W Σ y_${steps}, y ← tanh(W·y + b), W ${n}×${n}, y ${n}×${columns}; live heap + array buffers after forced GC, one child process per variant`,
    '',
    '| variant | retained by the pullback | peak (sampled) | peak JS heap | peak array buffers | peak vs plain | samples |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.variant} | ${r.retainedMB.toFixed(2)} MB | ${r.peakMB.toFixed(2)} MB | ${r.peakHeapMB.toFixed(2)} MB | ${r.peakArrayBuffersMB.toFixed(2)} MB | ${(r.peakMB / plain.peakMB).toFixed(3)}× | ${r.samples} |`,
    ),
    '',
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

const checkpointGroups = (columns: number): Group[] => {
  const p = problem(columns)
  const grads = new Map(variants.map((v) => [v, grad(lossFor(v, p))]))
  let reference: Float64Array | undefined
  const referenceOnce = () => {
    reference ??= referenceGradient(p)
    return reference
  }
  const task = (variant: Variant): Task => ({
    name: variant === 'plain' ? 'plain grad' : `checkpoint ${variant}`,
    fn: () => grads.get(variant)!(p.W),
    validate: () => {
      const g = grads.get(variant)!(p.W)
      // relative to the largest entry: summation order differs from fluxion's kernels
      const ref = referenceOnce()
      const scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0)
      near(g.data, ref, 1e-9, `${variant} vs hand-written backprop`, scale)
      // every step checkpointed: bit for bit. Blocks: W's cotangent is summed per block first,
      // so the same terms are added in another order (rounding only)
      const plain = grads.get('plain')!(p.W).data
      if (variant === 'every step') identical(g.data, plain, `${variant} vs plain`)
      if (variant !== 'plain') near(g.data, plain, 1e-12, `${variant} vs plain`, scale)
      if (variant === 'plain') reportMemory(columns)
    },
  })
  return [
    {
      title: `checkpoint: ∂/∂W of a ${steps}-step loop y ← tanh(W·y + b), W ${n}×${n}, y ${n}×${columns}`,
      baseline: 'plain grad',
      tasks: variants.map(task),
    },
  ]
}

/** The higher-order suite. */
export const higherGroups = (quick: boolean): Group[] => checkpointGroups(columnsFor(quick))

// the memory child: measure one variant and print it as JSON
const child = process.env.FLUXION_BENCH_MEMORY
if (child !== undefined) {
  const variant = variants.find((v) => v === child)
  if (variant === undefined) throw new Error(`unknown variant ${child}`)
  const columns = Number(process.env.FLUXION_BENCH_COLUMNS ?? columnsFor(false))
  process.stdout.write(`${JSON.stringify(measureMemory(variant, columns))}\n`)
}
