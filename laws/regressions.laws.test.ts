/**
 * Law instances at points that sampling from the domains (almost) never reaches: exact zeros
 * and exact ties. Each point is fixed in the place random sampling would miss, and everything
 * else (the other coordinates, the directions) is still drawn by fast-check.
 */
import fc from 'fast-check'
import { Tensor } from 'fluxion'
import {
  explain,
  type FdSettings,
  fdAgreement,
  fdOrder1,
  fdOrder2,
  holds,
  type Numeric,
} from 'fluxion/testing'
import { describe, it } from 'vitest'
import type { Draw } from '../src/core/primitive.ts'
import { primitives } from '../src/primitives/registry.ts'
import { drawFrom, drawLike } from './draw.ts'
import { subjectOf } from './subject.ts'

/** Asserts fd-agreement for `p` at the point `at(draw)` along random directions. */
const assertFd = (
  name: keyof typeof primitives,
  settings: FdSettings,
  at: (draw: Draw) => { args: Numeric[]; params: unknown },
): void => {
  const p = primitives[name]
  fc.assert(
    fc.property(fc.gen(), (g) => {
      const draw = drawFrom(g)
      const subject = subjectOf(p, at(draw))
      const xDots = subject.xs.map((x) => drawLike(draw, x))
      const equation = fdAgreement(subject.f, settings)(subject.xs, xDots)
      if (!holds(equation)) throw new Error(`${subject.label}: ${explain(equation)}`)
    }),
  )
}

describe('fd-agreement (order 2)', () => {
  // ∂/∂a aᵇ was where(b = 0, 0, b·aᵇ⁻¹): right in value, but the `where` also zeroed its
  // derivative in b, dropping the mixed term ∂²/∂a∂b aᵇ = 1/a at b = 0
  it('pow at exponent 0', () =>
    assertFd('pow', fdOrder2, (draw) => ({ args: [draw.real(0.5, 2.5), 0], params: undefined })))
})

describe('fd-agreement (order 1)', () => {
  // at a tie the central difference is (max(u, v) + min(u, v)) / 2 = (u + v) / 2: exactly the
  // convention that splits the derivative evenly between tied arguments (DESIGN §3)
  it('maximum at a tie', () =>
    assertFd('maximum', fdOrder1, (draw) => {
      const c = draw.real(-3, 3)
      return { args: [c, c], params: undefined }
    }))

  it('minimum at a tie', () =>
    assertFd('minimum', fdOrder1, (draw) => {
      const c = draw.real(-3, 3)
      return { args: [c, c], params: undefined }
    }))

  it('max at a two-way tie', () =>
    assertFd('max', fdOrder1, (draw) => {
      const c = draw.real(-2, 3)
      const rest = draw.real(-3, c - 0.5)
      return { args: [new Tensor(Float64Array.of(c, rest, c), [3])], params: { axes: [0] } }
    }))
})
