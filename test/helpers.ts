/**
 * Shared assertions for the core and transformation tests.
 *
 * `expectClose` compares numbers, tensors and nested arrays elementwise with a relative and an
 * absolute tolerance (|a − e| ≤ atol + rtol·|e|), after checking that shapes agree. NaN matches
 * only NaN and infinities match only the same infinity.
 */
import { Tensor } from 'fluxion'
import { expect } from 'vitest'

/** What `expectClose` accepts on either side. */
export type Numeric = number | Tensor | readonly Numeric[]

const shapeAndData = (v: Numeric): { shape: number[]; data: number[] } => {
  if (typeof v === 'number') return { shape: [], data: [v] }
  if (v instanceof Tensor) return { shape: [...v.shape], data: [...v.data] }
  const parts = v.map(shapeAndData)
  const first = parts[0]
  return {
    shape: [v.length, ...(first?.shape ?? [])],
    data: parts.flatMap((p) => p.data),
  }
}

const close = (a: number, e: number, rtol: number, atol: number): boolean => {
  if (Number.isNaN(e)) return Number.isNaN(a)
  if (!Number.isFinite(e)) return a === e
  return Math.abs(a - e) <= atol + rtol * Math.abs(e)
}

/**
 * Asserts that `actual` equals `expected` within `atol + rtol·|expected|` everywhere, and that
 * their shapes agree (a number and a rank-0 tensor have the same shape).
 */
export function expectClose(actual: unknown, expected: Numeric, rtol = 1e-12, atol = 1e-12): void {
  const isNumeric = (v: unknown): v is Numeric =>
    typeof v === 'number' || v instanceof Tensor || (Array.isArray(v) && v.every(isNumeric))
  expect(isNumeric(actual), `not a number, Tensor or array: ${String(actual)}`).toBe(true)
  const a = shapeAndData(actual as Numeric)
  const e = shapeAndData(expected)
  expect(a.shape, 'shape').toEqual(e.shape)
  const bad = a.data.flatMap((x, i) => (close(x, e.data[i]!, rtol, atol) ? [] : [i]))
  if (bad.length > 0) {
    const i = bad[0]!
    expect.fail(
      `entry ${i} of ${a.data.length}: got ${a.data[i]}, expected ${e.data[i]} ` +
        `(rtol ${rtol}, atol ${atol}); actual [${a.data.join(', ')}], expected [${e.data.join(', ')}]`,
    )
  }
}

/** Asserts that `v` is a JS number (not a rank-0 tensor) and returns it. */
export function expectNumber(v: unknown): number {
  expect(typeof v, 'kind').toBe('number')
  return v as number
}

/** Asserts that `v` is a Tensor of the given shape and returns it. */
export function expectTensor(v: unknown, shape: readonly number[]): Tensor {
  expect(v).toBeInstanceOf(Tensor)
  expect((v as Tensor).shape).toEqual(shape)
  return v as Tensor
}
