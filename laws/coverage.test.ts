/**
 * Law coverage: fails when a primitive in `primitiveNames` lacks a record or a domain, when its
 * domain samples calls the primitive rejects, or when the law plan (which the registry-wide
 * runners iterate) leaves it without `fd-agreement` and `vjp-jvp-adjoint`, or, for a
 * zero-derivative primitive, without `zero-derivative`.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { shapeOf } from '../src/core/tracer.ts'
import { primitiveNames, primitives } from '../src/primitives/registry.ts'
import { drawFrom } from './draw.ts'
import { lawsFor, secondOrderExempt } from './plan.ts'
import { fixedArguments } from './subject.ts'

const registered = new Set<string>(primitiveNames)

describe('registry', () => {
  it('names each primitive once', () => {
    expect(registered.size).toBe(primitiveNames.length)
  })

  it('has exactly the records primitiveNames lists', () => {
    expect(Object.keys(primitives).sort()).toEqual([...primitiveNames].sort())
  })

  it('names only registered primitives in the law exemptions', () => {
    for (const name of [...Object.keys(secondOrderExempt), ...Object.keys(fixedArguments)]) {
      expect(registered, name).toContain(name)
    }
  })
})

describe.each(primitiveNames)('%s', (name) => {
  const p = primitives[name]
  const laws = lawsFor(p).map((c) => c.title)

  it('has a record of its own name, with a domain', () => {
    expect(p.name).toBe(name)
    expect(typeof p.domain.sample).toBe('function')
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

  it('is covered by the law runners', () => {
    if (p.zeroDerivative) {
      expect(laws).toContain('zero-derivative')
    } else {
      expect(laws).toContain('fd-agreement (order 1)')
      expect(laws).toContain('vjp-jvp-adjoint')
      if (!(name in secondOrderExempt)) expect(laws).toContain('fd-agreement (order 2)')
    }
  })
})
