/**
 * Lowerings specialized to operands known when the loop is generated (`specialized`,
 * src/jit/lower.ts): for every known constant and every value of the other operand — ±0, ±∞,
 * NaN, subnormals, values whose product underflows or overflows, random doubles — the simplified
 * expression gives the scalar kernel's number to the bit, with the constant on either side. And
 * the plan knows the constants W1's gradient reads as one number (`Plan.known`).
 */
import fc from 'fast-check'
import {
  add,
  div,
  full,
  grad,
  jit,
  mul,
  safeMul,
  slice,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
} from 'fluxion'
import { describe, expect, it } from 'vitest'
import { toSource } from '../../src/jit/emit/source.ts'
import { type ScalarExpr, specialized } from '../../src/jit/lower.ts'
import { dce } from '../../src/jit/passes/dce.ts'
import { fuse } from '../../src/jit/passes/fuse.ts'
import { primitives } from '../../src/primitives/registry.ts'
import { traceOf } from './helpers.ts'

const constants = [
  0,
  -0,
  1,
  -1,
  2,
  -2.75,
  100,
  0.5,
  -0.5,
  1e-300,
  -1e-300,
  3e-310,
  -3e-310,
  1e300,
  -1e300,
  Number.MIN_VALUE,
  Number.MAX_VALUE,
  Infinity,
  -Infinity,
  Number.NaN,
]
// b values whose product with some constant above underflows to ±0 or overflows to ±∞ included
const others = [...constants, 1e-20, -1e-20, 1e-310, -1e-310, 5e-324, -5e-324, 1e10, -1e10]

type Binary = (a: number, b: number) => number

const compiled = (e: ScalarExpr): Binary =>
  new Function('a', 'b', `return ${toSource(e, { args: ['a', 'b'] })}`) as Binary

/** Whether the expression tests a value (a branch per element). */
const branches = (e: ScalarExpr): boolean => {
  switch (e.kind) {
    case 'cond':
    case 'compare':
    case 'or':
    case 'and':
      return true
    case 'binary':
      return branches(e.a) || branches(e.b)
    case 'neg':
      return branches(e.x)
    case 'call':
      return e.args.some(branches)
    default:
      return false
  }
}

/** Checks `name` specialized to constant `c` as operand `side` against its scalar kernel. */
const check = (name: 'safeMul' | 'mul' | 'div', c: number, side: 0 | 1): boolean => {
  const p = primitives[name]
  const kernel = p.scalar2!
  const e = specialized(p, side === 0 ? [c, undefined] : [undefined, c])
  if (e === undefined) return false
  const f = compiled(e)
  const agree = (b: number): boolean =>
    side === 0 ? Object.is(f(c, b), kernel(c, b)) : Object.is(f(b, c), kernel(b, c))
  for (const b of others)
    expect(agree(b), `${name} ${side === 0 ? `(${c}, ${b})` : `(${b}, ${c})`}`).toBe(true)
  fc.assert(fc.property(fc.double(), agree), { numRuns: 200 })
  return true
}

/** W1's function (bench/rosenbrock.ts). */
const rosenbrockVec = (x: Tensor): Tensor => {
  const n = x.shape[0]!
  const head = slice(x, [0], [n - 1])
  const tail = slice(x, [1])
  return sum(add(mul(100, square(sub(tail, square(head)))), square(sub(1, head))))
}

describe('lowerings specialized to known operands', () => {
  it.each(['safeMul', 'mul', 'div'] as const)(
    '%s: the kernel’s bits for every constant',
    (name) => {
      let simplified = 0
      for (const c of constants)
        for (const side of [0, 1] as const) if (check(name, c, side)) simplified++
      expect(simplified).toBeGreaterThan(0)
    },
  )

  it('safeMul by a constant drops the zero tests where that is exact', () => {
    const p = primitives.safeMul
    // by 0 it is 0; by a finite c with |c| ≥ 1, or 0 < c < 1, no test; otherwise one test
    expect(specialized(p, [0, undefined])).toEqual({ kind: 'const', value: 0 })
    for (const c of [1, 100, -2.75, 0.5, 3e-310]) {
      expect(branches(specialized(p, [c, undefined])!), String(c)).toBe(false)
      expect(branches(specialized(p, [undefined, c])!), String(c)).toBe(false)
    }
    for (const c of [-0.5, Infinity, Number.NaN]) {
      expect(branches(specialized(p, [c, undefined])!), String(c)).toBe(true)
    }
    // nothing known, or a unary primitive: nothing to specialize
    expect(specialized(p, [undefined, undefined])).toBeUndefined()
    expect(specialized(primitives.exp, [1])).toBeUndefined()
    expect(specialized(primitives.mul, [2, undefined])).toBeUndefined()
  })

  it('the plan knows the constants W1’s gradient reads as one number', () => {
    const t = traceOf((x) => grad(rosenbrockVec)(x as Tensor), tensor([1, 1.5, 0.5, 2]))
    const plan = fuse(dce(t))
    const values = [...plan.known.values()].sort((a, b) => a - b)
    // the seed's cotangent (ones), the 100 of the sum's first term, and the literals 1 and 2
    expect(values).toEqual([1, 1, 2, 100])
    for (const v of plan.known.keys()) expect(t.constants.vars).toContain(v)
  })

  // what a fused loop computes with the constants known, against eager, element by element
  const special = [0, -0, 1e-310, -1e-310, 1e300, -1e300, Infinity, -Infinity, Number.NaN, 1.5]
  const sameBits = (got: Tensor, want: Tensor): void => {
    expect(got.shape).toEqual(want.shape)
    for (let i = 0; i < want.size; i++) {
      expect(
        Object.is(got.data[i], want.data[i]),
        `element ${i}: ${got.data[i]} ≠ ${want.data[i]}`,
      ).toBe(true)
    }
  }

  it('jit(grad) of W1 gives eager’s bits at ±0, ±∞, NaN and subnormals (twice)', () => {
    const x = tensor([...special, ...special.map((v) => -v)])
    const g = jit(grad(rosenbrockVec))
    const want = grad(rosenbrockVec)(x)
    sameBits(g(x), want)
    sameBits(g(x), want)
  })

  it('fused safeMul, mul and div by uniform constant tensors give eager’s bits (twice)', () => {
    for (const c of [0, -0, 1, -1, 0.5, -0.5, 100, 1e-300, Infinity, Number.NaN]) {
      const k = full([special.length], c)
      // each op alone (a sum would hide a zero's sign), and one in a chain of two
      const fs = [
        (x: Tensor): Tensor => safeMul(k, x),
        (x: Tensor): Tensor => safeMul(x, k),
        (x: Tensor): Tensor => mul(x, k),
        (x: Tensor): Tensor => div(x, k),
        (x: Tensor): Tensor => safeMul(k, mul(k, add(x, x))),
      ]
      const x = tensor(special)
      for (const f of fs) {
        const want = f(x)
        const g = jit(f)
        sameBits(g(x), want)
        sameBits(g(x), want)
      }
    }
  })
})
