/**
 * Random programs as readable TypeScript, so a failing law shrinks to a program a person can
 * paste and run.
 * @module
 */
import type { Program, ProgramNode } from './programs.ts'

/** A constant as source text: `${-0}` would print 0. */
const literal = (c: number | undefined): string => (Object.is(c, -0) ? '-0' : String(c))

/** The expression `show` prints for node `n`, its operands named by `names`. */
const call = (n: ProgramNode, names: readonly string[]): string => {
  const [a, b] = n.args.map((i) => names[i]!)
  const p = n.params
  const axisArg = p.axis === undefined ? 'undefined' : String(p.axis)
  switch (n.op) {
    case 'expTanh':
      return `exp(tanh(${a}))`
    case 'log1pSquare':
      return `log1p(square(${a}))`
    case 'sqrt1pSquare':
      return `sqrt(add(1, square(${a})))`
    case 'addConst':
      return `add(${a}, ${literal(p.c)})`
    case 'mulConst':
      return `mul(${literal(p.c)}, ${a})`
    case 'tanTanh':
      return `tan(tanh(${a}))`
    case 'asinHalfTanh':
      return `asin(mul(0.5, tanh(${a})))`
    case 'acosHalfTanh':
      return `acos(mul(0.5, tanh(${a})))`
    case 'sinhTanh':
      return `sinh(tanh(${a}))`
    case 'coshTanh':
      return `cosh(tanh(${a}))`
    case 'expm1Tanh':
      return `expm1(tanh(${a}))`
    case 'powSafe':
      return `pow(add(1, square(${a})), ${literal(p.c)})`
    case 'atan2Safe':
      return `atan2(${a}, add(1, square(${b})))`
    case 'absShifted':
      return `abs(add(1, square(${a})))`
    case 'signGate':
      return `mul(${a}, sign(add(1, square(${a}))))`
    case 'maximumApart':
      return `sub(maximum(${a}, add(${b}, 10)), 10)`
    case 'minimumApart':
      return `add(minimum(${a}, sub(${b}, 10)), 10)`
    case 'whereGate':
      return `where(less(square(${a}), -1), ${b}, ${a})`
    case 'safeMul':
      return `safeMul(${a}, ${b})`
    case 'divSafe':
      return `div(${a}, add(1, square(${b})))`
    case 'add':
    case 'sub':
    case 'mul':
    case 'matmul':
      return `${n.op}(${a}, ${b})`
    case 'sum':
    case 'mean':
    case 'logSumExp':
      return p.keepdims === true
        ? `${n.op}(${a}, ${axisArg}, { keepdims: true })`
        : p.axis === undefined
          ? `${n.op}(${a})`
          : `${n.op}(${a}, ${p.axis})`
    case 'reshape':
      return `reshape(${a}, [${(p.shape ?? []).join(', ')}])`
    case 'slice': {
      const axis = p.axis ?? 0
      const starts = [...Array(axis).fill(0), p.start]
      const ends = [...Array(axis).fill(undefined), p.end]
      return `slice(${a}, [${starts.join(', ')}], [${ends.map((e) => (e === undefined ? 'undefined' : e)).join(', ')}])`
    }
    case 'concat':
      return `concat([${a}, ${b}], ${p.axis})`
    case 'expandDims':
      return `expandDims(${a}, ${p.axis})`
    case 'take':
      return `take(${a}, [${(p.indices ?? []).join(', ')}], ${p.axis})`
    case 'atAdd': {
      const whole = Array(p.axis ?? 0)
        .fill('null, ')
        .join('')
      return `at(${a}, ${whole}[${(p.indices ?? []).join(', ')}]).add(${b})`
    }
    case 'cumsum':
      return p.reverse === true
        ? `cumsum(${a}, ${p.axis}, { reverse: true })`
        : `cumsum(${a}, ${p.axis})`
    case 'einsum':
      return `einsum('${p.spec}', ${a}, ${b})`
    case 'sortApart':
      return `sort(add(tanh(${a}), scrambledOffsets(${a}.shape)))`
    default:
      return `${n.op}(${a})`
  }
}

/**
 * The program as readable TypeScript using fluxion ops: a function of its inputs (annotated
 * with their shapes) with one `const` per node and the scalar output.
 *
 * @example
 * const sinOf = { op: 'sin', args: [0], params: {}, shape: [3] } as const
 * const p = { inputShapes: [[3]], nodes: [sinOf], output: [{ value: 1, weight: 1 }] }
 * show(p).split('\n')[1] // => '  const v1 = sin(v0) // [3]'
 * @category programs
 */
export const show = (p: Program): string => {
  const k = p.inputShapes.length
  const names = [...p.inputShapes.map((_, i) => `v${i}`), ...p.nodes.map((_, i) => `v${k + i}`)]
  const params = p.inputShapes.map((s, i) => `v${i}: Tensor /* [${s.join(', ')}] */`).join(', ')
  const body = p.nodes.map(
    (n, i) => `  const v${k + i} = ${call(n, names)} // [${n.shape.join(', ')}]`,
  )
  const terms = p.output.map((t) =>
    t.weight === 1 ? `sum(${names[t.value]})` : `mul(${t.weight}, sum(${names[t.value]}))`,
  )
  const result = terms.reduce((acc, t) => `add(${acc}, ${t})`)
  return `(${params}): Scalar => {\n${[...body, `  return ${result}`].join('\n')}\n}`
}
