/**
 * W5 (issue: Taylor-mode higher order; once part of higher.bench.ts, which keeps checkpointing):
 * derivatives of order 1, 2, 4, 6, 8 of f(x) = exp(sin x)·x, by Taylor mode (`derivative(f, k)`),
 * by Taylor mode under `jit` (its own group, warmed up before timing) and by k nested `grad`s.
 * Each group's baseline is order 2, so the ratio column of order 8 is the order-8/order-2 cost
 * ratio: about (9/3)² ≈ 9 for O(k²) Taylor mode, about 2⁶ = 64 for nested grads. Each
 * `derivative` result, compiled or not, is validated against the nested-grad value computed once
 * (and orders 1 and 2 against their closed forms), each nested-grad result against the Taylor
 * value.
 */
import { derivative, exp, grad, jit, mul, sin } from 'fluxion'
import { type Group, type Task, warmUp, warmUpMs } from '../harness.ts'
import { near } from './higher.bench.ts'

/** W5: f(x) = exp(sin x)·x. */
export const w5 = (x: number) => mul(exp(sin(x)), x)
const w5Orders: readonly number[] = [1, 2, 4, 6, 8]
export const w5At = 0.7

export const nestedGrad = (f: (x: number) => number, k: number): ((x: number) => number) => {
  let g = f
  for (let i = 0; i < k; i++) g = grad(g)
  return g
}

/** Closed forms: f′ = e^{sin x}(1 + x cos x), f″ = e^{sin x}(cos x(1 + x cos x) + cos x − x sin x). */
export const w5ClosedForm = (k: number, x: number): number | undefined => {
  const [s, c, e] = [Math.sin(x), Math.cos(x), Math.exp(Math.sin(x))]
  if (k === 1) return e * (1 + x * c)
  if (k === 2) return e * (c * (1 + x * c) + c - x * s)
  return undefined
}

/** The W5 groups; `warm`: the warm-up of each compiled task (ms). */
const w5Groups = (warm: number): Group[] => {
  const taylorFns = new Map(w5Orders.map((k) => [k, derivative(w5, k)]))
  const jitFns = new Map(w5Orders.map((k) => [k, jit(derivative(w5, k))]))
  const nestedFns = new Map(w5Orders.map((k) => [k, nestedGrad(w5, k)]))
  // references, computed once: each method is validated against the other (and closed forms)
  const nestedValues = new Map(w5Orders.map((k) => [k, nestedFns.get(k)!(w5At)]))
  const taylorValues = new Map(w5Orders.map((k) => [k, taylorFns.get(k)!(w5At)]))
  const checkClosed = (k: number, v: number): void => {
    const closed = w5ClosedForm(k, w5At)
    if (closed !== undefined) near([v], [closed], 1e-13, `order ${k} vs closed form`)
  }
  const taylorTask = (k: number, jitted: boolean): Task => {
    const d = (jitted ? jitFns : taylorFns).get(k)!
    const run = () => d(w5At)
    return {
      name: jitted ? `jit(derivative(f, ${k}))` : `derivative(f, ${k})`,
      ...(jitted ? { setup: warmUp(run, warm) } : {}),
      fn: run,
      validate: () => {
        const v = run()
        near([v], [nestedValues.get(k)!], 1e-12, `order ${k} vs nested grads`)
        checkClosed(k, v)
      },
    }
  }
  const nestedTask = (k: number): Task => ({
    name: `${k} nested grads`,
    fn: () => nestedFns.get(k)!(w5At),
    validate: () => {
      const v = nestedFns.get(k)!(w5At)
      near([v], [taylorValues.get(k)!], 1e-12, `order ${k} vs derivative`)
      checkClosed(k, v)
    },
  })
  return [
    {
      title: 'W5 Taylor mode: derivative(f, k), f = exp(sin x)·x',
      baseline: 'derivative(f, 2)',
      tasks: w5Orders.map((k) => taylorTask(k, false)),
    },
    {
      // apart, so that each group's order-8/order-2 ratio reads as one method's
      title: 'W5 Taylor mode under jit: jit(derivative(f, k)), f = exp(sin x)·x',
      baseline: 'jit(derivative(f, 2))',
      tasks: w5Orders.map((k) => taylorTask(k, true)),
    },
    {
      title: 'W5 nested grads: grad∘…∘grad f (k times), f = exp(sin x)·x',
      baseline: '2 nested grads',
      tasks: w5Orders.map(nestedTask),
    },
  ]
}

/** The W5 suite. */
export const taylorGroups = (quick: boolean): Group[] => w5Groups(warmUpMs(quick))
