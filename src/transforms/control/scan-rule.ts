/**
 * The custom rule behind `scan` and `foriLoop`: a loop of fixed length over flat leaves. Its
 * inputs are the carry's leaves, the leaves of xs (each with the loop axis in front) and the
 * tracers the body closes over; its outputs the final carry's leaves and the ys, stacked.
 *
 * Every mode is again a scan, so a loop stays a loop under every transformation and under
 * `jit` (which stages one body, ./stage.ts):
 * - forward mode scans the body's JVP over (carry, carry tangent);
 * - reverse mode runs a scan that also stacks each step's input carry, and its pullback is a
 *   scan the other way over the body's VJP at those carries (the body runs again there, once
 *   per step: carries are stored, step interiors are not);
 * - `vmap` scans the body's vmap, the carry batched.
 * @module
 */
import {
  activeSubstitutions,
  bindClosed,
  type CustomPullback,
  type CustomRule,
  withSubstitutions,
} from '../../core/custom.ts'
import { ShapeError } from '../../core/errors.ts'
import { shapeOf, type Tracer, type Val } from '../../core/tracer.ts'
import type { LeafDef } from '../../core/tree.ts'
import type { StagingInterpreter } from '../../jit/trace.ts'
import { add } from '../../primitives/arithmetic.ts'
import { stack } from '../../primitives/concat.ts'
import { withBatch } from '../../primitives/families.ts'
import { moveaxis } from '../../primitives/shape-extra.ts'
import { index } from '../../primitives/structural.ts'
import { zerosK } from '../../tensor/kernels/dtype.ts'
import { Tensor } from '../../tensor/tensor.ts'
import { zeroOf } from '../common.ts'
import { jvp } from '../jvp.ts'
import { vjp } from '../vjp.ts'
import { vmap } from '../vmap.ts'
import { axisOf, carryBatching, conform, defsOf, fill, reading, showShape } from './shared.ts'
import { stageScan } from './stage-scan.ts'

/** A loop body over flat leaves: carry and one slice of xs in; new carry and y out. */
export type FlatStep = (carry: readonly Val[], x: readonly Val[]) => readonly [Val[], Val[]]

/** What defines one scan: its body and the sizes of its leaf lists. */
export interface ScanSpec {
  /** The public construct's name, for errors. */
  readonly name: string
  readonly step: FlatStep
  readonly length: number
  readonly reverse: boolean
  /** Under `jit`, steps per compiled body (1 if absent). */
  readonly unroll?: number
  /** Defs of the carry's leaves (the body's new carry is made of these kinds). */
  readonly carry: readonly LeafDef[]
  /** Defs of one slice of each xs leaf. */
  readonly x: readonly LeafDef[]
  /** Defs of the y leaves, learned from the first step. */
  readonly y: { defs: readonly LeafDef[] | undefined }
}

/** The scan `spec` over `args` (carry, xs): bound, so every running transformation sees it. */
export const bindScan = (spec: ScanSpec, args: readonly Val[]): Val[] =>
  bindClosed(scanRule(spec, []), args)

/** The step order: every i in [0, length), backwards for a reverse scan. */
const at = (spec: ScanSpec, k: number): number => (spec.reverse ? spec.length - 1 - k : k)

/** The rule of `spec` over `captured`, the tracers its body closes over. */
export const scanRule = (spec: ScanSpec, captured: readonly Tracer[]): CustomRule => {
  const nc = spec.carry.length
  const nx = spec.x.length
  const split = <T>(args: readonly T[]) =>
    [args.slice(0, nc), args.slice(nc, nc + nx), args.slice(nc + nx)] as const
  /** One step with the captured tracers read as `cap`; the y leaves' defs learned or checked. */
  const step = (c: readonly Val[], x: readonly Val[], cap: readonly Val[]): [Val[], Val[]] => {
    const leaves = reading(captured, cap, spec.name, () => {
      const [next, y] = spec.step(c, conform(x, spec.x))
      return [...next, ...y]
    })
    const y = leaves.slice(nc)
    if (spec.y.defs === undefined) spec.y.defs = defsOf(y)
    const defs = spec.y.defs
    const bad = y.findIndex((v, j) => j >= defs.length || !sameShape(shapeOf(v), defs[j]!.shape))
    if (y.length !== defs.length || bad >= 0) {
      const what =
        bad >= 0 && bad < defs.length
          ? `output leaf ${bad}: ${showShape(shapeOf(y[bad]!))} after ${showShape(defs[bad]!.shape)}`
          : `${y.length} output leaves after ${defs.length}`
      throw new ShapeError(
        `${spec.name}: the body's outputs changed shape between steps (${what})`,
        {
          primitive: spec.name,
          hint: 'every step must return values of the same shapes, as in JAX',
        },
      )
    }
    return [conform(leaves.slice(0, nc), spec.carry), conform(y, defs)]
  }
  /** The step as a function of three leaf lists, for jvp/vjp/vmap (which take trees). */
  const pair = (c: readonly Val[], x: readonly Val[], cap: readonly Val[]): [Val[], Val[]] =>
    step(c, x, cap)
  /** The y defs, from a step on zeros where no step has run (an empty scan). */
  const yDefs = (c: readonly Val[], cap: readonly Val[]): readonly LeafDef[] => {
    if (spec.y.defs === undefined) {
      const zeros = spec.x.map((d) => zeroOf(d))
      step(c, zeros, cap)
    }
    return spec.y.defs!
  }

  const rule: CustomRule = {
    name: spec.name,
    call: (args) => {
      const [c0, xs, cap] = split(args)
      let c = c0
      const ys = new Array<Val[]>(spec.length)
      for (let k = 0; k < spec.length; k++) {
        const i = at(spec, k)
        const [next, y] = step(
          c,
          xs.map((l) => index(l as Tensor, i)),
          cap,
        )
        c = next
        ys[i] = y
      }
      const defs = yDefs(c0, cap)
      const stacked = defs.map((d, j) =>
        spec.length === 0
          ? new Tensor(zerosK(0, d.dtype ?? 'float64'), [0, ...d.shape])
          : stack(ys.map((y) => y[j]!)),
      )
      return [...c, ...stacked]
    },
    jvp: (args, dots) => {
      if (dots.every((d) => d === null)) {
        const outs = bindClosed(rule, args)
        return [outs, outs.map(() => null)]
      }
      const [c0, xs, cap] = split(args)
      const [c0Dot, xsDot, capDot] = split(fill(dots, args))
      const capDots = conform(capDot, defsOf(cap))
      const tangentStep: FlatStep = (cc, xx) => {
        const [out, outDot] = jvp(
          pair,
          [cc.slice(0, nc), xx.slice(0, nx), cap],
          [cc.slice(nc), xx.slice(nx), capDots],
        )
        return [
          [...out[0], ...conform(outDot[0], spec.carry)],
          [...out[1], ...conform(outDot[1], spec.y.defs!)],
        ]
      }
      const outs = bindScan(
        {
          name: spec.name,
          step: tangentStep,
          length: spec.length,
          reverse: spec.reverse,
          unroll: spec.unroll ?? 1,
          carry: [...spec.carry, ...spec.carry],
          x: [...spec.x, ...spec.x],
          y: { defs: undefined },
        },
        [...c0, ...conform(c0Dot, spec.carry), ...xs, ...conform(xsDot, defsOf(xs))],
      )
      const ny = (outs.length - 2 * nc) / 2
      return [
        [...outs.slice(0, nc), ...outs.slice(2 * nc, 2 * nc + ny)],
        [...outs.slice(nc, 2 * nc), ...outs.slice(2 * nc + ny)],
      ]
    },
    vjp: (args) => {
      const [c0, xs, cap] = split(args)
      // forward: the ys, and each step's input carry stacked as residuals
      const withCarries: FlatStep = (c, x) => {
        const [next, y] = step(c, x, cap)
        return [next, [...y, ...c]]
      }
      const forward = bindScan({ ...spec, step: withCarries, y: { defs: undefined } }, [
        ...c0,
        ...xs,
      ])
      const ny = forward.length - 2 * nc
      const outs = forward.slice(0, nc + ny)
      const carries = forward.slice(nc + ny)
      const saved = activeSubstitutions()
      const pullback: CustomPullback = (outBars) =>
        withSubstitutions(saved, () => {
          const bars = fill(outBars, outs)
          const capDefs = defsOf(cap)
          const backStep: FlatStep = (acc, slice) => {
            const cBar = acc.slice(0, nc)
            const c = conform(slice.slice(0, nc), spec.carry)
            const x = slice.slice(nc, nc + nx)
            const yBar = conform(slice.slice(nc + nx), spec.y.defs!)
            const [, pb] = vjp(pair, c, x, cap)
            const [cPrevBar, xBar, capBar] = pb([cBar, yBar] as never) as readonly [
              Val[],
              Val[],
              Val[],
            ]
            const sums = acc.slice(nc).map((s, j) => add(s as Tensor, capBar[j] as Tensor))
            return [
              [...conform(cPrevBar, spec.carry), ...conform(sums, capDefs)],
              conform(xBar, spec.x),
            ]
          }
          const back = bindScan(
            {
              name: spec.name,
              step: backStep,
              length: spec.length,
              reverse: !spec.reverse,
              unroll: spec.unroll ?? 1,
              carry: [...spec.carry, ...capDefs],
              x: [...spec.carry.map(tensorDef), ...spec.x, ...spec.y.defs!.map(tensorDef)],
              y: { defs: undefined },
            },
            [
              ...bars.slice(0, nc),
              ...fill(new Array(cap.length).fill(null), cap),
              ...carries,
              ...xs,
              ...bars.slice(nc),
            ],
          )
          const c0Bar = back.slice(0, nc)
          const capBar = back.slice(nc, nc + cap.length)
          const xsBar = back.slice(nc + cap.length)
          return [...c0Bar, ...xsBar, ...capBar]
        })
      return [outs, pullback]
    },
    batch: (values, batched, size) => {
      const some = rule.batchSome!(values, batched, size)
      return some.outs.map((v, i) => withBatch(v, some.batched[i]!, size))
    },
    batchSome: (values, batched, size) => {
      const [c0, xs, cap] = split(values)
      const [c0b, xb, capB] = split(batched)
      // a batched xs leaf has its batch axis in front; the loop axis must be: swap them
      const sliced = xs.map((v, i) => (xb[i] ? moveaxis(v as Tensor, 0, 1) : v))
      const first = (v: Val) => index(v as Tensor, 0)
      // one example's values: what a step of the unbatched body takes
      const one = (vs: readonly Val[], bs: readonly boolean[]) =>
        vs.map((v, i) => (bs[i] ? first(v) : v))
      if (spec.length === 0) {
        // nothing runs: the carry as it came, and empty ys shaped by one example's step
        const defs = yDefs(one(c0, c0b), one(cap, capB))
        const ys = defs.map((d) => new Tensor(zerosK(0, d.dtype ?? 'float64'), [0, ...d.shape]))
        return { outs: [...c0, ...ys], batched: [...c0b, ...ys.map(() => false)] }
      }
      const { carry: cb, others } = carryBatching(
        (vals) => {
          const [next, y] = step(vals.slice(0, nc), vals.slice(nc, nc + nx), vals.slice(nc + nx))
          return [...next, ...y]
        },
        c0,
        [...sliced.map(first), ...cap],
        batched,
        size,
      )
      // a failed probe (a body that closes over a tracer, say) batches every y; their defs come
      // from one example's step, as the body sees no batch axis
      const yb = others ?? yDefs(one(c0, c0b), one(cap, capB)).map(() => true)
      const carry = c0.map((v, i) => (cb[i] && !c0b[i] ? withBatch(v, false, size) : v))
      const inAxes = [cb.map(axisOf), xb.map(axisOf), capB.map(axisOf)]
      const mapped = vmap(pair, { inAxes, outAxes: [cb.map(axisOf), yb.map(axisOf)] })
      const batchedStep: FlatStep = (c, x) => {
        const [next, y] = mapped(c, x, cap)
        return [next, y]
      }
      const outs = bindScan(
        {
          name: spec.name,
          step: batchedStep,
          length: spec.length,
          reverse: spec.reverse,
          unroll: spec.unroll ?? 1,
          carry: defsOf(carry),
          x: defsOf(sliced).map(sliceOf),
          y: { defs: undefined },
        },
        [...carry, ...sliced],
      )
      const ys = outs.slice(nc).map((y, j) => (yb[j] ? moveaxis(y as Tensor, 0, 1) : y))
      return { outs: [...outs.slice(0, nc), ...ys], batched: [...cb, ...yb] }
    },
    convert: (more) => scanRule(spec, [...captured, ...more]),
    stage: (interp, args) =>
      spec.length === 0
        ? rule.call(args)
        : stageScan(
            interp as StagingInterpreter,
            args,
            { nc, nx, length: spec.length, reverse: spec.reverse, unroll: spec.unroll ?? 1 },
            step,
            () => spec.y.defs!,
            (body, values) => bindScan({ ...spec, step: body, y: { defs: undefined } }, values),
          ),
  }
  return rule
}

/** Elements of a leaf of this def. */
const _size = (d: LeafDef): number => d.shape.reduce((a, b) => a * b, 1)

/** The def of a leaf's slice of a stack: a tensor of the leaf's shape. */
const tensorDef = (d: LeafDef): LeafDef => ({ ...d, number: false })

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((n, i) => n === b[i])

/** The def of one slice of a stacked leaf (its loop axis dropped): a tensor. */
export const sliceOf = (d: LeafDef): LeafDef => ({ ...d, number: false, shape: d.shape.slice(1) })
