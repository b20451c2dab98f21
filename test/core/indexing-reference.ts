/**
 * Plain-JS references for the indexing tests: NumPy's integer-array indexing and its updates,
 * written element by element with index arithmetic, nothing shared with the library's code.
 */
import fc from 'fast-check'

/** A row-major array: shape and data. */
export interface Arr {
  readonly shape: readonly number[]
  readonly data: readonly number[]
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1)

/** The multi-index of flat position k. */
export const unravel = (k: number, shape: readonly number[]): number[] => {
  const out = new Array<number>(shape.length)
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = k % shape[i]!
    k = Math.floor(k / shape[i]!)
  }
  return out
}

/** The flat position of a multi-index. */
export const ravel = (ix: readonly number[], shape: readonly number[]): number =>
  ix.reduce((acc, v, i) => acc * shape[i]! + v, 0)

/** Reads `a` at a multi-index broadcast from the right (size-1 axes repeat). */
const readBroadcast = (a: Arr, ix: readonly number[]): number => {
  const lead = ix.length - a.shape.length
  const own = a.shape.map((d, i) => (d === 1 ? 0 : ix[lead + i]!))
  return a.data[ravel(own, a.shape)]!
}

const broadcast = (shapes: readonly (readonly number[])[]): number[] => {
  const rank = Math.max(0, ...shapes.map((s) => s.length))
  return Array.from({ length: rank }, (_, i) => {
    let d = 1
    for (const s of shapes) {
      const v = s[s.length - rank + i]
      if (v !== undefined && v !== 1) d = v
    }
    return d
  })
}

/** Where x[indexers] reads: the result's shape and, per result entry, x's flat position. */
export const numpyIndex = (
  x: Arr,
  indexers: readonly (Arr | null)[],
): { shape: number[]; sources: number[] } => {
  const all = x.shape.map((_, a) => indexers[a] ?? null)
  const adv = all.flatMap((v, a) => (v === null ? [] : [a]))
  const b = broadcast(adv.map((a) => all[a]!.shape))
  const rest = x.shape.map((_, a) => a).filter((a) => !adv.includes(a))
  const adjacent = adv.length > 0 && adv[adv.length - 1]! - adv[0]! === adv.length - 1
  const before = adjacent ? rest.filter((a) => a < adv[0]!) : []
  const after = rest.filter((a) => !before.includes(a))
  const shape = [...before.map((a) => x.shape[a]!), ...b, ...after.map((a) => x.shape[a]!)]
  const sources = Array.from({ length: size(shape) }, (_, k) => {
    const ix = unravel(k, shape)
    const bIx = ix.slice(before.length, before.length + b.length)
    const src = new Array<number>(x.shape.length)
    before.forEach((a, i) => {
      src[a] = ix[i]!
    })
    after.forEach((a, i) => {
      src[a] = ix[before.length + b.length + i]!
    })
    for (const a of adv) {
      const v = readBroadcast(all[a]!, bIx)
      src[a] = v < 0 ? v + x.shape[a]! : v
    }
    return ravel(src, x.shape)
  })
  return { shape, sources }
}

/** x[indexers] by the reference. */
export const numpyGather = (x: Arr, indexers: readonly (Arr | null)[]): Arr => {
  const { shape, sources } = numpyIndex(x, indexers)
  return { shape, data: sources.map((s) => x.data[s]!) }
}

/** x.at[indexers].<mode>(u), u already of the result's shape; updates applied in order. */
export const numpyUpdate = (
  x: Arr,
  indexers: readonly (Arr | null)[],
  u: readonly number[],
  mode: 'set' | 'add' | 'mul' | 'min' | 'max',
): Arr => {
  const { sources } = numpyIndex(x, indexers)
  const out = x.data.slice()
  sources.forEach((s, k) => {
    const v = u[k]!
    const o = out[s]!
    out[s] =
      mode === 'set'
        ? v
        : mode === 'add'
          ? o + v
          : mode === 'mul'
            ? o * v
            : mode === 'min'
              ? Math.min(o, v)
              : Math.max(o, v)
  })
  return { shape: x.shape, data: out }
}

/** A shape of rank min–max with sizes 1–4. */
export const shapeArb = (min: number, max: number) =>
  fc.array(fc.integer({ min: 1, max: 4 }), { minLength: min, maxLength: max })

/** An array of `shape` with small whole entries (sums and products stay exact). */
export const arrOf = (shape: readonly number[]) =>
  fc
    .array(fc.integer({ min: -5, max: 5 }), { minLength: size(shape), maxLength: size(shape) })
    .map((data): Arr => ({ shape, data }))

/** Indices of `shape` into an axis of size n, negative ones included. */
export const indicesOf = (shape: readonly number[], n: number) =>
  fc
    .array(fc.integer({ min: -n, max: n - 1 }), { minLength: size(shape), maxLength: size(shape) })
    .map((data): Arr => ({ shape, data }))
