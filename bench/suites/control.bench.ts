/**
 * Control flow (issue #15): a 1000-step simulation — a damped spring on a vector of 256
 * positions, x ← x + h·v, v ← v − h·(k·x + c·v), the positions stacked as ys — written with
 * `scan`, beside the same loop in plain JS on Float64Arrays (the baseline) and the same loop
 * written as a JS `for` over fluxion ops (what `jit` had to unroll before `scan`).
 *
 * The unrolled JS loop returns only the final positions (no stacked ys), so all 1000 steps fuse
 * into a few loops over 256 elements: a bound no loop that stores every step can reach.
 *
 * Two groups: the replay of the compiled program (after warm-up), and the first call — trace,
 * compile and one run of a fresh `jit` — where the scan's body is traced once while the JS loop
 * is traced 1000 times. Targets: first call < 50 ms; the replay within 3× of plain JS.
 */
import { add, jit, mul, scan, sub, type Tensor, tensor } from 'fluxion'
import { type Group, warmUp } from '../harness.ts'
import { lazy, wave } from '../kernels.ts'
import { near } from './higher.bench.ts'

const [H, K, C] = [0.01, 4, 0.3]

const spring = (x: Tensor, v: Tensor): [Tensor, Tensor] => {
  const x1 = add(x, mul(v, H))
  const v1 = sub(v, mul(add(mul(x, K), mul(v, C)), H))
  return [x1, v1]
}

/** The simulation by scan: final positions and every step's positions. */
const byScan = (x0: Tensor, v0: Tensor, steps: number, unroll = 1): [Tensor, Tensor] => {
  const [[x], ys] = scan(
    ([x, v]: readonly [Tensor, Tensor]) => {
      const next = spring(x, v)
      return [next, next[0]] as const
    },
    [x0, v0] as const,
    null,
    { length: steps, unroll },
  )
  return [x, ys as Tensor]
}

/** The simulation as a JS loop over fluxion ops (jit unrolls it). */
const byLoop = (x0: Tensor, v0: Tensor, steps: number): Tensor => {
  let [x, v] = [x0, v0]
  for (let i = 0; i < steps; i++) [x, v] = spring(x, v)
  return x
}

/** The same in plain JS, in place (the hand-written loop to beat). */
const plain = (
  x0: Float64Array,
  v0: Float64Array,
  steps: number,
): { x: Float64Array; ys: Float64Array } => {
  const n = x0.length
  const [x, v] = [x0.slice(), v0.slice()]
  const ys = new Float64Array(steps * n)
  for (let s = 0, at = 0; s < steps; s++) {
    for (let i = 0; i < n; i++, at++) {
      const [xi, vi] = [x[i]!, v[i]!]
      x[i] = xi + vi * H
      v[i] = vi - (xi * K + vi * C) * H
      ys[at] = x[i]!
    }
  }
  return { x, ys }
}

export const controlGroups = (quick: boolean): Group[] => {
  const steps = 1000
  const n = quick ? 64 : 256
  const data = lazy(() => {
    const x0 = wave(n, 1, 0.3)
    const v0 = wave(n, 0.5, 1.1)
    return { x0, v0, xt: tensor(x0), vt: tensor(v0), ref: plain(x0, v0, steps) }
  })
  const scanned = jit((x: Tensor, v: Tensor) => byScan(x, v, steps))
  const looped = jit((x: Tensor, v: Tensor) => byLoop(x, v, steps))
  const unrolled = jit((x: Tensor, v: Tensor) => byScan(x, v, steps, 8))
  const check = (x: Tensor, what: string) => near(x.data, data().ref.x, 1e-12, what, 1e-3)
  const label = `${steps} steps of a spring on ${n} positions`
  return [
    {
      title: `control: scan simulation, replay (${label})`,
      baseline: 'plain JS loop',
      tasks: [
        {
          name: 'plain JS loop',
          fn: () => plain(data().x0, data().v0, steps),
          validate: () => {},
        },
        {
          name: 'jit(scan)',
          fn: () => scanned(data().xt, data().vt),
          setup: warmUp(() => scanned(data().xt, data().vt), 1000),
          validate: () => {
            const [x, ys] = scanned(data().xt, data().vt)
            check(x, 'jit(scan) x')
            near(ys.data, data().ref.ys, 1e-12, 'jit(scan) ys', 1e-3)
          },
        },
        {
          name: 'jit(scan, unroll 8)',
          fn: () => unrolled(data().xt, data().vt),
          setup: warmUp(() => unrolled(data().xt, data().vt), 1000),
          validate: () => {
            const [x, ys] = unrolled(data().xt, data().vt)
            check(x, 'jit(scan, unroll 8) x')
            near(ys.data, data().ref.ys, 1e-12, 'jit(scan, unroll 8) ys', 1e-3)
          },
        },
        {
          name: 'jit(JS loop, unrolled; final x only)',
          fn: () => looped(data().xt, data().vt),
          setup: warmUp(() => looped(data().xt, data().vt), 1000),
          validate: () => check(looped(data().xt, data().vt), 'jit(loop)'),
        },
        {
          name: 'scan, eager',
          fn: () => byScan(data().xt, data().vt, steps),
          validate: () => check(byScan(data().xt, data().vt, steps)[0], 'scan'),
        },
      ],
    },
    {
      title: `control: first call of a fresh jit — trace, compile, run (${label})`,
      baseline: 'jit(scan)',
      tasks: [
        {
          name: 'jit(scan)',
          fn: () => jit((x: Tensor, v: Tensor) => byScan(x, v, steps))(data().xt, data().vt),
          validate: () =>
            check(
              jit((x: Tensor, v: Tensor) => byScan(x, v, steps))(data().xt, data().vt)[0],
              'first',
            ),
        },
        {
          name: 'jit(JS loop, unrolled; final x only)',
          fn: () => jit((x: Tensor, v: Tensor) => byLoop(x, v, steps))(data().xt, data().vt),
          validate: () =>
            check(
              jit((x: Tensor, v: Tensor) => byLoop(x, v, steps))(data().xt, data().vt),
              'first',
            ),
        },
        {
          name: 'eager JS loop',
          fn: () => byLoop(data().xt, data().vt, steps),
          validate: () => check(byLoop(data().xt, data().vt, steps), 'eager'),
        },
      ],
    },
  ]
}
