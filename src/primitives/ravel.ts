/**
 * `ravel`, as `jax.flatten_util.ravel_pytree`: a whole tree as one flat vector, and the way
 * back, for optimizers and solvers written over vectors (L-BFGS, conjugate gradients, a Newton
 * step on `hessian` of the raveled function). Both directions are fluxion ops — reshape and
 * concat one way, slice and reshape the other — so `grad`, `jvp`, `vmap` and `jit` see through
 * them.
 *
 * Laws: tree-roundtrip (`unravel(ravel(t)[0])` rebuilds `t`, kinds and values).
 * @module
 */
import { strongDtype, withDtype } from '../core/dtype.ts'
import { ShapeError } from '../core/errors.ts'
import { dtypeOf, shapeOf, type Val } from '../core/tracer.ts'
import { flatten, type LeafDef, unflatten } from '../core/tree.ts'
import { show, sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import { astype } from './astype.ts'
import { concat } from './concat.ts'
import { conformKind, reshape, slice } from './structural.ts'

/**
 * The leaves of `tree` raveled (row-major) and concatenated in `flatten` order into one rank-1
 * tensor, of the dtype `concat` gives them (float32 for a tree of float32 tensors and numbers),
 * with `unravel`, which cuts a vector of that length back into a tree of `tree`'s structure,
 * leaf shapes, kinds and dtypes (number leaves come back as numbers, each tensor leaf in its own
 * dtype). An empty tree gives a vector of length 0.
 *
 * Derivative: both maps are linear and each other's inverse; their transposes are each other.
 * `unravel` throws `ShapeError` for a vector of another shape.
 * @example
 * const [v, unravel] = ravel({ w: tensor([[1, 2], [3, 4]]), b: 5 })
 * v.toArray() // => [1, 2, 3, 4, 5]
 * unravel(tensor([0, 0, 0, 0, 1])).b // => 1
 * grad((t: number[]) => sum(square(ravel(t)[0])))([1, 2]) // => [2, 4]
 * @category trees
 */
export function ravel<T>(tree: T): [Tensor, (vector: Tensor) => T] {
  const { leaves, def, leafDefs } = flatten(tree, 'tree')
  const sizes = leafDefs.map((l) => sizeOf(l.shape))
  const length = sizes.reduce((a, b) => a + b, 0)
  const unravel = (vector: Tensor): T => unflatten(def, cut(vector, leafDefs, sizes, length)) as T
  return [join(leaves, sizes, length), unravel]
}

/**
 * The leaves as one vector; concrete leaves are copied directly, traced ones by ops. Either way
 * its dtype and weak type are those `concat` gives: float32 where every strongly typed leaf is,
 * and weakly typed where no leaf is strongly typed.
 */
const join = (leaves: readonly Val[], sizes: readonly number[], length: number): Tensor => {
  if (leaves.every((l): boolean => typeof l === 'number' || l instanceof Tensor)) {
    const strong = leaves.map(strongDtype).filter((d) => d !== undefined)
    const float32 = strong.length > 0 && strong.every((d) => d === 'float32')
    // (a Float32Array rounds the float64 values it is given to nearest, as astype does)
    const out = float32 ? new Float32Array(length) : new Float64Array(length)
    let at = 0
    leaves.forEach((l, i) => {
      if (typeof l === 'number') out[at] = l
      else out.set((l as Tensor).data, at)
      at += sizes[i]!
    })
    return new Tensor(out, [length], leaves.length > 0 && strong.length === 0)
  }
  return concat(
    leaves.map((l) => reshape(l as Tensor, [-1])),
    0,
  )
}

/** The leaves cut out of `vector`; concrete vectors are cut directly, traced ones by ops. */
const cut = (
  vector: Tensor,
  leafDefs: readonly LeafDef[],
  sizes: readonly number[],
  length: number,
): Val[] => {
  const v: unknown = vector
  const shape = typeof v === 'object' && v !== null && 'shape' in v ? shapeOf(vector) : undefined
  if (shape === undefined || shape.length !== 1 || shape[0] !== length) {
    throw new ShapeError(
      `unravel takes a vector of length ${length}, got ${shape === undefined ? show(v) : `shape [${shape.join(', ')}]`}`,
      {
        primitive: 'unravel',
        hint: 'pass a vector shaped like the one ravel returned (an update or gradient of it)',
      },
    )
  }
  let at = 0
  return leafDefs.map((leaf, i) => {
    const from = at
    at += sizes[i]!
    // each tensor leaf gets back its own dtype, which the vector's may not be
    const dtype = leaf.dtype ?? 'float64'
    if (vector instanceof Tensor) {
      if (leaf.number) return vector.data[from]!
      return withDtype(new Tensor(vector.data.slice(from, at), leaf.shape), dtype)
    }
    const piece = reshape(slice(vector, [from], [at]), leaf.shape)
    if (leaf.number) return conformKind(piece, 'number')
    return dtypeOf(piece) === dtype ? piece : astype(piece, dtype)
  })
}
