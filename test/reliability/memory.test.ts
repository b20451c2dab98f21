/**
 * Memory (issue "Reliability", item 5): after a transformation returns, nothing it recorded
 * stays reachable. Measured in a child process with `--expose-gc`, so `gc()` can settle the heap
 * before each reading:
 * - 100,000 successive `grad` calls of a small scalar function, and 2,000 of a small tensor
 *   function, hold the JS heap (and the off-heap typed-array storage) flat;
 * - the reverse pass releases its records as the backward loop passes them: midway through a
 *   backward pass over 200 MB of saved intermediates, most of them are already collectable;
 * - a transformation that throws leaves nothing behind either.
 * The numbers are printed with the test output (`[memory]` lines).
 *
 * Also here, because it needs a child process too: a size the machine cannot allocate (under a
 * `ulimit -v`) is an `InvalidArgumentError`, not a `RangeError`.
 */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fluxionUrl as fluxion, root, runChild as run, scratchDir } from './helpers.ts'

const { dir, dispose } = scratchDir('fluxion-memory-')
afterAll(dispose)

/** Runs `body` in a fresh Node with `--expose-gc`; returns the JSON it prints last. */
const runChild = <T>(name: string, body: string): T => run<T>(dir, name, body, ['--expose-gc'])

const MB = 2 ** 20
const mb = (bytes: number) => `${(bytes / MB).toFixed(2)} MB`

/** Heap and typed-array storage after a full collection, in bytes. */
const measure = `
const gc = (globalThis as { gc?: () => void }).gc!
const settle = () => {
  gc()
  gc()
  const m = process.memoryUsage()
  return { heap: m.heapUsed, buffers: m.arrayBuffers }
}
`

interface Series {
  readonly heap: readonly number[]
  readonly buffers: readonly number[]
}

const growth = (xs: readonly number[]) => xs[xs.length - 1]! - xs[0]!
const peak = (xs: readonly number[]) => Math.max(...xs) - xs[0]!

describe('memory after transformations (child process, --expose-gc)', () => {
  it('100,000 grad calls of a scalar function and 2,000 of a tensor function hold the heap flat', () => {
    const out = runChild<{ scalar: Series; tensor: Series; last: number }>(
      'grad-loop',
      `
import { add, grad, mul, sin, sum, tensor } from '${fluxion}'
${measure}
const f = (x: number) => mul(sin(x), add(mul(x, x), 1))
const df = grad(f)
let last = 0
for (let i = 0; i < 10_000; i++) last = df(i / 10_000) // warm up: JIT, inline caches
const scalar = { heap: [] as number[], buffers: [] as number[] }
for (let round = 0; round <= 10; round++) {
  const m = settle()
  scalar.heap.push(m.heap)
  scalar.buffers.push(m.buffers)
  if (round < 10) for (let i = 0; i < 10_000; i++) last = df(i / 10_000)
}
const x = tensor(Array.from({ length: 64 }, (_, i) => i / 64))
const g = grad((v: typeof x) => sum(mul(v, sin(v))))
for (let i = 0; i < 200; i++) g(x)
const tensorSeries = { heap: [] as number[], buffers: [] as number[] }
for (let round = 0; round <= 10; round++) {
  const m = settle()
  tensorSeries.heap.push(m.heap)
  tensorSeries.buffers.push(m.buffers)
  if (round < 10) for (let i = 0; i < 200; i++) g(x)
}
console.log(JSON.stringify({ scalar, tensor: tensorSeries, last }))
`,
    )
    const { scalar, tensor } = out
    console.log(
      `[memory] 100,000 scalar grad calls: heap ${mb(scalar.heap[0]!)} → ${mb(scalar.heap.at(-1)!)} ` +
        `(growth ${mb(growth(scalar.heap))}, peak +${mb(peak(scalar.heap))}); ` +
        `typed arrays growth ${mb(growth(scalar.buffers))}`,
    )
    console.log(
      `[memory] 2,000 tensor grad calls: heap ${mb(tensor.heap[0]!)} → ${mb(tensor.heap.at(-1)!)} ` +
        `(growth ${mb(growth(tensor.heap))}, peak +${mb(peak(tensor.heap))}); ` +
        `typed arrays growth ${mb(growth(tensor.buffers))}`,
    )
    expect(Number.isFinite(out.last)).toBe(true)
    for (const s of [scalar, tensor]) {
      expect(growth(s.heap)).toBeLessThan(2 * MB)
      expect(peak(s.heap)).toBeLessThan(2 * MB)
      expect(growth(s.buffers)).toBeLessThan(2 * MB)
    }
  })

  it('nested and failing transformations leave nothing reachable either', () => {
    const out = runChild<{ heap: number[]; buffers: number[] }>(
      'nested-and-failing',
      `
import { grad, hessian, jvp, mul, sin, sum, tensor, vjp, vmap } from '${fluxion}'
${measure}
const x = tensor([0.1, 0.2, 0.3, 0.4])
const f = (v: typeof x) => sum(mul(v, sin(v)))
const once = () => {
  grad(grad(sin))(0.3)
  hessian(f)(x)
  jvp(grad(f), [x], [x])
  vjp(f, x)[1](1)
  vmap(grad(f))(tensor([[1, 2, 3, 4]]))
  try {
    grad((v: typeof x) => mul(v, 2))(x) // not a scalar: NonScalarOutputError
  } catch {}
  try {
    grad((y: number) => mul(y, y) + 1)(2) // a JS operator on a traced value
  } catch {}
}
for (let i = 0; i < 300; i++) once()
const heap: number[] = []
const buffers: number[] = []
for (let round = 0; round <= 5; round++) {
  const m = settle()
  heap.push(m.heap)
  buffers.push(m.buffers)
  if (round < 5) for (let i = 0; i < 300; i++) once()
}
console.log(JSON.stringify({ heap, buffers }))
`,
    )
    console.log(
      `[memory] 1,500 rounds of nested and failing transformations: heap growth ` +
        `${mb(growth(out.heap))}, typed arrays growth ${mb(growth(out.buffers))}`,
    )
    expect(growth(out.heap)).toBeLessThan(2 * MB)
    expect(growth(out.buffers)).toBeLessThan(2 * MB)
  })

  it('the backward loop releases each record as it passes it', () => {
    // y₀ = probe(x), yₖ₊₁ = sin(yₖ) for 200 steps on 2¹⁷ entries: each sin keeps its 1 MB input
    // for its pullback, 200 MB in all. `probe` is the identity with a custom pullback, so its
    // pullback runs last in the backward pass: there, every other record has been passed.
    const out = runChild<{ during: number; before: number; baseline: number; ok: boolean }>(
      'release',
      `
import { customVjp, grad, sin, sum, tensor, type Tensor } from '${fluxion}'
${measure}
const n = 2 ** 17
const steps = 200
let during = 0
const probe = customVjp(
  (x: Tensor) => x,
  (x: Tensor) => [x, null] as const,
  (_res: null, g: Tensor) => {
    during = settle().buffers
    return [g] as const
  },
)
let before = 0
const f = (x: Tensor) => {
  let y = probe(x)
  for (let i = 0; i < steps; i++) y = sin(y)
  before = settle().buffers // the forward pass is done: every record is still needed
  return sum(y)
}
const x = tensor(Array.from({ length: n }, (_, i) => i / n))
const baseline = settle().buffers
const g = grad(f)(x)
console.log(JSON.stringify({ during, before, baseline, ok: g.shape[0] === n }))
`,
    )
    const held = out.before - out.baseline
    const left = out.during - out.baseline
    console.log(
      `[memory] backward pass over ${mb(held)} of saved intermediates: ` +
        `${mb(left)} still held when the last record is reached`,
    )
    expect(out.ok).toBe(true)
    expect(held).toBeGreaterThan(150 * MB)
    // the cotangent in flight, the input, a few buffers: never the records already passed
    expect(left).toBeLessThan(16 * MB)
  })
})

describe('allocation failure (child process under ulimit -v)', () => {
  it.skipIf(process.platform === 'win32')(
    'a size the machine cannot provide is an InvalidArgumentError, not a RangeError',
    () => {
      const script = join(dir, 'allocate.ts')
      writeFileSync(
        script,
        `
import { InvalidArgumentError, zeros } from '${fluxion}'
let result = 'allocated'
try {
  zeros([2 ** 31 - 1]) // 16 GiB: within MAX_SIZE, beyond a 4 GB address-space limit
} catch (e) {
  result = e instanceof InvalidArgumentError ? (e as Error).message.split('\\n')[0]! : String(e)
}
console.log(JSON.stringify({ result }))
`,
      )
      // --jitless turns WebAssembly off, whose address-space reservation would not fit either
      const command = `ulimit -v 4000000 && exec "${process.execPath}" --jitless --import tsx --conditions @fluxion/source "${script}"`
      const child = spawnSync('sh', ['-c', command], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      })
      const last = child.stdout.trim().split('\n').pop() ?? '{}'
      const { result } = JSON.parse(last) as { result?: string }
      expect(result, child.stderr).toMatch(/cannot allocate 2147483647 float64 values/)
    },
  )
})
