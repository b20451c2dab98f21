/**
 * Every elementwise lowering (src/jit/lower.ts) is what `jit` computes inline in fused loops and
 * in the scalar interpreter in place of the primitive's scalar kernel, so the two must agree to
 * the bit — at ±0, ±∞, NaN, tiny and huge values, and random points — for every primitive in the
 * table; the reads in place (slice, pad, broadcastTo) agree with the kernels on every element.
 */
import fc from 'fast-check'
import type { Floats } from 'fluxion'
import { describe, expect, it } from 'vitest'
import { toSource } from '../../src/jit/emit/source.ts'
import { type Lowering, loweringOf, lowerings, readOf } from '../../src/jit/lower.ts'
import { type PrimitiveName, primitives } from '../../src/primitives/registry.ts'
import { Tensor } from '../../src/tensor/tensor.ts'

const points = [-0, 0, 1, -1, 0.5, -2.75, 3e-310, 1e300, -1e300, Infinity, -Infinity, Number.NaN]
const names = Object.keys(lowerings) as PrimitiveName[]
const elementwise = names.filter((n) => lowerings[n]!.kind === 'elementwise')

/** A lowering as a JS function of its operands. */
const compiled = (l: Lowering<never>, arity: number): ((...xs: number[]) => number) => {
  if (l.kind !== 'elementwise') throw new Error('not elementwise')
  const args = ['a', 'b', 'c'].slice(0, arity)
  return new Function(...args, `return ${toSource(l.expr, { args })}`) as (
    ...xs: number[]
  ) => number
}

describe('lowerings agree with scalar kernels to the bit', () => {
  it('the elementwise arithmetic and the common transcendental functions have one', () => {
    expect(elementwise).toEqual(
      expect.arrayContaining(['add', 'sub', 'mul', 'div', 'neg', 'square', 'exp', 'tanh']),
    )
    expect(names).toEqual(expect.arrayContaining(['slice', 'pad']))
  })

  it('every entry names a registry primitive of its kind', () => {
    for (const n of names) {
      const p = primitives[n]
      expect(loweringOf(p), n).toBe(lowerings[n])
      // (where, of three operands, is checked against its impl on numbers)
      if (lowerings[n]!.kind === 'elementwise' && n !== 'where') {
        expect(p.scalar1 !== undefined || p.scalar2 !== undefined, n).toBe(true)
      }
    }
    // a record of the same name that is not the registry's has no lowering
    expect(loweringOf({ ...primitives.exp })).toBeUndefined()
  })

  it.each(elementwise)('%s', (name) => {
    const p = primitives[name]
    if (name === 'where') {
      const f = compiled(lowerings[name]!, 3)
      const impl = (c: number, a: number, b: number) => p.impl([c, a, b], undefined) as number
      // the condition at every special point (±0 select b, NaN selects a), distinct branches
      for (const c of points) {
        for (const a of points) {
          expect(Object.is(f(c, a, 7), impl(c, a, 7)), `where(${c}, ${a}, 7)`).toBe(true)
          expect(Object.is(f(c, 7, a), impl(c, 7, a)), `where(${c}, 7, ${a})`).toBe(true)
        }
      }
      fc.assert(
        fc.property(fc.double(), fc.double(), fc.double(), (c, a, b) =>
          Object.is(f(c, a, b), impl(c, a, b)),
        ),
      )
    } else if (p.scalar1 !== undefined) {
      const f = compiled(lowerings[name]!, 1)
      for (const a of points) expect(Object.is(f(a), p.scalar1(a)), `${name}(${a})`).toBe(true)
      fc.assert(fc.property(fc.double(), (a) => Object.is(f(a), p.scalar1!(a))))
    } else {
      const f = compiled(lowerings[name]!, 2)
      for (const a of points) {
        for (const b of points) {
          expect(Object.is(f(a, b), p.scalar2!(a, b)), `${name}(${a}, ${b})`).toBe(true)
        }
      }
      fc.assert(
        fc.property(fc.double(), fc.double(), (a, b) => Object.is(f(a, b), p.scalar2!(a, b))),
      )
    }
  })

  /** Every element of a read in place, against the kernel's output. */
  const checkRead = (name: 'slice' | 'pad' | 'broadcastTo', params: unknown, x: Tensor): void => {
    const p = primitives[name]
    const at = readOf(p, params, x.shape)
    expect(at, name).toBeDefined()
    const f = new Function(
      'a',
      'r',
      'j',
      `return ${toSource(at!, { args: [], data: 'a', row: 'r', column: 'j' })}`,
    ) as (a: Floats, r: number, j: number) => number
    const y = p.impl([x], params) as Tensor
    const columns = y.shape[y.shape.length - 1]!
    for (let i = 0; i < y.size; i++) {
      const got = f(x.data, Math.floor(i / columns), i % columns)
      expect(Object.is(got, y.data[i]), `${name} element ${i}`).toBe(true)
    }
  }

  it('slice and pad read in place as their kernels', () => {
    const x = new Tensor(
      Float64Array.from({ length: 12 }, (_, i) => i - 5.5),
      [3, 4],
    )
    checkRead('slice', { starts: [0, 1], ends: [3, 4], steps: [1, 1] }, x)
    checkRead('slice', { starts: [0, 3], ends: [3, -1], steps: [1, -2] }, x)
    checkRead('pad', { lo: [0, 2], hi: [0, 1], interior: [0, 0], value: -0 }, x)
    checkRead('pad', { lo: [0, 1], hi: [0, 0], interior: [0, 0], value: Number.NaN }, x)
    const v = new Tensor(Float64Array.from([1, 2, 3]), [3])
    checkRead('slice', { starts: [2], ends: [-1], steps: [-1] }, v)
    checkRead('pad', { lo: [1], hi: [2], interior: [0], value: Number.NEGATIVE_INFINITY }, v)
    // not along the last axis only: no read in place
    expect(
      readOf(primitives.slice, { starts: [1, 0], ends: [3, 4], steps: [1, 1] }, x.shape),
    ).toBeUndefined()
    expect(
      readOf(primitives.pad, { lo: [0, 1], hi: [0, 0], interior: [0, 1], value: 0 }, x.shape),
    ).toBeUndefined()
  })

  it('broadcastTo reads a repeated row, a repeated column or one element in place', () => {
    const row = new Tensor(Float64Array.from([1, -0, Number.NaN, 4]), [1, 4])
    checkRead('broadcastTo', { shape: [3, 4] }, row)
    checkRead('broadcastTo', { shape: [2, 3, 4] }, row)
    checkRead('broadcastTo', { shape: [2, 3, 4] }, new Tensor(row.data, [4]))
    const column = new Tensor(Float64Array.from([1, -2, Number.POSITIVE_INFINITY]), [3, 1])
    checkRead('broadcastTo', { shape: [3, 5] }, column)
    const block = new Tensor(
      Float64Array.from({ length: 6 }, (_, i) => i - 2.5),
      [2, 3, 1],
    )
    checkRead('broadcastTo', { shape: [2, 3, 2] }, block)
    checkRead('broadcastTo', { shape: [2, 3] }, new Tensor(Float64Array.from([-0]), [1, 1]))
    // a repeat along a middle axis, or a column under new leading axes: not one index
    expect(readOf(primitives.broadcastTo, { shape: [2, 3, 4] }, [2, 1, 4])).toBeUndefined()
    expect(readOf(primitives.broadcastTo, { shape: [2, 3, 4] }, [3, 1])).toBeUndefined()
  })
})
