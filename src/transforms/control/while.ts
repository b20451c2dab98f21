/**
 * `whileLoop`: JAX's `lax.while_loop`, a loop whose trip count is decided by the values. Eagerly
 * a plain loop; forward mode loops over (carry, tangent); `vmap` runs until every example's
 * condition is false, each example's carry frozen once its own is; `jit` compiles the condition
 * and the body once. Reverse mode raises `ControlFlowError`: what it would store has no bound.
 * @module
 */
import { bindClosed, type CustomRule } from '../../core/custom.ts'
import { ControlFlowError, InvalidArgumentError } from '../../core/errors.ts'
import { shapeOf, type Tracer, type Val } from '../../core/tracer.ts'
import { flatten, flattenAs, type LeafDef, unflatten } from '../../core/tree.ts'
import type { StagingInterpreter } from '../../jit/trace.ts'
import { where } from '../../primitives/comparison.ts'
import { withBatch } from '../../primitives/families.ts'
import { any } from '../../primitives/statistics.ts'
import { broadcastTo, reshape } from '../../primitives/structural.ts'
import type { Tensor } from '../../tensor/tensor.ts'
import { jvp } from '../jvp.ts'
import { vmap } from '../vmap.ts'
import type { CarryOf } from './scan.ts'
import {
  axisOf,
  batchedOutputs,
  carryBatching,
  checkFn,
  conform,
  defsOf,
  fill,
  reading,
  scalarOf,
} from './shared.ts'
import { stageWhile } from './stage.ts'

/** A while loop over flat leaves: the condition (a scalar) and the body of the carry. */
export interface WhileSpec {
  readonly cond: (carry: readonly Val[]) => Val
  readonly body: (carry: readonly Val[]) => Val[]
  readonly carry: readonly LeafDef[]
}

/** Whether a loop condition's value holds; NaN has no truth value. */
export const holds = (v: Val, name: string): boolean => {
  const x = scalarOf(v, name, 'condition')
  if (Number.isNaN(x)) {
    throw new InvalidArgumentError(
      `${name}: the condition is NaN, which is neither true nor false`,
      {
        primitive: name,
        hint: 'make the condition a comparison (less, greater, …) or guard the NaN',
      },
    )
  }
  return x !== 0
}

/** The loop `spec` over the carry leaves `args`, bound for every running transformation. */
export const bindWhile = (spec: WhileSpec, args: readonly Val[]): Val[] =>
  bindClosed(whileRule(spec, []), args)

const whileRule = (spec: WhileSpec, captured: readonly Tracer[]): CustomRule => {
  const nc = spec.carry.length
  const cond = (c: readonly Val[], cap: readonly Val[]): Val =>
    reading(captured, cap, 'whileLoop', () => [spec.cond(c)])[0]!
  const body = (c: readonly Val[], cap: readonly Val[]): Val[] =>
    conform(
      reading(captured, cap, 'whileLoop', () => spec.body(c)),
      spec.carry,
    )
  const rule: CustomRule = {
    name: 'whileLoop',
    call: (args) => {
      let c = args.slice(0, nc)
      const cap = args.slice(nc)
      while (holds(cond(c, cap), 'whileLoop')) c = body(c, cap)
      return c
    },
    jvp: (args, dots) => {
      if (dots.every((d) => d === null)) {
        const outs = bindClosed(rule, args)
        return [outs, outs.map(() => null)]
      }
      const all = fill(dots, args)
      const cap = args.slice(nc)
      const capDots = conform(all.slice(nc), defsOf(cap))
      const outs = bindWhile(
        {
          cond: (cc) => cond(cc.slice(0, nc), cap),
          body: (cc) => {
            const [out, outDot] = jvp(body, [cc.slice(0, nc), cap], [cc.slice(nc), capDots])
            return [...out, ...conform(outDot, spec.carry)]
          },
          carry: [...spec.carry, ...spec.carry],
        },
        [...args.slice(0, nc), ...conform(all.slice(0, nc), spec.carry)],
      )
      return [outs.slice(0, nc), outs.slice(nc)]
    },
    vjp: () => {
      throw new ControlFlowError(
        'whileLoop cannot be differentiated in reverse mode: its trip count is known only when it ends, so what the backward pass needs has no bound',
        {
          primitive: 'whileLoop',
          hint: 'use foriLoop with JS-number bounds, or scan with a length (then a result that stops early can be masked with where); forward mode (jvp, jacfwd) does differentiate whileLoop',
        },
      )
    },
    batch: (values, batched, size) => {
      const some = rule.batchSome!(values, batched, size)
      return some.outs.map((v, i) => withBatch(v, some.batched[i]!, size))
    },
    batchSome: (values, batched, size) => {
      const carry0 = values.slice(0, nc)
      const cap = values.slice(nc)
      const capAxes = batched.slice(nc).map(axisOf)
      const { carry: cb } = carryBatching(
        (vals) => body(vals.slice(0, nc), vals.slice(nc)),
        carry0,
        cap,
        batched,
        size,
      )
      const carry = carry0.map((v, i) => (cb[i] && !batched[i] ? withBatch(v, false, size) : v))
      const inAxes = [cb.map(axisOf), capAxes]
      const flags = [...cb, ...batched.slice(nc)]
      const predicate = batchedOutputs(
        (vals) => [cond(vals.slice(0, nc), vals.slice(nc))],
        [...carry, ...cap],
        flags,
        size,
      )
      if (predicate !== undefined && !predicate[0]) {
        // one trip count for the whole batch: a plain loop over the batched body
        const conds = vmap((c: readonly Val[], k: readonly Val[]) => cond(c, k), {
          inAxes,
          outAxes: null,
        })
        const bodies = vmap(body, { inAxes, outAxes: cb.map(axisOf) })
        const outs = bindWhile(
          { cond: (c) => conds(c, cap), body: (c) => bodies(c, cap), carry: defsOf(carry) },
          carry,
        )
        return { outs, batched: cb }
      }
      // a trip count per example: run until every condition is false, each example's carry
      // frozen once its own is (JAX's batched while)
      const all = carry0.map((v, i) => withBatch(v, batched[i]!, size))
      const allAxes = [0, capAxes]
      const conds = vmap((c: readonly Val[], k: readonly Val[]) => cond(c, k), { inAxes: allAxes })
      const bodies = vmap(body, { inAxes: allAxes })
      const outs = bindWhile(
        {
          cond: (c) => any(conds(c, cap) as Tensor),
          body: (c) => {
            const going = conds(c, cap) as Tensor
            const next = bodies(c, cap)
            return next.map((n, j) => {
              const s = shapeOf(n)
              const mask = broadcastTo(reshape(going, [size, ...s.slice(1).map(() => 1)]), s)
              return where(mask, n as Tensor, c[j] as Tensor)
            })
          },
          carry: defsOf(all),
        },
        all,
      )
      return { outs, batched: outs.map(() => true) }
    },
    convert: (more) => whileRule(spec, [...captured, ...more]),
    stage: (interp, args) =>
      stageWhile(
        interp as StagingInterpreter,
        args,
        nc,
        cond,
        body,
        (v) => holds(v, 'whileLoop'),
        (c, b, carry) => bindWhile({ cond: c, body: b, carry: spec.carry }, carry),
      ),
  }
  return rule
}

/**
 * `carry = body(carry)` while `cond(carry)` holds, from `init`: JAX's `lax.while_loop`. The
 * condition returns a scalar (nonzero is true); the carry keeps its tree structure and leaf
 * shapes. Eagerly a plain loop; under `jit` the condition and body are compiled once, and the
 * loop runs as many times as the values ask on every call.
 *
 * Derivatives: forward mode (`jvp`, `jacfwd`, `hessian`'s inner pass…) differentiates the
 * iterations taken. Reverse mode raises `ControlFlowError` — use `foriLoop` or `scan` with a
 * bound — as JAX does. Under `vmap` the loop runs until every example's condition is false,
 * the others' carries frozen.
 *
 * Throws `InvalidArgumentError` for a condition that is not a scalar or is NaN, and
 * `TreeMismatchError` for a body that changes the carry's structure or a leaf's shape.
 * @example
 * // doubling until past 100
 * whileLoop((x: number) => less(x, 100), (x: number) => mul(x, 2), 3) // => 192
 * jvp((x: number) => whileLoop((y: number) => less(y, 100), (y: number) => mul(y, y), x), [3], [1]) // => [6561, 17496]
 * @category control flow
 */
export function whileLoop<C>(
  cond: (carry: C) => number | Tensor,
  body: (carry: C) => CarryOf<C>,
  init: C,
): C {
  checkFn(cond, 'whileLoop', 'the condition')
  checkFn(body, 'whileLoop', 'the body')
  const flat = flatten(init, 'init')
  const outs = bindWhile(
    {
      cond: (c) => cond(unflatten(flat.def, c) as C) as Val,
      body: (c) => {
        const next = body(unflatten(flat.def, c) as C)
        return flattenAs(flat.def, next, 'the carry the body returned', 'whileLoop', {
          against: 'the initial carry',
          hint: 'a while loop’s carry keeps its tree structure and leaf shapes from step to step',
        })
      },
      carry: flat.leafDefs,
    },
    flat.leaves,
  )
  return unflatten(flat.def, outs) as C
}
