/**
 * Law coverage: fails when a primitive in `primitiveNames` lacks a record, a rule or a domain,
 * when its domain samples calls the primitive rejects, or when the law plan (which the
 * registry-wide runners iterate) leaves out a law that applies to it. What applies is restated
 * here from the issue, independently of `plan.ts`:
 *
 * - every primitive: vmap-agreement, in both forms;
 * - a differentiable one: fd-agreement (order 1, and order 2 unless exempt), vjp-jvp-adjoint,
 *   jvp-linearity, vjp-linearity, grad-jvp-agreement, grad-jacrev-jacfwd, chain-rule,
 *   hessian-symmetry, hessian-agreement, hvp-fd; and grad-jacrev-jacfwd at special points,
 *   which its domain must list (issue #12 §5);
 * - one with a zero derivative: zero-derivative;
 * - a linear one: transpose-involution — and these must be linear: add, sub, neg, sum, reshape,
 *   transpose, broadcastTo, slice, pad, concat, cast, where, take, scatterAdd;
 * - one that broadcasts its arguments elementwise: unbroadcast — at least the binary
 *   arithmetic, comparisons and `where`;
 * - a differentiable elementwise one: taylor-nested-agreement, orders 1–4 and at special
 *   points.
 *
 * Every planned law must also have a runner in exactly one suite, and every suite a test file.
 * The arguments a domain marks `fixed` (held fixed by the laws: they carry no derivative) must
 * be positions of the primitive's arguments, leave a differentiable primitive one free, and
 * include those listed in `mustFix` (a condition, index tensors).
 */
import { existsSync, readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { shapeOf } from '../src/core/tracer.ts'
import { primitiveNames, primitives } from '../src/primitives/registry.ts'
import { drawFrom } from './draw.ts'
import { lawsFor, secondOrderExempt } from './plan.ts'
import { runners, suites } from './runners/index.ts'

const registered = new Set<string>(primitiveNames)

const mustBeLinear = [
  ...['add', 'sub', 'neg', 'sum', 'reshape', 'transpose', 'broadcastTo', 'slice', 'pad'],
  ...['concat', 'cast', 'astype', 'where', 'take', 'scatterAdd'],
]
const mustBroadcast = [
  ...['add', 'sub', 'mul', 'div', 'pow', 'safeMul', 'maximum', 'minimum', 'atan2'],
  ...['less', 'lessEqual', 'greater', 'greaterEqual', 'equal', 'notEqual', 'where'],
]
/** Argument positions that must be fixed: they select or index, and carry no derivative. */
const mustFix: { readonly [name: string]: readonly number[] } = {
  where: [0],
  take: [1],
  scatterAdd: [1],
  scatterMax: [1],
}
const mustHaveTaylor = [
  ...['exp', 'log', 'log1p', 'expm1', 'sqrt', 'square', 'abs', 'logistic', 'softplus', 'erf'],
  ...['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'neg'],
  ...['add', 'sub', 'mul', 'div', 'pow', 'atan2', 'maximum', 'minimum', 'safeMul'],
]

/** The test titles of the laws that apply to the primitive called `name`. */
const required = (name: (typeof primitiveNames)[number]): string[] => {
  const p = primitives[name]
  const titles = [
    'vmap-agreement (one batch axis)',
    'vmap-agreement (two batch axes)',
    'jit-agreement',
    'abstract-agreement',
  ]
  if (p.zeroDerivative) titles.push('zero-derivative')
  else {
    titles.push('fd-agreement (order 1)')
    if (!(name in secondOrderExempt)) titles.push('fd-agreement (order 2)')
    titles.push(
      ...['vjp-jvp-adjoint', 'jvp-linearity', 'vjp-linearity', 'grad-jvp-agreement'],
      ...['grad-jacrev-jacfwd', 'chain-rule', 'hessian-symmetry', 'hessian-agreement', 'hvp-fd'],
      'grad-jacrev-jacfwd (special points)',
    )
  }
  if (p.domain.linear === true || mustBeLinear.includes(name)) titles.push('transpose-involution')
  if (p.scalar2 !== undefined || mustBroadcast.includes(name)) titles.push('unbroadcast')
  const elementwise = p.scalar1 !== undefined || p.scalar2 !== undefined
  if ((!p.zeroDerivative && elementwise) || mustHaveTaylor.includes(name)) {
    for (const k of [1, 2, 3, 4]) titles.push(`taylor-nested-agreement (order ${k})`)
    titles.push('taylor-nested-agreement (special points)')
  }
  return titles
}

describe('registry', () => {
  it('names each primitive once', () => {
    expect(registered.size).toBe(primitiveNames.length)
  })

  it('has exactly the records primitiveNames lists', () => {
    expect(Object.keys(primitives).sort()).toEqual([...primitiveNames].sort())
  })

  it('names only registered primitives in the law exemptions and lists', () => {
    const named = [...Object.keys(secondOrderExempt), ...Object.keys(mustFix)]
    for (const name of [...named, ...mustBeLinear, ...mustBroadcast, ...mustHaveTaylor]) {
      expect(registered, name).toContain(name)
    }
  })
})

describe('runners', () => {
  const planned = new Set(primitiveNames.flatMap((n) => lawsFor(primitives[n]).map((c) => c.law)))

  it('has a runner for every planned law, in exactly one suite', () => {
    for (const law of planned) {
      expect(typeof runners[law], law).toBe('function')
      const owners = Object.entries(suites).filter(([, suite]) => law in suite)
      expect(
        owners.map(([name]) => name),
        law,
      ).toHaveLength(1)
    }
  })

  it('runs every suite from a test file', () => {
    const files: { readonly [suite: string]: string } = {
      'first-order': 'primitives',
      composition: 'composition',
      structure: 'structure',
      batching: 'batching',
      taylor: 'taylor',
    }
    for (const suite of Object.keys(suites)) {
      const file = `laws/${files[suite] ?? suite}.laws.test.ts`
      expect(existsSync(file), file).toBe(true)
      expect(readFileSync(file, 'utf8'), file).toContain(`runSuite('${suite}')`)
    }
  })
})

describe.each(primitiveNames)('%s', (name) => {
  const p = primitives[name]
  const titles = lawsFor(p).map((c) => c.title)

  it('has a record of its own name, with every rule and a domain', () => {
    expect(p.name).toBe(name)
    for (const rule of [p.impl, p.shape, p.jvp, p.vjp, p.batch, p.taylor, p.domain.sample]) {
      expect(typeof rule).toBe('function')
    }
  })

  it('fixes only positions of its arguments, and leaves one free if differentiable', () => {
    const fixed = p.domain.fixed ?? []
    expect(new Set(fixed).size, 'fixed positions are distinct').toBe(fixed.length)
    const count = p.arity >= 0 ? p.arity : Number.POSITIVE_INFINITY
    for (const i of fixed) expect(Number.isInteger(i) && i >= 0 && i < count, `${i}`).toBe(true)
    if (!p.zeroDerivative) expect(fixed.length).toBeLessThan(count)
    for (const i of mustFix[name] ?? []) expect(fixed, `argument ${i} must be fixed`).toContain(i)
  })

  it('has a domain that samples calls its kernel and shape rule accept', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const { args, params } = p.domain.sample(drawFrom(g))
        if (p.arity >= 0) expect(args.length).toBe(p.arity)
        const y = p.impl(args, params)
        expect(shapeOf(y)).toEqual(p.shape(args.map(shapeOf), params))
        for (const v of typeof y === 'number' ? [y] : y.data) expect(Number.isFinite(v)).toBe(true)
      }),
    )
  })

  it('has special points if it is differentiable, each a call its shape rule accepts', () => {
    if (p.zeroDerivative) return
    const special = p.domain.special?.() ?? []
    expect(special.length, 'special points').toBeGreaterThan(0)
    for (const { args, params } of special) {
      if (p.arity >= 0) expect(args.length).toBe(p.arity)
      expect(shapeOf(p.impl(args, params))).toEqual(p.shape(args.map(shapeOf), params))
    }
  })

  it('is covered by every law that applies to it', () => {
    for (const title of required(name)) expect(titles, title).toContain(title)
  })
})
