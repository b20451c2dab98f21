/**
 * A straight-line program of primitive applications — `reshape`, `transpose`, strided `slice`,
 * `sum`, `mul` and the batched `matmul` — planned from shapes alone and then run on values.
 * `einsum` plans once per subscripts and operand shapes and replays the cached program, so a
 * call in a training loop costs its primitives plus a map lookup; under any transformation the
 * replay binds the same primitives, whose rules give every derivative.
 * @module
 */
import { bind1, bind2 } from '../core/bind.ts'
import type { Val } from '../core/tracer.ts'
import { matmulShape } from '../tensor/kernels/matmul.ts'
import { broadcastShapes, type Shape } from '../tensor/shape.ts'
import { mulP } from './arithmetic.ts'
import { type ReduceParams, reshapeP, type ShapeParams, sumP } from './families.ts'
import { type MatmulParams, matmulP } from './linalg/matmul.ts'
import { type SliceParams, sliceP, type TransposeParams, transposeP } from './structural.ts'

/** One primitive application; `x` and `y` name earlier registers (operands come first). */
export type Step =
  | { readonly op: 'reshape'; readonly x: number; readonly params: ShapeParams }
  | { readonly op: 'transpose'; readonly x: number; readonly params: TransposeParams }
  | { readonly op: 'slice'; readonly x: number; readonly params: SliceParams }
  | { readonly op: 'sum'; readonly x: number; readonly params: ReduceParams }
  | { readonly op: 'mul'; readonly x: number; readonly y: number }
  | {
      readonly op: 'matmul'
      readonly x: number
      readonly y: number
      readonly params: MatmulParams
    }

/** Steps whose registers follow the operands' in order; `result` names the output register. */
export interface Program {
  readonly steps: readonly Step[]
  readonly result: number
}

const same = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

/**
 * Records steps, tracking each register's shape so that no-ops (a reshape to the same shape, an
 * identity permutation, a sum over no axes) are never recorded. Its callers have checked every
 * shape: the shape rules here only compute.
 */
export class Builder {
  private readonly steps: Step[] = []
  private readonly shapes: Shape[]

  constructor(operandShapes: readonly Shape[]) {
    this.shapes = [...operandShapes]
  }

  /** The shape of register `x`. */
  shape(x: number): Shape {
    return this.shapes[x]!
  }

  private push(step: Step, shape: Shape): number {
    this.steps.push(step)
    this.shapes.push(shape)
    return this.shapes.length - 1
  }

  reshape(x: number, shape: readonly number[]): number {
    return same(this.shape(x), shape)
      ? x
      : this.push({ op: 'reshape', x, params: { shape } }, shape)
  }

  transpose(x: number, perm: readonly number[]): number {
    if (perm.every((p, i) => p === i)) return x
    const s = this.shape(x)
    return this.push(
      { op: 'transpose', x, params: { perm } },
      perm.map((p) => s[p]!),
    )
  }

  /** Every `step`-th entry along the last axis, from 0 (other axes whole). */
  strideLast(x: number, step: number): number {
    const s = this.shape(x)
    const n = s[s.length - 1]!
    const params: SliceParams = {
      starts: s.map(() => 0),
      ends: s.slice(),
      steps: s.map((_, i) => (i === s.length - 1 ? step : 1)),
    }
    return this.push({ op: 'slice', x, params }, [...s.slice(0, -1), Math.ceil(n / step)])
  }

  sum(x: number, axes: readonly number[]): number {
    if (axes.length === 0) return x
    const s = this.shape(x)
    return this.push(
      { op: 'sum', x, params: { axes } },
      s.filter((_, i) => !axes.includes(i)),
    )
  }

  mul(x: number, y: number): number {
    return this.push({ op: 'mul', x, y }, broadcastShapes(this.shape(x), this.shape(y), 'mul'))
  }

  matmul(x: number, y: number, transA: boolean, transB: boolean): number {
    const shape = matmulShape(this.shape(x), this.shape(y), transA, transB)
    return this.push({ op: 'matmul', x, y, params: { transA, transB } }, shape)
  }

  program(result: number): Program {
    return { steps: this.steps.slice(), result }
  }
}

/** Runs a program on operands of the shapes it was planned for. */
export function execute(program: Program, operands: readonly Val[]): Val {
  const regs = operands.slice()
  for (const s of program.steps) {
    const x = regs[s.x]!
    switch (s.op) {
      case 'reshape':
        regs.push(bind1(reshapeP, x, s.params))
        break
      case 'transpose':
        regs.push(bind1(transposeP, x, s.params))
        break
      case 'slice':
        regs.push(bind1(sliceP, x, s.params))
        break
      case 'sum':
        regs.push(bind1(sumP, x, s.params))
        break
      case 'mul':
        regs.push(bind2(mulP, x, regs[s.y]!, undefined))
        break
      case 'matmul':
        regs.push(bind2(matmulP, x, regs[s.y]!, s.params))
        break
    }
  }
  return regs[program.result]!
}
