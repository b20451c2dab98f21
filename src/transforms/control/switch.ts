/**
 * `cond` and `switchCase`: JAX's `lax.cond` and `lax.switch`, one rule. Eagerly only the chosen
 * branch runs. Forward
 * mode switches over the branches' JVPs and reverse mode's pullback over their VJPs (the chosen
 * branch runs again there), so under `jit` both stay a switch; `vmap` with a batched index runs
 * every branch and selects per example, as JAX does, each example's index checked.
 * @module
 */
import {
  activeSubstitutions,
  bindClosed,
  type CustomPullback,
  type CustomRule,
  withSubstitutions,
} from '../../core/custom.ts'
import { strongDtype } from '../../core/dtype.ts'
import { IndexError } from '../../core/errors.ts'
import { dtypeOf, shapeOf, type Tracer, type Val } from '../../core/tracer.ts'
import {
  flatten,
  flattenAs,
  type LeafDef,
  leafDefs,
  type TreeDef,
  unflatten,
} from '../../core/tree.ts'
import { formatPath, leafPaths } from '../../core/tree-walk.ts'
import type { StagingInterpreter } from '../../jit/trace.ts'
import { equal, notEqual, where } from '../../primitives/comparison.ts'
import { withBatch } from '../../primitives/families.ts'
import { broadcastTo, reshape } from '../../primitives/structural.ts'
import type { DType, Tensor } from '../../tensor/tensor.ts'
import { jvp } from '../jvp.ts'
import { vjp } from '../vjp.ts'
import { vmap } from '../vmap.ts'
import { checked } from './check.ts'
import {
  axisOf,
  batchedOutputs,
  checkFn,
  checkScalar,
  conform,
  defsOf,
  dtypeMismatch,
  fill,
  joinDtypes,
  type OutDef,
  reading,
  scalarOf,
  toDtypes,
} from './shared.ts'
import { stageSwitch } from './stage.ts'
import { holds } from './while.ts'

/** A switch over flat leaves: the operands in, the chosen branch's outputs out. */
export interface SwitchSpec {
  /** `cond` (a predicate: nonzero picks branch 0) or `switchCase` (an index). */
  readonly name: 'cond' | 'switchCase'
  readonly branches: readonly ((operands: readonly Val[]) => Val[])[]
  readonly operands: readonly LeafDef[]
  /** The outputs' tree, learned from the first branch that runs. */
  readonly out: OutDef
  /**
   * The outputs' dtypes, from every branch's outputs `ran` (default `joinDtypes`); undefined
   * where all are weakly typed.
   */
  readonly join?: (ran: readonly (readonly Val[])[]) => (DType | undefined)[]
}

/** The dtypes of `spec`'s outputs, every branch having given `ran`. */
const joined = (spec: SwitchSpec, ran: readonly (readonly Val[])[]): (DType | undefined)[] =>
  spec.join === undefined ? joinDtypes(spec.name, ran) : spec.join(ran)

/** The branch an index or predicate picks; a bad index raises `IndexError`. */
export const branchOf = (spec: SwitchSpec, v: Val): number => {
  if (spec.name === 'cond') return holds(v, 'cond') ? 0 : 1
  const i = scalarOf(v, 'switchCase', 'index')
  const n = spec.branches.length
  if (!Number.isInteger(i) || i < 0 || i >= n) {
    throw new IndexError(`switchCase: index ${i} picks no branch of ${n}`, {
      primitive: 'switchCase',
      hint: `the index must be an integer in [0, ${n - 1}] (JAX clamps it; fluxion does not guess)`,
    })
  }
  return i
}

/** The switch `spec` over [index, ...operands], bound for every running transformation. */
export const bindSwitch = (spec: SwitchSpec, args: readonly Val[]): Val[] =>
  bindClosed(switchRule(spec, []), args)

const switchRule = (spec: SwitchSpec, captured: readonly Tracer[]): CustomRule => {
  const no = spec.operands.length
  const run = (k: number, ops: readonly Val[], cap: readonly Val[]): Val[] =>
    reading(captured, cap, spec.name, () => spec.branches[k]!(conform(ops, spec.operands)))
  const branch = (k: number) => (ops: readonly Val[], cap: readonly Val[]) => run(k, ops, cap)
  const derived = (
    branches: SwitchSpec['branches'],
    operands: readonly LeafDef[],
    join?: SwitchSpec['join'],
  ): SwitchSpec => ({
    name: spec.name,
    branches,
    operands,
    out: { def: undefined },
    ...(join === undefined ? {} : { join }),
  })
  const rule: CustomRule = {
    name: spec.name,
    call: (args) => run(branchOf(spec, args[0]!), args.slice(1, 1 + no), args.slice(1 + no)),
    jvp: (args, dots) => {
      const ops = args.slice(1, 1 + no)
      const cap = args.slice(1 + no)
      if (dots.every((d) => d === null)) {
        const outs = bindClosed(rule, args)
        return [outs, outs.map(() => null)]
      }
      const all = fill(dots, args)
      const capDots = conform(all.slice(1 + no), defsOf(cap))
      const branches = spec.branches.map((_, k) => (both: readonly Val[]) => {
        const [out, outDot] = jvp(branch(k), [both.slice(0, no), cap], [both.slice(no), capDots])
        return [...out, ...conform(outDot, defsOf(out))]
      })
      // a tangent has its primal's dtype: a weakly typed primal's (a float64 zero, say) takes
      // the dtype its primal takes from the other branches
      const join = (ran: readonly (readonly Val[])[]) => {
        const primal = joined(
          spec,
          ran.map((o) => o.slice(0, o.length / 2)),
        )
        return [...primal, ...primal]
      }
      const outs = bindSwitch(derived(branches, [...spec.operands, ...spec.operands], join), [
        args[0]!,
        ...ops,
        ...conform(all.slice(1, 1 + no), spec.operands),
      ])
      const n = outs.length / 2
      return [outs.slice(0, n), outs.slice(n)]
    },
    vjp: (args) => {
      const outs = bindClosed(rule, args)
      const ops = args.slice(1, 1 + no)
      const cap = args.slice(1 + no)
      const saved = activeSubstitutions()
      const pullback: CustomPullback = (outBars) =>
        withSubstitutions(saved, () => {
          const bars = fill(outBars, outs)
          const outDefs = defsOf(outs)
          const capDefs = defsOf(cap)
          const branches = spec.branches.map((_, k) => (both: readonly Val[]) => {
            const [, pb] = vjp(branch(k), both.slice(0, no), cap)
            const [opBars, capBars] = pb(conform(both.slice(no), outDefs) as never) as readonly [
              Val[],
              Val[],
            ]
            return [...conform(opBars, spec.operands), ...conform(capBars, capDefs)]
          })
          const back = bindSwitch(derived(branches, [...spec.operands, ...outDefs]), [
            args[0]!,
            ...ops,
            ...bars,
          ])
          return [null, ...back]
        })
      return [outs, pullback]
    },
    batch: (values, batched, size) => {
      const some = rule.batchSome!(values, batched, size)
      return some.outs.map((v, i) => withBatch(v, some.batched[i]!, size))
    },
    batchSome: (values, batched, size) => {
      const ops = values.slice(1, 1 + no)
      const cap = values.slice(1 + no)
      const inAxes = [batched.slice(1, 1 + no).map(axisOf), batched.slice(1 + no).map(axisOf)]
      if (!batched[0]) {
        // one branch for the whole batch: outputs batched where some branch's output is
        const probes = spec.branches.map((_, k) =>
          batchedOutputs(
            (vals) => run(k, vals.slice(0, no), vals.slice(no)),
            [...ops, ...cap],
            batched.slice(1),
            size,
          ),
        )
        const outBatched = probes.some((p) => p === undefined)
          ? undefined
          : probes[0]!.map((_, j) => probes.some((p) => p![j]))
        const outAxes = outBatched === undefined ? 0 : outBatched.map(axisOf)
        const branches = spec.branches.map((_, k) => {
          const m = vmap(branch(k), { inAxes, outAxes })
          return (o: readonly Val[]) => m(o, cap)
        })
        const outs = bindSwitch(derived(branches, defsOf(ops)), [values[0]!, ...ops])
        return { outs, batched: outBatched ?? outs.map(() => true) }
      }
      // a batched index: every branch runs, and each example takes its own branch's outputs;
      // each example's index is checked as the unbatched switch checks it (on every jit replay
      // too), since the select below would quietly send a bad one to the last branch
      const picks = checked(spec.name, (x) => branchOf(spec, x), values[0]!) as Tensor
      const some = batched.slice(1).some((b) => b)
      // operands that no example changes: each branch runs once (vmap needs a batched argument);
      // its outputs then get the batch axis in front, where the select lines up the examples
      const ran = spec.branches.map((_, k) =>
        some
          ? vmap(branch(k), { inAxes })(ops, cap)
          : run(k, ops, cap).map((o) => withBatch(o, false, size)),
      )
      // every example gets the dtype whichever branch it takes would (weakly typed outputs
      // take the others' dtype): the select must not promote
      const dtypes = joined(spec, ran)
      const outs = ran.map((o) => toDtypes(o, dtypes))
      let result = outs[outs.length - 1]!
      for (let k = outs.length - 2; k >= 0; k--) {
        const chosen = spec.name === 'cond' ? notEqual(picks, 0) : equal(picks, k)
        result = outs[k]!.map((o, j) => {
          const s = shapeOf(o)
          const mask = broadcastTo(reshape(chosen, [size, ...s.slice(1).map(() => 1)]), s)
          return where(mask, o as Tensor, result[j] as Tensor)
        })
      }
      return { outs: result, batched: result.map(() => true) }
    },
    convert: (more) => switchRule(spec, [...captured, ...more]),
    stage: (interp, args) =>
      stageSwitch(
        interp as StagingInterpreter,
        args,
        spec.name,
        spec.branches.length,
        (k, rest) => run(k, rest.slice(0, no), rest.slice(no)),
        (v) => branchOf(spec, v),
        (ran) => joined(spec, ran),
        (branches, values) =>
          bindSwitch(
            {
              name: spec.name,
              branches,
              operands: defsOf(values.slice(1)),
              out: { def: undefined },
            },
            values,
          ),
      ),
  }
  return rule
}

/** `d` with dtype `dtype`. */
const ofDtype = (d: LeafDef, dtype: DType): LeafDef =>
  dtype === 'float32'
    ? { kind: 'leaf', number: d.number, shape: d.shape, dtype }
    : { kind: 'leaf', number: d.number, shape: d.shape }

/** The flat spec of branches over a tuple of operands. */
const specOf = (
  name: SwitchSpec['name'],
  branches: readonly ((...operands: never[]) => unknown)[],
  operands: readonly unknown[],
): { spec: SwitchSpec; leaves: Val[]; out: OutDef } => {
  const flat = flatten(operands, 'operands')
  const out: OutDef = { def: undefined }
  let first = -1
  // each output leaf's dtype where a branch that ran gave it strongly typed, and that branch
  const strong: (DType | undefined)[] = []
  const from: number[] = []
  const note = (leaves: readonly Val[], k: number, def: TreeDef): void => {
    leaves.forEach((v, j) => {
      const d = strongDtype(v)
      if (d === undefined || d === strong[j]) return
      const e = strong[j]
      if (e !== undefined) {
        const leaf = formatPath('output', leafPaths(def)[j]!)
        throw dtypeMismatch(name, leaf, k, d, from[j]!, e)
      }
      strong[j] = d
      from[j] = k
    })
  }
  const wrapped = branches.map((f, k) => (operandLeaves: readonly Val[]): Val[] => {
    const result = (f as (...xs: unknown[]) => unknown)(
      ...(unflatten(flat.def, operandLeaves) as unknown[]),
    )
    if (out.def === undefined) {
      first = k
      const fl = flatten(result, `branch ${k}'s output`)
      out.def = fl.def
      note(fl.leaves, k, fl.def)
      return fl.leaves
    }
    const outs = flattenAs(out.def, result, `${name}: branch ${k}'s output`, name, {
      against: `branch ${first}'s`,
      hint: 'every branch must return the same tree structure with the same leaf shapes, as in JAX',
    })
    note(outs, k, out.def)
    // the first branch's kinds; dtypes as the branches that ran agree (weak ones take theirs)
    const defs = leafDefs(out.def).map((d, j) => ofDtype(d, strong[j] ?? dtypeOf(outs[j]!)))
    return conform(outs, defs)
  })
  return {
    spec: { name, branches: wrapped, operands: flat.leafDefs, out },
    leaves: flat.leaves,
    out,
  }
}

/**
 * `trueFn(...operands)` where `pred` is nonzero, else `falseFn(...operands)`: JAX's `lax.cond`.
 * `pred` is a scalar (a number or a tensor of shape []); the branches return trees of the same
 * structure, leaf shapes and dtypes — a weakly typed leaf (a JS number, a tensor made of numbers
 * alone) takes the other branch's dtype, as in JAX. Eagerly only the chosen branch runs, and
 * gives its own dtypes; under `jit` both are compiled
 * once and the choice is made on every call; under `vmap` with a batched predicate both run and
 * each example takes its own (a select, as JAX does).
 *
 * Derivatives are the chosen branch's, in every mode; the predicate has none.
 *
 * Throws `InvalidArgumentError` for a predicate that is not a scalar or is NaN (any example's,
 * under `vmap`; on every call, under `jit`), and `TreeMismatchError` naming the leaf where two
 * branches' outputs differ (in structure, shape, or dtype where both are strongly typed)
 * wherever both are traced: under `jit` (whichever branch the first
 * call takes) and under `vmap` with a batched predicate. Eagerly, and under `grad` or `jvp`
 * without `jit`, only the chosen branch runs (checking the other would trace it on every call,
 * ~5× the cost of a small eager `cond`), so such branches first fail when compiled or batched.
 * @example
 * const keepPositive = (x: number) => cond(greater(x, 0), (y: number) => y, () => 0, x)
 * keepPositive(3) // => 3
 * grad(keepPositive)(-2) // => 0
 * @category control flow
 */
export function cond<A extends readonly unknown[], R>(
  pred: number | Tensor,
  trueFn: (...operands: A) => R,
  falseFn: (...operands: A) => R,
  ...operands: A
): R {
  checkScalar(pred, 'cond', 'predicate')
  checkFn(trueFn, 'cond', 'the true branch')
  checkFn(falseFn, 'cond', 'the false branch')
  const { spec, leaves, out } = specOf('cond', [trueFn, falseFn] as never, operands)
  const outs = bindSwitch(spec, [pred as Val, ...leaves])
  return unflatten(out.def!, outs) as R
}

/**
 * `branches[index](...operands)`: JAX's `lax.switch`. `index` is an integer scalar; unlike JAX,
 * an index outside [0, branches.length) raises `IndexError` rather than being clamped — eagerly,
 * on every `jit` call, and for any example's index under `vmap`. Derivatives, transformations
 * and the check of the branches' outputs as for `cond`.
 * @example
 * const f = (k: number, x: number) => switchCase(k, [(y: number) => y, (y: number) => mul(y, y), (y: number) => neg(y)], x)
 * f(1, 3) // => 9
 * grad((x: number) => f(2, x))(3) // => -1
 * @category control flow
 */
export function switchCase<A extends readonly unknown[], R>(
  index: number | Tensor,
  branches: readonly ((...operands: A) => R)[],
  ...operands: A
): R {
  checkScalar(index, 'switchCase', 'index')
  if (!Array.isArray(branches) || branches.length === 0) {
    throw new IndexError('switchCase: branches must be a non-empty array of functions', {
      primitive: 'switchCase',
      hint: 'switchCase(i, [f0, f1, …], ...operands)',
    })
  }
  branches.forEach((f, k) => {
    checkFn(f, 'switchCase', `branch ${k}`)
  })
  const { spec, leaves, out } = specOf('switchCase', branches as never, operands)
  const outs = bindSwitch(spec, [index as Val, ...leaves])
  return unflatten(out.def!, outs) as R
}
