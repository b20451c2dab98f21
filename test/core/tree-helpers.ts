/**
 * Helpers for the save/load tests: bit-exact tree equality and fast-check arbitraries of
 * float64 values (the special ones often), tensors of small shapes, and trees with awkward
 * keys, empty subtrees and tensor-lookalike objects.
 */
import fc from 'fast-check'
import { Tensor } from 'fluxion'

/** Whether two values are the same tree with bit-identical numbers (NaN matches NaN). */
export const sameTree = (a: unknown, b: unknown): boolean => {
  if (typeof a === 'number') return typeof b === 'number' && Object.is(a, b)
  if (a instanceof Tensor) {
    return (
      b instanceof Tensor &&
      a.shape.length === b.shape.length &&
      a.shape.every((d, i) => d === b.shape[i]) &&
      a.data.every((x, i) => Object.is(x, b.data[i]))
    )
  }
  if (a === null || a === undefined) return a === b
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameTree(x, b[i]))
  }
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return (
    ka.length === kb.length &&
    ka.every((k, i) => k === kb[i] && sameTree((a as never)[k], (b as never)[k]))
  )
}

/** Every float64, the special ones often. */
export const anyDouble = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE),
)

export const tensorArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).chain((shape) =>
  fc
    .array(anyDouble, {
      minLength: shape.reduce((a, b) => a * b, 1),
      maxLength: shape.reduce((a, b) => a * b, 1),
    })
    .map((data) => new Tensor(Float64Array.from(data), shape)),
)

/** Trees of numbers and tensors with awkward keys, empties and tensor-lookalike objects. */
export const treeArb = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    anyDouble,
    tensorArb,
    fc.constantFrom(null, undefined),
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string(), fc.constantFrom('shape', 'data', '$object', '$x', '__proto__', '')),
      tie('tree'),
      { maxKeys: 4 },
    ),
    fc.record({ shape: tie('tree'), data: tie('tree') }),
  ),
})).tree
