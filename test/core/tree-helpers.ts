/**
 * Helpers for the save/load tests: bit-exact tree equality (dtypes included) and fast-check
 * arbitraries of float64 and float32 values (the special ones often), tensors of small shapes
 * and both dtypes, and trees with awkward keys, empty subtrees and tensor-lookalike objects.
 */
import fc from 'fast-check'
import { Tensor } from 'fluxion'

/** Whether two values are the same tree with bit-identical numbers and equal dtypes (NaN matches NaN). */
export const sameTree = (a: unknown, b: unknown): boolean => {
  if (typeof a === 'number') return typeof b === 'number' && Object.is(a, b)
  if (a instanceof Tensor) {
    return (
      b instanceof Tensor &&
      a.dtype === b.dtype &&
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

/** Every float32 (subnormals, ±0, NaN, ±Infinity and the largest among them), as a number. */
export const anyFloat = fc.oneof(
  fc.float(),
  fc.constantFrom(
    0,
    -0,
    Number.NaN,
    Infinity,
    -Infinity,
    2 ** -149,
    2 ** -126,
    3.4028234663852886e38,
  ),
)

const tensorOf = (dtype: 'float64' | 'float32') =>
  fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).chain((shape) =>
    fc
      .array(dtype === 'float32' ? anyFloat : anyDouble, {
        minLength: shape.reduce((a, b) => a * b, 1),
        maxLength: shape.reduce((a, b) => a * b, 1),
      })
      .map(
        (data) =>
          new Tensor(
            dtype === 'float32' ? Float32Array.from(data) : Float64Array.from(data),
            shape,
          ),
      ),
  )

/** Tensors of rank ≤ 3, float64 or float32. */
export const tensorArb = fc.oneof(tensorOf('float64'), tensorOf('float32'))

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
    fc.record({ shape: tie('tree'), dtype: tie('tree'), data: tie('tree') }),
  ),
})).tree
