/**
 * Eager speed (issue #16 §2): scalar reverse mode and forward mode per op at 10³–10⁶ ops, and
 * `stack`/`concat` on an inner axis against axis 0. Run from the sources:
 * `npx tsx --conditions @fluxion/source bench/eager-speed.ts [reverse|forward|stack]`.
 * Best of several batches of CPU time (the machine is shared), each result checked first.
 */
import { add, concat, grad, jvp, mul, sin, stack, sum, type Tensor, tensor } from 'fluxion'

const chain =
  (n: number) =>
  (x: number): number => {
    let y = x
    for (let i = 0; i < n; i++) {
      const r = i % 3
      y = r === 0 ? sin(y) : r === 1 ? mul(y, 0.9) : add(y, x)
    }
    return y
  }

const plain = (n: number, x: number): number => {
  let y = x
  for (let i = 0; i < n; i++) {
    const r = i % 3
    y = r === 0 ? Math.sin(y) : r === 1 ? y * 0.9 : y + x
  }
  return y
}

const derivative = (n: number, x: number): number => {
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

/**
 * Best CPU time per call (ms, user + system: the process's own time, which the other jobs of a
 * shared machine disturb far less than wall time) over `batches` batches of about `ms` each.
 */
const best = (fn: () => unknown, batches: number, ms: number): number => {
  let reps = 1
  for (;;) {
    const t = performance.now()
    for (let i = 0; i < reps; i++) fn()
    if (performance.now() - t > ms / 4 || reps > 1e6) break
    reps *= 2
  }
  let min = Number.POSITIVE_INFINITY
  for (let b = 0; b < batches; b++) {
    const t = process.cpuUsage()
    for (let i = 0; i < reps; i++) fn()
    const used = process.cpuUsage(t)
    min = Math.min(min, (used.user + used.system) / 1e3 / reps)
  }
  return min
}

const check = (got: number, want: number, what: string): void => {
  if (!(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)))) {
    throw new Error(`${what}: got ${got}, want ${want}`)
  }
}

const x0 = 0.7
const sizes = [1_000, 10_000, 100_000, 1_000_000]
const which = process.argv[2] ?? 'all'

if (which === 'all' || which === 'reverse' || which === 'forward') {
  const rows: string[] = [
    '| ops | plain JS | grad | grad − plain | jvp | jvp − plain |',
    '|---|---|---|---|---|---|',
  ]
  for (const n of sizes) {
    const f = chain(n)
    const df = grad(f)
    check(df(x0), derivative(n, x0), `grad n=${n}`)
    const fwd = (): number => jvp(f, [x0], [1])[1]
    check(fwd(), derivative(n, x0), `jvp n=${n}`)
    const batches = n >= 1e6 ? 5 : 10
    const tPlain = (best(() => plain(n, x0), batches, 50) * 1e6) / n
    const tRev = which === 'forward' ? Number.NaN : (best(() => df(x0), batches, 100) * 1e6) / n
    const tFwd = which === 'reverse' ? Number.NaN : (best(fwd, batches, 100) * 1e6) / n
    const f1 = (v: number): string => v.toFixed(1)
    rows.push(
      `| ${n} | ${f1(tPlain)} | ${f1(tRev)} | ${f1(tRev - tPlain)} | ${f1(tFwd)} | ${f1(tFwd - tPlain)} |`,
    )
  }
  console.log('ns/op, scalar sin/mul/add chain, best of batches')
  console.log(rows.join('\n'))
}

if (which === 'all' || which === 'stack') {
  const parts: Tensor[] = Array.from({ length: 100 }, (_, k) =>
    tensor(Float64Array.from({ length: 1000 }, (_, i) => Math.sin(k * 1000 + i))),
  )
  const mats: Tensor[] = Array.from({ length: 100 }, (_, k) =>
    tensor(
      Float64Array.from({ length: 1000 }, (_, i) => Math.cos(k * 1000 + i)),
      [10, 100],
    ),
  )
  const rows: string[] = ['| op | axis 0 | inner axis | ratio |', '|---|---|---|---|']
  // a and b alternate batch by batch, so a burst of load on the shared machine hits both
  const pair = (name: string, a: () => Tensor, b: () => Tensor): void => {
    let ta = Number.POSITIVE_INFINITY
    let tb = Number.POSITIVE_INFINITY
    for (let round = 0; round < 15; round++) {
      ta = Math.min(ta, best(a, 2, 20) * 1e3)
      tb = Math.min(tb, best(b, 2, 20) * 1e3)
    }
    rows.push(`| ${name} | ${ta.toFixed(1)} µs | ${tb.toFixed(1)} µs | ${(tb / ta).toFixed(2)} |`)
  }
  // results checked against an element read by hand
  const s1 = stack(parts, 1)
  if (s1.data[5 * 100 + 7] !== parts[7]!.data[5]) throw new Error('stack axis 1 wrong')
  const c1 = concat(mats, 1)
  if (c1.data[3 * 10_000 + 7 * 100 + 9] !== mats[7]!.data[3 * 100 + 9])
    throw new Error('concat axis 1 wrong')
  pair(
    'stack 100 × [1000], axis 1 vs 0',
    () => stack(parts, 0),
    () => stack(parts, 1),
  )
  pair(
    'concat 100 × [10, 100], axis 1 vs 0',
    () => concat(mats, 0),
    () => concat(mats, 1),
  )
  // reverse mode: the pullback slices the cotangent back into the parts along the same axis
  const w = (ax: number): Tensor => (ax === 0 ? stack(parts, 0) : stack(parts, 1))
  const gradStack = (ax: number) => {
    const weights = w(ax)
    return grad((xs: Tensor[]) => sum(mul(stack(xs, ax), weights)))
  }
  const g0 = gradStack(0)
  const g1 = gradStack(1)
  if (g1(parts)[7]!.data[5] !== parts[7]!.data[5]) throw new Error('grad of stack axis 1 wrong')
  pair(
    'grad of stack, axis 1 vs 0',
    () => g0(parts)[0]!,
    () => g1(parts)[0]!,
  )
  console.log('stack/concat, best of 30 batches, the two axes alternating')
  console.log(rows.join('\n'))
}
