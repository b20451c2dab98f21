/**
 * What the control-flow constructs share: user functions over trees, seen by their rules as
 * functions over flat leaves, with the tree and kind checks of JAX's carries and branches, and
 * the closure conversion of ../../core/custom.ts (a body's captured tracers become trailing
 * inputs of the rule, read back as the values it received while the body runs).
 * @module
 */
import { BatchInterpreter } from '../../core/batch.ts'
import { guardLeaves, withSubstitution } from '../../core/custom.ts'
import { strongDtype } from '../../core/dtype.ts'
import { InvalidArgumentError, TreeMismatchError } from '../../core/errors.ts'
import { zeroLike } from '../../core/jet.ts'
import type { MaybeZero } from '../../core/primitive.ts'
import { concreteOf, dtypeOf, isTracer, shapeOf, type Tracer, type Val } from '../../core/tracer.ts'
import {
  flatten,
  flattenAs,
  type LeafDef,
  leafDefs,
  leafOf,
  type TreeDef,
} from '../../core/tree.ts'
import { value } from '../../core/value.ts'
import { astype } from '../../primitives/astype.ts'
import { withBatch } from '../../primitives/families.ts'
import { show } from '../../tensor/shape.ts'
import { type DType, Tensor } from '../../tensor/tensor.ts'
import { asLeaf, checkSync } from '../common.ts'
import { sameStructure } from '../custom-check.ts'

/** A function of flat leaves to flat leaves (a branch, a loop condition's or body's core). */
export type Leaves = (xs: readonly Val[]) => Val[]

/** The def of each leaf of `values`: its kind and shape. */
export const defsOf = (values: readonly Val[]): LeafDef[] => values.map(leafOf)

/** `values` with each made of the kind of its def (a 0-d tensor where a number was, say). */
export const conform = (values: readonly MaybeZero[], defs: readonly LeafDef[]): Val[] =>
  values.map((v, i) => asLeaf(v, defs[i]!))

/** `values` with each symbolic zero made a concrete zero like the matching entry of `like`. */
export const fill = (values: readonly MaybeZero[], like: readonly Val[]): Val[] =>
  values.map((v, i) => v ?? zeroLike(like[i]!))

/**
 * Runs `run` with each tracer of `captured` read as the value of the same index, the leaves it
 * returns settled (substituted and checked, as `bind` does for arguments).
 */
export const reading = (
  captured: readonly Tracer[],
  values: readonly Val[],
  name: string,
  run: () => Val[],
): Val[] => {
  if (captured.length === 0) return run()
  return withSubstitution(captured, values, () => guardLeaves(run(), name))
}

/** The outputs' tree of a construct, learned from the first run and checked on every other. */
export interface OutDef {
  def: TreeDef | undefined
}

/**
 * The leaves of `tree`, a function's output, checked against `out` (recorded if first): a tree
 * of another structure or leaf shapes raises `TreeMismatchError` naming the leaf.
 */
export const outputLeaves = (
  out: OutDef,
  tree: unknown,
  name: string,
  what: string,
  against: string,
  hint: string,
): Val[] => {
  checkSync(tree, name)
  if (out.def === undefined) {
    const flat = flatten(tree, what)
    out.def = flat.def
    return guardLeaves(flat.leaves, name)
  }
  const leaves = flattenAs(out.def, tree, what, name, { against, hint })
  return guardLeaves(conform(leaves, leafDefs(out.def)), name)
}

/**
 * The dtype of each output leaf of a switch whose branches gave `outs` (one list per branch, of
 * one tree): that of its strongly typed leaves, which the weakly typed ones (JS numbers
 * included) take, as they take any dtype they meet (JAX's weak types); undefined where every
 * branch's leaf is weak. Raises `TreeMismatchError` where two strongly typed leaves differ, as
 * their shapes may not: the switch's output must have one dtype whichever branch runs.
 */
export const joinDtypes = (
  name: string,
  outs: readonly (readonly Val[])[],
): (DType | undefined)[] =>
  (outs[0] ?? []).map((_, j) => {
    let joined: DType | undefined
    let from = 0
    outs.forEach((o, k) => {
      const d = strongDtype(o[j]!)
      if (d === undefined || d === joined) return
      if (joined !== undefined) throw dtypeMismatch(name, `output leaf ${j}`, k, d, from, joined)
      joined = d
      from = k
    })
    return joined
  })

/** The error for a leaf of branch `k`'s output of dtype `d`, where branch `j`'s is `e`. */
export const dtypeMismatch = (
  name: string,
  leaf: string,
  k: number,
  d: DType,
  j: number,
  e: DType,
): TreeMismatchError =>
  new TreeMismatchError(`${name}: branch ${k}'s ${leaf} is ${d} where branch ${j}'s is ${e}`, {
    primitive: name,
    hint: 'every branch must give each output the same dtype, as in JAX (a JS number or a tensor made of numbers alone takes any): convert one with astype',
  })

/** `values` with each tensor converted to the dtype `dtypes` gives it (none: kept as it is). */
export const toDtypes = (values: readonly Val[], dtypes: readonly (DType | undefined)[]): Val[] =>
  values.map((v, j) => {
    const d = dtypes[j]
    return d === undefined || typeof concreteOf(v) === 'number' || dtypeOf(v) === d
      ? v
      : astype(v, d)
  })

/** Whether two output defs agree (for constructs that learn one per branch). */
export const sameDef = (a: TreeDef, b: TreeDef): boolean => sameStructure(a, b)

/** A shape or a list of sizes as text, `[2, 3]` (`show` names an array only by its kind). */
export const showShape = (s: readonly number[]): string => `[${s.join(', ')}]`

/** A scalar's value as a JS number: a number, or the one element of a 0-d tensor. */
export const scalarOf = (v: Val, name: string, what: string): number => {
  // value() refuses a value jit traces: a decision baked into a program would replay stale
  const c = isTracer(v) ? value(v as Tensor) : v
  if (typeof c === 'number') return c
  if (c instanceof Tensor && c.shape.length === 0) return c.data[0]!
  throw new InvalidArgumentError(
    `${name}: ${what} must be a scalar, got shape ${showShape(shapeOf(v))}`,
    {
      primitive: name,
      hint: `reduce it to one value first (e.g. any(), all(), sum()), or use vmap over the ${what}s`,
    },
  )
}

/** Checks that `v` is a scalar (a number, or a tensor of shape []), without reading it. */
export const checkScalar = (v: unknown, name: string, what: string): void => {
  const ok =
    typeof v === 'number' ||
    ((v instanceof Tensor || isTracer(v)) && shapeOf(v as Val).length === 0)
  if (!ok) {
    const got =
      v instanceof Tensor || isTracer(v) ? `shape ${showShape(shapeOf(v as Val))}` : show(v)
    throw new InvalidArgumentError(`${name}: ${what} must be a scalar, got ${got}`, {
      primitive: name,
      hint: `pass one number or a tensor of shape [] as the ${what}`,
    })
  }
}

/** Throws unless `f` is a function, naming the construct and the argument. */
export const checkFn = (f: unknown, name: string, what: string): void => {
  if (typeof f !== 'function') {
    throw new InvalidArgumentError(`${name}: ${what} must be a function, got ${show(f)}`, {
      primitive: name,
      hint: `pass the function itself, e.g. ${name}(…, (x) => …, …)`,
    })
  }
}

/**
 * Which outputs of `fn` depend on the inputs flagged `batched`: a probe run of `fn` under a
 * `vmap` of `size`, its results dropped. Undefined where the probe throws (the caller then
 * batches everything, and the real run reports any error).
 */
export const batchedOutputs = (
  fn: Leaves,
  values: readonly Val[],
  batched: readonly boolean[],
  size: number,
): boolean[] | undefined => {
  const interp = new BatchInterpreter('vmap', size)
  try {
    const outs = fn(values.map((v, i) => (batched[i] ? interp.wrap(v) : v)))
    return outs.map((o) => interp.batchOf(o) !== undefined)
  } catch {
    return undefined
  } finally {
    interp.close()
  }
}

/**
 * The carry leaves a loop must batch: those batched on entry, and every one a step computes from
 * a batched value — a fixed point, each round a probe of `step` (JAX's carry batching). Also
 * gives the batching of the step's other outputs at the fixed point (undefined: all batched).
 */
export const carryBatching = (
  step: Leaves,
  carry: readonly Val[],
  rest: readonly Val[],
  batched: readonly boolean[],
  size: number,
): { carry: boolean[]; others: boolean[] | undefined } => {
  const nc = carry.length
  let flags = batched.slice(0, nc)
  for (let round = 0; round <= nc; round++) {
    const values = [
      ...carry.map((v, i) => (flags[i] && !batched[i] ? broadcastBatch(v, size) : v)),
      ...rest,
    ]
    const probe = batchedOutputs(step, values, [...flags, ...batched.slice(nc)], size)
    if (probe === undefined) return { carry: flags.map(() => true), others: undefined }
    const next = flags.map((b, i) => b || probe[i]!)
    if (next.every((b, i) => b === flags[i])) return { carry: flags, others: probe.slice(nc) }
    flags = next
  }
  return { carry: flags.map(() => true), others: undefined }
}

const broadcastBatch = (v: Val, size: number): Val => withBatch(v, false, size)

/** The vmap axis of a leaf: 0 where batched, none elsewhere. */
export const axisOf = (b: boolean): 0 | null => (b ? 0 : null)
