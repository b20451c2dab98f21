/**
 * A primitive's `expression` is what `jit` writes inline into fused loops in place of its scalar
 * kernel, so the two must agree to the bit — at ordinary points and at ±0, ±∞ and NaN — for
 * every primitive that has one.
 */
import { describe, expect, it } from 'vitest'
import { primitiveNames, primitives } from '../../src/primitives/registry.ts'

const points = [-0, 0, 1, -1, 0.5, -2.75, 3e-310, 1e300, -1e300, Infinity, -Infinity, Number.NaN]
const withExpression = primitiveNames.filter((n) => primitives[n].expression !== undefined)

describe('expressions agree with scalar kernels to the bit', () => {
  it('the elementwise arithmetic and the common transcendental functions have one', () => {
    expect(withExpression).toEqual(
      expect.arrayContaining(['add', 'sub', 'mul', 'div', 'neg', 'square', 'exp', 'tanh']),
    )
  })

  it.each(withExpression)('%s', (name) => {
    const p = primitives[name]
    if (p.scalar1 !== undefined) {
      const f = new Function('a', `return ${p.expression!(['a'])}`) as (a: number) => number
      for (const a of points) expect(Object.is(f(a), p.scalar1(a)), `${name}(${a})`).toBe(true)
    } else {
      const f = new Function('a', 'b', `return ${p.expression!(['a', 'b'])}`) as (
        a: number,
        b: number,
      ) => number
      for (const a of points) {
        for (const b of points) {
          expect(Object.is(f(a, b), p.scalar2!(a, b)), `${name}(${a}, ${b})`).toBe(true)
        }
      }
    }
  })
})
