/**
 * The GradBench tool's evals (bench/gradbench) on tiny inputs, without the harness: each
 * function's protocol answer (output + one timing per run) and its derivative against a known
 * value or central differences, so the tool cannot rot unnoticed.
 */
import { jit, value } from 'fluxion'
import { describe, expect, it } from 'vitest'
import { module as det } from '../../bench/gradbench/evals/det.ts'
import { module as kmeans } from '../../bench/gradbench/evals/kmeans.ts'
import { module as llsq } from '../../bench/gradbench/evals/llsq.ts'
import { module as lse } from '../../bench/gradbench/evals/lse.ts'
import { module as ode } from '../../bench/gradbench/evals/ode.ts'
import {
  module as saddle,
  solve as saddleEager,
  solveLoop as saddleLoop,
} from '../../bench/gradbench/evals/saddle.ts'

const runs = { min_runs: 2, min_seconds: 0 }

/** Central differences of a scalar function of a list. */
const numericGradient = (f: (x: number[]) => number, x: number[], h = 1e-6): number[] =>
  x.map((_, i) => {
    const up = x.map((v, j) => (i === j ? v + h : v))
    const down = x.map((v, j) => (i === j ? v - h : v))
    return (f(up) - f(down)) / (2 * h)
  })

const closeAll = (actual: number[], expected: number[], tol: number): void => {
  expect(actual).toHaveLength(expected.length)
  actual.forEach((a, i) => {
    expect(Math.abs(a - expected[i]!)).toBeLessThanOrEqual(
      tol * Math.max(1, Math.abs(expected[i]!)),
    )
  })
}

describe('GradBench tool', () => {
  it('lse: the gradient is softmax, with one evaluate timing per run', () => {
    const x = [0.5, -1, 2, 0.25]
    const answer = lse.gradient({ x, ...runs })
    const total = x.reduce((s, v) => s + Math.exp(v), 0)
    closeAll(
      answer.output as number[],
      x.map((v) => Math.exp(v) / total),
      1e-12,
    )
    // one `evaluate` per run (and, under jit, one `compile` for the first call)
    const evaluate = answer.timings.filter((t) => t.name === 'evaluate')
    expect(evaluate).toHaveLength(2)
    expect(answer.timings.every((t) => t.nanoseconds >= 0)).toBe(true)
    expect(lse.primal({ x, ...runs }).output).toBeCloseTo(Math.log(total), 12)
  })

  it('llsq: the gradient matches central differences of the primal', () => {
    const x = [0.3, -0.2, 0.1, 0.05]
    const n = 7
    const primal = (v: number[]) => llsq.primal({ x: v, n, ...runs }).output as number
    const g = llsq.gradient({ x, n, ...runs }).output as number[]
    closeAll(g, numericGradient(primal, x), 1e-6)
  })

  it('det: the primal by minors and its gradient, the cofactor matrix det(A)·A⁻ᵀ', () => {
    const A = [2, -1, 0, 1, 3, 1, 0.5, 1, 4]
    const d = 2 * (12 - 1) + 1 * (4 - 0.5) + 0
    expect(det.primal({ A, ell: 3, ...runs }).output).toBeCloseTo(d, 12)
    const cofactors = [11, -3.5, -0.5, 4, 8, -2.5, -1, -2, 7]
    closeAll(det.gradient({ A, ell: 3, ...runs }).output as number[], cofactors, 1e-12)
  })

  it('ode: the gradient of the last component matches central differences', () => {
    const x = [0.4, 0.8, -0.3, 0.6]
    const last = (v: number[]) => (ode.primal({ x: v, s: 3, ...runs }).output as number[])[3]!
    const g = ode.gradient({ x, s: 3, ...runs }).output as number[]
    closeAll(g, numericGradient(last, x), 1e-6)
  })

  it('kmeans: J ⊘ H is the step to each cluster mean', () => {
    const points = [
      [0, 0],
      [1, 0],
      [5, 5],
      [6, 7],
    ]
    const centroids = [
      [0.2, 0.1],
      [5, 6],
    ]
    expect(kmeans.cost({ points, centroids, ...runs }).output).toBeCloseTo(
      0.04 + 0.01 + 0.64 + 0.01 + 1 + 2,
      12,
    )
    // dir = C − mean of the points closest to C
    const dir = (kmeans.dir({ points, centroids, ...runs }).output as number[][]).flat()
    closeAll(dir, [0.2 - 0.5, 0.1, 5 - 5.5, 0], 1e-12)
  })

  it("saddle: nested reverse-over-reverse hits GradBench's answer", () => {
    // the other nestings give the same answer (the harness run checks them); each takes ~1 s
    const expected = 8.246324826140356e-6
    for (const fn of ['rr'] as const) {
      const out = saddle[fn]({ start: [1, 1], min_runs: 1, min_seconds: 0 }).output as number[]
      closeAll(out, [expected, expected, expected, expected], 1e-9)
    }
  }, 20_000)

  it('saddle: the jitted whileLoop and masked-scan searches repeat the JS loops bit for bit', () => {
    const eager = saddleEager('r', 'r', [1, 1])
    const loop = jit(saddleLoop('r', 'r'))([1, 1]).map((v) => value(v))
    expect(loop).toEqual(eager)
    // a bound too small for the inner search: NaN (the tool then runs the JS loops), not another answer
    const short = jit(saddleLoop('r', 'r', 100))([1, 1]).map((v) => value(v))
    expect(short.every(Number.isNaN)).toBe(true)
  }, 30_000)
})
