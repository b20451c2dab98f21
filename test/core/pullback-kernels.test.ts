/**
 * Fused pullback kernels (src/tensor/kernels/pullback.ts) are a speed path for first-order
 * reverse mode on concrete tensors; the rule in fluxion ops stays the definition. For every unary
 * primitive of the registry, its VJP on concrete tensors must equal, to the bit, the rule's
 * result (ȳ times the partial, zero-preserving), including zero cotangents where the partial is
 * infinite or NaN.
 */
import { type Floats, Tensor } from 'fluxion'
import { describe, expect, it } from 'vitest'
import { safeMulV } from '../../src/primitives/families.ts'
import { primitiveNames, primitives } from '../../src/primitives/registry.ts'

/** Object.is per element: NaN equals NaN, −0 differs from +0. */
const sameBits = (a: Floats, b: Floats): boolean =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]))

const unaryNames = primitiveNames.filter((n) => primitives[n].partial1 !== undefined)

const vjpOf = (name: (typeof unaryNames)[number], x: Tensor, yBar: Tensor) => {
  const p = primitives[name]
  const y = p.impl([x], undefined) as Tensor
  const [xBar] = p.vjp(yBar, [x], y, undefined, [true])
  // the rule itself: ȳ times the partial, zero-preserving
  const byRule = safeMulV(yBar, p.partial1!(x, y))
  expect(xBar).toBeInstanceOf(Tensor)
  expect(byRule).toBeInstanceOf(Tensor)
  return { fast: (xBar as Tensor).data, byRule: (byRule as Tensor).data }
}

describe('fused pullbacks agree with the rules to the bit', () => {
  it.each(unaryNames)('%s', (name) => {
    // points of every sign and size, the kinks and poles (0, ±1), and non-finite ones
    const xs = [-3.5, -1, -0.5, -1e-300, 0, 1e-300, 0.25, 0.5, 1, 2, 40, Number.NaN, Infinity]
    const x = new Tensor(Float64Array.from([...xs, ...xs]), [2, xs.length])
    // every point twice: once with a nonzero cotangent, once with a zero one
    const yBar = new Tensor(
      Float64Array.from([...xs.map((_, i) => 0.75 - i / 7), ...xs.map(() => 0)]),
      [2, xs.length],
    )
    const { fast, byRule } = vjpOf(name, x, yBar)
    expect(sameBits(fast, byRule), `${name}: ${fast} vs ${byRule}`).toBe(true)
    // zero cotangents stay zero, whatever the partial
    expect(fast.subarray(xs.length).every((v) => v === 0)).toBe(true)
  })
})
