import {
  grad,
  InvalidArgumentError,
  jit,
  matmul,
  stats,
  sum,
  type Tensor,
  tensor,
  vmap,
} from 'fluxion'
import { det, inv } from 'fluxion/linalg'
import { checkGrads } from 'fluxion/testing'
import { describe, expect, test } from 'vitest'

const { poisson, binom, dirichlet, multivariateNormal } = stats

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1))

describe('poisson and binom', () => {
  test('pmf against closed forms, sums to 1, cdf is the running sum', () => {
    let acc = 0
    for (let k = 0; k < 60; k++) {
      const p = (3.7 ** k * Math.exp(-3.7)) / factorial(k)
      expect(poisson.pmf(k, 3.7)).toBeCloseTo(p, 13)
      acc += p
      expect(poisson.cdf(k + 0.5, 3.7)).toBeCloseTo(acc, 12)
    }
    expect(acc).toBeCloseTo(1, 12)
    let bacc = 0
    for (let k = 0; k <= 9; k++) {
      const p = (factorial(9) / (factorial(k) * factorial(9 - k))) * 0.3 ** k * 0.7 ** (9 - k)
      expect(binom.pmf(k, 9, 0.3)).toBeCloseTo(p, 13)
      bacc += p
      expect(binom.cdf(k, 9, 0.3)).toBeCloseTo(bacc, 12)
    }
  })
  test('support and invalid parameters', () => {
    expect(poisson.logpmf(-1, 2)).toBe(-Infinity)
    expect(poisson.logpmf(2.5, 2)).toBe(-Infinity)
    expect(poisson.cdf(-1, 2)).toBe(0)
    expect(poisson.logpmf(0, 0)).toBe(0)
    expect(() => poisson.logpmf(1, -1)).toThrow(InvalidArgumentError)
    expect(binom.logpmf(4, 3, 0.5)).toBe(-Infinity)
    expect(binom.logpmf(0, 3, 0)).toBe(0)
    expect(() => binom.logpmf(1, 2.5, 0.5)).toThrow(InvalidArgumentError)
    expect(() => binom.logpmf(1, 3, 1.5)).toThrow(InvalidArgumentError)
    expect(grad((m: number) => poisson.logpmf(2.5, m))(2)).toBe(0)
    expect(grad((p: number) => binom.logpmf(5, 3, p))(0.4)).toBe(0)
  })
  test('derivatives in the parameters', () => {
    const ks = tensor([0, 2, 5])
    checkGrads((m: number) => sum(poisson.logpmf(ks, m)), [2.3], { order: 2 })
    checkGrads((m: number) => sum(poisson.cdf(ks, m)), [2.3], { order: 1 })
    checkGrads((p: number) => sum(binom.logpmf(ks, 6, p)), [0.35], { order: 2 })
    checkGrads((p: number) => sum(binom.cdf(ks, 6, p)), [0.35], { order: 2 })
    // d/dmu log pmf = k/mu − 1
    expect(grad((m: number) => poisson.logpmf(3, m))(2)).toBeCloseTo(0.5, 14)
    const jg = jit(grad((m: Tensor) => sum(poisson.logpmf(ks, m))))
    jg(tensor(2))
    expect(jg(tensor(2)).item()).toBeCloseTo(7 / 2 - 3, 12)
    const mapped = vmap((m: Tensor) => poisson.cdf(3, m))(tensor([1, 2])).toArray()
    expect(mapped).toEqual([poisson.cdf(3, 1), poisson.cdf(3, 2)])
  })
})

describe('dirichlet', () => {
  test('values: uniform, Beta marginal for K = 2, off the simplex', () => {
    expect(dirichlet.logpdf(tensor([0.2, 0.3, 0.5]), tensor([1, 1, 1])).item()).toBeCloseTo(
      Math.log(2),
      14,
    )
    expect(dirichlet.logpdf(tensor([0.3, 0.7]), tensor([2.5, 1.5])).item()).toBeCloseTo(
      stats.beta.logpdf(0.3, 2.5, 1.5),
      13,
    )
    expect(dirichlet.logpdf(tensor([0.3, 0.8]), tensor([2, 2])).item()).toBe(-Infinity)
    expect(dirichlet.logpdf(tensor([-0.1, 1.1]), tensor([2, 2])).item()).toBe(-Infinity)
    expect(() => dirichlet.logpdf(tensor([0.5, 0.5]), tensor([0, 2]))).toThrow(InvalidArgumentError)
    // batched over leading axes
    const batch = dirichlet
      .logpdf(
        tensor([
          [0.3, 0.7],
          [0.6, 0.4],
        ]),
        tensor([2.5, 1.5]),
      )
      .toArray()
    expect(batch).toEqual([
      dirichlet.logpdf(tensor([0.3, 0.7]), tensor([2.5, 1.5])).item(),
      dirichlet.logpdf(tensor([0.6, 0.4]), tensor([2.5, 1.5])).item(),
    ])
  })
  test('derivatives in alpha (checkGrads) and in x ((α − 1)/x)', () => {
    const x = tensor([0.2, 0.3, 0.5])
    checkGrads((a: Tensor) => dirichlet.logpdf(x, a), [tensor([1.5, 2, 3.5])], { order: 2 })
    const gx = grad((v: Tensor) => dirichlet.logpdf(v, tensor([1.5, 2, 3.5])))(x).toArray()
    expect(gx).toEqual([0.5 / 0.2, 1 / 0.3, 2.5 / 0.5].map((v) => expect.closeTo(v, 12)))
  })
})

describe('multivariateNormal', () => {
  const cov = tensor([
    [2, 0.3, 0.1],
    [0.3, 1.5, -0.2],
    [0.1, -0.2, 1],
  ])
  const mean = tensor([0.1, -0.4, 0.7])
  const x = tensor([0.5, 0.2, -0.3])
  const direct = (v: Tensor, m: Tensor, c: Tensor): number => {
    const d = tensor((v.toArray() as number[]).map((a, i) => a - (m.toArray() as number[])[i]!))
    const q = (matmul(d, matmul(inv(c), d)) as Tensor).item()
    return -0.5 * (q + 3 * Math.log(2 * Math.PI) + Math.log(det(c).item()))
  }
  test('against det/inv and against the diagonal form', () => {
    expect(multivariateNormal.logpdf(x, mean, cov).item()).toBeCloseTo(direct(x, mean, cov), 12)
    const variances = tensor([2, 1.5, 0.5])
    const diagCov = tensor([
      [2, 0, 0],
      [0, 1.5, 0],
      [0, 0, 0.5],
    ])
    expect(multivariateNormal.logpdf(x, mean, diagCov).item()).toBeCloseTo(
      multivariateNormal.logpdfDiag(x, mean, variances).item(),
      13,
    )
    expect(() => multivariateNormal.logpdfDiag(x, mean, tensor([1, 0, 1]))).toThrow(
      InvalidArgumentError,
    )
  })
  test('batched over leading axes, vmap and jit', () => {
    const xs = tensor([
      [0.5, 0.2, -0.3],
      [1, -1, 0],
    ])
    const batched = multivariateNormal.logpdf(xs, mean, cov).toArray() as number[]
    expect(batched[1]).toBeCloseTo(direct(tensor([1, -1, 0]), mean, cov), 12)
    const mapped = vmap((v: Tensor) => multivariateNormal.logpdf(v, mean, cov))(xs).toArray()
    expect(mapped).toEqual(batched.map((v) => expect.closeTo(v, 13)))
    const jf = jit((c: Tensor) => multivariateNormal.logpdf(xs, mean, c))
    jf(cov)
    expect(jf(cov).toArray()).toEqual(batched.map((v) => expect.closeTo(v, 13)))
  })
  test('derivatives in x, mean and cov', () => {
    checkGrads(
      (v: Tensor, m: Tensor, c: Tensor) => multivariateNormal.logpdf(v, m, c),
      [x, mean, cov],
      { order: 2 },
    )
    // ∂/∂x = −cov⁻¹(x − mean)
    const g = grad((v: Tensor) => multivariateNormal.logpdf(v, mean, cov))(x).toArray() as number[]
    const d = tensor([0.4, 0.6, -1])
    const expected = (matmul(inv(cov), d) as Tensor).toArray() as number[]
    for (const [i, v] of g.entries()) expect(v).toBeCloseTo(-expected[i]!, 12)
    checkGrads(
      (v: Tensor, s: Tensor) => multivariateNormal.logpdfDiag(v, mean, s),
      [x, tensor([2, 1.5, 0.5])],
      { order: 2 },
    )
  })
})
