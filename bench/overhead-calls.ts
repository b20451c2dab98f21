/**
 * The per-call overhead group (issue #16 §2): what a transformation costs per call, beyond the
 * ops it records, on a function so small (10 scalar ops on two numbers) that the fixed cost of
 * the call dominates. Each transformed function is built once, outside the timed call, as a
 * user would, and called `calls` times per timed iteration; the table reports ns per call and
 * the ratio to calling the plain function (fluxion ops on numbers).
 */
import {
  add,
  cos,
  grad,
  jacfwd,
  jacrev,
  jit,
  jvp,
  mul,
  sin,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
  vjp,
  vmap,
} from 'fluxion'
import { type Group, warmUp, warmUpMs } from './harness.ts'
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

/** f(x) = x ⊙ sin(x) + (Σ x²)·x, a 3 → 3 map with a dense Jacobian. */
const tiny = (x: Tensor): Tensor => add(mul(x, sin(x)), mul(sum(mul(x, x)), x))

/** Jacobians of `tiny` by hand, for `m` problems of 3 in a row: Jᵢⱼ = δᵢⱼ(sin xᵢ + xᵢ cos xᵢ + S) + 2xᵢxⱼ. */
const tinyJacobians = (xs: Float64Array, m: number): Float64Array => {
  const out = new Float64Array(m * 9)
  for (let p = 0; p < m; p++) {
    const o = 3 * p
    const s = xs[o]! * xs[o]! + xs[o + 1]! * xs[o + 1]! + xs[o + 2]! * xs[o + 2]!
    for (let i = 0; i < 3; i++) {
      const xi = xs[o + i]!
      for (let j = 0; j < 3; j++) {
        let v = 2 * xi * xs[o + j]!
        if (i === j) v += Math.sin(xi) + xi * Math.cos(xi) + s
        out[9 * p + 3 * i + j] = v
      }
    }
  }
  return out
}

/** `vmap(jacfwd(f))` over many tiny problems, against a loop of hand-derived Jacobians. */
export const manySmallGroup = (m: number): Group => {
  const xs = Float64Array.from({ length: 3 * m }, (_, k) => Math.sin(k) * 0.9)
  const X = tensor(xs, [m, 3])
  const jac = vmap(jacfwd(tiny))
  const jacJit = jit(vmap(jacfwd(tiny)))
  const want = tinyJacobians(xs, m)
  return {
    title: `per-call overhead, vmap(jacfwd(f)) over ${m} problems of a 3 → 3 map`,
    baseline: 'hand-derived Jacobians (plain JS loop)',
    tasks: [
      {
        name: 'hand-derived Jacobians (plain JS loop)',
        fn: () => tinyJacobians(xs, m),
        validate: () => {},
      },
      {
        name: 'vmap(jacfwd(f))',
        fn: () => jac(X),
        validate: () => near(jac(X).data, want, 1e-12),
      },
      {
        // one program: the basis products read their broadcast operands in the fused loops
        name: 'jit(vmap(jacfwd(f)))',
        setup: warmUp(() => jacJit(X), warmUpMs(true)),
        fn: () => jacJit(X),
        validate: () => near(jacJit(X).data, want, 1e-12),
      },
    ],
  }
}
