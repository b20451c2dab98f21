/**
 * Matrix-product groups of the kernels suite, in GFLOP/s: each task counts 2·m·k·n flops, and
 * the harness prints 1 / (ns per flop), which is a GFLOP/s. Square sizes 64, 128, 256 (and 512
 * in the full run) and the MLP shape 256×784 · 784×128, each as
 *
 * - a naive i-k-j triple loop (`matmulPlain`, the baseline);
 * - `matmul(A, B)`;
 * - the transposed-operand kernels, which the public `matmul` reaches only through its
 *   pullbacks (`matmul` has no transpose options; its derivative uses the fused flags so that no
 *   transpose is materialized): A·Bᵀ as the pullback of X ↦ X·Q with Q = Bᵀ stored, seeded
 *   with A; Aᵀ·B as the pullback of Y ↦ Z·Y with Z = Aᵀ stored, seeded with B. The timed call
 *   is the pullback alone (one product and a one-record backward pass);
 * - `matmul(transpose(Aᵀ), B)`: what user code that transposes explicitly pays, a materialized
 *   transpose and then the product.
 *
 * All variants compute the same A·B and are validated against the naive loop.
 */
import { matmul, type Tensor, tensor, transpose, vjp, zeros } from 'fluxion'
import type { Group, Task } from './harness.ts'
import { lazy, wave } from './kernels.ts'
import { matmulPlain } from './mlp.ts'
import { near } from './rosenbrock.ts'

/** The k×m transpose of a row-major m×k matrix, as data. */
const transposed = (a: Float64Array, m: number, k: number): Float64Array => {
  const t = new Float64Array(a.length)
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) t[p * m + i] = a[i * k + p]!
  return t
}

/** Checks a few entries of the naive product against dot products written out. */
const spotCheck = (
  c: Float64Array,
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
) => {
  for (const [i, j] of [
    [0, 0],
    [m - 1, n - 1],
    [m >> 1, n >> 2],
  ] as const) {
    let acc = 0
    for (let p = 0; p < k; p++) acc += a[i * k + p]! * b[p * n + j]!
    near([c[i * n + j]!], [acc], 1e-12)
  }
}

const productGroup = (m: number, k: number, n: number): Group => {
  const flops = 2 * m * k * n
  const inputs = lazy(() => {
    const a = wave(m * k, 1, 0.29)
    const b = wave(k * n, 1, 1.37)
    const reference = matmulPlain(a, b, m, k, n)
    const aT = tensor(a, [m, k])
    const bT = tensor(b, [k, n])
    const aTransposed = tensor(transposed(a, m, k), [k, m])
    const bTransposed = tensor(transposed(b, k, n), [n, k])
    // the forward products run once, here; a timed call runs the pullback only
    const timesQ = vjp((x: Tensor) => matmul(x, bTransposed), zeros([m, n]))[1]
    const zTimes = vjp((y: Tensor) => matmul(aTransposed, y), zeros([m, n]))[1]
    return { a, b, reference, aT, bT, aTransposed, timesQ, zTimes }
  })
  const task = (name: string, fn: () => Tensor): Task => ({
    name,
    fn,
    // summation order differs from the naive loop's (4×4 blocks): rounding, not bits
    validate: () => near(fn().data, inputs().reference, 1e-11),
    units: flops,
    unitName: 'flop',
  })
  return {
    title: `kernels matmul ${m}×${k} · ${k}×${n} (float64, GFLOP/s)`,
    baseline: 'naive i-k-j loop',
    tasks: [
      {
        name: 'naive i-k-j loop',
        fn: () => matmulPlain(inputs().a, inputs().b, m, k, n),
        validate: () => {
          const { a, b } = inputs()
          spotCheck(matmulPlain(a, b, m, k, n), a, b, m, k, n)
        },
        units: flops,
        unitName: 'flop',
      },
      task('fluxion matmul(A, B)', () => matmul(inputs().aT, inputs().bT)),
      task(
        'fluxion A·Qᵀ, Q = Bᵀ (transB fused: pullback of X ↦ X·Q)',
        () => inputs().timesQ(inputs().aT)[0],
      ),
      task(
        'fluxion Zᵀ·B, Z = Aᵀ (transA fused: pullback of Y ↦ Z·Y)',
        () => inputs().zTimes(inputs().bT)[0],
      ),
      task('fluxion matmul(transpose(Aᵀ), B)', () =>
        matmul(transpose(inputs().aTransposed), inputs().bT),
      ),
    ],
  }
}

/** Square products, then the MLP's first-layer shape (batch 256, 784 inputs, 128 hidden). */
export const matmulGroups = (quick: boolean): Group[] => [
  ...(quick ? [64, 128, 256] : [64, 128, 256, 512]).map((s) => productGroup(s, s, s)),
  productGroup(256, 784, 128),
]
