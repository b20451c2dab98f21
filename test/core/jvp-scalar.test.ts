/**
 * Forward mode on plain numbers takes a fast path (src/core/jvp.ts: the primitive's scalar and
 * partial, no `bind`). Its tangents must be the bits of the general path, which a rank-0 tensor
 * takes (kernels, the `jvp` rule in fluxion ops): every elementwise primitive, at zeros of
 * both signs, infinities and NaN in the primal and the tangent.
 */

import { add, jit, jvp, mul, square, sub, type Tensor, tensor } from 'fluxion'
import { describe, expect, it } from 'vitest'
import { bind1, bind2 } from '../../src/core/bind.ts'
import { primitives } from '../../src/primitives/registry.ts'

const xs = [-2, -0.5, -0, 0, 0.25, 1, 3, Number.POSITIVE_INFINITY, Number.NaN]
const ts = [1, -0, 0, 2.5, Number.NEGATIVE_INFINITY, Number.NaN]

/** (primal, tangent) as numbers, or the error's name. */
const run = (f: () => [unknown, unknown]): [number, number] | string => {
  try {
    const [y, yDot] = f()
    const num = (v: unknown): number => (typeof v === 'number' ? v : (v as Tensor).item())
    return [num(y), num(yDot)]
  } catch (e) {
    return (e as Error).name
  }
}

const same = (a: [number, number] | string, b: [number, number] | string): boolean =>
  typeof a === 'string' || typeof b === 'string'
    ? a === b
    : Object.is(a[0], b[0]) && Object.is(a[1], b[1])

describe('forward mode on numbers agrees with the general path bit for bit', () => {
  const all = Object.values(primitives)
  it('unary elementwise primitives', () => {
    const unary = all.filter((p) => p.scalar1 !== undefined)
    expect(unary.length).toBeGreaterThan(20)
    for (const p of unary) {
      for (const x of xs) {
        for (const t of ts) {
          const f = (v: number | Tensor) => bind1(p, v, undefined) as number
          const fast = run(() => jvp(f, [x], [t]))
          const general = run(() => jvp(f, [tensor(x)], [tensor(t)]))
          if (!same(fast, general)) {
            throw new Error(`${p.name}(${x}) tangent ${t}: ${String(fast)} vs ${String(general)}`)
          }
        }
      }
    }
  })
  it('binary elementwise primitives, each argument traced or constant', () => {
    const binary = all.filter((p) => p.scalar2 !== undefined)
    expect(binary.length).toBeGreaterThan(10)
    for (const p of binary) {
      for (const a of xs) {
        for (const b of [-1.5, -0, 0, 2, Number.POSITIVE_INFINITY]) {
          for (const t of ts) {
            const cases: [string, () => [unknown, unknown], () => [unknown, unknown]][] = [
              [
                'both',
                () =>
                  jvp(
                    (u: number, v: number) => bind2(p, u, v, undefined) as number,
                    [a, b],
                    [t, 1.5],
                  ),
                () =>
                  jvp(
                    (u: Tensor, v: Tensor) => bind2(p, u, v, undefined) as Tensor,
                    [tensor(a), tensor(b)],
                    [tensor(t), tensor(1.5)],
                  ),
              ],
              [
                'first',
                () => jvp((u: number) => bind2(p, u, b, undefined) as number, [a], [t]),
                () =>
                  jvp(
                    (u: Tensor) => bind2(p, u, tensor(b), undefined) as Tensor,
                    [tensor(a)],
                    [tensor(t)],
                  ),
              ],
              [
                'second',
                () => jvp((v: number) => bind2(p, a, v, undefined) as number, [b], [t]),
                () =>
                  jvp(
                    (v: Tensor) => bind2(p, tensor(a), v, undefined) as Tensor,
                    [tensor(b)],
                    [tensor(t)],
                  ),
              ],
            ]
            for (const [which, fast, general] of cases) {
              const f = run(fast)
              const g = run(general)
              if (!same(f, g)) {
                throw new Error(
                  `${p.name}(${a}, ${b}) ${which} tangent ${t}: ${String(f)} vs ${String(g)}`,
                )
              }
            }
          }
        }
      }
    }
  })
})

describe('tangents of traced numbers', () => {
  it('a linear rule (add, sub) keeps a traced number’s tangent a number', () => {
    // under jit the primal is a staged number: its tangent, here the seed 1, must not become a
    // rank-0 tensor (then every later tangent is one, run by kernels, and cast back at the end)
    const f = jit((a: number) => jvp((x: number) => mul(square(sub(x, 10)), add(x, 2)), [a], [1]))
    const program = f.trace(2)
    expect(String(program)).not.toContain('f64[')
    expect(program.stats.kernels).toBe(0)
    const [y, yDot] = f(2)
    const [ye, yeDot] = jvp((x: number) => mul(square(sub(x, 10)), add(x, 2)), [2], [1])
    expect([y, yDot]).toEqual([ye, yeDot])
    expect(typeof yDot).toBe('number')
  })
})
