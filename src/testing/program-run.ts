/**
 * Running a random program (see ./programs.ts): each node applied to its operands' values with
 * fluxion's public ops, so every transformation applies to a program as to any user code.
 * @module
 */
import {
  abs,
  acos,
  add,
  asin,
  at,
  atan,
  atan2,
  concat,
  cos,
  cosh,
  cumsum,
  div,
  einsum,
  erf,
  exp,
  expandDims,
  expm1,
  less,
  log1p,
  logistic,
  logSumExp,
  matmul,
  maximum,
  mean,
  minimum,
  mul,
  neg,
  pow,
  reshape,
  type Scalar,
  safeMul,
  sign,
  sin,
  sinh,
  slice,
  softplus,
  sort,
  sqrt,
  square,
  sub,
  sum,
  type Tensor,
  take,
  tan,
  tanh,
  tensor,
  transpose,
  where,
} from '../index.ts'
import type { Program, ProgramNode } from './programs.ts'

/** Offsets 3·k along the last axis in the order k = 1, 3, 5, …, 0, 2, 4, … (see `sortApart`). */
export const scrambledOffsets = (shape: readonly number[]): Tensor => {
  const n = shape[shape.length - 1]!
  const order = [...Array.from({ length: n }, (_, k) => k).filter((k) => k % 2 === 1)]
  order.push(...Array.from({ length: n }, (_, k) => k).filter((k) => k % 2 === 0))
  return tensor(order.map((k) => 3 * k))
}

/** Applies one node to its operands' values. */
const apply = (n: ProgramNode, vals: readonly Scalar[]): Scalar => {
  const [a, b] = n.args.map((i) => vals[i]!) as [Scalar, Scalar]
  const p = n.params
  const keep = { keepdims: p.keepdims === true }
  switch (n.op) {
    case 'sin':
      return sin(a)
    case 'cos':
      return cos(a)
    case 'tanh':
      return tanh(a)
    case 'atan':
      return atan(a)
    case 'erf':
      return erf(a)
    case 'logistic':
      return logistic(a)
    case 'softplus':
      return softplus(a)
    case 'square':
      return square(a)
    case 'neg':
      return neg(a)
    case 'expTanh':
      return exp(tanh(a))
    case 'log1pSquare':
      return log1p(square(a))
    case 'sqrt1pSquare':
      return sqrt(add(1, square(a)))
    case 'tanTanh':
      return tan(tanh(a))
    case 'asinHalfTanh':
      return asin(mul(0.5, tanh(a)))
    case 'acosHalfTanh':
      return acos(mul(0.5, tanh(a)))
    case 'sinhTanh':
      return sinh(tanh(a))
    case 'coshTanh':
      return cosh(tanh(a))
    case 'expm1Tanh':
      return expm1(tanh(a))
    case 'powSafe':
      return pow(add(1, square(a)), p.c ?? 1)
    case 'atan2Safe':
      return atan2(a, add(1, square(b)))
    // kinked primitives, used where their arguments stay away from the kinks
    case 'absShifted':
      return abs(add(1, square(a)))
    case 'signGate':
      return mul(a, sign(add(1, square(a))))
    case 'maximumApart':
      return sub(maximum(a, add(b, 10)), 10)
    case 'minimumApart':
      return add(minimum(a, sub(b, 10)), 10)
    case 'whereGate':
      return where(less(square(a), -1), b, a)
    case 'safeMul':
      return safeMul(a, b)

    case 'addConst':
      return add(a, p.c ?? 0)
    case 'mulConst':
      return mul(p.c ?? 1, a)
    case 'add':
      return add(a, b)
    case 'sub':
      return sub(a, b)
    case 'mul':
      return mul(a, b)
    case 'divSafe':
      return div(a, add(1, square(b)))
    case 'sum':
      return sum(a, p.axis, keep)
    case 'mean':
      return mean(a, p.axis, keep)
    case 'logSumExp':
      return logSumExp(a, p.axis, keep)
    case 'reshape':
      return reshape(a, p.shape ?? [])
    case 'transpose':
      return transpose(a)
    case 'slice': {
      const axis = p.axis ?? 0
      return slice(
        a,
        [...Array<number>(axis).fill(0), p.start ?? 0],
        [...Array<undefined>(axis).fill(undefined), p.end],
      )
    }
    case 'concat':
      return concat([a, b], p.axis ?? 0)
    case 'expandDims':
      return expandDims(a, p.axis ?? 0)
    case 'matmul':
      return matmul(a, b)
    case 'take':
      return take(a, p.indices ?? [], p.axis ?? 0)
    case 'atAdd':
      return at(a, ...Array<null>(p.axis ?? 0).fill(null), p.indices ?? []).add(b)
    case 'cumsum':
      return cumsum(a, p.axis ?? 0, { reverse: p.reverse === true })
    case 'einsum':
      return einsum(p.spec ?? '', a, b)
    case 'sortApart':
      return sort(add(tanh(a), scrambledOffsets((a as Tensor).shape)))
  }
}

/**
 * Evaluates `p` at `inputs` (one per input shape) with fluxion ops, so `grad`, `jvp`, `vjp`,
 * `hessian` and the rest apply to `(xs) => run(p, xs)`. `tap`, if given, sees each node's value
 * (with its index among the values, inputs first) and returns what later nodes use instead —
 * for instrumenting a program, or inserting an operation at a node.
 *
 * @example
 * const sinOf = { op: 'sin', args: [0], params: {}, shape: [3] } as const
 * const p = { inputShapes: [[3]], nodes: [sinOf], output: [{ value: 1, weight: 1 }] }
 * valuesOf(run(p, [tensor([0, 0, 0])]))[0] // => 0
 * @category programs
 */
export const run = (
  p: Program,
  inputs: readonly Scalar[],
  tap?: (index: number, value: Scalar) => Scalar,
): Scalar => {
  const vals: Scalar[] = [...inputs]
  for (const n of p.nodes) {
    const v = apply(n, vals)
    vals.push(tap === undefined ? v : tap(vals.length, v))
  }
  return p.output.reduce<Scalar>(
    (acc, t, i) =>
      i === 0 && t.weight === 1
        ? sum(vals[t.value]!)
        : add(acc, mul(t.weight, sum(vals[t.value]!))),
    0,
  )
}
