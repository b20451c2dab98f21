/**
 * Custom rules: a user function with its own derivative (`customJvp`, `customVjp`) or its own
 * memory policy (`checkpoint`) behaves like one primitive with several inputs and outputs. Each
 * interpreter asks the rule for what it needs: forward mode for output tangents, reverse mode
 * for a pullback to keep on its tape, vmap for a batched version of the rule.
 * @module
 */
import type { MaybeZero } from './primitive.ts'
import { type Interpreter, Tracer, type Val } from './tracer.ts'

/** A pullback from output cotangents (`null` = zero) to input cotangents. */
export type CustomPullback = (outBars: readonly MaybeZero[]) => readonly MaybeZero[]

/** A function of flat leaves with its own derivative rules. */
export interface CustomRule {
  /** Name for error messages. */
  readonly name: string
  /** Evaluates on values none of which is traced above the rule's level. */
  call(args: readonly Val[]): Val[]
  /** Forward mode: outputs and output tangents for input tangents (`null` = zero). */
  jvp(primals: readonly Val[], tangents: readonly MaybeZero[]): [Val[], MaybeZero[]]
  /** Reverse mode: outputs, and the pullback to record. */
  vjp(primals: readonly Val[]): [Val[], CustomPullback]
  /** `vmap`: outputs (all batched) for inputs of which those flagged carry a batch axis. */
  batch(args: readonly Val[], batched: readonly boolean[], size: number): Val[]
}

/** Applies a custom rule: the interpreter of the highest-level traced argument handles it. */
export const bindCustom = (rule: CustomRule, args: readonly Val[]): Val[] => {
  let top: Interpreter | undefined
  for (const a of args) {
    if (a instanceof Tracer && (top === undefined || a.interp.level > top.level)) top = a.interp
  }
  return top === undefined ? rule.call(args) : top.processCustom(rule, args)
}
