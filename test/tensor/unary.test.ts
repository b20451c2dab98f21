import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { erf, logistic, sign, softplus } from '../../src/tensor/kernels/scalar.ts'
import * as _ from '../../src/tensor/kernels/unary.ts'

/** Each kernel next to the scalar function it must match element by element. */
const cases: readonly (readonly [string, _.UnaryKernel, (x: number) => number])[] = [
  ['negK', _.negK, (x) => -x],
  ['expK', _.expK, Math.exp],
  ['logK', _.logK, Math.log],
  ['log1pK', _.log1pK, Math.log1p],
  ['expm1K', _.expm1K, Math.expm1],
  ['sinK', _.sinK, Math.sin],
  ['cosK', _.cosK, Math.cos],
  ['tanK', _.tanK, Math.tan],
  ['asinK', _.asinK, Math.asin],
  ['acosK', _.acosK, Math.acos],
  ['atanK', _.atanK, Math.atan],
  ['sinhK', _.sinhK, Math.sinh],
  ['coshK', _.coshK, Math.cosh],
  ['tanhK', _.tanhK, Math.tanh],
  ['sqrtK', _.sqrtK, Math.sqrt],
  ['squareK', _.squareK, (x) => x * x],
  ['absK', _.absK, Math.abs],
  ['signK', _.signK, sign],
  ['logisticK', _.logisticK, logistic],
  ['softplusK', _.softplusK, softplus],
  ['erfK', _.erfK, erf],
]

const values = fc.oneof(
  fc.double(),
  fc.double({ min: -2, max: 2 }),
  fc.constantFrom(0, -0, 1, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
)
const arrays = fc.array(values, { maxLength: 40 }).map((v) => Float64Array.from(v))

describe.each(cases)('%s', (_name, kernel, scalar) => {
  test.prop([arrays])('matches the scalar function elementwise, in a fresh array', (x) => {
    const before = x.slice()
    const y = kernel(x)
    expect(y).not.toBe(x)
    expect(x).toEqual(before)
    expect(y).toEqual(Float64Array.from(x, scalar))
  })
})
