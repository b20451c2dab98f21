/**
 * Jacobians and Hessians: `jacfwd` pushes a chunk of basis tangents through one batched forward
 * pass (ForwardDiff's chunk mode, here a `vmap` of `jvp`); `jacrev` pulls a chunk of basis
 * cotangents through one batched backward pass (`vmap` of the pullback); `hessian` is
 * forward-over-reverse; `hvp` never forms the Hessian.
 *
 * Layout follows JAX: for an input leaf of shape S and an output leaf of shape T the block has
 * shape T ++ S; trees nest output-outside, input-inside; numbers in and out give numbers.
 * @module
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { JvpInterpreter } from '../core/jvp.ts'
import { Node, VjpInterpreter } from '../core/tape.ts'
import { shapeOf, type Val } from '../core/tracer.ts'
import { type Flat, flatten, isLeaf, type LeafDef, leafOf, unflatten } from '../core/tree.ts'
import { concat, stack } from '../primitives/concat.ts'
import { reshape, slice, transpose } from '../primitives/structural.ts'
import { zerosK } from '../tensor/kernels/dtype.ts'
import { show, sizeOf } from '../tensor/shape.ts'
import { Tensor } from '../tensor/tensor.ts'
import {
  asLeaf,
  checkArgnums,
  checkFunction,
  checkOptions,
  cotangentOps,
  unalias,
  zeroOf,
} from './common.ts'
import type { Argnums, Scalar, Selected } from './grad.ts'
import { gradNamed } from './grad.ts'
import { jvpNamed, jvpOutputs } from './jvp.ts'
import { packageTape, type Traced, traceVjp } from './vjp.ts'
import { vmap } from './vmap.ts'

/** Options of `jacfwd` and `jacrev`. */
export interface JacobianOptions {
  /** Which argument(s) to differentiate (default 0); a list differentiates their tuple. */
  readonly argnums?: Argnums | undefined
  /**
   * Basis directions per batched pass. Default: all of them when that keeps a pass under about
   * 2²¹ tangent entries per input element, else as many as fit.
   */
  readonly chunkSize?: number | undefined
  /** `f` returns `[output, aux]`: the result is `[jacobian, aux]`, aux not differentiated. */
  readonly hasAux?: boolean | undefined
}

/** Every option's name, for `checkOptions` to refuse others (`satisfies` keeps it complete). */
const jacobianOptionNames = Object.keys({ argnums: true, chunkSize: true, hasAux: true } satisfies {
  readonly [K in keyof JacobianOptions]-?: true
})

type Depth = readonly unknown[]

/** The block type for one output leaf `O` and one input leaf `I`. */
type Block<O, I> = O extends number ? (I extends number ? number : Tensor) : Tensor

/** One output leaf's Jacobian: a tree shaped like the input. */
type PerInput<O, I, D extends Depth> = D['length'] extends 8
  ? unknown
  : I extends number | Tensor
    ? Block<O, I>
    : { -readonly [K in keyof I]: PerInput<O, I[K], [...D, unknown]> }

/** The Jacobian of an output tree `O` with respect to an input tree `I`: output outside. */
export type Jacobian<O, I, D extends Depth = []> = D['length'] extends 8
  ? unknown
  : O extends number | Tensor
    ? PerInput<O, I, []>
    : { -readonly [K in keyof O]: Jacobian<O[K], I, [...D, unknown]> }

/** The selected arguments as one tree, and a function of that tree alone. */
const select = (
  f: (...args: never[]) => unknown,
  args: readonly unknown[],
  argnums: Argnums,
  transformation: string,
): { input: unknown; g: (input: unknown) => unknown } => {
  const picked = checkArgnums(argnums, args.length, transformation)
  const input = typeof argnums === 'number' ? args[argnums] : picked.map((n) => args[n])
  const call = f as (...a: readonly unknown[]) => unknown
  const g = (x: unknown): unknown => {
    const full = args.slice()
    if (typeof argnums === 'number') full[argnums] = x
    else
      picked.forEach((n, i) => {
        full[n] = (x as readonly unknown[])[i]
      })
    return call(...full)
  }
  return { input, g }
}

/** How errors name the differentiated input: `argument 1`, or the list of selected ones. */
const inputName = (argnums: Argnums | undefined): string =>
  typeof argnums === 'object' && argnums !== null
    ? 'the arguments picked by argnums'
    : `argument ${String(argnums ?? 0)}`

const chunkOf = (total: number, requested: number | undefined): number => {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1) {
      throw new InvalidArgumentError(`chunkSize ${show(requested)} is not a positive integer`, {
        hint: 'give a whole number of directions per pass, or omit it',
      })
    }
    return Math.min(requested, Math.max(total, 1))
  }
  return Math.max(1, Math.min(total, Math.floor(2 ** 21 / Math.max(total, 1))))
}

/** Rows `start … start+count` of the identity over all leaves, shaped as a batch of trees. */
const basisChunk = (flat: Flat, start: number, count: number): unknown => {
  let offset = 0
  const leaves = flat.leafDefs.map((leaf) => {
    const n = sizeOf(leaf.shape)
    const data = zerosK(count * n, leaf.dtype ?? 'float64')
    for (let r = 0; r < count; r++) {
      const k = start + r - offset
      if (k >= 0 && k < n) data[r * n + k] = 1
    }
    offset += n
    return new Tensor(data, [count, ...leaf.shape])
  })
  return unflatten(flat.def, leaves)
}

/**
 * Runs `pass` over chunks of basis directions (`flat` has at least one element) and
 * concatenates the results along axis 0.
 */
const sweep = (flat: Flat, chunk: number, pass: (basis: unknown) => unknown): Flat => {
  const total = totalSize(flat.leafDefs)
  const parts: Flat[] = []
  for (let start = 0; start < total; start += chunk) {
    parts.push(flatten(pass(basisChunk(flat, start, Math.min(chunk, total - start))), 'jacobian'))
  }
  const first = parts[0]!
  if (parts.length === 1) return first
  const leaves = first.leaves.map((_, i) => concat(parts.map((p) => p.leaves[i]!)))
  return { leaves, def: first.def, leafDefs: first.leafDefs }
}

/**
 * Outputs of at most this many elements get their Jacobian's rows from one pullback each: a
 * `vmap` of the pullback over so few basis cotangents costs more in batching than it saves
 * (`vmap(jacrev(f))` of ba's 2-output error: ~2× the two pullbacks, bench/NOTES.md §29).
 */
const FEW_ROWS = 4

/** The cotangent tree of output `flat` that is 1 at element `i` of all its leaves, else 0. */
const unitTree = (flat: Flat, i: number): unknown => {
  let offset = 0
  const leaves = flat.leafDefs.map((leaf) => {
    const n = sizeOf(leaf.shape)
    const k = i - offset
    offset += n
    if (leaf.number) return k === 0 ? 1 : 0
    const data = zerosK(n, leaf.dtype ?? 'float64')
    if (k >= 0 && k < n) data[k] = 1
    return new Tensor(data, leaf.shape)
  })
  return unflatten(flat.def, leaves)
}

/**
 * The rows of a Jacobian whose output has `total` ≤ `FEW_ROWS` elements, each pulled back on
 * its own (the last run consumes the tape): row i is the input cotangents of unit cotangent i.
 */
const rowByRow = (
  out: Flat,
  total: number,
  pull: (cotangent: unknown, last: boolean) => unknown,
): Flat[] => {
  const rows: Flat[] = []
  for (let i = 0; i < total; i++) {
    rows.push(flatten(pull(unitTree(out, i), i === total - 1), 'jacobian'))
  }
  return rows
}

/** The block of an empty output or input leaf: no elements, shaped T ++ S (as JAX's). */
const emptyBlock = (outLeaf: LeafDef, inLeaf: LeafDef): Val =>
  new Tensor(zerosK(0, inLeaf.dtype ?? 'float64'), [...outLeaf.shape, ...inLeaf.shape])

/**
 * The Jacobian of output `out` with respect to input `inFlat` when either has no elements:
 * every block is empty, so nothing is differentiated.
 */
const emptyJacobian = (out: Flat, inFlat: Flat): unknown =>
  unflatten(
    out.def,
    out.leafDefs.map(
      (outLeaf) =>
        unflatten(
          inFlat.def,
          inFlat.leafDefs.map((l) => emptyBlock(outLeaf, l)),
        ) as Val,
    ),
  )

/**
 * The blocks (output leaf i, input leaf j) of a Jacobian from its `rows`: the rows of output
 * leaf i's elements, stacked when there are several (one row is the block itself), shaped
 * T_i ++ S_j.
 */
const blocksOfRows = (out: Flat, inFlat: Flat, rows: readonly Flat[]): unknown[] => {
  let offset = 0
  return out.leafDefs.map((outLeaf) => {
    const n = sizeOf(outLeaf.shape)
    const start = offset
    offset += n
    const perInput = inFlat.leafDefs.map((inLeaf, j) => {
      if (n === 0) return emptyBlock(outLeaf, inLeaf)
      const part =
        n === 1
          ? rows[start]!.leaves[j]!
          : stack(rows.slice(start, start + n).map((r) => r.leaves[j]!))
      return shapeBlock(outLeaf, inLeaf, part)
    })
    return unflatten(inFlat.def, perInput)
  })
}

/** Block [rows offset…offset+n of a stacked leaf], reshaped to `lead ++ tail`. */
const block = (stacked: Val, offset: number, n: number, shape: readonly number[]): Val => {
  const s = shapeOf(stacked)
  const part = n === s[0] && offset === 0 ? stacked : slice(stacked, [offset], [offset + n])
  return reshape(part, shape)
}

/** Elements of all the leaves. */
const totalSize = (leaves: readonly LeafDef[]): number => {
  let n = 0
  for (let i = 0; i < leaves.length; i++) n += sizeOf(leaves[i]!.shape)
  return n
}

const NUMBER_LEAF: LeafDef = { kind: 'leaf', number: true, shape: [] }

const kindOf = (leaf: LeafDef, other: LeafDef, v: Val): Val =>
  leaf.number && other.number ? asLeaf(v, NUMBER_LEAF) : v

/**
 * The one basis direction of a one-element leaf: 1 for a number leaf, so that scalar code
 * runs the interpreters' number paths (the same bits as rank-0 tensors, which
 * test/core/jvp-scalar.test.ts checks for every elementwise primitive, and
 * test/transforms/fast-paths.test.ts against the batched path), else a tensor of its shape.
 */
const unitOf = (leaf: LeafDef): Val =>
  leaf.number ? 1 : new Tensor(zerosK(1, leaf.dtype ?? 'float64').fill(1), leaf.shape)

/** The block of output leaf `outLeaf` and input leaf `inLeaf` from an unbatched derivative. */
const shapeBlock = (outLeaf: LeafDef, inLeaf: LeafDef, v: Val): Val =>
  kindOf(
    inLeaf,
    outLeaf,
    outLeaf.number && inLeaf.number ? v : reshape(v, [...outLeaf.shape, ...inLeaf.shape]),
  )

/**
 * `jacfwd` of an input with one element: one direction, so one plain `jvp` instead of a
 * `vmap` of it over a batch of one — the same numbers without the batching cost per call.
 */
const oneDirection = (
  inFlat: Flat,
  hasAux: boolean,
  push: (basis: unknown) => unknown[],
): unknown => {
  const inLeaf = inFlat.leafDefs[0]!
  const [y, yDot, aux] = push(unflatten(inFlat.def, [unitOf(inLeaf)]))
  const out = flatten(y, 'output')
  const dots = flatten(yDot, 'jacobian').leaves
  const blocks: Val[] = new Array<Val>(dots.length)
  for (let i = 0; i < dots.length; i++) {
    blocks[i] = unflatten(inFlat.def, [shapeBlock(out.leafDefs[i]!, inLeaf, dots[i]!)]) as Val
  }
  const jacobian = unflatten(out.def, blocks)
  return hasAux ? [jacobian, aux] : jacobian
}

/**
 * `jacfwd` of an input that is one leaf of one element: the interpreter run here, and an output
 * that is one leaf needs no trees (any other output goes through `jvpOutputs`, as `jvp`'s).
 */
const oneLeafForward = (
  g: (x: unknown) => unknown,
  x: Val,
  inFlat: Flat,
  hasAux: boolean,
  transformation: string,
): unknown => {
  const inLeaf = inFlat.leafDefs[0]!
  const unit = unitOf(inLeaf)
  const interp = new JvpInterpreter(transformation)
  try {
    const y = g(interp.lift(x, unit))
    if (!hasAux && isLeaf(y)) {
      const outLeaf = leafOf(y)
      const yDot = unalias([asLeaf(interp.tangentOf(y), outLeaf)], [x], [unit])[0]!
      return shapeBlock(outLeaf, inLeaf, yDot)
    }
    const outputs = jvpOutputs(interp, y, [x], [unit], hasAux, transformation)
    return oneDirection(inFlat, hasAux, () => outputs)
  } finally {
    interp.close()
  }
}

/**
 * Jacobian by forward mode: `jacfwd(f)(...args)` is ∂f/∂args[argnums], built from chunks of
 * basis tangents, each chunk pushed through one batched `jvp`. Best when inputs are fewer
 * than outputs. Layout: output leaf shape T ++ input leaf shape S; trees nest output-outside.
 *
 * Laws: grad-jacrev-jacfwd (agrees with `jacrev` and with stacked `grad`s).
 * @example
 * jacfwd((x: Tensor) => mul(x, x))(tensor([1, 2])).toArray() // => [[2, 0], [0, 4]]
 * @category transformations
 */
export function jacfwd<A extends readonly unknown[], B>(
  f: (...args: A) => B,
  options?: { readonly argnums?: undefined; readonly chunkSize?: number; readonly hasAux?: false },
): (...args: A) => Jacobian<B, A[0]>
export function jacfwd<A extends readonly unknown[], B, const N extends Argnums>(
  f: (...args: A) => B,
  options: { readonly argnums: N; readonly chunkSize?: number; readonly hasAux?: false },
): (...args: A) => Jacobian<B, Selected<A, N>>
export function jacfwd<A extends readonly unknown[], B, Aux>(
  f: (...args: A) => readonly [B, Aux],
  options: { readonly argnums?: undefined; readonly chunkSize?: number; readonly hasAux: true },
): (...args: A) => [Jacobian<B, A[0]>, Aux]
export function jacfwd<A extends readonly unknown[], B, const N extends Argnums, Aux>(
  f: (...args: A) => readonly [B, Aux],
  options: { readonly argnums: N; readonly chunkSize?: number; readonly hasAux: true },
): (...args: A) => [Jacobian<B, Selected<A, N>>, Aux]
export function jacfwd(
  f: (...args: never[]) => unknown,
  options?: JacobianOptions,
): (...args: never[]) => unknown {
  checkFunction(f, 'jacfwd')
  checkOptions(options, 'jacfwd', jacobianOptionNames, ['hasAux'])
  return jacfwdImpl(f, options, 'jacfwd')
}

type AnyFn = (...args: never[]) => unknown

function jacfwdImpl(
  f: AnyFn,
  options: JacobianOptions | undefined,
  transformation: string,
): (...args: readonly unknown[]) => unknown {
  const hasAux = options?.hasAux === true
  const name = inputName(options?.argnums)
  return (...args: readonly unknown[]) => {
    const { input, g } = select(f, args, options?.argnums ?? 0, transformation)
    const inFlat = flatten(input, name)
    const total = totalSize(inFlat.leafDefs)
    const chunk = chunkOf(total, options?.chunkSize)
    if (total === 0) {
      // no directions to push: f runs once, with zero tangents, for its output's structure
      const zero = unflatten(inFlat.def, inFlat.leafDefs.map(zeroOf))
      const [y, , aux] = jvpNamed(g, [input], [zero], hasAux, transformation)
      const jacobian = emptyJacobian(flatten(y, 'output'), inFlat)
      return hasAux ? [jacobian, aux] : jacobian
    }
    if (total === 1 && inFlat.leaves.length === 1) {
      if (isLeaf(input)) return oneLeafForward(g, input, inFlat, hasAux, transformation)
      return oneDirection(inFlat, hasAux, (basis) =>
        jvpNamed(g, [input], [basis], hasAux, transformation),
      )
    }
    // the primal output and aux do not depend on the tangents, so they come out of the batched
    // passes unbatched: f runs only there, never once more on its own
    let y: unknown
    let aux: unknown
    const stacked = sweep(inFlat, chunk, (basis) =>
      vmap((t: unknown) => {
        const [out, outDot, a] = jvpNamed(g, [input], [t], hasAux, transformation)
        y = out
        aux = a
        return outDot
      })(basis),
    )
    const out = flatten(y, 'output')
    // stacked leaf i: [N, ...T_i]; block (i, j): rows of input leaf j, moved to T_i ++ S_j
    const blocks = out.leafDefs.map((outLeaf, i) => {
      let offset = 0
      const perInput = inFlat.leafDefs.map((inLeaf) => {
        const n = sizeOf(inLeaf.shape)
        const rows = block(stacked.leaves[i]!, offset, n, [...inLeaf.shape, ...outLeaf.shape])
        offset += n
        const r = inLeaf.shape.length
        const t = outLeaf.shape.length
        const perm = [
          ...Array.from({ length: t }, (_, k) => r + k),
          ...Array.from({ length: r }, (_, k) => k),
        ]
        const moved = r === 0 || t === 0 ? rows : transpose(rows, perm)
        return kindOf(inLeaf, outLeaf, moved)
      })
      return unflatten(inFlat.def, perInput)
    })
    const jacobian = unflatten(out.def, blocks as Val[])
    return hasAux ? [jacobian, aux] : jacobian
  }
}

/**
 * Jacobian by reverse mode: `jacrev(f)(...args)` runs `f` once, then pulls chunks of basis
 * cotangents back through one batched backward pass each. Best when outputs are fewer than
 * inputs. Same layout as `jacfwd`.
 *
 * Laws: grad-jacrev-jacfwd.
 * @example
 * jacrev((x: Tensor) => mul(x, x))(tensor([1, 2])).toArray() // => [[2, 0], [0, 4]]
 * @category transformations
 */
export function jacrev<A extends readonly unknown[], B>(
  f: (...args: A) => B,
  options?: { readonly argnums?: undefined; readonly chunkSize?: number; readonly hasAux?: false },
): (...args: A) => Jacobian<B, A[0]>
export function jacrev<A extends readonly unknown[], B, const N extends Argnums>(
  f: (...args: A) => B,
  options: { readonly argnums: N; readonly chunkSize?: number; readonly hasAux?: false },
): (...args: A) => Jacobian<B, Selected<A, N>>
export function jacrev<A extends readonly unknown[], B, Aux>(
  f: (...args: A) => readonly [B, Aux],
  options: { readonly argnums?: undefined; readonly chunkSize?: number; readonly hasAux: true },
): (...args: A) => [Jacobian<B, A[0]>, Aux]
export function jacrev<A extends readonly unknown[], B, const N extends Argnums, Aux>(
  f: (...args: A) => readonly [B, Aux],
  options: { readonly argnums: N; readonly chunkSize?: number; readonly hasAux: true },
): (...args: A) => [Jacobian<B, Selected<A, N>>, Aux]
export function jacrev(
  f: (...args: never[]) => unknown,
  options?: JacobianOptions,
): (...args: never[]) => unknown {
  checkFunction(f, 'jacrev')
  checkOptions(options, 'jacrev', jacobianOptionNames, ['hasAux'])
  return jacrevImpl(f, options)
}

/**
 * The Jacobian of a one-element output `y` with respect to the one input leaf `x` (node `node`
 * of `interp`), from one backward pass with the unit cotangent — what the general path computes,
 * without its trees; undefined when `y` is not a one-element leaf (the general path then runs on
 * the same tape).
 */
const oneElementBlock = (
  interp: VjpInterpreter,
  node: Node,
  x: Val,
  y: unknown,
): Val | undefined => {
  if (!isLeaf(y)) return undefined
  const outLeaf = leafOf(y)
  if (sizeOf(outLeaf.shape) !== 1) return undefined
  const mine = y instanceof Node && y.interp === interp
  const unit = unitOf(outLeaf)
  // consumed even when y is not traced: the buffers go on to the next call
  const bar = interp.backward(mine ? [y.id] : [], mine ? [unit] : [], [node.id], true)[0]!
  const inLeaf = leafOf(x)
  const xBar = unalias([asLeaf(bar, inLeaf)], [unit], [x])[0]!
  return shapeBlock(outLeaf, inLeaf, xBar)
}

function jacrevImpl(
  f: AnyFn,
  options: JacobianOptions | undefined,
): (...args: readonly unknown[]) => unknown {
  const name = inputName(options?.argnums)
  return (...args: readonly unknown[]) => {
    const { input, g } = select(f, args, options?.argnums ?? 0, 'jacrev')
    const hasAux = options?.hasAux === true
    let traced: Traced
    // a bad chunkSize is named whichever path runs
    if (options?.chunkSize !== undefined) chunkOf(1, options.chunkSize)
    if (!hasAux && isLeaf(input)) {
      // one leaf in: the tape is recorded here, and an output of one element needs no trees
      const interp = new VjpInterpreter('jacrev', cotangentOps)
      const node = interp.input(input)
      let y: unknown
      try {
        y = g(node)
      } finally {
        interp.close()
      }
      const block = oneElementBlock(interp, node, input, y)
      if (block !== undefined) return block
      traced = packageTape(
        interp,
        flatten([input], 'primals'),
        [node.id],
        y,
        false,
        'jacrev',
        false,
      )
    } else traced = traceVjp(g, [input], hasAux, 'jacrev', false)
    const inFlat = flatten(input, name)
    const out = flatten(traced.out, 'output')
    const total = totalSize(out.leafDefs)
    const chunk = chunkOf(total, options?.chunkSize)
    if (total === 0) {
      const jacobian = emptyJacobian(out, inFlat)
      return hasAux ? [jacobian, traced.aux] : jacobian
    }
    if (total === 1 && out.leaves.length === 1) {
      const outLeaf = out.leafDefs[0]!
      const xBar = flatten(
        (traced.pullback(unflatten(out.def, [unitOf(outLeaf)]), true) as unknown[])[0],
        'jacobian',
      )
      const perInput: Val[] = new Array<Val>(xBar.leaves.length)
      for (let j = 0; j < perInput.length; j++) {
        perInput[j] = shapeBlock(outLeaf, inFlat.leafDefs[j]!, xBar.leaves[j]!)
      }
      const jacobian = unflatten(out.def, [unflatten(inFlat.def, perInput) as Val])
      return hasAux ? [jacobian, traced.aux] : jacobian
    }
    if (options?.chunkSize === undefined && total >= 1 && total <= FEW_ROWS) {
      const rows = rowByRow(out, total, (c, last) => (traced.pullback(c, last) as unknown[])[0])
      const jacobian = unflatten(out.def, blocksOfRows(out, inFlat, rows) as Val[])
      return hasAux ? [jacobian, traced.aux] : jacobian
    }
    const stacked = sweep(out, chunk, (basis) =>
      // one chunk: its pass is the tape's last, which hands the buffers on to the next call
      vmap((c: unknown) => (traced.pullback(c, chunk >= total) as unknown[])[0])(basis),
    )
    // stacked leaf j: [M, ...S_j]; block (i, j): rows of output leaf i, shaped T_i ++ S_j
    let offset = 0
    const blocks = out.leafDefs.map((outLeaf) => {
      const n = sizeOf(outLeaf.shape)
      const perInput = inFlat.leafDefs.map((inLeaf, j) =>
        kindOf(
          inLeaf,
          outLeaf,
          block(stacked.leaves[j]!, offset, n, [...outLeaf.shape, ...inLeaf.shape]),
        ),
      )
      offset += n
      return unflatten(inFlat.def, perInput)
    })
    const jacobian = unflatten(out.def, blocks as Val[])
    return hasAux ? [jacobian, traced.aux] : jacobian
  }
}

/**
 * Hessian of a scalar function, forward-over-reverse: `jacfwd(grad(f))`. For an input of
 * shape S the result has shape S ++ S (a number for a number input).
 *
 * Laws: hessian-symmetry, and agreement of all four compositions of jacfwd and jacrev.
 * @example
 * hessian((x: Tensor) => sum(mul(x, mul(x, x))))(tensor([1, 2])).toArray() // => [[6, 0], [0, 12]]
 * @category transformations
 */
export function hessian<A extends readonly unknown[]>(
  f: (...args: A) => Scalar,
  options?: { readonly argnums?: undefined; readonly chunkSize?: number; readonly hasAux?: false },
): (...args: A) => Jacobian<A[0], A[0]>
export function hessian<A extends readonly unknown[], const N extends Argnums>(
  f: (...args: A) => Scalar,
  options: { readonly argnums: N; readonly chunkSize?: number; readonly hasAux?: false },
): (...args: A) => Jacobian<Selected<A, N>, Selected<A, N>>
export function hessian<A extends readonly unknown[], Aux>(
  f: (...args: A) => readonly [Scalar, Aux],
  options: { readonly argnums?: undefined; readonly chunkSize?: number; readonly hasAux: true },
): (...args: A) => [Jacobian<A[0], A[0]>, Aux]
export function hessian<A extends readonly unknown[], const N extends Argnums, Aux>(
  f: (...args: A) => readonly [Scalar, Aux],
  options: { readonly argnums: N; readonly chunkSize?: number; readonly hasAux: true },
): (...args: A) => [Jacobian<Selected<A, N>, Selected<A, N>>, Aux]
export function hessian(
  f: (...args: never[]) => unknown,
  options?: JacobianOptions,
): (...args: never[]) => unknown {
  checkFunction(f, 'hessian')
  checkOptions(options, 'hessian', jacobianOptionNames, ['hasAux'])
  // the inner gradient takes the kind of its argument (a number for a number), as `grad` does;
  // with hasAux it returns [gradient, aux], which jacfwd splits the same way
  const gradient = gradNamed(
    f as (...args: readonly unknown[]) => unknown,
    { argnums: options?.argnums ?? 0, hasAux: options?.hasAux === true },
    'hessian',
  )
  return jacfwdImpl(gradient, options, 'hessian')
}

/**
 * Hessian–vector product H(x)·v by forward-over-reverse (`jvp` of `grad`), without forming
 * the Hessian: about the cost of two gradients.
 *
 * Laws: hvp-fd (agrees with finite differences of `grad`).
 * @example
 * hvp((x: Tensor) => sum(mul(x, mul(x, x))))(tensor([1, 2]), tensor([1, 0])).toArray() // => [6, 0]
 * @category transformations
 */
export function hvp<A>(f: (x: A) => Scalar): (x: A, v: A) => A {
  checkFunction(f, 'hvp')
  const df = gradNamed(f as (...args: readonly unknown[]) => unknown, {}, 'hvp')
  return (x: A, v: A): A => jvpNamed(df, [x], [v], false, 'hvp')[1] as A
}
