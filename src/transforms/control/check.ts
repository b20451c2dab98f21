/**
 * A check of a value's elements as an operation of its own, for what control flow must refuse
 * on data: a batched switch index or predicate, a traced loop bound. Eagerly and under every
 * transformation it checks the values it receives and passes them on unchanged (its derivative
 * is the identity); under `jit` it is staged as one structured equation, so every replay checks
 * that call's values and raises the same named error an eager run does — as a staged switch
 * checks its index on every call.
 * @module
 */
import { bindClosed, type CustomRule } from '../../core/custom.ts'
import type { Concrete, Val } from '../../core/tracer.ts'
import type { StructuredOp } from '../../jit/ir.ts'
import type { StagingInterpreter } from '../../jit/trace.ts'
import { withBatch } from '../../primitives/families.ts'
import { Tensor } from '../../tensor/tensor.ts'
import { concreteOf } from './stage.ts'

/** Raises a named error for an element the construct refuses. */
export type ElementCheck = (x: number) => void

interface CheckParams {
  readonly text: string
  readonly check: ElementCheck
}

const checkAll = (v: Concrete, check: ElementCheck): void => {
  if (typeof v === 'number') check(v)
  else if (v instanceof Tensor) for (const x of v.data) check(x)
}

const checkOp: StructuredOp = {
  name: 'check',
  run(args, params) {
    checkAll(args[0]!, (params as CheckParams).check)
    return [args[0]!]
  },
  bind(args, params) {
    const p = params as CheckParams
    return bindClosed(checkRule(p.text, p.check), args)
  },
  print: (params) => (params as CheckParams).text,
}

/** The rule over [v, ...captured]: one output, `v` itself, once each element passed `check`. */
const checkRule = (name: string, check: ElementCheck): CustomRule => {
  const rule: CustomRule = {
    name,
    call: (args) => {
      checkAll(concreteOf(args[0]!), check)
      return [args[0]!]
    },
    // the identity: the tangent and the cotangent pass through
    jvp: (args, dots) => [bindClosed(rule, args.slice(0, 1)), [dots[0] ?? null]],
    vjp: (args) => [
      bindClosed(rule, args.slice(0, 1)),
      (outBars) => args.map((_, i) => (i === 0 ? (outBars[0] ?? null) : null)),
    ],
    // elementwise, so the batched value is checked as one value
    batch: (values, batched, size) => bindClosed(rule, [withBatch(values[0]!, batched[0]!, size)]),
    stage: (interp, args) => {
      const staging = interp as StagingInterpreter
      // the check reads this call's values: an abstract trace is redone on values
      staging.needsValues()
      const v = concreteOf(args[0]!)
      checkAll(v, check)
      return staging.stageStructured(checkOp, { text: name, check }, args.slice(0, 1), [v])
    },
    // nothing here runs user code, so nothing is captured: further inputs are ignored
    convert: () => rule,
  }
  return rule
}

/**
 * `v`, once `check` has passed each of its elements — now, and on every `jit` replay, for the
 * values of that call.
 */
export const checked = (name: string, check: ElementCheck, v: Val): Val =>
  bindClosed(checkRule(name, check), [v])[0]!
