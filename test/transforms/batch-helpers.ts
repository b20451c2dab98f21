/**
 * References for the `vmap` and Jacobian tests, in plain JS over `Tensor` data: cutting one
 * example out of a batch, stacking results, applying a function per example in a loop, and
 * comparing trees leaf by leaf. None of it goes through fluxion's ops or transformations, so a
 * wrong batching rule or Jacobian layout cannot agree with itself.
 */
import { Tensor } from 'fluxion'
import { expect } from 'vitest'
import { expectClose } from '../helpers.ts'

/** Example `i` of a batch: axis 0 cut away by copying data (a rank-0 tensor for rank 1). */
export const exampleOf = (x: Tensor, i: number): Tensor => {
  const shape = x.shape.slice(1)
  const n = shape.reduce((a, b) => a * b, 1)
  return new Tensor(x.data.slice(i * n, (i + 1) * n), shape)
}

/** A number or a tensor as a tensor (numbers become rank 0), by copying. */
const asTensor = (v: unknown): Tensor => {
  if (typeof v === 'number') return new Tensor(Float64Array.of(v), [])
  if (v instanceof Tensor) return v
  throw new TypeError(`not a number or Tensor: ${String(v)}`)
}

/** Values of equal shape stacked along a new axis 0, by copying data. */
export const stackPlain = (values: readonly unknown[]): Tensor => {
  const ts = values.map(asTensor)
  const shape = ts[0]!.shape
  for (const t of ts) expect(t.shape, 'per-example shapes').toEqual(shape)
  const n = shape.reduce((a, b) => a * b, 1)
  const data = new Float64Array(ts.length * n)
  ts.forEach((t, i) => {
    data.set(t.data, i * n)
  })
  return new Tensor(data, [ts.length, ...shape])
}

const isLeaf = (t: unknown): boolean => typeof t === 'number' || t instanceof Tensor

/** `t` with every leaf mapped by `fn`. */
export const mapTree = (t: unknown, fn: (leaf: number | Tensor) => unknown): unknown => {
  if (typeof t === 'number' || t instanceof Tensor) return fn(t)
  if (Array.isArray(t)) return t.map((c) => mapTree(c, fn))
  if (typeof t === 'object' && t !== null) {
    return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, mapTree(v, fn)]))
  }
  throw new TypeError(`not a tree: ${String(t)}`)
}

/** Trees of equal structure combined leaf by leaf: the leaves at one place, in order. */
const zipTrees = (ts: readonly unknown[], fn: (leaves: unknown[]) => unknown): unknown => {
  const first = ts[0]
  if (isLeaf(first)) return fn([...ts])
  if (Array.isArray(first)) {
    return first.map((_, i) =>
      zipTrees(
        ts.map((t) => (t as unknown[])[i]),
        fn,
      ),
    )
  }
  return Object.fromEntries(
    Object.keys(first as object).map((k) => [
      k,
      zipTrees(
        ts.map((t) => (t as Record<string, unknown>)[k]),
        fn,
      ),
    ]),
  )
}

/** Trees of equal structure stacked leaf by leaf along a new axis 0. */
export const stackTrees = (ts: readonly unknown[]): unknown => zipTrees(ts, stackPlain)

/** The batch size of a batched tree: axis 0 of its first leaf. */
const batchSize = (t: unknown): number => {
  let n: number | undefined
  mapTree(t, (leaf) => {
    if (n === undefined) n = asTensor(leaf).shape[0]
    return leaf
  })
  if (n === undefined) throw new TypeError('no leaves')
  return n
}

/**
 * The reference for `vmap(f, { inAxes })`: `f` applied to each example in a JS loop (batched
 * arguments cut with `exampleOf`, unbatched ones passed whole) and the results stacked.
 */
export const loop =
  <A extends readonly unknown[], B>(f: (...args: A) => B, inAxes?: readonly (0 | null)[]) =>
  (...args: A): B => {
    const axes = inAxes ?? args.map(() => 0 as const)
    const first = args.findIndex((_, i) => axes[i] === 0)
    const n = batchSize(args[first])
    const outs: unknown[] = []
    for (let i = 0; i < n; i++) {
      const example = args.map((a, j) =>
        axes[j] === null ? a : mapTree(a, (leaf) => exampleOf(asTensor(leaf), i)),
      )
      outs.push(f(...(example as unknown as A)))
    }
    return stackTrees(outs) as B
  }

/**
 * Asserts that two trees have the same structure (arrays by length, objects by keys in order)
 * and leaves within `expectClose` tolerance; a number and a rank-0 tensor of equal value agree.
 */
export const expectTreeClose = (actual: unknown, expected: unknown, rtol = 0, atol = 0): void => {
  if (isLeaf(expected)) {
    expectClose(actual, expected as number | Tensor, rtol, atol)
    return
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), 'an array').toBe(true)
    const a = actual as unknown[]
    expect(a.length, 'array length').toBe(expected.length)
    expected.forEach((e, i) => {
      expectTreeClose(a[i], e, rtol, atol)
    })
    return
  }
  expect(typeof actual, 'an object').toBe('object')
  const a = actual as Record<string, unknown>
  const e = expected as Record<string, unknown>
  expect(Object.keys(a), 'object keys').toEqual(Object.keys(e))
  for (const k of Object.keys(e)) expectTreeClose(a[k], e[k], rtol, atol)
}

/** A tensor of the given shape whose entries are `fn` of their multi-index. */
export const fromIndex = (shape: readonly number[], fn: (ix: readonly number[]) => number) => {
  const n = shape.reduce((a, b) => a * b, 1)
  const data = new Float64Array(n)
  const ix = shape.map(() => 0)
  for (let k = 0; k < n; k++) {
    data[k] = fn(ix)
    for (let a = shape.length - 1; a >= 0; a--) {
      ix[a]! += 1
      if (ix[a]! < shape[a]!) break
      ix[a] = 0
    }
  }
  return new Tensor(data, shape)
}

/** Entry of `t` at a multi-index (row-major), read from its data. */
export const at = (t: Tensor, ix: readonly number[]): number => {
  let k = 0
  for (let a = 0; a < t.shape.length; a++) k = k * t.shape[a]! + ix[a]!
  return t.data[k]!
}
