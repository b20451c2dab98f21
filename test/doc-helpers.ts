import { expect } from 'vitest'

/** Closeness for doc snippets: numbers, tensors (via toArray) and nested arrays, 1e-9 relative. */
export const expectClose = (actual: unknown, expected: unknown): void => {
  const flat = (v: unknown): number[] => {
    if (typeof v === 'number') return [v]
    if (Array.isArray(v)) return v.flatMap(flat)
    if (typeof v === 'object' && v !== null && 'toArray' in v && typeof v.toArray === 'function') {
      return flat(v.toArray())
    }
    throw new Error(`not numeric: ${String(v)}`)
  }
  const a = flat(actual)
  const e = flat(expected)
  expect(a.length).toBe(e.length)
  a.forEach((x, i) => {
    const y = e[i]!
    expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(y)))
  })
}
