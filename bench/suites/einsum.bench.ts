/**
 * `einsum` beside `matmul` (issue #14 §8: `einsum('bij,bjk->bik')` within 1.5× of `matmul`),
 * in GFLOP/s (each task counts 2·b·m·k·n flops; the harness prints 1 / (ns per flop)). The
 * baseline is `matmul(A, B)`, so the ratio column is einsum's cost over matmul's:
 *
 * - batched products `bij,bjk->bik` at 32 × 64³ and at 64 × 8³ (small matrices: the per-call
 *   cost of parsing and planning shows), with A stored transposed (`bji,bjk->bik`, reached
 *   through matmul's transA flag, no copy) and with a transposed output (`bij,bjk->bki`, one
 *   copy of the result);
 * - a single 256×256 product `ij,jk->ik`;
 * - the gradient of ⟨einsum(bij,bjk->bik), W⟩ in both operands beside the same through matmul;
 * - a chain `ij,jk,k->i` (n = 256): the greedy order contracts B·v first (n² work) and is timed
 *   beside matmul in both orders, (A·B)·v (n³) and A·(B·v).
 *
 * Every task is validated against naive loops (bench/mlp.ts's i-k-j product) at 1e-11.
 */
import { einsum, grad, matmul, mul, sum, type Tensor, tensor, transpose } from 'fluxion'
import type { Group, Task } from '../harness.ts'
import { lazy, wave } from '../kernels.ts'
import { matmulPlain } from '../mlp.ts'
import { near } from '../rosenbrock.ts'

/** `count` products of m×k by k×n matrices stored back to back, by the naive loop. */
const batchedPlain = (
  a: Float64Array,
  b: Float64Array,
  count: number,
  m: number,
  k: number,
  n: number,
) => {
  const out = new Float64Array(count * m * n)
  for (let t = 0; t < count; t++) {
    out.set(
      matmulPlain(
        a.subarray(t * m * k, (t + 1) * m * k),
        b.subarray(t * k * n, (t + 1) * k * n),
        m,
        k,
        n,
      ),
      t * m * n,
    )
  }
  return out
}

const flopTask = (
  name: string,
  fn: () => Tensor,
  reference: () => Float64Array,
  flops: number,
): Task => ({
  name,
  fn,
  // 4×4-blocked sums round differently from the naive loop's
  validate: () => near(fn().data, reference(), 1e-11),
  units: flops,
  unitName: 'flop',
})

const batchedGroup = (count: number, s: number): Group => {
  const flops = 2 * count * s * s * s
  const inputs = lazy(() => {
    const a = wave(count * s * s, 1, 0.29)
    const b = wave(count * s * s, 1, 1.37)
    const at = tensor(a, [count, s, s])
    const bt = tensor(b, [count, s, s])
    const aStoredT = transpose(at, [0, 2, 1])
    const reference = batchedPlain(a, b, count, s, s, s)
    // the product transposed per matrix, for the 'bki' output
    const referenceT = new Float64Array(reference.length)
    for (let t = 0; t < count; t++) {
      for (let i = 0; i < s; i++) {
        for (let j = 0; j < s; j++)
          referenceT[t * s * s + j * s + i] = reference[t * s * s + i * s + j]!
      }
    }
    return { at, bt, aStoredT, reference, referenceT }
  })
  const ref = () => inputs().reference
  return {
    title: `einsum bij,bjk->bik vs matmul, ${count} × ${s}×${s}·${s}×${s} (GFLOP/s)`,
    baseline: 'fluxion matmul(A, B)',
    tasks: [
      flopTask('fluxion matmul(A, B)', () => matmul(inputs().at, inputs().bt), ref, flops),
      flopTask(
        "fluxion einsum('bij,bjk->bik', A, B)",
        () => einsum('bij,bjk->bik', inputs().at, inputs().bt),
        ref,
        flops,
      ),
      flopTask(
        "fluxion einsum('bji,bjk->bik', Aᵀ, B) (transA flag)",
        () => einsum('bji,bjk->bik', inputs().aStoredT, inputs().bt),
        ref,
        flops,
      ),
      flopTask(
        "fluxion einsum('bij,bjk->bki', A, B) (output transposed)",
        () => einsum('bij,bjk->bki', inputs().at, inputs().bt),
        () => inputs().referenceT,
        flops,
      ),
    ],
  }
}

const squareGroup = (s: number): Group => {
  const flops = 2 * s * s * s
  const inputs = lazy(() => {
    const a = wave(s * s, 1, 0.29)
    const b = wave(s * s, 1, 1.37)
    return { at: tensor(a, [s, s]), bt: tensor(b, [s, s]), reference: matmulPlain(a, b, s, s, s) }
  })
  const ref = () => inputs().reference
  return {
    title: `einsum ij,jk->ik vs matmul, ${s}×${s}·${s}×${s} (GFLOP/s)`,
    baseline: 'fluxion matmul(A, B)',
    tasks: [
      flopTask('fluxion matmul(A, B)', () => matmul(inputs().at, inputs().bt), ref, flops),
      flopTask(
        "fluxion einsum('ij,jk->ik', A, B)",
        () => einsum('ij,jk->ik', inputs().at, inputs().bt),
        ref,
        flops,
      ),
    ],
  }
}

const gradGroup = (count: number, s: number): Group => {
  // forward and two pullback products
  const flops = 3 * 2 * count * s * s * s
  const inputs = lazy(() => {
    const a = wave(count * s * s, 1, 0.29)
    const b = wave(count * s * s, 1, 1.37)
    const w = wave(count * s * s, 1, 2.11)
    const [at, bt, wt] = [a, b, w].map((d) => tensor(d, [count, s, s])) as [Tensor, Tensor, Tensor]
    // Ā = W·Bᵀ and B̄ = Aᵀ·W per matrix, by the naive loop on explicit transposes
    const tr = (x: Float64Array) => {
      const out = new Float64Array(x.length)
      for (let t = 0; t < count; t++) {
        for (let i = 0; i < s; i++)
          for (let j = 0; j < s; j++) out[t * s * s + j * s + i] = x[t * s * s + i * s + j]!
      }
      return out
    }
    const aBar = batchedPlain(w, tr(b), count, s, s, s)
    const bBar = batchedPlain(tr(a), w, count, s, s, s)
    const reference = new Float64Array([...aBar, ...bBar])
    return { at, bt, wt, reference }
  })
  const both = (product: (a: Tensor, b: Tensor) => Tensor) => () => {
    const { at, bt, wt } = inputs()
    const [aBar, bBar] = grad((a: Tensor, b: Tensor) => sum(mul(product(a, b), wt)), {
      argnums: [0, 1],
    })(at, bt)
    return tensor(new Float64Array([...aBar.data, ...bBar.data]))
  }
  const ref = () => inputs().reference
  return {
    title: `einsum grad of ⟨bij,bjk->bik, W⟩ in both operands vs matmul's, ${count} × ${s}³ (GFLOP/s)`,
    baseline: 'fluxion grad through matmul',
    tasks: [
      flopTask('fluxion grad through matmul', both(matmul), ref, flops),
      flopTask(
        'fluxion grad through einsum',
        both((a, b) => einsum('bij,bjk->bik', a, b)),
        ref,
        flops,
      ),
    ],
  }
}

const chainGroup = (n: number): Group => {
  // the work of the cheap order, A·(B·v): two matrix–vector products
  const flops = 2 * 2 * n * n
  const inputs = lazy(() => {
    const a = wave(n * n, 1, 0.29)
    const b = wave(n * n, 1, 1.37)
    const v = wave(n, 1, 0.71)
    const bv = matmulPlain(b, v, n, n, 1)
    return {
      at: tensor(a, [n, n]),
      bt: tensor(b, [n, n]),
      vt: tensor(v, [n]),
      reference: matmulPlain(a, bv, n, n, 1),
    }
  })
  const ref = () => inputs().reference
  return {
    title: `einsum ij,jk,k->i (greedy order) vs matmul in both orders, n = ${n} (GFLOP/s of A·(B·v))`,
    baseline: 'fluxion matmul(A, matmul(B, v))',
    tasks: [
      flopTask(
        'fluxion matmul(A, matmul(B, v))',
        () => matmul(inputs().at, matmul(inputs().bt, inputs().vt)),
        ref,
        flops,
      ),
      flopTask(
        'fluxion matmul(matmul(A, B), v)',
        () => matmul(matmul(inputs().at, inputs().bt), inputs().vt),
        ref,
        flops,
      ),
      flopTask(
        "fluxion einsum('ij,jk,k->i', A, B, v)",
        () => einsum('ij,jk,k->i', inputs().at, inputs().bt, inputs().vt),
        ref,
        flops,
      ),
    ],
  }
}

/** The einsum groups; `quick` keeps the sizes (they are small) and shortens the runs only. */
export const einsumGroups = (_quick: boolean): Group[] => [
  batchedGroup(32, 64),
  batchedGroup(64, 8),
  squareGroup(256),
  gradGroup(32, 32),
  chainGroup(256),
]
