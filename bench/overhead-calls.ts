/**
 * The per-call overhead group (issue #16 §2): what a transformation costs per call, beyond the
 * ops it records, on a function so small (10 scalar ops on two numbers) that the fixed cost of
 * the call dominates. Each transformed function is built once, outside the timed call, as a
 * user would, and called `calls` times per timed iteration; the table reports ns per call and
 * the ratio to calling the plain function (fluxion ops on numbers).
 */
import { add, cos, grad, jacfwd, jacrev, jvp, mul, sin, valueAndGrad, vjp } from 'fluxion'
import type { Group } from './harness.ts'
import { near } from './rosenbrock.ts'

/** 10 scalar ops of two arguments. */
export const small = (x: number, y: number): number => {
  const a = sin(x)
  const c = add(mul(a, y), x)
  const e = mul(c, cos(y))
  const i = add(mul(sin(e), x), y)
  return add(mul(i, i), a)
}

/** `small` and its derivative in x, by forward mode by hand. */
export const smallByHand = (x: number, y: number): [number, number] => {
  const a = Math.sin(x)
  const aDot = Math.cos(x)
  const c = a * y + x
  const cDot = aDot * y + 1
  const d = Math.cos(y)
  const e = c * d
  const eDot = cDot * d
  const g = Math.sin(e)
  const gDot = Math.cos(e) * eDot
  const i = g * x + y
  const iDot = gDot * x + g
  return [i * i + a, 2 * i * iDot + aDot]
}

const x0 = 0.7
const y0 = 1.3
const calls = 100

/** Calls `fn` `calls` times and returns the last result. */
const repeat =
  (fn: () => number): (() => number) =>
  () => {
    let r = 0
    for (let k = 0; k < calls; k++) r = fn()
    return r
  }

export const perCallGroup = (): Group => {
  const [value, dx] = smallByHand(x0, y0)
  const g = grad(small)
  const vg = valueAndGrad(small)
  const jf = jacfwd(small)
  const jr = jacrev(small)
  const tasks: [string, () => number, number][] = [
    ['plain f', () => small(x0, y0), value],
    ['grad(f)', () => g(x0, y0), dx],
    ['valueAndGrad(f)', () => vg(x0, y0)[1], dx],
    ['jvp(f)', () => jvp(small, [x0, y0], [1, 0])[1], dx],
    ['vjp(f) + pullback', () => vjp(small, x0, y0)[1](1)[0], dx],
    ['jacfwd(f)', () => jf(x0, y0), dx],
    ['jacrev(f)', () => jr(x0, y0), dx],
  ]
  return {
    title: 'per-call overhead, f(x, y) of 10 scalar ops (ns/call)',
    baseline: 'plain f',
    tasks: tasks.map(([name, fn, want]) => ({
      name,
      fn: repeat(fn),
      validate: () => near([fn()], [want], 1e-12),
      units: calls,
      unitName: 'call',
    })),
  }
}
